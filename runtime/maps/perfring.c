// SPDX-License-Identifier: MIT
/*
 * perfring.c - the rings of a BPF_MAP_TYPE_PERF_EVENT_ARRAY, one per index,
 * in the kernel's perf mmap layout and record format, so that libbpf's
 * perf_buffer reads one as it reads a kernel perf event's ring: the bpf()
 * layer maps a ring's pages over the consumer's mapping of its perf event
 * (runtime/bpfsys/perf.c).
 *
 * A ring is a header page (a struct perf_event_mmap_page: data_head,
 * data_tail, data_offset and data_size at the kernel's offsets, our own
 * words in the area the kernel reserves) and its data, up to the map's perf
 * ring size (1 MiB unless the map says).  data_size, set when a ring is
 * bound or enabled, is the part in use: a consumer chooses the size of its
 * ring (perf_buffer__new()'s page_cnt), as with the kernel, up to that
 * capacity; the segment is sparse, so pages no ring uses cost nothing.
 *
 * Records, as perf_output_sample() writes them for a BPF output event
 * (sample_type PERF_SAMPLE_RAW): a struct perf_event_header
 * {PERF_RECORD_SAMPLE, PERF_RECORD_MISC_KERNEL, size}, a u32 raw size, the
 * data (then the packet bytes of BPF_F_CTXLEN_MASK), then padding up to 8
 * that is skipped, not written (what the ring held there shows, as with the
 * kernel's __output_skip(); a ring is zeroed when bound, as the kernel's
 * fresh pages are); the raw size counts the padding (round_up(n + 4, 8) - 4).
 * The free space is the kernel's (CIRC_SPACE: one byte short of the ring).
 * A record that does not fit is lost (-ENOSPC), and the losses are reported
 * as the kernel does: a PERF_RECORD_LOST {id, count} written just before
 * the next record that fits together with it.
 *
 * A producer takes the ring's robust lock (several workers may pick the
 * same index) and publishes whole records by moving data_head (release);
 * the consumer moves data_tail.  The consumer's mapping can write the whole
 * header page, so what a producer reads there is used masked or checked: a
 * consumer that scribbles on it spoils its own ring, nothing else.
 *
 * Wakeups: the kernel wakes a perf buffer's poller at every record
 * (wakeup_events = 1).  A consumer that has not caught up has a record to
 * read already, so here a record wakes only when the consumer had read
 * everything before it, and only while a waiter has joined: the ring
 * buffer's scheme (ringbuf.c), a FUTEX_WAKE on a counter in the ring page.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <linux/perf_event.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "map_internal.h"
#include "rlock.h"
#include "slot_internal.h"

/* The header page: the kernel's user page, our words in its reserved area. */
struct perf_page {
	union {
		struct perf_event_mmap_page user;
		struct {
			uint8_t _kernel_fields[256];
			uint32_t lock; /* producers' robust lock (rlock.h) */
			uint32_t _pad;
			uint64_t lost_pending; /* lost since the last PERF_RECORD_LOST */
			uint64_t lost_total;   /* uxdp_perf_lost() */
			uint64_t id;	       /* the PERF_RECORD_LOST id (the binder's) */
			_Alignas(64) uint32_t waiters;
			_Alignas(64) uint32_t wake_seq;
		};
	};
};

_Static_assert(offsetof(struct perf_page, wake_seq) + 4 <=
		   offsetof(struct perf_event_mmap_page, data_head),
	       "our words stay in the user page's reserved area");
_Static_assert(offsetof(struct perf_page, _kernel_fields) + 256 >=
		   offsetof(struct perf_event_mmap_page, __reserved),
	       "our words start after the user page's fields");

#define SAMPLE_HDR 12 /* struct perf_event_header, u32 raw size */
#define LOST_REC 24   /* struct perf_event_header, u64 id, u64 lost */

static size_t page_size(void)
{
	static size_t page;

	if (!page)
		page = (size_t)sysconf(_SC_PAGESIZE);
	return page;
}

/* Pages are a power of two: no division on the output path. */
static uint64_t round_page(uint64_t v)
{
	return (v + page_size() - 1) & ~((uint64_t)page_size() - 1);
}

