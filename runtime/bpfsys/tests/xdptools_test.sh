#!/bin/bash
# SPDX-License-Identifier: MIT
#
# xdptools_test.sh loader|filter - Debian's xdp-tools, unmodified, on a veth:
# the same commands run twice, on the kernel, then under uxdp-run against
# `uxdpd --afxdp` (XDP_PASS to the host stack through --pass-tap).  UDP
# sockets in the namespace count what the host stack received: the same
# datagrams must arrive (passed) and not arrive (dropped) in both runs.
#   loader: xdp-loader load -m native|skb, status, unload --all (dropport.bpf.o)
#   filter: xdp-filter load, ip, port, status, port --remove, unload; pins
#           reopened by later invocations
#
# The veth has one queue, so uxdpd one worker, whatever the possible CPUs:
# xdp-filter writes its rule flags into every possible CPU's slot of a
# per-CPU map and finds a rule only when all have it, so `status` the same
# as the kernel's shows that the maps the library creates keep a slot per
# possible CPU, as the kernel's (docs/control-plane.md).
#
# Namespaces, instance, socket and bpffs mount are named after $$ and removed
# by the EXIT trap; addresses in 198.18.0.0/15.  Environment (CMake): UXDPD
# UXDPCTL RUN PYTHON COUNT (udp_count.py) DROPOBJ.  Exit: 0 pass, 1 fail, 77 skip.
mode=${1:?loader or filter}
. "$(dirname "$0")/daemon_lib.sh" uxxt xdptools
need_root "namespaces, XDP, AF_XDP"
tool=/usr/sbin/xdp-$mode
[ -x $tool ] || skip "no $tool (Debian package xdp-tools)"
command -v ethtool >/dev/null || skip "no ethtool to turn off veth checksum offload"
mount_bpffs
# libxdp's pins and dispatcher state live here (ip netns exec hides /sys/fs/bpf).
export LIBXDP_BPFFS=$tmp/bpffs

make_veth 1
# veth leaves UDP checksums to the receiver's "hardware" (CHECKSUM_PARTIAL);
# AF_XDP hands uxdp the frame without it, so the stack behind the TAP would
# drop every datagram: the peer computes them, as a real NIC's sender does.
ip netns exec $nsp ethtool -K a0 tx off >/dev/null || fail "cannot turn off checksum offload on a0"
ip -n $nsp addr add 198.18.6.1/24 dev a0
ip -n $nsp addr add 198.18.6.3/24 dev a0

# x NAME CMD...: CMD in the data plane's namespace under the run's prefix
# ($pre: empty for the kernel, uxdp-run for uxdp), output in NAME.out.
x() {
	local name=$1; shift
	ip netns exec $nsd $pre "$@" >$tmp/$run.$name.out 2>$tmp/$run.$name.log ||
		fail "$run: $*: $(cat $tmp/$run.$name.log)"
}

# traffic NAME SRC:PORT:COUNT...: the datagrams to 198.18.6.2; what the
# sockets got in $run.NAME.out.
traffic() {
	local out=$tmp/$run.$1.out; shift
	rm -f $tmp/lin
	mkfifo $tmp/lin
	ip netns exec $nsd "$PYTHON" "$COUNT" listen 9 80 8080 <$tmp/lin >$out &
	pids+=($!)
	exec 8>$tmp/lin
	for _ in $(seq 50); do grep -q ready $out && break; sleep 0.1; done
	ip netns exec $nsp ping -c 1 -W 2 198.18.6.2 >/dev/null 2>&1 # the neighbour, once
	ip netns exec $nsp "$PYTHON" "$COUNT" send 198.18.6.2 "$@" || fail "$run: send"
	sleep 1
	exec 8>&-
	wait $! 2>/dev/null
	sed -i 1d $out
}

loader_run() {
	x load xdp-loader load -m native u0 "$DROPOBJ"
	x status xdp-loader status u0
	grep -q "dropport  *native" $tmp/$run.status.out || fail "$run: status: $(cat $tmp/$run.status.out)"
	[ $run = uxdp ] && attached dropport
	traffic got 198.18.6.1:9:20 198.18.6.1:8080:30 198.18.6.3:8080:10
	x unload xdp-loader unload u0 --all
	x status2 xdp-loader status u0
	grep -q "u0 .*No XDP program loaded" $tmp/$run.status2.out ||
		fail "$run: still loaded: $(cat $tmp/$run.status2.out)"
	[ $run = uxdp ] && attached none
	# skb (generic) mode: the kernel runs the program in its stack, uxdp
	# in user space as for native; status says which the kernel took.
	x loadskb xdp-loader load -m skb u0 "$DROPOBJ"
	x statusskb xdp-loader status u0
	sed -n 's/.*dropport  *\([a-z]*\) .*/\1/p' $tmp/$run.statusskb.out >$tmp/$run.skbmode.out
	x unloadskb xdp-loader unload u0 --all
}

