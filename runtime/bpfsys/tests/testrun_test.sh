#!/bin/bash
# SPDX-License-Identifier: MIT
#
# testrun_test.sh - BPF_PROG_TEST_RUN "through uxdp": the libbpf program
# testrun (Debian's libbpf.so.1) loads testrun.bpf.o and calls
# bpf_prog_test_run_opts() with good and bad arguments, once on the kernel
# and once under uxdp-run against a uxdpd; every line (return, retval,
# data_out, ctx_out, the maps' contents) must be the same.  Then the
# refusals the kernel does not have: BPF_F_TEST_XDP_LIVE_FRAMES; and the
# maps the runs wrote, read by uxdpctl from the daemon's instance.
#
# Instance and socket are named after $$ and removed by the EXIT trap.
# Environment (CMake): UXDPD UXDPCTL RUN PYTHON TESTRUN OBJ.
# Exit: 0 pass, 1 fail, 77 skip.
. "$(dirname "$0")/daemon_lib.sh" uxtr testrun
need_root "BPF_PROG_TEST_RUN on the kernel"

# Pinned to one CPU on both sides: bpf_get_smp_processor_id() and per-CPU slots agree.
taskset -c 0 "$TESTRUN" "$OBJ" >$tmp/kernel.out 2>$tmp/kernel.log
rc=$?
[ $rc = 77 ] && skip "the kernel refuses BPF here"
runs=49
# A kernel built without bpf_xdp_adjust_meta (seen: 6.18 kernels) cannot be
# the oracle for the metadata case: both sides then run the object built
# without it (op 5 takes the default path), and every other case is compared.
if [ $rc != 0 ] && grep -q "cannot use helper bpf_xdp_adjust_meta" $tmp/kernel.log; then
	echo "the running kernel does not offer bpf_xdp_adjust_meta to XDP programs: metadata writes not compared"
	OBJ=$OBJ_NO_META
	taskset -c 0 "$TESTRUN" "$OBJ" >$tmp/kernel.out 2>$tmp/kernel.log
	rc=$?
fi
[ $rc = 0 ] || fail "testrun on the kernel: exit $rc"
# A kernel that refuses live frames outright (EPERM, seen on the same
# kernels) is no oracle for their argument checks: that one line is not compared.
live_filter=cat
if grep -qx "live-batch-big: ret=EPERM" $tmp/kernel.out; then
	echo "the running kernel refuses live frames (EPERM): live-batch-big not compared"
	live_filter="grep -v ^live-batch-big:"
	runs=48
fi

start_pcap_uxdpd

taskset -c 0 "$RUN" --instance $inst "$TESTRUN" "$OBJ" >$tmp/uxdp.out 2>$tmp/uxdp.log ||
	fail "testrun under uxdp-run: exit $?"
$live_filter $tmp/kernel.out >$tmp/kernel.cmp
$live_filter $tmp/uxdp.out >$tmp/uxdp.cmp
diff -u $tmp/kernel.cmp $tmp/uxdp.cmp || fail "the kernel and uxdp differ"
# Equal outputs say nothing if the calls never ran: every one of them must have.
[ "$(grep -c ': ret=' $tmp/uxdp.cmp)" = $runs ] && [ "$(grep -c '^map ' $tmp/uxdp.cmp)" = 2 ] ||
	fail "not all $runs test runs and 2 maps were compared"
echo "kernel and uxdp agree on $(grep -c ': ret=' $tmp/uxdp.cmp) test runs and $(grep -c '^map ' $tmp/uxdp.cmp) maps"
grep -E '^(repeat1000|op0):' $tmp/kernel.log $tmp/uxdp.log | sed 's/^/  /'

# The runs' map writes are in the instance, where the data plane reads them
# (before the next load, whose BPF_MAP_CREATE makes the maps anew).
# Key 42 was counted by the 1000 runs of "repeat1000".
"$UXDPCTL" --instance $inst -j map dump seen >$tmp/seen.log 2>&1 || fail "uxdpctl map dump seen"
"$PYTHON" - $tmp/seen.log <<'PY' || fail "the test runs' map writes are not in the instance"
import json, sys
e = {bytes(int(b, 16) for b in x["key"]): bytes(int(b, 16) for b in x["value"])
     for x in json.load(open(sys.argv[1]))}
assert e.get((42).to_bytes(4, "little")) == (1000).to_bytes(8, "little"), e
PY

# A program this process did not load: Debian's bpftool, unmodified, runs
# `prog run` on a program another process loaded (a pin on the kernel; a
# `uxdpctl prog load` in uxdpd), with frames for four of its paths (the
# byte after the MAC addresses picks one: grow the head, cut it, cut the
# tail, grow the tail); the return values and data_out bytes must agree.
# Under the layer the program comes from uxdpd (PROG_OBJECT) and is
# compiled here as the daemon compiled it.
foreign() { # RUN-PREFIX PROG-SPEC -> "op N: retval R, data_out HEX" lines
	local op
	for op in 1 2 3 4; do
		"$PYTHON" -c 'import sys; sys.stdout.buffer.write(bytes(12) + bytes([int(sys.argv[1]), 0]) + bytes(range(50)))' \
			$op >$tmp/f$op.in
		prog_run "op $op" "$1" "$2" $tmp/f$op.in
	done
}
if command -v bpftool >/dev/null; then
	mount_bpffs
	bpftool prog load "$OBJ" $tmp/bpffs/tr type xdp || fail "bpftool prog load on the kernel"
	foreign "" "pinned $tmp/bpffs/tr" >$tmp/foreign.kernel
	rm $tmp/bpffs/tr
	"$UXDPCTL" --instance $inst prog load "$OBJ" >$tmp/fload.log 2>&1 ||
		fail "uxdpctl prog load: $(cat $tmp/fload.log)"
	fid=$(grep -o '[0-9][0-9]*' $tmp/fload.log | tail -1)
	foreign "$RUN --instance $inst" "id $fid" >$tmp/foreign.uxdp
	diff -u $tmp/foreign.kernel $tmp/foreign.uxdp || fail "prog run of another process's program differs"
	[ "$(grep -c 'Return value: [0-9]*, data_out [0-9a-f]\{40,\}$' $tmp/foreign.uxdp)" = 4 ] ||
		fail "prog run of another process's program: not four runs with output"
	echo "bpftool prog run of program $fid, loaded by uxdpctl: the kernel's 4 results"
else
	echo "no bpftool: the run of another process's program was not tested"
fi

# What the kernel serves and uxdp refuses, with its reason.
"$RUN" --instance $inst "$TESTRUN" "$OBJ" live >$tmp/live.out 2>$tmp/live.log
grep -qx "live: ret=EOPNOTSUPP" $tmp/live.out || fail "live frames: $(cat $tmp/live.out)"
grep -q "BPF_F_TEST_XDP_LIVE_FRAMES" $tmp/live.log || fail "live frames: no reason given"
"$RUN" --instance $inst "$TESTRUN" "$OBJ" frags >$tmp/frags.out 2>$tmp/frags.log
[ "$(grep -c ': ret=EOPNOTSUPP$' $tmp/frags.out)" = 3 ] || fail "fragments: $(cat $tmp/frags.out)"
grep -q "fragments" $tmp/frags.log || fail "fragments: no reason given"
echo "refused with a reason: live frames, and $(wc -l <$tmp/frags.out) runs that need fragments"

echo "PASS"
