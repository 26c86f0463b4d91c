# SPDX-License-Identifier: GPL-2.0
#
# lib.sh: helpers sourced by the integration suites.  It owns one private
# temp dir, the TPM under test (tpmd or swtpm), physical presence, a private
# tcsd and the TAP output; the EXIT trap stops every process it started and
# removes the temp dir even when a suite fails.  It never touches the system
# tcsd, /etc or any state outside its temp dir.
#
# Environment: TPM_UNDER_TEST=tpmd|swtpm (default tpmd), O (build dir,
# default build), IT_KEEP=1 keeps the temp dir, IT_WAIT_SECS bounds every
# readiness poll (default 15), IT_TOOL_SECS every TSS client (default 120).

IT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
O=${O:-build}
case $O in
/*) IT_O=$O ;;
*) IT_O=$IT_ROOT/$O ;;
esac
TPMSEND=$IT_O/tests/tools/tpmsend
TPMD=$IT_O/tpmd
TPM_UNDER_TEST=${TPM_UNDER_TEST:-tpmd}
IT_WAIT_SECS=${IT_WAIT_SECS:-15}
# One tpm-tools invocation; key generation on a slow engine is the long pole.
IT_TOOL_SECS=${IT_TOOL_SECS:-120}

IT_PASS=0
IT_FAIL=0
IT_DIR=
IT_PIDS=()
IT_LAST_PID=
IT_TPM_PID=
IT_TCSD_PID=

# Raw TPM 1.2 commands (tag, paramSize, ordinal, parameters) used here.
# TSC_PhysicalPresence: TPM_PHYSICAL_PRESENCE_CMD_ENABLE, then _PRESENT.
IT_PP_CMD_ENABLE=00c10000000c4000000a0020
IT_PP_PRESENT=00c10000000c4000000a0008
IT_PHYS_ENABLE=00c10000000a0000006f
# TPM_PhysicalSetDeactivated(FALSE)
IT_PHYS_ACTIVATE=00c10000000b0000007200
# GetCapability(TPM_CAP_VERSION_VAL), the cheapest "are you there"
IT_GETCAP_VERSION=00c100000012000000650000001a00000000
# GetCapability(TPM_CAP_FLAG, TPM_CAP_FLAG_PERMANENT / _VOLATILE)
IT_GETCAP_PERM=00c10000001600000065000000040000000400000108
IT_GETCAP_STCLEAR=00c10000001600000065000000040000000400000109
# GetCapability(TPM_CAP_PROPERTY, TPM_CAP_PROP_OWNER)
IT_GETCAP_OWNER=00c10000001600000065000000050000000400000111

ok()
{
	IT_PASS=$((IT_PASS + 1))
	echo "ok - $1"
}

not_ok()
{
	IT_FAIL=$((IT_FAIL + 1))
	echo "not ok - $1: $2"
}

# check NAME REASON CMD...: ok when CMD succeeds, else not ok with REASON.
check()
{
	local name=$1 reason=$2

	shift 2
	if "$@"; then
		ok "$name"
	else
		not_ok "$name" "$reason"
	fi
}

# it_summary SUITE: one comment line; fails when any check failed.
it_summary()
{
	echo "# $1: $IT_PASS passed, $IT_FAIL failed"
	[ "$IT_FAIL" -eq 0 ]
}

bail()
{
	echo "Bail out! $*"
	exit 2
}

# Ends every run: children are stopped newest first (tcsd before the TPM it
# holds a connection to), then the logs of a failed run are shown.
it_cleanup()
{
	local rc=$? i

	trap - EXIT
	# Finish the cleanup whatever arrives now; a vanished reader of our
	# output must not stop it half way either.
	trap '' INT TERM HUP PIPE
	for ((i = ${#IT_PIDS[@]} - 1; i >= 0; i--)); do
		it_kill "${IT_PIDS[i]}"
	done
	IT_PIDS=()
	if [ -n "$IT_DIR" ] && [ -d "$IT_DIR" ]; then
		if [ "$rc" -ne 0 ] || [ "$IT_FAIL" -ne 0 ]; then
			it_dump_logs
		fi
		if [ -n "${IT_KEEP:-}" ]; then
			echo "# kept $IT_DIR"
		else
			rm -rf "$IT_DIR"
		fi
	fi
	exit "$rc"
}

it_dump_logs()
{
	local f

	for f in "$IT_DIR"/*.log; do
		[ -s "$f" ] || continue
		echo "# --- last lines of ${f##*/}"
		tail -n 15 "$f" | sed 's/^/#   /'
	done
}

