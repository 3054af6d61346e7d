#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The Debian packages as a new user meets them, on a fresh Debian 12:
#
#   bash scripts/deb-debootstrap-test.sh [DEB_DIR]      (as root; default build-deb)
#
# Makes a minimal bookworm root with debootstrap (plus man-db), installs
# uxdp and uxdp-dev from DEB_DIR there with apt-get (which fetches their
# dependencies from the mirror), and in that root runs: uxdpc on the shipped
# example, uxdp on the shipped capture, uxdpctl on the maps it kept, man
# uxdpc, a program linked against libuxdp through pkg-config (with the cc
# the root gets).  Then it upgrades uxdp to a copy of the package with a
# higher version while a uxdp runs, and removes it (docs/install.md says what
# to expect).  Not part of ctest: it needs the mirror ($MIRROR, default
# deb.debian.org) and minutes.  Prints PASS or the first FAIL; keeps the root
# with KEEP_ROOT=1.
set -euo pipefail
DEB_DIR=$(cd "${1:-build-deb}" && pwd)
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SRC=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$(mktemp -d /var/tmp/uxdp-debootstrap.XXXXXX)
chmod 755 "$ROOT" # apt downloads as _apt in there
INST=debtest
bg_pid=

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "=== $*"; }
in_root() { chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
	DEBIAN_FRONTEND=noninteractive "$@"; }

