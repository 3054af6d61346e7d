#!/bin/bash
# SPDX-License-Identifier: MIT
#
# two_users.sh OWNER_TOOL - root's map segments against an unprivileged user
# (nobody, via setpriv), and the other way round.
#
#  1. root makes an instance: nobody can neither open nor write its map.
#  2. nobody makes the segments of an instance first: root refuses to use
#     them (it would otherwise run on maps another user controls), naming
#     the file and its owner.
#  3. root shares an instance with a group: a member of that group (nobody,
#     given the group) can open and write it; without the group it cannot.
# Exit: 0 pass, 1 fail, 77 skip.
set -u
tool=$1
id=$$
a=twa$id b=twb$id c=twc$id
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v setpriv >/dev/null || { echo "SKIP: no setpriv"; exit 77; }
cleanup() { rm -f /dev/shm/uxdp.$a /dev/shm/uxdp.$a.* /dev/shm/uxdp.$b /dev/shm/uxdp.$b.* \
	/dev/shm/uxdp.$c /dev/shm/uxdp.$c.*; }
trap cleanup EXIT

# 1.
"$tool" create $a || fail "root cannot create $a"
out=$("${nobody[@]}" "$tool" open $a 2>&1) && fail "nobody opened root's map: $out"
echo "$out" | grep -qi "permission denied" || fail "nobody's refusal does not say why: $out"
"${nobody[@]}" sh -c "cat /dev/shm/uxdp.$a.m >/dev/null" 2>/dev/null &&
	fail "nobody can read root's segment"
"${nobody[@]}" sh -c "echo x >> /dev/shm/uxdp.$a.m" 2>/dev/null &&
	fail "nobody can write root's segment"
"$tool" open $a || fail "root cannot use its own map"

# 2.
"${nobody[@]}" "$tool" create $b || fail "nobody cannot create its own instance"
out=$("$tool" open $b 2>&1) && fail "root used nobody's map: $out"
echo "$out" | grep -q "belongs to uid 65534" || fail "root's refusal does not say whose: $out"
out=$("$tool" create $b 2>&1) && fail "root created its map in nobody's instance: $out"
echo "$out" | grep -q "65534" || fail "root's refusal to create does not say whose: $out"

# 3.
"$tool" create $c users || fail "root cannot share with group users"
mode=$(stat -c %a /dev/shm/uxdp.$c.m) grp=$(stat -c %G /dev/shm/uxdp.$c.m)
[ "$mode" = 660 ] && [ "$grp" = users ] || fail "shared segment is $mode $grp, want 660 users"
setpriv --reuid=65534 --regid=65534 --groups=users "$tool" open $c ||
	fail "a member of users cannot use the shared instance"
"${nobody[@]}" "$tool" open $c 2>/dev/null && fail "a non-member used the shared instance"
echo "ok"
