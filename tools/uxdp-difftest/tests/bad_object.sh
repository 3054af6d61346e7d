#!/bin/sh
# bad_object.sh DIFFTEST NOT_AN_OBJECT PCAP: a file neither libbpf nor
# uxdp_kload can open is an error (exit 3) told in exactly one line that
# names both refusals.  77 (no usable kernel BPF) is passed through.
out=$("$1" "$2" --pcap "$3" -O0 2>&1)
st=$?
printf '%s\n' "$out"
[ "$st" -eq 77 ] && exit 77
if [ "$st" -ne 3 ]; then
	echo "bad_object.sh: exit status $st, wanted 3" >&2
	exit 1
fi
lines=$(printf '%s\n' "$out" | wc -l)
if [ "$lines" -ne 1 ]; then
	echo "bad_object.sh: $lines lines of output, wanted 1" >&2
	exit 1
fi
if ! printf '%s\n' "$out" |
	grep -Eq "^uxdp-difftest: .*self.conf: libbpf cannot open it: .+, and uxdp's loader fails too: .+$"; then
	echo "bad_object.sh: not the expected message" >&2
	exit 1
fi
exit 0
