// SPDX-License-Identifier: GPL-2.0
/*
 * redirect_maps.bpf.c - bpf_redirect_map on every redirect map type, with
 * present and missing keys: a devmap and a devmap_hash with entries that
 * name loopback (ifindex 1, seeded by redirect_maps.conf), a cpumap with
 * CPU 0 (qsize 192), and an xskmap that stays empty (its slots need AF_XDP
 * sockets). Flags are the fallback action (0..3), BPF_F_BROADCAST and
 * BPF_F_EXCLUDE_INGRESS (devmaps only; elsewhere XDP_ABORTED), an unknown
 * flag (XDP_ABORTED), and keys with bits above 32 (the kernel truncates the
 * key to u32). test_run does not act on a redirect, so only the verdict
 * (and its stamp in the packet and in `verdicts`) is compared.
 */
#include "diff_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} dev SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} devh SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

/* verdicts[map * 8 + verdict] */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u64);
} verdicts SEC(".maps");

SEC("xdp")
int diff_redirect_maps(struct xdp_md *ctx)
{
	__u32 sel = pkt_sel(ctx), which = sel & 3, i;
	static const __u32 hkeys[8] = { 5, 100, 6, 0, 1, 5, 100, 7 };
	__u64 key = (sel >> 2) & 7, flags = (sel >> 5) & 3, *c;
	long v;

	switch ((sel >> 7) & 7) {
	case 0: flags |= BPF_F_BROADCAST; break;
	case 1: flags |= BPF_F_EXCLUDE_INGRESS; break;
	case 2: flags |= BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS; break;
	case 3: flags |= 1ULL << (5 + ((sel >> 10) & 31)); break;	/* unknown flag */
	case 4: key |= 1ULL << 32; break;				/* truncated */
	}
	switch (which) {
	case 0:
		v = bpf_redirect_map(&dev, key, flags);
		break;
	case 1:
		v = bpf_redirect_map(&devh, (key & ~7ULL) | hkeys[key & 7], flags);
		break;
	case 2:
		v = bpf_redirect_map(&cpus, key & ~4ULL, flags);
		break;
	default:
		v = bpf_redirect_map(&xsks, key, flags);
		break;
	}
	i = (which * 8 + ((__u32)v & 7)) & 31;
	c = bpf_map_lookup_elem(&verdicts, &i);
	if (c)
		__sync_fetch_and_add(c, 1);
	put_result(ctx, 14, (__u32)v);
	return (int)v;
}
