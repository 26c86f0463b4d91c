#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# manager_test.sh: vtpm_managerd end to end (TAP).  Two vTPM instances
# behind vtpm_be_sim, each driven by the unmodified TrouSerS tcsd with
# tpm-tools and the libtspi tss_conformance program, once with the
# emulated hardware TPM and once with swtpm (TPM 1.2) as the hardware TPM;
# instance 1's owner, keys, NV and PCRs must be invisible to instance 2.
# Then fake_backend.py plays a hostile kernel backend (malformed frames,
# manager tags, bad instances, a flood).  Everything started is stopped by
# lib.sh's EXIT trap.  O selects the build dir; MGR_TEST_MODES (default
# "emulate swtpm hostile") selects the phases.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"

MGR=$IT_O/vtpm_managerd
CTL=$IT_O/vtpmctl
SIM=$IT_O/vtpm_be_sim
TSS_PROG=$IT_O/tests/integration/tss_conformance
TSS_PROG_SECS=${TSS_PROG_SECS:-120}
MODES=${MGR_TEST_MODES:-emulate swtpm hostile}
# The manager's command timeout in the hostile phase (seconds): long
# enough for any command there, short enough to wait for once.
HOSTILE_TIMEOUT=5
UUID_1=6f1f7a7e-0000-4a11-9a55-000000000001
UUID_2=6f1f7a7e-0000-4a11-9a55-000000000002
NV_INDEX=0x00011101
# A PCR tss_conformance only reads (it extends 16), so its value here is
# the one extended below.
PCR=10
# GetCapability(TPM_CAP_NV_LIST): the defined NV indices.
GETCAP_NV_LIST=00c100000012000000650000000d00000000

for b in "$MGR" "$CTL" "$SIM" "$TSS_PROG"; do
	[ -x "$b" ] || bail "$b is missing (make O=$O all tests)"
done

# verdict NAME REASON: ok when the last command succeeded.
verdict()
{
	if [ $? -eq 0 ]; then
		ok "$1"
	else
		not_ok "$1" "$2"
	fi
}

# raw PORT HEX...: raw TPM commands to one instance through vtpm_be_sim
# (only while no tcsd holds that instance's single connection).
raw()
{
	local port=$1

	shift
	"$TPMSEND" --timeout 20000 "tcp:127.0.0.1:$port" "$@"
}

pcr_read_cmd()
{
	printf '00c10000000e00000015%08x' "$1"
}

# nv_read_cmd INDEX SIZE: TPM_NV_ReadValue without authorization.
nv_read_cmd()
{
	printf '00c100000016000000cf%08x00000000%08x' "$1" "$2"
}

