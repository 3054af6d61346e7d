#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run.sh [--smoke] [--rounds N] [--seconds S] [--progs "P..."] [--paths "X..."]
#        [--null-seconds S] [--flows F] [--lb-flows F] [--out FILE]
#
# Packets per second of XDP programs on a veth pair, four ways, in
# interleaved rounds (round r: every program on every path, then r+1):
#   kernel    the kernel runs prog.bpf.o natively on the receiving veth end
#   afxdp     uxdp --afxdp on it (AF_XDP, copy mode: veth has no zero-copy)
#   dpdk_xdp  uxdp --dpdk with the net_af_xdp vdev
#   dpdk_pkt  uxdp --dpdk with the net_af_packet vdev
# and the runtime's own cost per packet without a NIC (uxdp --dpdk on a
# net_null vdev: empty DROP/PASS programs against the real ones).
#
# Flows: F distinct TCP source ports (default 64) for every program but
# xdp_lb, which gets --lb-flows (default 16384): a load balancer's
# connection table (an LRU hash of 65536) with >= 10k live connections, as
# Katran-class deployments have, not a handful of hot entries.
#
# Topology: namespace G (generator) with veth g0 <-> u0 in namespace U, both
# created here and removed by the EXIT trap; addresses in 198.18.0.0/15.
# uxdp-netgen in G sends TCP SYNs with bpf_prog_test_run(LIVE_FRAMES) +
# XDP_TX on g0, pinned to CPU 0; the frames land in u0's queue, whose NAPI
# runs on the sender's CPU (0).  uxdp is pinned to CPU 1.  g0 runs an
# XDP_DROP program, so frames the programs send back are received and dropped.
# Rates are read at the receiving side: the kernel path from veth's own XDP
# counters (ethtool -S u0: xdp_packets), the uxdp paths from their shared
# counters (uxdpctl --instance I stats --json), over the middle of each run.
#
# Environment: UXDP UXDPCTL NETGEN OBJ (dir of *.bpf.o, *.aot.o) CONF (dir of
# xdp_progs/<p>/<p>.conf); defaults from the build dir BUILD.
# Exit: 0, 1 on failure, 77 skipped (not root, no AF_XDP, no live frames).
set -u
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-$here/../../build-nb}
UXDP=${UXDP:-$BUILD/runtime/cli/uxdp}
UXDPCTL=${UXDPCTL:-$BUILD/tools/uxdpctl/uxdpctl}
NETGEN=${NETGEN:-$BUILD/tools/uxdp-netbench/uxdp-netgen}
OBJ=${OBJ:-$BUILD/tools/uxdp-netbench}
CONF=${CONF:-$here/../../xdp_progs}

smoke=0 rounds=5 secs=4 nsecs=3 out= flows=64 lb_flows=16384
progs="xdp_drop xdp_tx xdp_lb xdp_hash_sum"
paths="kernel afxdp dpdk_xdp dpdk_pkt"
while [ $# -gt 0 ]; do
	case $1 in
	--smoke) smoke=1 rounds=1 secs=1 nsecs=1 ;;
	--rounds) rounds=$2; shift ;;
	--seconds) secs=$2; shift ;;
	--null-seconds) nsecs=$2; shift ;;
	--progs) progs=$2; shift ;;
	--paths) paths=$2; shift ;;
	--flows) flows=$2; shift ;;
	--lb-flows) lb_flows=$2; shift ;;
	--out) out=$2; shift ;;
	*) echo "usage: run.sh [--smoke] [--rounds N] [--seconds S] [--progs P] [--paths X]" \
		"[--null-seconds S] [--flows F] [--lb-flows F] [--out FILE]" >&2; exit 2 ;;
	esac
	shift
done
[ $smoke = 1 ] && progs="xdp_drop" 

