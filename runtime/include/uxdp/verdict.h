/* SPDX-License-Identifier: MIT */
/*
 * verdict.h - XDP verdicts and the per-verdict counters every driver shows.
 *
 * The datapath (uxdp/datapath.h) turns a program's return value into a
 * verdict and counts it; drivers, uxdpctl and the shared-memory counters
 * (uxdp/stats_shm.h) only read the counters.
 */
#ifndef UXDP_VERDICT_H
#define UXDP_VERDICT_H

#include <stdint.h>
#include <stdio.h>

enum uxdp_verdict {
	UXDP_ABORTED = 0,
	UXDP_DROP = 1,
	UXDP_PASS = 2,
	UXDP_TX = 3,
	UXDP_REDIRECT = 4,
	UXDP_N_VERDICTS,
};

/* Per-verdict counters; bytes are the packets' lengths as received. */
struct uxdp_stats {
	uint64_t packets[UXDP_N_VERDICTS];
	uint64_t bytes[UXDP_N_VERDICTS];
};

/* "XDP_DROP", ...; "?" when v >= UXDP_N_VERDICTS. */
const char *uxdp_verdict_name(unsigned int v);
/*
 * The verdict a program's return value means: its low 32 bits, and any
 * unknown action counts as XDP_ABORTED (the kernel's bpf_warn_invalid_xdp_action).
 */
enum uxdp_verdict uxdp_verdict_of(uint64_t r0);
/* Print the counters as a table; seconds > 0 adds a packets-per-second column. */
void uxdp_stats_print(FILE *f, const struct uxdp_stats *s, double seconds);
/*
 * One progress line (--stats, once a second, every driver): elapsed seconds,
 * then the rates of the last dt seconds from d, the counters' increase:
 * "   3.0 s  14.48 Mpps  23.7 Gb/s  drop 3.19M/s pass 11.29M/s tx 0 redirect 0 aborted 0".
 */
void uxdp_stats_print_rate(FILE *f, double seconds, const struct uxdp_stats *d, double dt);

#endif /* UXDP_VERDICT_H */
