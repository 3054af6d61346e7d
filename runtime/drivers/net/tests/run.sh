#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run.sh DRIVER TEST - one end-to-end test of the AF_XDP or DPDK driver.
#
# Every host lives in a network namespace this script creates, wired with
# veth pairs addressed in 198.18.0.0/15, and removed by the EXIT trap.  uxdp
# runs in namespace U on the veth end(s) there.  Peers run an XDP_PASS
# program: on veth, frames sent with XDP_TX/redirect (AF_XDP TX in native
# mode) only reach a peer that runs XDP itself.
#
# Environment (from CMake): UXDP TRAFGEN DEVMAP_SET UXDPCTL OBJ PING_PROG PYTHON.
# Exit: 0 pass, 1 fail, 77 skip.
set -u
drv=$1 test=$2
id=$$
nsu=uxu$id ns1=uxa$id ns2=uxb$id
log=$(mktemp /tmp/uxdp-$drv-$test.XXXXXX)
pid=

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; echo "--- uxdp output"; cat "$log"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, AF_XDP)"
command -v ip >/dev/null || skip "no ip(8)"
"$PYTHON" -c 'import socket; socket.socket(44, socket.SOCK_RAW).close()' 2>/dev/null ||
	skip "the kernel lacks AF_XDP sockets"

cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -INT "$pid"; sleep 1; kill -KILL "$pid" 2>/dev/null
	fi
	for n in $nsu $ns1 $ns2; do ip netns del $n 2>/dev/null; done
	rm -f "$log" /dev/shm/uxdp.ux$id /dev/shm/uxdp.ux$id.* /dev/shm/uxdp-stats.ux$id \
		/dev/shm/uxdp-xsk.ux$id.* /dev/shm/uxdp-run.ux$id
	rm -rf /var/run/dpdk/ux$id
}
trap cleanup EXIT
trap 'exit 1' INT TERM

inu() { ip netns exec $nsu "$@"; }
in1() { ip netns exec $ns1 "$@"; }
in2() { ip netns exec $ns2 "$@"; }
mac() { ip netns exec $1 cat /sys/class/net/$2/address; }
ifindex() { ip netns exec $1 cat /sys/class/net/$2/ifindex; }

# veth pair $2 (in namespace $1) <-> $4 (in $3); IPv6 off so the kernel sends
# nothing the counts do not expect.
link() {
	ip link add $2 netns $1 type veth peer name $4 netns $3 || fail "cannot create veth"
	for e in "$1 $2" "$3 $4"; do
		set -- $e
		ip netns exec $1 sysctl -qw net.ipv6.conf.$2.disable_ipv6=1
		ip netns exec $1 ip link set dev $2 up
	done
}
peer_xdp() { ip netns exec $1 ip link set dev $2 xdp obj "$OBJ/pass.bpf.o" sec xdp ||
	fail "cannot attach XDP_PASS to $2"; }

for n in $nsu $ns1 $ns2; do ip netns add $n || fail "cannot create namespace $n"; done
inu ip link set lo up; in1 ip link set lo up; in2 ip link set lo up
# Only the program may answer pings in U.
inu sysctl -qw net.ipv4.icmp_echo_ignore_all=1

