// SPDX-License-Identifier: MIT
/*
 * dpdk.c - the DPDK driver, shaped like DPDK's l2fwd: EAL init, one mbuf
 * pool, every port configured with one RX/TX queue pair per lcore, the same
 * loop launched on every lcore (main included), buffered TX drained every
 * 100 us, and on Ctrl-C ports stopped and closed.
 *
 * Headroom: DPDK builds put RTE_PKTMBUF_HEADROOM (128) bytes before an
 * mbuf's data, and the PMDs reset data_off to it on receive.  The mbuf's
 * private area sits right before its buffer, so a private area of
 * UXDP_HEADROOM - RTE_PKTMBUF_HEADROOM bytes that we never otherwise use
 * extends the headroom to the 256 bytes XDP programs may claim with
 * bpf_xdp_adjust_head(), without a copy.
 *
 * The driver only moves mbufs: each received one goes through the datapath
 * (uxdp_dp_run()), which answers recycle, send out of port p, or pass to
 * the TAP.  Port i here is port i of the datapath; lcore i is its worker i.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <uxdp/datapath.h>
#include <uxdp/dev_mtu.h>
#include <uxdp/net_driver.h>

#include "net.h"
#include "pool.h"

#define NB_RXD 1024
#define NB_TXD 1024
#define MEMPOOL_CACHE 256
#define DRAIN_US 100      /* longest a buffered TX packet waits */
#define IDLE_SPINS 1024   /* empty polls before an idle lcore naps */
#define IDLE_NAP_US 50

#define PRIV_SIZE (RTE_PKTMBUF_HEADROOM >= UXDP_HEADROOM ? 0 \
		   : RTE_ALIGN_CEIL(UXDP_HEADROOM - RTE_PKTMBUF_HEADROOM, RTE_MBUF_PRIV_ALIGN))
/* Packet room, then the tailroom the helpers keep off limits, as in a kernel frame. */
#define DATA_ROOM (RTE_PKTMBUF_HEADROOM + RTE_MBUF_DEFAULT_DATAROOM + UXDP_XDP_TAILROOM)

struct dpdk {
	const struct uxdp_net_opts *o;
	unsigned int nports, nworkers;
	uint16_t port_id[UXDP_NET_MAX_PORTS];
	uint32_t ifindex[UXDP_NET_MAX_PORTS];
	bool started[UXDP_NET_MAX_PORTS];
	struct rte_mempool *pool;
	int tap_fd;
	/* [worker][port]: each lcore buffers for its own queue of each port */
	struct rte_eth_dev_tx_buffer *txb[UXDP_NET_MAX_WORKERS][UXDP_NET_MAX_PORTS];
};

static struct dpdk dp = { .tap_fd = -1 };

/* Frames rte_eth_tx_buffer() could not send: arg is the lcore's datapath worker. */
static void tx_unsent(struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	uxdp_dp_count_tx_drop(arg, n);
	rte_pktmbuf_free_bulk(pkts, n);
}

/* One lcore's state besides its datapath worker. */
struct lcore {
	unsigned int wi;
	struct uxdp_dp_worker *dw;
	/* Frames done with in this burst, returned to dp.pool in one put. */
	unsigned int ngone;
	struct rte_mbuf *gone[UXDP_DP_BATCH];
};

/*
 * rte_pktmbuf_free() of a single-segment mbuf, deferred to the end of the
 * burst: the mempool is then entered once per burst, not once per frame
 * (the per-frame put was the largest cost of an XDP_DROP).
 */
static __rte_always_inline void recycle(struct lcore *lc, struct rte_mbuf *m)
{
	m = rte_pktmbuf_prefree_seg(m);
	if (unlikely(!m))
		return;         /* someone else still holds a reference */
	if (likely(m->pool == dp.pool))
		lc->gone[lc->ngone++] = m;
	else
		rte_mempool_put(m->pool, m);
}

static inline void recycle_flush(struct lcore *lc)
{
	if (lc->ngone) {
		rte_mempool_put_bulk(dp.pool, (void **)lc->gone, lc->ngone);
		lc->ngone = 0;
	}
}

/* Send the frame as the program left it out of port q. */
static __attribute__((noinline)) void send_out(struct lcore *lc, struct rte_mbuf *m, unsigned int q)
{
	uint8_t *buf = m->buf_addr, *data = uxdp_dp_data(lc->dw);
	uint32_t len = uxdp_dp_len(lc->dw);

	/* adjust_head beyond the mbuf's own headroom: move the packet into the buffer. */
	if (unlikely(data < buf)) {
		memmove(buf, data, len);
		data = buf;
	}
	m->data_off = data - buf;
	m->data_len = len;
	m->pkt_len = len;
	rte_eth_tx_buffer(dp.port_id[q], lc->wi, dp.txb[lc->wi][q], m);
}