# nv_listed RESPONSE_HEX INDEX: INDEX is in a GetCapability(NV_LIST) answer.
nv_listed()
{
	local r=$1 want i

	want=$(printf '%08x' "$2")
	for ((i = 28; i + 8 <= ${#r}; i += 8)); do
		[ "${r:i:8}" = "$want" ] && return 0
	done
	return 1
}

# wait_instance PORT: the instance answers through the whole path.
wait_instance()
{
	local n r

	for ((n = 0; n < IT_WAIT_SECS * 10; n++)); do
		r=$("$TPMSEND" --timeout 2000 "tcp:127.0.0.1:$1" \
			"$IT_GETCAP_VERSION" 2>/dev/null)
		[ -n "$r" ] && [ "$(it_rc "$r")" -eq 0 ] && return 0
		sleep 0.1
	done
	return 1
}

wait_manager()
{
	local n

	for ((n = 0; n < IT_WAIT_SECS * 10; n++)); do
		it_alive "$MGR_PID" || return 1
		"$CTL" --root "$ROOT" status >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# mgr_up MODE HWTPM-ARGS...: vtpm_be_sim exposing instances 1 and 2, the
# manager behind it, both instances opened and answering.
mgr_up()
{
	local mode=$1 p

	shift
	ROOT=$IT_DIR/$mode
	mkdir -m 0700 "$ROOT" || bail "mkdir $ROOT"
	p=$(it_pick_port 2) || bail "no free loopback port"
	PORT_1=$p
	PORT_2=$((p + 1))
	it_spawn "$mode-be_sim" "$SIM" --backend "unix:$ROOT/backend.sock" \
		--expose "1=tcp:127.0.0.1:$PORT_1" \
		--expose "2=tcp:127.0.0.1:$PORT_2" -d
	SIM_PID=$IT_LAST_PID
	it_spawn "$mode-manager" "$MGR" --root "$ROOT" \
		--backend "unix:$ROOT/backend.sock" "$@" --config /dev/null -d
	MGR_PID=$IT_LAST_PID
	check "$mode: vtpm_managerd comes up" "see $mode-manager.log" \
		wait_manager || return 1
	"$CTL" --root "$ROOT" open 1 --uuid "$UUID_1" >/dev/null &&
		"$CTL" --root "$ROOT" open 2 --uuid "$UUID_2" >/dev/null
	verdict "$mode: vtpmctl open 1 and 2" "vtpmctl failed"
	wait_instance "$PORT_1" && wait_instance "$PORT_2"
	verdict "$mode: both instances answer through vtpm_be_sim" "no answer"
}

mgr_down()
{
	it_kill "$MGR_PID"
	it_forget "$MGR_PID"
	it_kill "$SIM_PID"
	it_forget "$SIM_PID"
}

last_ok()
{
	if [ "$IT_RC" -eq 0 ]; then
		ok "$1"
	else
		not_ok "$1" "$(it_why)"
	fi
}

# conformance NAME: tss_conformance through the running tcsd, its TAP
# lines prefixed with NAME and counted here.
conformance()
{
	local line rc

	timeout "$TSS_PROG_SECS" "$TSS_PROG" >"$IT_DIR/conf.out" 2>&1
	rc=$?
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "$1: tss_conformance: ${line#ok - }" ;;
		"not ok - "*) not_ok "$1: tss_conformance" \
			"${line#not ok - }" ;;
		"# "*) echo "# $1: ${line#\# }" ;;
		*) echo "# $1: $line" ;;
		esac
	done <"$IT_DIR/conf.out"
	cat "$IT_DIR/conf.out" >>"$IT_DIR/tools.log"
	[ "$rc" -le 1 ] || not_ok "$1: tss_conformance finished" \
		"exit status $rc"
}

# tss_session MODE N PORT: tcsd + tpm-tools + tss_conformance on instance N.
tss_session()
{
	local m="$1/instance $2" w=$IT_DIR/work-$1 n=$2

	TPM_PORT=$3
	# tcsd's system persistent storage belongs to one TPM.
	rm -f "$IT_DIR/tcsd/system.data"
	it_tcsd_start
	it_tool "" tpm_version
	if [ "$IT_RC" -eq 0 ] && [[ $IT_OUT == *"TPM 1.2 Version Info"* ]]; then
		ok "$m: tpm_version reports a TPM 1.2"
	else
		not_ok "$m: tpm_version reports a TPM 1.2" "$(it_why)"
	fi
	# Instance 2 is unowned although instance 1 was owned before.
	it_tool "" tpm_takeownership -y -z
	last_ok "$m: tpm_takeownership -y -z"
	if [ "$n" = 2 ]; then
		# Same well-known SRK secret, different SRK: the key blob in
		# instance 1's sealed file must not load here.  tpm_unsealdata
		# exits with the low byte of the TSS result: 33 is TPM layer
		# 0x21, TPM_DECRYPT_ERROR from TPM_LoadKey2.
		it_tool "" tpm_unsealdata -z -i "$w/sealed-1" -o "$w/stolen"
		[ "$IT_RC" -eq 33 ] && ! [ -s "$w/stolen" ]
		verdict "$m: instance 1's key blob fails to load" \
			"want TPM_DECRYPT_ERROR; $(it_why)"
	fi
	echo "secret of instance $n ($1)" >"$w/plain-$n"
	it_tool "" tpm_sealdata -z -i "$w/plain-$n" -o "$w/sealed-$n"
	last_ok "$m: tpm_sealdata"
	it_tool "" tpm_unsealdata -z -i "$w/sealed-$n" -o "$w/unsealed-$n"
	if [ "$IT_RC" -eq 0 ] && cmp -s "$w/plain-$n" "$w/unsealed-$n"; then
		ok "$m: tpm_unsealdata returns the sealed bytes"
	else
		not_ok "$m: tpm_unsealdata returns the sealed bytes" "$(it_why)"
	fi
	# The index is free on instance 2 although instance 1 defined it.
	it_tool "" tpm_nvdefine -y -i $NV_INDEX -s 32 -p OWNERWRITE
	last_ok "$m: tpm_nvdefine $NV_INDEX"
	printf 'NV data of instance %d, %-7s!!' "$n" "$1" | head -c 32 \
		>"$w/nv-$n.in"
	it_tool "" tpm_nvwrite -z -i $NV_INDEX -f "$w/nv-$n.in"
	last_ok "$m: tpm_nvwrite"
	it_tool "" tpm_nvread -i $NV_INDEX -s 32 -f "$w/nv-$n.out"
	if [ "$IT_RC" -eq 0 ] && cmp -s "$w/nv-$n.in" "$w/nv-$n.out"; then
		ok "$m: tpm_nvread returns what was written"
	else
		not_ok "$m: tpm_nvread returns what was written" "$(it_why)"
	fi
	conformance "$m"
	it_tcsd_stop
}

# isolation MODE: after instance 1 was provisioned, before instance 2 is.
isolation()
{
	local m=$1 data want r1 r2

	data=$(printf 'boot of instance 1' | sha1sum | cut -c1-40)
	r1=$(raw "$PORT_1" "$(pcr_read_cmd $PCR)")
	want=$(printf '%s%s' "${r1:20:40}" "$data" | xxd -r -p | sha1sum |
		cut -c1-40)
	r1=$(raw "$PORT_1" "00c100000022000000140000000a$data")
	[ "$(it_rc "$r1")" = 0 ] && [ "${r1:20:40}" = "$want" ]
	verdict "$m: instance 1: TPM_Extend(PCR $PCR)" "got $r1"
	r2=$(raw "$PORT_2" "$(pcr_read_cmd $PCR)")
	[ "$(it_rc "$r2")" = 0 ] && [ "${r2:20:40}" = "$(printf '%040d' 0)" ]
	verdict "$m: instance 2: PCR $PCR is still zero" "got $r2"
	r1=$(raw "$PORT_1" "$IT_GETCAP_OWNER")
	r2=$(raw "$PORT_2" "$IT_GETCAP_OWNER")
	[ "$(it_rsp_byte "$r1" 4)/$(it_rsp_byte "$r2" 4)" = 01/00 ]
	verdict "$m: instance 1 is owned, instance 2 is not" "got $r1 / $r2"
	r1=$(raw "$PORT_1" "$GETCAP_NV_LIST")
	r2=$(raw "$PORT_2" "$GETCAP_NV_LIST")
	[ "$(it_rc "$r1")" = 0 ] && nv_listed "$r1" $NV_INDEX
	verdict "$m: NV index $NV_INDEX is listed on instance 1" "got $r1"
	[ "$(it_rc "$r2")" = 0 ] && ! nv_listed "$r2" $NV_INDEX
	verdict "$m: NV index $NV_INDEX is absent on instance 2" "got $r2"
}

# After both were provisioned: each instance kept its own NV contents.
nv_separate()
{
	local m=$1 n r port

	for n in 1 2; do
		port=PORT_$n
		r=$(raw "${!port}" "$(nv_read_cmd $NV_INDEX 32)")
		[ "$(it_rc "$r")" = 0 ] &&
			[ "${r:28}" = "$(xxd -p -c 64 "$IT_DIR/work-$m/nv-$n.in")" ]
		verdict "$m: instance $n's NV index holds its own data" "got $r"
	done
}

phase_tss()
{
	local m=$1

	shift
	mkdir "$IT_DIR/work-$m" || bail "mkdir work-$m"
	mgr_up "$m" "$@" || return
	tss_session "$m" 1 "$PORT_1"
	isolation "$m"
	tss_session "$m" 2 "$PORT_2"
	nv_separate "$m"
	check "$m: the manager is still running" "it exited" \
		it_alive "$MGR_PID"
	mgr_down
}

phase_hostile()
{
	local root=$IT_DIR/hostile py rc line

	mkdir -m 0700 "$root" || bail "mkdir $root"
	# fake_backend.py listens first; the manager retries its connect.
	# A short command timeout, so that a stuck vtpmd is seen timing out.
	it_spawn hostile-fake "$HERE/fake_backend.py" \
		--socket "$root/backend.sock" --vtpmctl "$CTL" --root "$root" \
		--cmd-timeout "$HOSTILE_TIMEOUT"
	py=$IT_LAST_PID
	it_spawn hostile-manager "$MGR" --root "$root" \
		--backend "unix:$root/backend.sock" --emulate-hw-tpm \
		--timeout "$HOSTILE_TIMEOUT" --config /dev/null -d
	MGR_PID=$IT_LAST_PID
	wait "$py"
	rc=$?
	it_forget "$py"
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "hostile: ${line#ok - }" ;;
		"not ok - "*)
			IT_FAIL=$((IT_FAIL + 1))
			echo "not ok - hostile: ${line#not ok - }" ;;
		"# "*) echo "# hostile: ${line#\# }" ;;
		"Bail out!"*) echo "# hostile: $line" ;;
		esac
	done <"$IT_DIR/hostile-fake.log"
	[ "$rc" -le 1 ] || not_ok "hostile: fake_backend.py finished" \
		"exit status $rc"
	it_kill "$MGR_PID"
	it_forget "$MGR_PID"
}

it_setup
for mode in $MODES; do
	case $mode in
	emulate)
		phase_tss emulate --emulate-hw-tpm ;;
	swtpm)
		TPM_UNDER_TEST=swtpm it_tpm_start
		phase_tss swtpm --tpm "$TPM_ENDPOINT"
		it_kill "$IT_TPM_PID"
		it_forget "$IT_TPM_PID" ;;
	hostile)
		phase_hostile ;;
	*)
		bail "unknown mode $mode" ;;
	esac
done
echo "1..$((IT_PASS + IT_FAIL))"
it_summary "manager_test"
