#!/bin/sh
# pins.sh DIFFTEST PINNED.bpf.o PCAP: difftest neither reuses a pin left in
# /sys/fs/bpf under a map's name (that gave a false difference once) nor
# leaves one.  Exit 77 without bpffs or bpftool.
dt=$1 obj=$2 pcap=$3
pin=/sys/fs/bpf/uxdp_dt_pinned
command -v bpftool >/dev/null || { echo "SKIP: no bpftool"; exit 77; }
mountpoint -q /sys/fs/bpf 2>/dev/null || [ -d /sys/fs/bpf ] || { echo "SKIP: no bpffs"; exit 77; }
if [ -e $pin ]; then
	echo "pins.sh: $pin exists already; remove it (another run of this test?)" >&2
	exit 1
fi
trap 'rm -f $pin' EXIT
bpftool map create $pin type array key 4 value 8 entries 4 name uxdp_dt_pinned ||
	{ echo "SKIP: bpftool cannot create a map here"; exit 77; }
bpftool map update pinned $pin key 0 0 0 0 value 7 0 0 0 0 0 0 0 || exit 1

out=$("$dt" "$obj" --pcap "$pcap" 2>&1); rc=$?
printf '%s\n' "$out"
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || { echo "pins.sh: difftest exit $rc with a foreign pin present" >&2; exit 1; }
printf '%s\n' "$out" | grep -q "0 differences" || exit 1
bpftool map lookup pinned $pin key 0 0 0 0 | grep -q '"value": 7' ||
	bpftool map lookup pinned $pin key 0 0 0 0 | grep -qi 'value: 07' ||
	{ echo "pins.sh: the foreign pin was changed" >&2; bpftool map dump pinned $pin; exit 1; }
rm -f $pin

out=$("$dt" "$obj" --pcap "$pcap" 2>&1); rc=$?
[ $rc -eq 0 ] || { printf '%s\n' "$out"; echo "pins.sh: difftest exit $rc" >&2; exit 1; }
if [ -e $pin ]; then
	echo "pins.sh: difftest left $pin behind" >&2
	exit 1
fi
echo "pins.sh: ok"
