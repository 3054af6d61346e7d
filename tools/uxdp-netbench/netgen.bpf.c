// SPDX-License-Identifier: MIT
/*
 * netgen.bpf.c - the traffic source of uxdp-netgen.  bpf_prog_test_run() in
 * BPF_F_TEST_XDP_LIVE_FRAMES mode runs this program on copies of one
 * template frame; XDP_TX sends each out of the interface whose ifindex the
 * test run names, here the generator's veth end, so the frames land in the
 * peer's receive queue as if a NIC had received them.
 *
 * Per frame it writes a flow number into the L4 source port (offset
 * cfg.sport_off), cycling through cfg.flows flows, so that RSS-less but
 * flow-keyed programs (xdp_lb's connection table) see several flows.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct netgen_cfg {
	__u32 flows;     /* 0 or 1: leave the frame alone */
	__u32 sport_off; /* byte offset of the big-endian source port */
	__u32 next;      /* the next flow number */
	__u32 base;      /* the first source port */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct netgen_cfg);
} netgen_cfg SEC(".maps");

SEC("xdp")
int netgen_tx(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;
	struct netgen_cfg *c;
	__u32 k = 0, port, off;

	c = bpf_map_lookup_elem(&netgen_cfg, &k);
	if (!c || c->flows < 2)
		return XDP_TX;
	off = c->sport_off;
	if (off > 128)
		return XDP_TX;
	if (data + off + 2 > end)
		return XDP_TX;
	port = c->base + c->next;
	data[off] = port >> 8;
	data[off + 1] = port;
	c->next = c->next + 1 >= c->flows ? 0 : c->next + 1;
	return XDP_TX;
}

/* The receiving end of an XDP_TX path: veth delivers XDP frames only to a peer running XDP. */
SEC("xdp")
int netgen_sink(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp")
int netgen_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