skip() { echo "SKIP: $*"; exit 77; }
die() { echo "FAIL: $*" >&2; [ -n "${log:-}" ] && [ -s "$log" ] && tail -20 "$log" >&2; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root (namespaces, XDP, AF_XDP)"
command -v ip >/dev/null || skip "no ip(8)"
command -v ethtool >/dev/null || skip "no ethtool (kernel-side counters)"
for f in "$UXDP" "$UXDPCTL" "$NETGEN" "$OBJ/netgen.bpf.o"; do
	[ -e "$f" ] || die "missing $f (build the uxdp, uxdpctl, uxdp-netgen, uxdp_netbench_data targets)"
done
ncpu=$(nproc)
gcpu=0 ucpu=$((ncpu > 1 ? 1 : 0))

id=$$
nsg=nbg$id nsu=nbu$id inst=nb$id
log=$(mktemp /tmp/uxdp-netbench.XXXXXX)
res=$(mktemp /tmp/uxdp-netbench-res.XXXXXX)
pid=
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -INT "$pid"; sleep 1; kill -KILL "$pid" 2>/dev/null
	fi
	ip netns del $nsg 2>/dev/null; ip netns del $nsu 2>/dev/null
	rm -f "$log" "$res"
	"$UXDPCTL" instance delete $inst >/dev/null 2>&1
	rm -rf /var/run/dpdk/$inst
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ing() { ip netns exec $nsg "$@"; }
inu() { ip netns exec $nsu "$@"; }

ip netns add $nsg || die "cannot create namespace"
ip netns add $nsu || die "cannot create namespace"
ip link add g0 netns $nsg type veth peer name u0 netns $nsu || die "cannot create veth"
for e in "$nsg g0 198.18.0.1" "$nsu u0 198.18.0.2"; do
	set -- $e
	ip netns exec $1 sysctl -qw net.ipv6.conf.$2.disable_ipv6=1
	ip netns exec $1 ip addr add $3/24 dev $2
	ip netns exec $1 ip link set dev $2 up
	ip netns exec $1 ip link set dev lo up
done
umac=$(inu cat /sys/class/net/u0/address)
gmac=$(ing cat /sys/class/net/g0/address)
ing "$NETGEN" attach g0 "$OBJ/netgen.bpf.o" --prog netgen_sink || die "cannot attach the sink to g0"
inu python3 -c 'import socket; socket.socket(44, socket.SOCK_RAW).close()' 2>/dev/null ||
	skip "the kernel lacks AF_XDP sockets"

# The traffic: S seconds of 64-byte TCP SYNs to 198.18.250.1:80 over F flows.
gen() { # SECONDS FLOWS
	taskset -c $gcpu ip netns exec $nsg "$NETGEN" send g0 --obj "$OBJ/netgen.bpf.o" \
		--seconds "$1" --size 64 --flows "$2" --dst-mac "$umac" --src-mac "$gmac"
}
# The generator is test_run with live frames: a kernel that refuses them
# (EPERM, seen on 6.18 kernels) leaves this benchmark without traffic.
gen 1 1 >"$log" 2>&1 ||
	{ grep -q "live frames" "$log" && skip "the running kernel refuses BPF_F_TEST_XDP_LIVE_FRAMES ($(tail -1 "$log")): no traffic source"; }
flows_of() { [ "$1" = xdp_lb ] && echo "$lb_flows" || echo "$flows"; }
# Packets the XDP program on u0 has seen (veth's per-queue XDP counter).
kcount() { inu ethtool -S u0 | awk '/rx_queue_[0-9]+_xdp_packets/ { n += $2 } END { print n + 0 }'; }
ucount() { "$UXDPCTL" --json --instance $inst stats 2>/dev/null |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["packets"])' 2>/dev/null || echo 0; }

start_uxdp() { # OBJECT ARGS...
	local o=$1; shift
	AOT_OBJECT=$o taskset -c $ucpu ip netns exec $nsu "$UXDP" --instance $inst "$@" >"$log" 2>&1 &
	pid=$!
	for _ in $(seq 150); do
		grep -q "Ctrl-C stops" "$log" && return 0
		kill -0 $pid 2>/dev/null || die "uxdp exited early: $*"
		sleep 0.1
	done
	die "uxdp did not start: $*"
}
stop_uxdp() {
	kill -INT $pid
	for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
	pid=
	"$UXDPCTL" instance delete $inst >/dev/null
	rm -rf /var/run/dpdk/$inst
}
eal() { echo -l $ucpu --no-huge -m 1024 --no-pci --no-telemetry --file-prefix $inst --log-level 3 "$@"; }

# measure COUNTER: run the generator for secs+1 s and return (to stdout) the
# counter's rate over the middle secs seconds, in Mpps, and the offered rate.
measure() { # COUNTER FLOWS
	local c=$1 a b t0 t1 gout
	gout=$(mktemp /tmp/uxdp-netbench-gen.XXXXXX)
	gen $((secs + 1)) "$2" >"$gout" 2>&1 &
	local g=$!
	sleep 0.5
	a=$($c); t0=$(date +%s.%N)
	sleep "$secs"
	b=$($c); t1=$(date +%s.%N)
	wait $g || { cat "$gout" >&2; rm -f "$gout"; die "generator failed"; }
	local sent=$(awk '/^sent/ { print $(NF-1) }' "$gout")
	rm -f "$gout"
	awk -v a="$a" -v b="$b" -v t0="$t0" -v t1="$t1" -v s="$sent" \
		'BEGIN { printf "%.3f %s\n", (b - a) / (t1 - t0) / 1e6, s }'
}

run_one() { # PROG PATH -> "Mpps offered"
	local p=$1 path=$2 conf=$CONF/$1/$1.conf r
	case $path in
	kernel)
		inu "$NETGEN" attach u0 "$OBJ/$p.bpf.o" --conf "$conf" || die "attach $p"
		r=$(measure kcount $(flows_of $p))
		inu ip link set dev u0 xdp off ;;
	afxdp)
		start_uxdp "$OBJ/$p.aot.o" --afxdp u0
		"$UXDPCTL" --instance $inst apply "$conf" >/dev/null || die "uxdpctl apply $conf"
		r=$(measure ucount $(flows_of $p))
		stop_uxdp ;;
	dpdk_xdp)
		start_uxdp "$OBJ/$p.aot.o" --dpdk -- $(eal --vdev net_af_xdp0,iface=u0)
		"$UXDPCTL" --instance $inst apply "$conf" >/dev/null || die "uxdpctl apply $conf"
		r=$(measure ucount $(flows_of $p))
		stop_uxdp ;;
	dpdk_pkt)
		# AF_PACKET sees what the stack sees: XDP_PASS on u0 lets g0's XDP_TX frames in.
		inu "$NETGEN" attach u0 "$OBJ/netgen.bpf.o" --prog netgen_pass || die "attach pass"
		start_uxdp "$OBJ/$p.aot.o" --dpdk -- $(eal --vdev net_af_packet0,iface=u0)
		"$UXDPCTL" --instance $inst apply "$conf" >/dev/null || die "uxdpctl apply $conf"
		r=$(measure ucount $(flows_of $p))
		stop_uxdp
		inu ip link set dev u0 xdp off ;;
	esac
	echo "$r"
}

