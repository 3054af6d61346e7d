#!/bin/bash
# SPDX-License-Identifier: MIT
#
# skeleton_test.sh - gskel_loader (made by `bpftool gen skeleton`, linked
# against Debian's libbpf.so.1) run twice on the same veth and datagrams:
# on the kernel, then under uxdp-run against `uxdpd --afxdp`.  It sets
# .rodata and .data through the skeleton, loads, attaches, and after the
# first datagrams writes .data through the skeleton's mapping; what it
# reads through the mappings at the end (the program's .bss counters) must
# be the same on both.
#
# Namespaces, instance and socket are named after $$ and removed by the EXIT
# trap; addresses in 198.18.0.0/15.  Environment (CMake): UXDPD RUN PYTHON
# COUNT (udp_count.py) LOADER.  Exit: 0 pass, 1 fail, 77 skip.
. "$(dirname "$0")/daemon_lib.sh" uxsk skeleton
need_root "namespaces, XDP, AF_XDP"
make_veth
ip -n $nsp addr add 198.18.7.1/24 dev a0
# No stack answers ARP behind uxdp here (no --pass-tap): a static neighbour.
ip -n $nsp neigh add 198.18.7.2 lladdr $(ip netns exec $nsd cat /sys/class/net/u0/address) dev a0

# run NAME PREFIX...: the loader under PREFIX; 20 datagrams to port 9 and 30
# to 8080 at weight 2, then weight 5 and 10 more to 8080; its dump in NAME.out.
run() {
	local name=$1 pid; shift
	rm -f $tmp/in
	mkfifo $tmp/in
	ip netns exec $nsd "$@" "$LOADER" u0 <$tmp/in >$tmp/$name.out 2>$tmp/$name.log &
	pid=$!
	pids+=($pid)
	exec 7>$tmp/in
	for _ in $(seq 600); do
		grep -q ready $tmp/$name.out && break
		kill -0 $pid 2>/dev/null || fail "$name: the loader exited"
		sleep 0.1
	done
	grep -qx ready $tmp/$name.out || fail "$name: the loader did not get ready"
	ip netns exec $nsp "$PYTHON" "$COUNT" send 198.18.7.2 198.18.7.1:9:20 198.18.7.1:8080:30 ||
		fail "send"
	sleep 0.5
	echo "weight 5" >&7
	for _ in $(seq 50); do grep -q "weight set" $tmp/$name.out && break; sleep 0.1; done
	ip netns exec $nsp "$PYTHON" "$COUNT" send 198.18.7.2 198.18.7.1:8080:10 || fail "send"
	sleep 0.5
	echo dump >&7
	exec 7>&-
	wait $pid || fail "$name: the loader failed"
	sed -i '/^ready$/d' $tmp/$name.out
}

cat >$tmp/want <<'END'
weight set 5
rodata drop_port 9
data weight 5
bss weighted 150
bss dropped 20
END

run kernel
diff -u $tmp/want $tmp/kernel.out || fail "the kernel's run is not as expected"

start_uxdpd
run uxdp "$RUN" --instance $inst
diff -u $tmp/kernel.out $tmp/uxdp.out || fail "uxdp and the kernel differ"
echo "kernel and uxdp agree: $(tr '\n' ';' <$tmp/uxdp.out)"
echo "PASS"
