// SPDX-License-Identifier: GPL-2.0
/*
 * atomics.bpf.c - the v3 atomics on a map value: fetch-add, and/or/xor with
 * and without fetch, xchg and cmpxchg, in 32 and 64 bits.  Needs
 * -mcpu=v3 or later (clang rejects fetching atomics at v1).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct counters {
	__u64 seq;
	__u64 flags64;
	__u32 flags32;
	__u32 owner;
	__u64 last;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct counters);
} counters SEC(".maps");

SEC("xdp")
int xdp_atomics(struct xdp_md *ctx)
{
	__u32 key = ctx->rx_queue_index;
	__u32 len = ctx->data_end - ctx->data;
	struct counters zero = {}, *c;
	__u64 seq, old;
	__u32 prev;

	c = bpf_map_lookup_elem(&counters, &key);
	if (!c) {
		bpf_map_update_elem(&counters, &key, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&counters, &key);
		if (!c)
			return XDP_ABORTED;
	}
	seq = __sync_fetch_and_add(&c->seq, 1);                      /* fetch add */
	__atomic_fetch_or(&c->flags64, 1ULL << (len & 63), __ATOMIC_RELAXED); /* or */
	__atomic_fetch_and(&c->flags64, ~0x10ULL, __ATOMIC_RELAXED);          /* and */
	__atomic_fetch_xor(&c->flags32, len, __ATOMIC_RELAXED);               /* xor */
	prev = __atomic_fetch_or(&c->flags32, 0x100, __ATOMIC_RELAXED);       /* fetch or */
	prev ^= __atomic_fetch_and(&c->flags32, ~0x1U, __ATOMIC_RELAXED);     /* fetch and */
	prev ^= __atomic_fetch_xor(&c->flags32, 0x3, __ATOMIC_RELAXED);       /* fetch xor */
	old = __atomic_exchange_n(&c->last, (__u64)len, __ATOMIC_RELAXED);    /* xchg */
	/* Claim the slot once: cmpxchg 0 -> queue+1. */
	if (__sync_val_compare_and_swap(&c->owner, 0, key + 1) != 0 && (prev & 1))
		return XDP_DROP;
	if ((seq ^ old) & 1)
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
