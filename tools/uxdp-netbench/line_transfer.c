// SPDX-License-Identifier: MIT
/*
 * line_transfer.c - how long one cache line takes to go from one CPU to
 * another on this machine: two threads, pinned to CPUs A and B, hand a
 * counter back and forth; half a round trip is printed in ns.
 *
 *   uxdp-line-transfer [A B]      (default: CPUs 0 and 1)
 *
 * scaling.sh prints it beside each round: a program whose workers write a
 * shared line (a rate table's per-source counters that two queues' packets
 * both count in) pays this on every such packet, so its two-lcore rate
 * follows it, where a program without shared writes does not.  On bare
 * metal it is tens of ns between cores of one die; a VM's vCPUs may sit on
 * different dies or sockets of the host, and move.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HANDOVERS 200000u

/* The counter alone on its line: nothing else moves with it. */
static struct {
	_Alignas(64) uint64_t value;
	uint8_t pad[64 - sizeof(uint64_t)];
} baton;

static void wait_for(uint64_t v)
{
	while (__atomic_load_n(&baton.value, __ATOMIC_ACQUIRE) != v)
		__builtin_ia32_pause();
}

/* Waits for odd values, answers with the next even one. */
static void *responder(void *arg)
{
	(void)arg;
	for (uint64_t i = 1; i <= HANDOVERS; i++) {
		wait_for(2 * i - 1);
		__atomic_store_n(&baton.value, 2 * i, __ATOMIC_RELEASE);
	}
	return NULL;
}

static bool parse_cpu(const char *s, int *cpu)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v >= CPU_SETSIZE)
		return false;
	*cpu = (int)v;
	return true;
}

int main(int argc, char **argv)
{
	int a = 0, b = 1, err;
	struct timespec t0, t1;
	pthread_attr_t attr;
	cpu_set_t set;
	pthread_t t;

	if ((argc != 1 && argc != 3) || (argc == 3 && (!parse_cpu(argv[1], &a) || !parse_cpu(argv[2], &b)))) {
		fprintf(stderr, "usage: uxdp-line-transfer [CPU_A CPU_B]\n");
		return 2;
	}
	if (a == b) { /* the two would take turns on one CPU, a time slice per handover */
		fprintf(stderr, "uxdp-line-transfer: needs two different CPUs\n");
		return 2;
	}
	CPU_ZERO(&set);
	CPU_SET(a, &set);
	err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (err) {
		fprintf(stderr, "uxdp-line-transfer: CPU %d: %s\n", a, strerror(err));
		return 1;
	}
	/* The responder is pinned at creation, so a CPU it cannot have fails here, not in a spin. */
	CPU_ZERO(&set);
	CPU_SET(b, &set);
	err = pthread_attr_init(&attr);
	if (!err)
		err = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	if (!err)
		err = pthread_create(&t, &attr, responder, NULL);
	if (err) {
		fprintf(stderr, "uxdp-line-transfer: CPU %d: %s\n", b, strerror(err));
		return 1;
	}
	pthread_attr_destroy(&attr);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint64_t i = 1; i <= HANDOVERS; i++) {
		__atomic_store_n(&baton.value, 2 * i - 1, __ATOMIC_RELEASE);
		wait_for(2 * i);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_join(t, NULL);
	printf("%.0f\n", ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) /
				 HANDOVERS / 2);
	return 0;
}
