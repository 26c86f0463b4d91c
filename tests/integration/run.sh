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
# Suites: tpm_tools (tpm-tools and tpm-quote-tools, tpm_tools.sh),
# tss_conformance (the libtspi program), tss_migration and tss_keypressure
# (more keys than slots through tcsd).  O selects the build dir (default
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

TSS_TRANS_PROG=$IT_O/tests/integration/tss_transport

# The tss_transport suite: commands in an encrypted, logged transport
# session opened by libtspi (TSS_TSPATTRIB_CONTEXT_TRANSPORT; TrouSerS
# 0.3.15 has no tcsd.conf option that wraps commands), closed with a signed
# log (TPM_ReleaseTransportSigned).
suite_tss_transport()
{
	local rc

	[ -x "$TSS_TRANS_PROG" ] || bail "$TSS_TRANS_PROG is missing"
	it_setup
	it_tpm_start
	if it_assert_pp; then
		ok "physical presence asserted by TSC_PhysicalPresence"
	else
		not_ok "physical presence asserted by TSC_PhysicalPresence" \
			"see the lines above"
	fi
	it_tcsd_start
	timeout "$TSS_PROG_SECS" "$TSS_TRANS_PROG"
	rc=$?
	[ "$rc" -le 1 ] || not_ok "tss_transport finished" "exit status $rc"
	it_summary "tss_transport harness ($TPM_UNDER_TEST)"
}

TSS_DEL_PROG=$IT_O/tests/integration/tss_delegation

# The tss_delegation suite: families, owner delegation blobs, verification
# counts and the delegate table via Tspi_TPM_Delegate_*, and a key
# delegation used through DSAP (CreateWrapKey under the SRK).
suite_tss_delegation()
{
	local rc

	[ -x "$TSS_DEL_PROG" ] || bail "$TSS_DEL_PROG is missing"
	it_setup
	it_tpm_start
	if it_assert_pp; then
		ok "physical presence asserted by TSC_PhysicalPresence"
	else
		not_ok "physical presence asserted by TSC_PhysicalPresence" \
			"see the lines above"
	fi
	it_tcsd_start
	timeout "$TSS_PROG_SECS" "$TSS_DEL_PROG"
	rc=$?
	[ "$rc" -le 1 ] || not_ok "tss_delegation finished" "exit status $rc"
	it_summary "tss_delegation harness ($TPM_UNDER_TEST)"
}

TSS_MIG_PROG=$IT_O/tests/integration/tss_migration

# The tss_migration suite: two fresh TPMs, each behind its own tcsd; the
# libtspi program migrates a key from the first to the second.
suite_tss_migration()
{
	local rc

	[ -x "$TSS_MIG_PROG" ] || bail "$TSS_MIG_PROG is missing"
	it_setup
	it_tpm_start
	if it_assert_pp; then
		ok "TPM A: physical presence asserted by TSC_PhysicalPresence"
	else
		not_ok "TPM A: physical presence asserted" "see the lines above"
	fi
	if it_pair_b_start; then
		ok "TPM B: physical presence asserted by TSC_PhysicalPresence"
	else
		not_ok "TPM B: physical presence asserted" "see the lines above"
	fi
	it_tcsd_start
	timeout "$TSS_PROG_SECS" "$TSS_MIG_PROG"
	rc=$?
	[ "$rc" -le 1 ] || not_ok "tss_migration finished" "exit status $rc"
	it_summary "tss_migration harness ($TPM_UNDER_TEST)"
}

TSS_KP_PROG=$IT_O/tests/integration/tss_keypressure

# The tss_keypressure suite: more keys than the TPM has slots, used through
# tcsd, which must swap them out and back in (context save/load).
suite_tss_keypressure()
{
	local rc

	[ -x "$TSS_KP_PROG" ] || bail "$TSS_KP_PROG is missing"
	it_setup
	it_tpm_start
	if it_assert_pp; then
		ok "physical presence asserted by TSC_PhysicalPresence"
	else
		not_ok "physical presence asserted by TSC_PhysicalPresence" \
			"see the lines above"
	fi
	it_tcsd_start
	timeout "$TSS_PROG_SECS" "$TSS_KP_PROG"
	rc=$?
	[ "$rc" -le 1 ] || not_ok "tss_keypressure finished" "exit status $rc"
	it_summary "tss_keypressure harness ($TPM_UNDER_TEST)"
}

TSS_AUDIT_PROG=$IT_O/tests/integration/tss_audit

# The tss_audit suite: ordinal audit status, the audit digest recomputed
# from an audited GetRandom, and the signed digest, via libtspi.
suite_tss_audit()
{
	local rc

	[ -x "$TSS_AUDIT_PROG" ] || bail "$TSS_AUDIT_PROG is missing"
	it_setup
	it_tpm_start
	if it_assert_pp; then
		ok "physical presence asserted by TSC_PhysicalPresence"
	else
		not_ok "physical presence asserted by TSC_PhysicalPresence" \
			"see the lines above"
	fi
	it_tcsd_start
	timeout "$TSS_PROG_SECS" "$TSS_AUDIT_PROG"
	rc=$?
	[ "$rc" -le 1 ] || not_ok "tss_audit finished" "exit status $rc"
	it_summary "tss_audit harness ($TPM_UNDER_TEST)"
}

# Builds the binaries the suites need when they are missing (make check and
# `make tests` build them beforehand).  build-san style dirs get SAN=1 unless
# SAN says otherwise, so that one dir never mixes instrumented objects.
build()
{
	local targets=() t log san

	for t in tests/tools/tpmsend tests/integration/tss_conformance \
		tests/integration/tss_migration \
		tests/integration/tss_keypressure \
		tests/integration/tss_delegation \
		tests/integration/tss_audit \
		tests/integration/tss_transport; do
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
if [ "${1:-}" = --suite-tss_transport ]; then
	suite_tss_transport
	exit
fi
if [ "${1:-}" = --suite-tss_delegation ]; then
	suite_tss_delegation
	exit
fi
if [ "${1:-}" = --suite-tss_migration ]; then
	suite_tss_migration
	exit
fi
if [ "${1:-}" = --suite-tss_audit ]; then
	suite_tss_audit
	exit
fi
if [ "${1:-}" = --suite-tss_keypressure ]; then
	suite_tss_keypressure
	exit
fi

SUITES=("$@")
# tss_keypressure is run by name only: TrouSerS 0.3.15 cannot reload the
# keys it evicts (see tests/integration/tss_keypressure.c).
[ ${#SUITES[@]} -gt 0 ] ||
	SUITES=(tpm_tools tss_conformance tss_migration tss_delegation
		tss_audit tss_transport)
for s in "${SUITES[@]}"; do
	case $s in
	tpm_tools | tss_conformance | tss_migration | tss_keypressure | \
		tss_delegation | tss_audit | tss_transport) ;;
	*) bail "unknown suite '$s' (tpm_tools, tss_conformance," \
		"tss_migration, tss_keypressure, tss_delegation, tss_audit," \
		"tss_transport)" ;;
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
	tss_migration)
		run_suite "$s" "$HERE/run.sh" --suite-tss_migration ;;
	tss_keypressure)
		run_suite "$s" "$HERE/run.sh" --suite-tss_keypressure ;;
	tss_delegation)
		run_suite "$s" "$HERE/run.sh" --suite-tss_delegation ;;
	tss_audit)
		run_suite "$s" "$HERE/run.sh" --suite-tss_audit ;;
	tss_transport)
		run_suite "$s" "$HERE/run.sh" --suite-tss_transport ;;
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