# uxdp PROG PORT... [-- extra options]: start uxdp in U and wait for it to run.
start_uxdp() {
	local prog=$1; shift
	local ports=() extra=() args
	while [ $# -gt 0 ] && [ "$1" != -- ]; do ports+=("$1"); shift; done
	[ $# -gt 0 ] && shift && extra=("$@")
	if [ "$drv" = afxdp ]; then
		args=(--afxdp "$(IFS=,; echo "${ports[*]}")" "${extra[@]}")
	else
		args=(--dpdk "${extra[@]}" -- -l 0 --no-huge -m 256 --no-pci --no-telemetry
		      --file-prefix ux$id --log-level 3)
		local i=0
		for p in "${ports[@]}"; do args+=(--vdev net_af_xdp$i,iface=$p); i=$((i + 1)); done
	fi
	AOT_OBJECT="$OBJ/$prog.aot.o" ip netns exec $nsu "$UXDP" --instance ux$id "${args[@]}" \
		>"$log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		grep -q "Ctrl-C stops" "$log" && return 0
		kill -0 $pid 2>/dev/null || fail "uxdp exited early"
		sleep 0.1
	done
	fail "uxdp did not start"
}
# --no-huge: the mbuf pool is anonymous memory advised for transparent huge
# pages (runtime/drivers/dpdk/pool.c), not EAL's 4 KiB memfd; whether the
# kernel found 2 MiB pages for it depends on its free memory, so that is
# only printed.  At least 8192 mbufs of 2.8 KiB: a mapping of >= 22 MiB.
check_thp_pool() {
	grep -q '\[never\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null && return 0
	awk '/^[0-9a-f]+-[0-9a-f]+ /{ anon = (NF == 5) } /^Size:/{ size = $2 }
	     /^AnonHugePages:/{ huge = $2 }
	     /^VmFlags:/{ if (anon && size >= 22528 && / hg/) { print "mbuf pool: " size " kB, " huge " kB on huge pages"; ok = 1 } }
	     END { exit !ok }' /proc/$pid/smaps || fail "no mbuf pool advised for huge pages in uxdp's mappings"
}
stop_uxdp() {
	kill -INT $pid
	for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
	kill -0 $pid 2>/dev/null && fail "uxdp did not stop on SIGINT"
	wait $pid || fail "uxdp exited with an error"
	pid=
	# Its interface claims go with it: a record names the namespace, which
	# this test removes, so one left behind would never be reused.
	local nsino
	nsino=$(stat -L -c %i /run/netns/$nsu) || fail "no namespace $nsu"
	ls /dev/shm/uxdp-port.$nsino-* >/dev/null 2>&1 && fail "uxdp left its interface records:" \
		/dev/shm/uxdp-port.$nsino-*
	return 0
}
# packets VERDICT: the final count of that verdict.
packets() { awk -v v="$1" '$1 == v { n = $2 } END { print n + 0 }' "$log"; }

case $test in
ping)
	link $ns1 a0 $nsu u0
	in1 ip addr add 198.18.0.1/24 dev a0
	inu ip addr add 198.18.0.2/24 dev u0
	# The program does not answer ARP, so the pinger knows the MAC already.
	in1 ip neigh replace 198.18.0.2 lladdr "$(mac $nsu u0)" dev a0
	peer_xdp $ns1 a0
	in1 ping -c 1 -W 1 198.18.0.2 >/dev/null 2>&1 && fail "the kernel answered before uxdp ran"
	start_uxdp "$PING_PROG" u0
	in1 ping -c 5 -i 0.2 -W 2 198.18.0.2 || fail "no replies from $PING_PROG"
	stop_uxdp
	n=$(packets XDP_TX)
	[ "$n" -ge 5 ] || fail "XDP_TX counted $n, expected >= 5"
	;;
fwd)
	# 1 (198.18.1.1) -- a0/ua -- uxdp -- ub/b0 -- 2 (198.18.1.2), ports paired by a devmap
	link $ns1 a0 $nsu ua
	link $ns2 b0 $nsu ub
	in1 ip addr add 198.18.1.1/24 dev a0
	in2 ip addr add 198.18.1.2/24 dev b0
	in1 ip neigh replace 198.18.1.2 lladdr "$(mac $ns2 b0)" dev a0
	in2 ip neigh replace 198.18.1.1 lladdr "$(mac $ns1 a0)" dev b0
	peer_xdp $ns1 a0
	peer_xdp $ns2 b0
	start_uxdp fwd ua ub
	ia=$(ifindex $nsu ua) ib=$(ifindex $nsu ub)
	"$DEVMAP_SET" ux$id fwd_ports $ia $ib || fail "devmap update"
	"$DEVMAP_SET" ux$id fwd_ports $ib $ia || fail "devmap update"
	in1 ping -c 5 -i 0.2 -W 2 198.18.1.2 || fail "no ping through the forwarder"
	stop_uxdp
	n=$(packets XDP_REDIRECT)
	[ "$n" -ge 10 ] || fail "XDP_REDIRECT counted $n, expected >= 10"
	;;
pass_tap)
	# A TCP connection from 1 to a listener in U's kernel stack, through the TAP.
	link $ns1 a0 $nsu u0
	in1 ip addr add 198.18.2.1/24 dev a0
	peer_xdp $ns1 a0
	# veth leaves TCP checksums to the receiver's "hardware" (CHECKSUM_PARTIAL);
	# that promise does not survive the trip through userspace, so have them filled in.
	command -v ethtool >/dev/null || skip "no ethtool to turn off veth checksum offload"
	in1 ethtool -K a0 tx off >/dev/null || fail "cannot turn off checksum offload on a0"
	start_uxdp pass u0 -- --pass-tap uxt$id
	inu ip addr add 198.18.2.2/24 dev uxt$id || fail "no TAP uxt$id"
	inu "$PYTHON" -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.18.2.2", 7000)); s.listen(1); s.settimeout(20)
