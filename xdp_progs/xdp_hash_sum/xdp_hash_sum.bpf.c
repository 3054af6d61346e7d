// SPDX-License-Identifier: MIT
/*
 * xdp_hash_sum - sum the first 60 bytes of the frame byte by byte, hash the
 * 32-bit sum with xxHash32 (seed 0, the sum's 4 little-endian bytes as
 * input) and drop the packet when bit HASH_DROP_BIT of the hash is set.
 * Frames shorter than 60 bytes pass untouched.
 *
 * xxHash32 is written here from its specification (Yann Collet, "xxHash
 * fast digest algorithm", doc/xxhash_spec.md): for an input of 4 bytes only
 * the short-input path, one 4-byte lane and the final avalanche are used.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define SUM_BYTES 60
#define HASH_DROP_BIT 3
#define HASH_SEED 0

#define XXH_PRIME32_2 0x85EBCA77U
#define XXH_PRIME32_3 0xC2B2AE3DU
#define XXH_PRIME32_4 0x27D4EB2FU
#define XXH_PRIME32_5 0x165667B1U

static __always_inline __u32 rotl32(__u32 x, int r)
{
	return (x << r) | (x >> (32 - r));
}

/* xxHash32 of the 4 little-endian bytes of v. */
static __always_inline __u32 xxh32_u32(__u32 v, __u32 seed)
{
	__u32 acc = seed + XXH_PRIME32_5;

	acc += 4; /* input length */
	acc += v * XXH_PRIME32_3;
	acc = rotl32(acc, 17) * XXH_PRIME32_4;
	acc ^= acc >> 15;
	acc *= XXH_PRIME32_2;
	acc ^= acc >> 13;
	acc *= XXH_PRIME32_3;
	acc ^= acc >> 16;
	return acc;
}

SEC("xdp")
int xdp_hash_sum(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 sum = 0;
	int i;

	if (data + SUM_BYTES > (unsigned char *)end)
		return XDP_PASS;
	for (i = 0; i < SUM_BYTES; i++)
		sum += data[i];
	if (xxh32_u32(sum, HASH_SEED) & (1U << HASH_DROP_BIT))
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
