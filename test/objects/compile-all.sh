#!/bin/sh
# compile-all.sh UXDPC OBJDIR - every test object, from every -mcpu build,
# compiles with uxdpc at -O0..-O3 into an object the loader can read (a
# non-empty ELF with a uxdp_meta section).  Objects that need a program name
# or are expected to be refused are listed below.  Prints one line per
# failure and "N passed, N failed".
uxdpc=$1
objdir=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
for obj in "$objdir"/v*/*.bpf.o; do
	name=$(basename "$obj" .bpf.o)
	args=
	case $name in
	unsized_map) args="--map-size flows=64" ;; # sized by its loader
	esac
	for level in 0 1 2 3; do
		out=$tmp/$name.O$level.o
		if ! "$uxdpc" $args -O$level "$obj" -o "$out" 2>"$tmp/err"; then
			echo "FAIL $obj -O$level: $(cat "$tmp/err")"
			fail=$((fail + 1))
		elif ! readelf -S "$out" 2>/dev/null | grep -q uxdp_meta; then
			echo "FAIL $obj -O$level: no uxdp_meta section in the output"
			fail=$((fail + 1))
		else
			pass=$((pass + 1))
		fi
	done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
