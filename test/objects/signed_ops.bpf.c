// SPDX-License-Identifier: GPL-2.0
/*
 * signed_ops.bpf.c - the ISA v4 additions: sign-extending loads (LDX
 * MEMSX), sign-extending moves (MOVSX), signed division and modulo
 * (SDIV/SMOD, off = 1) and unconditional bswap.  Built at -mcpu=v4
 * only: older CPUs expand these into shift sequences, which is not what we
 * want to test here.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

static __always_inline void store(__u32 k, __s64 v)
{
	bpf_map_update_elem(&results, &k, &v, BPF_ANY);
}

SEC("xdp")
int xdp_signed(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__s8 *b = data;
	__s16 *h = data;
	__s32 *w = data;
	__s64 x, y, q, r;

	if (data + 8 > data_end)
		return XDP_DROP;
	x = b[1];   /* ldxsb */
	y = h[1];   /* ldxsh */
	x += w[1];  /* ldxsw */
	if (y == 0)
		y = -3;
	q = x / y;  /* sdiv */
	r = x % y;  /* smod */
	store(0, q);
	store(1, r);
	store(2, (__s64)(__s32)(__s16)q); /* movsx */
	store(3, (__s64)__builtin_bswap64((__u64)x) + __builtin_bswap32((__u32)y));
	return (q < 0) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
