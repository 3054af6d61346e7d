// SPDX-License-Identifier: MIT
/*
 * uxdp-nullbase - the DPDK floor under `uxdp --dpdk`: a plain rx-burst/free
 * loop with the same EAL arguments, mbuf pool, queue sizes and burst size as
 * runtime/drivers/dpdk, and no program.  On net_null it measures what the
 * PMD and the mempool cost per packet, which uxdp's figure on net_null
 * includes; uxdp's own overhead is the difference minus the program's cost.
 *
 *   uxdp-nullbase [--seconds S] [--packets N] [--free bulk|one|raw] -- EAL ARGS
 *
 * Stops after S seconds (default 2) or N packets, whichever comes first,
 * and prints "packets P seconds T Mpps M ns/packet X".  --free one frees
 * each mbuf with rte_pktmbuf_free() (what a driver dropping packets one
 * verdict at a time pays), bulk (default) with one rte_pktmbuf_free_bulk()
 * per burst, raw as uxdp's DPDK driver does: rte_pktmbuf_prefree_seg() per
 * mbuf and one rte_mempool_put_bulk() per burst.  Under valgrind, give --packets: the loop itself is then the
 * only thing that scales with N (callgrind --toggle-collect=rx_loop).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

/* The same as runtime/drivers/dpdk/dpdk.c, so the pool and rings match. */
#define BURST 32
#define NB_RXD 1024
#define NB_TXD 1024
#define MEMPOOL_CACHE 256
#define UXDP_HEADROOM 256
#define UXDP_XDP_TAILROOM 320
#define PRIV_SIZE (RTE_PKTMBUF_HEADROOM >= UXDP_HEADROOM ? 0 \
		   : RTE_ALIGN_CEIL(UXDP_HEADROOM - RTE_PKTMBUF_HEADROOM, RTE_MBUF_PRIV_ALIGN))
#define DATA_ROOM (RTE_PKTMBUF_HEADROOM + RTE_MBUF_DEFAULT_DATAROOM + UXDP_XDP_TAILROOM)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Not inlined, so that callgrind can count exactly this loop.  The clock is
 * read once per 1024 bursts: often enough to stop on time, too rarely to
 * show in the per-packet figure.
 */
enum free_mode { FREE_BULK, FREE_ONE, FREE_RAW };

static __attribute__((noinline)) uint64_t rx_loop(uint16_t port, struct rte_mempool *pool,
						  uint64_t max_pkts, double seconds,
						  enum free_mode mode)
{
	struct rte_mbuf *gone[BURST], *m;
	unsigned int ngone;
	struct rte_mbuf *pkts[BURST];
	double end = now() + seconds;
	uint64_t total = 0;
	unsigned int spins = 0;
	uint16_t n, i;

	while (total < max_pkts) {
		n = rte_eth_rx_burst(port, 0, pkts, BURST);
		switch (mode) {
		case FREE_BULK:
			rte_pktmbuf_free_bulk(pkts, n);
			break;
		case FREE_ONE:
			for (i = 0; i < n; i++)
				rte_pktmbuf_free(pkts[i]);
			break;
		case FREE_RAW:
			for (i = 0, ngone = 0; i < n; i++) {
				m = rte_pktmbuf_prefree_seg(pkts[i]);
				if (m && m->pool == pool)
					gone[ngone++] = m;
				else if (m)
					rte_mempool_put(m->pool, m);
			}
			if (ngone)
				rte_mempool_put_bulk(pool, (void **)gone, ngone);
			break;
		}
		total += n;
		if (!(++spins & 1023) && now() >= end)
			break;
	}
	return total;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "packets", required_argument, NULL, 'n' },
		{ "free", required_argument, NULL, 'f' },
		{ 0 }
	};
	struct rte_eth_conf conf = { 0 };
	uint16_t port = 0, nb_rxd = NB_RXD, nb_txd = NB_TXD;
	uint64_t max_pkts = UINT64_MAX, got;
	double seconds = 2, t0, t;
	struct rte_mempool *pool;
	unsigned int nmbufs;
	enum free_mode mode = FREE_BULK;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			seconds = atof(optarg);
			break;
		case 'n':
			max_pkts = strtoull(optarg, NULL, 0);
			break;
		case 'f':
			if (!strcmp(optarg, "bulk")) {
				mode = FREE_BULK;
			} else if (!strcmp(optarg, "one")) {
				mode = FREE_ONE;
			} else if (!strcmp(optarg, "raw")) {
				mode = FREE_RAW;
			} else {
				fprintf(stderr, "uxdp-nullbase: --free bulk|one|raw\n");
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: uxdp-nullbase [--seconds S] [--packets N] "
					"[--free bulk|one|raw] -- EAL ARGS\n");
			return 2;
		}
	}
	/* rte_eal_init() wants a program name in argv[0]. */
	argv[optind - 1] = argv[0];
	ret = rte_eal_init(argc - optind + 1, argv + optind - 1);
	if (ret < 0) {
		fprintf(stderr, "uxdp-nullbase: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (!rte_eth_dev_count_avail()) {
		fprintf(stderr, "uxdp-nullbase: no port (--vdev net_null0)\n");
		return 1;
	}
	nmbufs = RTE_MAX(NB_RXD + NB_TXD + BURST + MEMPOOL_CACHE + BURST, 8192);
	pool = rte_pktmbuf_pool_create("nb_mbufs", nmbufs, MEMPOOL_CACHE, PRIV_SIZE, DATA_ROOM,
				       rte_socket_id());
	if (!pool) {
		fprintf(stderr, "uxdp-nullbase: mbuf pool: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (!ret)
		ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
	if (!ret)
		ret = rte_eth_rx_queue_setup(port, 0, nb_rxd, rte_eth_dev_socket_id(port), NULL,
					     pool);
	if (!ret)
		ret = rte_eth_tx_queue_setup(port, 0, nb_txd, rte_eth_dev_socket_id(port), NULL);
	if (!ret)
		ret = rte_eth_dev_start(port);
	if (ret) {
		fprintf(stderr, "uxdp-nullbase: port setup: %s\n", strerror(-ret));
		return 1;
	}
	rte_eth_promiscuous_enable(port);
	t0 = now();
	got = rx_loop(port, pool, max_pkts, seconds, mode);
	t = now() - t0;
	printf("packets %llu seconds %.3f Mpps %.3f ns/packet %.2f\n", (unsigned long long)got, t,
	       got / t / 1e6, got ? t * 1e9 / got : 0);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return 0;
}
