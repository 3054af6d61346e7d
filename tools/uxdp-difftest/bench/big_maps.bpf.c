// SPDX-License-Identifier: MIT
/*
 * big_maps.bpf.c - the scale benchmark of uxdp-difftest: a 16 M-entry hash
 * (a flow table), a 16 M-entry array (a consistent-hashing ring) and a
 * 32 MiB ring buffer, all written on every packet that has an IPv4 header.
 * Built with -DPLANT (the uxdp side of big_maps.sh's planted run), a few
 * packets write another slot of the array: difftest must find it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* 16 M entries; the ctests build it smaller (-DENTRIES_LOG2=17). */
#ifndef ENTRIES_LOG2
#define ENTRIES_LOG2 24
#endif
#define ENTRIES (1u << ENTRIES_LOG2)

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ENTRIES);
	__type(key, __u32);
	__type(value, __u64);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ENTRIES);
	__type(key, __u32);
	__type(value, __u64);
} ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 32u << 20); /* 32 MiB */
} events SEC(".maps");

SEC("xdp")
int big_maps(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u8 *ip = data + 14;
	__u32 key, slot;
	__u64 one = 1, *v;

	if ((void *)(ip + 20) > end || ((__u8 *)data)[12] != 0x08 || ((__u8 *)data)[13] != 0)
		return XDP_PASS;
	key = *(__u32 *)(ip + 12) ^ (*(__u32 *)(ip + 16) * 2654435761u);
	v = bpf_map_lookup_elem(&flows, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&flows, &key, &one, BPF_NOEXIST);
	slot = (key * 40503u) & (ENTRIES - 1);
#ifdef PLANT
	/* A few packets (IPv4 ID high byte 0x5a) write the next slot in this build. */
	if (ip[4] == 0x5a)
		slot ^= 1;
#endif
	v = bpf_map_lookup_elem(&ring, &slot);
	if (v)
		*v += (__u64)(end - data);
	bpf_ringbuf_output(&events, &key, sizeof(key), 0);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
