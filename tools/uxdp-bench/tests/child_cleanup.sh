#!/bin/sh
# child_cleanup.sh BENCH OBJ (a program with a map): however uxdp-bench's callgrind child ends, none
# of its map segments (/dev/shm/uxdp.bench-CHILDPID-*) stay behind, nor the
# parent's:
#   ILL   the child crashes as valgrind does on an instruction it cannot run;
#         the parent reports the failed count and still exits 0
#   KILL  the child is killed; likewise
#   TERM  the parent is stopped: it passes the signal on, cleans up, and
#         ends by it (exit 143)
# Skips (77) without valgrind.
bench=$1 obj=$2
command -v valgrind >/dev/null 2>&1 || { echo "child_cleanup.sh: no valgrind"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# The child of $1 that has map segments open (the callgrind child), or "".
counting_child() {
	for c in $(ps -o pid= --ppid "$1"); do
		if [ -n "$(ls -d /dev/shm/uxdp.bench-$c-* 2>/dev/null)" ]; then
			echo "$c"
			return
		fi
	done
}

for spec in child:ILL:0 child:KILL:0 parent:TERM:143; do
	who=${spec%%:*}
	rest=${spec#*:}
	sig=${rest%:*}
	want=${rest#*:}
	# Sixteen programs: the child holds segments most of several seconds.
	# The parent's own timing is short.
	set -- "$obj" "$obj" "$obj" "$obj"
	set -- "$@" "$@" "$@" "$@"
	"$bench" "$@" --no-kernel --no-native --levels 0,3 --iterations 1000 --rounds 1 \
		--callgrind >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	i=0 child=
	while [ -z "$child" ]; do
		i=$((i + 1))
		if [ $i -gt 1200 ] || ! kill -0 $pid 2>/dev/null; then
			cat "$tmp/err"
			wait $pid
			echo "child_cleanup.sh: SIG$sig: no callgrind child with segments seen (exit $?)" >&2
			exit 1
		fi
		sleep 0.1
		child=$(counting_child $pid)
	done
	if [ "$who" = child ]; then
		kill -$sig "$child"
	else
		kill -$sig $pid
	fi
	wait $pid
	rc=$?
	left=$(ls -d /dev/shm/uxdp.bench-$child-* /dev/shm/uxdp.bench-$pid-* 2>/dev/null)
	echo "$who SIG$sig: exit $rc (want $want), left: ${left:-nothing}"
	[ $rc -eq $want ] || fail=1
	[ -z "$left" ] || fail=1
	if [ "$who" = child ] && ! grep -q "callgrind run failed" "$tmp/err"; then
		echo "child_cleanup.sh: SIG$sig: the failed count was not reported" >&2
		fail=1
	fi
	[ $fail -eq 0 ] || cat "$tmp/err"
	for f in $left; do rm -f "$f"; done
done
# KILL of the parent while it times: nothing in it runs, its bench-PID-*
# segments stay; the next run removes them (their pid is gone).
"$bench" "$obj" --no-kernel --no-native --levels 3 --iterations 100000000 --rounds 50 \
	>"$tmp/out" 2>"$tmp/err" &
pid=$!
i=0
while [ -z "$(ls -d /dev/shm/uxdp.bench-$pid-* 2>/dev/null)" ]; do
	i=$((i + 1))
	[ $i -le 600 ] && kill -0 $pid 2>/dev/null || { echo "child_cleanup.sh: no segments of the timing run" >&2; exit 1; }
	sleep 0.1
done
kill -KILL $pid
wait $pid
before=$(ls -d /dev/shm/uxdp.bench-$pid-* 2>/dev/null | wc -l)
"$bench" "$obj" --no-kernel --no-native --levels 3 --iterations 1000 --rounds 1 >/dev/null 2>&1 ||
	{ echo "child_cleanup.sh: the next run failed" >&2; fail=1; }
left=$(ls -d /dev/shm/uxdp.bench-$pid-* 2>/dev/null)
echo "parent SIGKILL while timing: $before segments left; after the next run: ${left:-nothing}"
[ "$before" -gt 0 ] && [ -z "$left" ] || fail=1
for f in $left; do rm -f "$f"; done
[ $fail -eq 0 ] && echo "child_cleanup.sh: ok"
exit $fail
