// SPDX-License-Identifier: GPL-2.0
/*
 * maps_lpm.bpf.c - lpm_trie: longest-prefix lookup of the 4 bytes at the
 * IPv4 source address offset (26..29 of an untagged frame) against the
 * prefixes seeded by maps_lpm.conf, then a /32 insert or delete of that
 * address picked by a packet bit, so later packets see the trie change.
 * The matched class is counted in `hits` and written into the packet.
 */
#include "diff_common.h"

struct lpm_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_key);
	__type(value, __u32);
} lpm SEC(".maps");

/* hits[class]: class 0 is "no match"; [15] counts failed inserts, [14] deletes */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

static __always_inline void bump(__u32 i)
{
	__u64 *c = bpf_map_lookup_elem(&hits, &i);

	if (c)
		__sync_fetch_and_add(c, 1);
}

SEC("xdp")
int diff_maps_lpm(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct lpm_key k = { .prefixlen = 32 };
	__u32 sel = pkt_sel(ctx), cls = 0, *v, val;
	long ret;

	if ((void *)(p + 30) > end)
		return XDP_PASS;
	__builtin_memcpy(k.addr, p + 26, 4);
	v = bpf_map_lookup_elem(&lpm, &k);
	if (v)
		cls = *v & 15;
	bump(cls);
	if ((sel & 7) == 1) {
		val = 8 + (sel >> 8 & 3);
		ret = bpf_map_update_elem(&lpm, &k, &val, (sel & 8) ? BPF_NOEXIST : BPF_ANY);
		if (ret)
			bump(15);
	} else if ((sel & 7) == 2) {
		/* a shorter prefix than /32 too: deletes only an exact match */
		k.prefixlen = (sel & 8) ? 32 : 24;
		ret = bpf_map_delete_elem(&lpm, &k);
		if (!ret)
			bump(14);
	}
	put_result(ctx, 30, cls);
	return cls == 3 ? XDP_DROP : XDP_PASS;
}
