// SPDX-License-Identifier: MIT
/*
 * datapath.c - the data plane object: ports and their programs, workers
 * and their batches, starting and stopping (uxdp/datapath.h).
 */
#include <errno.h>
#include <linux/membarrier.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <uxdp/datapath.h>
#include <uxdp/map.h>
#include <uxdp/opts_import.h>
#include <uxdp/xsk_ring.h>

#include "datapath_internal.h"

double uxdp_dp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int membarrier(int cmd)
{
	return syscall(__NR_membarrier, cmd, 0, 0);
}

/* A detached port: every frame goes to the stack, as without an XDP program. */
static uint64_t pass_all(struct uxdp_ctx *ctx)
{
	return UXDP_PASS;
}

const struct uxdp_program uxdp_dp_no_program = {
	.name = "(none)", .section = "", .object = "", .type = UXDP_PROG_XDP, .fn = pass_all,
};

int uxdp_dp_create(const struct uxdp_dp_opts *opts, struct uxdp_dp **out)
{
	size_t size = UXDP_DP_MAX_WORKERS * sizeof(struct uxdp_dp_worker);
	struct uxdp_dp_opts o = { .sz = sizeof(o) };
	struct uxdp_dp *dp;
	int err;

	/* A newer caller's fields this library does not know must be unset (uxdp/opts.h). */
	if (opts && (err = UXDP_OPTS_IMPORT(&o, opts)))
		return err;
	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
	dp->w = aligned_alloc(64, size);
	if (!dp->w || sem_init(&dp->wake, 0, 0)) {
		free(dp->w);
		free(dp);
		return -ENOMEM;
	}
	memset(dp->w, 0, size);
	dp->o = o;
	if (!dp->o.stop_timeout_ms)
		dp->o.stop_timeout_ms = 1000;
	/* uxdp_dp_synchronize() uses it; workers then need no fence per batch. */
	dp->membarrier = !membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED);
	*out = dp;
	return 0;
}

void uxdp_dp_destroy(struct uxdp_dp *dp)
{
	if (!dp)
		return;
	sem_destroy(&dp->wake);
	free(dp->w);
	free(dp);
}

int uxdp_dp_add_port(struct uxdp_dp *dp, uint32_t ifindex)
{
	if (dp->nports == UXDP_DP_MAX_PORTS)
		return -E2BIG;
	dp->port[dp->nports].ifindex = ifindex;
	dp->port[dp->nports].prog = NULL;
	return dp->nports++;
}

unsigned int uxdp_dp_ports(const struct uxdp_dp *dp)
{
	return dp->nports;
}

uint32_t uxdp_dp_port_ifindex(const struct uxdp_dp *dp, unsigned int port)
{
	return port < dp->nports ? dp->port[port].ifindex : 0;
}

int uxdp_dp_set_workers(struct uxdp_dp *dp, unsigned int n)
{
	unsigned int i;

	if (!n || n > UXDP_DP_MAX_WORKERS)
		return -EINVAL;
	if (dp->started)
		return -EBUSY;
	for (i = 0; i < n; i++) {
		struct uxdp_dp_worker *w = &dp->w[i];

		memset(w, 0, sizeof(*w));
		uxdp_worker_init(&w->uw, i);
		/* A stop that came before the workers existed still counts. */
		w->uw.stop = __atomic_load_n(&dp->stop, __ATOMIC_ACQUIRE);
		w->dp = dp;
		w->ctx.worker = &w->uw;
		w->ctx.rx_queue_index = i;
		w->prog = &uxdp_dp_no_program;
		w->ports = dp->port;
		w->fn = pass_all;
	}
	dp->nworkers = n;
	return 0;
}

unsigned int uxdp_dp_workers(const struct uxdp_dp *dp)
{
	return dp->nworkers;
}

struct uxdp_dp_worker *uxdp_dp_worker(struct uxdp_dp *dp, unsigned int i)
{
	return i < dp->nworkers ? &dp->w[i] : NULL;
}

void uxdp_dp_worker_set_queue(struct uxdp_dp_worker *w, uint32_t queue)
{
	w->ctx.rx_queue_index = queue;
}

const struct uxdp_program *uxdp_dp_attach(struct uxdp_dp *dp, unsigned int port,
					  const struct uxdp_program *prog)
{
	if (port >= dp->nports)
		return NULL;
	return __atomic_exchange_n(&dp->port[port].prog, prog, __ATOMIC_ACQ_REL);
}

