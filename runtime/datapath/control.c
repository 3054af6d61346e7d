// SPDX-License-Identifier: MIT
/*
 * control.c - the data plane's control thread and its counters: publishing
 * the sums for `uxdpctl stats`, the once-a-second tick, the final report,
 * and watching that workers stop when asked.
 */
#define _GNU_SOURCE /* sem_clockwait */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uxdp/datapath.h>

#include <uxdp/map.h>

#include "datapath_internal.h"

#define CONTROL_PERIOD_MS 100

_Static_assert(sizeof(struct uxdp_dp_counters) % sizeof(uint64_t) == 0,
	       "counters are copied as an array of u64");

void uxdp_dp_snapshot(struct uxdp_dp_counters *to, const struct uxdp_dp_counters *from)
{
	const uint64_t *f = (const uint64_t *)from;
	uint64_t *t = (uint64_t *)to;
	size_t i;

	for (i = 0; i < sizeof(*to) / sizeof(uint64_t); i++)
		t[i] = __atomic_load_n(&f[i], __ATOMIC_RELAXED);
}

void uxdp_dp_sum(const struct uxdp_dp *dp, struct uxdp_dp_counters *sum)
{
	struct uxdp_dp_counters cur;
	uint64_t *s = (uint64_t *)sum;
	const uint64_t *c = (const uint64_t *)&cur;
	unsigned int i;
	size_t k;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < dp->nworkers; i++) {
		uxdp_dp_snapshot(&cur, &dp->w[i].shared.cnt);
		for (k = 0; k < sizeof(cur) / sizeof(uint64_t); k++)
			s[k] += c[k];
	}
}

static void publish(const struct uxdp_dp *dp)
{
	struct uxdp_dp_counters sum;
	unsigned int v;

	if (!dp->o.publish)
		return;
	uxdp_dp_sum(dp, &sum);
	for (v = 0; v < UXDP_N_VERDICTS; v++) {
		__atomic_store_n(&dp->o.publish->packets[v], sum.v.packets[v], __ATOMIC_RELAXED);
		__atomic_store_n(&dp->o.publish->bytes[v], sum.v.bytes[v], __ATOMIC_RELAXED);
	}
}

/* A worker that is neither done nor idle after the stop request. */
static bool any_running(const struct uxdp_dp *dp)
{
	unsigned int i;

	for (i = 0; i < dp->nworkers; i++)
		if (__atomic_load_n(&dp->w[i].shared.state, __ATOMIC_ACQUIRE) ==
		    UXDP_DP_WORKER_RUNNING)
			return true;
	return false;
}

/*
 * A worker stuck in a program has not flushed the packets of its batch
 * that were done before it; nor will it, so take them (it does not touch
 * its counters while the program runs).
 */
static void flush_stuck(struct uxdp_dp *dp)
{
	struct uxdp_dp_counters cur;
	unsigned int i;
	size_t k;

	for (i = 0; i < dp->nworkers; i++) {
		struct uxdp_dp_worker *w = &dp->w[i];

		if (__atomic_load_n(&w->shared.state, __ATOMIC_ACQUIRE) != UXDP_DP_WORKER_RUNNING ||
		    !(__atomic_load_n(&w->shared.batches, __ATOMIC_ACQUIRE) & 1))
			continue;
		uxdp_dp_snapshot(&cur, &w->cnt);
		for (k = 0; k < sizeof(cur) / sizeof(uint64_t); k++)
			__atomic_store_n((uint64_t *)&w->shared.cnt + k, ((uint64_t *)&cur)[k],
					 __ATOMIC_RELAXED);
	}
}

static void wait_period(struct uxdp_dp *dp)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += CONTROL_PERIOD_MS * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while (sem_clockwait(&dp->wake, CLOCK_MONOTONIC, &ts) && errno == EINTR)
		;
}

/*
 * A map segment shrank under the running process (its owner truncated it):
 * the SIGBUS guard gave the program zero pages to read; stop the data plane
 * with the reason rather than run on emptied maps.
 */
static void check_segments(struct uxdp_dp *dp)
{
	const char *broken = uxdp_map_broken_segment();

	if (!broken || dp->failure[0])
		return;
	snprintf(dp->failure, sizeof(dp->failure),
		 "the shared-memory segment %s shrank under the running data plane "
		 "(truncated by its owner?): stopped",
		 broken);
	uxdp_dp_stop(dp);
}

/*
 * Every 100 ms: publish the counters, tick once a second, and once a stop
 * was asked for, give the workers stop_timeout_ms before calling on_stuck.
 */
