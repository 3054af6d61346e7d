// SPDX-License-Identifier: MIT
/*
 * rlock.c - robust locks in shared memory (rlock.h).
 *
 * Test-and-test-and-set on the holder's token.  A waiter yields the CPU now
 * and then (a preempted holder on the same core must get to run) and, about
 * every millisecond of waiting, checks the holder's liveness, which costs a
 * read of /proc: never on the fast path.
 */
#include <errno.h>
#include <sched.h>

#include "map_internal.h"
#include "rlock.h"

#define SPINS_PER_YIELD 256u
#define YIELDS_PER_CHECK 16u

static int take_over(struct uxdp_inst *in, uint32_t *word, uint32_t held, uint32_t me)
{
	if (!uxdp_inst_token_dead(in, held))
		return -EBUSY;
	return __atomic_compare_exchange_n(word, &held, me, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED) ? 1 : -EBUSY;
}

int uxdp_rlock_try_free(struct uxdp_inst *in, uint32_t *word)
{
	uint32_t me = uxdp_inst_token(in), cur = 0;

	if (!me)
		return -EUSERS;
	if (__atomic_compare_exchange_n(word, &cur, me, false, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED))
		return 0;
	return cur == me ? -EDEADLK : -EBUSY;
}

int uxdp_rlock_acquire(struct uxdp_inst *in, uint32_t *word)
{
	uint32_t me = uxdp_inst_token(in), cur;
	unsigned int spins = 0, yields = 0;

	if (!me)
		return -EUSERS;
	for (;;) {
		cur = __atomic_load_n(word, __ATOMIC_RELAXED);
		if (!cur && __atomic_compare_exchange_n(word, &cur, me, false, __ATOMIC_ACQUIRE,
							__ATOMIC_RELAXED))
			return 0;
		if (cur == me)
			return -EDEADLK;
		uxdp_cpu_relax();
		if (++spins < SPINS_PER_YIELD)
			continue;
		spins = 0;
		sched_yield();
		if (++yields < YIELDS_PER_CHECK)
			continue;
		yields = 0;
		if (cur && take_over(in, word, cur, me) == 1)
			return 1;
	}
}

int uxdp_rlock_try_checked(struct uxdp_inst *in, uint32_t *word)
{
	int rc = uxdp_rlock_try_free(in, word);
	uint32_t held = __atomic_load_n(word, __ATOMIC_RELAXED);

	if (rc != -EBUSY)
		return rc;
	if (!held) /* let go between the two loads */
		return uxdp_rlock_try_free(in, word);
	return take_over(in, word, held, uxdp_inst_token(in));
}

void uxdp_rlock_release(uint32_t *word)
{
	__atomic_store_n(word, 0, __ATOMIC_RELEASE);
}
