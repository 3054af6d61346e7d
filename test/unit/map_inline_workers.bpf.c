// SPDX-License-Identifier: MIT
/*
 * map_inline_workers.bpf.c - the program of unit.passes.map_inline_workers
 * (test_map_inline_workers.c): per-CPU array and hash lookups, the ones
 * map-inline turns into direct code or key-size lookups.
 *
 *   pcpu[1] += 1 and pcpu[2] += cpu + 1 on the running worker's CPU slot;
 *   h4/h8/h16/h12/h10 at the packet's first 4/8/16/12/10 bytes (10: no
 *   lookup specialised for it, the "any" one): value += 1 when present, pcpu[0] += 1 on the CPU slot when h4 misses.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define HASH(name, key_t)                                                        \
	struct {                                                                 \
		__uint(type, BPF_MAP_TYPE_HASH);                                 \
		__uint(max_entries, 16);                                         \
		__type(key, key_t);                                              \
		__type(value, __u64);                                            \
	} name SEC(".maps")

struct k16 { __u64 a, b; };
struct k12 { __u32 a, b, c; };
struct k10 { __u16 a[5]; };

HASH(h4, __u32);
HASH(h8, __u64);
HASH(h16, struct k16);
HASH(h12, struct k12);
HASH(h10, struct k10);

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} pcpu SEC(".maps");

static __always_inline void bump(void *map, const void *key, int *hit)
{
	__u64 *v = bpf_map_lookup_elem(map, key);

	if (v) {
		__sync_fetch_and_add(v, 1);
		*hit = 1;
	}
}

SEC("xdp") int mi_workers(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 k4, i;
	__u64 k8, *v;
	struct k16 k16;
	struct k12 k12;
	struct k10 k10;
	int hit = 0, any = 0;

	if (data + 16 > end)
		return XDP_ABORTED;
	__builtin_memcpy(&k4, data, 4);
	__builtin_memcpy(&k8, data, 8);
	__builtin_memcpy(&k16, data, 16);
	__builtin_memcpy(&k12, data, 12);
	__builtin_memcpy(&k10, data, 10);
	bump(&h4, &k4, &hit);
	bump(&h8, &k8, &any);
	bump(&h16, &k16, &any);
	bump(&h12, &k12, &any);
	bump(&h10, &k10, &any);
	i = 1;
	v = bpf_map_lookup_elem(&pcpu, &i);
	if (v)
		*v += 1;
	i = 2;
	v = bpf_map_lookup_elem(&pcpu, &i);
	if (v)
		*v += bpf_get_smp_processor_id() + 1;
	i = hit ? 4 : 0; /* 4: out of range, must give NULL */
	v = bpf_map_lookup_elem(&pcpu, &i);
	if (v)
		*v += 1;
	return hit ? XDP_PASS : XDP_DROP;
}
char LICENSE[] SEC("license") = "GPL";