static void sleep_us(long us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

/*
 * A worker marks a batch (odd count) and then reads the program pointer,
 * with no fence between: the barrier membarrier(2) runs on every thread of
 * the process makes that order visible.  After it, a worker either shows
 * an odd count that it must move past, or reads the new pointer.
 */
int uxdp_dp_synchronize(struct uxdp_dp *dp, unsigned int timeout_ms)
{
	uint64_t seen[UXDP_DP_MAX_WORKERS];
	double deadline = uxdp_dp_now() + timeout_ms / 1e3;
	unsigned int i;

	if (!dp->membarrier || membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED))
		return -ENOSYS;
	for (i = 0; i < dp->nworkers; i++)
		seen[i] = __atomic_load_n(&dp->w[i].shared.batches, __ATOMIC_ACQUIRE);
	for (i = 0; i < dp->nworkers; i++) {
		while ((seen[i] & 1) &&
		       __atomic_load_n(&dp->w[i].shared.batches, __ATOMIC_ACQUIRE) == seen[i]) {
			if (uxdp_dp_now() > deadline)
				return -ETIMEDOUT;
			sleep_us(50);
		}
	}
	return 0;
}

int uxdp_dp_start(struct uxdp_dp *dp)
{
	int ret;

	dp->start = uxdp_dp_now();
	dp->rates_last = dp->start;
	ret = -pthread_create(&dp->control, NULL, uxdp_dp_control_main, dp);
	if (ret)
		return ret;
	dp->started = true;
	return 0;
}

void uxdp_dp_stop(struct uxdp_dp *dp)
{
	unsigned int i;

	__atomic_store_n(&dp->stop, 1, __ATOMIC_RELEASE);
	/* All slots, not just nworkers: it may be changing under a signal handler. */
	for (i = 0; i < UXDP_DP_MAX_WORKERS; i++)
		__atomic_store_n(&dp->w[i].uw.stop, 1, __ATOMIC_RELAXED);
	sem_post(&dp->wake);
}

const char *uxdp_dp_failure(const struct uxdp_dp *dp)
{
	return dp->failure[0] ? dp->failure : NULL;
}

bool uxdp_dp_stop_requested(const struct uxdp_dp *dp)
{
	return __atomic_load_n(&dp->stop, __ATOMIC_ACQUIRE) != 0;
}

void uxdp_dp_wait_stop(const struct uxdp_dp *dp)
{
	while (!uxdp_dp_stop_requested(dp))
		sleep_us(50 * 1000);
}

double uxdp_dp_seconds(const struct uxdp_dp *dp)
{
	if (!dp->start)
		return 0;
	return (dp->end ? dp->end : uxdp_dp_now()) - dp->start;
}

#define N_COUNTERS (sizeof(struct uxdp_dp_counters) / sizeof(uint64_t))

/* What the worker counted since its last flush goes to its program's counters. */
static void add_to_program(struct uxdp_dp_worker *w)
{
	uint64_t *to = (uint64_t *)w->prog->counters;
	const uint64_t *now = (const uint64_t *)&w->cnt.v, *then = (const uint64_t *)&w->shared.cnt.v;
	size_t i;

	for (i = 0; i < sizeof(struct uxdp_stats) / sizeof(uint64_t); i++)
		if (now[i] != then[i])
			__atomic_fetch_add(&to[i], now[i] - then[i], __ATOMIC_RELAXED);
}

/* Unrolled: a load and a store per counter. */
void uxdp_dp_flush(struct uxdp_dp_worker *w)
{
	const uint64_t *from = (const uint64_t *)&w->cnt;
	uint64_t *to = (uint64_t *)&w->shared.cnt;
	size_t i;

	if (w->prog && w->prog->counters)
		add_to_program(w);
#pragma GCC unroll 16
	for (i = 0; i < N_COUNTERS; i++)
		__atomic_store_n(&to[i], from[i], __ATOMIC_RELAXED);
	w->unflushed = 0;
}

void uxdp_dp_worker_enter(struct uxdp_dp_worker *w)
{
	uxdp_worker_set_current(&w->uw);
	uxdp_this_cpu = w->uw.index;
	__atomic_store_n(&w->shared.state, UXDP_DP_WORKER_RUNNING, __ATOMIC_RELEASE);
}

void uxdp_dp_worker_leave(struct uxdp_dp_worker *w)
{
	uxdp_dp_flush(w);
	uxdp_xsk_cache_close(&w->xsk);
	uxdp_worker_set_current(NULL);
	__atomic_store_n(&w->shared.state, UXDP_DP_WORKER_DONE, __ATOMIC_RELEASE);
}
