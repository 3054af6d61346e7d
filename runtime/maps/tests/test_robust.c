// SPDX-License-Identifier: MIT
/*
 * A writer killed at every step of an update leaves a map that the next
 * process can use at once, with every change either complete or undone.
 *
 * Random kill timing would almost never land between two stores, so a
 * child process arms the fault points of runtime/maps (fault.h) to stop
 * itself at step n of its updates, the parent kills it there with SIGKILL,
 * and then checks the map: a new key can be written (the dead writer's lock
 * is taken over and the map repaired), every key holds a value some update
 * wrote, nothing leaked (a non-LRU map still takes exactly max_entries
 * keys), and the map is put back for step n + 1.  This for every n until the
 * child gets through its updates without stopping.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

#include "../fault.h"
#include "../lru.h"
#include "../hash_free.h"
#include "../hash_internal.h"
#include "../instance.h"
#include "test.h"

#define MAX 64

struct scenario {
	const char *name;
	uint32_t type;
	uint32_t key_size;
	uint32_t flags;
	void (*fill)(struct uxdp_map *m);        /* the state before each round */
	void (*change)(struct uxdp_map *m);      /* what the child does */
	void (*check)(struct uxdp_map *m);       /* after the kill */
	/*
	 * The child runs as CPU 1 while a reader thread of the parent keeps
	 * announcing epochs, so that its inserts find the elements they evict
	 * still held and swap in spares (LRU maps: every lock and path).
	 */
	bool as_cpu1_under_reader;
	uint32_t max_entries, ncpus; /* 0: MAX and 2 */
};

/* ---- hash maps: keys k hold k * 10, or k * 10 + 1 once changed ---- */

/* Values are 8 bytes; a per-CPU map's control-plane value is one per CPU (2). */
static void put(struct uxdp_map *m, uint32_t k, uint64_t v)
{
	uint64_t vv[2] = { v, v };

	CHECK_EQ(uxdp_map_update_elem(m, &k, vv, BPF_ANY), 0);
}

static void hash_fill(struct uxdp_map *m)
{
	uint32_t k;

	for (k = 0; k < 40; k++)
		put(m, k, k * 10);
	for (k = 40; k < 100; k++)
		uxdp_map_delete_elem(m, &k);
}

static void hash_change(struct uxdp_map *m)
{
	uint64_t v[2];
	uint32_t k;

	k = 50, v[0] = v[1] = 501;
	uxdp_map_update_elem(m, &k, v, BPF_NOEXIST); /* insert */
	k = 3, v[0] = v[1] = 31;
	uxdp_map_update_elem(m, &k, v, BPF_EXIST);   /* replace */
	k = 5;
	uxdp_map_delete_elem(m, &k);                  /* delete */
}

/* Every key present holds a value of its own; returns how many keys. */
static uint32_t walk_keys(struct uxdp_map *m, bool lru)
{
	uint32_t k, next, n = 0;
	uint64_t v[2];

	for (int err = uxdp_map_get_next_key(m, NULL, &next); !err && n < 10 * MAX;
	     err = uxdp_map_get_next_key(m, &k, &next)) {
		k = next;
		n++;
		CHECK_EQ(uxdp_map_lookup_elem_copy(m, &k, v), 0);
		CHECK(v[0] == (uint64_t)k * 10 || v[0] == (uint64_t)k * 10 + 1 ||
		      (lru && v[0] == 7));
	}
	return n;
}

/*
 * Every shard's lock taken once (a dead holder's taken over and the shard
 * repaired), then the chains against the free elements: each free element
 * on its shard's FIFO once, and max_entries in chains and free beyond the
 * spares (hash_free.h).
 */
static void hash_audit(struct uxdp_map *m)
{
	size_t bytes = m->n_pool / 8 + 1;
	uint8_t *in_chain = calloc(1, bytes), *seen = calloc(1, bytes);

	for (unsigned int s = 0; s < uxdp_hash_shards(m); s++) {
		CHECK_EQ(uxdp_hash_shard_lock(m, s), 0);
		uxdp_hash_shard_unlock(m, s);
	}
	CHECK(in_chain && seen);
	if (in_chain && seen) {
		for (uint32_t l = 1; l <= m->n_pool; l++)
			if (uxdp_hash_in_chain(m, l))
				in_chain[(l - 1) / 8] |= (uint8_t)(1u << ((l - 1) % 8));
		CHECK_EQ(uxdp_hash_free_audit(m, in_chain, seen), 0);
	}
	free(in_chain);
	free(seen);
}

