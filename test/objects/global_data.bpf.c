// SPDX-License-Identifier: GPL-2.0
/*
 * global_data.bpf.c - every kind of global data: initialised (.data),
 * constant (.rodata, which libbpf freezes), zeroed (.bss), a custom
 * section (.data.custom, its own map), and constant strings (in .rodata,
 * reached by bpf_printk and bpf_strncmp).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* .rodata: a loader may set these before load, as libbpf skeletons do. */
const volatile __u32 drop_len_below = 14;
const volatile __u8 verdict_table[4] = { XDP_PASS, XDP_DROP, XDP_PASS, XDP_TX };
/* .data */
__u64 seen = 100;
__u32 last_len = 0xdeadbeef;
/* .bss */
__u64 dropped;
__u32 hist[8];
/* .data.custom: a fourth global-data map. */
__u64 custom_counter SEC(".data.custom") = 7;

SEC("xdp")
int xdp_globals(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 len = data_end - data;
	char tag[4] = {};

	__sync_fetch_and_add(&seen, 1);
	last_len = len;
	hist[len & 7]++;
	custom_counter += len;
	if (len < drop_len_below) {
		dropped++;
		bpf_printk("short packet: %u bytes", len);
		return XDP_DROP;
	}
	if (data + sizeof(tag) <= data_end)
		__builtin_memcpy(tag, data, sizeof(tag));
	/* A constant string compared against packet bytes copied to the stack. */
	if (bpf_strncmp(tag, sizeof(tag), "UXD") == 0)
		return XDP_TX;
	return verdict_table[len & 3];
}

char _license[] SEC("license") = "GPL";
