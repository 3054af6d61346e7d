// SPDX-License-Identifier: GPL-2.0
/*
 * btf.bpf.c - maps whose keys and values have BTF worth formatting: the
 * uxdpctl BTF test compares `uxdpctl map dump` with `bpftool map dump` on
 * the same object loaded into the kernel.  Every kind bpftool formats is in
 * a key or value: ints of each size and sign, char arrays (strings and
 * not), bool, enums, a union, nested structs and arrays, bitfields.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum color { RED, GREEN = 5, BLUE };

struct flow_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct flow_val {
	__u64 packets;
	__s64 delta;
	char name[8];
	enum color color;
	unsigned int flag : 1;
	unsigned int level : 3;
	int neg : 5;
	_Bool ok;
	char c;
	__s8 s8;
	__s16 pair[2];
	union {
		__u32 word;
		__u8 bytes[4];
	} un;
	struct {
		__u16 lo, hi;
	} range;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, struct flow_key);
	__type(value, struct flow_val);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct tag {
	char name[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct tag);
} tags SEC(".maps");

/* Global data: bpftool formats these maps by their section's DATASEC. */
__u32 seen;                      /* .bss */
__s16 level = -3;                /* .data */
const volatile char mode[6] = "fast"; /* .rodata */
static volatile __u64 hidden = 9; /* .data, a static variable */

SEC("xdp")
int xdp_btf(struct xdp_md *ctx)
{
	struct flow_key k = { 0 };
	struct flow_val *v = bpf_map_lookup_elem(&flows, &k);
	__u32 idx = 0;
	__u64 *n = bpf_map_lookup_elem(&counters, &idx);

	if (v)
		v->packets++;
	struct tag *t = bpf_map_lookup_elem(&tags, &idx);

	if (n)
		__sync_fetch_and_add(n, 1);
	if (t)
		t->name[0] = 'x';
	seen += mode[0] + level + hidden;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
