#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# install.completion: source completion/uxdp.bash, complete command lines as
# bash would (COMP_WORDS/COMP_CWORD) with the installed tools on PATH, and
# check the words offered, including live ones: the instances and the map
# names of a running instance, the programs of an object.
#
# usage: completion_test.sh COMPLETION_SCRIPT PREFIX_BIN
set -uo pipefail
SCRIPT=$1 BIN=$2
export PATH=$BIN:/usr/bin:/bin
INST=comp-test-$$
WORK=$(mktemp -d)
failures=0
trap 'uxdpctl instance delete $INST >/dev/null 2>&1; rm -rf "$WORK"' EXIT

# shellcheck source=/dev/null
source "$SCRIPT"

# complete FUNCTION WORD...: the last word is the one being completed.
complete_line() {
	local fn=$1
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	"$fn"
	printf '%s\n' "${COMPREPLY[@]}" | sort
}

# expect "LINE" FUNCTION WORD... :: WANTED...: every wanted word is offered.
expect() {
	local what=$1 fn=$2 got w
	shift 2
	local words=()
	while [ "$1" != :: ]; do words+=("$1"); shift; done
	shift
	got=$(complete_line "$fn" "${words[@]}")
	for w in "$@"; do
		if ! grep -qx -- "$w" <<<"$got"; then
			echo "FAIL: $what: '$w' not offered; got: $(echo $got)"
			failures=$((failures + 1))
		fi
	done
}

# expect_none "LINE" FUNCTION WORD... :: UNWANTED...
expect_none() {
	local what=$1 fn=$2 got w
	shift 2
	local words=()
	while [ "$1" != :: ]; do words+=("$1"); shift; done
	shift
	got=$(complete_line "$fn" "${words[@]}")
	for w in "$@"; do
		if grep -qx -- "$w" <<<"$got"; then
			echo "FAIL: $what: '$w' offered"
			failures=$((failures + 1))
		fi
	done
}

cd "$WORK" || exit 1
# A live instance with a map, from the installed example.
EX=$(dirname "$BIN")/share/doc/uxdp/examples
cp "$EX/xdp_len_hist.bpf.o" hist.bpf.o
touch hist.txt
uxdpc hist.bpf.o -O0 -o hist.aot.o || { echo "FAIL: uxdpc"; exit 1; }
uxdp --object hist.aot.o --pcap "$EX/traffic.pcap" --instance "$INST" >/dev/null ||
	{ echo "FAIL: uxdp"; exit 1; }

expect "uxdpctl ''" _uxdpctl uxdpctl '' :: map prog stats instance ringbuf apply
expect "uxdpctl prog ''" _uxdpctl uxdpctl prog '' :: show load attach help
expect "uxdpctl map dump len_hist -" _uxdpctl uxdpctl map dump len_hist - :: -j --pretty
expect "uxdpctl --" _uxdpctl uxdpctl -- :: --instance --json --version
expect "uxdpctl --instance ''" _uxdpctl uxdpctl --instance '' :: "$INST"
expect "uxdpctl --instance I map ''" _uxdpctl uxdpctl --instance "$INST" map '' :: dump list update help
expect "uxdpctl -j map dump ''" _uxdpctl uxdpctl -j map dump '' :: name id
expect "uxdpctl --instance I map dump ''" _uxdpctl uxdpctl --instance "$INST" map dump '' :: len_hist
expect "uxdpctl --instance I map lookup len_hist key ''" _uxdpctl \
	uxdpctl --instance "$INST" map lookup len_hist key '' :: u32 hex ipv4
expect "uxdpctl instance delete ''" _uxdpctl uxdpctl instance delete '' :: "$INST"
expect_none "uxdpctl map dump (no such instance)" _uxdpctl \
	uxdpctl --instance no-such-$$ map dump '' :: len_hist
expect "uxdpc -p ''" _uxdpc uxdpc hist.bpf.o -p '' :: xdp_len_hist
expect "uxdpc --verify ''" _uxdpc uxdpc --verify '' :: auto kernel none
expect "uxdpc -f" _uxdpc uxdpc -fno :: -fno-simd -fno-map-inline
expect "uxdpc h" _uxdpc uxdpc hi :: hist.bpf.o
expect_none "uxdpc h (objects only)" _uxdpc uxdpc hi :: hist.txt
expect "uxdp --instance ''" _uxdp uxdp --instance '' :: "$INST"
expect "uxdp --afxdp ''" _uxdp uxdp --afxdp '' :: lo
expect "uxdp --p" _uxdp uxdp --pa :: --pass-out --pass-tap
expect_none "uxdp after --" _uxdp uxdp --dpdk -- -l :: --pcap
expect "uxdp-corpus -k ipv4-tcp,d" _uxdp_corpus uxdp-corpus -k ipv4-tcp,dns :: \
	ipv4-tcp,dns-query ipv4-tcp,dns-response
expect "uxdp-difftest --" _uxdp_difftest uxdp-difftest --a :: --aot
expect "uxdp-difftest --m" _uxdp_difftest uxdp-difftest --m :: --map-size
expect "uxdp-difftest --loader ''" _uxdp_difftest uxdp-difftest --loader '' :: auto libbpf kload
expect "uxdp-as --" _uxdp_as uxdp-as --d :: --data
# every option uxdp-bench -h lists is offered (the list is the help's)
bench_opts=$(uxdp-bench -h | sed -n 's/^  \(-[a-zA-Z], \)\{0,1\}\(--[a-z-]*\).*/\2/p')
[ "$(wc -w <<<"$bench_opts")" -gt 20 ] || { echo "FAIL: uxdp-bench -h: $bench_opts"; failures=$((failures + 1)); }
expect "uxdp-bench --" _uxdp_bench uxdp-bench -- :: $bench_opts
expect "uxdp-bench --kernel-method ''" _uxdp_bench uxdp-bench --kernel-method '' :: fresh repeat
expect "uxdp-run --" _uxdp_run uxdp-run --i :: --instance
expect "uxdp-run --instance ''" _uxdp_run uxdp-run --instance '' :: "$INST"
expect "uxdp-run --instance I uxdpct" _uxdp_run uxdp-run --instance "$INST" uxdpct :: uxdpctl

echo "$failures failures"
[ "$failures" = 0 ]
