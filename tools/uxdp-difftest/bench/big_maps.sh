#!/bin/sh
# big_maps.sh [BUILD_DIR]: the scale benchmark of uxdp-difftest (issue 12).
# An object with a 16 M-entry hash, a 16 M-entry array and a 32 MiB ring
# buffer (big_maps.bpf.c), written on every IPv4 packet, against 1000
# uxdp-corpus packets: the run must agree, take under a minute, and leave
# nothing in /dev/shm or /sys/fs/bpf; the planted build must be found.
# Not a ctest (it needs ~2 GiB and a quiet machine); run it by hand.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../../build}
dt=$build/tools/uxdp-difftest/uxdp-difftest
uxdpc=$build/compiler/uxdpc
corpus=$build/tools/uxdp-corpus/uxdp-corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc="clang-19 -O2 -g -target bpf -mcpu=v3 -I/usr/include/$(uname -m)-linux-gnu"

$cc -c "$here/big_maps.bpf.c" -o "$work/big.bpf.o" || exit 1
$cc -DPLANT -c "$here/big_maps.bpf.c" -o "$work/plant.bpf.o" || exit 1
"$uxdpc" "$work/plant.bpf.o" -O2 --verify=none -o "$work/plant.aot.o" || exit 1
"$corpus" --count 1000 --seed 1 --flows 1000 -o "$work/c.pcap" || exit 1
ls /sys/fs/bpf >"$work/bpffs.before"

run() { # NAME ARGS...: time one run, print its summary
	name=$1
	shift
	start=$(date +%s.%N)
	"$dt" "$work/big.bpf.o" --pcap "$work/c.pcap" "$@" >"$work/$name.out" 2>&1 &
	pids="$pids $!"
	wait $!
	rc=$?
	end=$(date +%s.%N)
	secs=$(awk "BEGIN { printf \"%.1f\", $end - $start }")
	echo "$name: exit $rc, $secs s"
	sed 's/^/  /' "$work/$name.out" | grep -v "runt frames" | head -12
}

fail=0
pids=
run same -O2
[ "$rc" -eq 0 ] || fail=1
awk "BEGIN { exit !($secs < 60) }" || { echo "  over a minute"; fail=1; }
run planted --aot "$work/plant.aot.o"
[ "$rc" -eq 1 ] && grep -q "map ring (array)" "$work/planted.out" || fail=1

left=
for pid in $pids; do
	left="$left$(ls /dev/shm | grep "^uxdp[.-].*difftest-$pid")"
done
ls /sys/fs/bpf >"$work/bpffs.after"
echo "left in /dev/shm: ${left:-nothing}"
if ! cmp -s "$work/bpffs.before" "$work/bpffs.after"; then
	echo "/sys/fs/bpf changed:"
	diff "$work/bpffs.before" "$work/bpffs.after"
	fail=1
fi
[ -z "$left" ] || fail=1
[ $fail -eq 0 ] && echo "big_maps.sh: ok" || echo "big_maps.sh: FAILED"
exit $fail
