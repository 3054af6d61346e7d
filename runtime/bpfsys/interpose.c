// SPDX-License-Identifier: MIT
/*
 * interpose.c - where the calls come in: libc's syscall() (libbpf's bpf(2)
 * path) and readlink() (bpftool tells a map fd from a program fd by its
 * /proc/self/fd link, "anon_inode:bpf-map"); perf_event_open(2) is the
 * kernel's, its BPF output events remembered (perf.c).  Everything that is not bpf(2)
 * goes to the real libc untouched.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfsys.h"

typedef long (*syscall_fn)(long, ...);
typedef ssize_t (*readlink_fn)(const char *, char *, size_t);

static syscall_fn real_syscall;
static readlink_fn real_readlink;

static void resolve(void)
{
	if (!real_syscall)
		real_syscall = (syscall_fn)dlsym(RTLD_NEXT, "syscall");
	if (!real_readlink)
		real_readlink = (readlink_fn)dlsym(RTLD_NEXT, "readlink");
}

/*
 * At load time, before the program runs: dlsym() is neither async-signal
 * safe nor free, and syscall() may first be called from a signal handler.
 */
__attribute__((constructor)) static void resolve_at_load(void)
{
	resolve();
}

long bpfsys_real_syscall(long nr, long a, long b, long c, long d, long e, long f)
{
	resolve();
	return real_syscall(nr, a, b, c, d, e, f);
}

long bpfsys_real_readlink(const char *path, char *buf, size_t len)
{
	resolve();
	return real_readlink(path, buf, len);
}

int bpfsys_fd_target(int fd, char *buf, size_t size)
{
	char link[64];
	long n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = bpfsys_real_readlink(link, buf, size - 1);
	if (n < 0)
		return -EBADF;
	buf[n] = 0;
	return 0;
}

long bpfsys_kernel(const struct bpfsys_call *c)
{
	long r = bpfsys_real_syscall(__NR_bpf, c->cmd, (long)c->uattr, c->size, 0, 0, 0);

	return r < 0 ? -errno : r;
}

const char *bpfsys_instance(void)
{
	const char *s = getenv("UXDP_INSTANCE");

	return s && *s ? s : UXDP_DEFAULT_INSTANCE;
}

static const char *const cmd_names[] = {
    [BPF_MAP_CREATE] = "BPF_MAP_CREATE",
    [BPF_MAP_LOOKUP_ELEM] = "BPF_MAP_LOOKUP_ELEM",
    [BPF_MAP_UPDATE_ELEM] = "BPF_MAP_UPDATE_ELEM",
    [BPF_MAP_DELETE_ELEM] = "BPF_MAP_DELETE_ELEM",
    [BPF_MAP_GET_NEXT_KEY] = "BPF_MAP_GET_NEXT_KEY",
    [BPF_PROG_LOAD] = "BPF_PROG_LOAD",
    [BPF_OBJ_PIN] = "BPF_OBJ_PIN",
    [BPF_OBJ_GET] = "BPF_OBJ_GET",
    [BPF_PROG_ATTACH] = "BPF_PROG_ATTACH",
    [BPF_PROG_DETACH] = "BPF_PROG_DETACH",
    [BPF_PROG_TEST_RUN] = "BPF_PROG_TEST_RUN",
    [BPF_PROG_GET_NEXT_ID] = "BPF_PROG_GET_NEXT_ID",
    [BPF_MAP_GET_NEXT_ID] = "BPF_MAP_GET_NEXT_ID",
    [BPF_PROG_GET_FD_BY_ID] = "BPF_PROG_GET_FD_BY_ID",
    [BPF_MAP_GET_FD_BY_ID] = "BPF_MAP_GET_FD_BY_ID",
    [BPF_OBJ_GET_INFO_BY_FD] = "BPF_OBJ_GET_INFO_BY_FD",
    [BPF_PROG_QUERY] = "BPF_PROG_QUERY",
    [BPF_RAW_TRACEPOINT_OPEN] = "BPF_RAW_TRACEPOINT_OPEN",
    [BPF_BTF_LOAD] = "BPF_BTF_LOAD",
    [BPF_BTF_GET_FD_BY_ID] = "BPF_BTF_GET_FD_BY_ID",
    [BPF_TASK_FD_QUERY] = "BPF_TASK_FD_QUERY",
    [BPF_MAP_LOOKUP_AND_DELETE_ELEM] = "BPF_MAP_LOOKUP_AND_DELETE_ELEM",
    [BPF_MAP_FREEZE] = "BPF_MAP_FREEZE",
    [BPF_BTF_GET_NEXT_ID] = "BPF_BTF_GET_NEXT_ID",
    [BPF_MAP_LOOKUP_BATCH] = "BPF_MAP_LOOKUP_BATCH",
    [BPF_MAP_LOOKUP_AND_DELETE_BATCH] = "BPF_MAP_LOOKUP_AND_DELETE_BATCH",
    [BPF_MAP_UPDATE_BATCH] = "BPF_MAP_UPDATE_BATCH",
    [BPF_MAP_DELETE_BATCH] = "BPF_MAP_DELETE_BATCH",
    [BPF_LINK_CREATE] = "BPF_LINK_CREATE",
    [BPF_LINK_UPDATE] = "BPF_LINK_UPDATE",
    [BPF_LINK_GET_FD_BY_ID] = "BPF_LINK_GET_FD_BY_ID",
    [BPF_LINK_GET_NEXT_ID] = "BPF_LINK_GET_NEXT_ID",
    [BPF_ENABLE_STATS] = "BPF_ENABLE_STATS",
    [BPF_ITER_CREATE] = "BPF_ITER_CREATE",
    [BPF_LINK_DETACH] = "BPF_LINK_DETACH",
    [BPF_PROG_BIND_MAP] = "BPF_PROG_BIND_MAP",
};

