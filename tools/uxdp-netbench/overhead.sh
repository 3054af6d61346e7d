#!/bin/bash
# SPDX-License-Identifier: MIT
# overhead.sh [--rounds N] [--seconds S] [--cpu C] [UXDP ...]
#
# uxdp's own cost per packet on DPDK net_null, separated from the PMD's and
# the program's: in interleaved rounds (round r: every variant, then r+1),
#   base-bulk  uxdp-nullbase --free bulk   rx burst + rte_pktmbuf_free_bulk()
#   base-raw   uxdp-nullbase --free raw    rx burst + prefree + one mempool put
#   UXDP       uxdp --dpdk with the empty XDP_DROP program (netgen_sink),
#              for each uxdp binary given (default $BUILD/runtime/cli/uxdp;
#              several binaries compare builds within the same rounds)
# all with the same EAL arguments, pinned to one CPU.  Prints ns/packet
# min / median per variant.  The empty program's own cost is
# uxdp-bench's (tools/uxdp-bench, xdp_empty.bpf.o), not repeated here.
set -eu
BUILD=${BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
rounds=5 secs=2 cpu=1
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift ;;
	--seconds) secs=$2; shift ;;
	--cpu) cpu=$2; shift ;;
	*) break ;;
	esac
	shift
done
uxdps=("$@")
[ ${#uxdps[@]} -gt 0 ] || uxdps=("$BUILD/runtime/cli/uxdp")
NB=$BUILD/tools/uxdp-netbench/uxdp-nullbase
SINK=$BUILD/tools/uxdp-netbench/netgen.aot.o
UXDPCTL=${UXDPCTL:-$BUILD/tools/uxdpctl/uxdpctl}
for f in "$NB" "$SINK" "$UXDPCTL" "${uxdps[@]}"; do
	[ -e "$f" ] || { echo "overhead.sh: missing $f" >&2; exit 1; }
done
pfx=uxdp-ovh.$$
inst=uxdpovh$$ # an instance name is letters, digits, '-' and '_'
# A round that measured nothing ends the run: an empty figure is no figure.
need() { # NAME VALUE
	[ -n "$2" ] || { echo "overhead.sh: $1 measured nothing" >&2; exit 1; }
}
eal() { echo -l $cpu --no-huge -m 1024 --no-pci --no-telemetry --log-level 3 \
	--file-prefix $pfx --vdev net_null0,size=64,copy=0; }
res=$(mktemp)
# uxdp keeps a --dpdk instance's maps after it exits (for the control
# plane): a private one, removed here, so nothing is left in /dev/shm.
trap 'rm -f "$res"; "$UXDPCTL" instance delete $inst >/dev/null 2>&1; rm -rf /var/run/dpdk/$pfx' EXIT

base() { # MODE -> ns/packet
	"$NB" --free "$1" --seconds "$secs" -- $(eal) | awk '{ print $8 }'
}
# uxdp prints the final counters on SIGINT; total pkts/s is over the run.
run_uxdp() { # BINARY -> ns/packet
	timeout -s INT "$(awk -v s="$secs" 'BEGIN { print s + 0.5 }')" \
		taskset -c $cpu "$1" --object "$SINK" -p netgen_sink --instance $inst --dpdk -- $(eal) |
		awk '$1 == "total" { printf "%.2f\n", 1e9 / $4 }'
}

for r in $(seq "$rounds"); do
	for m in bulk raw; do
		v=$(base $m)
		need "base-$m" "$v"
		echo "round $r base-$m $v ns/packet"
		echo "base-$m $v" >>"$res"
	done
	i=0
	for u in "${uxdps[@]}"; do
		v=$(run_uxdp "$u")
		need "uxdp[$i] ($u)" "$v"
		echo "round $r uxdp[$i] $v ns/packet ($u)"
		echo "uxdp[$i] $v" >>"$res"
		i=$((i + 1))
	done
done
echo "# ns/packet over $rounds round(s) of ${secs}s, CPU $cpu: min / median"
python3 - "$res" <<'PY'
import sys, statistics
rows = {}
for line in open(sys.argv[1]):
    k, v = line.split()
    rows.setdefault(k, []).append(float(v))
for k, v in rows.items():
    print("%-10s %6.2f / %6.2f" % (k, min(v), statistics.median(v)))
PY
