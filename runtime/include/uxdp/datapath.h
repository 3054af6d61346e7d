/* SPDX-License-Identifier: MIT */
/*
 * datapath.h - one data path for every driver.
 *
 * A packet reads driver -> datapath -> driver.  The drivers (pcap, AF_XDP,
 * DPDK) only move frames: they receive a burst on a port, hand each frame
 * to the datapath, and do what it answers: recycle the frame, send it out
 * of a port, or give it to the host's stack.  Everything in between is
 * here: the ctx the program sees, the program call, verdicts and their
 * counters, redirect targets (bpf_redirect, devmap, xskmap, cpumap), the
 * per-worker state the helpers read (uxdp/worker.h), the program attached
 * to each port, and stopping (signals, stuck programs).
 *
 *   struct uxdp_dp          one data plane: its ports, workers and control thread
 *   port                    an interface (ifindex) and the program attached to it
 *   struct uxdp_dp_worker   one worker thread: its ctx, counters, helper state
 *
 * A driver's worker thread:
 *
 *	struct uxdp_dp_worker *w = uxdp_dp_worker(dp, i);
 *
 *	uxdp_dp_worker_enter(w);
 *	while (!uxdp_dp_stopping(w)) {
 *		n = receive a burst on port p;   (nothing: uxdp_dp_idle(w), continue)
 *		uxdp_dp_batch_begin(w, p);
 *		for each frame:
 *			switch (uxdp_dp_run(w, hard_start, data, len, frame_end)) {
 *			case UXDP_DP_TX:   send uxdp_dp_data(w), uxdp_dp_len(w) bytes
 *					   out of port uxdp_dp_out_port(w); break;
 *			case UXDP_DP_PASS: give them to the host's stack; recycle; break;
 *			case UXDP_DP_RECYCLE: recycle;
 *			}
 *		uxdp_dp_batch_end(w);
 *	}
 *	uxdp_dp_worker_leave(w);
 *
 * Programs.  Each port has a program pointer (uxdp_dp_attach()).  A worker
 * reads it once per batch, in uxdp_dp_batch_begin(), and runs that program
 * for the whole batch, so replacing a program is publishing a new pointer
 * that every worker picks up between two batches: no packet sees half a
 * program.  uxdp_dp_synchronize() returns once no worker can still be
 * running a program it replaced; the old one may be closed after that.
 *
 * Batches.  uxdp_dp_batch_begin() and uxdp_dp_batch_end() bracket every
 * burst a worker processes.  Inside, the worker runs one program and may
 * hold pointers into maps; outside, it holds nothing (it is quiescent).
 * They are the single place where the workers call the map runtime's
 * epoch hooks, uxdp_map_epoch_enter() and uxdp_map_epoch_exit() (map.h).
 *
 * Counters.  A worker counts with plain increments in its own state and
 * copies them to its shared ones every UXDP_DP_FLUSH_BATCHES batches, when
 * it finds nothing to do (uxdp_dp_idle()) and when it leaves; the control
 * thread and uxdp_dp_sum() read those.  So while packets flow readers lag
 * by at most UXDP_DP_FLUSH_BATCHES batches, and once a worker idles not at
 * all.
 *
 * Stopping.  uxdp_dp_stop() (async-signal-safe, for a signal handler) sets
 * the stop flag of every worker (struct uxdp_worker.stop, which compiled
 * code may poll through ctx->worker: see uxdp/worker.h) and wakes the
 * control thread.  Drivers check uxdp_dp_stopping() between batches.  A
 * worker still running stop_timeout_ms after the request is reported
 * through on_stuck (with the program it is stuck in), whose owner decides
 * how to end the process; the library never exits.
 *
 * Errors: 0 or a negative errno.  Nothing here prints except the
 * uxdp_dp_print_* functions, and nothing exits.
 */
#ifndef UXDP_DATAPATH_H
#define UXDP_DATAPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <uxdp/opts.h>
#include <uxdp/ctx.h>
#include <uxdp/map.h>
#include <uxdp/runtime.h>
#include <uxdp/verdict.h>
#include <uxdp/worker.h>

#define UXDP_DP_MAX_PORTS 16
#define UXDP_DP_MAX_WORKERS 64
#define UXDP_DP_BATCH 32 /* frames per burst the drivers ask for */
#define UXDP_DP_FLUSH_BATCHES 16 /* batches between two counter flushes while busy */

