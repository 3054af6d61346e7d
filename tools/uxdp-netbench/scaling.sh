#!/bin/bash
# SPDX-License-Identifier: MIT
# scaling.sh [--rounds N] [--seconds S] [--progs "xdp_lb xdp_firewall xdp_acl"]
#            (also xdp_drop, xdp_tx, xdp_hash_sum: no state, the harness's ceiling;
#            xdpfilt_dny_all: xdp-tools' object with 4096 rules a map, whose
#            rule counters are per-CPU hash values both workers write)
#            [--packets N] [--kinds LIST] [--smoke] [--perf DIR] [--rss 4tuple|symmetric|src]
#            [--map-size MAP=N ...] [--map-flags MAP=N ...] [--png FILE] [--one-cpu N]
#
# Issue 10 item 4: does a second worker double the rate when both share the
# program's maps?  uxdp --dpdk on net_pcap with infinite_rx=1, one rx_pcap
# per queue, each holding >= 10k distinct IPv4 TCP/UDP flows: one uxdp-corpus
# capture split over the queues as a NIC's RSS would (rss_split.py: Toeplitz
# over addresses and ports, so each connection on one queue), the realistic-state builds of xdp_lb / xdp_firewall /
# xdp_acl (tools/uxdp-bench/sets/realistic) with their state from
# uxdp-bench-state.  Mpps with -l 0 (one queue) and -l 0-1 (two queues),
# interleaved in rounds, min / median, and the ratio of each round's two
# runs (min / median / max: the host's speed drifts); the LRU hit rate of each run from the
# program's own stats map (xdp_lb: 1 - new flows / forwarded; xdp_firewall:
# 1 - new connections / (passed + dropped for no connection), counted over
# the measured seconds; xdp_acl has no LRU).  Each run starts from fresh maps
# filled by --config before the first packet.  A benchmark, not a test: nothing here asserts a rate.
# Two busy-polling lcores take both CPUs of a 2-CPU machine: anything else
# running preempts them and the ratio then measures the load, so each run
# also records the 1-minute load average at its end, and the table the
# highest of them (about 2 with the two lcores alone; more: the figures are
# not clean).  (The lcores' own CPU time from /proc/PID/task/N/schedstat
# was tried as a normaliser and gave impossible rates on this VM under
# load: it is not used.)  Before each run, uxdp-line-transfer measures what a
# cache line takes from CPU 0 to CPU 1: a program whose workers write shared
# lines pays it per such packet, and in a VM it changes when the host moves
# the vCPUs (26-38 ns or 170-206 ns, runs seconds apart, on the AMD VM of
# docs/benchmarks-drivers.md).  The table gives its range.
# --packets: per queue on average (default 16384: a 32768-packet capture,
# ~13k distinct flows per queue).  net_pcap's
# infinite_rx copies the whole pcap into mbufs of uxdp's pool at queue set-up,
# so the pool must hold every packet of every queue: uxdp gets --mbufs for
# both queues' captures and the rings (docs/benchmarks-drivers.md).
# --kinds: the uxdp-corpus kinds (default ipv4-tcp,ipv4-udp,http-request,
# dns-query; half of the plain TCP/UDP packets are replies, from one of the
# corpus's four servers).
# --rss: how the capture is spread.  4tuple (the default): Toeplitz over
# addresses and ports with the key NICs default to.  symmetric: the same
# with the symmetric key (0x6d5a repeated) stateful applications configure,
# so a connection's replies share its requests' queue.  src: the source
# address only, so state kept per source (xdp_firewall's rate table) has
# one writer.  (rss_split.py --symmetric / --src.)
# --map-size MAP=N: passed to uxdpc (repeatable), as a loader sets
# max_entries: `--map-size lb_conns=2048` gives xdp_lb an LRU far smaller
# than its flows, so most packets insert (the LRU hit rate shows how many).
# --map-flags MAP=N: the same for map_flags: `--map-flags lb_conns=2` makes
# xdp_lb's LRU one with per-CPU lists (BPF_F_NO_COMMON_LRU), which takes no
# global lock (runtime/maps/lru.h), as a loader would.
# --one-cpu N: the CPU of the one-lcore runs (default 0; two lcores always
# run on 0-1).  CPU 0 also takes the host's and the script's other work,
# which made one lcore's rate move by 2x between rounds on the AMD VM.
# --png FILE: the runs as a bar chart (scaling_chart.py, gnuplot): Mpps
# with one and two lcores per program, the ratio, the 1.8x mark.
# --perf DIR: record each run's measured seconds with perf (cpu-clock) into
# DIR/PROG.LCORES.rROUND.data, with the process's maps and the object beside
# it, for tools/uxdp-netbench/perf_shares.py (where the workers' time went,
# per thread; the program's hottest instructions).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-$(cd "$here/../.." && pwd)/build}
rounds=3 secs=3 progs="xdp_lb xdp_firewall xdp_acl" npkts=16384 perfdir= rss=
map_sizes=() png= one_cpu=0
kinds=ipv4-tcp,ipv4-udp,http-request,dns-query
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift ;;
	--seconds) secs=$2; shift ;;
	--progs) progs=$2; shift ;;
	--packets) npkts=$2; shift ;;
	--kinds) kinds=$2; shift ;;
	--smoke) rounds=1 secs=1 ;;
	--perf) perfdir=$2; shift ;;
	--map-size) map_sizes+=(--map-size "$2"); shift ;;
	--map-flags) map_sizes+=(--map-flags "$2"); shift ;;
	--png) png=$2; shift ;;
	--one-cpu) one_cpu=$2; shift ;;
	--rss)
		case $2 in
		src) rss=--src ;;
		symmetric) rss=--symmetric ;;
		4tuple) rss= ;;
		*) echo "scaling.sh: --rss takes 4tuple, symmetric or src" >&2; exit 2 ;;
		esac
		shift ;;
	-h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d'; exit 0 ;;
	*) echo "scaling.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done
