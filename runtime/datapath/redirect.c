// SPDX-License-Identifier: MIT
/*
 * redirect.c - where an XDP_REDIRECT goes: the target the redirect helpers
 * left in the worker's state (uxdp/worker.h) resolved to a port, an
 * xskmap slot's ring (uxdp/xsk_ring.h) or a cpumap entry.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <time.h>

#include <uxdp/clock.h>
#include <uxdp/datapath.h>
#include <uxdp/map.h>
#include <uxdp/xsk_ring.h>

#include "datapath_internal.h"

enum uxdp_redirect_dest uxdp_redirect_dest(const struct uxdp_redirect *r)
{
	if (r->kind == UXDP_REDIRECT_IFINDEX)
		return UXDP_DEST_DEV;
	if (r->kind != UXDP_REDIRECT_MAP || !r->map)
		return UXDP_DEST_NONE;
	switch (uxdp_map_type(r->map)) {
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
		return UXDP_DEST_DEV;
	case BPF_MAP_TYPE_XSKMAP:
		return UXDP_DEST_XSK;
	case BPF_MAP_TYPE_CPUMAP:
		return UXDP_DEST_CPU;
	default:
		return UXDP_DEST_NONE;
	}
}

int uxdp_redirect_ifindex(const struct uxdp_redirect *r, uint32_t *ifindex)
{
	switch (uxdp_redirect_dest(r)) {
	case UXDP_DEST_DEV:
		if (r->kind == UXDP_REDIRECT_IFINDEX) {
			*ifindex = r->index;
			return 0;
		}
		if (!r->value)
			return -ENOENT;
		/* u32 ifindex, or struct bpf_devmap_val that starts with it */
		memcpy(ifindex, r->value, sizeof(*ifindex));
		return 0;
	case UXDP_DEST_NONE:
		return -ENOENT;
	default:
		return -EOPNOTSUPP;
	}
}

int uxdp_xsk_deliver(struct uxdp_xsk_cache *c, const struct uxdp_redirect *r, const void *data,
		     uint32_t len, uint64_t ts_ns)
{
	struct uxdp_map_info info;
	struct uxdp_xsk_ring *ring;
	unsigned int i;
	uint32_t sock;
	int err;

	if (!r->map || !r->value)
		return -ENOENT;
	memcpy(&sock, r->value, sizeof(sock));
	if (!sock)
		return -ENOTCONN;
	for (i = 0; i < UXDP_XSK_CACHE_SIZE; i++)
		if (c->e[i].ring && c->e[i].map == r->map && c->e[i].index == r->index)
			return uxdp_xsk_ring_produce(c->e[i].ring, data, len, ts_ns);
	err = uxdp_map_get_info(r->map, &info);
	if (err)
		return err;
	err = uxdp_xsk_ring_open(info.instance, info.name, r->index, true, &ring);
	if (err)
		return err;
	for (i = 0; i < UXDP_XSK_CACHE_SIZE && c->e[i].ring; i++)
		;
	if (i == UXDP_XSK_CACHE_SIZE) {
		/* More slots in use than the cache holds: replace round robin. */
		i = c->next++ % UXDP_XSK_CACHE_SIZE;
		uxdp_xsk_ring_close(c->e[i].ring);
	}
	c->e[i].map = r->map;
	c->e[i].index = r->index;
	c->e[i].ring = ring;
	return uxdp_xsk_ring_produce(ring, data, len, ts_ns);
}

void uxdp_xsk_cache_close(struct uxdp_xsk_cache *c)
{
	unsigned int i;

	for (i = 0; i < UXDP_XSK_CACHE_SIZE; i++) {
		uxdp_xsk_ring_close(c->e[i].ring);
		c->e[i].ring = NULL;
	}
}

static int port_of(const struct uxdp_dp *dp, uint32_t ifindex)
{
	unsigned int p;

	if (dp->o.redirect_any_ifindex)
		return 0;
	for (p = 0; p < dp->nports; p++)
		if (dp->port[p].ifindex == ifindex)
			return p;
	return -1;
}

/*
 * A port target leaves through that port; an xskmap slot gets a copy in its
 * ring (copy mode: the frame itself goes back to the driver's pool); a
 * cpumap hands the frame to the kernel's stack, so here to the XDP_PASS
 * path.  No target, or a port that is not ours, drops the frame, as the
 * kernel's xdp_do_redirect() fails with -EINVAL.
 */
enum uxdp_dp_action uxdp_dp_redirect(struct uxdp_dp_worker *w, uint32_t len)
{
	struct uxdp_redirect *r = &w->uw.redirect;
	enum uxdp_dp_action a = UXDP_DP_RECYCLE;
	uint32_t ifindex;
	int port;

	switch (uxdp_redirect_dest(r)) {
	case UXDP_DEST_DEV:
		port = uxdp_redirect_ifindex(r, &ifindex) ? -1 : port_of(w->dp, ifindex);
		if (port >= 0) {
			w->out_port = port;
			a = UXDP_DP_TX;
		} else {
			w->cnt.tx_drop++;
		}
		break;
	case UXDP_DEST_XSK:
		w->cnt.redirect_xsk++;
		if (uxdp_xsk_deliver(&w->xsk, r, w->ctx.data, len,
				     w->rx_ts_ns ? w->rx_ts_ns : uxdp_realtime_ns()))
			w->cnt.xsk_drop++;
		break;
	case UXDP_DEST_CPU:
		w->cnt.redirect_cpu++;
		a = UXDP_DP_PASS;
		break;
	default:
		w->cnt.tx_drop++;
		break;
	}
	uxdp_redirect_clear(r);
	return a;
}
