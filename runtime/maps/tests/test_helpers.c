// SPDX-License-Identifier: MIT
/* The map helpers as a compiled program calls them: uint64_t arguments and
 * kernel return values; the lookups specialised by key size,
 * redirect_map, perf_event_output, tail_call, spin_lock. */
#include <stdint.h>
#include <stdio.h>

#include <uxdp/ctx.h>
#include <uxdp/worker.h>

#include "helpers_impl.h"
#include "test.h"

#define U(p) ((uint64_t)(uintptr_t)(p))
#define ERR(e) ((uint64_t)(int64_t)-(e))

static void test_map_helpers(void)
{
	struct uxdp_map *h = mk("h", BPF_MAP_TYPE_HASH, 4, 8, 2, 0);
	struct uxdp_map *q = mk("q", BPF_MAP_TYPE_QUEUE, 0, 4, 2, 0);
	struct uxdp_map *pa = mk("pa", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 1, 0);
	uint32_t k = 1, qv = 5;
	uint64_t v = 99, *p;

	if (!h || !q || !pa)
		return;
	CHECK_EQ(uxdp_helper_map_lookup_elem(U(h), U(&k)), 0);
	CHECK_EQ(uxdp_helper_map_update_elem(U(h), U(&k), U(&v), BPF_NOEXIST), 0);
	CHECK_EQ(uxdp_helper_map_update_elem(U(h), U(&k), U(&v), BPF_NOEXIST), ERR(EEXIST));
	p = (uint64_t *)(uintptr_t)uxdp_helper_map_lookup_elem(U(h), U(&k));
	CHECK(p && *p == 99);
	k = 2;
	CHECK_EQ(uxdp_helper_map_update_elem(U(h), U(&k), U(&v), BPF_ANY), 0);
	k = 3;
	CHECK_EQ(uxdp_helper_map_update_elem(U(h), U(&k), U(&v), BPF_ANY), ERR(E2BIG));
	CHECK_EQ(uxdp_helper_map_delete_elem(U(h), U(&k)), ERR(ENOENT));
	k = 2;
	CHECK_EQ(uxdp_helper_map_delete_elem(U(h), U(&k)), 0);

	CHECK_EQ(uxdp_helper_map_push_elem(U(q), U(&qv), BPF_ANY), 0);
	qv = 0;
	CHECK_EQ(uxdp_helper_map_peek_elem(U(q), U(&qv)), 0);
	CHECK_EQ(qv, 5);
	CHECK_EQ(uxdp_helper_map_pop_elem(U(q), U(&qv)), 0);
	CHECK_EQ(uxdp_helper_map_pop_elem(U(q), U(&qv)), ERR(ENOENT));

	k = 0;
	uxdp_this_cpu = 3;
	qv = 33;
	CHECK_EQ(uxdp_helper_map_update_elem(U(pa), U(&k), U(&qv), BPF_ANY), 0);
	uxdp_this_cpu = 0;
	p = (uint64_t *)(uintptr_t)uxdp_helper_map_lookup_percpu_elem(U(pa), U(&k), 3);
	CHECK(p && *(uint32_t *)p == 33);
	CHECK_EQ(uxdp_helper_map_lookup_percpu_elem(U(pa), U(&k), 4), 0);
	CHECK_EQ(*(uint32_t *)(uintptr_t)uxdp_helper_map_lookup_elem(U(pa), U(&k)), 0);
}

#define PERCPU_DECLARE(n) uint64_t uxdp_percpu_hash_lookup_k##n(uint64_t, uint64_t, uint64_t);
UXDP_HASH_LOOKUP_SIZES(PERCPU_DECLARE)
#undef PERCPU_DECLARE

struct sized_lookups {
	unsigned int n;
	uint64_t (*hash)(uint64_t map, uint64_t key);
	uint64_t (*lru)(uint64_t map, uint64_t key);
	uint64_t (*percpu)(uint64_t map, uint64_t key, uint64_t cpu);
};

#define SIZED_ENTRY(n) { n, uxdp_hash_lookup_k##n, uxdp_lru_hash_lookup_k##n, uxdp_percpu_hash_lookup_k##n },
static const struct sized_lookups sized_lookups[] = { UXDP_HASH_LOOKUP_SIZES(SIZED_ENTRY) };
#undef SIZED_ENTRY

