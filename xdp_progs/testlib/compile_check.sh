#!/bin/sh
# compile_check.sh UXDPC PROGRAM FILE.bpf.o|FILE.aot.o ...
# Every object must exist and be non-empty, and `uxdpc --list` must describe
# PROGRAM in every BPF object.
uxdpc=$1 prog=$2
shift 2
status=0
for f in "$@"; do
	if [ ! -s "$f" ]; then
		echo "FAIL: $f missing or empty"; status=1; continue
	fi
	case $f in
	*.bpf.o)
		if "$uxdpc" --list "$f" | grep -q "^program $prog section xdp "; then
			echo "ok: $f: uxdpc --list describes $prog"
		else
			echo "FAIL: $f: uxdpc --list does not describe $prog"; "$uxdpc" --list "$f"; status=1
		fi ;;
	*) echo "ok: $f" ;;
	esac
done
exit $status
