// SPDX-License-Identifier: MIT
/*
 * fib.c - the userspace FIB (uxdp/fib.h) and the lookup behind
 * bpf_fib_lookup().
 *
 * Native only: the table and its lock are process-wide, so a program that
 * inlines the fib_lookup helper calls uxdp_fib_lookup() here.  Tables are
 * small arrays scanned linearly under a reader lock: adequate for the
 * hundreds of routes a test or a small router holds, not for a full BGP
 * table.
 *
 * uxdp_fib_lookup() follows bpf_ipv4_fib_lookup() and bpf_ipv6_fib_lookup()
 * of Linux 6.18 (net/core/filter.c) step by step, with check_mtu true as
 * for XDP; each step below names what it stands for.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <uxdp/fib.h>
#include <uxdp/opts_import.h>

#include "helpers_impl.h"

struct uxdp_fib {
	pthread_rwlock_t lock;
	struct uxdp_fib_iface *ifs;
	struct uxdp_fib_route *rts;
	struct uxdp_fib_neigh *nbs;
	size_t nifs, nrts, nnbs;
	size_t cap_ifs, cap_rts, cap_nbs;
};

static struct uxdp_fib *default_fib;

struct uxdp_fib *uxdp_fib_new(void)
{
	struct uxdp_fib *fib = calloc(1, sizeof(*fib));

	if (fib && pthread_rwlock_init(&fib->lock, NULL)) {
		free(fib);
		return NULL;
	}
	return fib;
}

void uxdp_fib_free(struct uxdp_fib *fib)
{
	if (!fib)
		return;
	pthread_rwlock_destroy(&fib->lock);
	free(fib->ifs);
	free(fib->rts);
	free(fib->nbs);
	free(fib);
}

void uxdp_fib_set_default(struct uxdp_fib *fib)
{
	__atomic_store_n(&default_fib, fib, __ATOMIC_RELEASE);
}

struct uxdp_fib *uxdp_fib_get_default(void)
{
	return __atomic_load_n(&default_fib, __ATOMIC_ACQUIRE);
}

static size_t addr_len(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

/* Make room for one more element of size sz in *arr. */
static int grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	void *p;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*arr, ncap * sz);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* Set, under the write lock: replace the element same() matches, or append. */
#define FIB_SET(fib, arr, n, cap, elem, same)                                          \
	({                                                                             \
		size_t i_;                                                             \
		int err_ = 0;                                                          \
		pthread_rwlock_wrlock(&(fib)->lock);                                   \
		for (i_ = 0; i_ < (fib)->n; i_++)                                      \
			if (same(&(fib)->arr[i_], (elem)))                             \
				break;                                                 \
		if (i_ == (fib)->n)                                                    \
			err_ = grow((void **)&(fib)->arr, &(fib)->cap, (fib)->n,       \
				    sizeof(*(fib)->arr));                              \
		if (!err_) {                                                           \
			(fib)->arr[i_] = *(elem);                                      \
			if (i_ == (fib)->n)                                            \
				(fib)->n++;                                            \
		}                                                                      \
		pthread_rwlock_unlock(&(fib)->lock);                                   \
		err_;                                                                  \
	})

#define FIB_DEL(fib, arr, n, elem, same)                                               \
	({                                                                             \
		size_t i_;                                                             \
		int err_ = -ENOENT;                                                    \
		pthread_rwlock_wrlock(&(fib)->lock);                                   \
		for (i_ = 0; i_ < (fib)->n; i_++) {                                    \
			if (same(&(fib)->arr[i_], (elem))) {                           \
				(fib)->arr[i_] = (fib)->arr[--(fib)->n];               \
				err_ = 0;                                              \
				break;                                                 \
			}                                                              \
		}                                                                      \
		pthread_rwlock_unlock(&(fib)->lock);                                   \
		err_;                                                                  \
	})

static int same_iface(const struct uxdp_fib_iface *a, const struct uxdp_fib_iface *b)
{
	return a->ifindex == b->ifindex;
}