/*
 * Every size uxdpc specialises (6: MAC addresses, compared widened to 8
 * bytes; 12, 20, 36: a 4-byte tail to the hash and a value rounded up to 8
 * bytes): the sized lookups find what hash.c finds, and keys differing
 * only in their first or their last byte stay apart.
 */
static void test_hash_lookup_sized(const struct sized_lookups *s)
{
	char name[3][16];
	struct uxdp_map *h, *l, *ph;
	uint8_t a[40] = { 2 }, b[40] = { 2 }, c[40] = { 3 };
	uint64_t va = 10, vb = 20;

	snprintf(name[0], sizeof(name[0]), "hk%u", s->n);
	snprintf(name[1], sizeof(name[1]), "lk%u", s->n);
	snprintf(name[2], sizeof(name[2]), "pk%u", s->n);
	h = mk(name[0], BPF_MAP_TYPE_HASH, s->n, 8, 4, 0);
	l = mk(name[1], BPF_MAP_TYPE_LRU_HASH, s->n, 8, 4, 0);
	ph = mk(name[2], BPF_MAP_TYPE_PERCPU_HASH, s->n, 8, 4, 0);
	if (!h || !l || !ph)
		return;
	a[s->n - 1] = 1;
	b[s->n - 1] = 2;
	c[s->n - 1] = 1;
	CHECK_EQ(s->hash(U(h), U(a)), 0);
	CHECK_EQ(uxdp_map_update_elem(h, a, &va, BPF_ANY), 0);
	CHECK_EQ(uxdp_map_update_elem(h, b, &vb, BPF_ANY), 0);
	CHECK_EQ(uxdp_map_update_elem(l, b, &vb, BPF_ANY), 0);
	CHECK_EQ(s->hash(U(h), U(a)), U(uxdp_map_lookup(h, a)));
	CHECK_EQ(*(uint64_t *)(uintptr_t)s->hash(U(h), U(a)), 10);
	CHECK_EQ(*(uint64_t *)(uintptr_t)s->hash(U(h), U(b)), 20);
	CHECK_EQ(s->hash(U(h), U(c)), 0);
	CHECK_EQ(s->lru(U(l), U(b)), U(uxdp_map_lookup(l, b)));
	CHECK_EQ(s->lru(U(l), U(a)), 0);
	CHECK_EQ(s->lru(U(l), U(c)), 0);

	uxdp_this_cpu = 1;
	CHECK_EQ(uxdp_map_update(ph, b, &vb, BPF_ANY), 0);
	uxdp_this_cpu = 0;
	CHECK_EQ(s->percpu(U(ph), U(a), 1), 0);
	CHECK_EQ(s->percpu(U(ph), U(b), 1), U(uxdp_map_lookup_percpu(ph, b, 1)));
	CHECK_EQ(*(uint64_t *)(uintptr_t)s->percpu(U(ph), U(b), 1), 20);
	CHECK_EQ(*(uint64_t *)(uintptr_t)s->percpu(U(ph), U(b), 0), 0);
}

