// SPDX-License-Identifier: GPL-2.0
/*
 * custom_sections.bpf.c - XDP programs in sections libbpf gives no type,
 * as loaders that set the type themselves name them ("prog", "xdp_sock"),
 * next to a tracing program uxdp never compiles.  With no SEC("xdp") in
 * the object, uxdpc compiles every custom-section program as XDP by
 * default; `--list` shows both and the tracing one as "other"; `-p` picks
 * one by function or section name.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __always_inline void count(__u32 k)
{
	__u64 *c = bpf_map_lookup_elem(&counts, &k);

	if (c)
		__sync_fetch_and_add(c, 1);
}

SEC("prog")
int prog_main(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	count(0);
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	return eth->h_source[5] & 1 ? XDP_TX : XDP_PASS;
}

SEC("xdp_sock")
int xdp_sock_prog(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	count(1);
	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	return eth->h_proto == bpf_htons(ETH_P_IPV6) ? XDP_DROP : XDP_PASS;
}

SEC("tp/xdp/xdp_exception")
int trace_exception(void *ctx)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
