// SPDX-License-Identifier: MIT
/*
 * xsk_ring.c - the per-slot packet rings behind xskmap redirects
 * (uxdp/xsk_ring.h).
 *
 * Layout of /dev/shm/uxdp-xsk.<instance>.<map>.<slot>: a 4096-byte header
 * page, then UXDP_XSK_RING_SLOTS slots of UXDP_XSK_SLOT_SIZE bytes, each a
 * 16-byte record header {u32 len, u32 pad, u64 ts_ns} and the frame.  An
 * all-zero object is an empty ring, so racing creators need little
 * handshake: the object is created exclusively (segment.c: owned by its
 * creator, refused when another user's), an opener waits for its size, and
 * the first one to set the magic wins.  head and tail count frames ever
 * produced and consumed; the slot of frame n is n % UXDP_XSK_RING_SLOTS.
 * Producers serialise on the header's robust lock (several workers may feed
 * one slot; a producer killed holding it blocks nobody, and its record,
 * published by head last, never shows); the consumer publishes tail with
 * release order so that a producer reuses a slot only after it has been
 * read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <uxdp/xsk_ring.h>

#include "instance.h"
#include "map_internal.h"
#include "rlock.h"
#include "segment.h"

#define XSK_MAGIC 0x6b737875u /* "uxsk" */
#define XSK_HDR_SIZE 4096
#define XSK_OBJ_SIZE (XSK_HDR_SIZE + (uint64_t)UXDP_XSK_RING_SLOTS * UXDP_XSK_SLOT_SIZE)
#define XSK_NAME_MAX (16 + UXDP_INSTANCE_LEN + UXDP_MAP_NAME_LEN + 12)

struct xsk_hdr {
	uint32_t magic;
	uint32_t nslots;    /* informational: the layout is fixed by the constants */
	uint32_t slot_size;
	uint32_t lock;      /* producers */
	uint64_t head;      /* frames produced, written under lock */
	uint64_t dropped;   /* frames refused: ring full or too big, under lock */
	uint8_t _pad[32];
	uint64_t tail;      /* frames consumed, written by the consumer only */
};

struct xsk_rec {
	uint32_t len;
	uint32_t _pad;
	uint64_t ts_ns;
	uint8_t data[];
};

_Static_assert(sizeof(struct xsk_rec) == UXDP_XSK_SLOT_SIZE - UXDP_XSK_FRAME_MAX, "record");
_Static_assert((UXDP_XSK_RING_SLOTS & (UXDP_XSK_RING_SLOTS - 1)) == 0, "power of two");

struct uxdp_xsk_ring {
	struct xsk_hdr *h;
	uint8_t *slots;
	struct uxdp_inst *inst; /* the producers' lock tokens */
};

static int ring_name(char *buf, size_t size, const char *instance, const char *map,
		     uint32_t index)
{
	int n = snprintf(buf, size, "/uxdp-xsk.%s.%s.%u", instance ? instance : UXDP_DEFAULT_INSTANCE,
			 map, index);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Open (or, with create, make) the ring object: the caller's own, of the right size. */
static int ring_fd(const char *name, bool create, int *fd)
{
	struct timespec ts = { 0, 1000000 };
	struct stat st;
	int err = -ENOENT;

	if (create)
		err = uxdp_seg_create(name, XSK_OBJ_SIZE, fd);
	if (!err)
		return 0;
	if (err != -EEXIST && err != -ENOENT)
		return err;
	err = uxdp_seg_open(name, O_RDWR, fd, &st);
	if (err)
		return err;
	/* a creator between its exclusive create and ftruncate: wait for the size */
	for (int i = 0; st.st_size == 0 && i < 1000; i++) {
		nanosleep(&ts, NULL);
		if (fstat(*fd, &st) < 0)
			break;
	}
	if ((uint64_t)st.st_size != XSK_OBJ_SIZE) {
		close(*fd);
		return st.st_size ? uxdp_seg_error(-EPROTO, "/dev/shm%s is not an xsk ring", name)
				  : -ENOENT;
	}
	return 0;
}

int uxdp_xsk_ring_open(const char *instance, const char *map, uint32_t index, bool create,
		       struct uxdp_xsk_ring **out)
{
	char name[XSK_NAME_MAX];
	struct uxdp_xsk_ring *r;
	struct uxdp_inst *in;
	uint32_t zero = 0;
	void *p;
	int fd, err = ring_name(name, sizeof(name), instance, map, index);

	if (err)
		return err;
	if (strchr(map, '/') || (instance && strchr(instance, '/')))
		return -EINVAL;
	err = uxdp_inst_get(instance ? instance : UXDP_DEFAULT_INSTANCE, create, 0, &in);
	err = err ?: ring_fd(name, create, &fd);
	if (err)
		return err;
	p = uxdp_seg_map(fd, XSK_OBJ_SIZE, PROT_READ | PROT_WRITE, name);
	err = p ? 0 : -errno;
	close(fd);
	if (err)
		return err;
	r = malloc(sizeof(*r));
	if (!r) {
		uxdp_seg_unmap(p, XSK_OBJ_SIZE);
		return -ENOMEM;
	}
	r->h = p;
	r->slots = (uint8_t *)p + XSK_HDR_SIZE;
	r->inst = in;
	if (__atomic_compare_exchange_n(&r->h->magic, &zero, XSK_MAGIC, false, __ATOMIC_RELAXED,
					__ATOMIC_RELAXED)) {
		r->h->nslots = UXDP_XSK_RING_SLOTS;
		r->h->slot_size = UXDP_XSK_SLOT_SIZE;
	} else if (zero != XSK_MAGIC) {
		uxdp_xsk_ring_close(r);
		return -EPROTO;
	}
	*out = r;
	return 0;
}

void uxdp_xsk_ring_close(struct uxdp_xsk_ring *r)
{
	if (!r)
		return;
	uxdp_seg_unmap(r->h, XSK_OBJ_SIZE);
	free(r);
}

int uxdp_xsk_ring_unlink(const char *instance, const char *map, uint32_t index)
{
	char name[XSK_NAME_MAX];
	int err = ring_name(name, sizeof(name), instance, map, index);

	if (err)
		return err;
	return shm_unlink(name) < 0 ? -errno : 0;
}

int uxdp_xsk_ring_unlink_instance(const char *instance)
{
	char prefix[XSK_NAME_MAX], name[XSK_NAME_MAX + 256];
	struct dirent *de;
	size_t n;
	int err = 0;
	DIR *d;

	snprintf(prefix, sizeof(prefix), "uxdp-xsk.%s.",
		 instance ? instance : UXDP_DEFAULT_INSTANCE);
	n = strlen(prefix);
	d = opendir("/dev/shm");
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, n))
			continue;
		snprintf(name, sizeof(name), "/%s", de->d_name);
		if (shm_unlink(name) < 0 && errno != ENOENT)
			err = -errno;
	}
	closedir(d);
	return err;
}