static void hash_check(struct uxdp_map *m)
{
	uint32_t n = walk_keys(m, false), k, added = 0;
	uint64_t v[2] = { 7, 7 }; /* a per-CPU map's: one per CPU */

	CHECK(n >= 39 && n <= 41);
	/* nothing leaked: exactly max_entries keys fit */
	for (k = 1000; k < 1000 + 2 * MAX; k++) {
		int err = uxdp_map_update_elem(m, &k, v, BPF_NOEXIST);

		if (err) {
			CHECK_EQ(err, -E2BIG);
			break;
		}
		added++;
	}
	CHECK_EQ(n + added, MAX);
	for (k = 1000; k < 1000 + added; k++)
		CHECK_EQ(uxdp_map_delete_elem(m, &k), 0);
	hash_audit(m);
}

/* ---- LRU maps: full, so every insert evicts ---- */

static void lru_fill(struct uxdp_map *m)
{
	/* as CPU 1, then CPU 0: with per-CPU lists, both full, the newest keys CPU 0's */
	for (uint32_t k = 0; k < 2 * MAX; k++) {
		uxdp_this_cpu = k < MAX;
		put(m, k, k * 10);
	}
	uxdp_this_cpu = 0;
}

static void lru_change(struct uxdp_map *m)
{
	uint32_t k;

	for (k = 200; k < 203; k++) {
		uint64_t v = k * 10 + 1;

		uxdp_map_update_elem(m, &k, &v, BPF_ANY);
	}
	k = 201;
	uxdp_map_delete_elem(m, &k);
	/* the newest keys of the fill: per-CPU lists, CPU 0's, replaced and deleted by CPU 1 */
	k = 2 * MAX - 1;
	uxdp_map_update_elem(m, &k, &(uint64_t){ k * 10 + 1 }, BPF_ANY);
	k = 2 * MAX - 2;
	uxdp_map_delete_elem(m, &k);
}

/*
 * After the kill: every lock taken once (a dead holder's taken over and
 * what it guards repaired: a CPU's lists and spares, the common lists'
 * global lists), then every element on exactly one list or among the
 * spares, none free in a chain.
 */
static void lru_audit(struct uxdp_map *m)
{
	uint8_t *seen = calloc(1, m->n_pool / 8 + 1);

	for (uint32_t g = 0; g < uxdp_lru_n_locks(m); g++) {
		CHECK_EQ(uxdp_lru_lock(m, g), 0);
		uxdp_lru_unlock(m, g);
	}
	CHECK(seen != NULL);
	if (seen)
		CHECK_EQ(uxdp_lru_audit(m, seen), 0);
	free(seen);
}

static void lru_check(struct uxdp_map *m)
{
	uint32_t n = walk_keys(m, true);

	CHECK(n > 0 && n <= m->max_entries);
	/* inserts keep working and never fail */
	for (uint32_t k = 5000; k < 5000 + 3 * MAX; k++) {
		uint64_t v = 7;

		CHECK_EQ(uxdp_map_update_elem(m, &k, &v, BPF_ANY), 0);
	}
	CHECK(walk_keys(m, true) <= m->max_entries);
	lru_audit(m);
}

/*
 * The common lists' steal: three CPUs, two elements.  CPUs 1 and 2 each
 * hold one key pending, so the child's inserts (CPU 0) find the global
 * lists empty and steal from another CPU's local lists, evicting its key:
 * the child is killed holding its own lock and a victim's.
 */
static void steal_fill(struct uxdp_map *m)
{
	uint32_t k;

	while (uxdp_map_get_next_key(m, NULL, &k) == 0)
		CHECK_EQ(uxdp_map_delete_elem(m, &k), 0);
	for (unsigned int cpu = 1; cpu <= 2; cpu++) {
		uxdp_this_cpu = cpu;
		put(m, cpu, cpu * 10);
	}
	uxdp_this_cpu = 0;
}

static void steal_change(struct uxdp_map *m)
{
	uint64_t v = 31;
	uint32_t k = 3;

	uxdp_map_update_elem(m, &k, &v, BPF_ANY);
	k = 4, v = 41;
	uxdp_map_update_elem(m, &k, &v, BPF_ANY);
	k = 3;
	uxdp_map_delete_elem(m, &k);
}

/* ---- LPM trie: prefixes of 10.0.0.0/8 ---- */

struct lpm_key {
	uint32_t plen;
	uint8_t a[4];
};