/* Whether addr lies in prefix/plen (network byte order). */
static int prefix_match(const uint8_t *addr, const uint8_t *prefix, unsigned int plen)
{
	unsigned int bytes = plen / 8, bits = plen % 8;

	if (memcmp(addr, prefix, bytes))
		return 0;
	if (!bits)
		return 1;
	return !((addr[bytes] ^ prefix[bytes]) & (uint8_t)(0xff00 >> bits));
}

static uint32_t route_table(const struct uxdp_fib_route *r)
{
	return r->table ? r->table : UXDP_FIB_TABLE_MAIN;
}

static int same_route(const struct uxdp_fib_route *a, const struct uxdp_fib_route *b)
{
	return a->family == b->family && route_table(a) == route_table(b) &&
	       a->prefix_len == b->prefix_len && a->metric == b->metric &&
	       prefix_match(a->dst, b->dst, a->prefix_len);
}

static int same_neigh(const struct uxdp_fib_neigh *a, const struct uxdp_fib_neigh *b)
{
	return a->ifindex == b->ifindex && a->family == b->family &&
	       !memcmp(a->addr, b->addr, addr_len(a->family));
}

/*
 * Every entry point copies the caller's struct into one of our size first
 * (uxdp/opts.h): a caller built with another header is read right, and the
 * tables hold only our own layout.
 */
int uxdp_fib_set_iface(struct uxdp_fib *fib, const struct uxdp_fib_iface *ifc)
{
	struct uxdp_fib_iface c;
	int err = UXDP_OPTS_IMPORT(&c, ifc);

	if (err)
		return err;
	if (!c.ifindex)
		return -EINVAL;
	return FIB_SET(fib, ifs, nifs, cap_ifs, &c, same_iface);
}

int uxdp_fib_del_iface(struct uxdp_fib *fib, uint32_t ifindex)
{
	struct uxdp_fib_iface key = { .sz = sizeof(key), .ifindex = ifindex };

	return FIB_DEL(fib, ifs, nifs, &key, same_iface);
}

int uxdp_fib_add_route(struct uxdp_fib *fib, const struct uxdp_fib_route *rt)
{
	struct uxdp_fib_route c;
	int err = UXDP_OPTS_IMPORT(&c, rt);

	if (err)
		return err;
	if ((c.family != AF_INET && c.family != AF_INET6) ||
	    c.prefix_len > addr_len(c.family) * 8 || c.type > UXDP_RT_LOCAL)
		return -EINVAL;
	if (c.type == UXDP_RT_UNICAST && !c.oif)
		return -EINVAL;
	return FIB_SET(fib, rts, nrts, cap_rts, &c, same_route);
}

int uxdp_fib_del_route(struct uxdp_fib *fib, const struct uxdp_fib_route *rt)
{
	struct uxdp_fib_route c;
	int err = UXDP_OPTS_IMPORT(&c, rt);

	return err ? err : FIB_DEL(fib, rts, nrts, &c, same_route);
}

int uxdp_fib_set_neigh(struct uxdp_fib *fib, const struct uxdp_fib_neigh *nb)
{
	struct uxdp_fib_neigh c;
	int err = UXDP_OPTS_IMPORT(&c, nb);

	if (err)
		return err;
	if (c.family != AF_INET && c.family != AF_INET6)
		return -EINVAL;
	return FIB_SET(fib, nbs, nnbs, cap_nbs, &c, same_neigh);
}

int uxdp_fib_del_neigh(struct uxdp_fib *fib, const struct uxdp_fib_neigh *nb)
{
	struct uxdp_fib_neigh c;
	int err = UXDP_OPTS_IMPORT(&c, nb);

	return err ? err : FIB_DEL(fib, nbs, nnbs, &c, same_neigh);
}

/* ---- lookup, under the read lock ---- */

static const struct uxdp_fib_iface *iface_get(const struct uxdp_fib *fib, uint32_t ifindex)
{
	size_t i;

	for (i = 0; i < fib->nifs; i++)
		if (fib->ifs[i].ifindex == ifindex)
			return &fib->ifs[i];
	return NULL;
}