c, _ = s.accept(); c.settimeout(10); c.sendall(c.recv(100).upper())
' &
	srv=$!
	got=$(in1 "$PYTHON" -c '
import socket, time
for i in range(50):
    try:
        c = socket.create_connection(("198.18.2.2", 7000), timeout=10); break
    except ConnectionRefusedError:
        time.sleep(0.1)  # the listener is still starting
c.sendall(b"hello through the tap"); print(c.recv(100).decode())
') || fail "TCP connection through the TAP failed"
	wait $srv
	[ "$got" = "HELLO THROUGH THE TAP" ] || fail "echo server said '$got'"
	stop_uxdp
	n=$(packets XDP_PASS)
	[ "$n" -ge 3 ] || fail "XDP_PASS counted $n, expected the handshake at least"
	;;
count)
	n=3000
	link $ns1 a0 $nsu u0
	in1 ip addr add 198.18.3.1/24 dev a0
	start_uxdp count u0 -- --stats
	[ "$drv" = dpdk ] && check_thp_pool
	in1 "$TRAFGEN" -i a0 --dst-mac "$(mac $nsu u0)" --src-ip 198.18.3.1 \
		--dst-ip 198.18.3.2 --count $n --rate 5000 --size 128 --flows 16 ||
		fail "trafgen did not send $n packets"
	sleep 1
	stop_uxdp
	got=$(packets XDP_DROP)
	[ "$got" = $n ] || fail "XDP_DROP counted $got of $n UDP packets"
	# --stats: one line a second, as with pcap (runtime/datapath prints it for all)
	line='^ *[0-9]+\.[0-9] s +[0-9.]+ [kMG]?pps +[0-9.]+ [kMG]?b/s  drop [^ ]+ pass [^ ]+ tx [^ ]+ redirect [^ ]+ aborted [^ ]+$'
	grep -E "$line" "$log" || fail "--stats: no rate line"
	grep -E "$line" "$log" | grep -Eq "drop [0-9.]+[kM]?/s" || fail "--stats: no drop rate"
	[ "$(grep -c '^verdict ' "$log")" = 1 ] || fail "--stats: not one table, at the end"
	;;
xsk)
	# xsk.bpf.c: the byte after the Ethernet header picks xskmap slot 0 (bound),
	# slot 1 (empty: fallback XDP_DROP) or cpumap entry 0 (the XDP_PASS path).
	link $ns1 a0 $nsu u0
	start_uxdp xsk u0
	"$UXDPCTL" --instance ux$id map update xsks key u32 0 value u32 1 || fail "xskmap update"
	"$UXDPCTL" --instance ux$id map update cpus key u32 0 value u32 192 u32 0 ||
		fail "cpumap update"
	# Frames: dst MAC u0, src MAC a0, ethertype 0x88b5 (local experimental), tag, n, filler.
	frames=$(in1 "$PYTHON" -c '
import socket, sys
dst, src = (bytes.fromhex(m.replace(":", "")) for m in sys.argv[1:3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("a0", 0))
for n, tag in enumerate([0, 3, 0, 1, 0, 3]):
    f = dst + src + b"\x88\xb5" + bytes([tag, n]) + bytes((n * 7 + i) & 0xff for i in range(48))
    s.send(f)
    if tag == 0:
        print((f[:15] + b"\xee" + f[16:]).hex(" "))
' "$(mac $nsu u0)" "$(mac $ns1 a0)") || fail "cannot send the frames"
	sleep 0.5
	stop_uxdp
	got=$("$UXDPCTL" --instance ux$id xsk read xsks 0) || fail "xsk read"
	[ "$got" = "$frames" ] || fail "slot 0 ring has
$got
expected
$frames"
	[ -z "$("$UXDPCTL" --instance ux$id xsk read xsks 1)" ] || fail "slot 1 got frames"
	n=$(packets XDP_REDIRECT) d=$(packets XDP_DROP)
	[ "$n" = 5 ] && [ "$d" = 1 ] || fail "XDP_REDIRECT $n, XDP_DROP $d; expected 5 and 1"
	grep -q "redirected to xskmap rings: 3 (dropped 0), to cpumap (passed): 2" "$log" ||
		fail "no per-target redirect counts"
	;;
*)
	echo "unknown test $test"; exit 2 ;;
esac
cat "$log"
echo "PASS: drivers.$drv.$test"
