#!/bin/bash
# SPDX-License-Identifier: MIT
#
# lifetime_test.sh - how long programs and links live (lifetime.c), on the
# kernel and under uxdp-run against `uxdpd --afxdp` on a veth in namespaces
# the test makes; both must print the same lines:
#   - a link goes with its last fd: close of a dup'ed fd, a forked child's
#     exit, a SIGKILL of its process; detached while an fd holds it, it is
#     still listed (BPF_LINK_GET_NEXT_ID) until that fd is closed;
#   - a pinned link outlives its loader, is opened and updated by its pin
#     in another process, and goes with rm of the pin;
#   - a pinned program outlives its loader and every fd; after rm of the
#     pin an fd another process got from it holds it; it goes with that;
#   - gpl_compatible of programs under the kernel's GPL-compatible licenses
#     and two others;
#   - the global-data maps of a loader's object (.rodata, .data, .bss) are
#     gone once its program is (loaded, not attached, the loader exits); on
#     uxdp so is the program's own constant map (.rodata.<n>);
#   - a program goes with the last fd that refers to it, asked right after
#     the close (bpf_prog_get_fd_by_id: ENOENT): its only fd, a dup, a
#     forked child's copy, one passed by SCM_RIGHTS, one inherited across
#     exec, a SIGKILL of its process; a pin keeps it until rm;
#   - a control plane that loads v2, updates its link to it and closes v1,
#     RELOADS times (default 20), leaves exactly the running version loaded.
# Environment (CMake): UXDPD UXDPCTL RUN LIFETIME OBJ [BPFTOOL].  Exit: 0 pass, 1 fail, 77 skip.
. "$(dirname "$0")/daemon_lib.sh" uxlt lifetime
need_root "namespaces, XDP, AF_XDP"
mount_bpffs
make_veth

# side NAME PREFIX...: every step under PREFIX, its lines in $tmp/NAME.out.
side() {
	local name=$1 pid; shift
	local out=$tmp/$name.out
	L() { ip netns exec $nsd "$@" "$LIFETIME" "${args[@]}" >>$out 2>>$tmp/$name.log; }
	lt() { args=("$@"); L "${pre[@]}" || fail "$name: lifetime $*"; }
	pre=("$@")
	: >$out
	lt close u0
	lt detach u0
	lt fork u0
	ip netns exec $nsd "$@" "$LIFETIME" hold u0 >$tmp/$name.hold 2>>$tmp/$name.log &
	pid=$!
	pids+=($pid)
	for _ in $(seq 300); do grep -q ready $tmp/$name.hold && break; sleep 0.1; done
	grep -q ready $tmp/$name.hold || fail "$name: hold did not get ready"
	grep -v ready $tmp/$name.hold >>$out
	kill -KILL $pid
	wait $pid 2>/dev/null
	echo "killed with SIGKILL" >>$out
	lt state u0 wait
	# bpftool pins a link another process holds; SIGKILL of that one leaves it.
	if [ -n "${BPFTOOL:-}" ]; then
		ip netns exec $nsd "$@" "$LIFETIME" hold u0 $tmp/$name.link >$tmp/$name.hold 2>>$tmp/$name.log &
		pid=$!
		pids+=($pid)
		for _ in $(seq 300); do grep -q ready $tmp/$name.hold && break; sleep 0.1; done
		ip netns exec $nsd "$@" "$BPFTOOL" link pin id $(cat $tmp/$name.link) $tmp/bpffs/bt \
			>>$tmp/$name.log 2>&1 || fail "$name: bpftool link pin"
		echo "bpftool link pin: ok" >>$out
		kill -KILL $pid
		wait $pid 2>/dev/null
		echo "its process killed with SIGKILL" >>$out
		lt state u0
		rm $tmp/bpffs/bt
		echo "bpftool's link pin removed" >>$out
		lt state u0 wait
	fi
	lt linkpin u0 $tmp/bpffs/link
	lt state u0
	lt linkget u0 $tmp/bpffs/link
	lt state u0
	rm $tmp/bpffs/link || fail "$name: rm of the link pin"
	echo "link pin removed" >>$out
	lt state u0 wait
	lt progpin $tmp/bpffs/prog $tmp/$name.id
	lt progid $tmp/$name.id
	lt progget $tmp/bpffs/prog
	# Another process holds it by an fd from the pin: rm leaves it to that fd.
	rm -f $tmp/in
	mkfifo $tmp/in
	ip netns exec $nsd "$@" "$LIFETIME" proghold $tmp/bpffs/prog <$tmp/in >$tmp/$name.held \
		2>>$tmp/$name.log &
	pid=$!
	pids+=($pid)
	exec 7>$tmp/in
	for _ in $(seq 300); do grep -q holding $tmp/$name.held && break; sleep 0.1; done
	cat $tmp/$name.held >>$out
	rm $tmp/bpffs/prog || fail "$name: rm of the program pin"
	echo "program pin removed" >>$out
	sleep 0.5 # the daemon looks at its pins every 100 ms at most
	lt progid $tmp/$name.id
	echo >&7
	exec 7>&-
	wait $pid || fail "$name: proghold"
	echo "the fd's process exited" >>$out
	lt progid $tmp/$name.id wait
	lt license "GPL" "GPL v2" "GPL and additional rights" "Dual BSD/GPL" "Dual MIT/GPL" \
		"Dual MPL/GPL" "MIT" "Proprietary"
	lt globals "$OBJ" $tmp/$name.maps
	lt mapids $tmp/$name.maps
	lt progfds
	lt progpinclose $tmp/bpffs/pinclose
	ip netns exec $nsd "$@" "$LIFETIME" progkeep $tmp/$name.keep >$tmp/$name.kept \
		2>>$tmp/$name.log &
	pid=$!
	pids+=($pid)
	for _ in $(seq 300); do grep -q ready $tmp/$name.kept && break; sleep 0.1; done
	grep -q ready $tmp/$name.kept || fail "$name: progkeep did not get ready"
	lt progid $tmp/$name.keep
	kill -KILL $pid
	wait $pid 2>/dev/null
	echo "its process killed with SIGKILL" >>$out
	lt progid $tmp/$name.keep
	lt reload u0 ${RELOADS:-20}
}

