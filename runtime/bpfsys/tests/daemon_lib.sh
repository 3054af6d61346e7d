# SPDX-License-Identifier: MIT
#
# daemon_lib.sh - sourced by the bpfsys tests that run a loader against
# uxdpd: names, the failure and clean-up traps, and the veth between two
# namespaces the test makes.
#
#   . daemon_lib.sh PREFIX NAME
#
# sets id inst (PREFIX$$) nsd nsp (the daemon's and the peer's namespace)
# tmp (a private directory, /tmp/uxdp-NAME.*) sock and pids (killed at
# exit), and defines skip, fail (with the tail of every *.log and *.out in
# $tmp), need_root WHY, mount_bpffs (a bpf file system at $tmp/bpffs),
# make_veth [QUEUES] (a0 in $nsp, u0 in $nsd, up, no IPv6) and start_uxdpd
# [NAME] (uxdpd on u0, $UXDPD from the environment).  The EXIT trap
# kills $pids, removes the namespaces, the bpffs mount, the instance's
# segments and $tmp.  Addresses are the tests' own, in 198.18.0.0/15.
set -u
id=$$
inst=$1$id nsd=${1}d$id nsp=${1}p$id
tmp=$(mktemp -d /tmp/uxdp-$2.XXXXXX)
sock=$tmp/$inst.sock
pids=()

skip() { echo "SKIP: $*"; exit 77; }
fail() {
	echo "FAIL: $*"
	for f in "$tmp"/*.log "$tmp"/*.out; do [ -f "$f" ] && { echo "--- $f"; tail -30 "$f"; }; done
	exit 1
}
cleanup() {
	exec 7>&- 8>&- 2>/dev/null
	for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null; done
	sleep 0.3
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for n in $nsd $nsp; do ip netns del $n 2>/dev/null; done
	mountpoint -q "$tmp/bpffs" 2>/dev/null && umount "$tmp/bpffs"
	rm -f /dev/shm/uxdp.$inst /dev/shm/uxdp.$inst.* /dev/shm/uxdp-stats.$inst \
		/dev/shm/uxdp-run.$inst /dev/shm/uxdp-xsk.$inst.*
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

need_root() { [ "$(id -u)" = 0 ] || skip "needs root ($1)"; }
# kernel_maps_gone NAME...: wait (up to 10 s) until the kernel has no map of
# these names.  The kernel frees a map some time after its last holder went
# (deferred work), so one of the previous test's can still be listed: tools
# that find maps by name (bpftool map dump name, xdp-filter) would take it.
kernel_maps_gone() {
	local left
	command -v bpftool >/dev/null || return 0
	for _ in $(seq 100); do
		left=$(bpftool -j map show 2>/dev/null | "${PYTHON:-python3}" -c '
import json, sys
names = set(sys.argv[1:])
print(" ".join(sorted("%s(%d)" % (m["name"], m["id"]) for m in json.load(sys.stdin) if m.get("name") in names)))' "$@")
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	fail "kernel maps of an earlier run still there after 10 s: $left"
}
mount_bpffs() {
	mkdir "$tmp/bpffs" && mount -t bpf bpf "$tmp/bpffs" || skip "cannot mount a bpf file system"
}
# start_uxdpd [NAME]: uxdpd in $nsd on u0 (AF_XDP), serving $sock, which
# UXDP_DAEMON_SOCKET names; its pid in $dpid (and $pids), its output in
# $tmp/uxdpd[.NAME].log.  Fails unless it is ready within 15 s.
start_uxdpd() {
	local log=$tmp/uxdpd${1:+.$1}.log
	ip netns exec $nsd "$UXDPD" --instance $inst --socket $sock --no-cache --afxdp u0 \
		>$log 2>&1 &
	dpid=$!
	pids+=($dpid)
	for _ in $(seq 150); do grep -q "Ctrl-C stops" $log && break; sleep 0.1; done
	grep -q "Ctrl-C stops" $log || fail "uxdpd${1:+ ($1)} did not start: $(cat $log)"
	export UXDP_DAEMON_SOCKET=$sock
}
# start_pcap_uxdpd: uxdpd with no NIC, serving $sock (UXDP_DAEMON_SOCKET):
# its port replays a one-frame capture, which runs before any program.
start_pcap_uxdpd() {
	"$PYTHON" - "$tmp/one.pcap" <<'PY'
import struct, sys
frame = bytes(range(60))
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    f.write(struct.pack("<IIII", 0, 0, len(frame), len(frame)) + frame)
PY
	"$UXDPD" --instance $inst --socket $sock --no-cache --pcap $tmp/one.pcap >$tmp/uxdpd.log 2>&1 &
	pids+=($!)
	for _ in $(seq 150); do [ -S $sock ] && break; sleep 0.1; done
	[ -S $sock ] || fail "uxdpd did not start"
	export UXDP_DAEMON_SOCKET=$sock
}
# prog_run LABEL RUN-PREFIX PROG-SPEC INPUT: one `bpftool prog run` of the
# frame in INPUT, as "LABEL: Return value: R, data_out HEX" (or the error).
prog_run() {
	local label=$1 pre=$2 spec=$3 in=$4
	rm -f $in.out
	$pre bpftool prog run $spec data_in $in data_out $in.out >$in.log 2>&1 ||
		{ echo "$label: bpftool: $(cat $in.log)"; return; }
	echo "$label: $(grep -o 'Return value: [0-9]*' $in.log)," \
		"data_out $(od -An -tx1 -v $in.out | tr -d ' \n')"
}
make_veth() { # [QUEUES]
	local q=() e
	command -v ip >/dev/null || skip "no ip(8)"
	[ $# -gt 0 ] && q=(numtxqueues $1 numrxqueues $1)
	for n in $nsd $nsp; do ip netns add $n || fail "cannot create namespace $n"; done
	ip link add a0 netns $nsp "${q[@]}" type veth peer name u0 netns $nsd "${q[@]}" ||
		fail "veth"
	for e in "$nsp a0" "$nsd u0"; do
		set -- $e
		ip netns exec $1 sysctl -qw net.ipv6.conf.$2.disable_ipv6=1
		ip netns exec $1 ip link set dev $2 up
	done
}
