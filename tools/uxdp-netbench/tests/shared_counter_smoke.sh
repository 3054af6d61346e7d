#!/bin/bash
# SPDX-License-Identifier: MIT
# uxdp-shared-counter end to end: both programs, both engines, every column measured.
# Asserts only that it measured (a number in each cell), never a time.
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: loading into the kernel needs root here"; exit 77; }
[ "$(nproc)" -ge 2 ] || { echo "SKIP: needs 2 CPUs"; exit 77; }
out=$("$TOOL" "$OBJ_DIR/shared_counter.bpf.o" "$OBJ_DIR/shared_counter.aot.o" 2>&1)
rc=$?
echo "$out"
[ $rc = 0 ] || { echo "FAIL: uxdp-shared-counter exited $rc"; exit 1; }
for p in count_source count_source_batched; do
	for e in "kernel JIT" "uxdp -O3"; do
		grep -Eq "^\| $p \| $e \| [0-9]+\.[0-9] \| [0-9]+\.[0-9] \| [0-9]+\.[0-9] \|$" <<<"$out" ||
			{ echo "FAIL: no full row for $p, $e"; exit 1; }
		grep -E "^\| $p \| $e \|" <<<"$out" | grep -q '| 0\.0 |' &&
			{ echo "FAIL: $p, $e measured 0 ns"; exit 1; }
	done
done
echo PASS
