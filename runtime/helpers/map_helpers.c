// SPDX-License-Identifier: MIT
/*
 * map_helpers.c - the map helpers, redirect_map, perf_event_output and
 * bpf_spin_lock, as thin wrappers over runtime/maps (uxdp/map.h).
 *
 * Return values are the kernel's: pointers for lookups (0 for NULL), 0 or a
 * negative errno sign-extended to 64 bits for the others, an XDP action for
 * redirect_map.  The wrappers stay small so that, built to bitcode, they
 * inline into programs; the map code itself stays out of line, but for
 * redirect_map's read of a devmap, xskmap or cpumap slot.
 */
#include <errno.h>
#include <stdint.h>

#include <linux/bpf.h>

#include <uxdp/ctx.h>
#include <uxdp/map.h>
#include <uxdp/worker.h>

#include "helpers_impl.h"
#include "map_internal.h"
#include "slot_internal.h"

#define MAP(r) ((struct uxdp_map *)(uintptr_t)(r))
#define PTR(r) ((void *)(uintptr_t)(r))
#define RET(err) ((uint64_t)(int64_t)(err))

uint64_t uxdp_helper_map_lookup_elem(uint64_t map, uint64_t key)
{
	return (uint64_t)(uintptr_t)uxdp_map_lookup(MAP(map), PTR(key));
}

uint64_t uxdp_helper_map_update_elem(uint64_t map, uint64_t key, uint64_t value, uint64_t flags)
{
	return RET(uxdp_map_update(MAP(map), PTR(key), PTR(value), flags));
}

uint64_t uxdp_helper_map_delete_elem(uint64_t map, uint64_t key)
{
	return RET(uxdp_map_delete_elem(MAP(map), PTR(key)));
}

uint64_t uxdp_helper_map_push_elem(uint64_t map, uint64_t value, uint64_t flags)
{
	return RET(uxdp_map_push(MAP(map), PTR(value), flags));
}

uint64_t uxdp_helper_map_pop_elem(uint64_t map, uint64_t value)
{
	return RET(uxdp_map_pop(MAP(map), PTR(value)));
}

uint64_t uxdp_helper_map_peek_elem(uint64_t map, uint64_t value)
{
	return RET(uxdp_map_peek(MAP(map), PTR(value)));
}

uint64_t uxdp_helper_map_lookup_percpu_elem(uint64_t map, uint64_t key, uint64_t cpu)
{
	if (cpu > UINT32_MAX)
		return 0;
	return (uint64_t)(uintptr_t)uxdp_map_lookup_percpu(MAP(map), PTR(key), (uint32_t)cpu);
}

/*
 * bpf_spin_lock: the lock word lives in a map value, shared with other
 * processes; the map code's robust lock (runtime/maps), so BPF_F_LOCK
 * updates from the control plane exclude programs holding it and a process
 * killed while holding it does not block the others for good.
 */
uint64_t uxdp_helper_spin_lock(uint64_t lock)
{
	uxdp_map_spin_lock((uint32_t *)(uintptr_t)lock);
	return 0;
}

uint64_t uxdp_helper_spin_unlock(uint64_t lock)
{
	uxdp_map_spin_unlock((uint32_t *)(uintptr_t)lock);
	return 0;
}

/*
 * The target of bpf_redirect_map in m at key, what uxdp_map_redirect_target
 * finds: a devmap, xskmap or cpumap slot read here (slot_internal.h), with
 * no call through the map's ops for a packet the program redirects; a
 * devmap_hash through the runtime.
 */
static inline const void *redirect_target(struct uxdp_map *m, uint32_t type, uint32_t key)
{
	switch (type) {
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_XSKMAP:
	case BPF_MAP_TYPE_CPUMAP:
		return key < m->max_entries ? slot_value(m, key) : NULL;
	case BPF_MAP_TYPE_DEVMAP_HASH:
		return uxdp_map_redirect_target(m, key);
	default:
		return NULL;
	}
}

/*
 * bpf_redirect_map: on a hit, leave the target in the worker's redirect
 * state and return XDP_REDIRECT; on a miss, return the fallback action in
 * the low bits of flags.  Unknown flags give XDP_ABORTED, as in the kernel.
 */
static inline uint64_t redirect_map(struct uxdp_worker *w, uint64_t map, uint64_t key,
				    uint64_t flags)
{
	const uint64_t action_mask = XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX;
	struct uxdp_redirect *r = &w->redirect;
	struct uxdp_map *m = MAP(map);
	uint32_t type = m->type;
	uint64_t flag_mask = 0;
	const void *value;

	if (type == BPF_MAP_TYPE_DEVMAP || type == BPF_MAP_TYPE_DEVMAP_HASH)
		flag_mask = BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS;
	if (uxdp_unlikely(flags & ~(action_mask | flag_mask)))
		return XDP_ABORTED;
	value = redirect_target(m, type, (uint32_t)key);
	if (uxdp_unlikely(!value) && !(flags & BPF_F_BROADCAST)) {
		uxdp_redirect_clear(r);
		return flags & action_mask;
	}
	r->kind = UXDP_REDIRECT_MAP;
	r->index = (uint32_t)key;
	r->map = m;
	r->value = (void *)value;
	r->flags = flags & BPF_F_BROADCAST ? flags & flag_mask : 0;
	return XDP_REDIRECT;
}

uint64_t uxdp_helper_redirect_map(uint64_t map, uint64_t key, uint64_t flags)
{
	return redirect_map(uxdp_worker_current(), map, key, flags);
}

/*
 * The same with the worker the program's ctx names (passes/worker_arg.c),
 * which spares the thread-local look-up; 0: the calling thread's.
 */
uint64_t uxdp_redirect_map_worker(uint64_t worker, uint64_t map, uint64_t key, uint64_t flags)
{
	struct uxdp_worker *w = (struct uxdp_worker *)(uintptr_t)worker;

	return redirect_map(w ? w : uxdp_worker_current(), map, key, flags);
}

/*
 * bpf_perf_event_output for XDP (bpf_xdp_event_output): the record is data
 * followed by the first ctxlen bytes of the packet.
 */
uint64_t uxdp_helper_perf_event_output(uint64_t ctx, uint64_t map, uint64_t flags, uint64_t data,
				       uint64_t size)
{
	struct uxdp_ctx *c = PTR(ctx);
	uint64_t pkt_len = (flags & BPF_F_CTXLEN_MASK) >> 32;

	if (uxdp_unlikely(flags & ~(BPF_F_CTXLEN_MASK | BPF_F_INDEX_MASK)))
		return RET(-EINVAL);
	if (uxdp_unlikely(pkt_len > (uint64_t)(c->data_end - c->data)))
		return RET(-EFAULT);
	return RET(uxdp_perf_output(MAP(map), flags & BPF_F_INDEX_MASK, PTR(data), size, c->data,
				    pkt_len));
}
