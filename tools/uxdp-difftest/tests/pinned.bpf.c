// SPDX-License-Identifier: MIT
/*
 * pinned.bpf.c - a map libbpf would pin by name under /sys/fs/bpf.  pins.sh
 * leaves a pin of that name with other contents: difftest must neither
 * reuse it (a false difference) nor pin anything itself.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} uxdp_dt_pinned SEC(".maps");

SEC("xdp")
int pinned_prog(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&uxdp_dt_pinned, &k);

	if (!v)
		return XDP_ABORTED;
	*v += 1;
	return *v > 3 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
