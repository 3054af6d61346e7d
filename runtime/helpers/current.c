// SPDX-License-Identifier: MIT
/*
 * current.c - bpf_get_current_pid_tgid, bpf_get_current_uid_gid and
 * bpf_get_current_comm: the kernel's "current task" is the one the program
 * runs in, which for uxdp is the thread running it: a data-plane worker,
 * or the caller of a test run (as the kernel's test_run runs in its
 * caller).  Values as the process sees them: the kernel gives the initial
 * PID and user namespaces' numbers, which differ inside a container.
 * Each call asks the kernel: a thread may be renamed, a process may fork.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "helpers_impl.h"

#define TASK_COMM_LEN 16

/* task->tgid << 32 | task->pid: the process id and the thread id */
uint64_t uxdp_helper_get_current_pid_tgid(void)
{
	return (uint64_t)(uint32_t)getpid() << 32 | (uint32_t)gettid();
}

/* cred->gid << 32 | cred->uid: the real ids */
uint64_t uxdp_helper_get_current_uid_gid(void)
{
	return (uint64_t)(uint32_t)getgid() << 32 | (uint32_t)getuid();
}

/*
 * strscpy_pad(buf, task->comm, size): the thread's name, cut to size - 1
 * bytes, NUL-terminated and the rest zeroed; always 0.  The verifier makes
 * size a non-zero constant.
 */
uint64_t uxdp_helper_get_current_comm(uint64_t buf, uint64_t size64)
{
	char comm[TASK_COMM_LEN + 1] = { 0 };
	uint32_t size = (uint32_t)size64;
	char *out = (char *)(uintptr_t)buf;
	size_t n;

	if (!size)
		return 0;
	prctl(PR_GET_NAME, comm);
	n = strnlen(comm, TASK_COMM_LEN);
	if (n > size - 1)
		n = size - 1;
	memcpy(out, comm, n);
	memset(out + n, 0, size - n);
	return 0;
}