/* What the driver does with a frame after the program ran. */
enum uxdp_dp_action {
	UXDP_DP_RECYCLE = 0, /* done with: back to the driver's pool */
	UXDP_DP_TX,          /* out of port uxdp_dp_out_port(): XDP_TX, or a redirect to a port */
	UXDP_DP_PASS,        /* to the host's stack: XDP_PASS, or a redirect to a cpumap */
};

/* One worker's counters. */
struct uxdp_dp_counters {
	struct uxdp_stats v;     /* per verdict, as the program returned it */
	uint64_t tx_drop;        /* to send, but no room, no port, or a TAP write failed */
	uint64_t tap_out;        /* frames the host sent on the TAP, out of port 0 */
	/*
	 * XDP_REDIRECT by kind of target, beside the verdict counter (the
	 * shared-memory counters of stats_shm.h have no room for these).
	 */
	uint64_t redirect_xsk;   /* to an xskmap slot: copied to its ring */
	uint64_t xsk_drop;       /* ... and dropped there: ring full, or no bound socket */
	uint64_t redirect_cpu;   /* to a cpumap entry: the XDP_PASS path */
};

/* ---- redirect targets ---- */

/* What an XDP_REDIRECT's target is. */
enum uxdp_redirect_dest {
	UXDP_DEST_NONE = 0, /* no target (or a map type with none): drop */
	UXDP_DEST_DEV,      /* bpf_redirect() or a devmap/devmap_hash entry: a port */
	UXDP_DEST_XSK,      /* an xskmap slot: its ring (uxdp/xsk_ring.h) */
	UXDP_DEST_CPU,      /* a cpumap entry: the stack, i.e. the XDP_PASS path */
};

/* Which of those r is (r: a worker's redirect state after XDP_REDIRECT). */
enum uxdp_redirect_dest uxdp_redirect_dest(const struct uxdp_redirect *r);
/*
 * The ifindex of a UXDP_DEST_DEV target: bpf_redirect()'s, or a devmap /
 * devmap_hash entry's.  -ENOENT without a target, -EOPNOTSUPP for other kinds.
 */
int uxdp_redirect_ifindex(const struct uxdp_redirect *r, uint32_t *ifindex);

/* A worker's open xskmap rings, so that a redirect does not open one each time. */
#define UXDP_XSK_CACHE_SIZE 16
struct uxdp_xsk_cache {
	struct {
		const void *map;
		uint32_t index;
		struct uxdp_xsk_ring *ring;
	} e[UXDP_XSK_CACHE_SIZE];
	unsigned int next; /* the entry a miss replaces when all are in use */
};

/*
 * Deliver a frame redirected to an xskmap (r: UXDP_DEST_XSK) to its slot's
 * ring.  0 if delivered; -ENOTCONN if the slot holds 0 (no bound socket);
 * -ENOBUFS / -EMSGSIZE as uxdp_xsk_ring_produce(); other errors from
 * opening the ring.  Every non-zero return is a dropped frame.
 */
int uxdp_xsk_deliver(struct uxdp_xsk_cache *c, const struct uxdp_redirect *r, const void *data,
		     uint32_t len, uint64_t ts_ns);
/* Unmap every ring of the cache. */
void uxdp_xsk_cache_close(struct uxdp_xsk_cache *c);

/* ---- the data plane ---- */

struct uxdp_dp;

/* Grows at its end only: set sz (uxdp/opts.h, UXDP_OPTS()). */
struct uxdp_dp_opts {
	size_t sz;             /* sizeof(struct uxdp_dp_opts) (uxdp/opts.h): set by the caller */
	/*
	 * If not NULL (uxdp --instance: the shared-memory counters of
	 * uxdp/stats_shm.h), the workers' counters, summed, are stored here
	 * with relaxed stores about every 100 ms and once more by
	 * uxdp_dp_finish().
	 */
	struct uxdp_stats *publish;
	/* Called about once a second from the control thread while running, or NULL. */
	void (*tick)(struct uxdp_dp *dp, double seconds, void *arg);
	void *tick_arg;
	/*
	 * Called from the control thread when a worker has not left
	 * stop_timeout_ms (0: 1000) after uxdp_dp_stop(); uxdp_dp_print_stuck()
	 * says which.  The callback ends the process (the worker cannot be
	 * stopped otherwise); if it returns, the data plane keeps waiting.
	 */
	void (*on_stuck)(struct uxdp_dp *dp, void *arg);
	void *stuck_arg;
	unsigned int stop_timeout_ms;
	/*
	 * Offline runs (pcap): every port redirect (any ifindex) goes out of
	 * port 0, the one output there is.  Otherwise an ifindex that is no
	 * port of this data plane is a dropped frame (tx_drop).
	 */
	bool redirect_any_ifindex;
};

