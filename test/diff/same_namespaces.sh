#!/bin/sh
# same_namespaces.sh COMMAND...: run COMMAND, or skip (77) when this process
# is not in the initial PID and user namespaces, where the kernel's
# bpf_get_current_pid_tgid and _uid_gid give other numbers than the
# process sees (test/diff/current.bpf.c).
nspid=$(awk '/^NSpid:/ { print NF - 1 }' /proc/self/status)
if [ "${nspid:-1}" != 1 ]; then
	echo "SKIP: in a PID namespace of its own"
	exit 77
fi
if [ "$(awk 'NR == 1 { print $1 $2 $3 }' /proc/self/uid_map)" != 004294967295 ]; then
	echo "SKIP: in a user namespace of its own"
	exit 77
fi
exec "$@"
