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
# build); the binaries needed are brought up to date with make unless
# IT_NO_BUILD=1.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"

TSS_PROG=$IT_O/tests/integration/tss_conformance
# A stuck suite must not hold the whole run; each normally takes seconds.
SUITE_SECS=${SUITE_SECS:-300}

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
	timeout "$SUITE_SECS" "$TSS_PROG"
	rc=$?
	# 0 and 1 are "all passed" and "some failed", already in the TAP.
	[ "$rc" -le 1 ] || not_ok "tss_conformance finished" "exit status $rc"
	it_summary "tss_conformance harness ($TPM_UNDER_TEST)"
}

# Brings the binaries the suites need up to date; an old binary is still
# used (with a warning) when the tree does not build right now.
build()
{
	local targets=("$O/tests/tools/tpmsend"
		"$O/tests/integration/tss_conformance")
	local log

	[ "$TPM_UNDER_TEST" = tpmd ] && targets+=("$O/tpmd")
	[ -n "${IT_NO_BUILD:-}" ] && return 0
	log=$(mktemp) || bail "mktemp failed"
	if ! make -C "$IT_ROOT" O="$O" "${targets[@]}" >"$log" 2>&1; then
		echo "# make ${targets[*]} failed:"
		tail -n 20 "$log" | sed 's/^/#   /'
	fi
	rm -f "$log"
}

# run_suite NAME CMD...: run one suite, its TAP passed through and counted.
run_suite()
{
	local name=$1 out rc p f

	shift
	out=$(mktemp) || bail "mktemp failed"
	echo "# === $name ($TPM_UNDER_TEST)"
	timeout --kill-after=10 "$SUITE_SECS" "$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	p=$(grep -c '^ok - ' "$out")
	f=$(grep -c '^not ok - ' "$out")
	rm -f "$out"
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f))
	# A suite that stopped early (bail out, crash, timeout) fails even
	# when every line it printed was ok.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		FAILED=$((FAILED + 1))
		echo "not ok - $name finished: exit status $rc"
	fi
}

if [ "${1:-}" = --suite-tss_conformance ]; then
	suite_tss_conformance
	exit
fi

SUITES=("$@")
[ ${#SUITES[@]} -gt 0 ] || SUITES=(tpm_tools tss_conformance)
PASSED=0
FAILED=0
START=$SECONDS
build
for s in "${SUITES[@]}"; do
	case $s in
	tpm_tools)
		run_suite "$s" "$HERE/tpm_tools.sh" ;;
	tss_conformance)
		run_suite "$s" "$HERE/run.sh" --suite-tss_conformance ;;
	*)
		bail "unknown suite '$s' (tpm_tools, tss_conformance)" ;;
	esac
done
echo "1..$((PASSED + FAILED))"
echo "# integration ($TPM_UNDER_TEST): $PASSED passed, $FAILED failed" \
	"in $((SECONDS - START)) s"
[ "$FAILED" -eq 0 ]
