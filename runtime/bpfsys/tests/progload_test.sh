#!/bin/bash
# SPDX-License-Identifier: MIT
#
# progload_test.sh - one unmodified libbpf loader (xdp_loader.c) run twice on
# the same veth and the same frames: on the kernel, then under uxdp-run
# against `uxdpd --afxdp`.  It creates the maps, sizes one, loads and
# attaches srccount.bpf.o, pins a map and writes another; both runs must
# print the same verdict counters and per-source counts, and `bpftool -j map
# dump` must format their maps by BTF the same on both.  Then the bad
# inputs under uxdp-run: each a clear errno.
#
# Namespaces, instance, socket and bpffs mount are named after $$ and removed
# by the EXIT trap; addresses are in 198.18.0.0/15.  Environment (CMake):
# UXDPD UXDPCTL TRAFGEN RUN LOADER OBJ BPFTOOL PYTHON SHOWCMP [LIBXDP_LOADER].  Exit: 0 pass, 1 fail, 77 skip.
. "$(dirname "$0")/daemon_lib.sh" uxpl progload
need_root "namespaces, XDP, AF_XDP"
mount_bpffs
make_veth
mac=$(ip netns exec $nsd cat /sys/class/net/u0/address)

# 30 frames from .1, 20 from .2, 10 from .99 (the blocked one).
traffic() {
	for s in "1 30" "2 20" "99 10"; do
		set -- $s
		ip netns exec $nsp "$TRAFGEN" -i a0 --dst-mac $mac --src-ip 198.18.1.$1 \
			--dst-ip 198.18.1.200 --count $2 --rate 2000 --size 64 >>$tmp/tg.log 2>&1 ||
			fail "trafgen"
	done
	sleep 1
}

# run NAME PREFIX...: the loader under PREFIX, traffic while it holds the
# program, then its dump in $tmp/NAME.out.
run() {
	local name=$1 mode=$2 pid; shift 2
	rm -f "$tmp/bpffs/counts" $tmp/in $tmp/$name.out
	mkfifo $tmp/in
	ip netns exec $nsd "$@" "$LOADER" load "$OBJ" u0 "$tmp/bpffs/counts" 198.18.1.99 32 \
		$mode <$tmp/in >$tmp/$name.out 2>$tmp/$name.log &
	pid=$!
	pids+=($pid)
	exec 7>$tmp/in
	for _ in $(seq 1200); do
		grep -q ready $tmp/$name.out && break
		kill -0 $pid 2>/dev/null || fail "$name: the loader exited"
		sleep 0.1
	done
	grep -qx "ready max_entries 32" $tmp/$name.out || fail "$name: the loader did not get ready"
	[ -e "$tmp/bpffs/counts" ] || [ -L "$tmp/bpffs/counts" ] || fail "$name: no pin"
	traffic
	[ $mode = link ] && map_json $name "$@"
	if [ $mode = update ]; then
		# bpf_link__update_program() under traffic: 3000 frames from .3 over
		# 1.5 s, the updates in the middle; the new program counts by 100.
		ip netns exec $nsp "$TRAFGEN" -i a0 --dst-mac $mac --src-ip 198.18.1.3 \
			--dst-ip 198.18.1.200 --count 3000 --rate 2000 --size 64 >>$tmp/tg.log 2>&1 &
		local burst=$!
		sleep 0.5
		echo update >&7
		for _ in $(seq 1200); do
			grep -q "^updated" $tmp/$name.out && break
			kill -0 $pid 2>/dev/null || fail "$name: the loader exited"
			sleep 0.1
		done
		grep -q "^updated" $tmp/$name.out || fail "$name: no update"
		wait $burst || fail "$name: trafgen (burst)"
		traffic
		if [ $name = uxdp.upd ]; then
			ip netns exec $nsd "$UXDPCTL" --instance $inst prog show >$tmp/prog_list.out 2>&1
			grep -q "attached u0 (link [0-9]*)" $tmp/prog_list.out ||
				fail "uxdpctl prog show: no link: $(cat $tmp/prog_list.out)"
		fi
		shows $name "$@"
	fi
	[ $name = uxdp ] && prog_show
	[ $name = uxdp.nl ] && ip_link
	echo dump >&7
	exec 7>&-
	wait $pid || fail "$name: the loader failed"
	sed -i 1d $tmp/$name.out
}

