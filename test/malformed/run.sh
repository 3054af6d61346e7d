#!/bin/sh
# SPDX-License-Identifier: MIT
#
# run.sh UXDPC CASES_DIR - run uxdpc on every malformed input in
# CASES_DIR/cases.txt and check that it fails the way a compiler should:
# exit code 1 (not 0, not 2, not a signal), and exactly one line on stderr
# that names the input file and contains the expected reason.  A sanitizer
# report would add lines, but ASan also exits 1, so look for it explicitly.
#
# Exit 0 when every case passes, 1 otherwise; prints one line per failure
# and a summary "N/M malformed cases passed".

uxdpc=$1
dir=$2
if [ -z "$uxdpc" ] || [ -z "$dir" ] || [ ! -f "$dir/cases.txt" ]; then
	echo "usage: run.sh UXDPC CASES_DIR (with CASES_DIR/cases.txt)" >&2
	exit 2
fi
if [ ! -x "$uxdpc" ]; then
	echo "run.sh: $uxdpc: not an executable" >&2
	exit 1
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
# Keep sanitizers loud and make leaks count as failures too.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

pass=0
total=0
fail() {
	echo "FAIL $file ($mode): $*"
	sed 's/^/    stderr: /' "$tmp/err"
}

while IFS= read -r line; do
	case $line in '' | '#'*) continue ;; esac
	file=${line%% *}
	mode=${line##* }
	expect=${line#"$file" }
	expect=${expect%" $mode"}
	total=$((total + 1))

	case $mode in
	raw) set -- --raw "$dir/$file" ;;
	rawxdp) set -- --raw --xdp "$dir/$file" ;;
	elf) set -- "$dir/$file" ;;
	*) echo "run.sh: cases.txt: bad mode '$mode' for $file" >&2; exit 2 ;;
	esac
	rm -f "$tmp/out.o"
	timeout 60 "$uxdpc" "$@" -o "$tmp/out.o" >"$tmp/out" 2>"$tmp/err"
	rc=$?

	if [ $rc -eq 124 ]; then
		fail "timed out"
		continue
	fi
	if [ $rc -gt 128 ]; then
		fail "killed by signal $((rc - 128))"
		continue
	fi
	if grep -q -E 'Sanitizer|runtime error:|SUMMARY:' "$tmp/err"; then
		fail "sanitizer report"
		continue
	fi
	if [ $rc -ne 1 ]; then
		fail "exit code $rc, expected 1"
		continue
	fi
	nlines=$(wc -l <"$tmp/err")
	if [ "$nlines" -ne 1 ]; then
		fail "$nlines lines on stderr, expected exactly 1"
		continue
	fi
	if ! grep -q -F "$file" "$tmp/err"; then
		fail "stderr does not name the file"
		continue
	fi
	# Look for the reason after the file name, which may contain it too.
	reason=$(awk -v f="$file" '{ i = index($0, f); print i ? substr($0, i + length(f)) : $0 }' \
		"$tmp/err")
	case $reason in
	*"$expect"*) ;;
	*)
		fail "stderr lacks '$expect' after the file name"
		continue
		;;
	esac
	if [ -s "$tmp/out.o" ]; then
		fail "wrote an output file despite the error"
		continue
	fi
	pass=$((pass + 1))
done <"$dir/cases.txt"

echo "$pass/$total malformed cases passed"
[ "$total" -gt 0 ] && [ "$pass" -eq "$total" ]
