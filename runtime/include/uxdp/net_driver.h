/* SPDX-License-Identifier: MIT */
/*
 * net_driver.h - the drivers that move real packets: AF_XDP and DPDK.
 *
 * Both run one worker per queue (AF_XDP) or per lcore (DPDK); worker i owns
 * queue i of every port, so a worker can transmit on any port without locks.
 * Verdicts:
 *
 *   XDP_DROP, XDP_ABORTED  counted, frame recycled;
 *   XDP_TX                 out of the port and queue the packet came in on;
 *   XDP_REDIRECT           to the port whose ifindex the program named, with
 *                          bpf_redirect() or through a devmap/devmap_hash;
 *                          to an xskmap slot: copied to the slot's ring
 *                          (uxdp/xsk_ring.h) for a consumer process; to a
 *                          cpumap entry: the XDP_PASS path below, as the
 *                          kernel gives it to its stack; an unknown target
 *                          is counted and dropped;
 *   XDP_PASS               written to the TAP exception interface if there is
 *                          one (frames the kernel sends on the TAP go out of the
 *                          first port), else counted and dropped.
 *
 * The program sees at least UXDP_HEADROOM bytes before data.  The run
 * returns when SIGINT or SIGTERM arrives, after printing the final counters.
 */
#ifndef UXDP_NET_DRIVER_H
#define UXDP_NET_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uxdp/ctx.h>
#include <uxdp/driver.h>

#define UXDP_NET_MAX_PORTS 16
#define UXDP_NET_MAX_WORKERS 64

enum uxdp_xsk_mode {
	UXDP_XSK_AUTO = 0,  /* zero-copy where the driver supports it, else copy */
	UXDP_XSK_COPY,
	UXDP_XSK_ZEROCOPY,
};

struct uxdp_net_opts {
	/* AF_XDP */
	const char *ifaces;        /* "veth0,veth2" */
	const char *queues;        /* "0-1", "3" or "0,2"; NULL: queue 0 */
	enum uxdp_xsk_mode xsk_mode;
	bool busy_poll;
	uint32_t frame_size;       /* UMEM frame: 2048 or 4096; 0: 4096 */
	uint32_t frame_count;      /* UMEM frames per worker and port; 0: 4096 */
	/* DPDK: argv[0] is a program name, as rte_eal_init() expects */
	int eal_argc;
	char **eal_argv;
	/* Both */
	const char *pass_tap;      /* TAP interface for XDP_PASS, or NULL */
	bool show_stats;           /* a line per worker every second */
	/*
	 * If not NULL (uxdp --instance: the shared-memory counters of
	 * uxdp/stats_shm.h), the workers' counters, summed, are stored here
	 * with relaxed stores about every 100 ms and once more at the end.
	 */
	struct uxdp_stats *publish;
	/*
	 * Called once the number of workers is known, before any packet
	 * flows: bind the program for nworkers workers (the ncpus of its
	 * per-CPU maps) and return its entry point in *fn.  Non-zero aborts
	 * the run; the callback has printed why.
	 */
	int (*open_prog)(unsigned int nworkers, uxdp_prog_fn *fn, void *arg);
	void *open_arg;
};

/*
 * Run until SIGINT/SIGTERM.  0, or a negative errno after one line on
 * stderr naming the cause (missing interface, permission, memory, EAL).
 */
int uxdp_afxdp_run(const struct uxdp_net_opts *o);
int uxdp_dpdk_run(const struct uxdp_net_opts *o);

#endif /* UXDP_NET_DRIVER_H */