static void test_ringbuf_helpers(void)
{
	struct uxdp_map *rb = mk("rb", BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
	uint64_t rec;
	uint32_t v = 7;

	if (!rb)
		return;
	CHECK_EQ(uxdp_helper_ringbuf_output(U(rb), U(&v), 4, 0), 0);
	CHECK_EQ(uxdp_helper_ringbuf_output(U(rb), U(&v), 4, 8), ERR(EINVAL));
	rec = uxdp_helper_ringbuf_reserve(U(rb), 16, 0);
	CHECK(rec != 0);
	CHECK_EQ(uxdp_helper_ringbuf_submit(rec, 0), 0);
	rec = uxdp_helper_ringbuf_reserve(U(rb), 16, 0);
	CHECK_EQ(uxdp_helper_ringbuf_discard(rec, 0), 0);
	CHECK_EQ(uxdp_helper_ringbuf_query(U(rb), BPF_RB_AVAIL_DATA), 16 + 24 + 24);
	CHECK_EQ(uxdp_helper_ringbuf_reserve(U(rb), 8192, 0), 0);
}

static void test_redirect_map(void)
{
	struct uxdp_map *dm = mk("dm", BPF_MAP_TYPE_DEVMAP, 4, 4, 4, 0);
	struct uxdp_map *xm = mk("xm", BPF_MAP_TYPE_XSKMAP, 4, 4, 4, 0);
	struct uxdp_worker w;
	uint32_t k = 2, ifindex = 42;

	if (!dm || !xm)
		return;
	uxdp_worker_init(&w, 0);
	uxdp_worker_set_current(&w);
	/* miss: the low bits of flags are the action */
	CHECK_EQ(uxdp_helper_redirect_map(U(dm), 2, XDP_PASS), XDP_PASS);
	CHECK_EQ(w.redirect.kind, UXDP_REDIRECT_NONE);
	CHECK_EQ(uxdp_map_update_elem(dm, &k, &ifindex, BPF_ANY), 0);
	CHECK_EQ(uxdp_helper_redirect_map(U(dm), 2, XDP_PASS), XDP_REDIRECT);
	CHECK_EQ(w.redirect.kind, UXDP_REDIRECT_MAP);
	CHECK_EQ(w.redirect.index, 2);
	CHECK(w.redirect.map == dm);
	CHECK(w.redirect.value && *(uint32_t *)w.redirect.value == 42);
	CHECK_EQ(w.redirect.flags, 0);
	/* broadcast flags only on devmaps; other bits abort */
	CHECK_EQ(uxdp_helper_redirect_map(U(dm), 0, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS),
		 XDP_REDIRECT);
	CHECK_EQ(w.redirect.flags, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS);
	CHECK_EQ(uxdp_helper_redirect_map(U(xm), 0, BPF_F_BROADCAST), XDP_ABORTED);
	CHECK_EQ(uxdp_helper_redirect_map(U(dm), 2, 1ull << 20), XDP_ABORTED);
	CHECK_EQ(uxdp_helper_redirect_map(U(xm), 1, XDP_DROP), XDP_DROP);
	uxdp_worker_set_current(NULL);
}

/*
 * redirect_map reads devmap, xskmap and cpumap slots itself: the target it
 * records is the one uxdp_map_redirect_target finds, for a filled slot, an
 * emptied one and a key past max_entries.
 */
static void test_redirect_map_slots(void)
{
	struct uxdp_map *dm = mk("dms", BPF_MAP_TYPE_DEVMAP, 4, 4, 4, 0);
	struct uxdp_map *xm = mk("xms", BPF_MAP_TYPE_XSKMAP, 4, 4, 4, 0);
	struct uxdp_map *cm = mk("cms", BPF_MAP_TYPE_CPUMAP, 4, 8, 4, 0);
	struct uxdp_map *maps[3] = { dm, xm, cm };
	uint32_t k = 3, dv = 9, xv = 1, cv[2] = { 128, 0 };
	struct uxdp_worker w;

	if (!dm || !xm || !cm)
		return;
	uxdp_worker_init(&w, 0);
	uxdp_worker_set_current(&w);
	CHECK_EQ(uxdp_map_update_elem(dm, &k, &dv, BPF_ANY), 0);
	CHECK_EQ(uxdp_map_update_elem(xm, &k, &xv, BPF_ANY), 0);
	CHECK_EQ(uxdp_map_update_elem(cm, &k, cv, BPF_ANY), 0);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(uxdp_helper_redirect_map(U(maps[i]), 3, XDP_DROP), XDP_REDIRECT);
		CHECK(w.redirect.value && w.redirect.value == uxdp_map_redirect_target(maps[i], 3));
		CHECK_EQ(uxdp_helper_redirect_map(U(maps[i]), 2, XDP_DROP), XDP_DROP);
		CHECK_EQ(w.redirect.kind, UXDP_REDIRECT_NONE);
		CHECK_EQ(uxdp_helper_redirect_map(U(maps[i]), 4, XDP_PASS), XDP_PASS);
		CHECK_EQ(uxdp_helper_redirect_map(U(maps[i]), 1ull << 32 | 3, XDP_PASS), XDP_REDIRECT);
		CHECK_EQ(w.redirect.index, 3);
		CHECK_EQ(uxdp_map_delete_elem(maps[i], &k), 0);
		CHECK_EQ(uxdp_helper_redirect_map(U(maps[i]), 3, XDP_TX), XDP_TX);
	}
	uxdp_worker_set_current(NULL);
}

