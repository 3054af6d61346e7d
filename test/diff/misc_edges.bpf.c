// SPDX-License-Identifier: GPL-2.0
/*
 * misc_edges.bpf.c - helpers at their edges, beyond csum_strncmp and
 * redirect_misc:
 *  - bpf_csum_diff over a 1 KiB map value: sizes up to 1020 (from + to
 *    over 512 bytes is -EINVAL), sizes not multiples of 4, from-only,
 *    to-only and neither, and full 32-bit seeds passed with high bits set
 *    (the helper takes a 32-bit __wsum);
 *  - bpf_strncmp of map bytes (including 0 and >= 0x80: compared as
 *    unsigned char) for lengths 1..64 against several constant strings;
 *  - bpf_get_smp_processor_id stored as it is (difftest pins CPU 0);
 *  - bpf_ktime_get_boot_ns: non-zero, >= ktime_get_ns read before it,
 *    monotonic (comparisons only); bpf_get_prandom_u32 (comparison only);
 *  - bpf_map_lookup_percpu_elem on percpu_hash and lru_percpu_hash for
 *    CPU 0, CPU 1 and an impossible CPU, written through.
 */
#include "diff_common.h"

struct big {
	__u32 w[256];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct big);
} buf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __s64);
} res SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} pch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} lpch SEC(".maps");

static __always_inline void keep(__u32 i, __s64 v)
{
	__s64 *r = bpf_map_lookup_elem(&res, &i);

	if (r)
		*r = v;
}

static __always_inline void add(__u32 i, __s64 v)
{
	__s64 *r = bpf_map_lookup_elem(&res, &i);

	if (r)
		*r += v;
}

static __always_inline void percpu(void *map, __u32 key, __u32 sel, __u32 base)
{
	__u64 one = 1, *v;
	__u32 cpu;

	if (!bpf_map_lookup_elem(map, &key))
		bpf_map_update_elem(map, &key, &one, BPF_NOEXIST);
	switch ((sel >> 8) & 3) {
	case 0: cpu = 0; break;
	case 1: cpu = 1; break;
	case 2: cpu = 4096; break;	/* >= nr_cpu_ids: NULL */
	default: cpu = 0xffffffff; break;
	}
	v = bpf_map_lookup_percpu_elem(map, &key, cpu);
	add(base + (v != 0), 1);
	if (v)
		*v += sel;
}

SEC("xdp")
int diff_misc_edges(struct xdp_md *ctx)
{
	__u32 sel = pkt_sel(ctx), zero = 0, from, to, i;
	__u8 *p = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u64 seed = (__u64)sel * 0x9e3779b97f4a7c15ULL;
	__u64 t0, b0, b1;
	__u32 r0, r1;
	struct big *bg;
	__s64 c;
	long s;

	bg = bpf_map_lookup_elem(&buf, &zero);
	if (!bg)
		return XDP_ABORTED;
	bg->w[sel & 255] ^= sel * 2654435761u;
	if ((void *)(p + 16) <= end)
		__builtin_memcpy(&bg->w[(sel >> 4) & 127], p, 16);

	switch (sel & 7) {
	case 0: from = (sel >> 3) & 0x1fc; to = (sel >> 5) & 0x1fc; break;
	case 1: from = 0; to = (sel >> 3) & 0x3fc; break;
	case 2: from = (sel >> 3) & 0x3fc; to = 0; break;
	case 3: from = 0; to = 0; break;
	case 4: from = 256; to = 256; break;			/* exactly 512 */
	case 5: from = 256; to = 260; break;			/* 516: EINVAL */
	case 6: from = (sel >> 3) & 0x1ff; to = 4; break;	/* unaligned */
	default: from = 4; to = (sel >> 3) & 0x1ff; break;	/* unaligned */
	}
	if (from > 1024 || to > 1024)
		return XDP_ABORTED;
	c = bpf_csum_diff(from ? (void *)bg : 0, from,
			  to ? (void *)&bg->w[(sel >> 12) & 1] : 0, to, seed);
	keep(0, c);
	keep(1, from | to << 16);

	/* strncmp: s1 is map bytes (some 0, some >= 0x80) */
	{
		__u8 *s1 = (__u8 *)&bg->w[64];
		__u32 n = 1 + ((sel >> 2) & 63);

		s1[sel & 15] = (__u8)(sel >> 8);
		switch (sel & 3) {
		case 0: s = bpf_strncmp((char *)s1, 64, ""); break;
		case 1: s = bpf_strncmp((char *)s1, 64, "\x80\xff abc"); break;
		case 2: s = bpf_strncmp((char *)s1 + 16, 64, "uxdp"); break;
		default:
			s1[0] = 'G'; s1[1] = 'E'; s1[2] = 'T';
			s1[3] = (sel & 0x100) ? ' ' : 0;
			s = bpf_strncmp((char *)s1, n & 7 ? 3 + (n & 3) : 64, "GET ");
			break;
		}
		keep(2, s);
		add(3 + (s < 0 ? 0 : s == 0 ? 1 : 2), 1);
	}

	/* values that differ between sides: comparisons only */
	keep(6, bpf_get_smp_processor_id());
	t0 = bpf_ktime_get_ns();
	b0 = bpf_ktime_get_boot_ns();
	b1 = bpf_ktime_get_boot_ns();
	keep(7, b0 != 0 && b0 >= t0 && b1 >= b0);
	r0 = bpf_get_prandom_u32();
	r1 = bpf_get_prandom_u32();
	add(8, (r0 | r1) != 0);

	percpu(&pch, sel & 7, sel, 10);
	percpu(&lpch, sel & 31, sel, 12);
	put_result(ctx, 14, (__u32)c);
	put_result(ctx, 18, (__u32)s);
	return XDP_PASS;
}