filter_run() {
	x load xdp-filter load u0
	x ip xdp-filter ip 198.18.6.3 -m src
	x port xdp-filter port 80
	[ $run = uxdp ] && attached xdpfilt_alw_all
	traffic got 198.18.6.1:80:20 198.18.6.1:8080:30 198.18.6.3:8080:10
	x status xdp-filter status
	# Rules and their hit counts, and the drops; not the passes (ARP differs in timing).
	sed -n '/XDP_DROP/p;/^Loaded on/,$p' $tmp/$run.status.out >$tmp/$run.rules.out
	# A rule removed (its flags cleared in every CPU's slot): port 80 passes.
	x unport xdp-filter port 80 --remove
	traffic got2 198.18.6.1:80:5
	[ "$(cat $tmp/$run.got2.out)" = "198.18.6.1 80 5" ] ||
		fail "$run: after port 80 --remove: received $(cat $tmp/$run.got2.out)"
	x unload xdp-filter unload u0
	[ -e $tmp/bpffs/xdp-filter ] && fail "$run: pins left: $(find $tmp/bpffs/xdp-filter)"
	[ $run = uxdp ] && attached none
}

# attached NAME|none: what uxdpd runs on u0.
attached() {
	ip netns exec $nsd "$UXDPCTL" --instance $inst prog list >$tmp/prog_list.out 2>&1
	if [ $1 = none ]; then
		grep -q "attached u0" $tmp/prog_list.out && fail "uxdp: still attached: $(cat $tmp/prog_list.out)"
	else
		grep -A4 "name $1" $tmp/prog_list.out | grep -q "attached u0" ||
			fail "uxdp: $1 not attached in uxdpd: $(cat $tmp/prog_list.out)"
	fi
	return 0
}

# --- the kernel (xdp-filter finds its maps by name: none of an earlier run's left)
kernel_maps_gone xdp_stats_map filter_ports filter_ipv4 filter_ipv6 filter_ethernet
run=kernel pre=
ip -n $nsd addr add 198.18.6.2/24 dev u0
${mode}_run
ip -n $nsd addr flush dev u0

# --- uxdpd, passing to the host stack through a TAP that carries the address
ip netns exec $nsd "$UXDPD" --instance $inst --socket $sock --no-cache --afxdp u0 \
	--queues 0 --pass-tap ux0 >$tmp/uxdpd.log 2>&1 &
pids+=($!)
for _ in $(seq 150); do grep -q "Ctrl-C stops" $tmp/uxdpd.log && break; sleep 0.1; done
grep -q "Ctrl-C stops" $tmp/uxdpd.log || fail "uxdpd did not start"
ip -n $nsd addr add 198.18.6.2/24 dev ux0
export UXDP_DAEMON_SOCKET=$sock
run=uxdp pre="$RUN --instance $inst"
${mode}_run

if [ $mode = loader ]; then
	want="198.18.6.1 8080 30
198.18.6.3 8080 10"
	echo "skb mode: the kernel says $(cat $tmp/kernel.skbmode.out), uxdp $(cat $tmp/uxdp.skbmode.out)"
	[ "$(cat $tmp/uxdp.skbmode.out)" = native ] || fail "uxdp: -m skb status: $(cat $tmp/uxdp.statusskb.out)"
else
	want="198.18.6.1 8080 30"
	grep -q "src  *10$" $tmp/kernel.rules.out || fail "kernel: no hits on the ip rule: $(cat $tmp/kernel.status.out)"
	diff -u $tmp/kernel.rules.out $tmp/uxdp.rules.out || fail "xdp-filter status differs"
	echo "xdp-filter status, the same on both: $(grep -E "DROP|  [0-9]" $tmp/uxdp.rules.out | tr -s " " | tr "\n" ";")"
fi
for r in kernel uxdp; do
	[ "$(cat $tmp/$r.got.out)" = "$want" ] || fail "$r: received $(cat $tmp/$r.got.out), want $want"
done
echo "kernel and uxdp: the host stack received $(tr '\n' ';' <$tmp/uxdp.got.out)"
echo "PASS"
