#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tamper_test.sh: DESIGN 4 "tampered, truncated or foreign state is refused
# with a clear error and kept on disk; it is never silently replaced by a
# fresh TPM", through the real daemons (vtpm_be_sim + vtpm_managerd
# --emulate-hw-tpm + vtpmd).  With the manager stopped, a state file
# (<root>/instances/<N>.state) or <root>/manager.sealed is damaged, the
# manager is started, and the test checks the refusal in the log, that no
# fresh TPM was made, and that the file is byte-identical afterwards.
#
# Every byte offset and every length is covered at the unit level
# (tests/unit/seal_test.c: seal_state_every_flip_and_truncation_refused,
# seal_open_damaged_sealed_refused); here a random sample goes through the
# daemons: TAMPER_FLIPS offsets (XOR 0x01) and 5 truncations of both state
# files and of manager.sealed, two state files swapped, and a state file
# replaced by an older copy of itself (rollback).  TAMPER_SEED repeats a
# sample.  Everything started is stopped on exit (lib.sh).
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"

MGR=$IT_O/vtpm_managerd
CTL=$IT_O/vtpmctl
SIM=$IT_O/vtpm_be_sim
UUID_1=6f1f7a7e-0000-4a11-9a55-00000007a001
UUID_2=6f1f7a7e-0000-4a11-9a55-00000007a002
TAMPER_FLIPS=${TAMPER_FLIPS:-20}
TAMPER_SEED=${TAMPER_SEED:-$$}
RANDOM=$TAMPER_SEED

# TPM_NV_DefineSpace(0x00011C00, 8 bytes, TPM_NV_PER_OWNERWRITE) without
# authorization (unowned, nvLocked FALSE): a change of persistent state.
NV_DEFINE=00c100000065000000cc0018
NV_DEFINE+=00011c00$(printf '0003000000''1f%040d' 0)
NV_DEFINE+=$(printf '0003000000''1f%040d' 0)00170000000200000000000008
NV_DEFINE+=$(printf '%040d' 0)
# TPM_NV_ReadValue(0x00011C00, offset 0, 8 bytes)
NV_READ=00c100000016000000cf00011c000000000000000008

wait_ctl_status() {
	local n

	for ((n = 0; n < IT_WAIT_SECS * 20; n++)); do
		"$CTL" --root "$ROOT" status >/dev/null 2>&1 && return 0
		it_alive "$MGR_PID" || return 1
		sleep 0.05
	done
	return 1
}

# start_manager: a fresh manager.log; 0 once it serves its console.
start_manager() {
	: >"$IT_DIR/manager.log"
	it_spawn manager "$MGR" --root "$ROOT" --backend \
		"unix:$ROOT/backend.sock" --emulate-hw-tpm --config /dev/null -d
	MGR_PID=$IT_LAST_PID
	wait_ctl_status
}

stop_manager() {
	it_kill "$MGR_PID"
	it_forget "$MGR_PID"
}

# serves PORT: the instance behind PORT answers through the whole path.
serves() {
	local n r

	for ((n = 0; n < IT_WAIT_SECS * 20; n++)); do
		r=$("$TPMSEND" --timeout 5000 "tcp:127.0.0.1:$1" \
			"$IT_GETCAP_VERSION" 2>/dev/null)
		[ -n "$r" ] && [ "$(it_rc "$r")" -eq 0 ] && return 0
		sleep 0.05
	done
	return 1
}

# logged PATTERN: wait until manager.log has a line matching PATTERN.
logged() {
	local n

	for ((n = 0; n < IT_WAIT_SECS * 20; n++)); do
		grep -qE "$1" "$IT_DIR/manager.log" && return 0
		sleep 0.05
	done
	return 1
}

flip() {
	python3 -c 'import sys
p, o = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read())
b[o] ^= 0x01
open(p, "wb").write(b)' "$1" "$2"
}

restore() {
	rm -rf "$ROOT/instances"
	cp -a "$IT_DIR/pristine/instances" "$ROOT/instances"
	cp -a "$IT_DIR/pristine/manager.sealed" "$ROOT/manager.sealed"
}

# refused N: instance N's stored state was refused with a reason and its
# vtpmd would not start a fresh TPM in its place.
refused() {
	logged "instance $1: stored state refused: [a-z]" &&
		logged "vtpmd\[$1\]: .*refusing to start a fresh TPM" &&
		! grep -q "vtpmd\[$1\]: new vTPM: manufacturing" \
			"$IT_DIR/manager.log"
}

