#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run.sh TEST - uxdpd's end-to-end tests.
#
#   pcap.replace   a replay under --repeat while the program is replaced 100
#                  times (two versions, one map); the output checked byte for byte
#   afxdp.replace  uxdp-trafgen at 20 kpps through veth into uxdpd (AF_XDP), the
#   dpdk.replace   program replaced 100 times (load, replace, unload), beside a
#                  control daemon on another veth at the same rate that is not
#                  touched: sent = counted = received on both, no duplicate, no
#                  ring drop, every frame tagged by exactly one version
#   bad_input      a map of another shape, a missing object, a client without
#                  permission on the socket, a second daemon on the instance or
#                  the interface: each a clear error, the program keeps running;
#                  PROG_OBJECT, and program references (check.py refs)
#   stats          --stats: a rate line a second in uxdp's layout, the tables at exit
#   instance       instance list (alive, dead), a crashed daemon's instance taken
#                  over (maps removed, or kept with --keep-maps)
#
# Namespaces, instances, sockets and files are named after $$ and removed by
# the EXIT trap; addresses are in 198.18.0.0/15.
# Environment (from CMake): UXDPD UXDP UXDPCTL UXDPC TRAFGEN REPLACE_LOOP OBJ
# NETOBJ PYTHON.  Exit: 0 pass, 1 fail, 77 skip.
set -u
test=$1
id=$$
inst=uxd$id ctl=uxc$id
nsu=uxdu$id ns1=uxda$id ns2=uxdb$id
tmp=$(mktemp -d /tmp/uxdpd-test.XXXXXX)
sock=$tmp/$inst.sock csock=$tmp/$ctl.sock
S=$(dirname "$0")
pids=()

skip() { echo "SKIP: $*"; exit 77; }
fail() {
	echo "FAIL: $*"
	for f in "$tmp"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -30 "$f"; }; done
	exit 1
}

cleanup() {
	for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null; done
	sleep 0.3
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for n in $nsu $ns1 $ns2; do ip netns del $n 2>/dev/null; done
	for i in $inst $ctl; do
		rm -f /dev/shm/uxdp.$i /dev/shm/uxdp.$i.* /dev/shm/uxdp-stats.$i /dev/shm/uxdp-run.$i \
			/dev/shm/uxdp-xsk.$i.*
	done
	rm -rf "$tmp" /var/run/dpdk/$inst /var/run/dpdk/$ctl
}
trap cleanup EXIT
trap 'exit 1' INT TERM

[ "$(id -u)" = 0 ] || skip "needs root (namespaces, AF_XDP, another user for the socket test)"

# daemon NAME LOG ARGS...: start uxdpd (in namespace $NS if set) and wait until ready.
daemon() {
	local log=$tmp/$1.log; shift
	if [ -n "${NS:-}" ]; then
		ip netns exec "$NS" "$UXDPD" "$@" >"$log" 2>&1 &
	else
		"$UXDPD" "$@" >"$log" 2>&1 &
	fi
	last=$!
	pids+=($last)
	for _ in $(seq 150); do
		# Network drivers: also their workers running.
		grep -q "; ready" "$log" && { [ -z "${NS:-}" ] || grep -q "Ctrl-C stops" "$log"; } &&
			return 0
		kill -0 $last 2>/dev/null || fail "uxdpd exited early: $(tail -3 "$log")"
		sleep 0.1
	done
	fail "uxdpd did not start"
}
stop() {
	kill -TERM $1
	for _ in $(seq 50); do kill -0 $1 2>/dev/null || break; sleep 0.1; done
	kill -0 $1 2>/dev/null && fail "uxdpd did not stop on SIGTERM"
	wait $1 || fail "uxdpd exited with an error"
}
ctlu() { "$UXDPCTL" --instance $inst "$@"; }
counts() { ctlu map lookup counts key u32 $1 | awk '/value/ { print $NF }' | tail -1; }
# counts K: element K of the program's map, as a number
count() { "$UXDPCTL" --instance $1 -j map lookup counts key u32 $2 |
	"$PYTHON" -c 'import json,sys; v=json.load(sys.stdin)["value"]; print(int.from_bytes(bytes(int(b,16) for b in v), "little"))'; }
# versions LOG: sum of XDP_TX over the program versions of a daemon's final report
versions() { awk '/^prog [0-9]+ / { for (i = 1; i <= NF; i++) if ($i == "XDP_TX") s += $(i+1) } END { print s + 0 }' "$1"; }

