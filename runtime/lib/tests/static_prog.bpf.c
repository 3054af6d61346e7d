// SPDX-License-Identifier: MIT
/*
 * static_prog - the XDP program runtime.static.link compiles with uxdpc and
 * links statically into static_main.c.  It uses what a linked object must
 * find in libuxdp.a: an array map (inlined into a slot access at -O3), a
 * per-CPU array (inlined at -O3 too: the worker's slot from the runtime's
 * thread-local uxdp_this_cpu, an initial-exec TLS reference the system
 * linker must resolve), a hash map (a call to the runtime's lookup/update
 * at -O3, to the helpers at -O0), global data (.bss) and a ctx helper
 * (bpf_xdp_get_buff_len).
 *
 *   too short for Ethernet   XDP_ABORTED
 *   IPv4                     XDP_PASS
 *   ARP                      XDP_TX, MAC addresses swapped
 *   anything else            XDP_DROP
 *
 *   verdicts[verdict] (u64)  packets per verdict
 *   seen[0] (per-CPU u64)    packets
 *   by_proto[ethertype]      packets per EtherType (network order, u16 key)
 *   total_bytes (.bss)       bytes of all packets, from bpf_xdp_get_buff_len(),
 *                            times byte_scale (.rodata, 1: frozen once loaded)
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, __u64);
} verdicts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u16);
	__type(value, __u64);
} by_proto SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

__u64 total_bytes;
const volatile __u64 byte_scale = 1;

static __always_inline int count(__u32 verdict)
{
	__u64 *n = bpf_map_lookup_elem(&verdicts, &verdict);

	if (n)
		__sync_fetch_and_add(n, 1);
	return verdict;
}

SEC("xdp")
int xdp_static(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 mac[ETH_ALEN];
	__u64 one = 1, *n;
	__u32 zero = 0;
	__u16 proto;

	n = bpf_map_lookup_elem(&seen, &zero);
	if (n)
		*n += 1;
	total_bytes += bpf_xdp_get_buff_len(ctx) * byte_scale;
	if ((void *)(eth + 1) > data_end)
		return count(XDP_ABORTED);
	proto = eth->h_proto;
	n = bpf_map_lookup_elem(&by_proto, &proto);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&by_proto, &proto, &one, BPF_NOEXIST);

	if (proto == bpf_htons(ETH_P_IP))
		return count(XDP_PASS);
	if (proto == bpf_htons(ETH_P_ARP)) {
		__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
		__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
		__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
		return count(XDP_TX);
	}
	return count(XDP_DROP);
}

char _license[] SEC("license") = "GPL";
