#!/bin/sh
# round_order.sh BENCH OBJ1 OBJ2: uxdp-bench opens and probes every program
# first, then runs round r of every program before round r + 1 of any, each
# program warmed up just before its first round; a program whose object is
# missing is reported and skipped.  Read from the -v progress lines, one
# "[program] step" per run of equal lines.  Measures nothing (--smoke).
bench=$1 obj1=$2 obj2=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bench" --smoke -v --rounds 3 --levels 3 --no-native "$obj1" "$tmp/missing.bpf.o" "$obj2" \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
awk '/^uxdp-bench: \[/ {
	if ($0 ~ /: (compiling|loading) /) w = "open"
	else if ($0 ~ /: probing /) w = "probe"
	else if ($0 ~ /: warming up/) w = "warm"
	else if (match($0, /: round [0-9]+/)) w = substr($0, RSTART + 2, RLENGTH - 2)
	else w = "other"
	s = $2 " " w
	if (s != last) print s
	last = s
}' "$tmp/err" >"$tmp/got"
cat >"$tmp/want" <<'WANT'
[1/3] open
[1/3] probe
[3/3] open
[3/3] probe
[1/3] warm
[1/3] round 1
[3/3] warm
[3/3] round 1
[1/3] round 2
[3/3] round 2
[1/3] round 3
[3/3] round 3
WANT
fail=0
if [ $rc -ne 0 ]; then
	echo "round_order.sh: uxdp-bench exited $rc" >&2
	fail=1
fi
if ! diff -u "$tmp/want" "$tmp/got"; then
	echo "round_order.sh: the steps came in another order" >&2
	fail=1
fi
if ! grep -q "^n/a: .*missing.bpf.o: no such file" "$tmp/out"; then
	echo "round_order.sh: the missing object was not reported" >&2
	fail=1
fi
[ $fail -eq 0 ] || cat "$tmp/err"
[ $fail -eq 0 ] && echo "round_order.sh: ok"
exit $fail