void *uxdp_dp_control_main(void *arg)
{
	struct uxdp_dp *dp = arg;
	double last_tick = dp->start, stop_at = 0, now;
	bool reported = false;

	while (!__atomic_load_n(&dp->finished, __ATOMIC_ACQUIRE)) {
		wait_period(dp);
		if (__atomic_load_n(&dp->finished, __ATOMIC_ACQUIRE))
			break;
		now = uxdp_dp_now();
		publish(dp);
		check_segments(dp);
		if (dp->o.tick && now - last_tick >= 1.0) {
			dp->o.tick(dp, now - dp->start, dp->o.tick_arg);
			last_tick = now;
		}
		if (!uxdp_dp_stop_requested(dp) || reported)
			continue;
		if (!stop_at)
			stop_at = now;
		if ((now - stop_at) * 1000 >= dp->o.stop_timeout_ms && any_running(dp)) {
			reported = true;
			flush_stuck(dp);
			publish(dp);
			if (dp->o.on_stuck)
				dp->o.on_stuck(dp, dp->o.stuck_arg);
		}
	}
	return NULL;
}

void uxdp_dp_finish(struct uxdp_dp *dp)
{
	if (dp->started) {
		__atomic_store_n(&dp->finished, true, __ATOMIC_RELEASE);
		sem_post(&dp->wake);
		pthread_join(dp->control, NULL);
		dp->started = false;
	}
	if (!dp->end)
		dp->end = uxdp_dp_now();
	publish(dp);
}

static void header(FILE *f)
{
	unsigned int v;

	fprintf(f, "%-8s", "worker");
	for (v = 0; v < UXDP_N_VERDICTS; v++)
		fprintf(f, " %13s", uxdp_verdict_name(v));
	fputc('\n', f);
}

/* The same line for every driver: the summed counters' increase since the last one. */
void uxdp_dp_print_rates(struct uxdp_dp *dp, FILE *f)
{
	double now = uxdp_dp_now(), dt = now - dp->rates_last;
	struct uxdp_dp_counters sum;
	struct uxdp_stats d;
	unsigned int v;

	if (dt <= 0)
		return;
	uxdp_dp_sum(dp, &sum);
	for (v = 0; v < UXDP_N_VERDICTS; v++) {
		d.packets[v] = sum.v.packets[v] - dp->rates_prev.packets[v];
		d.bytes[v] = sum.v.bytes[v] - dp->rates_prev.bytes[v];
	}
	uxdp_stats_print_rate(f, now - dp->start, &d, dt);
	dp->rates_prev = sum.v;
	dp->rates_last = now;
}

void uxdp_dp_print_final(const struct uxdp_dp *dp, FILE *f)
{
	struct uxdp_dp_counters sum, cur;
	unsigned int i, v;

	uxdp_dp_sum(dp, &sum);
	uxdp_stats_print(f, &sum.v, uxdp_dp_seconds(dp));
	fprintf(f, "tx dropped (ring full or no target): %llu, from the TAP: %llu\n",
		(unsigned long long)sum.tx_drop, (unsigned long long)sum.tap_out);
	if (sum.redirect_xsk || sum.redirect_cpu)
		fprintf(f, "redirected to xskmap rings: %llu (dropped %llu), to cpumap (passed): %llu\n",
			(unsigned long long)sum.redirect_xsk, (unsigned long long)sum.xsk_drop,
			(unsigned long long)sum.redirect_cpu);
	if (dp->nworkers > 1) {
		fprintf(f, "packets per worker\n");
		header(f);
		for (i = 0; i < dp->nworkers; i++) {
			uxdp_dp_snapshot(&cur, &dp->w[i].shared.cnt);
			fprintf(f, "%-8u", i);
			for (v = 0; v < UXDP_N_VERDICTS; v++)
				fprintf(f, " %13llu", (unsigned long long)cur.v.packets[v]);
			fputc('\n', f);
		}
	}
	fflush(f);
}

void uxdp_dp_print_stuck(const struct uxdp_dp *dp, FILE *f)
{
	unsigned int i;

	for (i = 0; i < dp->nworkers; i++) {
		const struct uxdp_dp_worker *w = &dp->w[i];
		const struct uxdp_program *p;

		if (__atomic_load_n(&w->shared.state, __ATOMIC_ACQUIRE) != UXDP_DP_WORKER_RUNNING)
			continue;
		/* Odd: inside a batch, so in the program (or a helper it called). */
		if (!(__atomic_load_n(&w->shared.batches, __ATOMIC_ACQUIRE) & 1)) {
			fprintf(f, "uxdp: worker %u did not stop within %u ms (in the driver)\n", i,
				dp->o.stop_timeout_ms);
			continue;
		}
		p = __atomic_load_n(&w->prog, __ATOMIC_RELAXED);
		fprintf(f, "uxdp: worker %u did not stop within %u ms: stuck in program %s "
			   "(section %s of %s) on a packet from ifindex %u\n",
			i, dp->o.stop_timeout_ms, p->name, p->section ? p->section : "?",
			p->object ? p->object : "?", w->ctx.ingress_ifindex);
	}
	fflush(f);
}
