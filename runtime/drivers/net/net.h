/* SPDX-License-Identifier: MIT */
/*
 * net.h - what the AF_XDP and DPDK drivers share: per-worker counters and
 * their printing, the stop flag, the TAP exception interface, redirect
 * targets and list parsing.  Internal to the drivers.
 */
#ifndef UXDP_DRIVERS_NET_H
#define UXDP_DRIVERS_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <uxdp/driver.h>
#include <uxdp/net_driver.h>
#include <uxdp/worker.h>
#include <uxdp/xsk_ring.h>

#define UXDP_NET_BATCH 32

/*
 * One worker's counters.  Only its worker writes them, the stats thread
 * reads them: relaxed atomics keep that free of tearing at the cost of
 * plain moves.  Aligned so that workers do not share cache lines.
 */
struct uxdp_net_stats {
	struct uxdp_stats v;
	uint64_t tx_drop;   /* TX/REDIRECT frames with no room in the ring, or no target */
	uint64_t tap_out;   /* frames the kernel sent on the TAP, sent out of port 0 */
	/*
	 * XDP_REDIRECT by kind of target, beside the verdict counter (the
	 * shared-memory counters of stats_shm.h have no room for these).
	 */
	uint64_t redirect_xsk;  /* to an xskmap slot: copied to its ring */
	uint64_t xsk_drop;      /* ... and dropped: ring full, or no bound socket */
	uint64_t redirect_cpu;  /* to a cpumap entry: the XDP_PASS path */
} __attribute__((aligned(64)));

static inline void uxdp_net_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

static inline void uxdp_net_count(struct uxdp_net_stats *s, enum uxdp_verdict v, uint32_t len)
{
	uxdp_net_add(&s->v.packets[v], 1);
	uxdp_net_add(&s->v.bytes[v], len);
}

/*
 * uxdp_verdict_of() without the call: the drivers map r0 once per packet,
 * and the out-of-line version costs a call and a return on every one.
 */
static inline enum uxdp_verdict uxdp_net_verdict(uint64_t r0)
{
	uint32_t act = (uint32_t)r0;

	return __builtin_expect(act < UXDP_N_VERDICTS, 1) ? (enum uxdp_verdict)act : UXDP_ABORTED;
}

/*
 * Copy a worker's private, plain counters into its shared ones (relaxed
 * stores: the ticker, uxdp_net_publish() and the final print read them).
 * A worker that counts privately calls this every drain period and once
 * when it stops, so that readers lag by at most one period.
 */
static inline void uxdp_net_stats_flush(struct uxdp_net_stats *s, const struct uxdp_stats *mine)
{
	unsigned int v;

	for (v = 0; v < UXDP_N_VERDICTS; v++) {
		__atomic_store_n(&s->v.packets[v], mine->packets[v], __ATOMIC_RELAXED);
		__atomic_store_n(&s->v.bytes[v], mine->bytes[v], __ATOMIC_RELAXED);
	}
}

/* Set by SIGINT/SIGTERM; workers poll it between batches. */
extern volatile int uxdp_net_quit;
static inline bool uxdp_net_stopping(void)
{
	return __atomic_load_n(&uxdp_net_quit, __ATOMIC_RELAXED);
}
/* Install the SIGINT/SIGTERM handler that sets uxdp_net_quit. */
int uxdp_net_signals(void);

/* Once a second: per-worker, per-verdict packets per second since the last call. */
struct uxdp_net_ticker {
	double start, last;
	struct uxdp_stats prev[UXDP_NET_MAX_WORKERS];
};
void uxdp_net_ticker_init(struct uxdp_net_ticker *t);
/* Prints if a second has passed since the last line; cheap otherwise. */
void uxdp_net_tick(struct uxdp_net_ticker *t, const struct uxdp_net_stats *s, unsigned int n);
/* The final counters: totals, then one line per worker. */
void uxdp_net_print_final(FILE *f, const struct uxdp_net_stats *s, unsigned int n, double seconds);
double uxdp_net_now(void);
/* Sum the n workers' counters into to (relaxed stores: one writer, any readers). */
void uxdp_net_publish(struct uxdp_stats *to, const struct uxdp_net_stats *s, unsigned int n);

/*
 * Create (or attach to a persistent) TAP interface name, give it mac if
 * not NULL and bring it up.  Returns a non-blocking fd or -errno, with err
 * set.
 */
int uxdp_tap_open(const char *name, const uint8_t mac[6], char *err, size_t err_size);
/* Warn once, from whichever worker sees the first XDP_PASS without a TAP. */
void uxdp_net_warn_pass_once(void);

/* XDP_PASS: the frame to the TAP if there is one (tap_fd >= 0), else counted. */
void uxdp_net_pass(struct uxdp_net_stats *s, int tap_fd, const void *data, uint32_t len);

/*
 * XDP_REDIRECT to a target that is no port: an xskmap slot (the frame is
 * copied to the slot's ring, uxdp/xsk_ring.h) or a cpumap entry (the kernel
 * gives the frame to its stack: uxdp_net_pass()).  Returns true if r was
 * such a target; the frame is then done with and the caller recycles it.
 * xsk is the calling worker's own cache.
 */
bool uxdp_net_redirect_local(struct uxdp_net_stats *s, struct uxdp_xsk_cache *xsk, int tap_fd,
			     const struct uxdp_redirect *r, const void *data, uint32_t len);

/*
 * The ifindex an XDP_REDIRECT goes to: bpf_redirect()'s, or a devmap /
 * devmap_hash entry's.  -ENOENT without a target, -EOPNOTSUPP for xskmap and
 * cpumap targets, which have no port to go to (uxdp_net_redirect_local()).
 */
int uxdp_net_redirect_ifindex(const struct uxdp_redirect *r, uint32_t *ifindex);

/* "0-3,5" into out[] (ascending as written); returns the count or -EINVAL/-E2BIG. */
int uxdp_net_parse_list(const char *s, uint32_t *out, unsigned int max);

#endif /* UXDP_DRIVERS_NET_H */