UXDP=$BUILD/runtime/cli/uxdp
UXDPCTL=$BUILD/tools/uxdpctl/uxdpctl
UXDPC=$BUILD/compiler/uxdpc
STATE=$BUILD/tools/uxdp-bench/uxdp-bench-state
LINE_TRANSFER=$BUILD/tools/uxdp-netbench/uxdp-line-transfer
CORPUS=$BUILD/tools/uxdp-corpus/uxdp-corpus
SETS=$BUILD/tools/uxdp-bench/sets
for f in "$UXDP" "$UXDPCTL" "$UXDPC" "$STATE" "$CORPUS" "$LINE_TRANSFER"; do
	[ -x "$f" ] || { echo "scaling.sh: missing $f (cmake --build $BUILD)" >&2; exit 1; }
done
[ "$(nproc)" -ge 2 ] || { echo "scaling.sh: needs 2 CPUs" >&2; exit 77; }
if [ -n "$perfdir" ]; then
	command -v perf >/dev/null || { echo "scaling.sh: --perf needs perf" >&2; exit 1; }
	mkdir -p "$perfdir"
fi
work=$(mktemp -d /tmp/uxdp-scaling.XXXXXX)
inst=uxdpscal$$
# xdp_firewall's object also holds its tail-call stages: name the entry.
declare -A prog_opt=([xdp_firewall]="-p xdp_firewall")
pid=
cleanup() {
	[ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null || true
	rm -rf "$work" /var/run/dpdk/$inst
	"$UXDPCTL" instance delete $inst >/dev/null 2>&1 || true
}
trap cleanup EXIT

# One capture, 65535 flows to draw from, split over the queues as RSS would:
# >= 10k distinct flows per queue, checked.
"$CORPUS" -n $((2 * npkts)) -s 31 -f 65535 -k "$kinds" \
	-o "$work/all.pcap"
python3 "$here/rss_split.py" $rss "$work/all.pcap" 2 "$work/q0.pcap" "$work/q1.pcap" | tee "$work/split"
awk '{ if ($(NF - 1) < 10000) bad = 1 } END { exit bad }' "$work/split" || [ "$npkts" -lt 16384 ] ||
	{ echo "scaling.sh: a queue has fewer than 10k flows" >&2; exit 1; }

ucount() { "$UXDPCTL" --json --instance $inst stats 2>/dev/null |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["packets"])' 2>/dev/null || echo 0; }
# u64 counter INDEX of array map MAP, summed over the CPUs of a per-CPU one
# (little-endian bytes in uxdpctl's JSON: "value", or "values" per CPU).
counter() { "$UXDPCTL" --json --instance $inst map dump "$1" |
	python3 -c 'import json,sys
d = json.load(sys.stdin)
if not isinstance(d, list):
    sys.exit("scaling.sh: map dump '"$1"': %s" % d)
u64 = lambda v: sum(int(b, 16) << (8 * i) for i, b in enumerate(v[:8]))
for e in d:
    if int(e["key"][0], 16) == '"$2"':
        print(sum(u64(c["value"]) for c in e["values"]) if "values" in e else u64(e["value"]))' ; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }
lru_counters() { # PROG -> "lookups new" (cumulative)
	case $1 in
	xdp_lb) echo "$(counter lb_stats 1) $(counter lb_stats 2)" ;;
	xdp_firewall) echo "$(($(counter fw_stats 6) + $(counter fw_stats 5))) $(counter fw_stats 7)" ;;
	*) echo "0 0" ;;
	esac
}