/* dw is lc->dw, kept in a register by the caller across the program calls. */
static __rte_always_inline void run_one(struct lcore *lc, struct uxdp_dp_worker *dw,
					struct rte_mbuf *m)
{
	uint8_t *buf = m->buf_addr;

	/* Scatter is off, so a chained mbuf is a PMD surprise the program cannot see whole. */
	if (unlikely(m->nb_segs != 1)) {
		uxdp_dp_count_unrunnable(dw, rte_pktmbuf_pkt_len(m));
		rte_pktmbuf_free(m);
		return;
	}
	switch (uxdp_dp_run(dw, buf - PRIV_SIZE, buf + m->data_off, rte_pktmbuf_data_len(m),
			    buf + m->buf_len)) {
	case UXDP_DP_TX:
		send_out(lc, m, uxdp_dp_out_port(dw));
		return;
	case UXDP_DP_PASS:
		uxdp_net_pass(dw, dp.tap_fd, uxdp_dp_data(dw), uxdp_dp_len(dw));
		/* fall through */
	default:
		recycle(lc, m);
		return;
	}
}

/* Frames the kernel sent on the TAP leave through port 0. */
static void tap_poll(struct lcore *lc)
{
	unsigned int n, wi = lc->wi;

	for (n = 0; n < UXDP_DP_BATCH; n++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(dp.pool);
		ssize_t len;

		if (!m)
			return;
		len = read(dp.tap_fd, rte_pktmbuf_mtod(m, void *), rte_pktmbuf_tailroom(m));
		if (len <= 0) {
			rte_pktmbuf_free(m);
			return;
		}
		m->data_len = m->pkt_len = len;
		uxdp_dp_count_tap_out(lc->dw, 1);
		rte_eth_tx_buffer(dp.port_id[0], wi, dp.txb[wi][0], m);
	}
}

static int lcore_main(void *arg)
{
	const uint64_t drain = (rte_get_tsc_hz() + US_PER_S - 1) / US_PER_S * DRAIN_US;
	struct uxdp_dp *d = arg;
	unsigned int wi = rte_lcore_index(-1), p, i, idle = 0;
	struct rte_mbuf *pkts[UXDP_DP_BATCH];
	struct uxdp_dp_worker *dw;
	struct lcore *lc;
	uint64_t prev = rte_rdtsc(), cur;
	uint16_t n;

	/* Cache-aligned and on this lcore's socket; its state is hot. */
	lc = rte_zmalloc_socket("uxdp_lcore", sizeof(*lc), RTE_CACHE_LINE_SIZE, rte_socket_id());
	if (!lc) {
		fprintf(stderr, "uxdp: lcore %u: too little memory\n", rte_lcore_id());
		uxdp_dp_stop(d);
		return -ENOMEM;
	}
	lc->wi = wi;
	lc->dw = dw = uxdp_dp_worker(d, wi);
	uxdp_dp_worker_enter(dw);
	while (!uxdp_dp_stopping(dw)) {
		unsigned int got = 0;

		cur = rte_rdtsc();
		if (unlikely(cur - prev > drain)) {
			if (wi == 0 && dp.tap_fd >= 0)
				tap_poll(lc);
			for (p = 0; p < dp.nports; p++)
				rte_eth_tx_buffer_flush(dp.port_id[p], wi, dp.txb[wi][p]);
			prev = cur;
		}
		for (p = 0; p < dp.nports; p++) {
			n = rte_eth_rx_burst(dp.port_id[p], wi, pkts, UXDP_DP_BATCH);
			if (!n)
				continue;
			uxdp_dp_batch_begin(dw, p);
			for (i = 0; i < n; i++) {
				if (i + 1 < n)
					rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
				run_one(lc, dw, pkts[i]);
			}
			uxdp_dp_batch_end(dw);
			recycle_flush(lc);
			got += n;
		}
		/* Idle lcores nap a little so that they do not starve their neighbours. */
		if (got) {
			idle = 0;
			continue;
		}
		uxdp_dp_idle(dw);
		if (++idle > IDLE_SPINS)
			rte_delay_us_sleep(IDLE_NAP_US);
	}
	for (p = 0; p < dp.nports; p++)
		rte_eth_tx_buffer_flush(dp.port_id[p], wi, dp.txb[wi][p]);
	uxdp_dp_worker_leave(dw);
	rte_free(lc);
	return 0;
}

/*
 * The port's MTU, 0 if unknown.  bpf_check_mtu asks the kernel for a port
 * that is a kernel device (as net_af_xdp's are) and the driver for one
 * that is not (uxdp/dev_mtu.h); without it the program would see 1500 on
 * ingress: say so, but run.
 */
