#!/bin/bash
# run-diff.sh: differential test of the TPM under test (A) against swtpm (B).
# Starts both on free loopback ports with fresh state, runs tpmdiff (TAP on
# stdout), and always stops both.  Exits non-zero on any failure.
#
# Usage: tests/diff/run-diff.sh [-v] [--only SCENARIO]
#   O=build        build directory holding tpmd and tests/diff/tpmdiff
#   DIFF_A=swtpm   use a second swtpm as A (checks the harness itself)
#   TPMD=, TPMDIFF= override the binaries; KEEP_TMP=1 keeps state and logs
set -u

O=${O:-build}
DIFF_A=${DIFF_A:-tpmd}
TPMD=${TPMD:-$O/tpmd}
TPMDIFF=${TPMDIFF:-$O/tests/diff/tpmdiff}
# Seconds a TPM gets to start listening.
START_TIMEOUT=10
# Port attempts before giving up (another process may take a free port).
PORT_TRIES=10
LOOPBACK=bindaddr=127.0.0.1

die() {
	echo "run-diff: $*" >&2
	exit 1
}

[ -x "$TPMDIFF" ] || die "$TPMDIFF not built (make tests O=$O)"
command -v swtpm >/dev/null || die "swtpm not installed"
command -v ss >/dev/null || die "ss (iproute2) not installed"
case $DIFF_A in
swtpm) ;;
tpmd) [ -x "$TPMD" ] || die "$TPMD not built (make O=$O)" ;;
*) die "DIFF_A must be tpmd or swtpm" ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/run-diff.XXXXXX") || die "mktemp failed"
pids=""

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
	local pid
	for pid in $pids; do
		kill "$pid" 2>/dev/null
	done
	for pid in $pids; do
		wait "$pid" 2>/dev/null
	done
	if [ "${KEEP_TMP:-0}" = 1 ]; then
		echo "# run-diff: state and logs kept in $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# True when nothing listens on TCP port $1.
port_free() {
	[ -z "$(ss -Htln "sport = :$1")" ]
}

# Wait until process $1 (or a child of it, for wrappers such as valgrind)
# listens on port $2; fail if it exits first.  The listener is checked
# because a port found free may be taken by someone else meanwhile.
wait_listen() {
	local i owner
	for ((i = 0; i < START_TIMEOUT * 10; i++)); do
		kill -0 "$1" 2>/dev/null || return 1
		owner=$(ss -Htlnp "sport = :$2" |
			sed -n 's/.*pid=\([0-9]*\),.*/\1/p')
		for owner in $owner; do
			[ "$owner" = "$1" ] && return 0
			[ "$(ps -o ppid= -p "$owner" | tr -d ' ')" = "$1" ] &&
				return 0
		done
		sleep 0.1
	done
	return 1
}

# start NAME KIND: start a TPM of KIND (swtpm|tpmd) with state in
# $tmp/NAME; sets started_port.
start() {
	local name=$1 kind=$2 try port pid dir=$tmp/$1
	for ((try = 0; try < PORT_TRIES; try++)); do
		# swtpm also takes port + 1 for its control channel.
		port=$((30000 + RANDOM % 30000))
		if ! port_free "$port" || ! port_free $((port + 1)); then
			continue
		fi
		rm -rf "$dir"
		mkdir -p "$dir"
		if [ "$kind" = swtpm ]; then
			swtpm socket --tpmstate dir="$dir" \
				--server "type=tcp,port=$port,$LOOPBACK" \
				--ctrl "type=tcp,port=$((port + 1)),$LOOPBACK" \
				--flags not-need-init,startup-clear \
				>"$tmp/$name.log" 2>&1 &
		else
			"$TPMD" --listen "tcp:127.0.0.1:$port" \
				--state-dir "$dir" -d >"$tmp/$name.log" 2>&1 &
		fi
		pid=$!
		if wait_listen "$pid" "$port"; then
			pids="$pids $pid"
			started_port=$port
			started_pid=$pid
			return 0
		fi
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	echo "run-diff: cannot start $kind ($name); last log:" >&2
	sed 's/^/  /' "$tmp/$name.log" >&2
	return 1
}

start a "$DIFF_A" || exit 1
port_a=$started_port
pid_a=$started_pid
start b swtpm || exit 1
port_b=$started_port
pid_b=$started_pid
echo "# run-diff: A is $DIFF_A on port $port_a, B is swtpm on port $port_b"

"$TPMDIFF" "$@" "tcp:127.0.0.1:$port_a" "tcp:127.0.0.1:$port_b"
status=$?

# A TPM that died during the run is a failure even if tpmdiff bailed late.
for side in "a $pid_a" "b $pid_b"; do
	read -r name pid <<<"$side"
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "# run-diff: TPM $name exited during the run; its log:"
		sed 's/^/#   /' "$tmp/$name.log"
		status=1
	fi
done
if [ "$status" != 0 ] && [ -s "$tmp/a.log" ]; then
	echo "# run-diff: last lines of A's log:"
	tail -n 20 "$tmp/a.log" | sed 's/^/#   /'
fi
exit "$status"
