// SPDX-License-Identifier: MIT
/*
 * pool.c - the driver's mbuf pool, on transparent huge pages when EAL has
 * no hugepages.
 *
 * Without hugepages (`--no-huge`, the only way DPDK runs in a container or
 * on a machine nobody reserved hugepages on) EAL backs its memory with a
 * memfd of 4 KiB pages, and shared-memory THP is off by default
 * (transparent_hugepage/shmem_enabled = never).  An mbuf is about 2.7 KiB,
 * so every frame a worker touches is on a page of its own: a pool of tens
 * of thousands of mbufs (net_pcap's infinite_rx keeps its whole capture in
 * it) misses the TLB on every frame, and two workers walking page tables
 * share the caches both walks go through.  Anonymous memory takes THP on
 * madvise(MADV_HUGEPAGE) (the kernel default `madvise` mode), so the pool's
 * objects are laid out there instead: the same mempool and mbufs
 * (rte_pktmbuf_pool_create's steps, with the memory ours), 2 MiB pages
 * when the kernel has them, 4 KiB ones otherwise.
 *
 * Only in IOVA-as-VA mode: the memory is then one chunk, which the
 * af_xdp PMD needs (it registers the pool's memory as its umem from the
 * first chunk); in PA mode, or with hugepages, or with UXDP_DPDK_POOL=eal
 * in the environment, the pool is DPDK's own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>
#include <rte_mempool.h>

#include "pool.h"

#define THP_SIZE (2u << 20)

/* The one mapping under the pool: freed with the pool's last chunk. */
static struct {
	void *addr;
	size_t len;
} area;

static void area_free(struct rte_mempool_memhdr *memhdr, void *opaque)
{
	(void)memhdr;
	(void)opaque;
	if (area.addr)
		munmap(area.addr, area.len);
	area.addr = NULL;
}

/* len bytes at a THP_SIZE boundary, asked to be backed by huge pages. */
static void *area_map(size_t len)
{
	size_t over = len + THP_SIZE, head;
	char *p = mmap(NULL, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	head = (size_t)((char *)RTE_PTR_ALIGN_CEIL(p, THP_SIZE) - p);
	if (head)
		munmap(p, head);
	if (over - head > len)
		munmap(p + head + len, over - head - len);
	/* Advice only: without THP the pool still works on 4 KiB pages. */
	madvise(p + head, len, MADV_HUGEPAGE);
	area.addr = p + head;
	area.len = len;
	return area.addr;
}

static struct rte_mempool *pool_on_thp(const char *name, unsigned int n, unsigned int cache,
				       uint16_t priv_size, uint16_t room, int socket)
{
	struct rte_pktmbuf_pool_private priv = { .mbuf_data_room_size = room,
						 .mbuf_priv_size = priv_size };
	unsigned int elt = sizeof(struct rte_mbuf) + priv_size + room;
	struct rte_mempool *mp;
	size_t obj, len;
	void *mem;
	int ret;

	/* IOVA-as-VA: an mbuf is contiguous wherever it lies, so objects are
	 * packed end to end (DPDK's own pool on 4 KiB pages keeps each one
	 * within a page: one 2.8 KiB mbuf per page). */
	mp = rte_mempool_create_empty(name, n, elt, cache, sizeof(priv), socket,
				      RTE_MEMPOOL_F_NO_IOVA_CONTIG);
	if (!mp)
		return NULL;
	ret = rte_mempool_set_ops_byname(mp, rte_mbuf_best_mempool_ops(), NULL);
	if (ret)
		goto fail;
	rte_pktmbuf_pool_init(mp, &priv);
	obj = mp->header_size + mp->elt_size + mp->trailer_size;
	len = RTE_ALIGN_CEIL((size_t)n * obj, (size_t)THP_SIZE);
	mem = area_map(len);
	if (!mem) {
		ret = -errno;
		goto fail;
	}
	ret = rte_mempool_populate_virt(mp, mem, len, THP_SIZE, area_free, NULL);
	if (ret < 0)
		goto fail;
	if (mp->populated_size != n || mp->nb_mem_chunks != 1) {
		ret = -ENOMEM;
		goto fail;
	}
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);
	return mp;
fail:
	rte_mempool_free(mp);
	area_free(NULL, NULL);
	rte_errno = ret < 0 ? -ret : ret;
	return NULL;
}

struct rte_mempool *uxdp_dpdk_pool_create(const char *name, unsigned int n, unsigned int cache,
					  uint16_t priv_size, uint16_t room, int socket)
{
	const char *env = getenv("UXDP_DPDK_POOL");
	struct rte_mempool *mp;

	if (!rte_eal_has_hugepages() && rte_eal_iova_mode() == RTE_IOVA_VA &&
	    !(env && !strcmp(env, "eal"))) {
		mp = pool_on_thp(name, n, cache, priv_size, room, socket);
		if (mp)
			return mp;
	}
	return rte_pktmbuf_pool_create(name, n, cache, priv_size, room, socket);
}
