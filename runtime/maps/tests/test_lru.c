// SPDX-License-Identifier: MIT
/*
 * LRU hash maps: a full map evicts instead of failing, and evicts the keys
 * Linux 6.18 would (test/diff/lru_evict checks that against the kernel).
 * Maps here have ncpus 4 (test.h) and all accesses run as worker 0, the
 * main thread, unless a test says otherwise.
 *
 * Common LRU, max_entries 4: every CPU refills its local free list with
 * target_free = max(4 / 4 / 2, 1) = 1 element at a time, so each insert
 * into a full map first flushes the previous insert (pending on CPU 0,
 * untouchable) to the inactive list, then evicts the inactive tail.  A
 * program lookup sets the reference bit; the next refill's rotation moves
 * that key to the active list, out of the eviction's way (control-plane
 * lookups do not count).  Expected, step by step:
 *   insert 1..4            lists: inactive 3 2 1, pending 4
 *   insert 5               flush 4, evict 1          -> {2,3,4,5}
 *   insert 6               flush 5, evict 2          -> {3,4,5,6}
 *   lookup 3 (program), insert 7
 *                          flush 6, 3 to active, evict 4 -> {3,5,6,7}
 *   update 5, BPF_EXIST:
 *     LRU_HASH takes an element before looking at the key: flush 7, evict
 *     the inactive tail, which is 5 itself, so the update fails with
 *     -ENOENT and 5 is gone; the unused element goes back to CPU 0's free
 *     list                                      -> {3,6,7}
 *     LRU_PERCPU_HASH takes none for BPF_EXIST and updates in place, which
 *     marks 5 referenced                       -> {3,5,6,7}
 *   insert 8   LRU_HASH: a free element, no eviction  -> {3,6,7,8}
 *              percpu: flush 7, 5 to active, evict 6  -> {3,5,7,8}
 *   delete 8 (still pending: its element goes back to the local free
 *   list), insert 9: no eviction
 *   insert 100..999: never fails; the inactive list never gets shorter than
 *   the active one, so the active keys (3; 3 and 5) are never looked at
 *   and stay, while the others go in insertion order.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lru.h"
#include "test.h"

static int present(struct uxdp_map *m, uint32_t k)
{
	uint64_t v[4];

	return uxdp_map_lookup_elem_copy(m, &k, v) == 0;
}

static int nkeys(struct uxdp_map *m)
{
	uint32_t cur, next;
	int n = 0;

	for (int rc = uxdp_map_get_next_key(m, NULL, &next); rc == 0 && n < 100;
	     rc = uxdp_map_get_next_key(m, &cur, &next)) {
		cur = next;
		n++;
	}
	return n;
}

static void test_common(uint32_t type, const char *name)
{
	struct uxdp_map *m = mk(name, type, 4, 8, 4, 0);
	bool percpu = type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	uint64_t v[4] = { 0 };
	uint32_t k;

	if (!m)
		return;
	for (k = 1; k <= 4; k++) {
		v[0] = k;
		CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_NOEXIST), 0);
	}
	k = 5;
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_ANY), 0);
	CHECK(!present(m, 1));
	CHECK(present(m, 2) && present(m, 3) && present(m, 4) && present(m, 5));
	k = 6;
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_ANY), 0);
	CHECK(!present(m, 2));
	k = 3;
	CHECK(uxdp_map_lookup(m, &k) != NULL);
	k = 7;
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_ANY), 0);
	CHECK(!present(m, 4));
	CHECK(present(m, 3) && present(m, 5) && present(m, 6) && present(m, 7));

	k = 5;
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_EXIST), percpu ? 0 : -ENOENT);
	CHECK_EQ(present(m, 5), percpu);
	CHECK_EQ(nkeys(m), percpu ? 4 : 3);
	k = 8;
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_ANY), 0);
	CHECK_EQ(present(m, 5), percpu);
	CHECK_EQ(present(m, 6), !percpu);
	CHECK(present(m, 3) && present(m, 7) && present(m, 8));

	CHECK_EQ(uxdp_map_delete_elem(m, &k), 0);
	CHECK_EQ(uxdp_map_delete_elem(m, &k), -ENOENT);
	k = 9;
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_ANY), 0);
	CHECK(present(m, 9) && present(m, 3) && present(m, 7));
	CHECK_EQ(nkeys(m), 4);

	for (k = 100; k < 1000; k++)
		CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_ANY), 0);
	CHECK(present(m, 3) && present(m, 998) && present(m, 999));
	CHECK_EQ(present(m, 5), percpu);
	CHECK_EQ(present(m, 997), !percpu);
	CHECK_EQ(nkeys(m), 4);
	/* the kernel's LRU update refuses BPF_F_LOCK, and unknown flags */
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_F_LOCK), -EINVAL);
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, 3), -EINVAL);
	uxdp_map_close(m);
}