/*
 * uxdp_redirect_map_worker (what uxdpc calls with ctx->worker) records the
 * target in the worker it is given, and in the thread's when given none.
 */
static void test_redirect_map_worker(void)
{
	struct uxdp_map *xm = mk("xmw", BPF_MAP_TYPE_XSKMAP, 4, 4, 4, 0);
	struct uxdp_worker cur, other;
	uint32_t k = 1, xv = 1;

	if (!xm)
		return;
	uxdp_worker_init(&cur, 0);
	uxdp_worker_init(&other, 1);
	uxdp_worker_set_current(&cur);
	CHECK_EQ(uxdp_map_update_elem(xm, &k, &xv, BPF_ANY), 0);
	CHECK_EQ(uxdp_redirect_map_worker(U(&other), U(xm), 1, XDP_PASS), XDP_REDIRECT);
	CHECK_EQ(other.redirect.kind, UXDP_REDIRECT_MAP);
	CHECK(other.redirect.map == xm && other.redirect.value == uxdp_map_redirect_target(xm, 1));
	CHECK_EQ(cur.redirect.kind, UXDP_REDIRECT_NONE);
	CHECK_EQ(uxdp_redirect_map_worker(0, U(xm), 1, XDP_PASS), XDP_REDIRECT);
	CHECK_EQ(cur.redirect.kind, UXDP_REDIRECT_MAP);
	CHECK_EQ(uxdp_redirect_map_worker(U(&other), U(xm), 2, XDP_DROP), XDP_DROP);
	CHECK_EQ(other.redirect.kind, UXDP_REDIRECT_NONE);
	CHECK_EQ(cur.redirect.kind, UXDP_REDIRECT_MAP);
	CHECK_EQ(uxdp_redirect_map_worker(U(&other), U(xm), 1, 1ull << 20), XDP_ABORTED);
	uxdp_worker_set_current(NULL);
}

static int got_len;
static uint8_t got[64];

static int perf_cb(void *ctx, void *data, size_t size)
{
	got_len = (int)size;
	memcpy(got, data, size < sizeof(got) ? size : sizeof(got));
	return 0;
}