# --- the kernel
kernel=0
if ip netns exec $nsd "$LIFETIME" license GPL >/dev/null 2>$tmp/probe.log; then
	side kernel
	kernel=1
else
	echo "note: the kernel would not load a program ($(tail -1 $tmp/probe.log)); uxdp only"
fi

# --- uxdpd
start_uxdpd
fds0=$(ls /proc/$dpid/fd | wc -l)
side uxdp "$RUN" --instance $inst
# Every reference the daemon handed out came back (EOF): it has no descriptor more than before.
for _ in $(seq 50); do
	fds1=$(ls /proc/$dpid/fd | wc -l)
	[ "$fds1" -le "$fds0" ] && break
	sleep 0.1
done
echo "uxdpd's descriptors: $fds0 before, $fds1 after"
[ "$fds1" -le "$fds0" ] || fail "uxdpd kept descriptors: $(ls -l /proc/$dpid/fd)"
cat $tmp/uxdp.out
for r in kernel uxdp; do
	sed -n "s/^lifetime: \(.*none after\|reload: \)/$r: \1/p" $tmp/$r.log 2>/dev/null
done
if [ $kernel = 1 ]; then
	diff -u $tmp/kernel.out $tmp/uxdp.out || fail "uxdp and the kernel differ"
	echo "kernel and uxdp agree ($(wc -l <$tmp/uxdp.out) lines)"
else
	grep -q "last fd closed: none" $tmp/uxdp.out || fail "no kernel to compare with, and wrong"
fi
# Nor the constants the daemon made for the programs (.rodata.<n>): the
# instance has no map left but those of the programs' own, none here.
for _ in $(seq 50); do
	ip netns exec $nsd "$UXDPCTL" --instance $inst map list >$tmp/map_list.out 2>&1
	grep -q "\.rodata\|\.data\|\.bss" $tmp/map_list.out || break
	sleep 0.1
