#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest-fe.sh: the guest side of tpm_xenu's system test (the harness's
# custom guest script; dom0 runs scenario-fe.sh).  Phases, each announced
# with "VALUE: fe_phase=N"; dom0 acts on the announcement:
#   1 sysfs files and TPM commands (guest_tpm)     dom0: nothing
#   2 a request nobody answers: -ETIME, then -EBUSY  dom0: SIGSTOP vtpmd
#   3 the late answer arrives, requests work again  dom0: SIGCONT vtpmd
#   4 manager killed with a request in flight       dom0: SIGSTOP vtpmd,
#                                                    kill -9 manager, restart
#   5 tpmbk unloaded and reloaded                   dom0: rmmod/modprobe tpmbk
#   6 unbind + rmmod tpm_xenu with /dev/tpm0 open,  dom0: nothing
#     reload, 10 unbind/bind cycles
#   7 xen-tpmfront instead, then tpm_xenu again     dom0: checks the keys
#   8 xl vtpm-detach with a request in flight,      dom0: SIGSTOP vtpmd,
#     then vtpm-attach                               detach, attach
# Prints PASS:/FAIL:/INFO:/VALUE: lines.

T=/systest/extra/tpmsend
SYS=/sys/devices/xen/vtpm-0
XB=/sys/devices/vtpm-0
tag=A
for w in $(cat /proc/cmdline); do
	case $w in
	systest_tag=*) tag=${w#*=} ;;
	esac
done

PCRREAD0=00c10000000e0000001500000000
GETRAND16=00c10000000e0000004600000010
# A TakeOwnership header without a body: never executed in the phases that
# send it (the vtpmd is frozen), but the TPM core gives its ordinal the
# LONG duration (60 s), so dom0 has time to act while it is in flight.
LONG_CMD=00c10000000e0000000d00000000
TPM_FAIL=00c40000000a00000009

pass()
{
	echo "PASS: guest $tag: $1"
}

fail()
{
	echo "FAIL: guest $tag: $1 ($2)"
}

now()
{
	cut -d' ' -f1 /proc/uptime
}

# between X LO HI: LO <= X <= HI (decimals).
between()
{
	awk "BEGIN { exit !($1 >= $2 && $1 <= $3) }"
}

# send HEX: one command on /dev/tpm0; sets RSP (hex or empty), ERR, SECS.
send()
{
	t0=$(now)
	RSP=$("$T" /dev/tpm0 "$1" 2>/tmp/send.err)
	ERR=$(tr '\n' ' ' </tmp/send.err)
	SECS=$(awk "BEGIN { print $(now) - $t0 }")
}

# ok_rsp: the last answer is a success (tag 00c4, return code 0).
ok_rsp()
{
	case $RSP in
	00c4????????00000000*) return 0 ;;
	esac
	return 1
}

# wait_ok SECS: send PCRRead 0 every second until it succeeds.
wait_ok()
{
	end=$(awk "BEGIN { print $(now) + $1 }")
	while :; do
		send $PCRREAD0
		ok_rsp && return 0
		between "$(now)" 0 "$end" || return 1
		sleep 1
	done
}

wait_for()
{
	i=0
	while [ ! -e "$1" ] && [ "$i" -lt "$2" ]; do
		sleep 1
		i=$((i + 1))
	done
	[ -e "$1" ]
}

wait_gone()
{
	i=0
	while [ -e "$1" ] && [ "$i" -lt "$2" ]; do
		sleep 1
		i=$((i + 1))
	done
	[ ! -e "$1" ]
}

# wait_state WORD SECS: the xenbus device's own state reads WORD.
wait_state()
{
	i=0
	while ! grep -qE "$1" $XB/state 2>/dev/null && [ "$i" -lt "$2" ]; do
		sleep 1
		i=$((i + 1))
	done
	grep -qE "$1" $XB/state 2>/dev/null
}

pcrs_ok()
{
	[ "$(grep -cE '^PCR-[0-2][0-9]:( [0-9A-F]{2}){20} *$' "$1")" -eq 24 ] &&
		[ "$(wc -l <"$1")" -eq 24 ]
}

