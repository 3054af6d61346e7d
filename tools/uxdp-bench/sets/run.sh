#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run.sh - uxdp-bench's benchmark sets (docs/benchmarks.md, "Method").
#
#   tools/uxdp-bench/sets/run.sh [--smoke] [--build DIR] [--out DIR] SET... [-- uxdp-bench args]
#
# SET: reference   our network functions and the examples, every -O level, --ablate
#      thirdparty  Debian xdp-tools' objects, each with empty maps and with rules
#      realistic   xdp_lb / xdp_firewall / xdp_acl with >= 10k entries of state,
#                  on a realistic packet mix from uxdp-corpus
#      micro       16 map lookups per packet (hash, per-CPU hash, LRU hash, LPM),
#                  keys that hit, then keys that miss; net ns per lookup
# Each set writes OUT/SET.md, SET.json, SET.png (+ -ratio.png, -ablation.png)
# and prints its Markdown.  --smoke: tiny counts (ctest bench.sets.smoke),
# measures nothing.  Everything after -- goes to uxdp-bench (e.g. --callgrind,
# --rounds 9, --iterations 20000000).  The kernel is measured with
# --kernel-method veth when run as root with iproute2 (docs/benchmarks.md, "Method":
# test_run's one system call per packet starts each packet with a cold TLB
# on a kernel that isolates its page tables without PCID), else fresh;
# a --kernel-method after -- wins.  Pinned to CPU 1 with taskset when it
# exists (uxdp-bench pins itself too).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
build=$src/build
out=
smoke=()
sets=()
extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--smoke) smoke=(--smoke) ;;
	--build) build=$2; shift ;;
	--out) out=$2; shift ;;
	--) shift; extra=("$@"); break ;;
	reference | thirdparty | realistic | micro) sets+=("$1") ;;
	-h | --help) sed -n '3,24p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done
[ ${#sets[@]} -gt 0 ] || { echo "run.sh: name a set: reference thirdparty realistic micro" >&2; exit 2; }
build=$(cd "$build" && pwd)
out=${out:-$build/bench-sets}
mkdir -p "$out"
bench=$build/tools/uxdp-bench/uxdp-bench
state=$build/tools/uxdp-bench/uxdp-bench-state
corpus=$build/tools/uxdp-corpus/uxdp-corpus
objs=$build/tools/uxdp-bench/sets
tp=/usr/lib/x86_64-linux-gnu/bpf
for t in "$bench" "$state" "$corpus"; do
	[ -x "$t" ] || { echo "run.sh: $t is not built (cmake --build $build)" >&2; exit 1; }
done
method=()
[ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || method=(--kernel-method veth)
pin=()
if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then
	pin=(taskset -c 1)
fi

# The realistic mix: mostly IPv4 TCP, then UDP/DNS, some IPv6, VLAN, ICMP,
# ARP and fragments; 16384 flows to draw from.
mix_kinds=ipv4-tcp,ipv4-tcp,ipv4-tcp,ipv4-tcp,http-request,http-response,ipv4-udp,ipv4-udp
mix_kinds=$mix_kinds,dns-query,dns-response,icmp-echo,ipv6-tcp,ipv6-udp,vlan-ipv4,arp,ipv4-frag-first
npkts=1024
[ ${#smoke[@]} -eq 0 ] || npkts=64
mix=$out/mix.pcap
"$corpus" -n $npkts -s 10 -f 16384 -k $mix_kinds -o "$mix"

run_bench() { # NAME ARGS...
	local name=$1
	shift
	echo "== set $name" >&2
	"${pin[@]}" "$bench" "$@" "${smoke[@]}" --json "$out/$name.json" --md "$out/$name.md" \
		--png "$out/$name.png" "${method[@]}" "${extra[@]}" | tee "$out/$name.stdout.md"
}

set_reference() {
	local progs=() p
	for p in xdp_drop xdp_tx xdp_pktcntr xdp_csum xdping xdp_fwd tx_ip_tunnel xdp_adjust_tail \
		xdp_acl xdp_len_hist xdp_lb xdp_observer xdp_hash_sum xdp_tcpclassify xdp_dns; do
		progs+=("$build/xdp_progs/$p/$p.v3.bpf.o")
	done
	progs+=("$build/xdp_progs/xdp_firewall/xdp_firewall.v3.bpf.o:xdp_firewall")
	for p in xdp_array_count xdp_empty xdp_mac_swap xdp_parse_tcp xdp_sum_hash; do
		progs+=("$build/tools/uxdp-bench/examples/$p.bpf.o")
	done
	run_bench reference "${progs[@]}" --source-dir "$src/xdp_progs" \
		--source-dir "$src/tools/uxdp-bench/examples" --levels 0,1,2,3 --ablate
}

set_thirdparty() {
	local progs=() o maps missing=()
	: >"$out/empty.conf"
	echo "# no entries: every map as the program's loader leaves it" >"$out/empty.conf"
	for o in xdpfilt_dny_all xdpfilt_alw_all xdpfilt_dny_ip xdpfilt_dny_tcp xdpfilt_dny_udp \
		xdpdump_xdp xsk_def_xdp_prog; do
		if [ ! -f "$tp/$o.o" ]; then
			missing+=("$o")
			continue
		fi
		case $o in
		xdpfilt_*_all) maps=ports,ipv4,ipv6,ethernet ;;
		xdpfilt_*_ip) maps=ipv4,ipv6 ;;
		xdpfilt_*_tcp | xdpfilt_*_udp) maps=ports ;;
		*) maps= ;;
		esac
		progs+=("$tp/$o.o@$out/empty.conf")
		if [ -n "$maps" ]; then
			mkdir -p "$out/$o"
			"$state" xdpfilt "$mix" $maps 4096 >"$out/$o/rules-4k.conf"
			progs+=("$tp/$o.o@$out/$o/rules-4k.conf")
		fi
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "run.sh: thirdparty: skipped, not installed (apt-get install xdp-tools): ${missing[*]}" >&2
	fi
	[ ${#progs[@]} -gt 0 ] || { echo "run.sh: thirdparty: no xdp-tools objects in $tp" >&2; return 1; }
	run_bench thirdparty "${progs[@]}" --pcap "$mix" --levels 3 --no-native
}

set_realistic() {
	"$state" lb "$mix" 16384 >"$out/lb-16k-flows.conf"
	"$state" fw "$mix" 12288 >"$out/fw-12k-rules.conf"
	"$state" acl "$mix" 12288 >"$out/acl-12k-prefixes.conf"
	run_bench realistic "$objs/xdp_lb.bpf.o@$out/lb-16k-flows.conf" \
		"$objs/xdp_firewall.bpf.o:xdp_firewall@$out/fw-12k-rules.conf" \
		"$objs/xdp_acl.bpf.o@$out/acl-12k-prefixes.conf" \
		--source-dir "$here/realistic" --pcap "$mix" --levels 3
}

set_micro() {
	local v kind progs=()
	for v in hash percpu_hash lru_hash lpm; do
		kind=hash
		[ $v = lpm ] && kind=lpm
		"$state" lookup16 $kind hit 4096 >"$out/$kind-hit.conf"
		"$state" lookup16 $kind miss 4096 >"$out/$kind-miss.conf"
		progs+=("$objs/lookup16_$v.bpf.o@$out/$kind-hit.conf" "$objs/lookup16_$v.bpf.o@$out/$kind-miss.conf")
	done
	run_bench micro "${progs[@]}" --source-dir "$here/micro" --levels 3 --per-op 16
}

for s in "${sets[@]}"; do
	"set_$s"
done
