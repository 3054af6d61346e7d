// SPDX-License-Identifier: MIT
/*
 * segment.c - shared-memory objects that belong to their owner (segment.h),
 * the SIGBUS guard over every mapping of them, and the per-thread error
 * message that says why a segment was refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <uxdp/map.h>

#include "segment.h"

/* ---- error messages ---- */

static __thread char last_error[256];

int uxdp_seg_error(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return err;
}

void uxdp_seg_clear_error(void)
{
	last_error[0] = 0;
}

const char *uxdp_map_last_error(void)
{
	return last_error[0] ? last_error : NULL;
}

/* ---- ownership ---- */

static mode_t seg_mode = 0600;
static gid_t seg_gid;
static int seg_gid_set;

int uxdp_map_set_group(const char *group)
{
	struct group *gr;
	char *end;
	long gid;

	if (!group) {
		seg_mode = 0600;
		seg_gid_set = 0;
		return 0;
	}
	gr = getgrnam(group);
	if (gr) {
		gid = gr->gr_gid;
	} else {
		gid = strtol(group, &end, 10);
		if (!*group || *end || gid < 0)
			return uxdp_seg_error(-ENOENT, "no group called %s", group);
	}
	seg_gid = (gid_t)gid;
	seg_gid_set = 1;
	seg_mode = 0660;
	return 0;
}

int uxdp_seg_check(const char *name, const struct stat *st)
{
	uid_t me = geteuid();

	if (!S_ISREG(st->st_mode))
		return uxdp_seg_error(-EPERM, "/dev/shm%s is not a regular file", name);
	if (st->st_uid != me && st->st_uid != 0)
		return uxdp_seg_error(-EPERM,
				      "/dev/shm%s belongs to uid %u, not to you (uid %u) or root: "
				      "refusing it (remove it if it is stale, or use another instance)",
				      name, (unsigned int)st->st_uid, (unsigned int)me);
	if (st->st_mode & S_IWOTH)
		return uxdp_seg_error(-EPERM,
				      "/dev/shm%s is writable by every user (mode %04o): refusing it",
				      name, (unsigned int)(st->st_mode & 07777));
	return 0;
}

int uxdp_seg_create(const char *name, uint64_t size, int *fd_out)
{
	int fd, err;

	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, seg_mode);
	if (fd < 0)
		return -errno;
	/* the umask may have taken bits away; the group is the one asked for */
	if (fchmod(fd, seg_mode) < 0 || (seg_gid_set && fchown(fd, (uid_t)-1, seg_gid) < 0)) {
		err = uxdp_seg_error(-errno, "/dev/shm%s: cannot set mode %04o%s: %s", name,
				     (unsigned int)seg_mode, seg_gid_set ? " and group" : "",
				     strerror(errno));
		goto fail;
	}
	if (size && ftruncate(fd, (off_t)size) < 0) {
		err = -errno;
		goto fail;
	}
	*fd_out = fd;
	return 0;
fail:
	close(fd);
	shm_unlink(name);
	return err;
}

int uxdp_seg_open(const char *name, int oflag, int *fd_out, struct stat *st)
{
	int fd = shm_open(name, oflag, 0), err;

	if (fd < 0) {
		err = -errno;
		if (err == -EACCES)
			uxdp_seg_error(err, "/dev/shm%s: permission denied", name);
		return err;
	}
	if (fstat(fd, st) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	err = uxdp_seg_check(name, st);
	if (err) {
		close(fd);
		return err;
	}
	*fd_out = fd;
	return 0;
}

/* ---- the SIGBUS guard ---- */

#define SEG_NAME_MAX 112
#define SEG_REG_MAX 8192

struct seg_reg {
	uintptr_t base;
	size_t len;
	void *tag;
	char name[SEG_NAME_MAX];
};

static struct seg_reg regs[SEG_REG_MAX];
static unsigned int regs_hi;
static pthread_mutex_t regs_lock = PTHREAD_MUTEX_INITIALIZER;
static char broken_name[SEG_NAME_MAX];
static volatile sig_atomic_t broken;

void uxdp_seg_register(void *base, size_t len, const char *name)
{
	unsigned int i;

	pthread_mutex_lock(&regs_lock);
	for (i = 0; i < SEG_REG_MAX; i++) {
		if (!__atomic_load_n(&regs[i].base, __ATOMIC_RELAXED)) {
			regs[i].len = len;
			regs[i].tag = NULL;
			snprintf(regs[i].name, sizeof(regs[i].name), "%s", name);
			__atomic_store_n(&regs[i].base, (uintptr_t)base, __ATOMIC_RELEASE);
			if (i >= regs_hi)
				__atomic_store_n(&regs_hi, i + 1, __ATOMIC_RELEASE);
			break;
		}
	}
	/* a full table only means that range is not guarded */
	pthread_mutex_unlock(&regs_lock);
}

void *uxdp_seg_map(int fd, size_t len, int prot, const char *name)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		return NULL;
	uxdp_seg_register(p, len, name);
	return p;
}

void uxdp_seg_unmap(void *base, size_t len)
{
	pthread_mutex_lock(&regs_lock);
	for (unsigned int i = 0; i < regs_hi; i++)
		if (regs[i].base == (uintptr_t)base)
			__atomic_store_n(&regs[i].base, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&regs_lock);
	munmap(base, len);
}

void uxdp_seg_set_tag(void *base, void *tag)
{
	pthread_mutex_lock(&regs_lock);
	for (unsigned int i = 0; i < regs_hi; i++)
		if (regs[i].base == (uintptr_t)base)
			__atomic_store_n(&regs[i].tag, tag, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&regs_lock);
}

void *uxdp_seg_tag_of(const void *addr)
{
	static __thread unsigned int last;
	unsigned int hi = __atomic_load_n(&regs_hi, __ATOMIC_ACQUIRE);
	uintptr_t a = (uintptr_t)addr;

	for (unsigned int k = 0; k < hi; k++) {
		unsigned int i = (last + k) % hi;
		uintptr_t b = __atomic_load_n(&regs[i].base, __ATOMIC_ACQUIRE);

		if (b && a >= b && a - b < regs[i].len) {
			last = i;
			return __atomic_load_n(&regs[i].tag, __ATOMIC_ACQUIRE);
		}
	}
	return NULL;
}

/*
 * A page of a registered mapping that no longer exists in its file: the
 * segment was truncated under us.  The whole mapping becomes private zero
 * pages, so the faulting access and every later one read zeros (an empty
 * map, since the geometry that bounds every walk is process-local), and
 * the segment is reported through uxdp_map_broken_segment().  Any other
 * SIGBUS is not ours: default action.
 */
static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	unsigned int hi = __atomic_load_n(&regs_hi, __ATOMIC_ACQUIRE);

	(void)uc;
	for (unsigned int i = 0; i < hi; i++) {
		uintptr_t b = __atomic_load_n(&regs[i].base, __ATOMIC_ACQUIRE);

		if (!b || a < b || a - b >= regs[i].len)
			continue;
		if (mmap((void *)b, regs[i].len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			break;
		if (!broken) {
			memcpy(broken_name, regs[i].name, sizeof(broken_name));
			broken = 1;
		}
		return;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

int uxdp_map_sigbus_guard(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGBUS, &sa, NULL) < 0 ? -errno : 0;
}

const char *uxdp_map_broken_segment(void)
{
	return broken ? broken_name : NULL;
}