/* The kernel's local table: a destination that is our own address. */
static int is_local(const struct uxdp_fib *fib, uint8_t family, const uint8_t *dst)
{
	size_t i;

	for (i = 0; i < fib->nifs; i++) {
		const struct uxdp_fib_iface *f = &fib->ifs[i];

		if (family == AF_INET ? f->has_addr4 && !memcmp(f->addr4, dst, 4)
				      : f->has_addr6 && !memcmp(f->addr6, dst, 16))
			return 1;
	}
	return 0;
}

/*
 * fib_table_lookup() / fib6_table_lookup(): the longest matching prefix,
 * then the lowest metric.  strict_oif (IPv4 with BPF_FIB_LOOKUP_OUTPUT)
 * skips unicast routes through another interface, as fib_lookup_good_nhc();
 * pref_oif (IPv6) only breaks ties, as rt6_score_route().
 */
static const struct uxdp_fib_route *route_find(const struct uxdp_fib *fib, uint8_t family,
					       uint32_t table, const uint8_t *dst,
					       uint32_t strict_oif, uint32_t pref_oif)
{
	const struct uxdp_fib_route *best = NULL;
	size_t i;

	for (i = 0; i < fib->nrts; i++) {
		const struct uxdp_fib_route *r = &fib->rts[i];

		if (r->family != family || route_table(r) != table ||
		    !prefix_match(dst, r->dst, r->prefix_len))
			continue;
		if (strict_oif && r->type == UXDP_RT_UNICAST && r->oif != strict_oif)
			continue;
		if (best && (r->prefix_len < best->prefix_len ||
			     (r->prefix_len == best->prefix_len &&
			      (r->metric > best->metric ||
			       (r->metric == best->metric &&
				!(pref_oif && r->oif == pref_oif && best->oif != pref_oif))))))
			continue;
		best = r;
	}
	return best;
}

static const struct uxdp_fib_neigh *neigh_get(const struct uxdp_fib *fib, uint32_t ifindex,
					      uint8_t family, const uint8_t *addr)
{
	size_t i;

	for (i = 0; i < fib->nnbs; i++) {
		const struct uxdp_fib_neigh *n = &fib->nbs[i];

		if (n->ifindex == ifindex && n->family == family &&
		    !memcmp(n->addr, addr, addr_len(family)))
			return n;
	}
	return NULL;
}

static int route_result(const struct uxdp_fib_route *rt)
{
	if (!rt)
		return BPF_FIB_LKUP_RET_NOT_FWDED;
	switch (rt->type) {
	case UXDP_RT_UNICAST:
		return BPF_FIB_LKUP_RET_SUCCESS;
	case UXDP_RT_BLACKHOLE:
		return BPF_FIB_LKUP_RET_BLACKHOLE;
	case UXDP_RT_UNREACHABLE:
		return BPF_FIB_LKUP_RET_UNREACHABLE;
	case UXDP_RT_PROHIBIT:
		return BPF_FIB_LKUP_RET_PROHIBIT;
	default:
		return BPF_FIB_LKUP_RET_NOT_FWDED;
	}
}

/* The table to search, or 0 when BPF_FIB_LOOKUP_TBID names none we know. */
static uint32_t pick_table(const struct uxdp_fib *fib, struct bpf_fib_lookup *p, uint32_t flags)
{
	uint32_t tbid = UXDP_FIB_TABLE_MAIN;
	size_t i;

	if ((flags & BPF_FIB_LOOKUP_DIRECT) && (flags & BPF_FIB_LOOKUP_TBID)) {
		tbid = p->tbid;
		p->tbid = 0; /* the kernel zeroes it: it overlays the VLAN output */
		/* fib_get_table(): a table exists once a route was put in it. */
		for (i = 0; i < fib->nrts; i++)
			if (route_table(&fib->rts[i]) == tbid)
				return tbid;
		return 0;
	}
	return tbid;
}

/* bpf_fib_set_fwd_params() */
static int fwd_params(struct bpf_fib_lookup *p, uint32_t mtu)
{
	p->h_vlan_TCI = 0;
	p->h_vlan_proto = 0;
	if (mtu)
		p->mtu_result = (uint16_t)mtu;
	return BPF_FIB_LKUP_RET_SUCCESS;
}