case $test in
pcap.replace)
	"$PYTHON" "$S/check.py" mkpcap $tmp/in.pcap 16
	daemon pcap --instance $inst --socket $sock --no-cache --pcap $tmp/in.pcap \
		--out $tmp/out.pcap --repeat 100000000 --object $OBJ/tag_a.aot.o
	"$REPLACE_LOOP" $sock 100 1 $OBJ/tag_a.aot.o $OBJ/tag_b.aot.o --preload >$tmp/loop.log 2>&1 ||
		fail "replace loop: $(cat $tmp/loop.log)"
	stop $last
	cat $tmp/loop.log
	got=$("$PYTHON" "$S/check.py" pcap $tmp/in.pcap $tmp/out.pcap) || fail "$got"
	echo "$got"
	read -r _ recs _ a _ b _ sw <<<"$got"
	total=$(count $inst 0) ca=$(count $inst 1) cb=$(count $inst 2) v=$(versions $tmp/pcap.log)
	echo "map: total $total A $ca B $cb; per-version XDP_TX sum $v"
	[ "$recs" -gt 0 ] && [ "$recs" = "$total" ] && [ "$recs" = "$v" ] ||
		fail "output $recs records, map counted $total, versions $v"
	[ "$a" = "$ca" ] && [ "$b" = "$cb" ] || fail "tags A $a B $b, map A $ca B $cb"
	[ "$sw" = 100 ] || fail "the output switches version $sw times, not 100"
	;;
