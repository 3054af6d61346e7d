/* SPDX-License-Identifier: MIT */
/* pool.h - the DPDK driver's mbuf pool (pool.c). */
#ifndef UXDP_DPDK_POOL_H
#define UXDP_DPDK_POOL_H

#include <stdint.h>

struct rte_mempool;

/* rte_pktmbuf_pool_create()'s arguments and result; its memory on
 * transparent huge pages when EAL has no hugepages (pool.c). */
struct rte_mempool *uxdp_dpdk_pool_create(const char *name, unsigned int n, unsigned int cache,
					  uint16_t priv_size, uint16_t room, int socket);

#endif
