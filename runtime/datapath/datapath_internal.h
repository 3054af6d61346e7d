/* SPDX-License-Identifier: MIT */
/*
 * datapath_internal.h - private to runtime/datapath: the data plane object.
 */
#ifndef UXDP_DATAPATH_INTERNAL_H
#define UXDP_DATAPATH_INTERNAL_H

#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>

#include <uxdp/datapath.h>

struct uxdp_dp {
	struct uxdp_dp_opts o;
	/* Every worker slot exists from the start, so that uxdp_dp_stop() can
	 * set all stop flags from a signal handler at any time. */
	struct uxdp_dp_worker *w;
	unsigned int nworkers, nports;
	struct uxdp_dp_port port[UXDP_DP_MAX_PORTS];
	volatile int stop;           /* uxdp_dp_stop() was called */
	char failure[192];           /* why the data plane stopped by itself, "" if it did not */
	bool started, finished, membarrier;
	double start, end;           /* CLOCK_MONOTONIC seconds */
	sem_t wake;                  /* posted by uxdp_dp_stop() and uxdp_dp_finish() */
	pthread_t control;
	/* uxdp_dp_print_rates(): the counters of the last line */
	double rates_last;
	struct uxdp_stats rates_prev;
};

double uxdp_dp_now(void);
/* XDP_REDIRECT: resolve the worker's redirect target; len is the frame's length now. */
enum uxdp_dp_action uxdp_dp_redirect(struct uxdp_dp_worker *w, uint32_t len);
/* The control thread (control.c). */
void *uxdp_dp_control_main(void *arg);
/* Relaxed loads of a worker's shared counters. */
void uxdp_dp_snapshot(struct uxdp_dp_counters *to, const struct uxdp_dp_counters *from);

#endif /* UXDP_DATAPATH_INTERNAL_H */
