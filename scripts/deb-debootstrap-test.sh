#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The Debian packages as a new user meets them, on a fresh Debian 12:
#
#   bash scripts/deb-debootstrap-test.sh [DEB_DIR]      (as root; default build-deb)
#
# Makes a minimal bookworm root with debootstrap (plus man-db), installs
# uxdp and uxdp-dev from DEB_DIR there with apt-get, without the recommended
# packages (so without clang), fetching their dependencies from the mirror;
# in that root runs every tool's --version, uxdpc on the shipped BPF object
# (no clang needed), uxdp on the shipped capture, uxdpctl on the maps it
# kept, uxdpd with a control-socket round trip, man uxdpc and man uxdpd;
# then installs the recommended clang-19, builds the example from C as the
# README does, compiles it with uxdpc and runs it; links a program against
# libuxdp through pkg-config.  Then it upgrades uxdp to a copy of the
# package with a higher version while a uxdp runs, removes it, and purges it
# while another uxdp runs (docs/install.md says what to expect; systemd does
# not run in the root, so the units' restart and stop are not exercised).
# Not part of ctest: it needs the mirror ($MIRROR, default deb.debian.org)
# and minutes.  Prints PASS or the first FAIL; keeps the root with
# KEEP_ROOT=1.
set -euo pipefail
DEB_DIR=$(cd "${1:-build-deb}" && pwd)
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SRC=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$(mktemp -d /var/tmp/uxdp-debootstrap.XXXXXX)
chmod 755 "$ROOT" # apt downloads as _apt in there
INST=debtest
bg_pid= keep_pid=

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "=== $*"; }
in_root() { chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
	DEBIAN_FRONTEND=noninteractive "$@"; }