/*
 * BPF_F_NO_COMMON_LRU, max_entries 6 and 4 CPUs: rounded up to 8, two
 * elements per CPU, and a CPU only ever evicts its own.  With no free
 * element a CPU shrinks its inactive list by up to 4 at once, so a third
 * insert on CPU 0 evicts both earlier keys of CPU 0.
 */
static void test_no_common(uint32_t type, const char *name)
{
	struct uxdp_map *m = mk(name, type, 4, 8, 6, BPF_F_NO_COMMON_LRU);
	uint64_t v[4] = { 0 };
	uint32_t k;

	if (!m)
		return;
	for (k = 1; k <= 2; k++)
		CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_ANY), 0);
	k = 3;
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_ANY), 0);
	CHECK(!present(m, 1) && !present(m, 2) && present(m, 3));
	uxdp_this_cpu = 1;
	for (k = 10; k <= 11; k++)
		CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_ANY), 0);
	CHECK(present(m, 3) && present(m, 10) && present(m, 11));
	/* a program lookup on CPU 1 saves 10 from CPU 1's next shrink */
	k = 10;
	CHECK(uxdp_map_lookup(m, &k) != NULL);
	k = 12;
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_ANY), 0);
	CHECK(present(m, 3) && present(m, 10) && !present(m, 11) && present(m, 12));
	uxdp_this_cpu = 0;
	CHECK_EQ(nkeys(m), 3);
	uxdp_map_close(m);
}

/*
 * Per-CPU lists: an LRU_PERCPU_HASH update with BPF_EXIST writes the key's
 * values in place under its bucket's lock alone, as a program counting per
 * flow does on every packet; it must not take its CPU's lock (held here by
 * this very thread, which would make taking it fail with -EDEADLK).  It
 * still marks the key referenced and still refuses a missing key.
 */
static void test_exist_in_place(void)
{
	struct uxdp_map *m = mk("lrupcin", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 8,
				BPF_F_NO_COMMON_LRU);
	uint64_t v[4] = { 1, 2, 3, 4 }, out[4] = { 0 };
	uint32_t k = 5;

	if (!m)
		return;
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_ANY), 0);
	CHECK_EQ(uxdp_lru_lock(m, 0), 0);
	v[0] = 9;
	CHECK_EQ(uxdp_map_update(m, &k, v, BPF_EXIST), 0); /* CPU 0's value */
	k = 6;
	CHECK_EQ(uxdp_map_update(m, &k, v, BPF_EXIST), -ENOENT);
	uxdp_lru_unlock(m, 0);
	k = 5;
	CHECK_EQ(uxdp_map_lookup_elem_copy(m, &k, out), 0);
	CHECK(out[0] == 9 && out[1] == 2 && out[3] == 4);
	uxdp_map_close(m);
}

/*
 * The steal, common lists: three CPUs, two elements (target_free 1).  CPUs
 * 1 and 2 each take one and keep its key pending; CPU 0's insert then finds
 * its own and the global lists empty and steals, from its next_steal on
 * (itself, then CPU 1), the oldest unreferenced pending element: CPU 1's
 * key goes, as in bpf_common_lru_pop_free().  A victim whose lock is held
 * is only tried (lru.h): with both held the insert fails with -ENOMEM
 * after a few rounds, and with CPU 1's held CPU 2's key goes instead.
 */
static struct uxdp_map *steal_map(const char *name)
{
	struct uxdp_map *m = mk_cpus(name, BPF_MAP_TYPE_LRU_HASH, 4, 8, 2, 0, 3);
	uint64_t v = 1;

	for (uint32_t cpu = 1; m && cpu <= 2; cpu++) {
		uxdp_this_cpu = cpu;
		CHECK_EQ(uxdp_map_update_elem(m, &cpu, &v, BPF_ANY), 0);
	}
	uxdp_this_cpu = 0;
	return m;
}