uint64_t uxdp_perf_rings_off(const struct uxdp_shm_hdr *h)
{
	return round_page(h->aux_off + (uint64_t)h->max_entries * 4);
}

uint64_t uxdp_perf_ring_span(const struct uxdp_shm_hdr *h)
{
	return page_size() + round_page(h->ring_size);
}

static struct perf_page *ring_page(const struct uxdp_map *m, uint32_t idx)
{
	return uxdp_off(m,
			uxdp_perf_rings_off(m->hdr) + (uint64_t)idx * uxdp_perf_ring_span(m->hdr));
}

static uint8_t *ring_data(struct perf_page *p)
{
	return (uint8_t *)p + page_size();
}

/*
 * data_size of a ring bound to an event not mapped yet: no ring (records
 * are dropped uncounted, as for a kernel event without a buffer), and not
 * 0, so that a plain update does not give it one (uxdp_perf_ring_enable()).
 */
#define NO_RING 3

static uint64_t size_word(struct perf_page *p)
{
	return __atomic_load_n(&p->user.data_size, __ATOMIC_RELAXED);
}

/* The size in use, if sane (the consumer can write it): 0 when none. */
static uint64_t used_size(const struct uxdp_map *m, struct perf_page *p)
{
	uint64_t s = __atomic_load_n(&p->user.data_size, __ATOMIC_RELAXED);

	return !s || (s & (s - 1)) || s > m->hdr->ring_size ? 0 : s;
}

static void ring_write(uint8_t *buf, uint64_t size, uint64_t pos, const void *src, uint64_t len)
{
	uint64_t at = pos & (size - 1), first = len < size - at ? len : size - at;

	if (!len)
		return;
	memcpy(buf + at, src, first);
	memcpy(buf, (const uint8_t *)src + first, len - first);
}

static void ring_read(const uint8_t *buf, uint64_t size, uint64_t pos, void *dst, uint64_t len)
{
	uint64_t at = pos & (size - 1), first = len < size - at ? len : size - at;

	memcpy(dst, buf + at, first);
	memcpy((uint8_t *)dst + first, buf, len - first);
}

struct sample {
	const void *data, *pkt;
	uint64_t size, pkt_len, raw;
};

/* The kernel's perf_output_begin() and perf_output_sample(), lock held. */
static int put_record(struct perf_page *p, uint64_t ring, const struct sample *s, uint64_t *at)
{
	uint64_t head = __atomic_load_n(&p->user.data_head, __ATOMIC_RELAXED);
	uint64_t tail = __atomic_load_n(&p->user.data_tail, __ATOMIC_ACQUIRE);
	uint64_t lost = p->lost_pending, need = SAMPLE_HDR + s->raw + (lost ? LOST_REC : 0);
	uint8_t *buf = ring_data(p);

	if (!ring)
		return -ENOSPC; /* bound before it was mapped: the kernel's event without a buffer
				 */
	if (((tail - (head + 1)) & (ring - 1)) < need) {
		p->lost_pending = lost + 1;
		p->lost_total++;
		return -ENOSPC;
	}
	*at = head;
	if (lost) {
		struct {
			struct perf_event_header h;
			uint64_t id, lost;
		} l = {{PERF_RECORD_LOST, 0, LOST_REC}, p->id, lost};

		ring_write(buf, ring, head, &l, LOST_REC);
		head += LOST_REC;
		p->lost_pending = 0;
	}
	struct {
		struct perf_event_header h;
		uint32_t raw;
	} hdr = {{PERF_RECORD_SAMPLE, PERF_RECORD_MISC_KERNEL, (uint16_t)(SAMPLE_HDR + s->raw)},
		 (uint32_t)s->raw};

	ring_write(buf, ring, head, &hdr, SAMPLE_HDR);
	ring_write(buf, ring, head + SAMPLE_HDR, s->data, s->size);
	ring_write(buf, ring, head + SAMPLE_HDR + s->size, s->pkt, s->pkt_len);
	__atomic_store_n(&p->user.data_head, head + SAMPLE_HDR + s->raw, __ATOMIC_RELEASE);
	return 0;
}