static int lpm_put(struct uxdp_map *m, uint32_t plen, uint8_t b1, uint8_t b2, uint64_t v,
		   uint64_t flags)
{
	struct lpm_key k = { plen, { 10, b1, b2, 0 } };

	return uxdp_map_update_elem(m, &k, &v, flags);
}

static void lpm_fill(struct uxdp_map *m)
{
	struct lpm_key k;

	while (!uxdp_map_get_next_key(m, NULL, &k))
		uxdp_map_delete_elem(m, &k);
	lpm_put(m, 8, 0, 0, 80, BPF_ANY);
	for (uint8_t i = 0; i < 10; i++)
		lpm_put(m, 16, i, 0, 160 + i, BPF_ANY);
	lpm_put(m, 24, 1, 1, 241, BPF_ANY);
	lpm_put(m, 24, 1, 128, 242, BPF_ANY);
}

static void lpm_change(struct uxdp_map *m)
{
	struct lpm_key k = { 16, { 10, 1, 0, 0 } };

	lpm_put(m, 24, 2, 7, 999, BPF_NOEXIST);   /* a fork */
	lpm_put(m, 16, 3, 0, 999, BPF_EXIST);     /* a replacement */
	uxdp_map_delete_elem(m, &k);              /* a node with two children */
	k.a[1] = 4;
	uxdp_map_delete_elem(m, &k);              /* a leaf */
}

static void lpm_check(struct uxdp_map *m)
{
	struct lpm_key k, n;
	uint32_t count = 0, added = 0;
	uint64_t v;

	for (int err = uxdp_map_get_next_key(m, NULL, &n); !err && count < 4 * MAX;
	     err = uxdp_map_get_next_key(m, &k, &n)) {
		k = n;
		count++;
	}
	CHECK(count >= 11 && count <= 14);
	/* a lookup finds the longest prefix */
	k = (struct lpm_key){ 32, { 10, 1, 1, 9 } };
	CHECK_EQ(uxdp_map_lookup_elem_copy(m, &k, &v), 0);
	CHECK_EQ(v, 241);
	/* nothing leaked: the trie takes exactly max_entries prefixes */
	for (uint32_t i = 0; i < 4 * MAX; i++) {
		int err = lpm_put(m, 32, (uint8_t)(100 + i / 256), (uint8_t)i, 1, BPF_NOEXIST);

		if (err) {
			CHECK_EQ(err, -ENOSPC);
			break;
		}
		added++;
	}
	CHECK_EQ(count + added, MAX);
}

/* ---- queue ---- */

static void queue_fill(struct uxdp_map *m)
{
	uint64_t v;

	while (!uxdp_map_pop(m, &v))
		;
	for (v = 0; v < 10; v++)
		CHECK_EQ(uxdp_map_push(m, &v, 0), 0);
}

static void queue_change(struct uxdp_map *m)
{
	uint64_t v = 100;

	uxdp_map_push(m, &v, 0);
	uxdp_map_pop(m, &v);
}

static void queue_check(struct uxdp_map *m)
{
	uint64_t v, prev = 0;
	uint32_t n = 0;

	while (!uxdp_map_pop(m, &v) && n < 2 * MAX) {
		CHECK(v < 10 || v == 100);
		CHECK(n == 0 || v > prev);
		prev = v;
		n++;
	}
	CHECK(n >= 9 && n <= 11);
	v = 1;
	CHECK_EQ(uxdp_map_push(m, &v, 0), 0);
}

static const struct scenario scenarios[] = {
	{ "hash", BPF_MAP_TYPE_HASH, 4, 0, hash_fill, hash_change, hash_check, false, 0, 0 },
	/* the child's new key from CPU 1's elements, its replace and delete in CPU 0's */
	{ "hash_cpu1", BPF_MAP_TYPE_HASH, 4, 0, hash_fill, hash_change, hash_check, true, 0, 0 },
	{ "percpu_hash", BPF_MAP_TYPE_PERCPU_HASH, 4, 0, hash_fill, hash_change, hash_check,
	  false, 0, 0 },
	{ "lru", BPF_MAP_TYPE_LRU_HASH, 4, 0, lru_fill, lru_change, lru_check, false, 0, 0 },
	{ "lru_cpu1", BPF_MAP_TYPE_LRU_HASH, 4, 0, lru_fill, lru_change, lru_check, true, 0, 0 },
	{ "lru_pcpu_lists", BPF_MAP_TYPE_LRU_HASH, 4, BPF_F_NO_COMMON_LRU, lru_fill, lru_change,
	  lru_check, true, 0, 0 },
	{ "lru_steal", BPF_MAP_TYPE_LRU_HASH, 4, 0, steal_fill, steal_change, lru_check, false, 2,
	  3 },
	{ "lpm", BPF_MAP_TYPE_LPM_TRIE, 8, BPF_F_NO_PREALLOC, lpm_fill, lpm_change, lpm_check,
	  false, 0, 0 },
	{ "queue", BPF_MAP_TYPE_QUEUE, 0, 0, queue_fill, queue_change, queue_check, false, 0, 0 },
};

