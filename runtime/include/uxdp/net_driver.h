/* SPDX-License-Identifier: MIT */
/*
 * net_driver.h - the drivers that move real packets: AF_XDP and DPDK.
 *
 * Both only move frames; the datapath (uxdp/datapath.h) runs the program
 * and says where each frame goes.  Both run one datapath worker per queue
 * (AF_XDP) or per lcore (DPDK); worker i owns queue i of every port, so a
 * worker can transmit on any port without locks.  What the drivers do with
 * the datapath's answer:
 *
 *   UXDP_DP_RECYCLE   the frame goes back to the pool (XDP_DROP, XDP_ABORTED,
 *                     a redirect to an xskmap slot, which the datapath
 *                     copied to the slot's ring, or to no known port);
 *   UXDP_DP_TX        out of the port the datapath names (XDP_TX: the port
 *                     it came in on; XDP_REDIRECT to a port's ifindex, with
 *                     bpf_redirect() or through a devmap/devmap_hash);
 *   UXDP_DP_PASS      (XDP_PASS, or a redirect to a cpumap) written to the
 *                     TAP exception interface if there is one (frames the
 *                     kernel sends on the TAP go out of the first port), else
 *                     counted and dropped.
 *
 * The program sees at least UXDP_HEADROOM bytes before data.  The run
 * returns after uxdp_dp_stop() (the caller's signal handler), having
 * printed the final counters.
 */
#ifndef UXDP_NET_DRIVER_H
#define UXDP_NET_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uxdp/datapath.h>

#define UXDP_NET_MAX_PORTS UXDP_DP_MAX_PORTS
#define UXDP_NET_MAX_WORKERS UXDP_DP_MAX_WORKERS

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
	uint32_t mbufs;            /* mbufs in the pool; 0: what the rings need, at least 8192 */
	/* Both */
	const char *pass_tap;      /* TAP interface for XDP_PASS, or NULL */
	/*
	 * The data plane, created empty by the caller (who also owns its
	 * stop, tick and publish).  The driver gives it its ports (in order:
	 * port i is the i-th interface or DPDK port) and workers, then calls
	 * attach.
	 */
	struct uxdp_dp *dp;
	/*
	 * Called once ports and workers are known, before any packet flows:
	 * bind the program for uxdp_dp_workers(dp) workers (the ncpus of its
	 * per-CPU maps) and uxdp_dp_attach() it to the ports.  Non-zero
	 * aborts the run; the callback has printed why.
	 */
	int (*attach)(struct uxdp_dp *dp, void *arg);
	void *attach_arg;
};

/*
 * Run until uxdp_dp_stop(o->dp).  0, or a negative errno after one line on
 * stderr naming the cause (missing interface, permission, memory, EAL).
 */
int uxdp_afxdp_run(const struct uxdp_net_opts *o);
int uxdp_dpdk_run(const struct uxdp_net_opts *o);

#endif /* UXDP_NET_DRIVER_H */
