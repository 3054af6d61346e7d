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

#include <uxdp/map.h>
#include <uxdp/net_driver.h>
#include <uxdp/worker.h>

#include "net.h"

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
	uxdp_prog_fn fn;
	int tap_fd;
	struct uxdp_net_stats *stats;
	/* [worker][port]: each lcore buffers for its own queue of each port */
	struct rte_eth_dev_tx_buffer *txb[UXDP_NET_MAX_WORKERS][UXDP_NET_MAX_PORTS];
};

static struct dpdk dp = { .tap_fd = -1 };

static void tx_unsent(struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	uxdp_net_add(arg, n);
	rte_pktmbuf_free_bulk(pkts, n);
}

static int port_of(uint32_t ifindex)
{
	unsigned int p;

	for (p = 0; p < dp.nports; p++)
		if (dp.ifindex[p] == ifindex)
			return p;
	return -1;
}

/*
 * One lcore's per-packet state, kept across packets so that the hot path
 * writes only what changes per frame.
 */
struct lcore {
	unsigned int wi;
	struct uxdp_worker uw;
	struct uxdp_xsk_cache xsk;
	/*
	 * The program's ctx.  ingress_ifindex is set per burst, rx_queue_index
	 * and worker once; egress_ifindex stays 0 (XDP programs only read
	 * xdp_md, the helpers write only data, data_meta and data_end).
	 */
	struct uxdp_ctx ctx;
	/*
	 * Verdict counters: plain, as only this lcore touches them, copied to
	 * dp.stats[wi] every drain period (uxdp_net_stats_flush()) instead of
	 * two relaxed read-modify-writes of shared memory per packet.
	 */
	struct uxdp_stats cnt;
	/* Frames done with in this burst, returned to dp.pool in one put. */
	unsigned int ngone;
	struct rte_mbuf *gone[UXDP_NET_BATCH];
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

/* The verdicts other than XDP_DROP: off the hot path of drop-only programs. */
static __attribute__((noinline)) void act(struct lcore *lc, struct rte_mbuf *m, unsigned int p,
					  enum uxdp_verdict v)
{
	struct uxdp_net_stats *st = &dp.stats[lc->wi];
	struct uxdp_redirect *r = &lc->uw.redirect;
	struct uxdp_ctx *ctx = &lc->ctx;
	uint8_t *buf = m->buf_addr;
	uint32_t len, target;
	int q = -1;

