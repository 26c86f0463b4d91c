#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest-bk.sh: the guest side of tpmbk's system test (run as the harness's
# custom guest script).  Kernel command line: bk_front=stock|xenu (the
# frontend to load), systest_tag=X.  It runs four phases; before each of
# phases 2-4 it prints "VALUE: bk_phase=N" and waits BK_GAP seconds, in
# which dom0 (kernel/tpmback/tests/scenario-bk.sh) changes its responder:
#   1 normal answers   2 GetCapability answered late (answer_timeout 4 s)
#   3 manager closes with our PCRRead read   4 normal answers again
# Prints PASS:/FAIL:/INFO:/VALUE: lines.

T=/systest/extra/tpmraw
BK_GAP=25
front=stock
tag=X
for w in $(cat /proc/cmdline); do
	case $w in
	bk_front=*) front=${w#*=} ;;
	systest_tag=*) tag=${w#*=} ;;
	esac
done

pass()
{
	echo "PASS: guest $tag ($front): $1"
}

fail()
{
	echo "FAIL: guest $tag ($front): $1 ($2)"
}

# Commands (TPM 1.2, hex).
PCRREAD0=00c10000000e0000001500000000
GETRAND16=00c10000000e0000004600000010
GETCAP_PCRS=00c100000016000000650000000500000004000001
GETCAP_PCRS=${GETCAP_PCRS}01
# paramSize 5: the TPM core sends the first 5 bytes only.
SHORT5=00c1000000050000001500000000
FAIL_C4=00c40000000a00000009

# rsp_of LINE: the hex answer of a tpmraw line ("RSP hex secs").
rsp_of()
{
	echo "$1" | awk '$1 == "RSP" { print $2 }'
}

secs_of()
{
	echo "$1" | awk '$1 == "RSP" { print $3 }'
}

# ok_answer NAME LINE SIZE: a success answer (tag 00c4, rc 0) of SIZE bytes.
ok_answer()
{
	r=$(rsp_of "$2")
	case $r in
	00c4*00000000*) ;;
	*) fail "$1" "answer ${2:-none}"; return 1 ;;
	esac
	if [ "${#r}" -ne $(($3 * 2)) ] ||
	   [ "$(echo "$r" | cut -c5-12)" != "$(printf '%08x' "$3")" ] ||
	   [ "$(echo "$r" | cut -c13-20)" != 00000000 ]; then
		fail "$1" "answer $r"
		return 1
	fi
	pass "$1"
}

phase_wait()
{
	echo "VALUE: bk_phase=$1"
	sleep "$BK_GAP"
}

if [ "$front" = xenu ]; then
	mod=tpm_xenu
else
	mod=xen-tpmfront
fi
t0=$(cut -d' ' -f1 /proc/uptime)
if modprobe "$mod" 2>/tmp/modprobe.log; then
	pass "modprobe $mod"
else
	fail "modprobe $mod" "$(cat /tmp/modprobe.log)"
fi
i=0
while [ ! -e /dev/tpm0 ] && [ "$i" -lt 180 ]; do
	sleep 1
	i=$((i + 1))
done
if [ -e /dev/tpm0 ]; then
	pass "/dev/tpm0 appeared"
	echo "INFO: /dev/tpm0 $(awk "BEGIN { print $(cut -d' ' -f1 /proc/uptime) - $t0 }") s after modprobe"
else
	fail "/dev/tpm0 appeared" "not within 180 s"
	dmesg | tail -n 30 | sed 's/^/INFO: dmesg: /'
fi
pcrs=$(find /sys/devices -name pcrs 2>/dev/null | head -n 1)
echo "INFO: pcrs file: ${pcrs:-none}"
if [ -n "$pcrs" ] && [ "$(grep -cE '^PCR-[0-2][0-9]:( [0-9A-F]{2}){20} *$' "$pcrs")" -eq 24 ]; then
	pass "pcrs shows 24 PCRs"
else
	fail "pcrs shows 24 PCRs" "$(head -c 200 "$pcrs" 2>&1)"
fi

# Phase 1: ordinary commands, a malformed one, then ordinary again.
ok_answer "PCRRead 0" "$($T $PCRREAD0)" 30
ok_answer "GetRandom 16" "$($T $GETRAND16)" 30
ok_answer "GetCapability" "$($T $GETCAP_PCRS)" 18
line=$($T $SHORT5)
if [ "$(rsp_of "$line")" = "$FAIL_C4" ]; then
	pass "5-byte request answered TPM_FAIL ($(secs_of "$line") s)"
else
	fail "5-byte request answered TPM_FAIL" "${line:-no answer}"
fi
ok_answer "PCRRead after the malformed request" "$($T $PCRREAD0)" 30
if [ "$front" = xenu ]; then
	# Longer than /dev/vtpm carries (4092): TPM_FAIL from tpmbk.
	big=00c100000ffd00000015
	n=10
	while [ "$n" -lt 4093 ]; do
		big=${big}00
		n=$((n + 1))
	done
	line=$($T "$big")
	if [ "$(rsp_of "$line")" = "$FAIL_C4" ]; then
		pass "4093-byte request answered TPM_FAIL"
	else
		fail "4093-byte request answered TPM_FAIL" "${line:-no answer}"
	fi
fi

# The kernel's hwrng thread reads the TPM in the background: quiet it.
echo 0 >/sys/class/misc/hw_random/rng_quality 2>/dev/null
echo "INFO: hwrng: $(cat /sys/class/misc/hw_random/rng_current 2>&1)," \
	"quality $(cat /sys/class/misc/hw_random/rng_quality 2>&1)"

# Phase 2: GetCapability is answered after tpmbk's answer timeout.
phase_wait 2
line=$($T $GETCAP_PCRS)
echo "INFO: late-answered request: $line"
case $(rsp_of "$line") in
"$FAIL_C4"|"") pass "timed-out request failed ($line)" ;;
*) fail "timed-out request failed" "$line" ;;
esac
ok_answer "next request gets its own answer, not the late one" \
	"$($T $PCRREAD0)" 30

# Phase 3: the manager closes /dev/vtpm with our request read.
phase_wait 3
line=$($T $PCRREAD0)
if [ "$(rsp_of "$line")" = "$FAIL_C4" ]; then
	pass "request outstanding at close answered TPM_FAIL"
else
	fail "request outstanding at close answered TPM_FAIL" "${line:-no answer}"
fi
line=$($T $PCRREAD0)
s=$(secs_of "$line")
if [ "$(rsp_of "$line")" = "$FAIL_C4" ] &&
   awk "BEGIN { exit !($s < 2) }"; then
	pass "no manager: TPM_FAIL at once ($s s)"
else
	fail "no manager: TPM_FAIL at once" "${line:-no answer}"
fi

# Phase 4: a manager again.
phase_wait 4
ok_answer "PCRRead with a manager again" "$($T $PCRREAD0)" 30
echo "VALUE: bk_phase=done"
