#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# scenario-smoke.sh: the harness checking itself, no vTPM involved: dom0
# runs the toolstack, and a PV guest without a vtpm line boots and reports.
# Run it with: tests/system/run-system-test --scenario tests/system/scenario-smoke.sh
. /systest/lib.sh

pass "dom0 up"
info "/proc/xen: $(ls /proc/xen | tr '\n' ' ')"
if xl list >/tmp/xl-list 2>&1 && grep -q '^Domain-0' /tmp/xl-list; then
	pass "xl list shows Domain-0"
else
	fail "xl list shows Domain-0" "$(head -c 300 /tmp/xl-list)"
fi
cat /tmp/xl-list
for f in /lib/modules/*/extra/*.ko; do
	[ -e "$f" ] && info "module in the image: $f"
done

cfg=$(guest_cfg plain plain "" "systest_tag=plain")
if guest_create plain "$cfg"; then
	pass "xl create (guest without vtpm)"
	if guest_wait plain && guest_verdict plain; then
		pass "guest console PASS line"
	else
		fail "guest console PASS line" "$(guest_why plain)"
	fi
	guest_log plain
	check "xl destroy" "xl destroy plain failed" xl destroy plain
else
	fail "xl create (guest without vtpm)" "see xl-plain| lines"
fi
bad=$(dmesg_problems)
if [ -z "$bad" ]; then
	pass "dom0 kernel log clean"
else
	fail "dom0 kernel log clean" "$(echo "$bad" | head -n 3 | tr '\n' ';')"
fi
[ "$SYSTEST_FAILS" -eq 0 ]
