// SPDX-License-Identifier: MIT
/*
 * prog_meta.c - two hand-built uxdp_meta records, as uxdpc would emit for
 * two BPF objects, in one section.
 */
#include <stddef.h>
#include <uxdp/object_format.h>

/*
 * The slots as uxdpc places them (compiler/metadata.c): a page-aligned
 * section, a pad, then the slots in the page's last cache line.  The
 * loader must keep the section's alignment for them to land there.  In
 * assembly, since C leaves the order of globals in a section to clang.
 */
__asm__(".section .bss.uxdp_slots,\"aw\",@nobits\n"
	".p2align 12\n"
	"slot_pad: .zero 4096 - 64\n"
	".globl slot_a\n.type slot_a,@object\n.size slot_a, 16\nslot_a: .zero 16\n"
	".globl slot_b\n.type slot_b,@object\n.size slot_b, 16\nslot_b: .zero 16\n"
	".previous\n");
extern struct uxdp_map_slot slot_a, slot_b;

uint64_t xdp_pass_prog(struct uxdp_ctx *ctx)
{
	return ctx->data_end - ctx->data > 0 ? 2 : 1;
}

uint64_t xdp_drop_prog(struct uxdp_ctx *ctx)
{
	return 1;
}

struct record {
	struct uxdp_meta_header h;
	struct uxdp_meta_prog progs[1];
	struct uxdp_meta_map maps[1];
	char strings[32];
	uint8_t data[8];
};

#define STR_OBJ 1
#define STR_PROG 8
#define STR_SEC 20
#define STR_MAP 24

#define RECORD(entry_fn, slot_ptr, objname, progname, mapname) {			\
	.h = {									\
		.magic = UXDP_META_MAGIC,					\
		.version = UXDP_META_VERSION, .runtime_abi = UXDP_RUNTIME_ABI,					\
		.size = sizeof(struct record),					\
		.n_progs = 1,							\
		.n_maps = 1,							\
		.progs_off = offsetof(struct record, progs),			\
		.maps_off = offsetof(struct record, maps),			\
		.strings_off = offsetof(struct record, strings),		\
		.strings_size = sizeof(((struct record *)0)->strings),	\
		.data_off = offsetof(struct record, data),			\
		.data_size = 8,							\
		.obj_name = STR_OBJ,						\
	},									\
	.progs = { { .entry = (entry_fn), .name = STR_PROG, .section = STR_SEC,	\
		     .type = UXDP_PROG_XDP } },					\
	.maps = { { .slot = (slot_ptr), .name = STR_MAP, .type = 2, .key_size = 4,	\
		    .value_size = 8, .max_entries = 1, .inner_map = -1,	\
		    .kind = UXDP_MAP_KIND_DATA, .init_off = 0, .init_size = 8,	\
		    .spin_lock_off = UINT32_MAX } },					\
	.strings = "\0" objname "\0" progname "\0xdp\0" mapname,		\
	.data = { 1, 2, 3, 4, 5, 6, 7, 8 },					\
}

_Static_assert(sizeof(struct record) % 8 == 0, "records are 8-byte multiples");

__attribute__((section(UXDP_META_SECTION), used, aligned(8)))
struct record meta[2] = {
	RECORD(xdp_pass_prog, &slot_a, "a.o\0\0\0", "pass_prog\0\0", "cfg_a\0\0"),
	RECORD(xdp_drop_prog, &slot_b, "b.o\0\0\0", "drop_prog\0\0", "cfg_b\0\0"),
};
