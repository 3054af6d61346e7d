// SPDX-License-Identifier: MIT
/* Ring buffer: reserve/submit/discard/output/query, order, wrap-around,
 * full ring; perf_event_array rings with output and a consumer. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "test.h"

struct seen {
	int n;
	size_t last; /* check_tail: which byte to keep */
	uint32_t vals[4096];
	size_t sizes[4096];
};

static int collect(void *ctx, void *data, size_t size)
{
	struct seen *s = ctx;

	if (s->n < 4096) {
		s->vals[s->n] = *(uint32_t *)data;
		s->sizes[s->n] = size;
	}
	s->n++;
	return 0;
}

static int stop_after_one(void *ctx, void *data, size_t size)
{
	return -42;
}

static void test_ringbuf(void)
{
	uint32_t size = (uint32_t)sysconf(_SC_PAGESIZE);
	struct uxdp_map *m = mk("rb", BPF_MAP_TYPE_RINGBUF, 0, 0, size, 0);
	static struct seen s;
	uint32_t *a, *b, *c, v = 5;
	uint8_t big[600] = { 0 };
	int n;

	if (!m)
		return;
	CHECK_EQ(uxdp_ringbuf_query(m, BPF_RB_RING_SIZE), size);
	CHECK(uxdp_ringbuf_reserve(m, 8, 1) == NULL); /* flags must be 0 */
	CHECK(uxdp_ringbuf_reserve(m, size, 0) == NULL);
	a = uxdp_ringbuf_reserve(m, 4, 0);
	b = uxdp_ringbuf_reserve(m, 4, 0);
	c = uxdp_ringbuf_reserve(m, 4, 0);
	CHECK(a && b && c);
	if (!a || !b || !c)
		return;
	*a = 1;
	*b = 2;
	*c = 3;
	CHECK_EQ(uxdp_ringbuf_query(m, BPF_RB_AVAIL_DATA), 48);
	CHECK_EQ(uxdp_ringbuf_query(m, BPF_RB_PROD_POS), 48);
	/* b is committed, a is not: nothing can be consumed yet */
	uxdp_ringbuf_submit(b, 0);
	CHECK_EQ(uxdp_ringbuf_consume(m, collect, &s), 0);
	uxdp_ringbuf_submit(a, BPF_RB_NO_WAKEUP);
	CHECK_EQ(uxdp_ringbuf_consume(m, collect, &s), 2); /* a, b; stops at busy c */
	uxdp_ringbuf_discard(c, 0);
	CHECK_EQ(uxdp_ringbuf_consume(m, collect, &s), 0); /* discarded: skipped */
	CHECK_EQ(s.n, 2);
	CHECK(s.vals[0] == 1 && s.vals[1] == 2 && s.sizes[0] == 4);
	CHECK_EQ(uxdp_ringbuf_query(m, BPF_RB_AVAIL_DATA), 0);
	CHECK_EQ(uxdp_ringbuf_query(m, BPF_RB_CONS_POS), 48);
	CHECK_EQ(uxdp_ringbuf_output(m, &v, 4, 4), -EINVAL);
	/* fill: the ring refuses rather than overwrite */
	n = 0;
	while (uxdp_ringbuf_output(m, big, sizeof(big), 0) == 0)
		n++;
	CHECK_EQ(n, (int)((size - 1) / 608));
	CHECK_EQ(uxdp_ringbuf_output(m, big, sizeof(big), 0), -EAGAIN);
	s.n = 0;
	CHECK_EQ(uxdp_ringbuf_consume(m, collect, &s), n);
	/* records now wrap around the end, contiguous thanks to the double mapping */
	for (int round = 0; round < 20; round++) {
		for (uint32_t i = 0; i < 3; i++) {
			big[0] = (uint8_t)i;
			big[599] = (uint8_t)(round + i);
			CHECK_EQ(uxdp_ringbuf_output(m, big, sizeof(big), 0), 0);
		}
		s.n = 0;
		CHECK_EQ(uxdp_ringbuf_consume(m, collect, &s), 3);
		for (int i = 0; i < 3; i++)
			CHECK_EQ(s.vals[i] & 0xff, i);
	}
	/* a negative callback return stops and is returned */
	CHECK_EQ(uxdp_ringbuf_output(m, &v, 4, 0), 0);
	CHECK_EQ(uxdp_ringbuf_output(m, &v, 4, 0), 0);
	CHECK_EQ(uxdp_ringbuf_consume(m, stop_after_one, NULL), -42);
	s.n = 0;
	CHECK_EQ(uxdp_ringbuf_consume(m, collect, &s), 1);
	/* ringbuf has no key/value operations */
	CHECK_EQ(uxdp_map_update_elem(m, NULL, &v, 0), -EOPNOTSUPP);
	uxdp_map_close(m);
}

