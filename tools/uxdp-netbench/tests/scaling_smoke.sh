#!/bin/bash
# SPDX-License-Identifier: MIT
# scaling_smoke.sh - scaling.sh --smoke on xdp_acl: both runs (1 and 2 lcores)
# must report a rate above zero and the table its row.  Measures nothing:
# a smoke run on a shared machine says only that the script works.
# Environment: BUILD (the build tree).  Exit 0 pass, 1 fail, 77 skip.
[ "$(id -u)" = 0 ] || { echo "SKIP: DPDK needs root here"; exit 77; }
[ "$(nproc)" -ge 2 ] || { echo "SKIP: needs 2 CPUs"; exit 77; }
here=$(cd "$(dirname "$0")/.." && pwd)
png=$(mktemp /tmp/scaling-smoke.XXXXXX.png)
trap 'rm -f "$png"' EXIT
out=$(BUILD=$BUILD bash "$here/scaling.sh" --smoke --progs xdp_acl --png "$png" 2>&1)
rc=$?
echo "$out"
[ $rc = 0 ] || { echo "FAIL: scaling.sh exited $rc"; exit 1; }
for l in 0 0-1; do
	grep -Eq "^round 1 xdp_acl -l $l: [0-9.]+ Mpps" <<<"$out" || { echo "FAIL: no -l $l run"; exit 1; }
	grep -Eq "^round 1 xdp_acl -l $l: 0\.000 Mpps" <<<"$out" && { echo "FAIL: -l $l counted nothing"; exit 1; }
	grep -Eq "^round 1 xdp_acl -l $l: .*line transfer [1-9][0-9]* ns" <<<"$out" ||
		{ echo "FAIL: -l $l has no line transfer time"; exit 1; }
done
grep -Eq '^\| xdp_acl \| [0-9.]+ / [0-9.]+ \| [0-9.]+ / [0-9.]+ \| [0-9.]+ \| [0-9.]+ / [0-9.]+ / [0-9.]+ \|' <<<"$out" ||
	{ echo "FAIL: no table row (with the per-round ratio)"; exit 1; }
grep -Eq 'q[01].pcap: [0-9]+ frames, [0-9]+ flows' <<<"$out" || { echo "FAIL: no RSS split"; exit 1; }
[ "$(head -c 4 "$png" | tail -c 3)" = PNG ] || { echo "FAIL: --png wrote no picture"; exit 1; }
echo PASS