# attr NAME REGEX: /sys/devices/xen/vtpm-0/NAME matches REGEX.
attr()
{
	if grep -qE "$2" "$SYS/$1" 2>/dev/null; then
		pass "$SYS/$1 ($(head -n 1 "$SYS/$1" | cut -c1-60))"
	else
		fail "$SYS/$1" "got '$(head -c 120 "$SYS/$1" 2>&1 | tr '\n' ' ')'"
	fi
}

phase()
{
	echo "VALUE: fe_phase=$1"
	echo "INFO: phase $1 at $(now) s"
}

# ---- 1. sysfs and TPM commands ---------------------------------------
phase 1
t0=$(now)
if modprobe tpm_xenu 2>/tmp/mod.err; then
	pass "modprobe tpm_xenu"
else
	fail "modprobe tpm_xenu" "$(cat /tmp/mod.err)"
fi
if wait_for /dev/tpm0 180; then
	pass "/dev/tpm0 appeared ($(awk "BEGIN { print $(now) - $t0 }") s)"
else
	fail "/dev/tpm0 appeared" "not in 180 s; state $(cat $XB/state)"
	dmesg | grep -iE 'tpm|vtpm|xen' | tail -n 30 | sed 's/^/INFO: dmesg: /'
	# Nothing later can work without it.
	exit 1
fi
if cat $SYS/pcrs >/tmp/pcrs 2>/tmp/pcrs.err && pcrs_ok /tmp/pcrs; then
	pass "cat $SYS/pcrs shows 24 PCRs"
	sed -n '1p;24p' /tmp/pcrs | sed 's/^/INFO: /'
else
	fail "cat $SYS/pcrs shows 24 PCRs" "$(head -c 200 /tmp/pcrs.err /tmp/pcrs)"
fi
echo "INFO: /sys/class/tpm/tpm0 -> $(readlink -f /sys/class/tpm/tpm0)"
echo "INFO: $SYS: $(ls $SYS | tr '\n' ' ')"
if [ "$(readlink -f /sys/class/tpm/tpm0)" = "$SYS/tpm/tpm0" ]; then
	pass "the chip is $SYS/tpm/tpm0"
else
	fail "the chip is $SYS/tpm/tpm0" "$(readlink -f /sys/class/tpm/tpm0)"
fi
attr pubek 'Modulus length: 256'
attr caps 'TCG version: 1\.2'
attr enabled '^1$'
attr active '^1$'
attr owned '^0$'
attr temp_deactivated '^0$'
attr durations '^[0-9]+ [0-9]+ [0-9]+ \[(original|adjusted)\]$'
attr timeouts '^[0-9]+ [0-9]+ [0-9]+ [0-9]+ \[(original|adjusted)\]$'
attr tpm_version_major '^1$'
if echo 1 >$SYS/cancel; then
	pass "echo 1 > $SYS/cancel"
else
	fail "echo 1 > $SYS/cancel" "write failed"
fi
send $PCRREAD0
if ok_rsp; then
	pass "PCRRead 0 through /dev/tpm0 ($SECS s)"
else
	fail "PCRRead 0 through /dev/tpm0" "$RSP $ERR"
fi
if [ -x /bin/guest_tpm ]; then
	guest_tpm --tag "$tag" --phase first /dev/tpm0
else
	fail "TPM commands" "guest_tpm is not in the image"
fi
attr owned '^1$'

# ---- 2. a request nobody answers -------------------------------------
phase 2
sleep 5
# -ETIME after 10 s; or -EBUSY after 10 + 10 s when the kernel's hwrng
# thread sent first and its request is the one left unanswered.
send $GETRAND16
if [ -z "$RSP" ] && between "$SECS" 9 32; then
	pass "unanswered request fails after the 10 s floor ($SECS s: $ERR)"
else
	fail "unanswered request fails after the 10 s floor" "$SECS s, '$RSP' $ERR"
