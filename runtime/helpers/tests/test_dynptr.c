// SPDX-License-Identifier: MIT
/*
 * Unit tests of the dynptr helpers and kfuncs (dynptr.c): what the
 * differential test diff.dynptr cannot reach in the kernel, which refuses
 * it at load time or has no way to make it in an XDP program: read-only
 * dynptrs, bpf_dynptr_slice_rdwr (this machine's 6.18 kernel refuses it at
 * load in every program type), frames above 0xffff bytes, and
 * bpf_dynptr_copy's chunks.
 */
#include <errno.h>
#include <string.h>

#include <uxdp/ctx.h>

#include "../helpers_impl.h"
#include "test.h"

#define P(x) ((uint64_t)(uintptr_t)(x))
#define RDONLY_BIT (1u << 31)

struct dp {
	uint64_t opaque[2];
};

static uint8_t frame[80000];

static void set_rdonly(struct dp *d)
{
	uint32_t size;

	memcpy(&size, (uint8_t *)d + 8, 4);
	size |= RDONLY_BIT;
	memcpy((uint8_t *)d + 8, &size, 4);
}

static void test_mem(void)
{
	uint8_t mem[64], out[8];
	struct dp d, ro, c;

	for (int i = 0; i < 64; i++)
		mem[i] = (uint8_t)i;
	/* The size before the flags; a failed constructor leaves a null dynptr. */
	memset(&d, 0xff, sizeof(d));
	CHECK_EQ(uxdp_helper_dynptr_from_mem(P(mem), 1u << 24, 1, P(&d)), UXDP_ERR(E2BIG));
	CHECK(uxdp_kfunc_bpf_dynptr_is_null(P(&d)));
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_size(P(&d)), (uint32_t)-EINVAL);
	CHECK_EQ(uxdp_helper_dynptr_from_mem(P(mem), 64, 1, P(&d)), UXDP_ERR(EINVAL));
	CHECK_EQ(uxdp_helper_dynptr_from_mem(P(mem), 64, 0, P(&d)), 0);
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_size(P(&d)), 64);
	CHECK_EQ(uxdp_helper_dynptr_data(P(&d), 60, 4), P(mem + 60));
	CHECK_EQ(uxdp_helper_dynptr_data(P(&d), 61, 4), 0);

	/* Read-only: readable, never writable, no data pointer. */
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_clone(P(&d), P(&ro)), 0);
	set_rdonly(&ro);
	CHECK(uxdp_kfunc_bpf_dynptr_is_rdonly(P(&ro)));
	CHECK_EQ(uxdp_helper_dynptr_read(P(out), 8, P(&ro), 8, 0), 0);
	CHECK(out[0] == 8 && out[7] == 15);
	CHECK_EQ(uxdp_helper_dynptr_write(P(&ro), 0, P(out), 1, 0), UXDP_ERR(EINVAL));
	CHECK_EQ(uxdp_helper_dynptr_write(P(&ro), 64, P(out), 1, 0), UXDP_ERR(EINVAL));
	CHECK_EQ(uxdp_helper_dynptr_data(P(&ro), 0, 4), 0);
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_slice(P(&ro), 4, 0, 4), P(mem + 4));
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_slice_rdwr(P(&ro), 4, 0, 4), 0);
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_memset(P(&ro), 0, 4, 0), UXDP_ERR(EINVAL));
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_copy(P(&ro), 0, P(&d), 8, 4), UXDP_ERR(EINVAL));
	CHECK(mem[0] == 0);
	/* A clone keeps the bit, adjust keeps it too. */
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_clone(P(&ro), P(&c)), 0);
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_adjust(P(&c), 2, 6), 0);
	CHECK(uxdp_kfunc_bpf_dynptr_is_rdonly(P(&c)));
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_size(P(&c)), 4);

	/* slice_rdwr on a writable one; copy within one buffer overlaps as memmove. */
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_slice_rdwr(P(&d), 60, 0, 4), P(mem + 60));
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_slice_rdwr(P(&d), 61, 0, 4), 0);
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_copy(P(&d), 1, P(&d), 0, 8), 0);
	CHECK(mem[1] == 0 && mem[8] == 7 && mem[9] == 9);
}