/*
 * Wakeups follow the kernel's rule (bpf_ringbuf_commit): a commit wakes
 * when the consumer had caught up with the record, or when forced; never
 * with BPF_RB_NO_WAKEUP; and only while a waiter has joined.  The mmap
 * layout is the kernel's from pos_off on: consumer_pos, producer_pos, data.
 */
static void test_ringbuf_wakeups(void)
{
	uint32_t size = (uint32_t)sysconf(_SC_PAGESIZE), w0, v = 1;
	struct uxdp_map *m = mk("rbw", BPF_MAP_TYPE_RINGBUF, 0, 0, size, 0);
	struct uxdp_ringbuf_layout l;
	static struct seen s;
	uint32_t *a, *b;
	uint8_t *base;

	if (!m)
		return;
	CHECK_EQ(uxdp_ringbuf_layout(m, &l), 0);
	CHECK(l.page == size && l.size == size && l.data_off == l.pos_off + 2 * l.page);
	w0 = uxdp_ringbuf_wakeups(m);
	CHECK_EQ(uxdp_ringbuf_output(m, &v, 4, 0), 0); /* nobody waits: no wakeup */
	CHECK_EQ(uxdp_ringbuf_wakeups(m), w0);
	uxdp_ringbuf_consume(m, collect, &s);
	uxdp_ringbuf_waiter(m, true);
	CHECK_EQ(uxdp_ringbuf_output(m, &v, 4, BPF_RB_NO_WAKEUP), 0);
	CHECK_EQ(uxdp_ringbuf_wakeups(m), w0);
	CHECK_EQ(uxdp_ringbuf_output(m, &v, 4, 0), 0); /* consumer behind: none */
	CHECK_EQ(uxdp_ringbuf_wakeups(m), w0);
	CHECK_EQ(uxdp_ringbuf_output(m, &v, 4, BPF_RB_FORCE_WAKEUP), 0);
	CHECK_EQ(uxdp_ringbuf_wakeups(m), w0 + 1);
	uxdp_ringbuf_consume(m, collect, &s);
	CHECK_EQ(uxdp_ringbuf_output(m, &v, 4, 0), 0); /* caught up: wakes */
	CHECK_EQ(uxdp_ringbuf_wakeups(m), w0 + 2);
	uxdp_ringbuf_consume(m, collect, &s);
	/* reserve + submit: the record's map is found from its address */
	a = uxdp_ringbuf_reserve(m, 4, 0);
	b = uxdp_ringbuf_reserve(m, 4, 0);
	CHECK(a && b);
	if (a && b) {
		uxdp_ringbuf_submit(b, 0); /* not the one the consumer waits at */
		CHECK_EQ(uxdp_ringbuf_wakeups(m), w0 + 2);
		uxdp_ringbuf_discard(a, 0);
		CHECK_EQ(uxdp_ringbuf_wakeups(m), w0 + 3);
	}
	CHECK_EQ(uxdp_ringbuf_wait(m, w0, 0), 0);       /* moved past w0 already */
	CHECK_EQ(uxdp_ringbuf_wait(m, w0 + 3, 1), -ETIMEDOUT);
	uxdp_ringbuf_waiter(m, false);
	uxdp_ringbuf_consume(m, collect, &s);
	CHECK_EQ(uxdp_ringbuf_output(m, &v, 4, BPF_RB_FORCE_WAKEUP), 0);
	CHECK_EQ(uxdp_ringbuf_wakeups(m), w0 + 3); /* no waiter: nothing */
	/* the positions are where the kernel's mmap layout has them */
	base = uxdp_ringbuf_reserve(m, 4, 0); /* the record at prod - 16 */
	base -= 8 + (uxdp_ringbuf_query(m, BPF_RB_PROD_POS) - 16) % size + 2 * l.page;
	CHECK_EQ(*(uint64_t *)base, uxdp_ringbuf_query(m, BPF_RB_CONS_POS));
	CHECK_EQ(*(uint64_t *)(base + l.page), uxdp_ringbuf_query(m, BPF_RB_PROD_POS));
	uxdp_map_close(m);
}