fi
# The abandoned request still owns the ring: the next one waits, then fails.
# (The kernel's hwrng thread may hold the chip for its own 10 s first.)
send $PCRREAD0
if [ -z "$RSP" ] && between "$SECS" 9 32; then
	pass "next request refused while the abandoned one is out ($SECS s: $ERR)"
else
	fail "next request refused while the abandoned one is out" "$SECS s, '$RSP' $ERR"
fi

# ---- 3. the late answer arrives --------------------------------------
phase 3
if wait_ok 30; then
	pass "requests work once the late answer came ($(now) s)"
else
	fail "requests work once the late answer came" "$RSP $ERR"
fi

# ---- 4. manager killed with a request in flight ----------------------
phase 4
sleep 5
echo "VALUE: fe_sent=4"
send $LONG_CMD
if [ "$RSP" = "$TPM_FAIL" ] && between "$SECS" 0 55; then
	pass "request in flight when the manager died: TPM_FAIL ($SECS s)"
else
	fail "request in flight when the manager died: TPM_FAIL" "$SECS s, '$RSP' $ERR"
fi
if wait_ok 120; then
	pass "requests work after the manager restarted"
else
	fail "requests work after the manager restarted" "$RSP $ERR"
fi

# ---- 5. tpmbk unloaded and reloaded ----------------------------------
phase 5
# Closed, then Initialising at once: tpm_xenu asks for a new connection.
if wait_state 'Closed|Initialising' 90; then
	pass "frontend let go after tpmbk went away ($(cat $XB/state))"
else
	fail "frontend let go after tpmbk went away" "state $(cat $XB/state)"
fi
send $PCRREAD0
if [ -z "$RSP" ] && between "$SECS" 0 2; then
	pass "request without a backend fails at once ($SECS s: $ERR)"
else
	fail "request without a backend fails at once" "$SECS s, '$RSP' $ERR"
fi
echo "VALUE: fe_down=5"
if wait_ok 180; then
	pass "requests work after tpmbk came back (state $(cat $XB/state))"
else
	fail "requests work after tpmbk came back" "$RSP $ERR, state $(cat $XB/state)"
fi
if cat $SYS/pcrs >/tmp/pcrs 2>/dev/null && pcrs_ok /tmp/pcrs; then
	pass "pcrs after the reconnection"
else
	fail "pcrs after the reconnection" "$(head -c 100 /tmp/pcrs)"
fi

# ---- 6. unbind and rmmod tpm_xenu while /dev/tpm0 is open ------------
# The xenbus core holds a module reference per bound device: a driver is
# unbound before it can be unloaded.
phase 6
exec 3<>/dev/tpm0
if rmmod tpm_xenu 2>/dev/null; then
	fail "rmmod refused while the device is bound" "it was unloaded"
else
	pass "rmmod refused while the device is bound"
fi
if echo vtpm-0 >/sys/bus/xen/drivers/tpm_xenu/unbind &&
   rmmod tpm_xenu 2>/tmp/rmmod.err; then
	pass "unbind, rmmod tpm_xenu with /dev/tpm0 open"
else
	fail "unbind, rmmod tpm_xenu with /dev/tpm0 open" "$(cat /tmp/rmmod.err)"
fi
if [ ! -e /dev/tpm0 ] && [ ! -e $SYS ] && [ ! -e /sys/devices/xen ]; then
	pass "/dev/tpm0 and /sys/devices/xen gone"
else
	fail "/dev/tpm0 and /sys/devices/xen gone" "$(ls -d /dev/tpm0 $SYS /sys/devices/xen 2>&1 | tr '\n' ' ')"
fi
exec 3>&-
if modprobe tpm_xenu && wait_for /dev/tpm0 120 && wait_ok 60; then
	pass "tpm_xenu loaded again works"
else
	fail "tpm_xenu loaded again works" "$RSP $ERR, state $(cat $XB/state)"
fi

