#!/bin/bash
# SPDX-License-Identifier: MIT
#
# callgrind.sh [--seconds S] [--prog OBJ:NAME] [--paths "afxdp dpdk_xdp"] [--keep DIR] UXDP...
#
# Instructions per packet of the drivers' worker loops (valgrind
# --tool=callgrind, inclusive of everything the loop calls: rings,
# datapath, the program), for each uxdp binary given, on the same veth
# traffic:
#   afxdp     uxdp --afxdp u0 (copy mode), collected in worker_main
#   dpdk_xdp  uxdp --dpdk with net_af_xdp on u0, collected in lcore_main
# The divisor is the total of the final counters uxdp prints on SIGINT.
# --keep DIR keeps each run's callgrind.out (for callgrind_annotate) in DIR.
# Syscalls are the kernel's and are not counted; the count is the driver's,
# the datapath's and the program's own user-space instructions.
#
# Topology as run.sh: namespaces G (g0, 198.18.0.1) and U (u0, 198.18.0.2),
# created here and removed by the EXIT trap; uxdp-netgen sends 64-byte TCP
# SYNs on g0 (CPU 0), from the moment uxdp runs under callgrind (CPU 1),
# which is stopped with SIGINT S seconds later.  Root only, and a kernel
# that takes test_run's live frames (netgen's traffic): else 77, skipped.
# A run that counted no packet fails (exit 1): 0 Ir per packet is no figure.
#
# Environment: BUILD (default ../../build), NETGEN, UXDPCTL, OBJ (dir of netgen.*.o).
set -u
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-$here/../../build}
NETGEN=${NETGEN:-$BUILD/tools/uxdp-netbench/uxdp-netgen}
UXDPCTL=${UXDPCTL:-$BUILD/tools/uxdpctl/uxdpctl}
OBJ=${OBJ:-$BUILD/tools/uxdp-netbench}
secs=6 prog=netgen:netgen_sink paths="afxdp dpdk_xdp" keep=
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) secs=$2; shift ;;
	--prog) prog=$2; shift ;;
	--paths) paths=$2; shift ;;
	--keep) keep=$2; shift ;;
	-*) echo "usage: callgrind.sh [--seconds S] [--prog OBJ:NAME] [--paths P] UXDP..." >&2
	    exit 2 ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || set -- "$BUILD/runtime/cli/uxdp"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v valgrind >/dev/null || { echo "SKIP: no valgrind"; exit 77; }
pobj=$OBJ/${prog%%:*}.aot.o pname=${prog#*:}
for f in "$NETGEN" "$UXDPCTL" "$OBJ/netgen.bpf.o" "$pobj" "$@"; do
	[ -e "$f" ] || { echo "callgrind.sh: missing $f" >&2; exit 1; }
done

id=$$
nsg=cgg$id nsu=cgu$id inst=uxdpcg$id
tmp=$(mktemp -d /tmp/uxdp-callgrind.XXXXXX)
cleanup() {
	ip netns del $nsg 2>/dev/null; ip netns del $nsu 2>/dev/null
	rm -rf "$tmp" /var/run/dpdk/cg$id
	"$UXDPCTL" instance delete $inst >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ip netns add $nsg && ip netns add $nsu || exit 1
ip link add g0 netns $nsg type veth peer name u0 netns $nsu || exit 1
for e in "$nsg g0" "$nsu u0"; do
	set -- $e "$@"
	ip netns exec $1 sysctl -qw net.ipv6.conf.$2.disable_ipv6=1
	ip netns exec $1 ip link set dev $2 up
	shift 2
done
umac=$(ip netns exec $nsu cat /sys/class/net/u0/address)
gmac=$(ip netns exec $nsg cat /sys/class/net/g0/address)
ip netns exec $nsg "$NETGEN" attach g0 "$OBJ/netgen.bpf.o" --prog netgen_sink || exit 1
# The generator is test_run with live frames: a kernel that refuses them
# leaves this benchmark without traffic (run.sh's probe).
ip netns exec $nsg "$NETGEN" send g0 --obj "$OBJ/netgen.bpf.o" --seconds 1 --size 64 --flows 1 \
	--dst-mac "$umac" --src-mac "$gmac" >"$tmp/probe" 2>&1 || {
	grep -q "live frames" "$tmp/probe" &&
		{ echo "SKIP: the running kernel refuses BPF_F_TEST_XDP_LIVE_FRAMES ($(tail -1 "$tmp/probe")): no traffic source"; exit 77; }
	cat "$tmp/probe" >&2; exit 1; }

# one UXDP PATH -> "instructions packets"
one() {
	local uxdp=$1 path=$2 fn args
	case $path in
	afxdp) fn=worker_main args=(--afxdp u0) ;;
	dpdk_xdp) fn=lcore_main args=(--dpdk -- -l 1 --no-huge -m 1024 --no-pci --no-telemetry
		--file-prefix cg$id --log-level 3 --vdev net_af_xdp0,iface=u0) ;;
	esac
	rm -f "$tmp"/cg.out* "$tmp"/log
	AOT_OBJECT=$pobj taskset -c 1 ip netns exec $nsu valgrind --tool=callgrind \
		--callgrind-out-file="$tmp/cg.out" --toggle-collect="$fn" \
		"$uxdp" -p "$pname" --instance $inst "${args[@]}" >"$tmp/log" 2>&1 &
	local u=$!
	for _ in $(seq 600); do grep -q "Ctrl-C stops" "$tmp/log" && break; sleep 0.1; done
	# Traffic only once uxdp runs: an idle worker's polls would count too.
	taskset -c 0 ip netns exec $nsg "$NETGEN" send g0 --obj "$OBJ/netgen.bpf.o" \
		--seconds $((secs + 2)) --size 64 --flows 64 --dst-mac "$umac" --src-mac "$gmac" \
		>/dev/null 2>&1 &
	local g=$!
	sleep "$secs"
	kill -INT $u
	wait $u
	kill $g 2>/dev/null; wait $g 2>/dev/null
	local ir pk
	[ -n "$keep" ] && mkdir -p "$keep" &&
		cp "$tmp/cg.out" "$keep/$path.$(echo "$uxdp" | tr / _).out"
	ir=$(awk '/^(summary|totals):/ { n = $2 } END { print n + 0 }' "$tmp"/cg.out*)
	pk=$(awk '$1 == "total" { n = $2 } END { print n + 0 }' "$tmp/log")
	[ "$pk" -gt 0 ] || { echo "--- $uxdp $path: no packets counted"; grep -v "^==" "$tmp/log" | tail -15; } >&2
	echo "$ir $pk"
}

echo "# callgrind.sh: $prog, ${secs}s per run; kernel $(uname -r)"
failed=0
for path in $paths; do
	for u in "$@"; do
		set -- $(one "$u" $path) "$@"
		ir=$1 pk=$2; shift 2
		[ "$pk" -gt 0 ] || failed=1
		awk -v ir="$ir" -v pk="$pk" -v p=$path -v u="$u" 'BEGIN {
			printf "%-9s %-50s %14d Ir %10d packets %8.1f Ir/packet\n", p, u, ir, pk,
				(pk > 0 ? ir / pk : 0) }'
	done
done
exit $failed
