#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dom0-scenario.sh: issue 5's scenario, run in the system test's dom0 by
# dom0-init (xenstored, xen-init-dom0 and xenconsoled --log=guest are up;
# /dev/tpm0 is swtpm through QEMU's TPM TIS).  One PASS:/FAIL: line per step
# of the issue, named "<n> <what>"; the guests' own lines (guest-init,
# guest_tpm) are read from their console logs and relayed with a "[name] "
# prefix.  A step that cannot run because an earlier one failed is a FAIL.
. /systest/lib.sh

UUID_A=5d0c1a6e-7e57-4a00-8a11-00000000000a
UUID_B=5d0c1a6e-7e57-4a00-8a11-00000000000b
MGR_LOG=/var/log/vtpm_managerd.log
# Seconds for the manager to answer vtpmctl: its first start takes
# ownership of the hardware TPM and seals a key (TCG is slow).
MGR_WAIT_SECS=180
MGR_PID=
STEP1=0

# step N WHAT WHY: the step's line; WHY empty means it passed.
step()
{
	if [ -z "$3" ]; then
		pass "$1 $2"
	else
		fail "$1 $2" "$3"
	fi
}

mgr_start()
{
	echo "---- vtpm_managerd start at t=$(uptime_s)" >>"$MGR_LOG"
	vtpm_managerd --tpm /dev/tpm0 --xenstore -d >>"$MGR_LOG" 2>&1 &
	MGR_PID=$!
	i=0
	while [ "$i" -lt "$MGR_WAIT_SECS" ]; do
		if ! kill -0 "$MGR_PID" 2>/dev/null; then
			info "vtpm_managerd exited: $(tail -n 3 "$MGR_LOG" | tr '\n' ' ')"
			MGR_PID=
			return 1
		fi
		if vtpmctl list >/tmp/vtpmctl.out 2>&1; then
			info "vtpm_managerd (pid $MGR_PID) ready after $i s"
			return 0
		fi
		sleep 1
		i=$((i + 1))
	done
	info "vtpm_managerd did not answer vtpmctl within $MGR_WAIT_SECS s"
	return 1
}

mgr_stop()
{
	[ -n "$MGR_PID" ] || return 0
	kill "$MGR_PID" 2>/dev/null
	i=0
	while kill -0 "$MGR_PID" 2>/dev/null && [ "$i" -lt 60 ]; do
		sleep 1
		i=$((i + 1))
	done
	if kill -0 "$MGR_PID" 2>/dev/null; then
		info "vtpm_managerd did not exit on SIGTERM within 60 s"
		kill -9 "$MGR_PID"
		MGR_PID=
		return 1
	fi
	wait "$MGR_PID" 2>/dev/null
	MGR_PID=
	return 0
}

# run_guest NAME ROLE UUID TAG PHASE: create it and wait for its verdict
# line; 1 if it was not created or did not finish.
run_guest()
{
	cfg=$(guest_cfg "$1" "$2" "$3" "systest_tag=$4 systest_phase=$5")
	guest_create "$1" "$cfg" || return 1
	guest_wait "$1"
	rc=$?
	guest_log "$1"
	return $rc
}

# tpm_step NAME REQUIRED...: why guest NAME's TPM checks (all but the
# malformed-request ones, step 4) did not pass; empty when they did.
tpm_step()
{
	g=$1
	shift
	guest_verdict "$g" '.' >/dev/null
	why=$(grep -v -e 'malformed' -e 'after the malformed' "/tmp/why-$g" |
	      sed 's/^FAIL: //' | tr '\n' ';' | cut -c1-300)
	for req in "$@"; do
		grep -q "^PASS: .*$req" "/tmp/clean-$g.log" ||
			why="$why no PASS for '$req';"
	done
	echo "$why"
}

# malformed_why NAME: why guest NAME's malformed-request checks failed.
malformed_why()
{
	why=
	for req in 'malformed request (paramSize 5) answered' \
		   'a good request after the malformed one works'; do
		if grep -q "^FAIL: .*$req" "/tmp/clean-$1.log" 2>/dev/null; then
			why="$why$(grep "^FAIL: .*$req" "/tmp/clean-$1.log" |
				   sed 's/^FAIL: //' | head -n1);"
		elif ! grep -q "^PASS: .*$req" "/tmp/clean-$1.log" 2>/dev/null
		then
			why="$why guest $1: no result for '$req';"
		fi
	done
	echo "$why"
}

# ---- 1. modprobe tpmbk, /dev/vtpm is 10,225, the manager on /dev/tpm0 ----
why=
if modprobe tpmbk 2>/tmp/modprobe.log; then
	info "tpmbk loaded: $(grep '^tpmbk ' /proc/modules | cut -d' ' -f1-3)"
	i=0
	while [ ! -c /dev/vtpm ] && [ "$i" -lt 10 ]; do
		sleep 1
		i=$((i + 1))
	done
	dev=$(stat -c '%t,%T' /dev/vtpm 2>/dev/null)
	[ -c /dev/vtpm ] && [ "$dev" = "a,e1" ] ||
		why="/dev/vtpm is ${dev:-missing} (hex major,minor), want a,e1 (10,225);"
else
	why="modprobe tpmbk: $(head -c 200 /tmp/modprobe.log);"
