// SPDX-License-Identifier: MIT
/*
 * inserts.bpf.c - bench_maps_inserts' workload for the kernel
 * (bench_kernel_inserts.c): every run looks up a key this CPU has not used
 * (a miss, as a flow's first packet) and inserts it; the hash program also
 * deletes the key it inserted max_entries / 4 runs before, as
 * bench_inserts.c does.  The packet is not read: the key comes from a
 * per-CPU counter, so a repeated test_run is a stream of new flows.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct flow {
	__u32 saddr, daddr;
	__u16 sport, dport;
	__u32 proto;
};

struct conn {
	__u64 backend, packets;
};

/* max_entries is set by the loader (bpf_map__set_max_entries()) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2048);
	__type(key, struct flow);
	__type(value, struct conn);
} conns_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 2048);
	__type(key, struct flow);
	__type(value, struct conn);
} conns_lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(max_entries, 2048);
	__type(key, struct flow);
	__type(value, struct conn);
} conns_lru_pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counter SEC(".maps");

/* The same keys as bench_inserts.c's flow_of(). */
static __always_inline struct flow flow_of(__u32 cpu, __u32 n)
{
	struct flow f = { .saddr = 0xc6120000u + n, .daddr = 0xc6130001u, .sport = (__u16)n,
			  .dport = 80, .proto = 6 + cpu };

	return f;
}

/* [0]: runs whose lookup found the key or whose update or delete failed */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} errors SEC(".maps");

static __always_inline void count_error(void)
{
	__u32 zero = 0;
	__u64 *e = bpf_map_lookup_elem(&errors, &zero);

	if (e)
		(*e)++;
}

static __always_inline __u32 next_n(void)
{
	__u32 zero = 0;
	__u64 *c = bpf_map_lookup_elem(&counter, &zero);

	return c ? (__u32)(*c)++ : 0;
}

static __always_inline int insert(void *map, __u32 *delete_lag)
{
	__u32 cpu = bpf_get_smp_processor_id(), n = next_n();
	struct flow f = flow_of(cpu, n);
	struct conn c = { 1, 1 };

	/* a hit or a failure would time a cheaper run: counted, the bench fails on it */
	if (bpf_map_lookup_elem(map, &f) || bpf_map_update_elem(map, &f, &c, BPF_ANY))
		count_error();
	if (delete_lag && n >= *delete_lag) {
		f = flow_of(cpu, n - *delete_lag);
		if (bpf_map_delete_elem(map, &f))
			count_error();
	}
	return XDP_PASS;
}

/* [0]: max_entries / 4, set by the loader */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} hash_lag SEC(".maps");

SEC("xdp")
int insert_hash(struct xdp_md *ctx)
{
	__u32 zero = 0, *lag = bpf_map_lookup_elem(&hash_lag, &zero);

	return lag ? insert(&conns_hash, lag) : XDP_ABORTED;
}

SEC("xdp")
int insert_lru(struct xdp_md *ctx)
{
	return insert(&conns_lru, 0);
}

SEC("xdp")
int insert_lru_pcpu(struct xdp_md *ctx)
{
	return insert(&conns_lru_pcpu, 0);
}

/* What a run of test_run costs with no program work: subtracted. */
SEC("xdp")
int empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