# ns a cache line takes between the two CPUs, just before a run (uxdp-line-transfer).
transfer_ns() { "$LINE_TRANSFER" 0 1 2>/dev/null || echo 0; }

run() { # PROG LCORES -> "Mpps hit% load transfer-ns"
	local aot=$work/$1.aot.o vdev before after c0 c1 xfer lcores
	# No tx_pcap: with infinite_rx, net_pcap then drops what is sent (its tx_drop
	# mode); writing every XDP_TX frame to a file would measure libpcap's writer.
	vdev="net_pcap0,rx_pcap=$work/q0.pcap,infinite_rx=1"
	lcores=$one_cpu
	[ "$2" = 0 ] || lcores=0-1
	[ "$2" = 0 ] || vdev="net_pcap0,rx_pcap=$work/q0.pcap,rx_pcap=$work/q1.pcap,infinite_rx=1"
	xfer=$(transfer_ns)
	"$UXDPCTL" instance delete $inst >/dev/null
	# Fresh maps per run (per-CPU shapes follow the lcore count), state first.
	"$UXDP" --object "$aot" ${prog_opt[$1]:-} --instance $inst --config "$work/$1.conf" --mbufs $((2 * npkts + 16384)) --dpdk -- -l "$lcores" --no-huge -m 2048 --no-pci \
		--no-telemetry --log-level 3 --file-prefix $inst --vdev "$vdev" >"$work/log" 2>&1 &
	pid=$!
	for _ in $(seq 1200); do
		grep -q "Ctrl-C stops" "$work/log" && break
		kill -0 $pid 2>/dev/null || { cat "$work/log" >&2; echo "scaling.sh: uxdp exited" >&2; exit 1; }
		sleep 0.1
	done
	sleep 0.5
	before=$(lru_counters "$1")
	c0=$(ucount)
	if [ -n "$perfdir" ]; then
		perf record -q -e cpu-clock -F 2000 -p $pid -o "$perfdir/$1.$2.r$r.data" -- \
			sleep "$secs" >/dev/null 2>&1
		cp /proc/$pid/maps "$perfdir/$1.$2.r$r.maps"
		cp "$aot" "$perfdir/"
	else
		sleep "$secs"
	fi
	c1=$(ucount)
	after=$(lru_counters "$1")
	kill -INT $pid
	wait $pid 2>/dev/null || true
	pid=
	rm -rf /var/run/dpdk/$inst
	awk -v c0="$c0" -v c1="$c1" -v s="$secs" -v b="$before" -v a="$after" -v ld="$(loadavg)" -v xf="$xfer" 'BEGIN {
		split(b, x, " "); split(a, y, " "); l = y[1] - x[1]; n = y[2] - x[2]
		h = l > 0 ? sprintf("%.1f%%", 100 * (1 - n / l)) : "n/a"
		printf "%.3f %s %s %d\n", (c1 - c0) / s / 1e6, h, ld, xf }'
}

