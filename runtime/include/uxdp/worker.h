/* SPDX-License-Identifier: MIT */
/*
 * worker.h - the per-worker state that BPF helpers read and write.
 *
 * In the kernel, several helpers keep per-CPU state: bpf_redirect() and
 * bpf_redirect_map() leave their target in bpf_redirect_info for the driver
 * to act on, bpf_get_prandom_u32() steps a per-CPU generator, and
 * bpf_get_smp_processor_id() names the CPU.  In uxdp a worker thread plays
 * the CPU, and struct uxdp_worker is its state.
 *
 * Helpers that take no ctx (redirect, get_prandom_u32, ...) find the worker
 * of the calling thread through uxdp_worker_current(), an out-of-line native
 * function: the thread-local it reads stays out of the helper bitcode (a
 * copy inlined into each program would be a second, unconfigured one).
 * ctx->worker points to the same struct for helpers that have a ctx.
 * Compiled per-CPU lookups read only the index, uxdp_this_cpu (map.h),
 * which is thread-local and initial-exec for that reason.
 *
 * The datapath (uxdp/datapath.h, runtime/datapath/) owns the workers: it
 * sets each up, makes it the current one of its thread, points ctx->worker
 * at it, acts on the redirect target after XDP_REDIRECT and clears it.
 * The worker index is also what per-CPU maps use (uxdp_this_cpu in map.h).
 *
 * Stop flag.  `stop` becomes non-zero when the run must end (SIGINT,
 * SIGTERM, SIGHUP, SIGQUIT: uxdp_dp_stop()) and never goes back to 0.
 * Compiled code that may not terminate on its own polls it on its loops'
 * back-edges and ends the packet with XDP_ABORTED once it is set:
 *
 *	struct uxdp_worker *w = ctx->worker;          (UXDP_CTX_OFF_WORKER)
 *	if (w && w->stop) return XDP_ABORTED;         (UXDP_WORKER_OFF_STOP)
 *
 * i.e. a 64-bit load at ctx + 72 and a 32-bit volatile load at w + 4, both
 * fixed by the static asserts below.  The datapath never runs a program
 * with ctx->worker NULL; test harnesses may, and then nothing can stop
 * them but the process ending.  Code without the ctx (a subprogram not
 * passed it) finds the same flag through uxdp_worker_current()->stop.
 */
#ifndef UXDP_WORKER_H
#define UXDP_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include <uxdp/ctx.h>

struct uxdp_fib;

/*
 * Frame layout the xdp_adjust_* helpers assume, as the kernel's:
 *
 *   data_hard_start                                               frame_end
 *   | xdp_frame (40) | headroom ... | meta | data ... data_end | ... | shinfo (320) |
 *
 * The first UXDP_XDP_FRAME_SIZE bytes are reserved (sizeof(struct
 * xdp_frame) on x86-64, which the kernel keeps free for the frame it builds
 * on XDP_REDIRECT), and the last UXDP_XDP_TAILROOM bytes are reserved
 * (SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64 with
 * MAX_SKB_FRAGS 17).  A driver sets frame_end = data_hard_start + frame
 * size, like the kernel's xdp->frame_sz; with 4096-byte frames and data at
 * hard_start + UXDP_HEADROOM the limits equal bpf_prog_test_run's.
 */
#define UXDP_XDP_FRAME_SIZE 40
#define UXDP_XDP_TAILROOM 320

/* struct uxdp_redirect.kind */
enum uxdp_redirect_kind {
	UXDP_REDIRECT_NONE = 0,    /* no target; XDP_REDIRECT then drops, as the kernel's -EINVAL */
	UXDP_REDIRECT_IFINDEX = 1, /* bpf_redirect(ifindex, 0) */
	UXDP_REDIRECT_MAP = 2,     /* bpf_redirect_map(map, key, flags) that found its key */
};

/*
 * Where an XDP_REDIRECT verdict sends the packet: the kernel's
 * bpf_redirect_info, reduced to what a userspace driver needs.  The last
 * redirect helper called by the program wins, as in the kernel.
 */
struct uxdp_redirect {
	uint32_t kind;   /* enum uxdp_redirect_kind */
	uint32_t index;  /* the ifindex, or the map key */
	void *map;       /* struct uxdp_map * for UXDP_REDIRECT_MAP, else NULL */
	void *value;     /* the looked-up map entry (devmap/xskmap slot), else NULL */
	uint64_t flags;  /* BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS (map), else 0 */
};

struct uxdp_worker {
	uint32_t index;               /* 0..n-1: bpf_get_smp_processor_id() */
	volatile uint32_t stop;       /* non-zero: end the run (see above); compiled code reads it */
	struct uxdp_redirect redirect;
	uint64_t prng;                /* bpf_get_prandom_u32() state (SplitMix64) */
	struct uxdp_fib *fib;         /* bpf_fib_lookup() table; NULL: the process default */
};

_Static_assert(__builtin_offsetof(struct uxdp_worker, stop) == UXDP_WORKER_OFF_STOP,
	       "compiled code reads the stop flag at this offset");

/* Set up w as worker index, with a random PRNG seed and no FIB of its own. */
void uxdp_worker_init(struct uxdp_worker *w, uint32_t index);
/*
 * Seed w's PRNG deterministically (pcap replays, tests); workers given the
 * same seed still draw different streams, since the index is mixed in.
 */
void uxdp_worker_seed(struct uxdp_worker *w, uint64_t seed);
/* Make w the calling thread's worker (NULL: back to the thread's fallback). */
void uxdp_worker_set_current(struct uxdp_worker *w);
/*
 * The calling thread's worker.  Never NULL: a thread that never called
 * uxdp_worker_set_current() gets its own fallback worker with index 0.
 */
struct uxdp_worker *uxdp_worker_current(void);
/* uxdp_worker_current()->index. */
uint32_t uxdp_worker_cpu(void);

/* Forget the redirect target, after the driver acted on it. */
static inline void uxdp_redirect_clear(struct uxdp_redirect *r)
{
	r->kind = UXDP_REDIRECT_NONE;
	r->index = 0;
	r->map = 0;
	r->value = 0;
	r->flags = 0;
}

/*
 * Where bpf_trace_printk() writes, for the whole process: a file descriptor,
 * default 2 (stderr).  Each call writes one line with a single write(2), so
 * lines of concurrent workers do not interleave.  -1 discards the output.
 */
void uxdp_trace_set_fd(int fd);
int uxdp_trace_get_fd(void);

/*
 * Up to n bytes at address src of this process into dst: as many as are
 * mapped from src on, 0 for an address below 4096 or not mapped.  Never
 * faults (process_vm_readv on itself): bpf_trace_printk's %s and %pI4 read
 * what a verified program hands them, as the kernel's nofault copies do.
 */
size_t uxdp_read_nofault(void *dst, uint64_t src, size_t n);

#endif /* UXDP_WORKER_H */
