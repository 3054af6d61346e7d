#!/bin/sh
# config_prog_array.sh UXDPC UXDP UXDPCTL CORPUS OBJECT - a config's
# `prog_array MAP INDEX PROGRAM` lines in uxdp --config: a program named
# (static_progs.conf, as uxdp-difftest reads it) or given by index fills the
# slot with the program's index and the tail calls reach it (the .bss
# counter of empty slots stays 0); an unknown name is refused with the
# object's programs listed; uxdpctl apply, which runs no object, refuses a
# name and says where names work.  Prints "N passed, N failed".
uxdpc=$1 uxdp=$2 uxdpctl=$3 corpus=$4 obj=$5
conf=$(dirname "$0")/../../../test/objects/static_progs.conf
tmp=$(mktemp -d) || exit 1
inst=cfgprog-$$
trap '"$uxdpctl" instance delete $inst >/dev/null 2>&1; rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0
check() { # NAME COMMAND... ; passes when COMMAND succeeds
	name=$1; shift
	if "$@"; then pass=$((pass + 1)); else echo "FAIL $name"; fail=$((fail + 1)); fi
}
slots() { # -> "KEY=VALUE ..." of the prog_array stages
	"$uxdpctl" --instance $inst --json map dump stages |
		python3 -c 'import json,sys; print(" ".join("%d=%d" % (e["formatted"]["key"], e["formatted"]["value"]) for e in json.load(sys.stdin)))'
}
empty_slot_hits() { # hits[3] of static_progs: a tail call that found no program
	"$uxdpctl" --instance $inst --json map dump .bss |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["formatted"]["value"][".bss"][0]["hits"][3])'
}
"$uxdpc" "$obj" -O2 -o "$tmp/sp.aot.o" || exit 1
index_of() { "$uxdpc" --list "$obj" | awk -v p="$1" '$1 == "program" { if ($2 == p) print n + 0; n++ }'; }

"$uxdp" --object "$tmp/sp.aot.o" -p static_entry --pcap "$corpus" --instance $inst \
	--config "$conf" >"$tmp/out" 2>&1
check "uxdp --config with program names runs" test $? -eq 0
check "names become the programs' indexes" \
	test "$(slots)" = "0=$(index_of stage_ipv4) 1=$(index_of stage_other)"
check "every tail call found its program" test "$(empty_slot_hits)" = 0
check "stage_other's XDP_TX reached the counters" grep -Eq "^XDP_TX +[1-9]" "$tmp/out"
"$uxdpctl" instance delete $inst >/dev/null

printf 'prog_array stages 1 %s\n' "$(index_of stage_other)" >"$tmp/idx.conf"
"$uxdp" --object "$tmp/sp.aot.o" -p static_entry --pcap "$corpus" --instance $inst \
	--config "$tmp/idx.conf" >/dev/null 2>&1
check "an index still works" test "$(slots)" = "1=$(index_of stage_other)"
check "uxdpctl apply refuses a name" sh -c \
	'! "$1" --instance "$2" apply "$3" 2>"$4/err" && grep -q "'"'stage_ipv4': a program index here (names need the process that runs the object: uxdp --config)"'" "$4/err"' \
	- "$uxdpctl" $inst "$conf" "$tmp"
"$uxdpctl" instance delete $inst >/dev/null

printf 'prog_array stages 0 nosuch\n' >"$tmp/bad.conf"
"$uxdp" --object "$tmp/sp.aot.o" -p static_entry --pcap "$corpus" --config "$tmp/bad.conf" \
	>/dev/null 2>"$tmp/err"
check "an unknown name fails" test $? -ne 0
check "and lists the programs" grep -q "bad.conf:1: prog_array: no program 'nosuch'; the object has: .*stage_other" "$tmp/err"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
