// SPDX-License-Identifier: MIT
/*
 * prog_spin.c - hand-built programs that do not return, for the signal
 * tests (signals.py), built without uxdpc so that no compiler check can
 * end their loops.  One global-data map, so that the run has segments.
 *
 *   spin:       first byte 0x11: loops forever; else XDP_DROP
 *   spin_polls: first byte 0x11: loops until the worker's stop flag is set
 *               (ctx->worker + UXDP_WORKER_OFF_STOP, as compiled code reads
 *               it on back-edges), then XDP_ABORTED; else XDP_DROP
 */
#include <stddef.h>
#include <uxdp/object_format.h>

static struct uxdp_map_slot data_slot;

uint64_t spin(struct uxdp_ctx *ctx)
{
	volatile uint64_t *spins = data_slot.data;

	if (ctx->data_end - ctx->data < 1 || ctx->data[0] != 0x11)
		return 1;
	for (;;)
		++*spins;
}

uint64_t spin_polls(struct uxdp_ctx *ctx)
{
	volatile uint64_t *spins = data_slot.data;
	const volatile uint32_t *stop;

	if (ctx->data_end - ctx->data < 1 || ctx->data[0] != 0x11)
		return 1;
	stop = (const volatile uint32_t *)((const uint8_t *)ctx->worker + UXDP_WORKER_OFF_STOP);
	while (!*stop)
		++*spins;
	return 0;
}

struct record {
	struct uxdp_meta_header h;
	struct uxdp_meta_prog progs[2];
	struct uxdp_meta_map maps[1];
	char strings[48];
	uint64_t data[1];
};

__attribute__((section(UXDP_META_SECTION), used, aligned(8)))
static struct record meta = {
	.h = {
		.magic = UXDP_META_MAGIC,
		.version = UXDP_META_VERSION, .runtime_abi = UXDP_RUNTIME_ABI,
		.size = sizeof(struct record),
		.n_progs = 2,
		.n_maps = 1,
		.progs_off = offsetof(struct record, progs),
		.maps_off = offsetof(struct record, maps),
		.strings_off = offsetof(struct record, strings),
		.strings_size = sizeof(meta.strings),
		.data_off = offsetof(struct record, data),
		.data_size = sizeof(meta.data),
		.obj_name = 1,
	},
	/* "\0spin.bpf.o\0spin\0xdp\0spin.bss\0spin_polls" */
	.progs = { { .entry = spin, .name = 12, .section = 17, .type = UXDP_PROG_XDP },
		   { .entry = spin_polls, .name = 30, .section = 17, .type = UXDP_PROG_XDP } },
	.maps = { { .slot = &data_slot, .name = 21, .type = 2 /* BPF_MAP_TYPE_ARRAY */,
		    .key_size = 4, .value_size = 8, .max_entries = 1, .inner_map = -1,
		    .kind = UXDP_MAP_KIND_DATA, .init_off = 0, .init_size = 8,
		    .spin_lock_off = UINT32_MAX } },
	.strings = "\0spin.bpf.o\0spin\0xdp\0spin.bss\0spin_polls",
	.data = { 0 },
};
