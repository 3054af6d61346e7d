/* SPDX-License-Identifier: MIT */
/*
 * driver.h - what every driver shares: verdict counters, and the pcap driver.
 *
 * A driver hands the program one packet at a time in a frame laid out as the
 * kernel's XDP test_run does (see uxdp/worker.h): UXDP_HEADROOM bytes of
 * headroom, the packet, then tailroom, in a UXDP_FRAME_SIZE-byte frame;
 * ctx->frame_end = data_hard_start + frame size, and the helpers keep the
 * last UXDP_XDP_TAILROOM bytes off limits, as the kernel does.
 */
#ifndef UXDP_DRIVER_H
#define UXDP_DRIVER_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include <uxdp/ctx.h>

#define UXDP_FRAME_SIZE 4096

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

/* "XDP_DROP", ...; v must be < UXDP_N_VERDICTS. */
const char *uxdp_verdict_name(unsigned int v);
/*
 * The verdict a program's return value means: its low 32 bits, and any
 * unknown action counts as XDP_ABORTED (the kernel's bpf_warn_invalid_xdp_action).
 */
enum uxdp_verdict uxdp_verdict_of(uint64_t r0);
/* Print the counters as a table; seconds > 0 adds a packets-per-second column. */
void uxdp_stats_print(FILE *f, const struct uxdp_stats *s, double seconds);

struct uxdp_pcap_opts {
	const char *in;        /* pcap file to read (required) */
	const char *out;       /* XDP_TX, and XDP_REDIRECT to a port (ifindex, devmap), or NULL */
	const char *pass_out;  /* XDP_PASS, and XDP_REDIRECT to a cpumap, or NULL */
	uint32_t ifindex;      /* ctx ingress_ifindex */
	uint32_t queue;        /* ctx rx_queue_index */
	uint64_t repeat;       /* times to run the whole capture; 0 means 1 */
	/* Called about once a second while running, or NULL. */
	void (*tick)(const struct uxdp_stats *s, double seconds, void *arg);
	void *tick_arg;
	/* Stop after the current packet once *stop is non-zero (a signal handler sets it). */
	const volatile sig_atomic_t *stop;
};

/*
 * Run fn over every packet of o->in, in order, o->repeat times, adding to
 * *stats.  Outputs get each packet as the program left it (data..data_end)
 * with its original timestamp, for every run.  The calling thread is worker 0,
 * with a fixed PRNG seed.  An XDP_REDIRECT without a target (no redirect
 * helper succeeded) is counted as XDP_REDIRECT but not written, since the
 * kernel would drop it.  A redirect to an xskmap slot goes to the slot's
 * shared-memory ring (uxdp/xsk_ring.h), with the packet's timestamp; one to
 * a cpumap entry goes to the network stack in the kernel, so here to
 * pass_out.  Both stay counted as XDP_REDIRECT, as the kernel counts them.
 */
int uxdp_pcap_run(uxdp_prog_fn fn, const struct uxdp_pcap_opts *o, struct uxdp_stats *stats,
		  char *err, size_t err_size);

#endif /* UXDP_DRIVER_H */
