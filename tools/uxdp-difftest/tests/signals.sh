#!/bin/sh
# signals.sh DIFFTEST OBJ PCAP: whatever ends a run (SIGINT, SIGTERM, SIGHUP,
# SIGKILL), nothing of it stays in /dev/shm or in its temporary directory,
# and the signal is the exit status.  OBJ must run for several seconds
# (big_maps with --exact-maps over thousands of packets does).
dt=$1 obj=$2 pcap=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for spec in INT:2 TERM:15 HUP:1 KILL:9; do
	sig=${spec%:*}
	want=$((128 + ${spec#*:}))
	TMPDIR=$tmp "$dt" "$obj" --pcap "$pcap" --exact-maps >"$tmp/out" 2>&1 &
	pid=$!
	# Wait until the run is comparing packets (its maps exist).
	i=0
	while ! ls /dev/shm/uxdp.difftest-$pid.* >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 $pid 2>/dev/null; then
			cat "$tmp/out"
			wait $pid
			rc=$?
			[ $rc -eq 77 ] && exit 77
			echo "signals.sh: SIG$sig: the run never created its maps (exit $rc)" >&2
			exit 1
		fi
		sleep 0.1
	done
	sleep 1
	kill -$sig $pid
	wait $pid
	rc=$?
	# The cleanup process may need a moment after SIGKILL.  (One ls of both
	# patterns fails as soon as one matches nothing, which ended this wait at
	# once: the test passed only when the cleanup had already run.)
	i=0
	while [ -n "$(ls -d /dev/shm/uxdp.difftest-$pid* /dev/shm/uxdp-xsk.difftest-$pid* 2>/dev/null)" ] &&
	      [ $i -lt 100 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	left=$(ls /dev/shm/uxdp.difftest-$pid* /dev/shm/uxdp-xsk.difftest-$pid* "$tmp"/uxdp-difftest-* 2>/dev/null)
	echo "SIG$sig: exit $rc (want $want), left: ${left:-nothing}"
	[ $rc -eq $want ] || { fail=1; cat "$tmp/out"; }
	[ -z "$left" ] || fail=1
	rm -f /dev/shm/uxdp.difftest-$pid* /dev/shm/uxdp-xsk.difftest-$pid*
done
[ $fail -eq 0 ] && echo "signals.sh: ok"
exit $fail