/* An interface's MTU: 0 in its description is 1500. */
static uint32_t iface_mtu(const struct uxdp_fib_iface *dev)
{
	return dev->mtu ? dev->mtu : 1500;
}

static uint32_t route_mtu(const struct uxdp_fib_route *rt, const struct uxdp_fib_iface *dev)
{
	return rt->mtu ? rt->mtu : iface_mtu(dev);
}

static int lookup4(const struct uxdp_fib *fib, struct bpf_fib_lookup *p, uint32_t flags)
{
	const struct uxdp_fib_iface *dev;
	const struct uxdp_fib_route *rt;
	const struct uxdp_fib_neigh *nb;
	uint8_t dst[16] = { 0 };
	uint32_t tbid, mtu;
	int ret;

	/* dev_get_by_index_rcu(), then IN_DEV_FORWARD() */
	dev = iface_get(fib, p->ifindex);
	if (!dev)
		return -ENODEV;
	if (!dev->fwd_ipv4)
		return BPF_FIB_LKUP_RET_FWD_DISABLED;

	memcpy(dst, &p->ipv4_dst, 4);
	/*
	 * Without policy rules (there are none here) the kernel merges IPv4's
	 * local table into main (fib_trie: one trie for both), so a lookup in
	 * main, DIRECT or not, sees local addresses; 255 shares the same trie.
	 */
	if ((flags & BPF_FIB_LOOKUP_DIRECT) && (flags & BPF_FIB_LOOKUP_TBID) &&
	    p->tbid == 255 /* RT_TABLE_LOCAL */)
		p->tbid = UXDP_FIB_TABLE_MAIN;
	tbid = pick_table(fib, p, flags);
	if (!tbid)
		return BPF_FIB_LKUP_RET_NOT_FWDED;
	if (tbid == UXDP_FIB_TABLE_MAIN && is_local(fib, AF_INET, dst))
		return BPF_FIB_LKUP_RET_NOT_FWDED;
	rt = route_find(fib, AF_INET, tbid, dst,
			flags & BPF_FIB_LOOKUP_OUTPUT ? p->ifindex : 0, 0);
	/* fib_props[type].error mapped to RTN_ codes; then res.type != RTN_UNICAST */
	ret = route_result(rt);
	if (ret)
		return ret;

	/* A nexthop device that does not exist is a dead nexthop: no route. */
	dev = iface_get(fib, rt->oif);
	if (!dev)
		return BPF_FIB_LKUP_RET_NOT_FWDED;
	/* check_mtu: ip_mtu_from_fib_result() */
	mtu = route_mtu(rt, dev);
	if (p->tot_len > mtu) {
		p->mtu_result = (uint16_t)mtu;
		return BPF_FIB_LKUP_RET_FRAG_NEEDED;
	}

	p->rt_metric = rt->metric;
	p->ifindex = rt->oif;

	if (flags & BPF_FIB_LOOKUP_SRC) {
		if (rt->has_prefsrc)
			memcpy(&p->ipv4_src, rt->prefsrc, 4);
		else if (dev->has_addr4) /* inet_select_addr() */
			memcpy(&p->ipv4_src, dev->addr4, 4);
		else
			return BPF_FIB_LKUP_RET_NO_SRC_ADDR;
	}
	if (rt->has_gw)
		memcpy(&p->ipv4_dst, rt->gw, 4);

	if (flags & BPF_FIB_LOOKUP_SKIP_NEIGH)
		return fwd_params(p, mtu);

	/* __ipv4_neigh_lookup_noref() and NUD_VALID */
	nb = neigh_get(fib, dev->ifindex, AF_INET, (const uint8_t *)&p->ipv4_dst);
	if (!nb)
		return BPF_FIB_LKUP_RET_NO_NEIGH;
	memcpy(p->dmac, nb->mac, 6);
	memcpy(p->smac, dev->mac, 6);
	return fwd_params(p, mtu);
}

/* rt6_need_strict(): multicast, link-local and loopback are not routed. */
static int need_strict6(const uint8_t *a)
{
	static const uint8_t loopback[16] = { [15] = 1 };

	return a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
	       !memcmp(a, loopback, 16);
}