done
grep -q "\.rodata\|\.data\|\.bss" $tmp/map_list.out && fail "global data left: $(cat $tmp/map_list.out)"
# Nothing of the test's is left in the daemon: no link, no loaded program.
ip netns exec $nsd "$UXDPCTL" --instance $inst prog list >$tmp/prog_list.out 2>&1
grep -q "^[0-9]*: xdp" $tmp/prog_list.out && fail "programs left loaded: $(cat $tmp/prog_list.out)"

# A daemon restart (uxdp only: the kernel has none).  The new daemon numbers
# its programs from 1 again; a descriptor of the old one's program 1, held
# across the restart, must not name the new one's program 1 (its daemon
# end is closed: EBADF, as a descriptor of nothing).
kill -KILL $(cat /proc/$dpid/task/*/children 2>/dev/null) $dpid 2>/dev/null
wait $dpid 2>/dev/null
start_uxdpd a
rm -f $tmp/stale.in
mkfifo $tmp/stale.in
ip netns exec $nsd "$RUN" --instance $inst "$LIFETIME" stalekeep $tmp/stale.id <$tmp/stale.in \
	>$tmp/stale.out 2>$tmp/stale.log &
spid=$!
pids+=($spid)
exec 8>$tmp/stale.in
for _ in $(seq 300); do grep -q ready $tmp/stale.out && break; sleep 0.1; done
grep -q ready $tmp/stale.out || fail "stalekeep did not get ready: $(cat $tmp/stale.log)"
# And a pin of the old daemon's program 2 (the pin holds it there).
ip netns exec $nsd "$RUN" --instance $inst "$LIFETIME" progpin $tmp/bpffs/oldpin $tmp/oldpin.id \
	>/dev/null 2>$tmp/oldpin.log || fail "progpin in the old daemon: $(cat $tmp/oldpin.log)"
kill -KILL $dpid
wait $dpid 2>/dev/null
start_uxdpd b
ip netns exec $nsd "$RUN" --instance $inst "$LIFETIME" progkeep $tmp/new.id >$tmp/new.out \
	2>$tmp/new.log &
npid=$!
pids+=($npid)
for _ in $(seq 300); do grep -q ready $tmp/new.out && break; sleep 0.1; done
grep -q ready $tmp/new.out || fail "progkeep in the new daemon did not get ready: $(cat $tmp/new.log)"
[ "$(cat $tmp/stale.id)" = "$(cat $tmp/new.id)" ] ||
	fail "the new daemon's program has id $(cat $tmp/new.id), the old one's $(cat $tmp/stale.id): no clash to test"
# The new daemon's program 2, and the old daemon's pin of its program 2.
ip netns exec $nsd "$RUN" --instance $inst "$LIFETIME" progpin $tmp/bpffs/newpin $tmp/newpin.id \
	>/dev/null 2>$tmp/newpin.log || fail "progpin in the new daemon: $(cat $tmp/newpin.log)"
[ "$(cat $tmp/oldpin.id)" = "$(cat $tmp/newpin.id)" ] || fail "pins: ids $(cat $tmp/oldpin.id) and $(cat $tmp/newpin.id)"
ip netns exec $nsd "$RUN" --instance $inst "$LIFETIME" progget $tmp/bpffs/oldpin >$tmp/oldpin.out \
	2>>$tmp/oldpin.log || fail "progget: $(cat $tmp/oldpin.log)"
sed 's/^/old daemon'"'"'s pin after the restart: /' $tmp/oldpin.out
grep -qx "program from its pin: No such file or directory" $tmp/oldpin.out ||
	fail "the old daemon's pin opened the new daemon's program: $(cat $tmp/oldpin.out)"
rm -f $tmp/bpffs/oldpin $tmp/bpffs/newpin
echo go >&8
exec 8>&-
wait $spid || fail "stalekeep: $(cat $tmp/stale.log)"
cat $tmp/stale.out | grep "after the restart"
grep -qx "after the restart: the old fd: Bad file descriptor" $tmp/stale.out ||
	fail "a descriptor of the old daemon's program: $(cat $tmp/stale.out)"
kill -KILL $npid
wait $npid 2>/dev/null
echo "PASS"
