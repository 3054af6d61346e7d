#!/bin/sh
# SPDX-License-Identifier: MIT
# fuzz.sh - build the libFuzzer targets of test/fuzz and run each for a while.
#
#   scripts/fuzz.sh [elf] [lift] [loader]     (default: all three)
#
# Environment:
#   FUZZ_SECONDS  run time per target (default 60)
#   BUILD_DIR     build directory (default build-fuzz, next to this script's ..)
#   JOBS          parallel build jobs (default: nproc)
#
# The whole tree is built with clang-19, ASan/UBSan and coverage
# instrumentation (UXDP_FUZZ, UXDP_SANITIZE): a fuzzer only sees the code it
# is linked with if that code is instrumented.  Each target keeps a working
# corpus in BUILD_DIR/test/fuzz/work/<target> across runs, starts from the
# seeds generated at build time, and writes crashing inputs to
# BUILD_DIR/test/fuzz/crashes/<target>/.  A crash of a fixed bug belongs in
# test/fuzz/regressions/<target>/ (see test/fuzz/README.md).
# Exit status: 0 no crash, 1 some target crashed, 2 build or usage error.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$src/build-fuzz}
seconds=${FUZZ_SECONDS:-60}
jobs=${JOBS:-$(nproc)}
targets=${*:-elf lift loader confine}

for t in $targets; do
	case $t in
	elf | lift | loader | confine) ;;
	*) echo "fuzz.sh: unknown target '$t' (elf, lift, loader, confine)" >&2; exit 2 ;;
	esac
done

CC=clang-19 CXX=clang++-19 cmake -S "$src" -B "$build" -DUXDP_FUZZ=ON -DUXDP_SANITIZE=ON \
	>"$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 2; }
# The fuzzers and their seeds only: the rest of the tree (libuxdp.so among
# it) is not made to link with the fuzzer's instrumentation.
fuzzers=
for t in $targets; do
	fuzzers="$fuzzers fuzz_$t"
done
cmake --build "$build" -j "$jobs" --target fuzz_corpus $fuzzers || exit 2

fz=$build/test/fuzz
status=0
for t in $targets; do
	work=$fz/work/$t crashes=$fz/crashes/$t
	mkdir -p "$work" "$crashes"
	echo "== fuzz_$t: $seconds s"
	"$fz/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 \
		-artifact_prefix="$crashes/" "$work" "$fz/corpus/$t" >"$fz/$t.log" 2>&1
	rc=$?
	grep -E '^stat::number_of_executed_units|^Done [0-9]+ runs' "$fz/$t.log"
	if [ $rc -ne 0 ]; then
		status=1
		echo "fuzz_$t: FAILED (exit $rc), log $fz/$t.log"
		grep -E '^==[0-9]+==ERROR|runtime error|^SUMMARY|Test unit written' "$fz/$t.log" | head -5
	fi
done
found=$(find "$fz/crashes" -type f | wc -l)
echo "== $found crashing input(s) under $fz/crashes"
exit $status
