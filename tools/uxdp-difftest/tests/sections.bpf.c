// SPDX-License-Identifier: MIT
/*
 * sections.bpf.c - an object difftest must compare one program of, though
 * the rest of it cannot be loaded or compiled:
 *  - xdp_sock_prog is in a section libbpf has no rule for (`xdp_sock`), as
 *    some loaders name them: it needs -p, and the kernel must load it as XDP
 *    with the XDP attach type;
 *  - trace_missing is an fentry program on a function no kernel has: the
 *    kernel (libbpf, for the attach target) refuses it, so it must not be
 *    loaded at all;
 *  - broken_xdp is in an XDP section but calls a helper that does not exist:
 *    uxdpc cannot compile it (nor could the kernel load it), so uxdpc must be
 *    asked for xdp_sock_prog only.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} by_last_byte SEC(".maps");

SEC("xdp_sock")
int xdp_sock_prog(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 k;
	__u64 *v;

	if (data + 20 > end)
		return XDP_DROP;
	k = data[19];
	v = bpf_map_lookup_elem(&by_last_byte, &k);
	if (v)
		*v += end - data;
	return k & 1 ? XDP_PASS : XDP_TX;
}

SEC("fentry/uxdp_difftest_no_such_function")
int trace_missing(void *ctx)
{
	return 0;
}

SEC("xdp")
int broken_xdp(struct xdp_md *ctx)
{
	long (*no_such_helper)(void) = (void *)9999;

	return no_such_helper() ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
