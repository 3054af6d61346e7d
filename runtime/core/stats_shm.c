// SPDX-License-Identifier: MIT
/*
 * stats_shm.c - verdict counters in shared memory (see uxdp/stats_shm.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <uxdp/clock.h>
#include <uxdp/map.h>
#include <uxdp/stats_shm.h>

#include "segment.h"

/* Same instance rule as the maps: [A-Za-z0-9_-], so the name is a safe path. */
static int stats_name(char *buf, size_t size, const char *instance)
{
	const char *c, *inst = instance ? instance : UXDP_DEFAULT_INSTANCE;

	if (!*inst || strlen(inst) >= UXDP_INSTANCE_LEN)
		return -EINVAL;
	for (c = inst; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'))
			return -EINVAL;
	snprintf(buf, size, "/uxdp-stats.%s", inst);
	return 0;
}

int uxdp_stats_shm_create(const char *instance, struct uxdp_stats_shm **out)
{
	char name[64];
	struct uxdp_stats_shm *s;
	int fd, err = stats_name(name, sizeof(name), instance);

	if (err)
		return err;
	/*
	 * A fresh object, so readers still mapping the last run's keep its final
	 * numbers.  Only our own old one can be removed (sticky /dev/shm); one of
	 * another user's makes the exclusive create fail, as it must.
	 */
	shm_unlink(name);
	err = uxdp_seg_create(name, sizeof(*s), &fd);
	if (err == -EEXIST)
		return uxdp_seg_error(-EEXIST, "/dev/shm%s exists and is not yours: refusing it",
				      name);
	if (err)
		return err;
	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	err = s == MAP_FAILED ? -errno : 0;
	close(fd);
	if (err) {
		shm_unlink(name);
		return err;
	}
	s->version = UXDP_STATS_VERSION;
	s->pid = (int32_t)getpid();
	s->start_ns = uxdp_realtime_ns();
	s->state = UXDP_STATS_RUNNING;
	/* The magic last: a reader that sees it sees an initialised header. */
	__atomic_store_n(&s->magic, UXDP_STATS_MAGIC, __ATOMIC_RELEASE);
	*out = s;
	return 0;
}

void uxdp_stats_shm_finish(struct uxdp_stats_shm *s)
{
	if (!s)
		return;
	__atomic_store_n(&s->end_ns, uxdp_realtime_ns(), __ATOMIC_RELAXED);
	__atomic_store_n(&s->state, UXDP_STATS_DONE, __ATOMIC_RELEASE);
	munmap(s, sizeof(*s));
}

int uxdp_stats_shm_open(const char *instance, const struct uxdp_stats_shm **out)
{
	char name[64];
	struct stat st;
	struct uxdp_stats_shm *s;
	int fd, err = stats_name(name, sizeof(name), instance);

	if (err)
		return err;
	err = uxdp_seg_open(name, O_RDONLY, &fd, &st);
	if (err)
		return err;
	if ((size_t)st.st_size < sizeof(*s)) {
		close(fd);
		return uxdp_seg_error(-EPROTO, "/dev/shm%s is too small for counters", name);
	}
	s = mmap(NULL, sizeof(*s), PROT_READ, MAP_SHARED, fd, 0);
	err = s == MAP_FAILED ? -errno : 0;
	close(fd);
	if (err)
		return err;
	if (__atomic_load_n(&s->magic, __ATOMIC_ACQUIRE) != UXDP_STATS_MAGIC ||
	    s->version != UXDP_STATS_VERSION) {
		munmap(s, sizeof(*s));
		return -EPROTO;
	}
	*out = s;
	return 0;
}

void uxdp_stats_shm_read(const struct uxdp_stats_shm *s, struct uxdp_stats_shm *c)
{
	unsigned int v;

	c->state = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
	c->magic = s->magic;
	c->version = s->version;
	c->pid = s->pid;
	c->start_ns = s->start_ns;
	c->end_ns = __atomic_load_n(&s->end_ns, __ATOMIC_RELAXED);
	for (v = 0; v < UXDP_N_VERDICTS; v++) {
		c->stats.packets[v] = __atomic_load_n(&s->stats.packets[v], __ATOMIC_RELAXED);
		c->stats.bytes[v] = __atomic_load_n(&s->stats.bytes[v], __ATOMIC_RELAXED);
	}
}

void uxdp_stats_shm_close(const struct uxdp_stats_shm *s)
{
	if (s)
		munmap((void *)s, sizeof(*s));
}

int uxdp_stats_shm_unlink(const char *instance)
{
	char name[64];
	int err = stats_name(name, sizeof(name), instance);

	if (err)
		return err;
	return shm_unlink(name) < 0 ? -errno : 0;
}
