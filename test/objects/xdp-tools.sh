#!/bin/sh
# xdp-tools.sh UXDPC [DIR] - every XDP program of Debian's xdp-tools objects
# (DIR, default /usr/lib/x86_64-linux-gnu/bpf) compiles with uxdpc's default
# options into an object with a uxdp_meta section.  Objects without XDP
# programs (xdpdump_bpf.o: tracing only) are noted; libxdp's dispatcher must
# be refused with its one line (freplace slots, docs/compatibility.md).
# Exit 77 (a skip) when the package is not installed.
uxdpc=$1
dir=${2:-/usr/lib/x86_64-linux-gnu/bpf}
if ! ls "$dir"/xdpfilt_*.o >/dev/null 2>&1; then
	echo "SKIP: no xdp-tools objects in $dir (Debian package xdp-tools)"
	exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0
for obj in "$dir"/*.o; do
	name=$(basename "$obj")
	if [ "$name" = xdp-dispatcher.o ]; then
		if "$uxdpc" "$obj" -o "$tmp/d.o" 2>"$tmp/err"; then
			echo "FAIL $name: compiled; the dispatcher must be refused"
			fail=$((fail + 1))
		elif grep -q "libxdp's multi-program dispatcher: its slots (prog0..prog9) are filled by freplace programs" "$tmp/err"; then
			pass=$((pass + 1))
		else
			echo "FAIL $name: refused with another reason: $(cat "$tmp/err")"
			fail=$((fail + 1))
		fi
		continue
	fi
	if ! "$uxdpc" --list "$obj" >"$tmp/list" 2>"$tmp/err"; then
		echo "FAIL $name --list: $(cat "$tmp/err")"
		fail=$((fail + 1))
		continue
	fi
	if ! grep -q '^program ' "$tmp/list"; then
		echo "note: $name has no XDP program ($(grep -c '^other ' "$tmp/list") of other types)"
		continue
	fi
	if ! "$uxdpc" "$obj" -o "$tmp/out.o" 2>"$tmp/err"; then
		echo "FAIL $name: $(cat "$tmp/err")"
		fail=$((fail + 1))
	elif ! readelf -S "$tmp/out.o" 2>/dev/null | grep -q uxdp_meta; then
		echo "FAIL $name: no uxdp_meta section in the output"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