static long futex(uint32_t *word, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

/* Wake a joined waiter if the consumer had read everything before at. */
static void wake_if_caught_up(struct perf_page *p, uint64_t at)
{
	if (!__atomic_load_n(&p->waiters, __ATOMIC_RELAXED))
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the head store before the tail load */
	if (__atomic_load_n(&p->user.data_tail, __ATOMIC_RELAXED) != at)
		return;
	__atomic_add_fetch(&p->wake_seq, 1, __ATOMIC_RELEASE);
	futex(&p->wake_seq, FUTEX_WAKE, INT_MAX, NULL);
}

int uxdp_perf_output(struct uxdp_map *map, uint64_t flags, const void *data, uint64_t size,
		     const void *pkt, uint64_t pkt_len)
{
	uint64_t idx = flags & BPF_F_INDEX_MASK, at = 0;
	struct sample s = {data, pkt, size, pkt_len, 0};
	struct perf_page *p;
	int err;

	if (map->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY ||
	    (flags & ~(BPF_F_INDEX_MASK | BPF_F_CTXLEN_MASK)))
		return -EINVAL;
	if (idx == BPF_F_CURRENT_CPU)
		idx = uxdp_this_cpu;
	if (idx >= map->max_entries)
		return -E2BIG;
	if (!slot_value(map, (uint32_t)idx))
		return -ENOENT;
	/* A perf record's size is a u16: the kernel never makes a bigger one. */
	if (size + pkt_len > UINT16_MAX - SAMPLE_HDR - 8)
		return -E2BIG;
	s.raw = ((size + pkt_len + 4 + 7) & ~7ull) - 4;
	p = ring_page(map, (uint32_t)idx);
	if (uxdp_rlock_acquire(map->inst, &p->lock) < 0)
		return -EBUSY;
	err = put_record(p, used_size(map, p), &s, &at);
	uxdp_rlock_release(&p->lock);
	if (!err)
		wake_if_caught_up(p, at);
	return err;
}

/* Empty the ring, zeroed, and give it data_size bytes (0: none), lock held. */
static void reset(struct perf_page *p, uint64_t data_size, uint64_t id)
{
	if (data_size != NO_RING)
		memset(ring_data(p), 0, data_size);
	__atomic_store_n(&p->user.data_size, data_size, __ATOMIC_RELAXED);
	p->user.data_offset = page_size();
	p->user.size = offsetof(struct perf_event_mmap_page, __reserved);
	p->user.cap_bit0_is_deprecated = 1;
	p->user.data_tail = 0;
	p->lost_pending = p->lost_total = 0;
	p->id = id;
	__atomic_store_n(&p->user.data_head, 0, __ATOMIC_RELEASE);
}

/*
 * A plain update (uxdpctl perf read) enables a ring that has no size: 64
 * KiB of it at most, so that the pages beyond, which only a perf buffer
 * asking for them would use, stay untouched (a sparse segment).
 */
#define ENABLE_SIZE (64u << 10)

void uxdp_perf_ring_enable(struct uxdp_map *m, uint32_t idx)
{
	struct perf_page *p = ring_page(m, idx);
	uint64_t cap = m->hdr->ring_size;

	if (size_word(p) || uxdp_rlock_acquire(m->inst, &p->lock) < 0)
		return;
	if (!size_word(p))
		reset(p, cap < ENABLE_SIZE ? cap : ENABLE_SIZE, 0);
	uxdp_rlock_release(&p->lock);
}

int uxdp_perf_bind(struct uxdp_map *map, uint32_t idx, uint64_t data_size, uint64_t id)
{
	struct perf_page *p;

	if (map->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return -EINVAL;
	if (idx >= map->max_entries)
		return -E2BIG;
	if ((data_size & (data_size - 1)) || data_size > map->hdr->ring_size)
		return -EINVAL;
	p = ring_page(map, idx);
	if (uxdp_rlock_acquire(map->inst, &p->lock) < 0)
		return -EBUSY;
	reset(p, data_size ? data_size : NO_RING, id);
	uxdp_rlock_release(&p->lock);
	return 0;
}

uint64_t uxdp_perf_bound_id(struct uxdp_map *map, uint32_t idx)
{
	if (map->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY || idx >= map->max_entries)
		return 0;
	return __atomic_load_n(&ring_page(map, idx)->id, __ATOMIC_RELAXED);
}

int uxdp_perf_layout(struct uxdp_map *map, uint32_t idx, struct uxdp_perf_layout *out)
{
	if (map->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY || idx >= map->max_entries)
		return -EINVAL;
	out->page = page_size();
	out->off = uxdp_perf_rings_off(map->hdr) + (uint64_t)idx * uxdp_perf_ring_span(map->hdr);
	out->capacity = map->hdr->ring_size;
	return 0;
}

int uxdp_perf_consume(struct uxdp_map *map, uint32_t idx, uxdp_ringbuf_cb cb, void *ctx)
{
	struct perf_event_header h;
	uint64_t ring, tail, head;
	struct perf_page *p;
	uint8_t *buf;
	uint32_t raw;
	int n = 0, err = 0;

	if (map->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return -EINVAL;
	if (idx >= map->max_entries)
		return -E2BIG;
	p = ring_page(map, idx);
	ring = used_size(map, p);
	if (!ring)
		return 0;
	/* A record may wrap around the ring: hand the callback a linear copy. */
	buf = malloc(ring);
	if (!buf)
		return -ENOMEM;
	tail = __atomic_load_n(&p->user.data_tail, __ATOMIC_RELAXED);
	head = __atomic_load_n(&p->user.data_head, __ATOMIC_ACQUIRE);
	while (head - tail >= sizeof(h) && head - tail <= ring) {
		ring_read(ring_data(p), ring, tail, &h, sizeof(h));
		if (h.size < sizeof(h) || h.size > head - tail)
			break; /* not a record: a scribbled ring is dropped */
		if (h.type == PERF_RECORD_SAMPLE && h.size >= SAMPLE_HDR) {
			ring_read(ring_data(p), ring, tail + sizeof(h), &raw, 4);
			raw = raw < (uint32_t)(h.size - SAMPLE_HDR)
				  ? raw
				  : (uint32_t)(h.size - SAMPLE_HDR);
			ring_read(ring_data(p), ring, tail + SAMPLE_HDR, buf, raw);
			err = cb(ctx, buf, raw);
			n++;
		}
		tail += h.size;
		if (err < 0)
			break;
	}
	if (err >= 0)
		tail = head;
	__atomic_store_n(&p->user.data_tail, tail, __ATOMIC_RELEASE);
	free(buf);
	return err < 0 ? err : n;
}

uint64_t uxdp_perf_lost(struct uxdp_map *map, uint32_t idx)
{
	if (map->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY || idx >= map->max_entries)
		return 0;
	return __atomic_load_n(&ring_page(map, idx)->lost_total, __ATOMIC_RELAXED);
}

/* ---- wakeups, for a consumer in another process (runtime/bpfsys/ready.c) ---- */

bool uxdp_perf_has_data(struct uxdp_map *map, uint32_t idx)
{
	struct perf_page *p = ring_page(map, idx);

	return __atomic_load_n(&p->user.data_head, __ATOMIC_ACQUIRE) !=
	       __atomic_load_n(&p->user.data_tail, __ATOMIC_ACQUIRE);
}

/* As uxdp_ringbuf_waiter(): the barrier on every CPU lets producers go without one. */
int uxdp_perf_waiter(struct uxdp_map *map, uint32_t idx, bool join)
{
	return uxdp_ring_waiter(&ring_page(map, idx)->waiters, join);
}

uint32_t uxdp_perf_wakeups(struct uxdp_map *map, uint32_t idx)
{
	return __atomic_load_n(&ring_page(map, idx)->wake_seq, __ATOMIC_ACQUIRE);
}

int uxdp_perf_wait(struct uxdp_map *map, uint32_t idx, uint32_t seen, int timeout_ms)
{
	struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000};
	long r =
	    futex(&ring_page(map, idx)->wake_seq, FUTEX_WAIT, seen, timeout_ms < 0 ? NULL : &ts);

	return r == 0 || errno == EAGAIN ? 0 : -errno;
}

void uxdp_perf_kick(struct uxdp_map *map, uint32_t idx)
{
	futex(&ring_page(map, idx)->wake_seq, FUTEX_WAKE, INT_MAX, NULL);
}
