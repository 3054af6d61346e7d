#!/bin/sh
# map_size.sh UXDPC UXDP UXDPCTL CORPUS OBJECT - sizes set at load time:
# uxdp --map-size and the config's `map-size` lines give max_entries of a
# hash map before uxdp creates it (uxdpctl map show tells); a name that is
# no map, and a new size for an array (compiled into its lookups), are
# refused with one line.  Prints "N passed, N failed".
uxdpc=$1 uxdp=$2 uxdpctl=$3 corpus=$4 obj=$5
tmp=$(mktemp -d) || exit 1
inst=mapsize-$$
trap '"$uxdpctl" instance delete $inst >/dev/null 2>&1; rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0
check() { # NAME COMMAND... ; passes when COMMAND succeeds
	name=$1; shift
	if "$@"; then pass=$((pass + 1)); else echo "FAIL $name"; fail=$((fail + 1)); fi
}
max_entries() { # MAP -> the instance's max_entries of MAP
	"$uxdpctl" --instance $inst map show "$1" | sed -n 's/.*max_entries \([0-9]*\).*/\1/p'
}
"$uxdpc" --verify=none --map-size flows=4 "$obj" -o "$tmp/u.aot.o" || exit 1

"$uxdp" --object "$tmp/u.aot.o" --pcap "$corpus" --instance $inst --map-size flows=16 >/dev/null
check "uxdp --map-size sets max_entries" test "$(max_entries flows)" = 16
"$uxdpctl" instance delete $inst >/dev/null

printf 'map-size flows 32\nmap flows key u32 0 value u64 7\n' >"$tmp/c.conf"
"$uxdp" --object "$tmp/u.aot.o" --pcap "$corpus" --instance $inst --config "$tmp/c.conf" >/dev/null
check "config map-size sets max_entries" test "$(max_entries flows)" = 32
# On a running instance a map-size line only checks.
check "uxdpctl apply: same size passes" "$uxdpctl" --instance $inst apply "$tmp/c.conf"
printf 'map-size flows 64\n' >"$tmp/d.conf"
"$uxdpctl" --instance $inst apply "$tmp/d.conf" 2>"$tmp/err"
check "uxdpctl apply: other size refused" grep -q "map flows has max_entries 32: map-size takes effect when uxdp creates the map" "$tmp/err"
"$uxdpctl" instance delete $inst >/dev/null

"$uxdp" --object "$tmp/u.aot.o" --pcap "$corpus" --map-size nosuch=3 2>"$tmp/err" >/dev/null
check "unknown map refused" grep -q "no map named nosuch to size (--map-size)" "$tmp/err"
"$uxdp" --object "$tmp/u.aot.o" --pcap "$corpus" --map-size hits=3 2>"$tmp/err" >/dev/null
check "array size refused" grep -q "map hits: an array's size (2) is compiled into the program's lookups; compile with uxdpc --map-size hits=3" "$tmp/err"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
