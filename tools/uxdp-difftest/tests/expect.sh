#!/bin/sh
# expect.sh STATUS PATTERN COMMAND...: run COMMAND, pass if it exits with
# STATUS and its output has a line matching PATTERN (grep -E).  An exit of
# 77 (no usable kernel BPF) is passed through so ctest reports a skip.
want=$1
pattern=$2
shift 2
out=$("$@" 2>&1)
got=$?
printf '%s\n' "$out"
if [ "$got" -eq 77 ]; then
	exit 77
fi
if [ "$got" -ne "$want" ]; then
	echo "expect.sh: exit status $got, wanted $want" >&2
	exit 1
fi
if ! printf '%s\n' "$out" | grep -Eq -- "$pattern"; then
	echo "expect.sh: no line matches '$pattern'" >&2
	exit 1
fi
exit 0