# bpftool -j map dump of the loader's maps (their BTF came with libbpf's
# BPF_BTF_LOAD and BPF_MAP_CREATE): $tmp/NAME.MAP.json.
map_json() {
	local name=$1 m; shift
	for m in counts blocked verdicts; do
		ip netns exec $nsd "$@" "$BPFTOOL" -j map dump name $m >$tmp/$name.$m.json \
			2>>$tmp/$name.bpftool.log || fail "$name: bpftool map dump name $m"
	done
}

# The same entries, formatted by BTF (not hex), in the kernel's and uxdp's dumps.
same_json() {
	"$PYTHON" - "$tmp" <<'END' || fail "bpftool -j map dump: uxdp and the kernel differ"
import json, sys
for m in ("counts", "blocked", "verdicts"):
    k, u = (sorted(json.load(open("%s/%s.%s.json" % (sys.argv[1], r, m))), key=json.dumps)
            for r in ("kernel", "uxdp"))
    assert k == u, (m, k, u)
    assert k and all("formatted" in e or not isinstance(e["value"], list) for e in k), (m, k)
    print("bpftool -j map dump %s: %d entries, formatted, the same" % (m, len(k)))
END
}

# bpftool prog show under uxdp-run lists the daemon's program, with its id.
prog_show() {
	ip netns exec $nsd "$RUN" --instance $inst "$BPFTOOL" -j prog show >$tmp/prog_show.out \
		2>$tmp/prog_show.log || fail "bpftool prog show"
	ip netns exec $nsd "$UXDPCTL" --instance $inst prog list >$tmp/prog_list.out 2>&1
	"$PYTHON" - "$tmp/prog_show.out" "$(sed -n 's/^\([0-9]*\): xdp.*/\1/p' $tmp/prog_list.out)" \
		<<'END' || fail "bpftool prog show: $(cat $tmp/prog_show.out)"
import json, sys
progs = json.load(open(sys.argv[1]))
assert len(progs) == 1 and progs[0]["name"] == "srccount" and progs[0]["type"] == "xdp", progs
assert str(progs[0]["id"]) == sys.argv[2], (progs, sys.argv[2])
END
}

# shows NAME PREFIX...: bpftool's -j prog/link/net/map show (Debian's, as
# it is) under PREFIX while the updated link runs, into $tmp/NAME.*.json.
shows() {
	local name=$1 what; shift
	[ -n "$BPFTOOL" ] || return 0
	for what in prog link net map; do
		ip netns exec $nsd "$@" "$BPFTOOL" -j $what show >$tmp/$name.$what.json \
			2>$tmp/$name.$what.log || fail "$name: bpftool $what show: $(cat $tmp/$name.$what.log)"
	done
	# The loader's `counts`, by its pin: its programs are those using it (the
	# machine may run other programs called srccount).
	ip netns exec $nsd "$@" "$BPFTOOL" -j map show pinned "$tmp/bpffs/counts" \
		>$tmp/$name.pin.json 2>>$tmp/$name.map.log || fail "$name: bpftool map show pinned"
	# Netlink does not take a device a link holds (EBUSY, and the kernel's reason), on both.
	ip netns exec $nsd "$@" ip link set dev u0 xdp off >$tmp/$name.off.log 2>&1 &&
		fail "$name: ip link set xdp off detached a link's program"
	grep -q "replace active BPF XDP link" $tmp/$name.off.log || fail "$name: xdp off: $(cat $tmp/$name.off.log)"
	# Another process detaches the link by its id (bpftool, as it is); the
	# loader then finds it detached (ENOLINK) as on the kernel.
	local link
	link=$("$PYTHON" -c 'import json,sys; print([l["id"] for l in json.load(open(sys.argv[1])) if l.get("prog_id") in [p["id"] for p in json.load(open(sys.argv[2])) if p.get("name") == "srccount"]][0])' \
		$tmp/$name.link.json $tmp/$name.prog.json) || fail "$name: no link in bpftool link show"
	ip netns exec $nsd "$@" "$BPFTOOL" link detach id $link >$tmp/$name.detach.log 2>&1 ||
		fail "$name: bpftool link detach id $link: $(cat $tmp/$name.detach.log)"
}

