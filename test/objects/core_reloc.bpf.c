// SPDX-License-Identifier: GPL-2.0
/*
 * core_reloc.bpf.c - CO-RE relocations that change the code, resolved
 * against uxdp's types as libbpf resolves them against the kernel's.
 *
 * Like programs written against a hand-made header instead of linux/bpf.h,
 * it declares its own struct xdp_md with 64-bit data/data_end: clang emits
 * 8-byte loads at offsets 0 and 8, which libbpf (and uxdpc) rewrite to the
 * UAPI's 4-byte fields at 0 and 4.  It also reads the iphdr bitfields
 * (ihl, version) with BPF_CORE_READ_BITFIELD (byte offset, byte size,
 * signedness, left and right shifts), asks for field sizes and offsets,
 * type existence, size and match, enumerator existence and value, and
 * guards a field that exists nowhere with bpf_core_field_exists(): its
 * load is poisoned, and dead.  Every value lands in `results` (compared
 * with the kernel's by difftest) and picks the verdict.
 */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

/* Not linux/bpf.h: the program's own view of the ctx, 64-bit pointers. */
struct xdp_md {
	__u64 data;
	__u64 data_end;
} __attribute__((preserve_access_index));

enum xdp_action {
	XDP_ABORTED = 0,
	XDP_DROP,
	XDP_PASS,
	XDP_TX,
	XDP_REDIRECT,
};

struct ethhdr {
	unsigned char h_dest[6];
	unsigned char h_source[6];
	__be16 h_proto;
} __attribute__((preserve_access_index));

struct iphdr {
	__u8 ihl : 4, version : 4;
	__u8 tos;
	__be16 tot_len;
	__be16 id;
	__be16 frag_off;
	__u8 ttl;
	__u8 protocol;
	__sum16 check;
	__be32 saddr;
	__be32 daddr;
} __attribute__((preserve_access_index));

/* A flavour of iphdr with a field no target has: its loads are poisoned. */
struct iphdr___future {
	__u32 flow_label_v9;
} __attribute__((preserve_access_index));

/*
 * For bpf_core_type_matches(): members without typedefs, which libbpf 1.1
 * (Debian 12's, the difftest's kernel side) cannot match; see
 * docs/compatibility.md.
 */
struct ethhdr___addrs {
	unsigned char h_dest[6];
	unsigned char h_source[6];
};

struct ethhdr___nope {
	unsigned char h_nope[6];
};

struct no_such_type {
	int x;
};

__u64 results[16];

SEC("xdp")
int xdp_core_reloc(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph;
	__u64 ihl, version;

	results[0] = bpf_core_type_size(struct ethhdr);
	results[1] = bpf_core_type_exists(struct iphdr);
	results[2] = bpf_core_type_exists(struct no_such_type);
	results[3] = bpf_core_enum_value_exists(enum xdp_action, XDP_REDIRECT);
	results[4] = bpf_core_enum_value(enum xdp_action, XDP_PASS);
	results[5] = bpf_core_type_matches(struct ethhdr___addrs) * 10 +
		     bpf_core_type_matches(struct ethhdr___nope);
	results[6] = bpf_core_type_id_kernel(struct iphdr) != 0;
	results[7] += 1;
	if (data + sizeof(*eth) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(0x0800))
		return XDP_PASS;
	iph = data + sizeof(*eth);
	if ((void *)iph + sizeof(*iph) > data_end)
		return XDP_DROP;
	ihl = BPF_CORE_READ_BITFIELD(iph, ihl);
	version = BPF_CORE_READ_BITFIELD(iph, version);
	results[8] = ihl;
	results[9] = version;
	results[10] = bpf_core_field_size(iph->saddr);
	results[11] = bpf_core_field_offset(iph->daddr);
	results[12] = bpf_core_field_exists(((struct iphdr___future *)iph)->flow_label_v9);
	if (bpf_core_field_exists(((struct iphdr___future *)iph)->flow_label_v9))
		results[13] = ((struct iphdr___future *)iph)->flow_label_v9;
	if (version != 4)
		return XDP_DROP;
	if (ihl < 5)
		return XDP_ABORTED;
	return iph->ttl > 64 ? XDP_TX : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
