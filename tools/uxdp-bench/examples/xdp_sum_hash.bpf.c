// SPDX-License-Identifier: MIT
/*
 * Sum the first 60 bytes, then hash the sum: byte-wise packet work that
 * the host's vector units can do (vpsadbw), if the compiler sees through
 * the bounds check and keeps the partial sums out of memory.  The shape of
 * xdp_progs/xdp_hash_sum, with a simpler mixer.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define SUM_BYTES 60

SEC("xdp")
int xdp_sum_hash(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *data_end = (void *)(long)ctx->data_end;
	__u32 sum = 0, h;
	int i;

	if (data + SUM_BYTES > data_end)
		return XDP_PASS;
	for (i = 0; i < SUM_BYTES; i++)
		sum += data[i];
	/* A murmur3-style finaliser: every bit of the sum moves the result. */
	h = sum * 0xcc9e2d51u;
	h ^= h >> 15;
	h *= 0x1b873593u;
	h ^= h >> 13;
	return (h & 8) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