static uint16_t register_mtu(unsigned int p, uint16_t port, const char *name, bool kernel_dev)
{
	uint16_t mtu = 0;
	int ret = rte_eth_dev_get_mtu(port, &mtu);

	if (!ret && !kernel_dev)
		ret = uxdp_dev_mtu_set(dp.ifindex[p], mtu);
	if (ret)
		fprintf(stderr, "uxdp: port %u (%s): no MTU for bpf_check_mtu (it will see 1500): %s\n",
			port, name, strerror(-ret));
	return ret ? 0 : mtu;
}

static int port_init(unsigned int p)
{
	uint16_t port = dp.port_id[p], nb_rxd = NB_RXD, nb_txd = NB_TXD, mtu;
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	char name[RTE_ETH_NAME_MAX_LEN] = "";
	unsigned int w;
	int ret;

	rte_eth_dev_get_name_by_port(port, name);
	ret = rte_eth_dev_info_get(port, &info);
	if (ret) {
		fprintf(stderr, "uxdp: port %u (%s): cannot get device info: %s\n", port, name,
			strerror(-ret));
		return ret;
	}
	/* Redirects name ports by ifindex; ports without one get an unused number. */
	dp.ifindex[p] = info.if_index ? info.if_index : 0x10000u + port;
	if (info.max_rx_queues < dp.nworkers || info.max_tx_queues < dp.nworkers) {
		fprintf(stderr, "uxdp: port %u (%s): %u lcores need %u queue pairs, the port has "
				"%u (give the vdev more queues, e.g. queue_count= or qpairs=, or "
				"use fewer lcores)\n", port, name, dp.nworkers, dp.nworkers,
			RTE_MIN(info.max_rx_queues, info.max_tx_queues));
		return -EINVAL;
	}
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	/* Several lcores: let the port spread flows over their queues by RSS,
	 * on what the device can hash (vdevs without RSS keep one flow path). */
	if (dp.nworkers > 1 && info.flow_type_rss_offloads) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = NULL;
		conf.rx_adv_conf.rss_conf.rss_hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) &
						   info.flow_type_rss_offloads;
	}
	ret = rte_eth_dev_configure(port, dp.nworkers, dp.nworkers, &conf);
	if (!ret)
		ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
	if (ret) {
		fprintf(stderr, "uxdp: port %u (%s): cannot configure: %s\n", port, name,
			strerror(-ret));
		return ret;
	}
	for (w = 0; w < dp.nworkers; w++) {
		struct rte_eth_txconf txconf = info.default_txconf;

		txconf.offloads = conf.txmode.offloads;
		ret = rte_eth_rx_queue_setup(port, w, nb_rxd, rte_eth_dev_socket_id(port), NULL,
					     dp.pool);
		if (!ret)
			ret = rte_eth_tx_queue_setup(port, w, nb_txd, rte_eth_dev_socket_id(port),
						     &txconf);
		if (ret) {
			fprintf(stderr, "uxdp: port %u (%s): queue %u setup: %s\n", port, name, w,
				strerror(-ret));
			return ret;
		}
		dp.txb[w][p] = rte_zmalloc_socket("uxdp_txb", RTE_ETH_TX_BUFFER_SIZE(UXDP_DP_BATCH),
						  0, rte_eth_dev_socket_id(port));
		if (!dp.txb[w][p]) {
			fprintf(stderr, "uxdp: too little memory for TX buffers\n");
			return -ENOMEM;
		}
		rte_eth_tx_buffer_init(dp.txb[w][p], UXDP_DP_BATCH);
		rte_eth_tx_buffer_set_err_callback(dp.txb[w][p], tx_unsent,
						   uxdp_dp_worker(dp.o->dp, w));
	}
	ret = rte_eth_dev_start(port);
	if (ret) {
		fprintf(stderr, "uxdp: port %u (%s): cannot start: %s\n", port, name, strerror(-ret));
		return ret;
	}
	dp.started[p] = true;
	mtu = register_mtu(p, port, name, info.if_index != 0);
	/* Like the kernel, whose XDP sees every frame the port receives. */
	rte_eth_promiscuous_enable(port);
	printf("uxdp: port %u (%s): ifindex %u, mtu %u, %u queue pair%s\n", port, name,
	       dp.ifindex[p], mtu, dp.nworkers, dp.nworkers == 1 ? "" : "s");
	return 0;
}

static void cleanup(void)
{
	unsigned int p, w;

	for (p = 0; p < dp.nports; p++) {
		if (dp.started[p]) {
			rte_eth_dev_stop(dp.port_id[p]);
			rte_eth_dev_close(dp.port_id[p]);
		}
		for (w = 0; w < dp.nworkers; w++)
			rte_free(dp.txb[w][p]);
	}
	if (dp.pool)
		rte_mempool_free(dp.pool);
	if (dp.tap_fd >= 0)
		close(dp.tap_fd);
	rte_eal_cleanup();
}

