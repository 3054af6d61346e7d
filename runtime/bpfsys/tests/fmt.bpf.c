// SPDX-License-Identifier: GPL-2.0
/*
 * fmt.bpf.c - maps with BTF worth formatting, for the bpf() layer's BTF
 * test: bpftool under uxdp-run must print their keys and values formatted
 * as bpftool does for the same object in the kernel.  A struct key, a
 * struct value with an enum, a string, bitfields, a union and a nested
 * struct, a per-CPU map and the three global-data sections (DATASECs).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum color { RED, GREEN = 5, BLUE };

struct flow_key {
	__u32 saddr;
	__u32 daddr;
	__u8 proto;
	__u8 pad[3];
};

struct flow_val {
	__u64 packets;
	char name[8];
	enum color color;
	unsigned int flag : 1;
	int neg : 5;
	_Bool ok;
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
} fflows SEC(".maps");

struct tag {
	char name[3];
	__u8 seen;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct tag);
} ftags SEC(".maps");

__u32 seen;			      /* .bss */
__s16 level = -3;		      /* .data */
const volatile char mode[6] = "fast"; /* .rodata */

SEC("xdp")
int xdp_fmt(struct xdp_md *ctx)
{
	struct flow_key k = {.saddr = 1, .daddr = 2, .proto = 17};
	struct flow_val *v = bpf_map_lookup_elem(&fflows, &k);
	__u32 idx = 1;
	struct tag *t = bpf_map_lookup_elem(&ftags, &idx);

	if (v) {
		__sync_fetch_and_add(&v->packets, 1);
	} else {
		struct flow_val n = {.packets = 1, .color = BLUE, .ok = 1, .neg = -2};

		n.name[0] = 'u';
		n.name[1] = 'p';
		bpf_map_update_elem(&fflows, &k, &n, BPF_NOEXIST);
	}
	if (t) {
		t->name[0] = 'o';
		t->name[1] = 'k';
		t->seen++;
	}
	seen += mode[0] + level;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
