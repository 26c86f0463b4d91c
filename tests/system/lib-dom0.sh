# SPDX-License-Identifier: GPL-2.0
#
# lib-dom0.sh: helpers for dom0 scenarios (busybox sh), installed in dom0
# as /systest/lib.sh and sourced by dom0-init and by every scenario.  It
# owns the result lines (PASS:/FAIL:/INFO:) and the guest life cycle:
# configs, xl create, waiting for a guest's verdict in its console log.

GUEST_KERNEL=/boot/guest/vmlinux
GUEST_RAMDISK=/boot/guest/initrd.cpio
GUEST_LOG_DIR=/var/log/xen/console
# Seconds from xl create to the guest's "SYSTEST-GUEST-DONE" line; the
# notes measured 16-20 s under TCG with an idle host, key generation in a
# vTPM can take as long again, and the host's CPUs are shared.
GUEST_WAIT_SECS=${GUEST_WAIT_SECS:-300}
SYSTEST_FAILS=0

uptime_s()
{
	cut -d' ' -f1 /proc/uptime
}

pass()
{
	echo "PASS: $1"
}

# fail NAME WHY
fail()
{
	SYSTEST_FAILS=$((SYSTEST_FAILS + 1))
	echo "FAIL: $1 ($2)"
}

info()
{
	echo "INFO: $*"
}

# check NAME WHY CMD...: PASS when CMD succeeds, FAIL with WHY otherwise.
check()
{
	name=$1
	why=$2
	shift 2
	if "$@"; then
		pass "$name"
	else
		fail "$name" "$why"
	fi
}

# guest_cfg NAME ROLE [VTPM_UUID [EXTRA]]: write /tmp/NAME.cfg for a PV
# guest running the test's guest init with ROLE (guest-init); with a uuid
# it gets a vtpm line for backend dom0.  EXTRA goes onto the guest's
# kernel command line.
guest_cfg()
{
	cfg=/tmp/$1.cfg
	{
		echo "name = \"$1\""
		echo "kernel = \"$GUEST_KERNEL\""
		echo "ramdisk = \"$GUEST_RAMDISK\""
		echo "extra = \"console=hvc0 loglevel=4 systest_role=$2 ${4:-}\""
		echo "memory = 256"
		echo "vcpus = 1"
		echo "on_poweroff = \"destroy\""
		echo "on_reboot = \"destroy\""
		echo "on_crash = \"destroy\""
		[ -n "${3:-}" ] && echo "vtpm = ['backend=0,uuid=$3']"
	} >"$cfg"
	echo "$cfg"
}

# guest_create NAME CFG: xl create, timed; its output is kept in
# /tmp/xl-NAME.log and shown on failure.
guest_create()
{
	rm -f "$GUEST_LOG_DIR/guest-$1.log"
	t0=$(uptime_s)
	if xl create "$2" >"/tmp/xl-$1.log" 2>&1; then
		info "xl create $1: $(awk "BEGIN { print $(uptime_s) - $t0 }") s"
		return 0
	fi
	rc=$?
	sed "s/^/xl-$1| /" "/tmp/xl-$1.log"
	info "xl create $1 failed with rc $rc after" \
		"$(awk "BEGIN { print $(uptime_s) - $t0 }") s"
	return 1
}

# guest_wait NAME: wait for the guest's last line; 1 on timeout or when the
# domain is gone before it.
guest_wait()
{
	log=$GUEST_LOG_DIR/guest-$1.log
	t0=$(uptime_s)
	i=0
	while [ "$i" -lt "$GUEST_WAIT_SECS" ]; do
		if grep -q '^SYSTEST-GUEST-DONE' "$log" 2>/dev/null; then
			info "guest $1 done after" \
				"$(awk "BEGIN { print $(uptime_s) - $t0 }") s"
			return 0
		fi
		if ! xl domid "$1" >/dev/null 2>&1; then
			info "guest $1 is gone"
			return 1
		fi
		sleep 1
		i=$((i + 1))
	done
	info "guest $1: no result within $GUEST_WAIT_SECS s"
	return 1
}

# guest_log NAME: the guest's console log, each line prefixed "[NAME] ".
guest_log()
{
	sed "s/^/[$1] /" "$GUEST_LOG_DIR/guest-$1.log" 2>/dev/null
}

# guest_verdict NAME [PATTERN]: 0 when the guest finished, printed at
# least one PASS line (matching PATTERN, a grep -E pattern, if given) and
# no FAIL line matching it.  The failing lines go to /tmp/why-NAME.
guest_verdict()
{
	log=$GUEST_LOG_DIR/guest-$1.log
	pat=${2:-.}
	tr -d '\r' <"$log" 2>/dev/null >"/tmp/clean-$1.log"
	grep -E "^FAIL: .*($pat)" "/tmp/clean-$1.log" >"/tmp/why-$1"
	if ! grep -q '^SYSTEST-GUEST-DONE' "/tmp/clean-$1.log"; then
		echo "guest $1 did not finish" >>"/tmp/why-$1"
		return 1
	fi
	[ -s "/tmp/why-$1" ] && return 1
	if ! grep -Eq "^PASS: .*($pat)" "/tmp/clean-$1.log"; then
		echo "no PASS line for $pat" >"/tmp/why-$1"
		return 1
	fi
	return 0
}

# guest_why NAME: the reasons guest_verdict found, on one line.
guest_why()
{
	sed 's/^FAIL: //' "/tmp/why-$1" | tr '\n' ';' | cut -c1-400
}

# guest_value NAME KEY: the value of the guest's last "VALUE: KEY=..." line.
guest_value()
{
	tr -d '\r' <"$GUEST_LOG_DIR/guest-$1.log" 2>/dev/null |
		sed -n "s/^VALUE: $2=//p" | tail -n1
}

# dmesg_problems: the kernel log lines that mean a kernel bug or a crashed
# program; empty when clean.
dmesg_problems()
{
	dmesg | grep -E 'Oops|WARNING: |BUG: |Kernel panic|general protection|segfault at|Call Trace' || true
}
