#!/bin/sh
# may_goto_budget.sh UXDPC UXDP UXDPCTL UNUSED OBJECT - a loop that only
# may_goto ends runs BPF_MAX_LOOPS (8388608) times per frame at -O0 and
# -O3.  Prints "N passed, N failed".
uxdpc=$1 uxdp=$2 uxdpctl=$3 corpus=$4 obj=$5
tmp=$(mktemp -d) || exit 1
inst=maygoto-$$
trap '"$uxdpctl" instance delete $inst >/dev/null 2>&1; rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0
# One 60-byte frame: the pcap header, one record header, the bytes.
python3 -c 'import struct, sys; sys.stdout.buffer.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1) + struct.pack("<IIII", 1, 0, 60, 60) + bytes(60))' >"$tmp/in.pcap"
for level in 0 3; do
	"$uxdpc" --verify=none -O$level "$obj" -o "$tmp/m.aot.o" || exit 1
	"$uxdp" --object "$tmp/m.aot.o" --pcap "$tmp/in.pcap" --instance $inst >/dev/null
	got=$("$uxdpctl" --instance $inst -j map dump .bss | tr -d ' \n')
	"$uxdpctl" instance delete $inst >/dev/null
	# instance delete leaves nothing, the run record included
	if ls /dev/shm | grep -q "\.$inst\(\.\|$\)"; then
		echo "FAIL: instance delete left $(ls /dev/shm | grep "\.$inst")"; fail=$((fail + 1))
	fi
	# 8388608 = 0x800000: bytes 00 00 80 00 00 00 00 00
	case $got in
	*'"0x00","0x00","0x80","0x00","0x00","0x00","0x00","0x00"'*) pass=$((pass + 1)) ;;
	*) echo "FAIL -O$level: .bss is $got"; fail=$((fail + 1)) ;;
	esac
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