# state_case NAME: the state files were damaged (restore, then edits);
# both instances must be refused and both files left as they are.
state_case() {
	local name=$1 s1 s2 why=""

	s1=$(sha256sum <"$ROOT/instances/1.state")
	s2=$(sha256sum <"$ROOT/instances/2.state")
	if ! start_manager; then
		why="the manager did not start"
	elif ! refused 1 || ! refused 2; then
		why="no refusal for both instances, or a fresh TPM"
	fi
	stop_manager
	[ "$s1" = "$(sha256sum <"$ROOT/instances/1.state")" ] &&
		[ "$s2" = "$(sha256sum <"$ROOT/instances/2.state")" ] ||
		why="${why:+$why; }a refused file was changed"
	if [ -z "$why" ]; then
		ok "$name: both instances refused, files kept as they were"
	else
		not_ok "$name" "$why"
		sed 's/^/#   /' "$IT_DIR/manager.log" | tail -8
	fi
}

# sealed_case NAME: manager.sealed was damaged; the manager must refuse to
# start, say why, start no vTPM, and leave the file as it is.
sealed_case() {
	local name=$1 s why="" n

	s=$(sha256sum <"$ROOT/manager.sealed")
	: >"$IT_DIR/manager.log"
	it_spawn manager "$MGR" --root "$ROOT" --backend \
		"unix:$ROOT/backend.sock" --emulate-hw-tpm --config /dev/null -d
	MGR_PID=$IT_LAST_PID
	for ((n = 0; n < IT_WAIT_SECS * 20; n++)); do
		it_alive "$MGR_PID" || break
		sleep 0.05
	done
	if it_alive "$MGR_PID"; then
		why="the manager started"
	elif ! grep -qE "cannot load the master key" "$IT_DIR/manager.log" ||
		! grep -qE "manager.sealed|unseal" "$IT_DIR/manager.log"; then
		why="no clear message"
	elif grep -q "vtpmd\[" "$IT_DIR/manager.log"; then
		why="a vtpmd was started"
	fi
	stop_manager
	[ "$s" = "$(sha256sum <"$ROOT/manager.sealed")" ] ||
		why="${why:+$why; }manager.sealed was changed"
	if [ -z "$why" ]; then
		ok "$name: the manager refuses to start, file kept"
	else
		not_ok "$name" "$why"
		sed 's/^/#   /' "$IT_DIR/manager.log" | tail -8
	fi
}

# truncations N: five lengths below N (0, 1, the middle, N-16, N-1).
truncations() {
	echo 0 1 $(($1 / 2)) $(($1 - 16)) $(($1 - 1))
}

it_setup
command -v python3 >/dev/null || bail "python3 is missing"
for b in "$MGR" "$CTL" "$SIM"; do
	[ -x "$b" ] || bail "$b is missing (make O=$O all)"
done
echo "# seed $TAMPER_SEED (TAMPER_SEED=$TAMPER_SEED repeats the sample)"
ROOT=$IT_DIR/root
mkdir -m 0700 "$ROOT"
PORT_1=$(it_pick_port 1) || bail "no free port"
PORT_2=$(it_pick_port 1) || bail "no free port"
[ "$PORT_1" != "$PORT_2" ] || PORT_2=$(it_pick_port 1)
it_spawn be_sim "$SIM" --backend "unix:$ROOT/backend.sock" \
	--expose "1=tcp:127.0.0.1:$PORT_1" --expose "2=tcp:127.0.0.1:$PORT_2" -d

# ---- a state worth keeping, and an older copy of it ----
start_manager || bail "the manager did not come up"
"$CTL" --root "$ROOT" open 1 --uuid "$UUID_1" >/dev/null ||
	bail "vtpmctl open 1 failed"
"$CTL" --root "$ROOT" open 2 --uuid "$UUID_2" >/dev/null ||
	bail "vtpmctl open 2 failed"
serves "$PORT_1" || bail "instance 1 does not answer"
serves "$PORT_2" || bail "instance 2 does not answer"
cp "$ROOT/instances/1.state" "$IT_DIR/old-1.state"
r=$("$TPMSEND" "tcp:127.0.0.1:$PORT_1" "$NV_DEFINE")
[ "$(it_rc "$r")" -eq 0 ] || bail "NV_DefineSpace: $r"
cmp -s "$ROOT/instances/1.state" "$IT_DIR/old-1.state" &&
	bail "the NV definition did not change 1.state"