afxdp.replace|dpdk.replace)
	drv=${test%%.*}
	command -v ip >/dev/null || skip "no ip(8)"
	"$PYTHON" -c 'import socket; socket.socket(44, socket.SOCK_RAW).close()' 2>/dev/null ||
		skip "the kernel lacks AF_XDP sockets"
	for n in $nsu $ns1 $ns2; do ip netns add $n || fail "cannot create namespace $n"; done
	# 1: a0 <-> u0 (the daemon that replaces); 2: b0 <-> u1 (the control daemon)
	ip link add a0 netns $ns1 type veth peer name u0 netns $nsu || fail "veth"
	ip link add b0 netns $ns2 type veth peer name u1 netns $nsu || fail "veth"
	for e in "$ns1 a0" "$ns2 b0" "$nsu u0" "$nsu u1"; do
		set -- $e
		ip netns exec $1 sysctl -qw net.ipv6.conf.$2.disable_ipv6=1
		ip netns exec $1 ip link set dev $2 up
	done
	# On veth, XDP_TX reaches only a peer that runs XDP itself.
	ip netns exec $ns1 ip link set dev a0 xdp obj "$NETOBJ/pass.bpf.o" sec xdp || fail "xdp a0"
	ip netns exec $ns2 ip link set dev b0 xdp obj "$NETOBJ/pass.bpf.o" sec xdp || fail "xdp b0"
	if [ $drv = afxdp ]; then
		args=(--afxdp u0) cargs=(--afxdp u1)
	else
		eal=(-- --no-huge -m 256 --no-pci --no-telemetry --log-level 3)
		args=(--dpdk "${eal[@]}" -l 0 --file-prefix $inst --vdev net_af_xdp0,iface=u0)
		cargs=(--dpdk "${eal[@]}" -l 1 --file-prefix $ctl --vdev net_af_xdp0,iface=u1)
	fi
	mu=$(ip netns exec $nsu cat /sys/class/net/u0/address)
	mc=$(ip netns exec $nsu cat /sys/class/net/u1/address)
	n=40000
	# traffic NS IFACE MAC NET TAG: receiver and 20 kpps sender on the peer.
	traffic() {
		ip netns exec $1 "$PYTHON" "$S/check.py" rx $2 $n 3 >$tmp/rx$5.log 2>&1 &
		eval rx$5=$!
		for _ in $(seq 50); do grep -q listening $tmp/rx$5.log && break; sleep 0.1; done
		ip netns exec $1 "$TRAFGEN" -i $2 --dst-mac $3 --src-ip 198.18.$4.1 \
			--dst-ip 198.18.$4.2 --count $n --rate 20000 --size 64 --duration 20 \
			>$tmp/tg$5.log 2>&1 &
		eval tg$5=$!
	}
	NS=$nsu daemon main --instance $inst --socket $sock --no-cache --object $OBJ/tag_a.aot.o \
		"${args[@]}"
	main=$last
	# The control run right after, at the same rate: run at the same time, two data
	# planes, two senders and two receivers starve each other on a 2-CPU machine
	# (the fill ring or the veth queue then drops, in whichever run is slower).
	start_control() {
		NS=$nsu daemon control --instance $ctl --socket $csock --no-cache \
			--object $OBJ/tag_a.aot.o "${cargs[@]}"
		control=$last
		traffic $ns2 b0 $mc 5 c
	}
	traffic $ns1 a0 $mu 4 ""
	# Load, replace, unload, every 15 ms, while the 2 s of traffic flow.
	"$REPLACE_LOOP" $sock 100 15 $OBJ/tag_a.aot.o $OBJ/tag_b.aot.o >$tmp/loop.log 2>&1 ||
		fail "replace loop: $(cat $tmp/loop.log)"
	cat $tmp/loop.log
	wait $tg || fail "trafgen: $(cat $tmp/tg.log)"
	wait $rx
	ctlu prog show | tee $tmp/show.txt
	# how the program was checked (uxdpc's default: the kernel verifier)
	grep -q "checked by kernel verifier" $tmp/show.txt || fail "prog show: no 'checked by'"
	stop $main
	start_control
	wait $tgc || fail "control trafgen: $(cat $tmp/tgc.log)"
	wait $rxc
	stop $control
	sent=$(awk '/^sent/ { print $2 }' $tmp/tg.log) csent=$(awk '/^sent/ { print $2 }' $tmp/tgc.log)
	for f in main control; do
		grep -E "^ring drops|^port drops|tx dropped" $tmp/$f.log | sed "s/^/$f: /"
	done
	read -r _ got _ dups _ a _ b _ untagged _ sw <<<"$(tail -1 $tmp/rx.log)"
	read -r _ cgot _ cdups _ _ _ _ _ cuntagged _ _ <<<"$(tail -1 $tmp/rxc.log)"
	echo "replaced: sent $sent received $got duplicates $dups A $a B $b untagged $untagged switches $sw"
	echo "control:  sent $csent received $cgot duplicates $cdups"
	total=$(count $inst 0) ca=$(count $inst 1) cb=$(count $inst 2) v=$(versions $tmp/main.log)
	ctotal=$(count $ctl 0)
	echo "map: total $total A $ca B $cb (control $ctotal); per-version XDP_TX sum $v"
	[ "$sent" = $n ] && [ "$csent" = $n ] || fail "trafgen sent $sent and $csent of $n"
	[ "$total" = $n ] && [ "$v" = $n ] || fail "counted $total (versions $v) of $n"
	[ "$got" = $n ] && [ "$cgot" = $n ] || fail "received $got (control $cgot) of $n"
	[ "$ctotal" = $n ] || fail "the control daemon counted $ctotal of $n"
	[ "$dups" = 0 ] && [ "$cdups" = 0 ] || fail "duplicates: $dups (control $cdups)"
	[ "$untagged" = 0 ] && [ "$cuntagged" = 0 ] || fail "frames without a version's tag"
	[ "$a" = "$ca" ] && [ "$b" = "$cb" ] || fail "tags A $a B $b, map A $ca B $cb"
	[ "$sw" -ge 50 ] || fail "only $sw version switches reached the receiver"
	if [ $drv = afxdp ]; then
		for f in main control; do
			grep -q "^ring drops: rx_dropped 0 rx_ring_full 0 " $tmp/$f.log ||
				fail "$f: ring drops: $(grep '^ring drops' $tmp/$f.log)"
		done
	else
		for f in main control; do
			grep -q "^port drops: imissed 0 ierrors 0 rx_nombuf 0 " $tmp/$f.log ||
				fail "$f: $(grep '^port drops' $tmp/$f.log)"
		done
	fi
	;;
