// SPDX-License-Identifier: MIT
/*
 * Unit tests of bpf_get_current_pid_tgid, _uid_gid and _comm (current.c)
 * in a thread of its own, where the thread id is not the process id and
 * the name is the thread's, and (as root) with real ids that differ
 * from each other and from the effective ones: what diff.current, whose
 * program runs in uxdp-difftest's main thread as root (pid = tid, uid =
 * gid = 0), cannot tell apart.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../helpers_impl.h"
#include "test.h"

#define P(x) ((uint64_t)(uintptr_t)(x))

static void *in_thread(void *arg)
{
	char buf[24];

	(void)arg;
	prctl(PR_SET_NAME, "uxdp-worker-name");	/* 16 bytes: the kernel keeps 15 */
	CHECK_EQ(uxdp_helper_get_current_pid_tgid(), (uint64_t)getpid() << 32 | (uint32_t)gettid());
	CHECK((uint32_t)uxdp_helper_get_current_pid_tgid() != (uint32_t)getpid());
	CHECK_EQ(uxdp_helper_get_current_uid_gid(), (uint64_t)getgid() << 32 | getuid());
	/*
	 * As root: real ids that differ from each other and from the
	 * effective ones, for this thread only (the raw system calls; glibc's
	 * wrappers would change every thread).  The helper gives the real ones.
	 */
	if (geteuid() == 0 && !syscall(SYS_setresgid, 2001, 2002, 2003) &&
	    !syscall(SYS_setresuid, 1001, 1002, 1003))
		CHECK_EQ(uxdp_helper_get_current_uid_gid(), (uint64_t)2001 << 32 | 1001);

	memset(buf, 0x5a, sizeof(buf));
	CHECK_EQ(uxdp_helper_get_current_comm(P(buf), sizeof(buf)), 0);
	CHECK(!strcmp(buf, "uxdp-worker-nam"));
	for (size_t i = 15; i < sizeof(buf); i++)
		CHECK(buf[i] == 0);
	memset(buf, 0x5a, sizeof(buf));
	CHECK_EQ(uxdp_helper_get_current_comm(P(buf), 5), 0);
	CHECK(!memcmp(buf, "uxdp\0", 5) && buf[5] == 0x5a);
	memset(buf, 0x5a, sizeof(buf));
	CHECK_EQ(uxdp_helper_get_current_comm(P(buf), 1), 0);
	CHECK(buf[0] == 0 && buf[1] == 0x5a);
	return NULL;
}

int main(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, in_thread, NULL) || pthread_join(t, NULL))
		return 1;
	return test_result("unit.helpers.current");
}