# Ten unbind/bind cycles with a command each: every cycle grants a new
# ring, binds a new event channel and registers a new chip; none of it may
# stay behind (irqs, memory).
mem0=$(awk '/^MemAvailable/ { print $2 }' /proc/meminfo)
cycles=0
for n in 1 2 3 4 5 6 7 8 9 10; do
	echo vtpm-0 >/sys/bus/xen/drivers/tpm_xenu/unbind || break
	echo vtpm-0 >/sys/bus/xen/drivers/tpm_xenu/bind || break
	if ! wait_for /dev/tpm0 60 || ! wait_ok 60; then
		echo "INFO: cycle $n stuck: state $(cat $XB/state), $RSP $ERR"
		break
	fi
	cycles=$((cycles + 1))
done
mem1=$(awk '/^MemAvailable/ { print $2 }' /proc/meminfo)
irqs=$(grep -c tpm_xenu /proc/interrupts)
echo "INFO: 10 unbind/bind cycles: MemAvailable $mem0 -> $mem1 kB, $irqs tpm_xenu irq line(s)"
if [ "$cycles" -eq 10 ] && [ "$irqs" -eq 1 ] && [ $((mem0 - mem1)) -lt 2048 ]; then
	pass "10 unbind/bind cycles: each works, one irq left, < 2 MB memory drift"
else
	fail "10 unbind/bind cycles" "$cycles done, $irqs irqs, $((mem0 - mem1)) kB"
fi

# ---- 7. the stock frontend, then tpm_xenu again ----------------------
phase 7
echo vtpm-0 >/sys/bus/xen/drivers/tpm_xenu/unbind
rmmod tpm_xenu
if modprobe xen-tpmfront && wait_for /dev/tpm0 120 && wait_ok 120; then
	pass "xen-tpmfront (protocol v2) on the same device"
else
	fail "xen-tpmfront (protocol v2) on the same device" "$RSP $ERR, state $(cat $XB/state)"
fi
echo "INFO: stock xen-tpmfront: pcrs at $(find /sys/devices -name pcrs | tr '\n' ' ')"
echo "INFO: stock xen-tpmfront: chip at $(readlink -f /sys/class/tpm/tpm0)"
echo vtpm-0 >/sys/bus/xen/drivers/vtpm/unbind
rmmod xen_tpmfront
if modprobe tpm_xenu && wait_for /dev/tpm0 120 && wait_ok 120; then
	pass "tpm_xenu (classic) after xen-tpmfront"
else
	fail "tpm_xenu (classic) after xen-tpmfront" "$RSP $ERR, state $(cat $XB/state)"
fi
echo "VALUE: fe_classic=7"

# ---- 8. xl vtpm-detach with a request in flight, then attach ---------
phase 8
sleep 5
echo "VALUE: fe_sent=8"
send $LONG_CMD
if [ -z "$RSP" ] && between "$SECS" 0 55; then
	pass "request in flight at vtpm-detach fails ($SECS s: $ERR)"
else
	fail "request in flight at vtpm-detach fails" "$SECS s, '$RSP' $ERR"
fi
if wait_gone $SYS 60; then
	pass "$SYS removed after vtpm-detach"
else
	fail "$SYS removed after vtpm-detach" "still there"
fi
if wait_for /dev/tpm0 180 && wait_ok 60; then
	new=$(ls -d /sys/devices/xen/vtpm-* 2>/dev/null | head -n 1)
	if cat "$new/pcrs" >/tmp/pcrs 2>/dev/null && pcrs_ok /tmp/pcrs; then
		pass "vtpm-attach: $new/pcrs shows 24 PCRs"
	else
		fail "vtpm-attach: pcrs" "${new:-no vtpm device}"
	fi
else
	fail "vtpm-attach: /dev/tpm0 works again" "$RSP $ERR"
fi

if dmesg | grep -qE 'WARNING|BUG|Oops|Call Trace|general protection'; then
	fail "guest kernel log clean" "$(dmesg | grep -E 'WARNING|BUG|Oops' | head -n 2)"
else
	pass "guest kernel log clean"
fi
dmesg | grep -iE 'tpm|vtpm' | tail -n 25 | sed 's/^/INFO: dmesg: /'