/* Dies holding the locks of CPUs 1 and 2 (nobody waits for them: no worker runs there). */
static void die_holding(struct uxdp_map *m)
{
	if (uxdp_lru_lock(m, 1) || uxdp_lru_lock(m, 2))
		_exit(3);
	_exit(0);
}

/* The steal takes a dead holder's lock over in its last round, and repairs. */
static void test_steal_dead(void)
{
	struct uxdp_map *m = steal_map("lrusteald");
	uint64_t v = 3, recoveries = 0;
	uint8_t *seen;
	uint32_t k = 3;
	int status = 0;
	pid_t pid;

	if (!m)
		return;
	pid = fork();
	if (pid == 0)
		die_holding(m);
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0);
	CHECK_EQ(uxdp_map_update_elem(m, &k, &v, BPF_ANY), 0);
	CHECK(!present(m, 1) && present(m, 2) && present(m, 3));
	uxdp_map_health(m, NULL, &recoveries);
	CHECK_EQ(recoveries, 1);
	/* CPU 2's lock, still the dead child's, taken over too: then every list sound */
	CHECK_EQ(uxdp_lru_lock(m, 2), 0);
	uxdp_lru_unlock(m, 2);
	seen = calloc(1, m->n_pool / 8 + 1);
	CHECK(seen && uxdp_lru_audit(m, seen) == 0);
	free(seen);
	uxdp_map_close(m);
}

/*
 * A thread that takes CPUs 1 and 2's locks (step 1), lets CPU 2's go when
 * the main thread moves to step 2, and CPU 1's at step 3.
 */
static struct uxdp_map *holder_map;
static int step, step_done;

static void step_to(int n)
{
	__atomic_store_n(&step, n, __ATOMIC_RELEASE);
	while (__atomic_load_n(&step_done, __ATOMIC_ACQUIRE) != n)
		sched_yield();
}

static void wait_step(int n)
{
	while (__atomic_load_n(&step, __ATOMIC_ACQUIRE) != n)
		sched_yield();
}

static void *holder(void *arg)
{
	(void)arg;
	wait_step(1);
	CHECK_EQ(uxdp_lru_lock(holder_map, 1), 0);
	CHECK_EQ(uxdp_lru_lock(holder_map, 2), 0);
	__atomic_store_n(&step_done, 1, __ATOMIC_RELEASE);
	wait_step(2);
	uxdp_lru_unlock(holder_map, 2);
	__atomic_store_n(&step_done, 2, __ATOMIC_RELEASE);
	wait_step(3);
	uxdp_lru_unlock(holder_map, 1);
	__atomic_store_n(&step_done, 3, __ATOMIC_RELEASE);
	return NULL;
}

static void test_steal(void)
{
	struct uxdp_map *m = steal_map("lrusteal");
	uint64_t v = 3;
	uint32_t k = 3;
	pthread_t t;

	if (!m)
		return;
	CHECK_EQ(uxdp_map_update_elem(m, &k, &v, BPF_ANY), 0);
	CHECK(!present(m, 1) && present(m, 2) && present(m, 3));
	uxdp_map_close(m);

	m = steal_map("lrusteal1");
	if (!m)
		return;
	/* another thread holds CPUs 1 and 2's locks: a steal that waited would hang */
	holder_map = m;
	if (pthread_create(&t, NULL, holder, NULL)) {
		CHECK(!"pthread_create");
		uxdp_map_close(m);
		return;
	}
	step_to(1);
	CHECK_EQ(uxdp_map_update_elem(m, &k, &v, BPF_ANY), -ENOMEM);
	step_to(2); /* CPU 2's let go */
	CHECK_EQ(uxdp_map_update_elem(m, &k, &v, BPF_ANY), 0);
	CHECK(present(m, 1) && !present(m, 2) && present(m, 3));
	step_to(3);
	pthread_join(t, NULL);
	CHECK_EQ(nkeys(m), 2);
	uxdp_map_close(m);
}

int main(void)
{
	test_begin("lru");
	test_exist_in_place();
	test_steal();
	test_steal_dead();
	test_common(BPF_MAP_TYPE_LRU_HASH, "lru");
	test_common(BPF_MAP_TYPE_LRU_PERCPU_HASH, "lrupc");
	test_no_common(BPF_MAP_TYPE_LRU_HASH, "lrunc");
	test_no_common(BPF_MAP_TYPE_LRU_PERCPU_HASH, "lrupcnc");
	return test_end();
}
