// SPDX-License-Identifier: MIT
/*
 * xdp_acl - source-address ACL for IPv4 and IPv6 on LPM tries.
 *
 * Ethernet, up to two VLAN tags (0x8100/0x88a8), then IPv4 (version 4, the
 * 20-byte header in the frame) or IPv6 (version 6, the 40-byte header in the
 * frame).  The source address is looked up in acl_v4 or acl_v6 (longest
 * prefix match); a matching rule gives {action, rule_id}.  action 1
 * (XDP_DROP) drops, any other action passes.  A match counts packets and
 * bytes in rule_stats[rule_id] (per-CPU; ids >= ACL_MAX_RULES are not
 * counted).  No match, or not IP: XDP_PASS, counted nowhere.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define ACL_MAX_RULES 256

struct vlan_tag {
	__be16 tci;
	__be16 proto;
};

struct acl_v4_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct acl_v6_key {
	__u32 prefixlen;
	__u8 addr[16];
};

struct acl_rule {
	__u32 action;  /* XDP_DROP drops; anything else passes */
	__u32 rule_id; /* index into rule_stats */
};

struct rule_count {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct acl_v4_key);
	__type(value, struct acl_rule);
} acl_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct acl_v6_key);
	__type(value, struct acl_rule);
} acl_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ACL_MAX_RULES);
	__type(key, __u32);
	__type(value, struct rule_count);
} rule_stats SEC(".maps");

SEC("xdp")
int xdp_acl(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct acl_rule *rule;
	struct rule_count *rc;
	__be16 proto;
	__u32 id;
	void *l3;
	int i;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	proto = eth->h_proto;
	l3 = eth + 1;
#pragma unroll
	for (i = 0; i < 2; i++) {
		struct vlan_tag *tag = l3;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(tag + 1) > end)
			return XDP_PASS;
		proto = tag->proto;
		l3 = tag + 1;
	}

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = l3;
		struct acl_v4_key k4 = { .prefixlen = 32 };

		if ((void *)(ip + 1) > end || ip->version != 4)
			return XDP_PASS;
		__builtin_memcpy(k4.addr, &ip->saddr, 4);
		rule = bpf_map_lookup_elem(&acl_v4, &k4);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = l3;
		struct acl_v6_key k6 = { .prefixlen = 128 };

		if ((void *)(ip6 + 1) > end || ip6->version != 6)
			return XDP_PASS;
		__builtin_memcpy(k6.addr, &ip6->saddr, 16);
		rule = bpf_map_lookup_elem(&acl_v6, &k6);
	} else {
		return XDP_PASS;
	}
	if (!rule)
		return XDP_PASS;

	id = rule->rule_id;
	rc = bpf_map_lookup_elem(&rule_stats, &id);
	if (rc) {
		rc->packets += 1;
		rc->bytes += end - data;
	}
	return rule->action == XDP_DROP ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