int uxdp_xsk_ring_produce(struct uxdp_xsk_ring *r, const void *data, uint32_t len,
			  uint64_t ts_ns)
{
	struct xsk_hdr *h = r->h;
	struct xsk_rec *rec;
	uint64_t head;
	int err = 0;

	if (uxdp_rlock_acquire(r->inst, &h->lock) < 0) {
		__atomic_add_fetch(&h->dropped, 1, __ATOMIC_RELAXED);
		return -EBUSY;
	}
	head = h->head;
	if (len > UXDP_XSK_FRAME_MAX) {
		err = -EMSGSIZE;
	} else if (head - __atomic_load_n(&h->tail, __ATOMIC_ACQUIRE) >= UXDP_XSK_RING_SLOTS) {
		err = -ENOBUFS;
	} else {
		rec = (struct xsk_rec *)(r->slots +
					 (head & (UXDP_XSK_RING_SLOTS - 1)) * UXDP_XSK_SLOT_SIZE);
		rec->len = len;
		rec->ts_ns = ts_ns;
		memcpy(rec->data, data, len);
		/* The record is complete before the consumer can see it. */
		__atomic_store_n(&h->head, head + 1, __ATOMIC_RELEASE);
	}
	if (err)
		__atomic_store_n(&h->dropped, h->dropped + 1, __ATOMIC_RELAXED);
	uxdp_rlock_release(&h->lock);
	return err;
}

int uxdp_xsk_ring_consume(struct uxdp_xsk_ring *r, uxdp_xsk_cb cb, void *arg)
{
	struct xsk_hdr *h = r->h;
	uint64_t tail = __atomic_load_n(&h->tail, __ATOMIC_RELAXED);
	uint64_t head = __atomic_load_n(&h->head, __ATOMIC_ACQUIRE);
	int n = 0, ret;

	for (; tail != head; tail++) {
		const struct xsk_rec *rec = (const struct xsk_rec *)(
			r->slots + (tail & (UXDP_XSK_RING_SLOTS - 1)) * UXDP_XSK_SLOT_SIZE);
		uint32_t len = rec->len <= UXDP_XSK_FRAME_MAX ? rec->len : UXDP_XSK_FRAME_MAX;

		ret = cb(arg, rec->data, len, rec->ts_ns);
		/* Release: the producer may overwrite the slot only after we read it. */
		__atomic_store_n(&h->tail, tail + 1, __ATOMIC_RELEASE);
		n++;
		if (ret < 0)
			return ret;
	}
	return n;
}

void uxdp_xsk_ring_counters(const struct uxdp_xsk_ring *r, uint64_t *delivered,
			    uint64_t *dropped)
{
	*delivered = __atomic_load_n(&r->h->head, __ATOMIC_ACQUIRE);
	*dropped = __atomic_load_n(&r->h->dropped, __ATOMIC_RELAXED);
}
