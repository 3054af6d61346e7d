// SPDX-License-Identifier: GPL-2.0
/*
 * calls.bpf.c - BPF-to-BPF calls: static and global __noinline functions, a
 * function with the maximum five arguments, and a chain three calls deep
 * (xdp_calls -> mix5 -> fold -> rotl_add).  No recursion: the kernel rejects
 * it.  Global functions are verified on their own by the kernel, so they
 * take only scalars and check their own pointers.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

/* Depth 3: a leaf that only does arithmetic. */
static __noinline __u64 rotl_add(__u64 x, __u64 y)
{
	return ((x << 7) | (x >> 57)) + y;
}

/* Depth 2. */
static __noinline __u64 fold(__u64 a, __u64 b)
{
	return rotl_add(a ^ b, b) ^ 0x9e3779b97f4a7c15ULL;
}

/* Depth 1: all five argument registers r1-r5 are live. */
static __noinline __u64 mix5(__u64 a, __u64 b, __u64 c, __u64 d, __u64 e)
{
	__u64 h = fold(a, b);

	h = fold(h, c);
	h = fold(h, d);
	return fold(h, e);
}

/* A global function: the kernel verifies it independently of its caller. */
__noinline int classify(__u32 len, __u32 first)
{
	if (len < ETH_HLEN)
		return XDP_DROP;
	if ((first & 0xff) == 0xff)
		return XDP_DROP;
	return XDP_PASS;
}

/* Called through a static noinline function that takes a ctx pointer. */
static __noinline __u32 pkt_len(struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data;
}

SEC("xdp")
int xdp_calls(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 len = pkt_len(ctx);
	__u32 first = 0;
	__u64 h;

	if (data + 4 <= data_end)
		first = *(__u32 *)data;
	h = mix5(len, first, ctx->ingress_ifindex, ctx->rx_queue_index, 42);
	if ((h & 0xffff) == 0)
		return XDP_ABORTED;
	return classify(len, first);
}

char _license[] SEC("license") = "GPL";