static void test_perf_helper(void)
{
	struct uxdp_map_def d = {
		.sz = sizeof(d),
		.name = "perf", .type = BPF_MAP_TYPE_PERF_EVENT_ARRAY, .key_size = 4,
		.value_size = 4, .ncpus = 2, .perf_ring_size = 4096,
	};
	uint8_t pkt[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	struct uxdp_ctx ctx = { .data = pkt, .data_end = pkt + sizeof(pkt) };
	struct uxdp_map *m = NULL;
	uint32_t k = 0, one = 1, meta = 0xdeadbeef;

	CHECK_EQ(uxdp_map_create(test_instance, &d, &m), 0);
	if (!m)
		return;
	CHECK_EQ(uxdp_map_update_elem(m, &k, &one, BPF_ANY), 0);
	uxdp_this_cpu = 0;
	CHECK_EQ(uxdp_helper_perf_event_output(U(&ctx), U(m), BPF_F_CURRENT_CPU | (4ull << 32),
					       U(&meta), 4), 0);
	CHECK_EQ(uxdp_helper_perf_event_output(U(&ctx), U(m), 11ull << 32, U(&meta), 4),
		 ERR(EFAULT));
	CHECK_EQ(uxdp_helper_perf_event_output(U(&ctx), U(m), 1ull << 60, U(&meta), 4),
		 ERR(EINVAL));
	CHECK_EQ(uxdp_perf_consume(m, 0, perf_cb, NULL), 1);
	CHECK_EQ(got_len, 12); /* 8 bytes, as the kernel pads them: u32 size + 12 = 16 */
	CHECK(!memcmp(got, &meta, 4) && got[4] == 1 && got[7] == 4);
}

static struct uxdp_map *progs;

static uint64_t leaf(struct uxdp_ctx *ctx)
{
	return 1000 + ctx->tail_call_cnt;
}

/* Tail-calls itself through slot 0 until the limit, as a compiled program would. */
static uint64_t looper(struct uxdp_ctx *ctx)
{
	uxdp_helper_tail_call(U(ctx), U(progs), 0);
	if (ctx->tail_called)
		return ctx->tail_call_ret;
	return 7000 + ctx->tail_call_cnt;
}

static void test_tail_call(void)
{
	struct uxdp_ctx ctx = { 0 };
	uint32_t k = 1, prog = 1;

	progs = mk("progs", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0);
	if (!progs)
		return;
	/* empty slot: -ENOENT and no side effect */
	CHECK_EQ(uxdp_helper_tail_call(U(&ctx), U(progs), 1), ERR(ENOENT));
	CHECK(ctx.tail_call_cnt == 0 && ctx.tail_called == 0);
	CHECK_EQ(uxdp_helper_tail_call(U(&ctx), U(progs), 99), ERR(ENOENT));
	CHECK_EQ(uxdp_map_update_elem(progs, &k, &prog, BPF_ANY), 0);
	CHECK_EQ(uxdp_prog_array_set_fn(progs, 1, leaf), 0);
	CHECK_EQ(uxdp_helper_tail_call(U(&ctx), U(progs), 1), 0);
	CHECK(ctx.tail_called == 1 && ctx.tail_call_ret == 1001 && ctx.tail_call_cnt == 1);

	/* a chain stops after UXDP_MAX_TAIL_CALLS tail calls */
	memset(&ctx, 0, sizeof(ctx));
	k = 0;
	prog = 2;
	CHECK_EQ(uxdp_map_update_elem(progs, &k, &prog, BPF_ANY), 0);
	CHECK_EQ(uxdp_prog_register(2, looper), 0);
	CHECK_EQ(looper(&ctx), 7000 + UXDP_MAX_TAIL_CALLS);
}

/* bpf_spin_lock on a value's lock word: held, the word names the holder. */
static void test_spin_lock(void)
{
	struct uxdp_map_def d = {
		.sz = sizeof(d),
		.name = "spin", .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8,
		.max_entries = 1, .flags = UXDP_MAP_DEF_SPIN_LOCK, .spin_lock_off = 0,
	};
	struct uxdp_map *m = NULL;
	uint32_t k = 0, *lock;

	CHECK_EQ(uxdp_map_create(test_instance, &d, &m), 0);
	if (!m)
		return;
	lock = uxdp_map_lookup(m, &k);
	CHECK(lock != NULL);
	CHECK_EQ(uxdp_helper_spin_lock(U(lock)), 0);
	CHECK(*lock != 0);
	CHECK_EQ(uxdp_helper_spin_unlock(U(lock)), 0);
	CHECK_EQ(*lock, 0);
	uxdp_map_close(m);
}

/* A callback of the kernel's bpf_callback_t shape: sum keys, stop at key 3. */
static uint64_t sum_keys(uint64_t map, uint64_t key, uint64_t value, uint64_t ctx, uint64_t unused)
{
	*(uint64_t *)(uintptr_t)ctx += *(uint32_t *)(uintptr_t)key;
	*(uint32_t *)(uintptr_t)value += 1;
	return *(uint32_t *)(uintptr_t)key == 3;
}

static void test_for_each_map_elem(void)
{
	struct uxdp_map *a = mk("each", BPF_MAP_TYPE_ARRAY, 4, 4, 6, 0);
	uint64_t sum = 0;
	uint32_t k = 3, v = 0;

	if (!a)
		return;
	CHECK_EQ(uxdp_helper_for_each_map_elem(U(a), U(sum_keys), U(&sum), 1), ERR(EINVAL));
	CHECK_EQ(sum, 0);
	CHECK_EQ(uxdp_helper_for_each_map_elem(U(a), U(sum_keys), U(&sum), 0), 4);
	CHECK_EQ(sum, 0 + 1 + 2 + 3);
	CHECK_EQ(uxdp_map_lookup_elem_copy(a, &k, &v), 0);
	CHECK_EQ(v, 1);
	k = 4;
	CHECK_EQ(uxdp_map_lookup_elem_copy(a, &k, &v), 0);
	CHECK_EQ(v, 0);
}

int main(void)
{
	test_begin("help");
	test_map_helpers();
	for (size_t i = 0; i < sizeof(sized_lookups) / sizeof(sized_lookups[0]); i++)
		test_hash_lookup_sized(&sized_lookups[i]);
	test_ringbuf_helpers();
	test_redirect_map();
	test_redirect_map_slots();
	test_redirect_map_worker();
	test_perf_helper();
	test_tail_call();
	test_spin_lock();
	test_for_each_map_elem();
	return test_end();
}
