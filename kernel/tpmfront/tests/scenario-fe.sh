#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# scenario-fe.sh: tpm_xenu's system test, the dom0 side (a scenario for
# tests/system/run-system-test; kernel/tpmfront/tests/run starts it).
# dom0 runs tpmbk and vtpm_managerd on swtpm, opens instance 1 itself with
# vtpmctl and writes "instance" into the backend directory itself
# (--no-xenstore: this test is about the frontend), then follows the
# phases guest-fe.sh announces (see its header).
. /systest/lib.sh

ROOT=/var/vtpm
UUID=6a1f0e2c-5b7d-4c3e-9f10-0000000000fe
BE=/local/domain/0/backend/vtpm
G=fe
MGR_PID=
STOPPED=

xsr()
{
	xenstore-read "$1" 2>/dev/null
}

start_manager()
{
	vtpm_managerd --root $ROOT --backend /dev/vtpm --tpm /dev/tpm0 \
		--no-xenstore -d >>/tmp/mgr.log 2>&1 &
	MGR_PID=$!
	i=0
	while [ ! -S $ROOT/manager.sock ] && [ "$i" -lt 60 ]; do
		sleep 1
		i=$((i + 1))
	done
	[ -S $ROOT/manager.sock ]
}

stop_manager()
{
	[ -n "$MGR_PID" ] || return 0
	kill "${1:-TERM}" "$MGR_PID" 2>/dev/null
	wait "$MGR_PID" 2>/dev/null
	MGR_PID=
	rm -f $ROOT/manager.sock
}

# wait_value KEY VALUE SECS: the guest printed "VALUE: KEY=VALUE".
wait_value()
{
	i=0
	while [ "$(guest_value $G "$1")" != "$2" ] && [ "$i" -lt "$3" ]; do
		xl domid $G >/dev/null 2>&1 || return 1
		grep -q '^SYSTEST-GUEST-DONE' "$GUEST_LOG_DIR/guest-$G.log" &&
			return 1
		sleep 1
		i=$((i + 1))
	done
	[ "$(guest_value $G "$1")" = "$2" ]
}

# stop_vtpmd / cont_vtpmd: freeze the instance's vtpmd, so the request
# in flight gets no answer, and thaw it.
stop_vtpmd()
{
	STOPPED=$(pidof vtpmd)
	[ -n "$STOPPED" ] && kill -STOP $STOPPED
	info "vtpmd ${STOPPED:-none} stopped"
}

cont_vtpmd()
{
	[ -n "$STOPPED" ] && kill -CONT $STOPPED
	STOPPED=
}

# set_instance DEVID: what vtpm_managerd --xenstore would write.
set_instance()
{
	xenstore-write "$BE/$(xl domid $G)/$1/instance" 1
}

if modprobe tpmbk; then
	pass "modprobe tpmbk"
else
	fail "modprobe tpmbk" "rc $?"
	exit 1
fi
mkdir -p $ROOT
check "vtpm_managerd starts" "$(tail -n 5 /tmp/mgr.log | tr '\n' ' ')" \
	start_manager
check "vtpmctl open 1" "see mgr| lines" \
	vtpmctl --root $ROOT open 1 --uuid $UUID

cfg=$(guest_cfg $G custom $UUID "systest_tag=A")
if ! guest_create $G "$cfg"; then
	fail "xl create with a vtpm line" "see xl-$G lines"
	exit 1
fi
set_instance 0

# 2-3: a request nobody answers, then the late answer.
if wait_value fe_phase 2 "$GUEST_WAIT_SECS"; then
	stop_vtpmd
	wait_value fe_phase 3 120 && cont_vtpmd
fi
cont_vtpmd

# 4: kill -9 the manager with a request in flight, start it again.
if wait_value fe_phase 4 120; then
	stop_vtpmd
	if wait_value fe_sent 4 60; then
		sleep 3
		stop_manager KILL
		[ -n "$STOPPED" ] && kill -KILL $STOPPED
		STOPPED=
		check "vtpm_managerd restarts" "see mgr| lines" start_manager
	fi
fi

# 5: unload and reload tpmbk under the connected guest (unbound first:
# the xenbus core holds a module reference per bound device).
if wait_value fe_phase 5 180; then
	stop_manager
	bdev=vtpm-$(xl domid $G)-0
	for d in /sys/bus/xen-backend/drivers/*; do
		[ -e "$d/$bdev" ] && echo "$bdev" >"$d/unbind"
	done
	check "unbind and rmmod tpmbk with the guest connected" \
		"$(lsmod | grep tpmbk)" rmmod tpmbk
	info "after rmmod: backend state $(xsr $BE/$(xl domid $G)/0/state)," \
		"frontend state $(xsr /local/domain/$(xl domid $G)/device/vtpm/0/state)"
	if wait_value fe_down 5 120; then
		check "modprobe tpmbk again" "rc $?" modprobe tpmbk
		check "vtpm_managerd starts again" "see mgr| lines" start_manager
		[ -n "$(xsr $BE/$(xl domid $G)/0/instance)" ] || set_instance 0
	fi
fi

# 7: after xen-tpmfront and back, no feature-protocol-v2 key is left.
if wait_value fe_classic 7 400; then
	fe=/local/domain/$(xl domid $G)/device/vtpm/0
	check "tpm_xenu removed xen-tpmfront's feature-protocol-v2" \
		"$fe/feature-protocol-v2 = $(xsr $fe/feature-protocol-v2)" \
		test -z "$(xsr $fe/feature-protocol-v2)"
fi

# 8: xl vtpm-detach with a request in flight, then vtpm-attach.
if wait_value fe_phase 8 120; then
	stop_vtpmd
	if wait_value fe_sent 8 60; then
		sleep 3
		if xl vtpm-detach $G 0 >/tmp/detach.log 2>&1; then
			pass "xl vtpm-detach with a request in flight"
		else
			fail "xl vtpm-detach with a request in flight" \
				"$(tr '\n' ' ' </tmp/detach.log)"
		fi
		cont_vtpmd
		sleep 5
		if xl vtpm-attach $G backend=0 uuid=$UUID; then
			pass "xl vtpm-attach"
			devid=$(xl vtpm-list $G | awk 'NR > 1 { print $1 }' | tail -n 1)
			info "new vtpm devid ${devid:-?}"
			set_instance "${devid:-1}"
		else
			fail "xl vtpm-attach" "rc $?"
		fi
	fi
fi
cont_vtpmd

guest_wait $G
if guest_verdict $G; then
	pass "guest checks"
else
	fail "guest checks" "$(guest_why $G)"
fi
guest_log $G
xenstore-ls -f $BE | sed 's/^/xs| /'
check "xl destroy" "rc $?" xl destroy $G
sleep 2
stop_manager
check "rmmod tpmbk" "rc $?" rmmod tpmbk
sed 's/^/mgr| /' /tmp/mgr.log | tail -n 40
bad=$(dmesg_problems)
if [ -z "$bad" ]; then
	pass "dom0 kernel log clean"
else
	fail "dom0 kernel log clean" "$(echo "$bad" | head -n 3 | tr '\n' ';')"
fi
[ "$SYSTEST_FAILS" -eq 0 ]