fi
[ -c /dev/tpm0 ] || why="$why no /dev/tpm0 (swtpm through tpm_tis);"
if [ -z "$why" ]; then
	mgr_start || why="vtpm_managerd did not start: $(tail -n 2 "$MGR_LOG" | tr '\n' ' ')"
fi
step 1 "modprobe tpmbk; /dev/vtpm is 10,225; vtpm_managerd on /dev/tpm0" "$why"
[ -z "$why" ] && STEP1=1

# ---- 2. guest A: tpm_xenu, pcrs, ownership, extend, NV ----
if [ "$STEP1" = 1 ]; then
	if run_guest a xenu "$UUID_A" A first; then
		why=$(tpm_step a '/sys/devices/xen/vtpm-0/pcrs shows 24 PCRs' \
		      'TakeOwnership' 'extend PCR 10' \
		      'NV_ReadValue returns what was written')
	else
		why="guest a did not run to its end (see [a] and xl-a| lines)"
	fi
	EK_A=$(guest_value a ek)
else
	why="not run: step 1 failed"
fi
step 2 "guest A (tpm_xenu): 24 PCRs in sysfs, ownership, extend PCR 10, NV define/write" "$why"
cp "/tmp/clean-a.log" /tmp/first-a.log 2>/dev/null

# ---- 3. guest B: stock xen-tpmfront (protocol v2); A and B isolated ----
if [ "$STEP1" = 1 ]; then
	if run_guest b stock "$UUID_B" B first; then
		why=$(tpm_step b 'shows 24 PCRs' 'fresh vTPM has no owner' \
		      'NV index 0x00012041 (guest A) is not defined here' \
		      'TakeOwnership' 'extend PCR 10' \
		      'NV_ReadValue returns what was written')
	else
		why="guest b did not run to its end (see [b] and xl-b| lines)"
	fi
	EK_B=$(guest_value b ek)
	if [ -z "$EK_A" ] || [ -z "$EK_B" ] || [ "$EK_A" = "$EK_B" ]; then
		why="$why EKs of A and B must differ (A ${EK_A:-?}, B ${EK_B:-?});"
	fi
	vtpmctl list 2>&1 | sed 's/^/INFO: vtpmctl list: /'
else
	why="not run: step 1 failed"
fi
step 3 "guest B (stock xen-tpmfront, protocol v2): the same checks; A and B see only their own TPM" "$why"

# ---- 4. malformed request (paramSize 5) -> TPM_FAIL; the next one works ----
if [ "$STEP1" = 1 ]; then
	why="$(malformed_why a)$(malformed_why b)"
else
	why="not run: step 1 failed"
fi
step 4 "a malformed request gets TPM_FAIL and the next good request works (A and B)" "$why"

# ---- 5. destroy A, restart the manager, recreate A: owner, NV kept ----
if [ "$STEP1" = 1 ]; then
	why=
	xl destroy a >/tmp/xl-destroy-a.log 2>&1 ||
		why="xl destroy a: $(head -c 200 /tmp/xl-destroy-a.log);"
	mgr_stop || why="$why vtpm_managerd did not stop on SIGTERM;"
	mgr_start || why="$why vtpm_managerd did not restart;"
	if [ -z "$why" ]; then
		if run_guest a xenu "$UUID_A" A again; then
			why=$(tpm_step a 'owner secret accepted' \
			      'NV data kept across destroy and manager restart' \
			      'PCR 10 was reset by the new boot')
		else
			why="guest a did not run to its end the second time"
		fi
		EK_A2=$(guest_value a ek)
		[ -n "$EK_A2" ] && [ "$EK_A2" = "$EK_A" ] ||
			why="$why EK changed across the restart (${EK_A:-?} -> ${EK_A2:-?});"
	fi
else
	why="not run: step 1 failed"
fi
step 5 "destroy A, restart vtpm_managerd, recreate A: owner and NV kept, PCRs reset" "$why"

# ---- 6. destroy all guests, rmmod tpmbk: no oops or warning ----
why=
for g in a b; do
	xl domid "$g" >/dev/null 2>&1 || continue
	xl destroy "$g" >/tmp/xl-destroy.log 2>&1 ||
		why="$why xl destroy $g: $(head -c 150 /tmp/xl-destroy.log);"
done
left=$(xenstore-list /local/domain/0/backend/vtpm 2>/dev/null | tr '\n' ' ')
[ -z "$left" ] || info "backend/vtpm after the destroys: $left"
mgr_stop || why="$why vtpm_managerd did not stop on SIGTERM;"
if grep -q '^tpmbk ' /proc/modules; then
	rmmod tpmbk 2>/tmp/rmmod.log ||
		why="$why rmmod tpmbk: $(head -c 200 /tmp/rmmod.log);"
elif [ "$STEP1" = 1 ]; then
	why="$why tpmbk is no longer loaded before rmmod;"
else
	why="$why not run: step 1 failed;"
fi
bad=$(dmesg_problems)
[ -z "$bad" ] || why="$why dom0 kernel log: $(echo "$bad" | head -n 3 | tr '\n' ';')"
step 6 "xl destroy all guests, rmmod tpmbk: no oops or warning in dom0" "$why"

# The manager's log, for whoever reads the serial log after a failure.
sed 's/^/[mgr] /' "$MGR_LOG" 2>/dev/null | tail -n 200
[ "$SYSTEST_FAILS" -eq 0 ]