/*
 * A port: its ifindex, and the program attached to it (published with
 * release order by uxdp_dp_attach(), read once per batch with acquire).
 */
struct uxdp_dp_port {
	uint32_t ifindex;
	const struct uxdp_program *prog;
};

/* What a detached port runs: XDP_PASS for every frame. */
extern const struct uxdp_program uxdp_dp_no_program;

enum uxdp_dp_worker_state {
	UXDP_DP_WORKER_IDLE = 0, /* not entered yet */
	UXDP_DP_WORKER_RUNNING,
	UXDP_DP_WORKER_DONE,
};

/*
 * One worker.  The first part is the worker's own, written with plain
 * stores; `shared` is what others read, on its own cache line.
 */
struct uxdp_dp_worker {
	struct uxdp_ctx ctx;         /* the program's ctx, kept across packets */
	uxdp_prog_fn fn;             /* the program of the current batch */
	struct uxdp_dp_counters cnt; /* plain; copied to shared.cnt by uxdp_dp_flush() */
	uint32_t port;               /* the current batch's port */
	uint32_t out_port;           /* after UXDP_DP_TX: the port to send on */
	uint64_t rx_ts_ns;           /* timestamp for xskmap rings; 0: the clock's */
	uint32_t unflushed;          /* batches since the last flush */
	const struct uxdp_program *prog;
	const struct uxdp_dp_port *ports; /* the data plane's */
	struct uxdp_dp *dp;
	struct uxdp_worker uw;       /* the helpers' state, ctx.worker points here */
	struct uxdp_xsk_cache xsk;
	struct {
		struct uxdp_dp_counters cnt;
		uint64_t batches;    /* +1 at batch begin and end: odd inside a batch */
		uint32_t state;      /* enum uxdp_dp_worker_state */
	} shared __attribute__((aligned(64)));
} __attribute__((aligned(64)));

/*
 * Create an empty data plane (no port, no worker); opts may be NULL.
 * *out is freed by uxdp_dp_destroy().
 */
int uxdp_dp_create(const struct uxdp_dp_opts *opts, struct uxdp_dp **out);
/* Free it, after every worker left and uxdp_dp_finish().  NULL is allowed. */
void uxdp_dp_destroy(struct uxdp_dp *dp);

/* Add a port; returns its index (0, 1, ... in order) or -E2BIG. */
int uxdp_dp_add_port(struct uxdp_dp *dp, uint32_t ifindex);
unsigned int uxdp_dp_ports(const struct uxdp_dp *dp);
uint32_t uxdp_dp_port_ifindex(const struct uxdp_dp *dp, unsigned int port);

/*
 * Have n workers (1..UXDP_DP_MAX_WORKERS), worker i with index i (its CPU
 * for per-CPU maps and bpf_get_smp_processor_id()) and rx queue i.  Before
 * uxdp_dp_start(); -EINVAL, -EBUSY once started.
 */
int uxdp_dp_set_workers(struct uxdp_dp *dp, unsigned int n);
unsigned int uxdp_dp_workers(const struct uxdp_dp *dp);
struct uxdp_dp_worker *uxdp_dp_worker(struct uxdp_dp *dp, unsigned int i);
/* The rx_queue_index the worker's packets carry (default: its index). */
void uxdp_dp_worker_set_queue(struct uxdp_dp_worker *w, uint32_t queue);

/*
 * Attach prog to port (NULL: detach; the port then passes every frame, as
 * an interface without an XDP program does).  Returns the program it
 * replaces, which workers may still run until uxdp_dp_synchronize().  The
 * program must stay valid while attached.
 */
const struct uxdp_program *uxdp_dp_attach(struct uxdp_dp *dp, unsigned int port,
					  const struct uxdp_program *prog);
