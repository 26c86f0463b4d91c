#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh: entry point of the TSS integration tier.  Runs each suite against
# its own fresh TPM_UNDER_TEST (tpmd or swtpm) and private tcsd, passes their
# TAP through, ends with a plan and one summary line, and exits non-zero if
# any check failed or any suite did not finish.
#
#   TPM_UNDER_TEST=swtpm tests/integration/run.sh [SUITE...]
#
# Suites: tpm_tools (tpm-tools and tpm-quote-tools, tpm_tools.sh) and
# tss_conformance (the libtspi program).  O selects the build dir (default
# build); binaries the suites need are built when missing, unless
# IT_NO_BUILD=1.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"

TSS_PROG=$IT_O/tests/integration/tss_conformance
# Bounds the libtspi program, which normally takes seconds.
TSS_PROG_SECS=${TSS_PROG_SECS:-300}

# The tss_conformance suite: the program against a TPM owned by nobody yet
# (it takes ownership itself), so it does not depend on tpm_tools.sh.
suite_tss_conformance()
{
	local rc

	[ -x "$TSS_PROG" ] || bail "$TSS_PROG is missing"
	it_setup
	it_tpm_start
	if it_assert_pp; then
		ok "physical presence asserted by TSC_PhysicalPresence"
	else
		not_ok "physical presence asserted by TSC_PhysicalPresence" \
			"see the lines above"
	fi
	it_tcsd_start
	timeout "$TSS_PROG_SECS" "$TSS_PROG"
	rc=$?
	# 0 and 1 are "all passed" and "some failed", already in the TAP.
	[ "$rc" -le 1 ] || not_ok "tss_conformance finished" "exit status $rc"
	it_summary "tss_conformance harness ($TPM_UNDER_TEST)"
}

# Builds the binaries the suites need when they are missing (make check and
# `make tests` build them beforehand).  build-san style dirs get SAN=1 unless
# SAN says otherwise, so that one dir never mixes instrumented objects.
build()
{
	local targets=() t log san

	for t in tests/tools/tpmsend tests/integration/tss_conformance; do
		[ -x "$IT_O/$t" ] || targets+=("$O/$t")
	done
	[ "$TPM_UNDER_TEST" = tpmd ] && [ ! -x "$TPMD" ] && targets+=("$O/tpmd")
	[ ${#targets[@]} -gt 0 ] && [ -z "${IT_NO_BUILD:-}" ] || return 0
	case $O in
	*san*) san=${SAN:-1} ;;
	*) san=${SAN:-0} ;;
	esac
	echo "# building ${targets[*]}"
	log=$(mktemp) || bail "mktemp failed"
	if ! make -C "$IT_ROOT" O="$O" SAN="$san" "${targets[@]}" \
		>"$log" 2>&1; then
		echo "# make failed:"
		tail -n 20 "$log" | sed 's/^/#   /'
	fi
	rm -f "$log"
}

# run_suite NAME CMD...: run one suite, its TAP passed through and counted.
# The suite runs in the background so that a signal to run.sh can be passed
# on as SIGTERM, which makes the suite stop everything it started; each of
# its steps is bounded, so no outer timeout is needed.
run_suite()
{
	local name=$1 out fifo rc p f

	shift
	out=$RUN_DIR/$name.tap
	fifo=$RUN_DIR/$name.fifo
	mkfifo "$fifo" || bail "mkfifo failed"
	echo "# === $name ($TPM_UNDER_TEST)"
	(
		trap '' INT TERM HUP
		tee "$out" <"$fifo"
	) &
	TEE_PID=$!
	"$@" >"$fifo" 2>&1 &
	SUITE_PID=$!
	wait "$SUITE_PID"
	rc=$?
	# A trap interrupted the wait: wait again for the suite's cleanup.
	while it_alive "$SUITE_PID"; do
		wait "$SUITE_PID"
		rc=$?
	done
	SUITE_PID=
	wait "$TEE_PID"
	p=$(grep -c '^ok - ' "$out")
	f=$(grep -c '^not ok - ' "$out")
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f))
	# A suite that stopped early (bail out, crash, signal) fails even
	# when every line it printed was ok.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		FAILED=$((FAILED + 1))
		echo "not ok - $name finished: exit status $rc"
	fi
}

on_signal()
{
	INTERRUPTED=$1
	[ -n "$SUITE_PID" ] && kill -TERM "$SUITE_PID" 2>/dev/null
}

if [ "${1:-}" = --suite-tss_conformance ]; then
	suite_tss_conformance
	exit
fi

SUITES=("$@")
[ ${#SUITES[@]} -gt 0 ] || SUITES=(tpm_tools tss_conformance)
for s in "${SUITES[@]}"; do
	case $s in
	tpm_tools | tss_conformance) ;;
	*) bail "unknown suite '$s' (tpm_tools, tss_conformance)" ;;
	esac
done
PASSED=0
FAILED=0
START=$SECONDS
SUITE_PID=
INTERRUPTED=
RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/vtpm-run.XXXXXX") || bail "mktemp failed"
trap 'rm -rf "$RUN_DIR"' EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP
build
for s in "${SUITES[@]}"; do
	[ -n "$INTERRUPTED" ] && break
	case $s in
	tpm_tools)
		run_suite "$s" "$HERE/tpm_tools.sh" ;;
	tss_conformance)
		run_suite "$s" "$HERE/run.sh" --suite-tss_conformance ;;
	esac
done
if [ -n "$INTERRUPTED" ]; then
	echo "Bail out! interrupted"
	exit "$INTERRUPTED"
fi
echo "1..$((PASSED + FAILED))"
echo "# integration ($TPM_UNDER_TEST): $PASSED passed, $FAILED failed" \
	"in $((SECONDS - START)) s"
[ "$FAILED" -eq 0 ]