# ip(8) under uxdp-run sees uxdp's program on the port (RTM_GETLINK rewritten).
ip_link() {
	local id
	ip netns exec $nsd "$UXDPCTL" --instance $inst prog list >$tmp/prog_list.out 2>&1
	id=$(sed -n 's/^\([0-9]*\): xdp.*/\1/p' $tmp/prog_list.out | tail -1)
	ip netns exec $nsd "$RUN" --instance $inst ip -d link show dev u0 >$tmp/ip_link.out 2>&1
	grep -q "prog/xdp id $id" $tmp/ip_link.out || fail "ip link show: no 'prog/xdp id $id': $(cat $tmp/ip_link.out)"
}

# iproute2 loads and attaches (its libbpf, our netlink), the program stays
# attached after ip exits (as a netlink attachment does), `xdp off` detaches.
ip_link_obj() {
	ip netns exec $nsd "$RUN" --instance $inst ip link set dev u0 xdp obj "$OBJ" sec xdp \
		>$tmp/ip_obj.log 2>&1 || fail "ip link set dev u0 xdp obj: $(cat $tmp/ip_obj.log)"
	ip netns exec $nsd "$UXDPCTL" --instance $inst prog list >$tmp/prog_list.out 2>&1
	grep -q "attached u0" $tmp/prog_list.out || fail "ip xdp obj: not attached"
	ip netns exec $nsd "$RUN" --instance $inst ip link set dev u0 xdp off ||
		fail "ip link set dev u0 xdp off"
	ip netns exec $nsd "$UXDPCTL" --instance $inst prog list >$tmp/prog_list.out 2>&1
	grep -q "attached u0" $tmp/prog_list.out && fail "xdp off: still attached"
	echo "ip link set dev u0 xdp obj / xdp off: attached in uxdpd, then detached"
}

# --- the kernel
if ip netns exec $nsd "$LOADER" load "$OBJ" u0 "$tmp/bpffs/probe" 198.18.1.99 32 \
	</dev/null >/dev/null 2>$tmp/probe.log || grep -q "^xdp_loader: stdin" $tmp/probe.log; then
	rm -f "$tmp/bpffs/probe"
	kernel_maps_gone counts blocked verdicts
	run kernel link
	run kernel.nl netlink
	run kernel.upd update
	kernel=1
else
	echo "note: the kernel would not load the program ($(tail -1 $tmp/probe.log)); uxdp only"
	kernel=0
fi

