// SPDX-License-Identifier: MIT
/*
 * worker.c - the helpers' per-worker state, and which worker the calling
 * thread is.
 *
 * Native only, never built into the helper bitcode (it is not in
 * runtime/helpers): a copy of the thread-locals below inlined into each
 * program would be a second, unconfigured instance.  Helpers reach them
 * through the out-of-line uxdp_worker_current().
 */
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <uxdp/clock.h>
#include <uxdp/worker.h>

static __thread struct uxdp_worker *current;
static __thread struct uxdp_worker fallback;
static __thread int fallback_ready;

void uxdp_worker_seed(struct uxdp_worker *w, uint64_t seed)
{
	/* Mixing in the index keeps workers seeded alike from drawing alike. */
	w->prng = seed ^ ((uint64_t)w->index * 0xd1b54a32d192ed03ull);
}

void uxdp_worker_init(struct uxdp_worker *w, uint32_t index)
{
	uint64_t seed;

	memset(w, 0, sizeof(*w));
	w->index = index;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed)) {
		/* Early boot without entropy: any varying seed will do. */
		seed = uxdp_monotonic_ns() ^ (uint64_t)(uintptr_t)w;
	}
	uxdp_worker_seed(w, seed);
	uxdp_redirect_clear(&w->redirect);
}

void uxdp_worker_set_current(struct uxdp_worker *w)
{
	current = w;
}

struct uxdp_worker *uxdp_worker_current(void)
{
	if (current)
		return current;
	if (!fallback_ready) {
		uxdp_worker_init(&fallback, 0);
		fallback_ready = 1;
	}
	return &fallback;
}

uint32_t uxdp_worker_cpu(void)
{
	return uxdp_worker_current()->index;
}