static void frame_ctx(struct uxdp_ctx *c, uint32_t len)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 7);
	c->data_hard_start = frame;
	c->frame_end = frame + sizeof(frame);
	c->data = frame + 256;
	c->data_meta = c->data;
	c->data_end = c->data + len;
}

/* A frame above 0xffff bytes: offsets past it are -EFAULT, as bpf_xdp_pointer's. */
static void test_big_frame(void)
{
	struct uxdp_ctx c;
	uint8_t buf[4] = { 0xaa, 0xaa, 0xaa, 0xaa };
	struct dp d;

	frame_ctx(&c, 70000);
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_from_xdp(P(&c), 0, P(&d)), 0);
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_size(P(&d)), 70000);
	CHECK_EQ(uxdp_helper_dynptr_read(P(buf), 4, P(&d), 0xfffc, 0), 0);
	CHECK(!memcmp(buf, c.data + 0xfffc, 4));
	memset(buf, 0xaa, 4);
	CHECK_EQ(uxdp_helper_dynptr_read(P(buf), 4, P(&d), 0x10000, 0), UXDP_ERR(EFAULT));
	CHECK_EQ(uxdp_helper_dynptr_write(P(&d), 0x10000, P(buf), 4, 0), UXDP_ERR(EFAULT));
	CHECK(buf[0] == 0xaa && buf[3] == 0xaa);
	/* A slice with a buffer copies what the frame has there, whatever the offset. */
	memset(buf, 0xaa, 4);
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_slice(P(&d), 0x10000, P(buf), 4), P(buf));
	CHECK(buf[0] == c.data[0x10000] && buf[3] == c.data[0x10003]);
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_slice(P(&d), 0x10000, 0, 4), 0);
}

/*
 * A packet dynptr over a frame that shrank: neither side of a copy has a
 * slice, so it goes in 256-byte chunks and stops at the first that fails,
 * the ones before it copied.
 */
static void test_copy_chunks(void)
{
	uint8_t want[256], buf[4];
	struct uxdp_ctx c;
	struct dp d;

	frame_ctx(&c, 600);
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_from_xdp(P(&c), 0, P(&d)), 0);
	c.data_end = c.data + 400;
	memcpy(want, c.data + 140, 256);
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_copy(P(&d), 100, P(&d), 140, 301), UXDP_ERR(EINVAL));
	CHECK(!memcmp(c.data + 100, want, 256));
	CHECK(c.data[356] == (uint8_t)((256 + 356) * 7));
	/* Within the stale size but past both ends: -EINVAL, nothing copied. */
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_copy(P(&d), 450, P(&d), 500, 50), UXDP_ERR(EINVAL));
	/* Past the dynptr's own size: -E2BIG. */
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_copy(P(&d), 0, P(&d), 580, 50), UXDP_ERR(E2BIG));
	/* memset the same way: chunks up to the frame's end. */
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_memset(P(&d), 100, 301, 0xcd), UXDP_ERR(EINVAL));
	CHECK(c.data[100] == 0xcd && c.data[355] == 0xcd && c.data[356] != 0xcd);
	/* slice_rdwr without a buffer: the frame's own bytes, or NULL past them */
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_slice_rdwr(P(&d), 396, 0, 4), P(c.data + 396));
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_slice_rdwr(P(&d), 397, 0, 4), 0);
	/* with one: the bytes the frame still has copied in, the rest as it was */
	memset(buf, 0xee, sizeof(buf));
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_slice_rdwr(P(&d), 398, P(buf), 4), P(buf));
	CHECK(buf[0] == c.data[398] && buf[1] == c.data[399] && buf[2] == 0xee && buf[3] == 0xee);
	memset(buf, 0xee, sizeof(buf));
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_slice_rdwr(P(&d), 400, P(buf), 4), P(buf));
	CHECK(buf[0] == 0xee);
	CHECK_EQ(uxdp_kfunc_bpf_dynptr_slice_rdwr(P(&d), 598, P(buf), 4), 0); /* past its size */
}

int main(void)
{
	test_mem();
	test_big_frame();
	test_copy_chunks();
	return test_result("unit.helpers.dynptr");
}