	len = ctx->data_end > ctx->data ? ctx->data_end - ctx->data : 0;
	switch (v) {
	case UXDP_TX:
		q = p;
		break;
	case UXDP_REDIRECT:
		if (uxdp_net_redirect_local(st, &lc->xsk, dp.tap_fd, r, ctx->data, len)) {
			uxdp_redirect_clear(r);
			break;
		}
		if (!uxdp_net_redirect_ifindex(r, &target))
			q = port_of(target);
		uxdp_redirect_clear(r);
		if (q < 0)
			uxdp_net_add(&st->tx_drop, 1);
		break;
	case UXDP_PASS:
		uxdp_net_pass(st, dp.tap_fd, ctx->data, len);
		break;
	default:
		break;
	}
	if (q < 0) {
		recycle(lc, m);
		return;
	}
	/* adjust_head beyond the mbuf's own headroom: move the packet into the buffer. */
	if (unlikely(ctx->data < buf)) {
		memmove(buf, ctx->data, len);
		ctx->data = buf;
	}
	m->data_off = ctx->data - buf;
	m->data_len = len;
	m->pkt_len = len;
	rte_eth_tx_buffer(dp.port_id[q], lc->wi, dp.txb[lc->wi][q], m);
}

static __rte_always_inline void run_one(struct lcore *lc, struct rte_mbuf *m, unsigned int p)
{
	struct uxdp_ctx *ctx = &lc->ctx;
	uint8_t *buf = m->buf_addr;
	uint8_t *data = buf + m->data_off;
	uint32_t dlen = rte_pktmbuf_data_len(m), r0;
	enum uxdp_verdict v;

	/* Scatter is off, so a chained mbuf is a PMD surprise the program cannot see whole. */
	if (unlikely(m->nb_segs != 1)) {
		lc->cnt.packets[UXDP_ABORTED]++;
		lc->cnt.bytes[UXDP_ABORTED] += rte_pktmbuf_pkt_len(m);
		rte_pktmbuf_free(m);
		return;
	}
	ctx->data_hard_start = buf - PRIV_SIZE;
	ctx->data = data;
	ctx->data_meta = data;
	ctx->data_end = data + dlen;
	ctx->frame_end = buf + m->buf_len;
	/* The tail-call state of the last run; tail_call_ret is only read once tail_called is set. */
	ctx->tail_call_cnt = 0;
	ctx->tail_called = 0;
	r0 = (uint32_t)dp.fn(ctx);
	/*
	 * Nothing to look at for a drop, and the redirect state is only set
	 * by XDP_REDIRECT's helpers; a constant index also saves the
	 * verdict's bounds check and indexing.
	 */
	if (likely(r0 == UXDP_DROP)) {
		lc->cnt.packets[UXDP_DROP]++;
		lc->cnt.bytes[UXDP_DROP] += dlen;
		recycle(lc, m);
		return;
	}
	v = uxdp_net_verdict(r0);
	lc->cnt.packets[v]++;
	lc->cnt.bytes[v] += dlen;
	act(lc, m, p, v);
}

/* Frames the kernel sent on the TAP leave through port 0. */
static void tap_poll(unsigned int wi)
{
	unsigned int n;

	for (n = 0; n < UXDP_NET_BATCH; n++) {
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
		uxdp_net_add(&dp.stats[wi].tap_out, 1);
		rte_eth_tx_buffer(dp.port_id[0], wi, dp.txb[wi][0], m);
	}
}

static int lcore_main(void *arg)
{
	const uint64_t drain = (rte_get_tsc_hz() + US_PER_S - 1) / US_PER_S * DRAIN_US;
	unsigned int wi = rte_lcore_index(-1), p, i, idle = 0;
	bool main_lcore = rte_lcore_id() == rte_get_main_lcore();
	struct rte_mbuf *pkts[UXDP_NET_BATCH];
	struct uxdp_net_ticker ticker;
	struct lcore *lc;
	uint64_t prev = rte_rdtsc(), cur, published = prev;
	const uint64_t publish_every = rte_get_tsc_hz() / 10;
	uint16_t n;

	/* Cache-aligned and on this lcore's socket; its counters are hot. */
	lc = rte_zmalloc_socket("uxdp_lcore", sizeof(*lc), RTE_CACHE_LINE_SIZE, rte_socket_id());
	if (!lc) {
		fprintf(stderr, "uxdp: lcore %u: too little memory\n", rte_lcore_id());
		__atomic_store_n(&uxdp_net_quit, 1, __ATOMIC_RELAXED);
		return -ENOMEM;
	}
	lc->wi = wi;
	uxdp_worker_init(&lc->uw, wi);
	uxdp_worker_set_current(&lc->uw);
	uxdp_this_cpu = wi;
	lc->ctx.rx_queue_index = wi;
	lc->ctx.worker = &lc->uw;
	uxdp_net_ticker_init(&ticker);
	while (!uxdp_net_stopping()) {
		unsigned int got = 0;

		cur = rte_rdtsc();
		if (unlikely(cur - prev > drain)) {
			uxdp_net_stats_flush(&dp.stats[wi], &lc->cnt);
			if (wi == 0 && dp.tap_fd >= 0)
				tap_poll(wi);
			for (p = 0; p < dp.nports; p++)
				rte_eth_tx_buffer_flush(dp.port_id[p], wi, dp.txb[wi][p]);
			if (main_lcore && dp.o->show_stats)
				uxdp_net_tick(&ticker, dp.stats, dp.nworkers);
			if (main_lcore && dp.o->publish && cur - published > publish_every) {
				uxdp_net_publish(dp.o->publish, dp.stats, dp.nworkers);
				published = cur;
			}
			prev = cur;
		}
		for (p = 0; p < dp.nports; p++) {
			n = rte_eth_rx_burst(dp.port_id[p], wi, pkts, UXDP_NET_BATCH);
			if (!n)
				continue;
			lc->ctx.ingress_ifindex = dp.ifindex[p];
			for (i = 0; i < n; i++) {
				if (i + 1 < n)
					rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
				run_one(lc, pkts[i], p);
			}
			recycle_flush(lc);
			got += n;
		}
		/* Idle lcores nap a little so that they do not starve their neighbours. */
		if (got)
			idle = 0;
		else if (++idle > IDLE_SPINS)
			rte_delay_us_sleep(IDLE_NAP_US);
	}
	for (p = 0; p < dp.nports; p++)
		rte_eth_tx_buffer_flush(dp.port_id[p], wi, dp.txb[wi][p]);
	uxdp_net_stats_flush(&dp.stats[wi], &lc->cnt);
	uxdp_xsk_cache_close(&lc->xsk);
	uxdp_worker_set_current(NULL);
	rte_free(lc);
	return 0;
}

static int port_init(unsigned int p)
{
	uint16_t port = dp.port_id[p], nb_rxd = NB_RXD, nb_txd = NB_TXD;
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
		dp.txb[w][p] = rte_zmalloc_socket("uxdp_txb", RTE_ETH_TX_BUFFER_SIZE(UXDP_NET_BATCH),
						  0, rte_eth_dev_socket_id(port));
		if (!dp.txb[w][p]) {
			fprintf(stderr, "uxdp: too little memory for TX buffers\n");
			return -ENOMEM;
		}
		rte_eth_tx_buffer_init(dp.txb[w][p], UXDP_NET_BATCH);
		rte_eth_tx_buffer_set_err_callback(dp.txb[w][p], tx_unsent, &dp.stats[w].tx_drop);
	}
	ret = rte_eth_dev_start(port);
	if (ret) {
		fprintf(stderr, "uxdp: port %u (%s): cannot start: %s\n", port, name, strerror(-ret));
		return ret;
	}
	dp.started[p] = true;
	/* Like the kernel, whose XDP sees every frame the port receives. */
	rte_eth_promiscuous_enable(port);
	printf("uxdp: port %u (%s): ifindex %u, %u queue pair%s\n", port, name, dp.ifindex[p],
	       dp.nworkers, dp.nworkers == 1 ? "" : "s");
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
	free(dp.stats);
	rte_eal_cleanup();
}