bad_input)
	"$PYTHON" "$S/check.py" mkpcap $tmp/in.pcap 16
	command -v setpriv >/dev/null || skip "no setpriv"
	daemon bad --instance $inst --socket $sock --cache-dir $tmp/cache --uxdpc "$UXDPC" \
		--pcap $tmp/in.pcap --out /dev/null --repeat 100000000 --object $OBJ/tag_a.bpf.o
	grep -q "tag#1@" <<<"$(ctlu instance list | grep "^$inst ")" || fail "instance list: no program"
	before=$(count $inst 0)
	# A map of another shape.
	out=$(ctlu prog --socket $sock replace all $OBJ/tag_bad.aot.o 2>&1) && fail "mismatch accepted"
	echo "$out"
	grep -q "map counts: instance $inst has it as type 2 key 4 value 8 max_entries 4" <<<"$out" ||
		fail "unclear mismatch message: $out"
	# A missing object.
	out=$(ctlu prog --socket $sock replace all $tmp/nothing.aot.o 2>&1) && fail "missing object accepted"
	echo "$out"
	grep -q "nothing.aot.o: No such file" <<<"$out" || fail "unclear missing-object message: $out"
	# Not an object.
	out=$(ctlu prog --socket $sock load $tmp/in.pcap 2>&1) && fail "a pcap file was loaded"
	echo "$out"
	grep -q "neither a BPF object" <<<"$out" || fail "unclear message: $out"
	# No permission on the socket.
	chmod 755 $tmp
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$UXDPCTL" --instance $inst prog \
		--socket $sock list 2>&1) && fail "nobody could use the socket"
	echo "$out"
	grep -q "permission denied" <<<"$out" || fail "unclear permission message: $out"
	# A second daemon on the instance.
	out=$("$UXDPD" --instance $inst --socket $tmp/other.sock --pcap $tmp/in.pcap 2>&1) &&
		fail "a second daemon started on the instance"
	echo "$out"
	grep -q "instance $inst is in use by uxdpd (pid $last" <<<"$out" || fail "unclear: $out"
	out=$("$UXDP" --instance $inst --object $OBJ/tag_a.aot.o --pcap $tmp/in.pcap 2>&1) &&
		fail "uxdp started on a daemon's instance"
	echo "$out"
	grep -q "instance $inst is in use by uxdpd" <<<"$out" || fail "unclear: $out"
	# A second daemon on the same socket path (another instance).
	out=$("$UXDPD" --instance ${inst}x --socket $sock --pcap $tmp/in.pcap 2>&1) &&
		fail "a second daemon took the socket"
	echo "$out"
	grep -q "another daemon answers on this socket" <<<"$out" || fail "unclear: $out"
	rm -f /dev/shm/uxdp-run.${inst}x /dev/shm/uxdp-stats.${inst}x
	# Still the first program, still counting, compiled once and cached.
	sleep 0.2
	after=$(count $inst 0)
	[ "$after" -gt "$before" ] || fail "the program stopped counting ($before, then $after)"
	ctlu prog --socket $sock list | grep -q "^1: xdp  name tag" || fail "program 1 is gone"
	ctlu prog --socket $sock show 1 | grep -q "(compiled)" || fail "not compiled on load"
	id2=$(ctlu prog --socket $sock load $OBJ/tag_b.bpf.o) || fail "load tag_b.bpf.o"
	id3=$(ctlu prog --socket $sock load $OBJ/tag_b.bpf.o) || fail "load tag_b.bpf.o again"
	ctlu prog --socket $sock show $id3 | grep -q "(compiled, cached)" || fail "second load not cached"
	# Program references (1.2): held by descriptors, released with the last.
	"$PYTHON" "$S/check.py" refs $sock $OBJ/tag_b.bpf.o || fail "program references"
	# PROG_OBJECT: the bytes loaded, sealed; nothing for an unknown id.
	"$PYTHON" "$S/check.py" object $sock $id3 $OBJ/tag_b.bpf.o || fail "PROG_OBJECT $id3"
	out=$("$PYTHON" "$S/check.py" object $sock 999) || fail "PROG_OBJECT of no program: $out"
	echo "$out"
	grep -q "ENOENT: no program with id 999" <<<"$out" || fail "PROG_OBJECT 999: $out"
	ctlu prog --socket $sock attach $id2 all 2>&1 | grep -q "runs program 1 (tag): replace it" ||
		fail "attach over a program was not refused"
	ctlu prog --socket $sock replace all $id2 --old $id3 2>&1 | grep -q "that program runs on no port" ||
		fail "replace of the wrong program was not refused"
	ctlu prog --socket $sock replace all $id2 >/dev/null || fail "replace"
	ctlu prog --socket $sock unload $id2 2>&1 | grep -q "is attached" || fail "unload of an attached program"
	ctlu prog --socket $sock list --all | grep -q "^1: .*released" || fail "program 1 not released"
	ctlu prog --socket $sock unload $id3 || fail "unload"
	out=$("$PYTHON" "$S/check.py" object $sock $id3) || fail "PROG_OBJECT of a released program: $out"
	grep -q "ENOENT: program $id3 was released" <<<"$out" || fail "PROG_OBJECT $id3 released: $out"
	stop $last
	;;