/* The parent's check, bounded: a lock nobody takes over would hang here. */
static void checked(const struct scenario *s, struct uxdp_map *m)
{
	alarm(30);
	if (s->check)
		s->check(m);
	else
		walk_keys(m, false);
	alarm(0);
}

/*
 * A reader that is inside a read-side section most of the time, a new one
 * every 200 us.  Its slot is claimed before the first fork (ready), so the
 * children never fork in the middle of a claim.
 */
static int reader_stop, reader_ready;

static void *reader(void *arg)
{
	struct timespec hold = { 0, 200 * 1000 };

	(void)arg;
	while (!__atomic_load_n(&reader_stop, __ATOMIC_ACQUIRE)) {
		uxdp_map_epoch_enter();
		__atomic_store_n(&reader_ready, 1, __ATOMIC_RELEASE);
		nanosleep(&hold, NULL);
		uxdp_map_epoch_exit();
	}
	return NULL;
}

/* Wait for child pid, killing it if it stopped at its fault point; whether it had. */
static bool killed_at_stop(pid_t pid, int *status)
{
	waitpid(pid, status, WUNTRACED);
	if (!WIFSTOPPED(*status))
		return false;
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return true;
}

static void run(const struct scenario *s)
{
	struct uxdp_map_def d = {
		.sz = sizeof(d),
		.name = s->name, .type = s->type, .key_size = s->key_size, .value_size = 8,
		.max_entries = s->max_entries ? s->max_entries : MAX, .map_flags = s->flags,
		.ncpus = s->ncpus ? s->ncpus : 2,
	};
	struct uxdp_map *m = NULL;
	uint64_t recoveries = 0, forced = 0;
	int stops = 0, step;
	pthread_t rt;

	CHECK_EQ(uxdp_map_create(test_instance, &d, &m), 0);
	if (!m)
		return;
	reader_stop = reader_ready = 0;
	if (s->as_cpu1_under_reader) {
		CHECK_EQ(pthread_create(&rt, NULL, reader, NULL), 0);
		while (!__atomic_load_n(&reader_ready, __ATOMIC_ACQUIRE))
			sched_yield();
	}
	for (step = 1; step < 100000; step++) {
		int status = 0;
		pid_t pid;

		alarm(30);
		s->fill(m);
		alarm(0);
		pid = fork();
		if (pid == 0) {
			struct uxdp_map *cm = NULL;

			alarm(30);
			if (uxdp_map_open(test_instance, s->name, &cm))
				_exit(2);
			if (s->as_cpu1_under_reader)
				uxdp_this_cpu = 1;
			uxdp_fault_arm(step);
			s->change(cm);
			_exit(0);
		}
		CHECK(pid > 0);
		if (pid <= 0)
			break;
		if (killed_at_stop(pid, &status)) {
			stops++;
			checked(s, m);
			continue;
		}
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		checked(s, m); /* the complete run's result passes too */
		break;
	}
	if (s->as_cpu1_under_reader) {
		__atomic_store_n(&reader_stop, 1, __ATOMIC_RELEASE);
		pthread_join(rt, NULL);
	}
	uxdp_map_health(m, &forced, &recoveries);
	printf("%s: %d steps, killed at each, %llu lock take-overs, %llu forced reuses\n", s->name,
	       stops, (unsigned long long)recoveries, (unsigned long long)forced);
	CHECK(stops >= 3);           /* the test reached inside the updates */
	CHECK(recoveries >= 1);      /* and some kill left the lock held */
	uxdp_map_close(m);
}

/* A child that opens map name, runs step(), and stops at fault point n (0: none). */
static pid_t child(const char *name, long n, void (*step)(struct uxdp_map *m))
{
	pid_t pid = fork();

	if (pid == 0) {
		struct uxdp_map *cm = NULL;

		alarm(30);
		if (uxdp_map_open(test_instance, name, &cm))
			_exit(2);
		uxdp_fault_arm(n);
		step(cm);
		_exit(0);
	}
	CHECK(pid > 0);
	return pid;
}