cleanup() {
	for p in $bg_pid $keep_pid; do kill -INT "$p" 2>/dev/null && sleep 1; done
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
echo "  $(du -smx "$ROOT" | cut -f1) MB in $SECONDS s"
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

step "apt-get install --no-install-recommends $deb $dev"
t0=$SECONDS
in_root apt-get update -qq || fail "apt-get update in the root"
in_root apt-get install -y -qq --no-install-recommends "$deb" "$dev" >"$ROOT/tmp/apt.log" 2>&1 ||
	{ tail -20 "$ROOT/tmp/apt.log"; fail "apt-get install of the packages"; }
in_root dpkg -s uxdp | sed -n 's/^\(Version\|Depends\|Recommends\): /  \1: /p'
echo "  $(grep -c '^Setting up' "$ROOT/tmp/apt.log") packages set up in $((SECONDS - t0)) s"
in_root sh -c 'command -v clang-19 clang' && fail "clang is installed: the test is not without it"

step "every tool's --version in the root"
for t in uxdpc uxdp uxdpd uxdpctl uxdp-difftest uxdp-bench uxdp-corpus uxdp-as; do
	in_root $t --version || fail "$t --version"
done

step "uxdpc (no clang), uxdp, uxdpctl in the root"
EX=/usr/share/doc/uxdp/examples
in_root sh -c "cd /tmp && uxdpc -v $EX/xdp_len_hist.bpf.o -O3 -o hist.aot.o" ||
	fail "uxdpc on the example"
in_root sh -c "cd /tmp && uxdp --object hist.aot.o --pcap $EX/traffic.pcap --instance $INST" \
	>"$ROOT/tmp/uxdp.out" || fail "uxdp on the capture"
cat "$ROOT/tmp/uxdp.out"
# the capture holds 1000 frames, 25 of them runts that no XDP path runs
grep -Eq "^XDP_PASS +975 " "$ROOT/tmp/uxdp.out" || fail "uxdp: not 975 packets passed"
in_root uxdpctl --instance $INST map lookup len_hist key u32 6 u32 1 || fail "uxdpctl lookup"

step "uxdpd in the root: a pcap replay, its control socket in /run/uxdp"
chroot "$ROOT" env -i PATH=/usr/bin:/bin sh -c "cd /tmp && exec uxdpd --instance d1 \
	--pcap $EX/traffic.pcap --out /dev/null --repeat 1000000000 --object hist.aot.o --stats" \
	>"$ROOT/tmp/uxdpd.out" 2>&1 &
bg_pid=$!
for _ in $(seq 100); do grep -q "; ready" "$ROOT/tmp/uxdpd.out" && break; sleep 0.1; done
grep -q "; ready" "$ROOT/tmp/uxdpd.out" || { cat "$ROOT/tmp/uxdpd.out"; fail "uxdpd did not start"; }
[ -S "$ROOT/run/uxdp/d1.sock" ] || fail "uxdpd: no socket /run/uxdp/d1.sock"
in_root uxdpctl --instance d1 prog list || fail "uxdpctl prog list through the socket"
sleep 1.5
kill -TERM $bg_pid
wait $bg_pid || { cat "$ROOT/tmp/uxdpd.out"; fail "uxdpd did not stop cleanly on SIGTERM"; }
bg_pid=
grep -E "pps .*b/s " "$ROOT/tmp/uxdpd.out" | head -2 || fail "uxdpd --stats: no rate line"
grep -q "^verdict " "$ROOT/tmp/uxdpd.out" || fail "uxdpd: no table at exit"

step "man uxdpc, man uxdpd in the root"
in_root sh -c 'MANWIDTH=80 man uxdpc' >"$ROOT/tmp/man.out" 2>&1 || fail "man uxdpc"
head -12 "$ROOT/tmp/man.out"
grep -q "uxdpc - compile XDP eBPF objects" "$ROOT/tmp/man.out" || fail "man uxdpc: no NAME line"
in_root sh -c 'MANWIDTH=80 man uxdpd' 2>&1 | grep -Eq "uxdpd +- +the uxdp data-plane daemon" ||
	fail "man uxdpd: no NAME line"

step "apt-get install clang-19 (recommended), then the README's build from C"
t0=$SECONDS
in_root apt-get install -y -qq clang-19 libbpf-dev linux-libc-dev >"$ROOT/tmp/apt-clang.log" 2>&1 ||
	{ tail "$ROOT/tmp/apt-clang.log"; fail "apt-get install clang-19"; }
echo "  $(grep -c '^Setting up' "$ROOT/tmp/apt-clang.log") packages set up in $((SECONDS - t0)) s"
in_root sh -c "cd /tmp && clang-19 -O2 -g -target bpf -I/usr/include/\$(uname -m)-linux-gnu \
	-c $EX/xdp_len_hist.bpf.c -o mine.bpf.o && uxdpc mine.bpf.o -O2 -o mine.aot.o &&
	uxdp --object mine.aot.o --pcap $EX/traffic.pcap" >"$ROOT/tmp/mine.out" 2>&1 ||
	{ cat "$ROOT/tmp/mine.out"; fail "clang-19, uxdpc, uxdp on the example's source"; }
grep -Eq "^XDP_PASS +975 " "$ROOT/tmp/mine.out" || fail "the program built from C: not 975 passed"
echo "  clang-19 -> uxdpc -> uxdp: $(grep -E '^XDP_PASS ' "$ROOT/tmp/mine.out")"

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
[ ! -e "$ROOT/usr/lib/systemd/system/uxdpd@.service" ] || fail "remove: the unit left"
in_root ldconfig -p | grep -q libuxdp && fail "remove: libuxdp still in the ld.so cache"
ls "$ROOT/dev/shm" | grep -q "^uxdp\.$INST" || fail "remove: expected the instance's maps to stay"
echo "  removed; /dev/shm keeps the instances' maps until purge: $(ls "$ROOT/dev/shm" | tr '\n' ' ')"

step "purge while a uxdp (started before the removal) still runs"
# Reinstall, start a run on instance keep, remove again: the run goes on
# with its binary unlinked, as it would on a real system.
in_root apt-get install -y -qq --no-install-recommends /tmp/uxdp-up.deb >/dev/null 2>&1 ||
	fail "reinstall"
chroot "$ROOT" env -i PATH=/usr/bin:/bin sh -c \
	"cd /tmp && exec uxdp --object hist.aot.o --pcap $EX/traffic.pcap --repeat 1000000000 --instance keep" \
	>/dev/null 2>&1 &
keep_pid=$!
sleep 1
kill -0 "$keep_pid" 2>/dev/null || fail "the uxdp of instance keep did not start"
mkdir -p "$ROOT/var/cache/uxdp" && touch "$ROOT/var/cache/uxdp/stale.aot.o"
in_root apt-get purge -y -qq uxdp >/dev/null 2>&1 || fail "apt-get purge uxdp"
left=$(ls "$ROOT/dev/shm" | tr '\n' ' ')
echo "  after purge: /dev/shm: $left"
ls "$ROOT/dev/shm" | grep -Eq "^uxdp(-[a-z]+)?\.($INST|d1)" && fail "purge left segments of ended runs"
ls "$ROOT/dev/shm" | grep -q "^uxdp\.keep\." || fail "purge removed the maps of a running uxdp"
[ ! -e "$ROOT/run/uxdp" ] || fail "purge left /run/uxdp"
[ ! -e "$ROOT/var/cache/uxdp" ] || fail "purge left /var/cache/uxdp"
kill -INT "$keep_pid"
wait "$keep_pid" || fail "the uxdp of instance keep did not end cleanly"
keep_pid=
echo "  purged: the ended runs' segments, /run/uxdp, /var/cache/uxdp gone; the running one's kept"
echo PASS
