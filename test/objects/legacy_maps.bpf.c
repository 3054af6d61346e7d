// SPDX-License-Identifier: GPL-2.0
/*
 * legacy_maps.bpf.c - maps declared the pre-BTF way, in SEC("maps") as
 * struct bpf_map_def, as samples/bpf did before libbpf 1.0 dropped the
 * struct.  libbpf 1.x refuses this object; uxdpc must still read it: the
 * map size comes from the section size / symbol count, fields by offset.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* The layout old loaders read: five 32-bit words. */
struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") legacy_counter = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 4,
};

struct bpf_map_def SEC("maps") legacy_blocklist = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 1024,
	.map_flags = BPF_F_NO_PREALLOC,
};

SEC("xdp")
int xdp_legacy(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 key = 0, word;
	__u64 *cnt;

	if (data + sizeof(word) > data_end)
		return XDP_DROP;
	word = *(__u32 *)data;
	if (bpf_map_lookup_elem(&legacy_blocklist, &word))
		return XDP_DROP;
	cnt = bpf_map_lookup_elem(&legacy_counter, &key);
	if (cnt)
#ifdef PLANT /* uxdp-difftest's planted map difference (tools/uxdp-difftest/tests) */
		*cnt += 2;
#else
		*cnt += 1;
#endif
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
