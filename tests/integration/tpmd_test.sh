#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tpmd integration test (TAP): the command line contract, raw TPM 1.2 over
# TCP and unix sockets, one client at a time, refusal of bad paramSize,
# state that survives a restart (and volatile state that does not), the
# save-failure policy, refusal of corrupt state, signals and daemon mode.
# Uses $O/tpmd and $O/tests/tools/tpmsend (O defaults to build).  SLOW=1
# adds the 30-second stalled-client check.

set -u

O=${O:-build}
TPMD=$O/tpmd
SEND=$O/tests/tools/tpmsend

for bin in "$TPMD" "$SEND"; do
	if [ ! -x "$bin" ]; then
		echo "Bail out! $bin is missing (build first)"
		exit 1
	fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tpmd_test.XXXXXX") || exit 1
STATE=$WORK/state
UNIX=$WORK/tpmd.sock
PID=
TESTS=0
FAILED=0

cleanup() {
	[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
	[ -f "$WORK/daemon.pid" ] && kill -KILL "$(cat "$WORK/daemon.pid")" \
		2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

ok() {
	TESTS=$((TESTS + 1))
	echo "ok - $1"
}

not_ok() {
	TESTS=$((TESTS + 1))
	FAILED=$((FAILED + 1))
	echo "not ok - $1: $2"
}

# TPM 1.2 commands (tag, paramSize, ordinal, parameters), as tpmsend hex.
GETRANDOM16="00c1 0000000e 00000046 00000010"
STARTUP_CLEAR="00c1 0000000c 00000099 0001"
SAVESTATE="00c1 0000000a 00000098"
PP_CMD_ENABLE="00c1 0000000c 4000000a 0020"
PP_PRESENT="00c1 0000000c 4000000a 0008"
PHYS_ENABLE="00c1 0000000a 0000006f"
PHYS_DISABLE="00c1 0000000a 00000070"
# GetCapability(TPM_CAP_FLAG, TPM_CAP_FLAG_PERMANENT)
GETCAP_PERM="00c1 00000016 00000065 00000004 00000004 00000108"
PCR=0000000a
EXTEND10="00c1 00000022 00000014 $PCR $(printf '5a%.0s' {1..20})"
PCRREAD10="00c1 0000000e 00000015 $PCR"
ZERO_PCR=$(printf '00%.0s' {1..20})
BAD_PARAM_SIZE=00c40000000a00000019

# Fields of a response hex line.
rc_of() { echo "${1:12:8}"; }
# TPM_PERMANENT_FLAGS.disable: after header, respSize and the 2-byte tag.
perm_disable_of() { echo "${1:32:2}"; }
pcr_of() { echo "${1:20:40}"; }

free_port() {
	local p

	while :; do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

# Wait until tpmd $PID answers on the unix socket (or has died).
wait_ready() {
	local i

	for ((i = 0; i < 900; i++)); do
		kill -0 "$PID" 2>/dev/null || return 1
		if [ -S "$UNIX" ] &&
		   "$SEND" "unix:$UNIX" "$GETRANDOM16" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# start [ARGS...]: tpmd -d in the background on a free TCP port and $UNIX,
# state in $STATE; sets PID, PORT, TCP.  stderr goes to $WORK/tpmd.err.
start() {
	local try

	for try in 1 2 3 4 5; do
		PORT=$(free_port)
		TCP=tcp:127.0.0.1:$PORT
		"$TPMD" -d --listen "$TCP" --listen "unix:$UNIX" \
			--state-dir "$STATE" "$@" 2>"$WORK/tpmd.err" &
		PID=$!
		wait_ready && return 0
		kill -KILL "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
		PID=
		# Another process took the port between probe and bind.
		grep -q "in use" "$WORK/tpmd.err" || break
	done
	echo "# tpmd did not start: $(tr '\n' ' ' <"$WORK/tpmd.err")"
	return 1
}

# stop: SIGTERM; the exit status is stop's status.
stop() {
	local st

	kill -TERM "$PID"
	wait "$PID"
	st=$?
	PID=
	return "$st"
}

# ---- command line ----

out=$("$TPMD" --no-such-option 2>&1 >/dev/null)
st=$?
if [ "$st" -eq 2 ] && grep -q "usage:" <<<"$out"; then
	ok "unknown option exits 2 with usage"
else
	not_ok "unknown option exits 2 with usage" "status $st, stderr '$out'"
fi

bad=0
for args in "--listen unix:$UNIX" \
	    "--state-dir $STATE" \
	    "--listen foo:1 --state-dir $STATE" \
	    "--listen tcp:127.0.0.1:99999 --state-dir $STATE" \
	    "--listen tcp:1 --state-dir $STATE --startup sometimes" \
	    "--listen tcp:1 --listen tcp:2 --listen tcp:3 --state-dir $STATE" \
	    "--listen tcp:1 --state-dir $STATE extra"; do
	# shellcheck disable=SC2086
	"$TPMD" -d $args >/dev/null 2>"$WORK/usage.err"
	st=$?
	if [ "$st" -ne 2 ] || ! grep -q "usage:" "$WORK/usage.err"; then
		bad=1
		echo "# '$args' -> status $st"
	fi
done
if [ "$bad" -eq 0 ] && [ ! -e "$STATE" ]; then
	ok "missing or malformed options exit 2 with usage"
else
	not_ok "missing or malformed options exit 2 with usage" \
		"see the lines above"
fi

if "$TPMD" --help | grep -q -- "--state-dir" &&
   "$TPMD" -V | grep -q "^tpmd "; then
	ok "--help and --version exit 0"
else
	not_ok "--help and --version exit 0" "no usage or version on stdout"
fi

touch "$WORK/afile"
"$TPMD" -d --listen "unix:$UNIX" --state-dir "$WORK/afile" \
	2>"$WORK/unusable.err"
st=$?
if [ "$st" -eq 1 ] && grep -q "afile" "$WORK/unusable.err"; then
	ok "unusable state directory exits 1 naming it"
else
	not_ok "unusable state directory exits 1 naming it" "status $st"
fi

# ---- a fresh TPM ----

if start; then
	ok "tpmd starts on a fresh state directory"
else
	not_ok "tpmd starts on a fresh state directory" "see above"
	echo "Bail out! cannot start tpmd"
	exit 1
fi

mode=$(stat -c %a "$STATE" 2>/dev/null)
fmode=$(stat -c %a "$STATE/tpm.state" 2>/dev/null)
if [ "$mode" = 700 ] && [ "$fmode" = 600 ]; then
	ok "state directory is created 0700 with tpm.state 0600"
else
	not_ok "state directory is created 0700 with tpm.state 0600" \
		"modes $mode and $fmode"
fi

rsp=$("$SEND" "$TCP" "$GETRANDOM16")
if [[ $rsp =~ ^00c40000001e0000000000000010[0-9a-f]{32}$ ]]; then
	ok "TPM_GetRandom over TCP"
else
	not_ok "TPM_GetRandom over TCP" "response '$rsp'"
fi

rsp=$("$SEND" "unix:$UNIX" "$GETRANDOM16" "$GETRANDOM16")
if [[ $rsp =~ ^(00c40000001e0000000000000010[0-9a-f]{32}.?){2}$ ]]; then
	ok "two TPM_GetRandom on one unix connection"
else
	not_ok "two TPM_GetRandom on one unix connection" "response '$rsp'"
fi

# ---- one state directory, one tpmd ----

other_port=$(free_port)
timeout 30 "$TPMD" -d --listen "tcp:127.0.0.1:$other_port" \
	--listen "unix:$WORK/other.sock" --state-dir "$STATE" \
	2>"$WORK/second.err"
st=$?
if [ "$st" -eq 1 ] && grep -q "in use" "$WORK/second.err" &&
   [ -S "$UNIX" ] && "$SEND" "$TCP" "$GETRANDOM16" >/dev/null; then
	ok "a second tpmd on the same state directory refuses"
else
	not_ok "a second tpmd on the same state directory refuses" \
		"status $st, stderr '$(cat "$WORK/second.err")'"
fi

# ---- one client at a time ----

# The first client is this shell: raw bytes through bash's /dev/tcp.
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
printf '\x00\xc1\x00\x00\x00\x0e\x00\x00\x00\x46\x00\x00\x00\x04' >&3
first=$(timeout 10 head -c 18 <&3 | od -An -tx1 | tr -d ' \n')
# (3<&-: the queued client must not inherit the first one's socket.)
"$SEND" "$TCP" "$GETRANDOM16" >"$WORK/queued.out" 2>&1 3<&- &
queued=$!
sleep 1
kill -0 "$queued" 2>/dev/null && waited=yes || waited=no
exec 3<&-
wait "$queued"
st=$?
if [[ $first =~ ^00c4000000120000000000000004 ]] && [ "$waited" = yes ] &&
   [ "$st" -eq 0 ] && grep -q "^00c40000001e00000000" "$WORK/queued.out"
then
	ok "a second client waits and is served after the first closes"
else
	not_ok "a second client waits and is served after the first closes" \
		"first '$first', waited $waited, status $st"
fi

# ---- paramSize checks ----

big_hex="00c1 00001388 00000046 $(printf '00%.0s' {1..4990})"
r1=$("$SEND" "$TCP" "00c1 00100000 00000046 00000010" 2>&1)
r2=$("$SEND" "$TCP" "$big_hex" 2>&1)
r3=$("$SEND" "unix:$UNIX" "00c2 00000008 0000" 2>&1)
r4=$("$SEND" "$TCP" "$GETRANDOM16" 2>&1)
if [ "$r1" = "$BAD_PARAM_SIZE" ] && [ "$r2" = "$BAD_PARAM_SIZE" ] &&
   [ "$r3" = 00c50000000a00000019 ] &&
   [[ $r4 =~ ^00c40000001e00000000 ]]; then
	ok "out-of-range paramSize gets TPM_BAD_PARAM_SIZE; tpmd survives"
else
	not_ok "out-of-range paramSize gets TPM_BAD_PARAM_SIZE; tpmd survives" \
		"got '$r1' '$r2' '$r3' '$r4'"
fi

if [ "${SLOW:-0}" = 1 ]; then
	exec 3<>"/dev/tcp/127.0.0.1/$PORT"
	printf '\x00\xc1\x00\x00\x00\x0e' >&3
	"$SEND" --timeout 45000 "$TCP" "$GETRANDOM16" >"$WORK/stall.out" \
		3<&- &
	stalled=$!
	wait "$stalled"
	st=$?
	exec 3<&-
	if [ "$st" -eq 0 ] && grep -q "^00c40000001e" "$WORK/stall.out"; then
		ok "a client stalled mid-command is dropped"
	else
		not_ok "a client stalled mid-command is dropped" "status $st"
	fi
else
	ok "a client stalled mid-command is dropped # SKIP takes 30 s; SLOW=1"
fi

# ---- persistent vs volatile state ----

# PCRs are read before disabling: a disabled TPM refuses TPM_PcrRead
# (Part 2, 17), while TPM_Extend stays available.
mapfile -t r < <("$SEND" "$TCP" "$PP_CMD_ENABLE" "$PP_PRESENT" \
	"$EXTEND10" "$PCRREAD10" "$PHYS_DISABLE" "$GETCAP_PERM")
pcr_before=$(pcr_of "${r[3]:-}")
if [ "${#r[@]}" -eq 6 ] && [ "$(rc_of "${r[4]}")" = 00000000 ] &&
   [ "$(perm_disable_of "${r[5]}")" = 01 ] &&
   [ "$(rc_of "${r[2]}")" = 00000000 ] &&
   [ -n "$pcr_before" ] && [ "$pcr_before" != "$ZERO_PCR" ]; then
	ok "TPM_PhysicalDisable and TPM_Extend succeed"
else
	not_ok "TPM_PhysicalDisable and TPM_Extend succeed" \
		"responses: ${r[*]}"
fi

if stop; then
	ok "SIGTERM exits 0"
else
	not_ok "SIGTERM exits 0" "status $?"
fi
if [ ! -e "$UNIX" ]; then
	ok "the unix socket is removed at exit"
else
	not_ok "the unix socket is removed at exit" "$UNIX still exists"
fi

start
mapfile -t r < <("$SEND" "$TCP" "$GETCAP_PERM" "$PP_PRESENT" \
	"$PHYS_ENABLE" "$PCRREAD10")
if [ "$(perm_disable_of "${r[0]:-}")" = 01 ]; then
	ok "a permanent flag survives a restart"
else
	not_ok "a permanent flag survives a restart" "GetCapability '${r[0]:-}'"
fi
if [ "$(rc_of "${r[2]:-}")" != 00000000 ]; then
	echo "# TPM_PhysicalEnable failed (${r[2]:-}); later checks may fail"
fi
if [ "$(pcr_of "${r[3]:-}")" = "$ZERO_PCR" ]; then
	ok "a PCR extend does not survive a restart with --startup clear"
else
	not_ok "a PCR extend does not survive a restart with --startup clear" \
		"PCRRead '${r[3]:-}'"
fi

mapfile -t r < <("$SEND" "$TCP" "$EXTEND10" "$PCRREAD10" "$SAVESTATE")
pcr_saved=$(pcr_of "${r[1]:-}")
stop
start --startup save
r=$("$SEND" "$TCP" "$PCRREAD10")
if [ -n "$pcr_saved" ] && [ "$pcr_saved" != "$ZERO_PCR" ] &&
   [ "$(pcr_of "$r")" = "$pcr_saved" ]; then
	ok "TPM_SaveState then --startup save restores PCRs"
else
	not_ok "TPM_SaveState then --startup save restores PCRs" \
		"saved '$pcr_saved', now '$r'"
fi
stop

start --startup none
mapfile -t r < <("$SEND" --rc "$TCP" "$GETRANDOM16" "$STARTUP_CLEAR" \
	"$GETRANDOM16")
if [ "${r[*]}" = "38 0 0" ]; then
	ok "--startup none leaves TPM_Startup to the client"
else
	not_ok "--startup none leaves TPM_Startup to the client" \
		"return codes ${r[*]}"
fi

# ---- a failed save is reported, never silent ----

# tpm.state.tmp as a directory makes the next save fail, even for root.
mkdir "$STATE/tpm.state.tmp"
mapfile -t r < <("$SEND" --rc "$TCP" "$PP_PRESENT" "$PHYS_DISABLE" \
	"$GETRANDOM16" "$GETCAP_PERM")
rmdir "$STATE/tpm.state.tmp"
caps=$("$SEND" "$TCP" "$GETCAP_PERM")
if [ "${r[*]}" = "0 9 9 9" ] && [ "$(rc_of "$caps")" = 00000000 ]; then
	ok "a failed save answers TPM_FAIL until a save succeeds"
else
	not_ok "a failed save answers TPM_FAIL until a save succeeds" \
		"return codes '${r[*]}' then '$caps'"
fi
stop
start
caps=$("$SEND" "$TCP" "$GETCAP_PERM")
if [ "$(perm_disable_of "$caps")" = 01 ]; then
	ok "the change is on disk once the save succeeded"
else
	not_ok "the change is on disk once the save succeeded" "'$caps'"
fi
"$SEND" "$TCP" "$PP_PRESENT" "$PHYS_ENABLE" >/dev/null
stop

# ---- corrupt state is refused and left alone ----

cp "$STATE/tpm.state" "$WORK/good.state"
refused=0
for kind in garbage truncated empty; do
	case $kind in
	garbage) printf 'this is not a TPM state\n' >"$STATE/tpm.state" ;;
	truncated) head -c "$(($(stat -c %s "$WORK/good.state") / 2))" \
			"$WORK/good.state" >"$STATE/tpm.state" ;;
	empty) : >"$STATE/tpm.state" ;;
	esac
	cp "$STATE/tpm.state" "$WORK/bad.state"
	timeout 60 "$TPMD" -d --listen "unix:$UNIX" --state-dir "$STATE" \
		2>"$WORK/corrupt.err"
	st=$?
	if [ "$st" -eq 1 ] && grep -q "tpm.state" "$WORK/corrupt.err" &&
	   cmp -s "$STATE/tpm.state" "$WORK/bad.state" && [ ! -e "$UNIX" ]
	then
		refused=$((refused + 1))
	else
		echo "# $kind: status $st, stderr '$(cat "$WORK/corrupt.err")'"
	fi
done
if [ "$refused" -eq 3 ]; then
	ok "corrupt state is refused with a clear error, file byte-identical"
	echo "# e.g. $(cat "$WORK/corrupt.err")"
else
	not_ok "corrupt state is refused with a clear error, file byte-identical" \
		"$refused of 3 refused properly"
fi
cp "$WORK/good.state" "$STATE/tpm.state"

# ---- signals, pidfile, daemon mode ----

start --pidfile "$WORK/tpmd.pid"
pid_in_file=$(cat "$WORK/tpmd.pid" 2>/dev/null)
saved_pid=$PID
stop
st=$?
if [ "$pid_in_file" = "$saved_pid" ] && [ "$st" -eq 0 ] &&
   [ ! -e "$WORK/tpmd.pid" ] && [ ! -e "$UNIX" ]; then
	ok "--pidfile is written and removed on SIGTERM"
else
	not_ok "--pidfile is written and removed on SIGTERM" \
		"pidfile '$pid_in_file' vs $saved_pid, status $st"
fi

port=$(free_port)
"$TPMD" --listen "tcp:127.0.0.1:$port" --listen "unix:$UNIX" \
	--state-dir "$STATE" --pidfile "$WORK/daemon.pid" 2>"$WORK/daemon.err"
st=$?
dpid=$(cat "$WORK/daemon.pid" 2>/dev/null)
rsp=$("$SEND" "tcp:127.0.0.1:$port" "$GETRANDOM16" 2>&1)
if [ "$st" -eq 0 ] && [ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null &&
   [[ $rsp =~ ^00c40000001e00000000 ]]; then
	ok "without -d tpmd daemonizes once it is ready to serve"
else
	not_ok "without -d tpmd daemonizes once it is ready to serve" \
		"status $st, pid '$dpid', response '$rsp'"
fi
[ -n "$dpid" ] && kill -TERM "$dpid" 2>/dev/null
for ((i = 0; i < 100; i++)); do
	[ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null || break
	sleep 0.1
done
if [ ! -e "$UNIX" ] && [ ! -e "$WORK/daemon.pid" ]; then
	ok "the daemon stops on SIGTERM and cleans up"
else
	not_ok "the daemon stops on SIGTERM and cleans up" \
		"socket or pidfile left behind"
fi

echo "1..$TESTS"
[ "$FAILED" -eq 0 ]
