/* SPDX-License-Identifier: MIT */
/*
 * bench.h - what the map benchmarks of this folder share: a thread runs
 * pinned to one CPU and plays that worker.  Include after defining
 * _GNU_SOURCE.
 */
#ifndef UXDP_MAPS_TESTS_BENCH_H
#define UXDP_MAPS_TESTS_BENCH_H

#include <pthread.h>
#include <sched.h>

#include <uxdp/map.h>

/* Pin the calling thread to cpu and make it that CPU's worker for per-CPU maps. */
static inline void bench_pin(unsigned int cpu)
{
	cpu_set_t cpus;

	CPU_ZERO(&cpus);
	CPU_SET(cpu, &cpus);
	pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	uxdp_this_cpu = cpu;
}

#endif /* UXDP_MAPS_TESTS_BENCH_H */