cleanup() {
	[ -n "$bg_pid" ] && kill -INT "$bg_pid" 2>/dev/null && sleep 1
	for m in dev/shm proc sys; do
		mountpoint -q "$ROOT/$m" || continue
		umount "$ROOT/$m" 2>/dev/null || { sleep 1; umount "$ROOT/$m"; } ||
			echo "cannot unmount $ROOT/$m" >&2
	done
	if [ "${KEEP_ROOT:-0}" = 1 ]; then
		echo "root kept in $ROOT"
	elif ! rm -rf --one-file-system "$ROOT"; then
		echo "could not remove all of $ROOT: remove it by hand" >&2
	fi
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "needs root (debootstrap, chroot)"
debs=("$DEB_DIR"/uxdp_*.deb)
devs=("$DEB_DIR"/uxdp-dev_*.deb)
[ -e "${debs[0]}" ] && [ -e "${devs[0]}" ] ||
	fail "no uxdp_*.deb and uxdp-dev_*.deb in $DEB_DIR (bash scripts/package-deb.sh makes them)"
if ! command -v debootstrap >/dev/null; then
	step "apt-get install debootstrap"
	apt-get install -y -qq debootstrap >/dev/null
fi

step "debootstrap bookworm (minbase, man-db) from $MIRROR"
debootstrap --variant=minbase --include=man-db,ca-certificates bookworm "$ROOT" "$MIRROR" \
	>"$ROOT.debootstrap.log" 2>&1 || { tail -20 "$ROOT.debootstrap.log"; fail "debootstrap"; }
rm -f "$ROOT.debootstrap.log"
# The point-release and security updates, as a Debian 12 system has them.
cat >"$ROOT/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
mount -t proc proc "$ROOT/proc"
mount -t sysfs sys "$ROOT/sys"
mkdir -p "$ROOT/dev/shm"
mount -t tmpfs shm "$ROOT/dev/shm"
cp "${debs[0]}" "${devs[0]}" "$ROOT/tmp/"
deb=/tmp/$(basename "${debs[0]}") dev=/tmp/$(basename "${devs[0]}")

step "apt-get install $deb $dev"
in_root apt-get update -qq || fail "apt-get update in the root"
in_root apt-get install -y -qq "$deb" "$dev" >"$ROOT/tmp/apt.log" 2>&1 ||
	{ tail -20 "$ROOT/tmp/apt.log"; fail "apt-get install of the packages"; }
in_root dpkg -s uxdp | sed -n 's/^\(Version\|Depends\|Recommends\): /  \1: /p'

step "uxdpc, uxdp, uxdpctl in the root"
EX=/usr/share/doc/uxdp/examples
in_root uxdpc --version || fail "uxdpc --version"
in_root sh -c "cd /tmp && uxdpc -v $EX/xdp_len_hist.bpf.o -O3 -o hist.aot.o" ||
	fail "uxdpc on the example"
in_root sh -c "cd /tmp && uxdp --object hist.aot.o --pcap $EX/traffic.pcap --instance $INST" \
	>"$ROOT/tmp/uxdp.out" || fail "uxdp on the capture"
cat "$ROOT/tmp/uxdp.out"
grep -Eq "^XDP_PASS +1000 " "$ROOT/tmp/uxdp.out" || fail "uxdp: not 1000 packets passed"
in_root uxdpctl --instance $INST map lookup len_hist key u32 6 u32 1 || fail "uxdpctl lookup"
in_root uxdpctl --version || fail "uxdpctl --version"

step "man uxdpc in the root"
in_root sh -c 'MANWIDTH=80 man uxdpc' >"$ROOT/tmp/man.out" 2>&1 || fail "man uxdpc"
head -12 "$ROOT/tmp/man.out"
grep -q "uxdpc - compile XDP eBPF objects" "$ROOT/tmp/man.out" || fail "man uxdpc: no NAME line"

step "a program linked against libuxdp (pkg-config, cc) in the root"
in_root apt-get install -y -qq gcc libc6-dev pkg-config >/dev/null 2>&1 ||
	fail "apt-get install gcc pkg-config"
cp "$SRC/runtime/lib/tests/static_main.c" "$ROOT/tmp/"
in_root sh -c "cd /tmp && cc static_main.c -DUXDP_NO_OBJECT \$(pkg-config --cflags --libs uxdp) \
	-o none && ./none" || fail "link against libuxdp"

step "upgrade uxdp while a uxdp runs"
# A copy of the package one release up, as the next version would come.
up=$ROOT/tmp/up
dpkg-deb -R "${debs[0]}" "$up"
old_version=$(sed -n 's/^Version: //p' "$up/DEBIAN/control")
sed -i "s/^Version: .*/Version: ${old_version%-*}-99/" "$up/DEBIAN/control"
dpkg-deb -b "$up" "$ROOT/tmp/uxdp-up.deb" >/dev/null
rm -rf "$up"
chroot "$ROOT" env -i PATH=/usr/bin:/bin sh -c \
	"cd /tmp && exec uxdp --object hist.aot.o --pcap $EX/traffic.pcap --repeat 1000000000 --instance $INST" \
	>/dev/null 2>&1 &
bg_pid=$!
sleep 1
kill -0 "$bg_pid" 2>/dev/null || fail "the background uxdp did not start"
# uxdp-dev wants uxdp of its own version, so apt removes it with this upgrade
# (a real release upgrades both together).
in_root apt-get install -y -qq /tmp/uxdp-up.deb >"$ROOT/tmp/apt-up.log" 2>&1 ||
	{ tail "$ROOT/tmp/apt-up.log"; fail "upgrade (apt-get install of the next version)"; }
in_root dpkg -s uxdp | grep -q "^Version: .*-99$" || fail "upgrade: version not installed"
kill -0 "$bg_pid" 2>/dev/null || fail "upgrade stopped the running uxdp"
in_root uxdpctl --instance $INST stats | head -1 | grep -q running ||
	fail "upgrade: the new uxdpctl does not see the running instance"
kill -INT "$bg_pid"
wait "$bg_pid" || fail "the running uxdp did not end cleanly after SIGINT"
bg_pid=
echo "  the running uxdp kept running through the upgrade; the new uxdpctl read its instance"

step "remove"
in_root apt-get remove -y -qq uxdp >/dev/null 2>&1 || fail "apt-get remove uxdp"
[ ! -e "$ROOT/usr/bin/uxdpc" ] || fail "remove: uxdpc still there"
[ ! -e "$ROOT/usr/lib/$(uname -m)-linux-gnu/uxdp/uxdp_helpers.bc" ] || fail "remove: bitcode left"
ls "$ROOT/dev/shm" | grep -q "^uxdp\.$INST" || fail "remove: expected the instance's maps to stay"
echo "  removed; /dev/shm keeps the instance's maps (the user's data): $(ls "$ROOT/dev/shm" | tr '\n' ' ')"
echo PASS