/*
 * Wait until every worker has left the batch it was in when called, so no
 * worker can run a program attach replaced before the call.  -ETIMEDOUT
 * after timeout_ms (a worker stuck in a program), -ENOSYS if the kernel
 * lacks membarrier(2).
 */
int uxdp_dp_synchronize(struct uxdp_dp *dp, unsigned int timeout_ms);

/* Start the control thread (counters, ticks, stuck workers); the clock starts. */
int uxdp_dp_start(struct uxdp_dp *dp);
/*
 * Ask every worker to stop.  Async-signal-safe: this is what a SIGINT,
 * SIGTERM, SIGHUP or SIGQUIT handler calls.
 */
void uxdp_dp_stop(struct uxdp_dp *dp);
bool uxdp_dp_stop_requested(const struct uxdp_dp *dp);
/*
 * Why the data plane stopped by itself (a map segment truncated under it;
 * the SIGBUS guard, uxdp_map_sigbus_guard(), must be installed), or NULL.
 */
const char *uxdp_dp_failure(const struct uxdp_dp *dp);
/* Block until uxdp_dp_stop() (polls every 50 ms). */
void uxdp_dp_wait_stop(const struct uxdp_dp *dp);
/*
 * After the workers left: stop the control thread, publish the final
 * counters and stop the clock.
 */
void uxdp_dp_finish(struct uxdp_dp *dp);
/* Seconds from uxdp_dp_start() to uxdp_dp_finish() (or to now). */
double uxdp_dp_seconds(const struct uxdp_dp *dp);

/* The workers' shared counters, summed. */
void uxdp_dp_sum(const struct uxdp_dp *dp, struct uxdp_dp_counters *sum);
/*
 * One --stats line: packets/s, bits/s and each verdict's packets/s since the
 * last call (or the start), summed over the workers (uxdp_stats_print_rate()).
 */
void uxdp_dp_print_rates(struct uxdp_dp *dp, FILE *f);
/* Totals, drops, redirect kinds, then one line per worker if there are several. */
void uxdp_dp_print_final(const struct uxdp_dp *dp, FILE *f);
/* One line per worker that has not stopped: where it is (the program, if in a batch). */
void uxdp_dp_print_stuck(const struct uxdp_dp *dp, FILE *f);

/* ---- in a worker thread ---- */

/* Make w the calling thread's worker (uxdp_worker_current(), per-CPU maps). */
void uxdp_dp_worker_enter(struct uxdp_dp_worker *w);
/* Publish the last counters, close the xskmap rings, forget the thread. */
void uxdp_dp_worker_leave(struct uxdp_dp_worker *w);

/*
 * Copy the worker's counters to its shared ones (every 16 batches, idle,
 * leave, and before a batch of another program), adding what changed since
 * the last flush to the counters of the program that counted it
 * (struct uxdp_program.counters).
 */
void uxdp_dp_flush(struct uxdp_dp_worker *w);

/* Before the frames of a burst received on port. */
static inline void uxdp_dp_batch_begin(struct uxdp_dp_worker *w, unsigned int port)
{
	const struct uxdp_program *prog;

	/* Odd while inside a batch: uxdp_dp_synchronize() and the stuck check. */
	__atomic_store_n(&w->shared.batches, w->shared.batches + 1, __ATOMIC_RELAXED);
	/* Map elements this batch may look up are not reused until its end. */
	uxdp_map_epoch_enter();
	prog = __atomic_load_n(&w->ports[port].prog, __ATOMIC_ACQUIRE);
	if (__builtin_expect(!prog, 0))
		prog = &uxdp_dp_no_program;
	/* Unflushed counts belong to the program that made them (its version's counters). */
	if (__builtin_expect(prog != w->prog, 0) && w->unflushed)
		uxdp_dp_flush(w);
	w->prog = prog;
	w->fn = prog->fn;
	w->port = port;
	w->ctx.ingress_ifindex = w->ports[port].ifindex;
}

/* After them. */
static inline void uxdp_dp_batch_end(struct uxdp_dp_worker *w)
{
	if (++w->unflushed >= UXDP_DP_FLUSH_BATCHES)
		uxdp_dp_flush(w);
	uxdp_map_epoch_exit();
	__atomic_store_n(&w->shared.batches, w->shared.batches + 1, __ATOMIC_RELEASE);
}