instance)
	"$PYTHON" "$S/check.py" mkpcap $tmp/in.pcap 16
	daemon i1 --instance $inst --socket $sock --no-cache --pcap $tmp/in.pcap --out /dev/null \
		--repeat 1000 --object $OBJ/tag_a.aot.o
	line=$(ctlu instance list | grep "^$inst ")
	echo "$line"
	grep -q "^$inst  alive  uxdpd pid $last .* driver pcap .*programs tag#1@ifindex1 .*socket $sock" \
		<<<"$line" || fail "instance list: $line"
	ctlu -j instance list | grep -q "\"name\":\"$inst\",\"alive\":true" || fail "instance list -j"
	ctlu instance delete $inst 2>&1 | grep -q "in use by uxdpd" || fail "deleted a live instance"
	# A crash: the next daemon takes over, removing the maps ...
	kill -KILL $last
	wait $last 2>/dev/null
	line=$(ctlu instance list | grep "^$inst ")
	echo "$line"
	grep -q "dead (crashed)" <<<"$line" || fail "a killed daemon shows as $line"
	[ "$(count $inst 0)" -gt 0 ] || fail "no counts before the crash"
	daemon i2 --instance $inst --socket $sock --no-cache --pcap $tmp/in.pcap --out /dev/null \
		--repeat 1 --object $OBJ/tag_a.aot.o
	grep -q "died without cleaning up; reclaimed its segments (maps removed" $tmp/i2.log ||
		fail "no reclaim message"
	[ "$(count $inst 0)" = 16 ] || fail "the maps of the crashed run were kept: $(count $inst 0)"
	kill -KILL $last
	wait $last 2>/dev/null
	# ... or keeping them with --keep-maps.
	daemon i3 --instance $inst --socket $sock --no-cache --keep-maps --pcap $tmp/in.pcap \
		--out /dev/null --repeat 1 --object $OBJ/tag_b.aot.o
	grep -q "reclaimed its segments (maps kept)" $tmp/i3.log || fail "no keep-maps message"
	[ "$(count $inst 0)" = 32 ] || fail "--keep-maps lost the counts: $(count $inst 0)"
	stop $last
	line=$(ctlu instance list | grep "^$inst ")
	grep -q "dead (exited)" <<<"$line" || fail "a stopped daemon shows as $line"
	# uxdp claims too, and a clean exit leaves a reusable instance.
	"$UXDP" --instance $inst --object $OBJ/tag_a.aot.o --pcap $tmp/in.pcap >/dev/null ||
		fail "uxdp on an exited daemon's instance"
	[ "$(count $inst 0)" = 48 ] || fail "uxdp did not reuse the maps: $(count $inst 0)"
	;;
stats)
	# --stats: uxdp's line a second (one layout for both tools), the tables at exit.
	"$PYTHON" "$S/check.py" mkpcap $tmp/in.pcap 16
	daemon stats --instance $inst --socket $sock --no-cache --pcap $tmp/in.pcap \
		--out /dev/null --repeat 100000000 --object $OBJ/tag_a.aot.o --stats
	sleep 2.6
	stop $last
	log=$tmp/stats.log
	line='^ *[0-9]+\.[0-9] s +[0-9.]+ [kMG]?pps +[0-9.]+ [kMG]?b/s  drop [^ ]+ pass [^ ]+ tx [0-9.]+[kMG]?/s redirect [^ ]+ aborted [^ ]+$'
	n=$(grep -Ec "$line" $log)
	[ "$n" -ge 2 ] || fail "uxdpd --stats: $n rate lines in 2.6 s: $(head -c 600 $log)"
	grep -q "^prog 1 " $log || fail "uxdpd --stats: no per-version counters at exit"
	[ "$(grep -c '^verdict ' $log)" = 1 ] || fail "uxdpd --stats: not one table at exit"
	tail -6 $log | grep -q '^XDP_TX ' || fail "uxdpd --stats: the table is not last"
	[ "$(grep -En "$line" $log | tail -1 | cut -d: -f1)" -lt "$(grep -n '^verdict ' $log | cut -d: -f1)" ] ||
		fail "uxdpd --stats: a rate line after the table"
	# The same layout as uxdp's: numbers and units aside, the lines are equal (4.6 s:
	# a loaded machine may take over a second to start, and one line must come).
	timeout -s INT 4.6 "$UXDP" --object $OBJ/tag_a.aot.o --pcap $tmp/in.pcap --out /dev/null \
		--repeat 100000000 --stats >$tmp/uxdp.log 2>&1
	# (Spaces squeezed: the columns are right-aligned, so 8.9 and 10.2 Mpps pad differently.)
	shape() { grep -E "$line" "$1" | sed -E 's/[0-9.]+ ?[kMG]?(pps|b\/s|\/s|s)?//g' | tr -s ' ' | sort -u; }
	[ "$(shape $log)" = "$(shape $tmp/uxdp.log)" ] && [ -n "$(shape $log)" ] ||
		fail "uxdpd's rate line differs from uxdp's: $(shape $log) / $(shape $tmp/uxdp.log)"
	grep -E "$line" $log | head -2
	;;
*)
	echo "unknown test $test"; exit 2 ;;
esac
echo "PASS: daemon.$test"