static void *reserve_and_exit(void *m)
{
	return uxdp_ringbuf_reserve(m, 4, 0);
}

/* A record left busy by a thread that is gone is skipped for other consumers too. */
static void test_ringbuf_unstick(void)
{
	uint32_t size = (uint32_t)sysconf(_SC_PAGESIZE), v = 9;
	struct uxdp_map *m = mk("rbu", BPF_MAP_TYPE_RINGBUF, 0, 0, size, 0);
	static struct seen s;
	void *rec = NULL, *mine;
	pthread_t t;

	if (!m)
		return;
	CHECK(!uxdp_ringbuf_unstick(m)); /* empty */
	mine = uxdp_ringbuf_reserve(m, 4, 0);
	CHECK(!uxdp_ringbuf_unstick(m)); /* busy, its reserver alive */
	uxdp_ringbuf_submit(mine, 0);
	CHECK_EQ(uxdp_ringbuf_consume(m, collect, &s), 1);
	CHECK_EQ(pthread_create(&t, NULL, reserve_and_exit, m), 0);
	pthread_join(t, &rec);
	CHECK(rec != NULL);
	CHECK_EQ(uxdp_ringbuf_output(m, &v, 4, 0), 0);
	CHECK(uxdp_ringbuf_unstick(m));  /* the dead thread's record: discarded */
	CHECK(!uxdp_ringbuf_unstick(m)); /* it is not busy any more */
	s.n = 0;
	CHECK_EQ(uxdp_ringbuf_consume(m, collect, &s), 1);
	CHECK_EQ(s.vals[0], 9);
	uxdp_map_close(m);
}

/* A perf sample's first byte and, after it, the byte at s->last (the data's last). */
static int check_tail(void *ctx, void *data, size_t size)
{
	struct seen *s = ctx;
	uint8_t *d = data;

	s->sizes[s->n] = size;
	s->vals[s->n] = d[0] | (uint32_t)d[s->last < size ? s->last : 0] << 8;
	s->n++;
	return 0;
}