int uxdp_dpdk_run(const struct uxdp_net_opts *o)
{
	struct rte_ether_addr mac;
	unsigned int nmbufs, p = 0;
	uint16_t port;
	double start;
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
	dp.stats = aligned_alloc(64, dp.nworkers * sizeof(*dp.stats));
	if (!dp.stats) {
		fprintf(stderr, "uxdp: too little memory\n");
		ret = -ENOMEM;
		goto out;
	}
	memset(dp.stats, 0, dp.nworkers * sizeof(*dp.stats));
	nmbufs = dp.nports * dp.nworkers * (NB_RXD + NB_TXD + UXDP_NET_BATCH) +
		 dp.nworkers * (MEMPOOL_CACHE + UXDP_NET_BATCH);
	nmbufs = RTE_MAX(nmbufs, 8192u);
	dp.pool = rte_pktmbuf_pool_create("uxdp_mbufs", nmbufs, MEMPOOL_CACHE, PRIV_SIZE, DATA_ROOM,
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
	}
	ret = o->open_prog(dp.nworkers, &dp.fn, o->open_arg);
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
	ret = uxdp_net_signals();
	if (ret) {
		fprintf(stderr, "uxdp: signal handler: %s\n", strerror(-ret));
		goto out;
	}
	printf("uxdp: running %u lcore%s on %u port%s; Ctrl-C stops\n", dp.nworkers,
	       dp.nworkers == 1 ? "" : "s", dp.nports, dp.nports == 1 ? "" : "s");
	fflush(stdout);
	start = uxdp_net_now();
	rte_eal_mp_remote_launch(lcore_main, NULL, CALL_MAIN);
	rte_eal_mp_wait_lcore();
	uxdp_net_publish(o->publish, dp.stats, dp.nworkers);
	uxdp_net_print_final(stdout, dp.stats, dp.nworkers, uxdp_net_now() - start);
	ret = 0;
out:
	cleanup();
	return ret;
}