res=$work/results
for p in $progs; do
	# The realistic-state builds; any other program of the tree (xdp_drop,
	# xdp_tx: no map in the way, the harness's own ceiling) without state.
	obj=$SETS/$p.bpf.o
	[ -f "$obj" ] || obj=$BUILD/tools/uxdp-netbench/$p.bpf.o
	[ -f "$obj" ] || obj=/usr/lib/x86_64-linux-gnu/bpf/$p.o # xdp-tools'
	[ -f "$obj" ] || { echo "scaling.sh: no $p.bpf.o in $SETS or $BUILD/tools/uxdp-netbench, no xdp-tools $p.o" >&2; exit 1; }
	"$UXDPC" "$obj" -O3 "${map_sizes[@]}" -o "$work/$p.aot.o" >/dev/null
	case $p in
	xdp_lb) "$STATE" lb "$work/all.pcap" 16384 >"$work/$p.conf" ;;
	xdp_firewall) "$STATE" fw "$work/all.pcap" 12288 >"$work/$p.conf" ;;
	xdp_acl) "$STATE" acl "$work/all.pcap" 12288 >"$work/$p.conf" ;;
	xdpfilt_*_all) "$STATE" xdpfilt "$work/all.pcap" ports,ipv4,ipv6,ethernet 4096 >"$work/$p.conf" ;;
	*) : >"$work/$p.conf" ;;
	esac
	for r in $(seq "$rounds"); do
		# Which lcore count goes first alternates: on the AMD VM a program's
		# first run came out at half the rate of its others, and always on
		# one lcore it would have raised the ratio.
		order="0 0-1"
		[ $((r % 2)) = 0 ] && order="0-1 0"
		for l in $order; do
			v=$(run "$p" "$l")
			set -- $v
			echo "round $r $p -l $([ "$l" = 0 ] && echo "$one_cpu" || echo "$l"): $1 Mpps, LRU hit $2, load average $3, line transfer $4 ns"
			echo "$p $l $v" >>"$res"
		done
	done
	"$UXDPCTL" instance delete $inst >/dev/null
done
echo
echo "machine: $(nproc) CPUs, $(uptime | sed 's/.*load average/load average/')"
echo
echo "| program | -l $one_cpu Mpps min / median | -l 0-1 Mpps min / median | 2 / 1 (medians) | 2 / 1 per round min / median / max | LRU hit (last run, 1 / 2 lcores) | highest load average | line transfer ns min / max |"
echo "|---|---:|---:|---:|---:|---|---:|---:|"
# The per-round ratios pair each round's two runs, taken one after the
# other: on a host whose speed drifts over minutes they compare like with
# like, and their spread shows how far one run of the script can be trusted.
for p in $progs; do
	awk -v p="$p" '$1 == p { v[$2] = v[$2] " " $3; h[$2] = $4; if ($5 + 0 > ld) ld = $5 + 0
		if (xlo == "" || $6 + 0 < xlo) xlo = $6 + 0; if ($6 + 0 > xhi) xhi = $6 + 0
		half[$2] = $3; if (("0" in half) && ("0-1" in half)) {
			if (half["0"] > 0) pr = pr " " half["0-1"] / half["0"]
			delete half } }
	# sorted(s, a): the numbers of s into a, ascending; their count.  Sets med.
	function sorted(s, a,   n, i, j, t) { n = split(s, a, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		med = n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2; return n }
	function stats(s,   a) { sorted(s, a); return sprintf("%.3f / %.3f", a[1], med) }
	function spread(s,   a, n) { n = sorted(s, a); if (!n) return "n/a"
		return sprintf("%.2f / %.2f / %.2f", a[1], med, a[n]) }
	END { s1 = stats(v["0"]); m1 = med; s2 = stats(v["0-1"]); m2 = med
		printf "| %s | %s | %s | %.2f | %s | %s / %s | %.2f | %d / %d |\n", p, s1, s2, (m1 > 0 ? m2 / m1 : 0),
			spread(pr), h["0"], h["0-1"], ld, xlo, xhi }' "$res"
done
[ -z "$png" ] || python3 "$here/scaling_chart.py" "$res" "$png"