# --- uxdpd
start_uxdpd
run uxdp link "$RUN" --instance $inst
run uxdp.nl netlink "$RUN" --instance $inst
run uxdp.upd update "$RUN" --instance $inst
for r in uxdp uxdp.nl uxdp.upd; do
	[ $r = uxdp.upd ] || grep -q "^verdict 1 10$" $tmp/$r.out || fail "$r: 10 drops expected"
	if [ $kernel = 1 ]; then
		k=kernel${r#uxdp}
		# The burst's count, and the old program's .bss, depend on when the updates
		# fell (burst_ok checks them).
		diff -u <(grep -v "^count 198.18.1.3 \|^\.bss" $tmp/$k.out) \
			<(grep -v "^count 198.18.1.3 \|^\.bss" $tmp/$r.out) || fail "uxdp and the kernel differ ($r)"
		[ $r = uxdp.upd ] || diff -u $tmp/$k.out $tmp/$r.out || fail "uxdp and the kernel differ ($r)"
		echo "kernel and uxdp agree: $(tr '\n' ';' <$tmp/$r.out)"
	fi
done
grep -qx "bpf_xdp_query_id: the program" $tmp/uxdp.nl.out || fail "bpf_xdp_query_id"
[ $kernel = 1 ] && same_json
uxdpctl_json=$(ip netns exec $nsd "$UXDPCTL" --instance $inst -j map dump counts 2>&1)
grep -q '"formatted"' <<<"$uxdpctl_json" || fail "uxdpctl map dump counts: no BTF: $uxdpctl_json"
grep -q "BPF_BTF_LOAD" $tmp/uxdp.log && fail "a BPF_BTF_LOAD line: $(cat $tmp/uxdp.log)"
# Every frame of the burst that ran through the updates was counted once,
# by the old program (1) or the new (100): 3000 = old + new, count = old + 100 new.
burst_ok() {
	local c
	c=$(sed -n 's/^count 198\.18\.1\.3 //p' $1)
	[ -n "$c" ] && [ $(((c - 3000) % 99)) = 0 ] && [ $(((c - 3000) / 99)) -ge 0 ] &&
		[ $(((c - 3000) / 99)) -le 3000 ] || fail "$1: the burst's count $c is not 3000 frames counted once"
	# The old program's .bss: weight 2 for its 60 frames before and its share of the burst.
	grep -qx ".bss weighted_frames $((2 * (60 + 3000 - (c - 3000) / 99)))" $1 ||
		fail "$1: .bss does not match the old program's share of the burst"
	echo "$1: burst of 3000 under the updates: $(((c - 3000) / 99)) by the new program, $((3000 - (c - 3000) / 99)) by the old"
}
burst_ok $tmp/uxdp.upd.out
[ $kernel = 1 ] && burst_ok $tmp/kernel.upd.out
# The link runs the new program (count_step 100) on the last 60 frames: nothing lost.
for w in "count 198.18.1.1 3030" "count 198.18.1.2 2020" "count 198.18.1.99 1010" "verdict 1 20" \
	"link type 6 prog_id_matches 1" "link_update BPF_F_REPLACE, not the link's program: Operation not permitted" \
	"bpf_link__update_program: ok" "link_update of a detached link: Link has been severed" \
	"detached link: type 6 ifindex 0" "verdict 0 3100" \
	"map ops racing the updates: no error, no element lost"; do
	grep -qx "$w" $tmp/uxdp.upd.out || fail "update: no '$w' in $(cat $tmp/uxdp.upd.out)"
done
for r in kernel uxdp; do sed -n "s/^xdp_loader: /$r: /p" $tmp/$r.upd.log 2>/dev/null; done
if [ $kernel = 1 ] && [ -n "$BPFTOOL" ]; then
	"$PYTHON" "$SHOWCMP" $tmp/kernel.upd $tmp/uxdp.upd u0 || fail "bpftool show: uxdp and the kernel differ"
fi
ip_link_obj

# libxdp: no dispatcher under uxdp, the program attached alone.
if [ -n "${LIBXDP_LOADER:-}" ]; then
	rm -f $tmp/in
	mkfifo $tmp/in
	ip netns exec $nsd env LIBXDP_BPFFS=$tmp/bpffs "$RUN" --instance $inst "$LIBXDP_LOADER" \
		"$OBJ" u0 <$tmp/in >$tmp/libxdp.out 2>$tmp/libxdp.log &
	pid=$!
	pids+=($pid)
	exec 7>$tmp/in
	for _ in $(seq 1200); do
		grep -q "attached as" $tmp/libxdp.out && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	grep -qx "attach: ok" $tmp/libxdp.out || fail "libxdp: attach"
	grep -q "Falling back to loading single prog without dispatcher" $tmp/libxdp.log ||
		fail "libxdp did not fall back"
	ip netns exec $nsd "$UXDPCTL" --instance $inst prog list >$tmp/prog_list.out 2>&1
	grep -A4 "name srccount" $tmp/prog_list.out | grep -q "attached u0" ||
		fail "libxdp: the program is not attached in uxdpd"
	echo >&7
	exec 7>&-
	wait $pid || fail "libxdp: detach"
	grep -qx "detach: ok" $tmp/libxdp.out || fail "libxdp: detach"
	echo "libxdp fell back to attaching the program alone: $(tr '\n' ';' <$tmp/libxdp.out)"
fi

# The maps the program used stay in the instance; libbpf's probe maps do not.
maps=$(ip netns exec $nsd "$UXDPCTL" --instance $inst map list 2>&1)
for m in counts blocked verdicts; do
	grep -qw "$m" <<<"$maps" || fail "map $m not in the instance: $maps"
done
grep -q "libbpf_\|anon\." <<<"$maps" && fail "probe maps left in the instance: $maps"
# The second names global data had during each load are gone.
ls /dev/shm/ | grep -q "^uxdp\.$inst\.\.data\." && fail "a .data.<map> name left in /dev/shm"

# --- bad inputs, under uxdp-run (lo is no port of the daemon)
ip netns exec $nsd "$RUN" --instance $inst "$LOADER" bad 1 $tmp/bpffs >$tmp/bad.out 2>$tmp/bad.log ||
	fail "the bad-input run failed"
cat >$tmp/bad.want <<'END'
map_create bad key size: Invalid argument
map_create bad flags: Invalid argument
map_create sockmap: Operation not supported
map_create: ok
prog_load socket filter naming a map: Operation not supported
prog_load ext: Operation not supported
prog_load xdp: ok
prog_load xdp without instructions: Argument list too long
attach to an interface not ours: No such device
link_create of another attach type: Invalid argument
netlink attach to an interface not ours: No such device
prog_load attr with a non-zero tail: Argument list too long
obj_pin prog outside bpffs: Operation not permitted
obj_pin prog: ok
obj_pin prog again: File exists
obj_get prog: ok
obj_get prog: the same program: yes
obj_get of no pin: No such file or directory
END
diff -u $tmp/bad.want $tmp/bad.out || fail "bad inputs"
for w in "BPF_MAP_CREATE: map type 15" "BPF_PROG_LOAD: program type 1 names uxdp maps" \
	"BPF_PROG_LOAD: BPF_PROG_TYPE_EXT" "BPF_LINK_CREATE: " "RTM_SETLINK IFLA_XDP: uxdp: ifindex 1"; do
	grep -q "$w" $tmp/bad.log || fail "no line '$w' on stderr"
done
# The program pin is a symbolic link naming it, and holds it as a kernel
# pin does: its loader gone, bpftool opens it by the pin; rm releases it.
case $(readlink $tmp/bpffs/prog) in uxdp-prog:$inst:*) ;; *) fail "program pin: $(ls -l $tmp/bpffs)" ;; esac
ip netns exec $nsd "$RUN" --instance $inst "$BPFTOOL" prog show pinned $tmp/bpffs/prog \
	>$tmp/pinned.out 2>&1 || fail "a pinned program did not outlive its loader: $(cat $tmp/pinned.out)"
grep -q "name xdp_map" $tmp/pinned.out || fail "bpftool prog show pinned: $(cat $tmp/pinned.out)"
rm $tmp/bpffs/prog || fail "rm of a program pin"
for _ in $(seq 50); do
	ip netns exec $nsd "$UXDPCTL" --instance $inst prog list 2>&1 | grep -q "name xdp_map" || break
	sleep 0.1
done
ip netns exec $nsd "$UXDPCTL" --instance $inst prog list 2>&1 | grep -q "name xdp_map" &&
	fail "rm of its pin did not release the program"
echo "PASS"
