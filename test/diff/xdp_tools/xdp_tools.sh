#!/bin/sh
# xdp_tools.sh DIFFTEST UXDPC CORPUS LEVEL [COMPILER]: every XDP program of
# Debian's xdp-tools objects against the kernel, with the configs of
# programs.txt (beside this script); COMPILER: the uxdpc difftest compiles
# with (e.g. uxdpc-confined, --verify=none).  Exit 77 when xdp-tools is not
# installed.
dt=$1 uxdpc=$2 corpus=$3 level=$4 compiler=$5
here=$(cd "$(dirname "$0")" && pwd)
dir=/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/bpf
if ! ls "$dir"/xdpfilt_*.o >/dev/null 2>&1; then
	echo "SKIP: xdp-tools is not installed (no $dir/xdpfilt_*.o): apt-get install xdp-tools"
	exit 77
fi
table=$here/programs.txt
out=$(mktemp)
trap 'rm -f "$out"' EXIT
passed=0 failed=0

# Every XDP program of every object must be in the table.
for obj in "$dir"/*.o; do
	o=$(basename "$obj")
	progs=$("$uxdpc" --list "$obj" 2>/dev/null | awk '$1 == "program" { print $2 }')
	if [ -z "$progs" ]; then
		echo "$o: no XDP program ($("$uxdpc" --list "$obj" 2>&1 | sed 's/.*candidates: //')): not compared"
		continue
	fi
	for p in $progs; do
		if ! grep -q "^$o[[:space:]][[:space:]]*$p[[:space:]]" "$table"; then
			echo "FAIL $o $p: not in programs.txt (add it with a realistic config)"
			failed=$((failed + 1))
		fi
	done
done

grep -v '^#' "$table" | grep -v '^[[:space:]]*$' | while read -r o p conf expect reason; do
	if [ ! -e "$dir/$o" ]; then
		echo "note: $o is not in this xdp-tools package; not compared"
		continue
	fi
	hits=
	case $conf in *:hits) hits=1; conf=${conf%:hits} ;; esac
	set -- "$dt" "$dir/$o" -p "$p" --pcap "$corpus" -O"$level"
	[ "$conf" = - ] || set -- "$@" --config "$here/$conf"
	[ -z "$compiler" ] || set -- "$@" --uxdpc "$compiler"
	"$@" >"$out" 2>&1
	rc=$?
	[ $rc -eq 77 ] && { cat "$out"; exit 77; }
	verdicts=$(grep '^difftest: XDP_ABORTED' "$out" | sed 's/^difftest: //')
	ok=0
	[ $rc -eq 0 ] && grep -q '^difftest: [1-9][0-9]* packets, 0 differences$' "$out" && ok=1
	if [ $ok -eq 1 ] && [ -n "$hits" ] &&
	   { echo "$verdicts" | grep -q 'XDP_DROP 0,' || echo "$verdicts" | grep -q 'XDP_PASS 0,'; }; then
		echo "FAIL $o $p: the config's rules never match (drop and pass both expected): $verdicts"
		echo "x" >>"$out.failed"
		continue
	fi
	if [ "$expect" = xfail ]; then
		if [ $ok -eq 1 ]; then
			echo "FAIL $o $p: expected to fail ($reason) but it is identical now: mark it pass"
			echo "x" >>"$out.failed"
		else
			echo "xfail $o $p: $reason"
			echo "x" >>"$out.passed"
		fi
	elif [ $ok -eq 1 ]; then
		[ "$conf" = - ] && conf= || conf=" ($conf)"
		echo "ok   $o $p$conf: $verdicts"
		echo "x" >>"$out.passed"
	else
		echo "FAIL $o $p (exit $rc):"
		sed 's/^/    /' "$out" | tail -15
		echo "x" >>"$out.failed"
	fi
done
# The loop ran in a subshell (the pipe): its counts come back through files.
passed=$((passed + $(cat "$out.passed" 2>/dev/null | wc -l)))
failed=$((failed + $(cat "$out.failed" 2>/dev/null | wc -l)))
rm -f "$out.passed" "$out.failed"
echo "$passed passed, $failed failed"
[ $passed -gt 0 ] && [ $failed -eq 0 ]
