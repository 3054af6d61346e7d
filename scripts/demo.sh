#!/usr/bin/env bash
# The main job on a built-in default, no NIC needed: install what uxdp needs,
# build it, compile a shipped network function (xdp_drop, unmodified kernel
# XDP C) with clang for BPF and then with uxdpc for this CPU, and run it with
# the pcap driver over the shipped capture, printing its per-verdict counters.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${UXDP_SKIP_INSTALL:-0}" = 1 ] || bash scripts/install-deps.sh
bash scripts/build.sh >/dev/null
B=build
OUT=$B/demo
mkdir -p "$OUT"
set -x
clang-19 -O2 -g -target bpf -I/usr/include/$(uname -m)-linux-gnu \
  -c xdp_progs/xdp_drop/xdp_drop.bpf.c -o "$OUT/xdp_drop.bpf.o"
$B/compiler/uxdpc "$OUT/xdp_drop.bpf.o" -O3 -o "$OUT/xdp_drop.aot.o" --remarks
AOT_OBJECT="$OUT/xdp_drop.aot.o" $B/runtime/cli/uxdp --pcap xdp_progs/demo/traffic.pcap \
  --out "$OUT/tx.pcap" --pass-out "$OUT/pass.pcap"
{ set +x; } 2>/dev/null
echo
echo "uxdp ran xdp_drop over xdp_progs/demo/traffic.pcap: valid TCP dropped, the rest passed"
echo "(passed packets are in $OUT/pass.pcap; read them with tcpdump -nr $OUT/pass.pcap)."
