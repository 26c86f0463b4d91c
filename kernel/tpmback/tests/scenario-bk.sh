#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# scenario-bk.sh: tpmbk's own system test, a dom0 scenario for the harness:
#   tests/system/run-system-test -O /work/build-bk \
#     --scenario kernel/tpmback/tests/scenario-bk.sh \
#     --add BUILD/vtpmdev --add BUILD/hostile --guest-add BUILD/tpmraw \
#     --guest-script kernel/tpmback/tests/guest-bk.sh
# (kernel/tpmback/tests/run does exactly this.)  No vtpm_managerd: dom0
# writes "instance" itself and kernel/tpmback/tests/vtpmdev answers guest
# requests with dom0's own TPM (swtpm).  BK_GUESTS (default "stock xenu")
# picks the frontends tested, one guest each.
. /systest/lib.sh

V=/systest/extra/vtpmdev
BE=/local/domain/0/backend/vtpm
PARAMS=/sys/module/tpmbk/parameters
SERVE_PID=
BK_GUESTS=${BK_GUESTS:-stock xenu}
for w in $(cat /proc/cmdline); do
	case $w in
	bk_guests=*) BK_GUESTS=$(echo "${w#*=}" | tr , ' ') ;;
	esac
done
[ "$BK_GUESTS" = none ] && BK_GUESTS=

xsr()
{
	xenstore-read "$1" 2>/dev/null
}

# wait_key PATH VALUE SECS: xenstore PATH reads VALUE within SECS.
wait_key()
{
	i=0
	while [ "$(xsr "$1")" != "$2" ] && [ "$i" -lt "$3" ]; do
		sleep 1
		i=$((i + 1))
	done
	[ "$(xsr "$1")" = "$2" ]
}

serve()
{
	stop_serve
	"$V" serve /dev/tpm0 "$@" >>/tmp/serve.log 2>&1 &
	SERVE_PID=$!
	sleep 1
}

stop_serve()
{
	[ -n "$SERVE_PID" ] || return 0
	kill "$SERVE_PID" 2>/dev/null
	wait "$SERVE_PID" 2>/dev/null
	SERVE_PID=
}

# wait_phase NAME N: the guest printed "VALUE: bk_phase=N" (GUEST_WAIT_SECS).
wait_phase()
{
	i=0
	while [ "$(guest_value "$1" bk_phase)" != "$2" ] &&
	      [ "$i" -lt "$GUEST_WAIT_SECS" ]; do
		xl domid "$1" >/dev/null 2>&1 || return 1
		sleep 1
		i=$((i + 1))
	done
	[ "$(guest_value "$1" bk_phase)" = "$2" ]
}

elapsed()
{
	awk "BEGIN { print $(uptime_s) - $1 }"
}

# 1. The module and the device.
if modprobe tpmbk; then
	pass "modprobe tpmbk"
else
	fail "modprobe tpmbk" "rc $?"
	exit 1
fi
"$V" semantics
# A hostile frontend in dom0 itself (gntshr + evtchn), against both rings.
/systest/extra/hostile

# 2. One guest per frontend, each through the four phases of guest-bk.sh.
inst=0
for front in $BK_GUESTS; do
	inst=$((inst + 1))
	gname=bk-$front
	uuid=00000000-0000-4000-8000-00000000000$inst
	cfg=$(guest_cfg "$gname" custom "$uuid" "bk_front=$front systest_tag=$inst rng_core.default_quality=0")
	if ! guest_create "$gname" "$cfg"; then
		fail "$front: xl create with a vtpm line" "see xl-$gname lines"
		continue
	fi
	pass "$front: xl create with a vtpm line"
	domid=$(xl domid "$gname")
	be=$BE/$domid/0
	fe=/local/domain/$domid/device/vtpm/0
	check "$front: backend in InitWait, feature-protocol-v2 = 1" \
		"state $(xsr "$be/state"), feature $(xsr "$be/feature-protocol-v2")" \
		test "$(xsr "$be/state")" = 2 -a "$(xsr "$be/feature-protocol-v2")" = 1
	# The frontend offers its ring (the stock one also sends a command).
	if wait_key "$fe/state" 3 240; then
		pass "$front: frontend Initialised"
	else
		fail "$front: frontend Initialised" "state $(xsr "$fe/state")"
	fi
	sleep 3
	# Hostile "instance" values: never a connection.
	for bad in abc 0 16777216 1x -1 ""; do
		xenstore-write -- "$be/instance" "$bad"
	done
	sleep 2
	check "$front: hostile instance values ignored" \
		"backend state $(xsr "$be/state")" test "$(xsr "$be/state")" = 2
	serve
	t0=$(uptime_s)
	xenstore-write "$be/instance" "$inst"
	if wait_key "$be/state" 4 20; then
		pass "$front: Connected $(elapsed "$t0") s after instance was written"
	else
		fail "$front: Connected after instance was written" \
			"state $(xsr "$be/state")"
	fi
	# Phase 2: late answers (GetCapability 8 s late, tpmbk gives up at 4 s).
	if wait_phase "$gname" 2; then
		echo 4 >"$PARAMS/answer_timeout"
		serve --delay-ord 65 8
	fi
	# Phase 3: the manager closes /dev/vtpm with a PCRRead read.
	if wait_phase "$gname" 3; then
		stop_serve
		echo 150 >"$PARAMS/answer_timeout"
		serve --withhold-ord 15
	fi
	if wait_phase "$gname" 4; then
		stop_serve
		serve
	fi
	guest_wait "$gname"
	if guest_verdict "$gname"; then
		pass "$front: guest checks"
	else
		fail "$front: guest checks" "$(guest_why "$gname")"
	fi
	guest_log "$gname"