static int lookup6(const struct uxdp_fib *fib, struct bpf_fib_lookup *p, uint32_t flags)
{
	const struct uxdp_fib_iface *dev;
	const struct uxdp_fib_route *rt;
	const struct uxdp_fib_neigh *nb;
	uint8_t dst[16], src[16];
	uint32_t tbid, mtu;
	int ret;

	memcpy(dst, p->ipv6_dst, 16);
	memcpy(src, p->ipv6_src, 16);
	if (need_strict6(dst) || need_strict6(src))
		return BPF_FIB_LKUP_RET_NOT_FWDED;

	/* dev_get_by_index_rcu(), then idev->cnf.forwarding */
	dev = iface_get(fib, p->ifindex);
	if (!dev)
		return -ENODEV;
	if (!dev->fwd_ipv6)
		return BPF_FIB_LKUP_RET_FWD_DISABLED;

	if (!(flags & BPF_FIB_LOOKUP_DIRECT) && is_local(fib, AF_INET6, dst))
		return BPF_FIB_LKUP_RET_NOT_FWDED;
	tbid = pick_table(fib, p, flags);
	if (!tbid)
		return BPF_FIB_LKUP_RET_NOT_FWDED;
	rt = route_find(fib, AF_INET6, tbid, dst, 0, p->ifindex);
	/* fib6_null_entry, then the switch on res.fib6_type */
	ret = route_result(rt);
	if (ret)
		return ret;
	dev = iface_get(fib, rt->oif);
	if (!dev)
		return BPF_FIB_LKUP_RET_NOT_FWDED;

	/* IPv6 rewrites dst, metric and ifindex before its MTU check. */
	if (rt->has_gw)
		memcpy(p->ipv6_dst, rt->gw, 16);
	p->rt_metric = rt->metric;
	p->ifindex = rt->oif;

	if (flags & BPF_FIB_LOOKUP_SRC) {
		if (rt->has_prefsrc)
			memcpy(p->ipv6_src, rt->prefsrc, 16);
		else if (dev->has_addr6) /* ipv6_dev_get_saddr() */
			memcpy(p->ipv6_src, dev->addr6, 16);
		else
			return BPF_FIB_LKUP_RET_NO_SRC_ADDR;
	}

	/* check_mtu: ip6_mtu_from_fib6() */
	mtu = route_mtu(rt, dev);
	if (p->tot_len > mtu) {
		p->mtu_result = (uint16_t)mtu;
		return BPF_FIB_LKUP_RET_FRAG_NEEDED;
	}

	if (flags & BPF_FIB_LOOKUP_SKIP_NEIGH)
		return fwd_params(p, mtu);

	nb = neigh_get(fib, dev->ifindex, AF_INET6, (const uint8_t *)p->ipv6_dst);
	if (!nb)
		return BPF_FIB_LKUP_RET_NO_NEIGH;
	memcpy(p->dmac, nb->mac, 6);
	memcpy(p->smac, dev->mac, 6);
	return fwd_params(p, mtu);
}

int uxdp_fib_iface_mtu(struct uxdp_fib *fib, uint32_t ifindex, uint32_t *mtu)
{
	const struct uxdp_fib_iface *dev;
	int ret = -ENOENT;

	if (!fib)
		fib = uxdp_fib_get_default();
	if (!fib)
		return -ENOENT;
	pthread_rwlock_rdlock(&fib->lock);
	dev = iface_get(fib, ifindex);
	if (dev) {
		*mtu = iface_mtu(dev);
		ret = 0;
	}
	pthread_rwlock_unlock(&fib->lock);
	return ret;
}

int uxdp_fib_lookup(struct uxdp_fib *fib, struct bpf_fib_lookup *params, uint32_t flags)
{
	int ret;

	if (!fib)
		fib = uxdp_fib_get_default();
	if (params->family != AF_INET && params->family != AF_INET6)
		return -EAFNOSUPPORT;
	if (!fib)
		return -ENODEV; /* no interfaces at all */
	pthread_rwlock_rdlock(&fib->lock);
	ret = params->family == AF_INET ? lookup4(fib, params, flags) : lookup6(fib, params, flags);
	pthread_rwlock_unlock(&fib->lock);
	return ret;
}
