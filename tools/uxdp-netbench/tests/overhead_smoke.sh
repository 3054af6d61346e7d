#!/bin/bash
# SPDX-License-Identifier: MIT
# overhead.sh end to end, one round of a second: every variant measured
# (a number per row), nothing of its uxdp instance left in /dev/shm.
# Asserts only that it measured, never a time.
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: DPDK needs root here"; exit 77; }
[ "$(nproc)" -ge 2 ] || { echo "SKIP: overhead.sh pins to CPU 1"; exit 77; }
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(BUILD=$BUILD bash "$here/overhead.sh" --rounds 1 --seconds 1 2>&1)
rc=$?
echo "$out"
[ $rc = 0 ] || { echo "FAIL: overhead.sh exited $rc"; exit 1; }
for v in base-bulk base-raw 'uxdp\[0\]'; do
	grep -Eq "^$v +[0-9]+\.[0-9]+ / +[0-9]+\.[0-9]+$" <<<"$out" || { echo "FAIL: no figure for $v"; exit 1; }
done
ls /dev/shm | grep -q '^uxdp.*ovh' && { echo "FAIL: overhead.sh left its instance in /dev/shm"; exit 1; }
echo PASS
