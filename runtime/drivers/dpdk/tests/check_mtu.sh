#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# drivers.dpdk.check_mtu: a DPDK port that is no kernel device (net_pcap)
# has the MTU its driver reports for bpf_check_mtu, by its ifindex and as
# ifindex 0 (uxdp/dev_mtu.h).  The lookup by index is what tests the
# driver's word (without it: -ENODEV); as ifindex 0 it must agree (which
# alone proves little: 1500, net_pcap's MTU, is also what an unknown
# ingress gets).  Runs uxdp --dpdk on a pcap of 20 packets and
# reads the program's map with uxdpctl.
#
#   UXDP=... UXDPC=... UXDPCTL=... CORPUS=... OBJ=mtu_seen.bpf.o check_mtu.sh
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "check_mtu: skipped (DPDK needs root here)"; exit 77; }

work=$(mktemp -d /tmp/uxdp-check-mtu.XXXXXX)
inst=check-mtu-$$
pid=
cleanup() {
	[ -z "$pid" ] || { kill -INT "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
	"$UXDPCTL" instance delete "$inst" >/dev/null 2>&1 || true
	rm -rf "$work" "/var/run/dpdk/$inst"
}
trap cleanup EXIT
fail() { echo "check_mtu: FAIL: $*" >&2; [ ! -f "$work/log" ] || cat "$work/log" >&2; exit 1; }

npkts=20
"$CORPUS" -n $npkts -s 3 -k ipv4-udp -o "$work/in.pcap" >/dev/null
"$UXDPC" "$OBJ" -O2 -o "$work/mtu_seen.aot.o" >/dev/null
"$UXDP" --object "$work/mtu_seen.aot.o" --instance "$inst" --dpdk -- -l 0 --no-huge -m 512 \
	--no-pci --no-telemetry --log-level 3 --file-prefix "$inst" \
	--vdev "net_pcap0,rx_pcap=$work/in.pcap,tx_pcap=$work/out.pcap" >"$work/log" 2>&1 &
pid=$!

seen() { # -> "rc_index rc_ingress mtu_index mtu_ingress packets"
	"$UXDPCTL" --json --instance "$inst" map dump seen 2>/dev/null | python3 -c 'import json, sys
d = json.load(sys.stdin)
s64 = lambda v: int.from_bytes(bytes(int(b, 16) for b in v[:8]), "little", signed=True)
print(" ".join(str(s64(e["value"])) for e in d))' 2>/dev/null || true
}

got=
for _ in $(seq 300); do
	kill -0 "$pid" 2>/dev/null || fail "uxdp exited"
	got=$(seen)
	[ "$(echo "$got" | awk '{ print $5 }')" = $npkts ] && break
	sleep 0.1
done
read -r rc_index rc_ingress mtu_index mtu_ingress n <<<"$got" || fail "no map: '$got'"
[ "$n" = $npkts ] || fail "the program saw $n of $npkts packets ('$got')"
mtu=$(grep -m1 -oE 'mtu [0-9]+' "$work/log" | awk '{ print $2 }' || true)
[ "$rc_index" = 0 ] || fail "check_mtu(ingress_ifindex) returned $rc_index, want 0 (the driver's port)"
[ "$rc_ingress" = 0 ] || fail "check_mtu(0) returned $rc_ingress"
[ "$mtu_index" = "$mtu_ingress" ] || fail "MTU by index $mtu_index, as ingress $mtu_ingress"
[ -n "$mtu" ] || fail "uxdp did not print the port's MTU"
[ "$mtu_index" = "$mtu" ] || fail "the program saw MTU $mtu_index, the port has $mtu"
echo "check_mtu: ok: $n packets, net_pcap's MTU $mtu by index and as ingress"