static void delete_key7(struct uxdp_map *m)
{
	uint32_t k = 7;

	uxdp_map_delete_elem(m, &k);
}

/*
 * A delete killed right after its unlink, before the element is stamped
 * and freed: the element stays in use in no chain, and the eviction that
 * takes it (uxdp_hash_lru_unlink()) must stamp it then, or it keeps the
 * stamp of an earlier life (0 here, never used before) and is reused at
 * once under any reader that found it before the unlink.  The child is
 * stopped at each step of the delete until the key is gone unstamped.
 */
static void test_repair_stamps(void)
{
	struct uxdp_map_def d = {
		.sz = sizeof(d), .name = "restamp", .type = BPF_MAP_TYPE_LRU_HASH,
		.key_size = 4, .value_size = 8, .max_entries = MAX, .ncpus = 2,
	};
	struct uxdp_map *m = NULL;
	uint32_t x = 0, k = 7;
	uint64_t before;
	int status = 0;
	long n;

	CHECK_EQ(uxdp_map_create(test_instance, &d, &m), 0);
	if (!m)
		return;
	for (uint32_t i = 0; i < MAX / 2; i++)
		put(m, i, i * 10);
	x = hash_find_link(m, &k, 4, hash_key(&k, 4, m->hash_seed));
	CHECK(x != 0);
	if (!x)
		return;
	for (n = 1; n < 20; n++) {
		CHECK(killed_at_stop(child("restamp", n, delete_key7), &status));
		if (uxdp_map_lookup_elem_copy(m, &k, &(uint64_t){ 0 }) == -ENOENT)
			break;
	}
	CHECK_EQ(elem(m, x)->freed, 0); /* stopped between the unlink and the stamp */
	before = __atomic_load_n(&m->inst->shm->epoch, __ATOMIC_SEQ_CST);
	/*
	 * New keys, one at a time, until the element leaves the global lists:
	 * evicted then, and not yet evicted again from a chain (which would
	 * stamp it whatever the eviction of an element in no chain does).
	 */
	for (uint32_t i = 0; i < 3 * MAX && uxdp_lru_guard(m, x) == m->ncpus; i++)
		put(m, 2000 + i, i);
	CHECK(uxdp_lru_guard(m, x) != m->ncpus);
	CHECK(elem(m, x)->freed >= before);
	uxdp_map_close(m);
}

/* Dies holding shard 0's lock with an element taken and in no chain. */
static void die_holding_shard(struct uxdp_map *m)
{
	if (uxdp_hash_shard_lock(m, 0) || !uxdp_hash_take(m, 0, false))
		_exit(3);
}

static void take_shard(struct uxdp_map *m)
{
	if (uxdp_hash_shard_lock(m, 0) == 0)
		uxdp_hash_shard_unlock(m, 0);
}

/*
 * A shard's repair killed half way is repaired again: a child dies holding
 * shard 0's lock with an element taken, a second child takes the lock over
 * and is killed at step n of its repair, and the parent's check (which
 * takes every shard lock, then fills the map) finds every element linked
 * or free once and exactly max_entries keys fitting.  For every n.
 */
static void test_repair_killed(void)
{
	struct uxdp_map_def d = {
		.sz = sizeof(d), .name = "rekill", .type = BPF_MAP_TYPE_HASH,
		.key_size = 4, .value_size = 8, .max_entries = MAX, .ncpus = 2,
	};
	struct uxdp_map *m = NULL;
	int status = 0, stops = 0;

	CHECK_EQ(uxdp_map_create(test_instance, &d, &m), 0);
	if (!m)
		return;
	hash_fill(m);
	for (long n = 1; n < 10000; n++) {
		pid_t pid = child("rekill", 0, die_holding_shard);

		waitpid(pid, &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		pid = child("rekill", n, take_shard);
		stops += killed_at_stop(pid, &status);
		checked(&scenarios[0], m); /* hash_check() */
		if (WIFEXITED(status))
			break;
	}
	printf("rekill: repair killed at each of %d steps\n", stops);
	CHECK(stops >= 10); /* the repair's pushes were reached */
	uxdp_map_close(m);
}

int main(void)
{
	test_begin("robust");
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		run(&scenarios[i]);
	test_repair_stamps();
	test_repair_killed();
	return test_end();
}
