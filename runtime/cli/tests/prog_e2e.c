// SPDX-License-Identifier: MIT
/*
 * prog_e2e.c - a hand-written stand-in for uxdpc output, so the binding and
 * the pcap driver are tested without the compiler: one XDP program, one
 * global-data map reached through its slot, a helper call, and a uxdp_meta
 * record as uxdpc lays it out.
 *
 *   IPv4: swap MACs, TOS byte = ++counter (counter starts at 100), XDP_TX
 *   IPv6: strip Ethernet with bpf_xdp_adjust_head, XDP_PASS
 *   ARP:  return 9, an invalid action (counted as XDP_ABORTED)
 *   < 14 bytes: XDP_DROP; anything else: XDP_PASS unchanged
 */
#include <stddef.h>
#include <uxdp/object_format.h>

uint64_t uxdp_helper_xdp_adjust_head(uint64_t ctx, uint64_t delta);

static struct uxdp_map_slot data_slot;

uint64_t e2e_prog(struct uxdp_ctx *ctx)
{
	uint8_t *d = ctx->data, *end = ctx->data_end;
	uint64_t *counter = data_slot.data;
	uint16_t proto;

	if (end - d < 14)
		return 1;
	proto = (uint16_t)(d[12] << 8 | d[13]);
	if (proto == 0x0800 && end - d >= 16) {
		for (int i = 0; i < 6; i++) {
			uint8_t t = d[i];

			d[i] = d[i + 6];
			d[i + 6] = t;
		}
		d[15] = (uint8_t)++*counter;
		return 3;
	}
	if (proto == 0x86dd)
		return uxdp_helper_xdp_adjust_head((uint64_t)ctx, 14) ? 0 : 2;
	if (proto == 0x0806)
		return 9;
	return 2;
}

struct record {
	struct uxdp_meta_header h;
	struct uxdp_meta_prog progs[1];
	struct uxdp_meta_map maps[1];
	char strings[40];
	uint64_t data[1];
};

__attribute__((section(UXDP_META_SECTION), used, aligned(8)))
static struct record meta = {
	.h = {
		.magic = UXDP_META_MAGIC,
		.version = UXDP_META_VERSION, .runtime_abi = UXDP_RUNTIME_ABI,
		.size = sizeof(struct record),
		.n_progs = 1,
		.n_maps = 1,
		.progs_off = offsetof(struct record, progs),
		.maps_off = offsetof(struct record, maps),
		.strings_off = offsetof(struct record, strings),
		.strings_size = sizeof(meta.strings),
		.data_off = offsetof(struct record, data),
		.data_size = sizeof(meta.data),
		.obj_name = 1,
	},
	/* "\0e2e.bpf.o\0e2e_prog\0xdp\0e2e.data" */
	.progs = { { .entry = e2e_prog, .name = 11, .section = 20, .type = UXDP_PROG_XDP } },
	.maps = { { .slot = &data_slot, .name = 24, .type = 2 /* BPF_MAP_TYPE_ARRAY */,
		    .key_size = 4, .value_size = 8, .max_entries = 1, .inner_map = -1,
		    .kind = UXDP_MAP_KIND_DATA, .init_off = 0, .init_size = 8,
		    .spin_lock_off = UINT32_MAX } },
	.strings = "\0e2e.bpf.o\0e2e_prog\0xdp\0e2e.data",
	.data = { 100 },
};
