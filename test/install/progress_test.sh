#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# cli.progress: long work says what it does on a terminal, and nothing more
# when stderr is not one.  script(1) gives the tools a terminal.
#   - uxdpc on a terminal: a status line (rewritten in place: \r ESC[K)
#     naming the program it lifts and the optimisation; not a terminal:
#     silent; -v: the same steps as lines, and the bitcode it uses.
#   - uxdp --repeat on a terminal without --stats: a packet count every
#     second; not a terminal: only the final counters.
#   - uxdp --stats: one line of rates a second (the same for every driver:
#     runtime/datapath), the table only at the end.
#   - uxdp-bench on a terminal: a status line naming the program, the
#     engine and the round, with an ETA; not a terminal: only the report;
#     -v: the steps as lines.
#
# usage: progress_test.sh PREFIX_BIN
set -uo pipefail
BIN=$1
export PATH=$BIN:/usr/bin:/bin
EX=$(dirname "$BIN")/share/doc/uxdp/examples
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
command -v script >/dev/null || { echo "SKIP: no script(1)"; exit 77; }

script -qec "uxdpc $EX/xdp_len_hist.bpf.o -O3 -o tty.aot.o" /dev/null >tty.out ||
	fail "uxdpc on a terminal: $(cat tty.out)"
grep -q "lifting xdp_len_hist" tty.out || fail "uxdpc on a terminal: no program named"
grep -q "optimising 1 program (-O3)" tty.out || fail "uxdpc on a terminal: no optimising step"
grep -q $'\r\e\\[K' tty.out || fail "uxdpc on a terminal: the status line is not rewritten"
[ -s tty.aot.o ] || fail "uxdpc on a terminal wrote nothing"

uxdpc "$EX/xdp_len_hist.bpf.o" -O3 -o pipe.aot.o 2>pipe.err || fail "uxdpc"
[ ! -s pipe.err ] || fail "uxdpc not on a terminal printed: $(cat pipe.err)"
cmp -s tty.aot.o pipe.aot.o || fail "uxdpc wrote another object on a terminal"

uxdpc -v "$EX/xdp_len_hist.bpf.o" -O3 -o v.aot.o 2>v.err || fail "uxdpc -v"
for want in "helpers: " "\[1/1\] xdp_len_hist.bpf.o: lifting xdp_len_hist" \
	"optimising 1 program" "writing v.aot.o" "wrote v.aot.o (1 program)"; do
	grep -q "^uxdpc: .*$want" v.err || fail "uxdpc -v: no line '$want' in: $(cat v.err)"
done
! grep -q $'\r' v.err || fail "uxdpc -v: status line escapes in the lines"

# uxdp: a run of a few seconds, stopped by SIGINT, which prints the counters.
run="uxdp --object pipe.aot.o --pcap $EX/traffic.pcap --repeat 1000000000"
script -qec "timeout -s INT 3 $run" /dev/null >tty.out
grep -Eq "uxdp: [0-9]+ packets in [0-9]+ s \([0-9.]+ Mpps\)" tty.out ||
	fail "uxdp --repeat on a terminal: no packet count: $(head -c 300 tty.out)"
grep -q "^XDP_PASS" tty.out || fail "uxdp on a terminal: no final counters"
timeout -s INT 2 $run >pipe.out 2>pipe.err
# no progress; the capture's runts are a result, said once at the end
grep -v "runt frames .* not run" pipe.err >pipe.progress || true
[ ! -s pipe.progress ] || fail "uxdp not on a terminal printed progress: $(cat pipe.progress)"
grep -q "^XDP_PASS" pipe.out || fail "uxdp: no final counters"

# --stats: a line a second, e.g. "   1.0 s  14.48 Mpps  23.7 Gb/s  drop 0 pass 14.48M/s tx 0 ..."
timeout -s INT 3 $run --stats >stats.out 2>stats.err
line='^ *[0-9]+\.[0-9] s +[0-9.]+ [kMG]?pps +[0-9.]+ [kMG]?b/s  drop [^ ]+ pass [0-9.]+[kMG]?/s tx [^ ]+ redirect [^ ]+ aborted [^ ]+$'
n=$(grep -Ec "$line" stats.out)
[ "$n" -ge 1 ] || fail "uxdp --stats: no rate line: $(head -c 400 stats.out)"
[ "$(grep -c '^verdict ' stats.out)" = 1 ] || fail "uxdp --stats: not one table: $(cat stats.out)"
[ "$(grep -Evc "$line" stats.out)" = 7 ] ||
	fail "uxdp --stats: more than the rate lines and the 7-line table: $(cat stats.out)"
tail -7 stats.out | head -1 | grep -q "^verdict " || fail "uxdp --stats: the table is not last"

# uxdp-bench: three rounds of two uxdpc levels, no kernel (root) or native (clang) engine.
bench="uxdp-bench $EX/xdp_len_hist.bpf.o --no-kernel --no-native --levels 0,3 --iterations 20000 --rounds 3"
# wide enough for the whole status line whatever terminal runs the test
script -qec "stty cols 200 2>/dev/null; $bench" /dev/null >tty.out || fail "uxdp-bench on a terminal: $(tail -c 400 tty.out)"
for want in "compiling uxdp -O0" "warming up" "round 3/3, uxdp -O3 (empty program)"; do
	grep -Fq "uxdp-bench: [1/1] xdp_len_hist: $want" tty.out ||
		fail "uxdp-bench on a terminal: no '$want'"
done
grep -Eq "round 2/3, uxdp -O0 \(ETA [0-9]+(s|m[0-9]{2}s)\)" tty.out ||
	fail "uxdp-bench on a terminal: no ETA"
grep -q $'\r\e\\[K' tty.out || fail "uxdp-bench on a terminal: the status line is not rewritten"
grep -q "uxdp -O3" tty.out || fail "uxdp-bench on a terminal: no report"
$bench >pipe.out 2>pipe.err || fail "uxdp-bench: $(cat pipe.err)"
[ ! -s pipe.err ] || fail "uxdp-bench not on a terminal printed: $(cat pipe.err)"
grep -q "uxdp -O3" pipe.out || fail "uxdp-bench: no report"
$bench -v >v.out 2>v.err || fail "uxdp-bench -v: $(cat v.err)"
for want in "compiling uxdp -O3 (empty program)" "probing 4 engines" "round 1/3, uxdp -O0" \
	"round 3/3, uxdp -O3 (empty program)"; do
	grep -Fq "uxdp-bench: [1/1] xdp_len_hist: $want" v.err ||
		fail "uxdp-bench -v: no line '$want' in: $(cat v.err)"
done
[ "$(grep -c 'round' v.err)" = 12 ] || fail "uxdp-bench -v: not 3 rounds of 4 runs: $(cat v.err)"
! grep -q $'\r' v.err || fail "uxdp-bench -v: status line escapes in the lines"
echo "cli.progress: ok"