done
stop_serve
sed 's/^/serve| /' /tmp/serve.log

# 3. Detach and attach while a guest runs (libxl waits 10 s for Closed).
gname=bk-$(echo "$BK_GUESTS" | cut -d' ' -f1)
if [ -n "$BK_GUESTS" ] && xl domid "$gname" >/dev/null 2>&1; then
	domid=$(xl domid "$gname")
	t0=$(uptime_s)
	xl vtpm-detach "$gname" 0 >/tmp/detach.log 2>&1
	rc=$?
	t=$(elapsed "$t0")
	cat /tmp/detach.log
	if [ "$rc" -eq 0 ] && awk "BEGIN { exit !($t < 9) }" &&
	   ! xsr "$BE/$domid/0/state" >/dev/null; then
		pass "xl vtpm-detach: done in $t s"
	else
		fail "xl vtpm-detach" "rc $rc after $t s"
	fi
	t0=$(uptime_s)
	if xl vtpm-attach "$gname" backend=0 \
	   uuid=00000000-0000-4000-8000-000000000009 >/tmp/attach.log 2>&1; then
		pass "xl vtpm-attach ($(elapsed "$t0") s)"
	else
		fail "xl vtpm-attach" "$(cat /tmp/attach.log)"
	fi
	devid=$(xenstore-list "$BE/$domid" 2>/dev/null | tail -n 1)
	be=$BE/$domid/$devid
	check "attached device in InitWait" "state $(xsr "$be/state")" \
		wait_key "$be/state" 2 10
	serve
	xenstore-write "$be/instance" 9
	if wait_key "$be/state" 4 30; then
		pass "attached device Connected"
	else
		info "attached device state $(xsr "$be/state"), frontend $(xsr "/local/domain/$domid/device/vtpm/$devid/state")"
		fail "attached device Connected" "state $(xsr "$be/state")"
	fi
fi

# 4. rmmod with guests attached.  The xenbus core holds a module reference
# per bound device, so rmmod is refused until the devices are unbound
# (sysfs) or gone (xl destroy); unbinding must unmap and free everything.
stop_serve
xl list
states()
{
	for d in $(xenstore-list "$BE" 2>/dev/null); do
		for n in $(xenstore-list "$BE/$d" 2>/dev/null); do
			printf '%s/%s=%s ' "$d" "$n" "$(xsr "$BE/$d/$n/state")"
		done
	done
}
before=$(states)
bound=$(ls -d /sys/bus/xen-backend/drivers/vtpm/vtpm-* 2>/dev/null)
if [ -n "$bound" ]; then
	if rmmod tpmbk 2>/tmp/rmmod.log; then
		fail "rmmod refused while devices are bound" "it unloaded"
		modprobe tpmbk
	else
		check "rmmod refused while devices are bound, nothing changed" \
			"states $before -> $(states)" test "$before" = "$(states)"
	fi
fi
for d in /sys/bus/xen-backend/drivers/vtpm/vtpm-*; do
	[ -e "$d" ] || continue
	echo "$(basename "$d")" >/sys/bus/xen-backend/drivers/vtpm/unbind
done
info "after unbind: $(states)"
all_closed()
{
	! states | tr ' ' '\n' | grep -v '^$' | grep -qv '=6$'
}
check "unbind: every device Closed" "$(states)" all_closed
t0=$(uptime_s)
if rmmod tpmbk; then
	pass "rmmod tpmbk after unbinding ($(elapsed "$t0") s)"
else
	fail "rmmod tpmbk after unbinding" "rc $?"
fi
check "modprobe tpmbk again" "rc" modprobe tpmbk
sleep 3
info "after modprobe: $(states)"
for front in $BK_GUESTS; do
	xl destroy "bk-$front" 2>/dev/null
done
sleep 3
info "after xl destroy: $(states)"
check "rmmod tpmbk once the guests are destroyed" "rc" rmmod tpmbk
dmesg | grep -iE 'tpmbk|vtpm' | sed 's/^/INFO: dmesg: /'
# A grant still mapped when its owner ends access shows up here.
leaks=$(dmesg | grep -iE 'still in use|leaking')
check "no grant left in use (dmesg)" "$leaks" test -z "$leaks"
bad=$(dmesg_problems)
if [ -z "$bad" ]; then
	pass "dom0 kernel log clean"
else
	fail "dom0 kernel log clean" "$(echo "$bad" | head -n 3 | tr '\n' ';')"
fi
[ "$SYSTEST_FAILS" -eq 0 ]