/* The driver found nothing to receive: publish what is still unflushed. */
static inline void uxdp_dp_idle(struct uxdp_dp_worker *w)
{
	if (w->unflushed)
		uxdp_dp_flush(w);
}

/* Set by uxdp_dp_stop(); drivers check it between batches. */
static inline bool uxdp_dp_stopping(const struct uxdp_dp_worker *w)
{
	return __atomic_load_n(&w->uw.stop, __ATOMIC_RELAXED) != 0;
}

/* Every verdict but XDP_DROP, out of line: counts it, resolves redirects. */
enum uxdp_dp_action uxdp_dp_act(struct uxdp_dp_worker *w, uint32_t act, uint32_t len);

/*
 * Call the batch's program on one frame and return what it returned, with
 * no verdict handled or counted: meta..data is the frame's metadata (empty
 * when meta == data), len bytes at data its packet, in a buffer from
 * hard_start (UXDP_HEADROOM or more before data) to frame_end (the last
 * UXDP_XDP_TAILROOM bytes of which the helpers keep off limits).  The
 * frame as the program left it is in w->ctx.  uxdp_dp_run() is this plus
 * the verdict; BPF_PROG_TEST_RUN (bpfsys) wants the bare return value.
 */
static inline uint32_t uxdp_dp_call(struct uxdp_dp_worker *w, uint8_t *hard_start,
				    uint8_t *meta, uint8_t *data, uint32_t len, uint8_t *frame_end)
{
	struct uxdp_ctx *ctx = &w->ctx;

	/* rx_queue_index, ingress_ifindex and worker are set per worker and batch. */
	ctx->data_hard_start = hard_start;
	ctx->data = data;
	ctx->data_meta = meta;
	ctx->data_end = data + len;
	ctx->frame_end = frame_end;
	/* tail_call_ret is only read once tail_called is set. */
	ctx->tail_call_cnt = 0;
	ctx->tail_called = 0;
	return (uint32_t)w->fn(ctx);
}

/*
 * Run the batch's program on one frame: len bytes at data, in a buffer
 * from hard_start to frame_end, as uxdp_dp_call() with no metadata.
 * XDP_DROP is the straight line; everything else is uxdp_dp_act().
 */
static inline enum uxdp_dp_action uxdp_dp_run(struct uxdp_dp_worker *w, uint8_t *hard_start,
					       uint8_t *data, uint32_t len, uint8_t *frame_end)
{
	uint32_t act = uxdp_dp_call(w, hard_start, data, data, len, frame_end);

	if (__builtin_expect(act == UXDP_DROP, 1)) {
		w->cnt.v.packets[UXDP_DROP]++;
		w->cnt.v.bytes[UXDP_DROP] += len;
		return UXDP_DP_RECYCLE;
	}
	return uxdp_dp_act(w, act, len);
}

/* The frame as the program left it: start, length, and where it goes on UXDP_DP_TX. */
static inline uint8_t *uxdp_dp_data(const struct uxdp_dp_worker *w)
{
	return w->ctx.data;
}

static inline uint32_t uxdp_dp_len(const struct uxdp_dp_worker *w)
{
	return w->ctx.data_end > w->ctx.data ? (uint32_t)(w->ctx.data_end - w->ctx.data) : 0;
}

static inline unsigned int uxdp_dp_out_port(const struct uxdp_dp_worker *w)
{
	return w->out_port;
}

/* The driver's own outcomes, counted with the worker's counters. */
static inline void uxdp_dp_count_tx_drop(struct uxdp_dp_worker *w, uint32_t n)
{
	w->cnt.tx_drop += n;
}

static inline void uxdp_dp_count_tap_out(struct uxdp_dp_worker *w, uint32_t n)
{
	w->cnt.tap_out += n;
}

/*
 * A frame the driver cannot give the program whole (a chained DPDK mbuf):
 * counted as XDP_ABORTED, and the driver drops it.
 */
static inline void uxdp_dp_count_unrunnable(struct uxdp_dp_worker *w, uint32_t len)
{
	w->cnt.v.packets[UXDP_ABORTED]++;
	w->cnt.v.bytes[UXDP_ABORTED] += len;
}

#endif /* UXDP_DATAPATH_H */