echo "# uxdp-netbench: $rounds round(s) x ${secs}s; generator CPU $gcpu, uxdp CPU $ucpu; flows $flows (xdp_lb $lb_flows); kernel $(uname -r)"
for r in $(seq "$rounds"); do
	for p in $progs; do
		for path in $paths; do
			set -- $(run_one $p $path)
			[ $# = 2 ] || die "$p on $path: no measurement"
			printf "round %d %-13s %-9s %8.3f Mpps (offered %s Mpps)\n" $r $p $path $1 $2
			echo "$p $path $1" >>"$res"
		done
	done
done

# The runtime alone: net_null, no NIC, no kernel.  ns/packet = 1e3 / Mpps.
null_run() { # OBJECT PROG-NAME -> Mpps
	local a b t0 t1
	start_uxdp "$1" -p "$2" --dpdk -- $(eal --vdev net_null0,size=64,copy=0)
	sleep 0.3
	a=$(ucount); t0=$(date +%s.%N)
	sleep "$nsecs"
	b=$(ucount); t1=$(date +%s.%N)
	stop_uxdp
	awk -v a="$a" -v b="$b" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.3f\n", (b - a) / (t1 - t0) / 1e6 }'
}
nprogs="netgen:netgen_sink netgen:netgen_pass xdp_drop:xdp_drop_tcp xdp_hash_sum:xdp_hash_sum"
[ $smoke = 1 ] && nprogs="netgen:netgen_sink xdp_drop:xdp_drop_tcp"
for r in $(seq "$rounds"); do
	for np in $nprogs; do
		o=${np%%:*} n=${np#*:}
		m=$(null_run "$OBJ/$o.aot.o" $n) || die "$n on net_null: no measurement"
		printf "round %d %-13s %-9s %8.3f Mpps %7.1f ns/packet\n" $r $n net_null $m \
			$(awk -v m=$m 'BEGIN { printf "%.1f", (m > 0 ? 1e3 / m : 0) }')
		echo "$n net_null $m" >>"$res"
	done
done

echo
echo "# summary: Mpps min / median over $rounds round(s) (net_null: also ns/packet at the median)"
summary=$(python3 - "$res" <<'PY'
import sys, statistics
rows = {}
for line in open(sys.argv[1]):
    p, path, v = line.split()
    rows.setdefault((p, path), []).append(float(v))
for (p, path), v in rows.items():
    med = statistics.median(v)
    ns = " %.1f ns/packet" % (1e3 / med) if path == "net_null" and med > 0 else ""
    print("%-13s %-9s min %7.3f  median %7.3f%s" % (p, path, min(v), med, ns))
PY
)
echo "$summary"
[ -n "$out" ] && echo "$summary" >"$out"
# The smoke test asserts only that every measurement produced a number > 0.
bad=$(awk '$3 <= 0' "$res")
[ -z "$bad" ] || die "no packets counted for: $bad"
exit 0