static void test_perf(void)
{
	struct uxdp_map_def d = {
		.sz = sizeof(d),
		.name = "perf", .type = BPF_MAP_TYPE_PERF_EVENT_ARRAY, .key_size = 4,
		.value_size = 4, .ncpus = 2, .perf_ring_size = 256,
	};
	uint8_t rec[40], pkt[16];
	struct uxdp_map *m = NULL;
	static struct seen s;
	uint32_t k = 1, one = 1;

	CHECK_EQ(uxdp_map_create(test_instance, &d, &m), 0);
	if (!m)
		return;
	memset(rec, 0xaa, sizeof(rec));
	memset(pkt, 0x55, sizeof(pkt));
	rec[0] = 7;
	CHECK_EQ(uxdp_perf_output(m, 1, rec, 8, NULL, 0), -ENOENT); /* nobody listens */
	CHECK_EQ(uxdp_map_update_elem(m, &k, &one, BPF_ANY), 0);
	CHECK_EQ(uxdp_perf_output(m, 2, rec, 8, NULL, 0), -E2BIG); /* max_entries = ncpus */
	uxdp_this_cpu = 1;
	CHECK_EQ(uxdp_perf_output(m, BPF_F_CURRENT_CPU, rec, 8, NULL, 0), 0);
	uxdp_this_cpu = 0;
	CHECK_EQ(uxdp_perf_output(m, 1, rec, 5, pkt, 3), 0);
	s.last = 7;
	CHECK_EQ(uxdp_perf_consume(m, 1, check_tail, &s), 2);
	/* the kernel's raw size: 8 bytes padded so that the u32 size and they make 16 */
	CHECK(s.sizes[0] == 12 && s.vals[0] == (7 | 0xaa << 8));
	CHECK(s.sizes[1] == 12 && s.vals[1] == (7 | 0x55 << 8));
	/*
	 * 40-byte records take 56 bytes (header, size, data, 4 of padding); the
	 * 256-byte ring has 255 free (the kernel's CIRC_SPACE): 4 fit, the
	 * next two are lost and reported before the next record with room for both
	 */
	for (int i = 0; i < 4; i++)
		CHECK_EQ(uxdp_perf_output(m, 1, rec, 40, NULL, 0), 0);
	CHECK_EQ(uxdp_perf_output(m, 1, rec, 40, NULL, 0), -ENOSPC);
	CHECK_EQ(uxdp_perf_output(m, 1, rec, 8, NULL, 0), -ENOSPC);
	CHECK_EQ(uxdp_perf_lost(m, 1), 2);
	s.n = 0;
	s.last = 39;
	CHECK_EQ(uxdp_perf_consume(m, 1, check_tail, &s), 4);
	CHECK(s.sizes[0] == 44 && s.vals[3] == (7 | 0xaa << 8));
	/* wrapping records come out whole */
	for (int i = 0; i < 30; i++) {
		rec[39] = (uint8_t)i;
		CHECK_EQ(uxdp_perf_output(m, 1, rec, 40, NULL, 0), 0);
		s.n = 0;
		CHECK_EQ(uxdp_perf_consume(m, 1, check_tail, &s), 1);
		CHECK_EQ(s.vals[0], 7 | i << 8);
	}
	CHECK_EQ(uxdp_perf_lost(m, 1), 2);
	{
		/* a bind empties the ring and its counts (the LOST records: bpfsys.perfbuf) */
		struct uxdp_perf_layout l;

		CHECK_EQ(uxdp_perf_layout(m, 1, &l), 0);
		CHECK_EQ(uxdp_perf_bind(m, 1, 256, 5), 0);
		CHECK_EQ(uxdp_perf_lost(m, 1), 0);
		for (int i = 0; i < 5; i++)
			uxdp_perf_output(m, 1, rec, 40, NULL, 0);
		s.n = 0;
		CHECK_EQ(uxdp_perf_consume(m, 1, check_tail, &s), 4);
		CHECK_EQ(uxdp_perf_output(m, 1, rec, 8, NULL, 0), 0);
		CHECK_EQ(uxdp_perf_consume(m, 1, check_tail, &s), 1);
		CHECK_EQ(uxdp_perf_lost(m, 1), 1);
		CHECK(l.capacity == 256 && l.off % l.page == 0);
		/* bound before its event is mapped: no ring, records dropped uncounted */
		CHECK_EQ(uxdp_perf_bind(m, 1, 0, 5), 0);
		CHECK_EQ(uxdp_map_update_elem(m, &k, &one, BPF_ANY), 0);
		CHECK_EQ(uxdp_perf_output(m, 1, rec, 8, NULL, 0), -ENOSPC);
		CHECK_EQ(uxdp_perf_lost(m, 1), 0);
		CHECK_EQ(uxdp_perf_bind(m, 1, 256, 5), 0);
		CHECK_EQ(uxdp_perf_output(m, 1, rec, 8, NULL, 0), 0);
		CHECK_EQ(uxdp_perf_bind(m, 1, 512, 5), -EINVAL); /* over the capacity */
		CHECK_EQ(uxdp_perf_bind(m, 1, 96, 5), -EINVAL);  /* not a power of two */
	}
	CHECK_EQ(uxdp_map_delete_elem(m, &k), 0);
	CHECK_EQ(uxdp_perf_output(m, 1, rec, 8, NULL, 0), -ENOENT);
	uxdp_map_close(m);
}

int main(void)
{
	test_begin("rb");
	test_ringbuf();
	test_ringbuf_wakeups();
	test_ringbuf_unstick();
	test_perf();
	return test_end();
}