/* The ports' own drop counters: frames the NIC (or PMD) had no room or buffer for. */
static void print_port_drops(void)
{
	struct rte_eth_stats st, sum = { 0 };
	unsigned int p;

	for (p = 0; p < dp.nports; p++) {
		if (rte_eth_stats_get(dp.port_id[p], &st))
			continue;
		sum.imissed += st.imissed;
		sum.ierrors += st.ierrors;
		sum.rx_nombuf += st.rx_nombuf;
		sum.oerrors += st.oerrors;
	}
	printf("port drops: imissed %llu ierrors %llu rx_nombuf %llu oerrors %llu\n",
	       (unsigned long long)sum.imissed, (unsigned long long)sum.ierrors,
	       (unsigned long long)sum.rx_nombuf, (unsigned long long)sum.oerrors);
}

int uxdp_dpdk_run(const struct uxdp_net_opts *o)
{
	struct rte_ether_addr mac;
	unsigned int nmbufs, p = 0;
	uint16_t port;
	char err[256];
	int ret;

	dp.o = o;
	ret = rte_eal_init(o->eal_argc, o->eal_argv);
	if (ret < 0) {
		fprintf(stderr, "uxdp: DPDK EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return -rte_errno ? -rte_errno : -EINVAL;
	}
	dp.nworkers = rte_lcore_count();
	if (dp.nworkers > UXDP_NET_MAX_WORKERS) {
		fprintf(stderr, "uxdp: at most %d lcores\n", UXDP_NET_MAX_WORKERS);
		ret = -E2BIG;
		goto out;
	}
	RTE_ETH_FOREACH_DEV(port) {
		if (p == UXDP_NET_MAX_PORTS) {
			fprintf(stderr, "uxdp: more than %d DPDK ports\n", UXDP_NET_MAX_PORTS);
			ret = -E2BIG;
			goto out;
		}
		dp.port_id[p++] = port;
	}
	dp.nports = p;
	if (!dp.nports) {
		fprintf(stderr, "uxdp: DPDK found no ports: name one with --vdev (one that failed to probe is "
				"reported above) or allow a device\n");
		ret = -ENODEV;
		goto out;
	}
	ret = uxdp_dp_set_workers(o->dp, dp.nworkers);
	if (ret) {
		fprintf(stderr, "uxdp: datapath: %s\n", strerror(-ret));
		goto out;
	}
	nmbufs = dp.nports * dp.nworkers * (NB_RXD + NB_TXD + UXDP_DP_BATCH) +
		 dp.nworkers * (MEMPOOL_CACHE + UXDP_DP_BATCH);
	nmbufs = RTE_MAX(nmbufs, 8192u);
	/* more when asked: net_pcap's infinite_rx copies its whole capture into the pool */
	nmbufs = RTE_MAX(nmbufs, o->mbufs);
	dp.pool = uxdp_dpdk_pool_create("uxdp_mbufs", nmbufs, MEMPOOL_CACHE, PRIV_SIZE, DATA_ROOM,
					 rte_socket_id());
	if (!dp.pool) {
		fprintf(stderr, "uxdp: too little memory for %u mbufs: %s (raise EAL -m)\n", nmbufs,
			rte_strerror(rte_errno));
		ret = -ENOMEM;
		goto out;
	}
	for (p = 0; p < dp.nports; p++) {
		ret = port_init(p);
		if (ret)
			goto out;
		if (uxdp_dp_add_port(o->dp, dp.ifindex[p]) < 0) {
			ret = -E2BIG;
			goto out;
		}
	}
	ret = o->attach(o->dp, o->attach_arg);
	if (ret)
		goto out;
	if (o->pass_tap) {
		ret = rte_eth_macaddr_get(dp.port_id[0], &mac);
		if (!ret)
			ret = uxdp_tap_open(o->pass_tap, mac.addr_bytes, err, sizeof(err));
		else
			snprintf(err, sizeof(err), "port %u: no MAC address", dp.port_id[0]);
		if (ret < 0) {
			fprintf(stderr, "uxdp: %s\n", err);
			goto out;
		}
		dp.tap_fd = ret;
	}
	ret = uxdp_dp_start(o->dp);
	if (ret) {
		fprintf(stderr, "uxdp: datapath control thread: %s\n", strerror(-ret));
		goto out;
	}
	printf("uxdp: running %u lcore%s on %u port%s; Ctrl-C stops\n", dp.nworkers,
	       dp.nworkers == 1 ? "" : "s", dp.nports, dp.nports == 1 ? "" : "s");
	fflush(stdout);
	rte_eal_mp_remote_launch(lcore_main, o->dp, CALL_MAIN);
	rte_eal_mp_wait_lcore();
	uxdp_dp_finish(o->dp);
	uxdp_dp_print_final(o->dp, stdout);
	print_port_drops();
	ret = 0;
out:
	cleanup();
	return ret;
}