const char *bpfsys_cmd_name(int cmd)
{
	if (cmd >= 0 && (size_t)cmd < sizeof(cmd_names) / sizeof(cmd_names[0]) && cmd_names[cmd])
		return cmd_names[cmd];
	return NULL;
}

/* Said once per command: a program retrying in a loop must not flood stderr. */
void bpfsys_say_once(int cmd, const char *why)
{
	static unsigned long said[4];
	const char *name = bpfsys_cmd_name(cmd);
	unsigned int bit = cmd >= 0 && cmd < 255 ? (unsigned int)cmd : 255;
	unsigned long mask = 1UL << (bit % 64);

	if (__atomic_fetch_or(&said[bit / 64], mask, __ATOMIC_RELAXED) & mask)
		return;
	if (name)
		fprintf(stderr, "uxdp-bpfsys: %s: %s\n", name, why);
	else
		fprintf(stderr, "uxdp-bpfsys: bpf command %d: %s\n", cmd, why);
}

long bpfsys_bpf(int cmd, void *uattr, unsigned int size);

/*
 * libc's syscall() reads six argument registers whatever the call; so do
 * we, and hand them on unchanged.
 */
BPFSYS_EXPORT long syscall(long nr, ...)
{
	long a[6];
	va_list ap;

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr == __NR_bpf) {
		long r = bpfsys_bpf((int)a[0], (void *)a[1], (unsigned int)a[2]);

		if (r < 0) {
			errno = (int)-r;
			return -1;
		}
		return r;
	}
	if (nr == __NR_perf_event_open) {
		long r = bpfsys_real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);

		if (r >= 0)
			bpfsys_perf_opened((int)r, (const void *)a[0]);
		return r;
	}
	return bpfsys_real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* "/proc/self/DIR/N" or "/proc/<our pid>/DIR/N" (DIR "fd" or "fdinfo"): N, else -1. */
int bpfsys_proc_self_fd(const char *path, const char *dir)
{
	char self[48], own[32];
	const char *rest = NULL;
	char *end;
	long n;

	snprintf(own, sizeof(own), "/proc/self/%s/", dir);
	snprintf(self, sizeof(self), "/proc/%d/%s/", (int)getpid(), dir);
	if (!strncmp(path, own, strlen(own)))
		rest = path + strlen(own);
	else if (!strncmp(path, self, strlen(self)))
		rest = path + strlen(self);
	if (!rest || !*rest)
		return -1;
	n = strtol(rest, &end, 10);
	return *end || n < 0 || n > 0x7fffffff ? -1 : (int)n;
}

/* A uxdp map, program or link fd reads as the kernel's do, so tools accept it as one. */
BPFSYS_EXPORT ssize_t readlink(const char *path, char *buf, size_t len)
{
	static const char link[] = "anon_inode:bpf-map";
	struct bpfsys_map m;
	int fd = bpfsys_proc_self_fd(path, "fd");

	const char *as = NULL;
	struct bpfsys_prog p;
	struct bpfsys_link l;

	if (fd >= 0 && bpfsys_fd_map(fd, &m) == 1)
		as = link;
	else if (fd >= 0 && bpfsys_prog_fd(fd, &p) == 1)
		as = "anon_inode:bpf-prog";
	else if (fd >= 0 && bpfsys_link_fd(fd, &l) == 1)
		as = "anon_inode:bpf_link";
	if (as) {
		size_t n = len < strlen(as) ? len : strlen(as);

		memcpy(buf, as, n);
		return (ssize_t)n;
	}
	return bpfsys_real_readlink(path, buf, len);
}
