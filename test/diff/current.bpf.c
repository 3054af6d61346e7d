// SPDX-License-Identifier: GPL-2.0
/*
 * current.bpf.c - bpf_get_current_pid_tgid, bpf_get_current_uid_gid and
 * bpf_get_current_comm (the last for loaders with CAP_PERFMON).  The
 * current task is the one that runs the program: uxdp-difftest runs the
 * kernel's test_run and uxdp's program in the same thread, so both sides
 * must give the same ids and the same name, cut to sizes 1, 4, 7 and 16
 * and zero-padded in a 24-byte buffer.  The kernel's ids are the initial
 * namespaces': same_namespaces.sh skips the test elsewhere.
 */
#include "diff_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} res SEC(".maps");

struct name {
	char b[24];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct name);
} comm SEC(".maps");

static __always_inline void keep(__u32 i, __u64 v)
{
	__u64 *r = bpf_map_lookup_elem(&res, &i);

	if (r)
		*r = v;
}

SEC("xdp")
int diff_current(struct xdp_md *ctx)
{
	__u32 sel = pkt_sel(ctx), zero = 0;
	struct name *n = bpf_map_lookup_elem(&comm, &zero);
	char small[4];
	long r = 0;

	if (!n)
		return XDP_ABORTED;
	keep(0, bpf_get_current_pid_tgid());
	keep(1, bpf_get_current_uid_gid());
	__builtin_memset(n->b, 0x5a, sizeof(n->b));
	/* the name cut, or the name and zeroes after it */
	switch (sel % 4) {
	case 0:
		r = bpf_get_current_comm(n->b, 1);
		break;
	case 1:
		r = bpf_get_current_comm(n->b, 7);
		break;
	case 2:
		r = bpf_get_current_comm(n->b, 16);
		break;
	default:
		r = bpf_get_current_comm(n->b, sizeof(n->b));
		break;
	}
	keep(2, r);
	keep(3, bpf_get_current_comm(small, sizeof(small)));
	keep(4, small[0] | small[1] << 8 | small[2] << 16 | (__u64)(__u8)small[3] << 24);
	put_result(ctx, 14, (__u32)bpf_get_current_pid_tgid());
	return XDP_TX;
}
