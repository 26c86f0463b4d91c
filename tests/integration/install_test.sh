#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install_test.sh: `make install DESTDIR=... PREFIX=/usr` puts every file
# where DESIGN 7 and docs/admin-guide.md say, with the right modes; the man
# pages render without warnings; systemd accepts the unit; an existing
# config survives a reinstall; the installed manager finds its installed
# vtpmd and tpmd (they sit next to it) and serves an instance; uninstall
# removes what install added but keeps the config and the state root.
# TAP; everything stays in a private temp dir (lib.sh's EXIT trap).
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=lib.sh
. tests/integration/lib.sh

it_setup
D=$IT_DIR/dest
MAKE_ARGS=(-s O="$O" WERROR=1 DESTDIR="$D" PREFIX=/usr)

# file_mode NAME PATH MODE: PATH is a regular file with MODE.
file_mode()
{
	local m

	m=$(stat -c %a "$2" 2>/dev/null)
	if [ -f "$2" ] && [ "$m" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "${2#"$D"} is ${m:-missing}, want a file with mode $3"
	fi
}

# dir_mode NAME PATH MODE: PATH is a directory with MODE.
dir_mode()
{
	local m

	m=$(stat -c %a "$2" 2>/dev/null)
	if [ -d "$2" ] && [ "$m" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "${2#"$D"} is ${m:-missing}, want a directory with mode $3"
	fi
}

if make "${MAKE_ARGS[@]}" install >"$IT_DIR/install.log" 2>&1; then
	ok "install: make install DESTDIR PREFIX=/usr"
else
	not_ok "install: make install" "$(tail -5 "$IT_DIR/install.log")"
	it_summary install_test
	exit 1
fi

for b in tpmd vtpmd vtpm_managerd vtpm_be_sim; do
	file_mode "install: sbin/$b 0755" "$D/usr/sbin/$b" 755
done
file_mode "install: bin/vtpmctl 0755" "$D/usr/bin/vtpmctl" 755
MANS="tpmd vtpmd vtpm_managerd vtpmctl vtpm_be_sim"
for p in $MANS; do
	file_mode "install: man8/$p.8 0644" "$D/usr/share/man/man8/$p.8" 644
done
UNIT=$D/usr/lib/systemd/system/vtpm_managerd.service
file_mode "install: systemd unit 0644" "$UNIT" 644
file_mode "install: sample config 0644" \
	"$D/etc/vtpm/vtpm_managerd.conf.sample" 644
file_mode "install: config 0600 (from the sample)" \
	"$D/etc/vtpm/vtpm_managerd.conf" 600
dir_mode "install: state root var/vtpm 0700" "$D/var/vtpm" 700
file_mode "install: libtpmemu.a 0644" "$D/usr/lib/libtpmemu.a" 644
# The kernel modules come with make install when the kernel headers are
# there (issue 5): exactly tpmbk.ko and tpm_xenu.ko under
# lib/modules/<release>/extra, and nothing else under lib/.
top="./etc ./usr ./var "
if [ -d "$D/lib" ]; then
	top="./etc ./lib ./usr ./var "
	kos=$(cd "$D/lib" && find . -type f | sort | tr '\n' ' ')
	check "install: lib/ holds exactly the two modules" "lib/ has: $kos" \
		eval 'case "$kos" in "./modules/"*"/extra/tpm_xenu.ko ./modules/"*"/extra/tpmbk.ko ") true ;; *) false ;; esac'
	for ko in "$D"/lib/modules/*/extra/*.ko; do
		file_mode "install: ${ko#"$D/"} 0644" "$ko" 644
	done
else
	echo "# install: no kernel headers here, so make install installed no modules"
fi
check "install: nothing outside PREFIX, /etc/vtpm, /var/vtpm and lib/modules" \
	"unexpected: $(cd "$D" && find . -mindepth 1 -maxdepth 1 | tr '\n' ' ')" \
	test "$(cd "$D" && find . -mindepth 1 -maxdepth 1 | sort | tr '\n' ' ')" = \
	"$top"

# Man pages: groff with every warning, and man -l as an administrator
# would read them.
for p in $MANS; do
	f=$D/usr/share/man/man8/$p.8
	out=$(groff -ww -mandoc -z "$f" 2>&1)
	check "man: $p.8 groff -ww clean" "$out" test -z "$out"
	out=$(MANWIDTH=80 man -l "$f" 2>&1 >/dev/null)
	rc=$?
	check "man: man -l $p.8 renders" "rc $rc: $out" \
		test "$rc" = 0 -a -z "$out"
done
# Every long option the programs accept is in their page.
opts_in_page()
{
	local page=$1 o missing=

	shift
	for o in "$@"; do
		grep -q -- "\\\\-\\\\-${o//-/\\\\-}" "$page" || missing+=" --$o"
	done
	[ -z "$missing" ] || { echo "# $page lacks$missing"; return 1; }
}
M8=$D/usr/share/man/man8
check "man: vtpmd.8 lists every option" "missing options" \
	opts_in_page "$M8/vtpmd.8" root user debug verbose help version
check "man: vtpm_managerd.8 lists every option" "missing options" \
	opts_in_page "$M8/vtpm_managerd.8" root backend tpm emulate-hw-tpm \
	config vtpmd tpmd timeout debug verbose help version
check "man: vtpmctl.8 lists every option" "missing options" \
	opts_in_page "$M8/vtpmctl.8" root uuid startup hvm help
check "man: vtpm_be_sim.8 lists every option" "missing options" \
	opts_in_page "$M8/vtpm_be_sim.8" backend expose debug verbose

# The unit: ExecStart points at the installed manager.
check "unit: ExecStart is PREFIX/sbin/vtpm_managerd" "$(grep ^ExecStart= "$UNIT")" \
	grep -qx 'ExecStart=/usr/sbin/vtpm_managerd' "$UNIT"
check "unit: no placeholder left" "@...@ in the unit" \
	sh -c "! grep -q '@[A-Z]*@' '$UNIT'"
if command -v systemd-analyze >/dev/null 2>&1; then
	# Verified as installed, except that ExecStart must name a binary
	# that exists: the one under DESTDIR.  MANPATH lets the check of
	# Documentation= find the installed pages.
	mkdir -p "$IT_DIR/unit"
	sed "s|=/usr/sbin/|=$D/usr/sbin/|" "$UNIT" \
		>"$IT_DIR/unit/vtpm_managerd.service"
	out=$(MANPATH=$D/usr/share/man systemd-analyze verify \
		"$IT_DIR/unit/vtpm_managerd.service" 2>&1)
	rc=$?
	check "unit: systemd-analyze verify" "rc $rc: $out" \
		test "$rc" = 0 -a -z "$out"
else
	echo "ok - unit: systemd-analyze verify # SKIP no systemd-analyze"
fi

# The sample config parses as vtpm_managerd reads it, commented and with
# every setting switched on.  The manager stops at the state root (a path
# that cannot be created), which comes after the config is read.
config_ok()
{
	local out

	out=$("$D/usr/sbin/vtpm_managerd" --config "$1" -d \
		--root "$IT_DIR/no/such/dir" 2>&1)
	case $out in
	*"cannot create $IT_DIR/no/such/dir"*) return 0 ;;
	*) echo "# $out"; return 1 ;;
	esac
}
sed 's/^#\([a-z_]* = \)/\1/' "$D/etc/vtpm/vtpm_managerd.conf.sample" \
	>"$IT_DIR/all.conf"
check "config: the sample parses" "refused" \
	config_ok "$D/etc/vtpm/vtpm_managerd.conf.sample"
check "config: the sample's four settings, uncommented, parse" "refused" \
	config_ok "$IT_DIR/all.conf"
check "config: the sample documents the four keys" "a key is missing" \
	test "$(grep -cE '^#(owner_auth|srk_auth|seal_pcrs|command_timeout) = ' \
		"$D/etc/vtpm/vtpm_managerd.conf.sample")" = 4

# Reinstall: the administrator's config stays, the sample is refreshed.
echo "command_timeout = 90" >"$D/etc/vtpm/vtpm_managerd.conf"
echo "# stale" >"$D/etc/vtpm/vtpm_managerd.conf.sample"
chmod 0777 "$D/var/vtpm"
make "${MAKE_ARGS[@]}" install >"$IT_DIR/install2.log" 2>&1
check "reinstall: existing config kept" "it was replaced" \
	grep -qx "command_timeout = 90" "$D/etc/vtpm/vtpm_managerd.conf"
check "reinstall: sample refreshed" "still stale" \
	cmp -s vtpm_manager/vtpm_managerd.conf.sample \
	"$D/etc/vtpm/vtpm_managerd.conf.sample"
dir_mode "reinstall: state root back to 0700" "$D/var/vtpm" 700

# The installed manager runs the installed vtpmd and tpmd (siblings in
# sbin), with the install-made state root, driven by the installed vtpmctl.
ROOT=$D/var/vtpm
PORT=$(it_pick_port 1) || bail "no free loopback port"
it_spawn be_sim "$D/usr/sbin/vtpm_be_sim" --backend "unix:$ROOT/backend.sock" \
	--expose "1=tcp:127.0.0.1:$PORT"
it_spawn manager "$D/usr/sbin/vtpm_managerd" --root "$ROOT" \
	--backend "unix:$ROOT/backend.sock" --emulate-hw-tpm \
	--config /dev/null -d
MGR_PID=$IT_LAST_PID
up=1
for _ in $(seq $((IT_WAIT_SECS * 10))); do
	"$D/usr/bin/vtpmctl" --root "$ROOT" status >/dev/null 2>&1 && up=0 &&
		break
	it_alive "$MGR_PID" || break
	sleep 0.1
done
check "run: installed manager starts its installed tpmd" \
	"$(tail -3 "$IT_DIR/manager.log")" test "$up" = 0
check "run: no warning about the state root's mode" "warned" \
	sh -c "! grep -q 'accessible to others' '$IT_DIR/manager.log'"
"$D/usr/bin/vtpmctl" --root "$ROOT" open 1 >/dev/null 2>&1
running=1
for _ in $(seq $((IT_WAIT_SECS * 10))); do
	"$D/usr/bin/vtpmctl" --root "$ROOT" list 2>/dev/null |
		grep -qE '^1 .* running ' && running=0 && break
	sleep 0.1
done
check "run: installed vtpmd serves instance 1" \
	"$(tail -3 "$IT_DIR/manager.log")" test "$running" = 0
rsp=$("$TPMSEND" "tcp:127.0.0.1:$PORT" "$IT_GETCAP_VERSION" 2>&1)
check "run: a TPM command through the installed path" "got: $rsp" \
	test "${rsp:12:8}" = 00000000
it_kill "$MGR_PID"
it_forget "$MGR_PID"

# Uninstall: what install added goes, the config and the state stay.
make "${MAKE_ARGS[@]}" uninstall >"$IT_DIR/uninstall.log" 2>&1
left=$(cd "$D" && find . -type f ! -path './var/vtpm/*' | sort | tr '\n' ' ')
check "uninstall: only the config and the state root remain" "left: $left" \
	test "$left" = "./etc/vtpm/vtpm_managerd.conf "
check "uninstall: state root kept" "gone" test -f "$ROOT/manager.sealed"

it_summary install_test