# it_setup: the temp dir, a private HOME and the cleanup trap.
it_setup()
{
	IT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/vtpm-it.XXXXXX") ||
		bail "mktemp failed"
	# tcsd drops to user tss and must reach its state dir below this one.
	chmod 0711 "$IT_DIR"
	mkdir "$IT_DIR/home"
	# Keeps the user persistent storage (~/.trousers) private to this run.
	export HOME=$IT_DIR/home
	trap it_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	[ -x "$TPMSEND" ] || bail "$TPMSEND is missing (make O=$O tests)"
}

# A zombie still answers kill -0, so ask ps for the state.
it_alive()
{
	local st

	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ $st != Z* ]]
}

# it_kill PID: TERM, up to 5 s grace, then KILL; always reaps.
it_kill()
{
	local pid=$1 n

	if it_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		for ((n = 0; n < 50; n++)); do
			it_alive "$pid" || break
			sleep 0.1
		done
		it_alive "$pid" && kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# it_forget PID: drop a stopped PID so that cleanup never signals a reused one.
it_forget()
{
	local p keep=()

	for p in "${IT_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	IT_PIDS=("${keep[@]}")
}

# it_spawn LOG CMD...: start CMD in the background, output appended to
# $IT_DIR/LOG.log; its pid goes to IT_LAST_PID and to the cleanup list.
it_spawn()
{
	local log=$IT_DIR/$1.log

	shift
	"$@" >>"$log" 2>&1 </dev/null &
	IT_LAST_PID=$!
	IT_PIDS+=("$IT_LAST_PID")
}

it_port_free()
{
	[ -z "$(ss -Htln "sport = :$1" 2>/dev/null)" ]
}

# it_pick_port N: print the first of N consecutive free loopback ports.
# Drawn below the ephemeral range (32768-60999) so that no outgoing
# connection can hold one; a lost race is caught by the caller's retry.
it_pick_port()
{
	local n=${1:-1} p i tries

	for ((tries = 0; tries < 200; tries++)); do
		p=$((20000 + RANDOM % 12000))
		for ((i = 0; i < n; i++)); do
			it_port_free $((p + i)) || continue 2
		done
		echo "$p"
		return 0
	done
	return 1
}

# it_tpm_raw HEX...: one response hex line per command, from the TPM
# directly.  Only usable while no tcsd holds the TPM's single connection.
it_tpm_raw()
{
	"$TPMSEND" --timeout 20000 "$TPM_ENDPOINT" "$@"
}

# it_rc RESPONSE_HEX: the return code field, in decimal.
it_rc()
{
	[ ${#1} -ge 20 ] || {
		echo -1
		return
	}
	echo $((16#${1:12:8}))
}

# it_rsp_byte RESPONSE_HEX N: byte N of the response body (after the
# 10-byte header), as two hex digits.
it_rsp_byte()
{
	echo "${1:$((20 + 2 * $2)):2}"
}

it_wait_tpm()
{
	local n r

	for ((n = 0; n < IT_WAIT_SECS * 10; n++)); do
		it_alive "$IT_TPM_PID" || return 1
		r=$("$TPMSEND" --timeout 2000 "$TPM_ENDPOINT" \
			"$IT_GETCAP_VERSION" 2>/dev/null)
		[ -n "$r" ] && [ "$(it_rc "$r")" -eq 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# it_tpm_start: a TPM_UNDER_TEST with fresh state, serving raw TPM 1.2 on
# $TPM_ENDPOINT (tcp:127.0.0.1:$TPM_PORT), started and answering.  tpmd runs
# without an EK so that tpm_createek has something to do, as on swtpm.
it_tpm_start()
{
	local try port state=$IT_DIR/tpm-state lo=bindaddr=127.0.0.1

	case $TPM_UNDER_TEST in
	tpmd)
		[ -x "$TPMD" ] || bail "$TPMD is missing (make O=$O)" ;;
	swtpm)
		command -v swtpm >/dev/null || bail "swtpm is not installed" ;;
	*)
		bail "TPM_UNDER_TEST must be tpmd or swtpm" ;;
	esac
	for try in 1 2 3; do
		rm -rf "$state"
		mkdir -m 0700 "$state"
		port=$(it_pick_port 2) || bail "no free loopback port"
		TPM_PORT=$port
		TPM_ENDPOINT=tcp:127.0.0.1:$port
		if [ "$TPM_UNDER_TEST" = swtpm ]; then
			# swtpm without --tpm2 is a TPM 1.2; the control
			# channel takes the next port.
			it_spawn tpm swtpm socket --tpmstate dir="$state" \
				--server "type=tcp,port=$port,$lo" \
				--ctrl "type=tcp,port=$((port + 1)),$lo" \
				--flags not-need-init,startup-clear
		else
			it_spawn tpm "$TPMD" --listen "$TPM_ENDPOINT" \
				--state-dir "$state" -d --no-ek
		fi
		IT_TPM_PID=$IT_LAST_PID
		if it_wait_tpm; then
			echo "# $TPM_UNDER_TEST (pid $IT_TPM_PID)" \
				"on $TPM_ENDPOINT"
			return 0
		fi
		it_kill "$IT_TPM_PID"
		it_forget "$IT_TPM_PID"
		echo "# $TPM_UNDER_TEST did not answer on port $port (try $try)"
	done
	bail "$TPM_UNDER_TEST did not come up (see tpm.log above)"
}

# it_assert_pp: assert physical presence by command, then enable and
# activate the TPM if it is not.  tcsd refuses TSC_PhysicalPresence outside
# single-user mode, so this must run while no tcsd holds the TPM.
it_assert_pp()
{
	local r rcs perm st x

	r=$(it_tpm_raw "$IT_PP_CMD_ENABLE" "$IT_PP_PRESENT") || return 1
	rcs=$(for x in $r; do it_rc "$x"; done | tr '\n' ' ')
	if [ "$rcs" != "0 0 " ]; then
		echo "# TSC_PhysicalPresence return codes: $rcs"
		return 1
	fi
	perm=$(it_tpm_raw "$IT_GETCAP_PERM") || return 1
	# TPM_PERMANENT_FLAGS after the u32 size: tag(2), disable,
	# ownership, deactivated.
	if [ "$(it_rsp_byte "$perm" 6)" = 01 ]; then
		r=$(it_tpm_raw "$IT_PHYS_ENABLE") || return 1
		[ "$(it_rc "$r")" -eq 0 ] || {
			echo "# TPM_PhysicalEnable: rc $(it_rc "$r")"
			return 1
		}
	fi
	if [ "$(it_rsp_byte "$perm" 8)" = 01 ]; then
		r=$(it_tpm_raw "$IT_PHYS_ACTIVATE") || return 1
		[ "$(it_rc "$r")" -eq 0 ] || {
			echo "# TPM_PhysicalSetDeactivated: rc $(it_rc "$r")"
			return 1
		}
	fi
	# The volatile copy of "deactivated" only follows at the next
	# TPM_Startup, which this helper cannot issue.
	st=$(it_tpm_raw "$IT_GETCAP_STCLEAR") || return 1
	if [ "$(it_rsp_byte "$st" 6)" = 01 ]; then
		echo "# TPM is deactivated until its next TPM_Startup"
		return 1
	fi
	return 0
}

# it_tpm_owned: prints 1 or 0 (TPM_CAP_PROP_OWNER), straight from the TPM.
it_tpm_owned()
{
	local r

	r=$(it_tpm_raw "$IT_GETCAP_OWNER") || return 1
	[ "$(it_rc "$r")" -eq 0 ] || return 1
	echo $((16#$(it_rsp_byte "$r" 4)))
}

it_wait_tcsd()
{
	local n

	for ((n = 0; n < IT_WAIT_SECS * 10; n++)); do
		it_alive "$IT_TCSD_PID" || return 1
		# tcsd listens only once it has talked to the TPM.
		[ -n "$(ss -Htln "sport = :$TSS_TCSD_PORT" 2>/dev/null)" ] &&
			return 0
		sleep 0.1
	done
	return 1
}

# it_tcsd_start: a private tcsd in the foreground, talking to the TPM under
# test over TCP, with its own config and system persistent storage; exports
# TSS_TCSD_HOSTNAME/TSS_TCSD_PORT for the clients.
it_tcsd_start()
{
	local try port conf=$IT_DIR/tcsd.conf ps=$IT_DIR/tcsd

	command -v tcsd >/dev/null || bail "tcsd (trousers) is not installed"
	# tcsd drops to user tss: its storage dir must be tss's.
	mkdir -p "$ps"
	chown tss:tss "$ps"
	chmod 0700 "$ps"
	for try in 1 2 3; do
		port=$(it_pick_port 1) || bail "no free loopback port"
		printf 'port = %s\nsystem_ps_file = %s/system.data\n' \
			"$port" "$ps" >"$conf"
		# tcsd refuses a config not owned by root:tss with mode 0640.
		chown root:tss "$conf"
		chmod 0640 "$conf"
		export TSS_TCSD_HOSTNAME=127.0.0.1 TSS_TCSD_PORT=$port
		# -e plus the two variables select the TCP "device";
		# TCSD_USE_TCP_DEVICE alone is not enough.
		it_spawn tcsd env TCSD_TCP_DEVICE_HOSTNAME=127.0.0.1 \
			TCSD_TCP_DEVICE_PORT="$TPM_PORT" \
			tcsd -e -f -c "$conf"
		IT_TCSD_PID=$IT_LAST_PID
		if it_wait_tcsd; then
			echo "# tcsd (pid $IT_TCSD_PID) on port $port"
			return 0
		fi
		it_kill "$IT_TCSD_PID"
		it_forget "$IT_TCSD_PID"
		echo "# tcsd did not come up on port $port (try $try)"
	done
	bail "tcsd did not come up (see tcsd.log above)"
}

# it_tcsd_stop: stop tcsd, which releases the TPM's single connection.
it_tcsd_stop()
{
	[ -n "$IT_TCSD_PID" ] || return 0
	it_kill "$IT_TCSD_PID"
	it_forget "$IT_TCSD_PID"
	IT_TCSD_PID=
}

# it_tool INPUT CMD...: run a TSS client with no terminal.  tpm-tools read
# secrets with getpass(), which falls back to stdin without a tty, so INPUT
# (lines separated by newlines; empty for none) is fed there.  Sets IT_RC,
# IT_OUT and IT_ERR.
it_tool()
{
	local input=$1

	shift
	if [ -n "$input" ]; then
		printf '%s\n' "$input" | setsid -w \
			timeout "$IT_TOOL_SECS" "$@" \
			>"$IT_DIR/tool.out" 2>"$IT_DIR/tool.err"
	else
		setsid -w timeout "$IT_TOOL_SECS" "$@" \
			>"$IT_DIR/tool.out" 2>"$IT_DIR/tool.err" </dev/null
	fi
	IT_RC=$?
	# tpm_version prints a NUL-padded vendor string.
	IT_OUT=$(tr -d '\000' <"$IT_DIR/tool.out")
	IT_ERR=$(tr -d '\000' <"$IT_DIR/tool.err")
	{
		echo "\$ $*  (exit $IT_RC)"
		cat "$IT_DIR/tool.out" "$IT_DIR/tool.err"
	} >>"$IT_DIR/tools.log"
}

# it_why: a one-line reason for the last it_tool, for not_ok.
it_why()
{
	local msg

	msg=$(printf '%s %s' "$IT_ERR" "$IT_OUT" | tr '\n' ' ' | cut -c1-160)
	echo "exit $IT_RC: $msg"
}

# ---- second TPM and tcsd (tss_migration: a key moves from TPM A to B) ----
#
# it_pair_b_start: a second TPM_UNDER_TEST with fresh state and its own
# tcsd, made by the helpers above run with IT_DIR pointing at $IT_DIR/b
# (its own state dir, logs, tcsd config and system persistent storage).
# Physical presence is asserted on it before its tcsd starts.  The first
# pair's variables (TPM_PORT, TPM_ENDPOINT, IT_TPM_PID, IT_TCSD_PID,
# TSS_TCSD_PORT) are left as they were; the second tcsd's port is exported
# as TSS_TCSD_PORT_B.  Both pairs are stopped by it_cleanup.
it_pair_b_start()
{
	local dir=$IT_DIR port=$TPM_PORT ep=$TPM_ENDPOINT tpm=$IT_TPM_PID
	local tcsd=$IT_TCSD_PID tcsd_port=${TSS_TCSD_PORT:-} rc=0

	mkdir -m 0711 "$dir/b" || bail "mkdir $dir/b failed"
	IT_DIR=$dir/b
	it_tpm_start
	it_assert_pp || rc=1
	it_tcsd_start
	export TSS_TCSD_PORT_B=$TSS_TCSD_PORT
	IT_DIR=$dir
	TPM_PORT=$port
	TPM_ENDPOINT=$ep
	IT_TPM_PID=$tpm
	IT_TCSD_PID=$tcsd
	if [ -n "$tcsd_port" ]; then
		export TSS_TCSD_PORT=$tcsd_port
	else
		unset TSS_TCSD_PORT
	fi
	return $rc
}
