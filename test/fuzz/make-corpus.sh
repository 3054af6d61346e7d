#!/bin/sh
# SPDX-License-Identifier: MIT
# make-corpus.sh - build a fuzzer's seed corpus from real inputs.
#
#   make-corpus.sh elf    OUT REGRESSIONS OBJDIR MALFORMED_CASES
#   make-corpus.sh lift   OUT REGRESSIONS UXDP_AS CONFORMANCE_TESTS
#   make-corpus.sh confine OUT REGRESSIONS UXDP_AS CONFORMANCE_TESTS
#   make-corpus.sh loader OUT REGRESSIONS UXDPC OBJDIR LOADER_OBJS...
#
# The checked-in regressions of the target come first, so that every
# reproducer of a fixed bug runs again in the smoke test.  An input that a
# tool cannot turn into a seed is skipped: seeds only need to be plentiful.
set -eu
kind=$1 out=$2 regressions=$3
shift 3
rm -rf "$out"
mkdir -p "$out"
nreg=0
if [ -d "$regressions" ]; then
	for f in "$regressions"/*; do
		[ -f "$f" ] && cp "$f" "$out/" && nreg=$((nreg + 1))
	done
fi
# The tools are instrumented; a leak in them is not this script's business.
export ASAN_OPTIONS=detect_leaks=0

case $kind in
elf)
	objdir=$1 cases=$2
	for f in "$objdir"/v*/*.bpf.o; do
		cp "$f" "$out/obj_$(basename "$(dirname "$f")")_$(basename "$f")"
	done
	for f in "$cases"/*.o; do
		cp "$f" "$out/malformed_$(basename "$f")"
	done
	;;
lift)
	as=$1 tests=$2 tmp="$out/.tmp.bin"
	for f in "$tests"/*.data; do
		name=$(basename "$f" .data)
		"$as" --data "$f" -o "$tmp" >/dev/null 2>&1 || continue
		# Byte 0 is the kind: 0 raw (as the suite runs them), 1 XDP.
		{ printf '\000'; cat "$tmp"; } >"$out/raw_$name"
		{ printf '\001'; cat "$tmp"; } >"$out/xdp_$name"
	done
	rm -f "$tmp"
	;;
confine)
	# A 64-byte packet (an Ethernet/IPv4/TCP header, zero payload), then the
	# program as XDP instructions.
	as=$1 tests=$2 tmp="$out/.tmp.bin"
	pkt='\000\021\042\063\104\125\000\146\167\210\231\252\010\000\105\000\000\062'
	for f in "$tests"/*.data; do
		name=$(basename "$f" .data)
		"$as" --data "$f" -o "$tmp" >/dev/null 2>&1 || continue
		{ printf '\100'; printf "$pkt"; head -c 46 /dev/zero; cat "$tmp"; } >"$out/$name"
	done
	rm -f "$tmp"
	;;
loader)
	uxdpc=$1 objdir=$2
	shift 2
	for f in "$objdir"/v3/*.bpf.o "$objdir"/v4/signed_ops.bpf.o; do
		name=$(basename "$f" .bpf.o)
		"$uxdpc" --verify none -O2 "$f" -o "$out/O2_$name.aot.o" >/dev/null 2>&1 || true
	done
	for f in "$objdir"/v1/*.bpf.o; do
		name=$(basename "$f" .bpf.o)
		"$uxdpc" --verify none -O0 "$f" -o "$out/O0_$name.aot.o" >/dev/null 2>&1 || true
	done
	for f in "$@"; do
		cp "$f" "$out/host_$(basename "$f")"
	done
	;;
*)
	echo "make-corpus.sh: unknown kind '$kind'" >&2
	exit 2
	;;
esac
n=$(ls "$out" | wc -l)
echo "make-corpus.sh: $kind: $n seeds in $out"
# Seeds from real inputs, not only the regressions: an input directory that
# went missing must fail the build, not leave the fuzzer a near-empty corpus.
if [ $((n - nreg)) -lt 10 ]; then
	echo "make-corpus.sh: $kind: only $((n - nreg)) seeds made from the inputs ($*)" >&2
	exit 1
fi