stop_manager
mkdir "$IT_DIR/pristine"
cp -a "$ROOT/instances" "$ROOT/manager.sealed" "$IT_DIR/pristine/"
ok "two vTPMs saved; instance 1 has a newer state than old-1.state"

# ---- state files: flips and truncations of both at once ----
n1=$(stat -c %s "$ROOT/instances/1.state")
n2=$(stat -c %s "$ROOT/instances/2.state")
echo "# 1.state is $n1 bytes, 2.state $n2, manager.sealed" \
	"$(stat -c %s "$ROOT/manager.sealed")"
for ((i = 0; i < TAMPER_FLIPS; i++)); do
	o1=$((RANDOM % n1)) o2=$((RANDOM % n2))
	restore
	flip "$ROOT/instances/1.state" "$o1"
	flip "$ROOT/instances/2.state" "$o2"
	state_case "flip 1.state@$o1 and 2.state@$o2"
done
read -ra t2 <<<"$(truncations "$n2")"
i=0
for len in $(truncations "$n1"); do
	restore
	truncate -s "$len" "$ROOT/instances/1.state"
	truncate -s "${t2[i]}" "$ROOT/instances/2.state"
	state_case "truncate 1.state to $len, 2.state to ${t2[i]}"
	i=$((i + 1))
done

# ---- foreign and old state ----
restore
mv "$ROOT/instances/1.state" "$ROOT/instances/x"
mv "$ROOT/instances/2.state" "$ROOT/instances/1.state"
mv "$ROOT/instances/x" "$ROOT/instances/2.state"
state_case "1.state and 2.state swapped"
if grep -q "instance 1: stored state refused: .*another" \
	"$IT_DIR/manager.log"; then
	ok "the swap is reported as another instance's state"
else
	not_ok "swap reason" "$(grep 'refused' "$IT_DIR/manager.log" | head -1)"
fi

restore
cp "$IT_DIR/old-1.state" "$ROOT/instances/1.state"
s=$(sha256sum <"$ROOT/instances/1.state")
why=""
start_manager || why="the manager did not start"
[ -z "$why" ] && ! refused 1 && why="no refusal, or a fresh TPM"
[ -z "$why" ] && ! grep -q "instance 1: stored state refused: .*rollback" \
	"$IT_DIR/manager.log" && why="the reason is not rollback"
[ -z "$why" ] && ! serves "$PORT_2" && why="instance 2 does not serve"
stop_manager
[ "$s" = "$(sha256sum <"$ROOT/instances/1.state")" ] ||
	why="${why:+$why; }the old file was changed"
if [ -z "$why" ]; then
	ok "rollback of 1.state refused; instance 2 serves"
else
	not_ok "rollback of 1.state" "$why"
fi

# ---- manager.sealed ----
ns=$(stat -c %s "$ROOT/manager.sealed")
for ((i = 0; i < TAMPER_FLIPS; i++)); do
	o=$((RANDOM % ns))
	restore
	flip "$ROOT/manager.sealed" "$o"
	sealed_case "flip manager.sealed@$o"
done
for len in $(truncations "$ns"); do
	restore
	truncate -s "$len" "$ROOT/manager.sealed"
	sealed_case "truncate manager.sealed to $len"
done

# ---- and the intact state still works, nothing was replaced ----
restore
why=""
start_manager || why="the manager did not start"
[ -z "$why" ] && { serves "$PORT_1" && serves "$PORT_2" ||
	why="the vTPMs do not answer"; }
if [ -z "$why" ]; then
	r=$("$TPMSEND" "tcp:127.0.0.1:$PORT_1" "$NV_READ")
	[ "$(it_rc "$r")" -eq 0 ] || why="NV area lost: $r"
fi
[ -z "$why" ] && grep -q "new vTPM: manufacturing" "$IT_DIR/manager.log" &&
	why="a fresh TPM was made"
stop_manager
if [ -z "$why" ]; then
	ok "the untouched files load: both vTPMs and instance 1's NV area"
else
	not_ok "the untouched files load" "$why"
fi
it_summary "tamper_test"
