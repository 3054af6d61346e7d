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
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define HANDOVERS 200000u

static _Alignas(64) volatile uint64_t baton;

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static bool allowed(int cpu)
{
	cpu_set_t set;

	return cpu >= 0 && cpu < CPU_SETSIZE && !sched_getaffinity(0, sizeof(set), &set) &&
	       CPU_ISSET(cpu, &set);
}

/* Waits for odd values, answers with the next even one. */
static void *responder(void *arg)
{
	if (pin((int)(intptr_t)arg))
		return (void *)1;
	for (uint64_t i = 1; i <= HANDOVERS; i++) {
		while (baton != 2 * i - 1)
			;
		baton = 2 * i;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int a = argc > 2 ? atoi(argv[1]) : 0, b = argc > 2 ? atoi(argv[2]) : 1;
	struct timespec t0, t1;
	void *failed = NULL;
	pthread_t t;
	double ns;

	if (a == b) { /* the two would take turns on one CPU, a time slice per handover */
		fprintf(stderr, "uxdp-line-transfer: needs two different CPUs\n");
		return 2;
	}
	if (!allowed(a) || !allowed(b)) {
		fprintf(stderr, "uxdp-line-transfer: CPU %d or %d is not one this process may use\n", a, b);
		return 2;
	}
	if (pin(a) || pthread_create(&t, NULL, responder, (void *)(intptr_t)b)) {
		fprintf(stderr, "uxdp-line-transfer: cannot run on CPUs %d and %d\n", a, b);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint64_t i = 1; i <= HANDOVERS; i++) {
		baton = 2 * i - 1;
		while (baton != 2 * i)
			;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_join(t, &failed);
	if (failed) {
		fprintf(stderr, "uxdp-line-transfer: cannot pin to CPU %d\n", b);
		return 1;
	}
	ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
	printf("%.0f\n", ns / HANDOVERS / 2);
	return 0;
}
