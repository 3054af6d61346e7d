// SPDX-License-Identifier: GPL-2.0
/*
 * ctx_fields.bpf.c - reads of every struct xdp_md field the kernel lets XDP
 * read on ingress: data, data_end, data_meta, ingress_ifindex and
 * rx_queue_index (egress_ifindex needs a devmap attach type, which a plain
 * load rejects); and metadata written in front of the packet with
 * bpf_xdp_adjust_meta, then read back through data_meta.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct meta {
	__u32 ifindex;
	__u32 queue;
};

SEC("xdp")
int xdp_ctx(struct xdp_md *ctx)
{
	void *data, *data_meta;
	struct meta *m;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(struct meta)))
		return XDP_PASS; /* the driver may not support metadata */
	/* adjust_meta invalidates every packet pointer: reload them all. */
	data = (void *)(long)ctx->data;
	data_meta = (void *)(long)ctx->data_meta;
	m = data_meta;
	if ((void *)(m + 1) > data)
		return XDP_ABORTED;
	m->ifindex = ctx->ingress_ifindex;
	m->queue = ctx->rx_queue_index;
	if (m->queue > 63)
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
