// SPDX-License-Identifier: MIT
/* Unit tests of xdp_adjust_head/tail/meta: the kernel's limits, exactly and one past. */
#include <errno.h>
#include <string.h>

#include <uxdp/ctx.h>
#include <uxdp/worker.h>

#include "../helpers_impl.h"
#include "test.h"

#define FRAME 4096
static _Alignas(64) uint8_t frame[FRAME];

/* A frame as bpf_prog_test_run lays it out: 256 headroom, len bytes of data. */
static void setup(struct uxdp_ctx *ctx, uint32_t len)
{
	memset(ctx, 0, sizeof(*ctx));
	memset(frame, 0xaa, sizeof(frame));
	ctx->data_hard_start = frame;
	ctx->frame_end = frame + FRAME;
	ctx->data = frame + UXDP_HEADROOM;
	ctx->data_meta = ctx->data;
	ctx->data_end = ctx->data + len;
}

#define EINV UXDP_ERR(EINVAL)
#define R1(ctx) ((uint64_t)(uintptr_t)(ctx))
#define D(x) ((uint64_t)(int64_t)(x))

static void test_head(void)
{
	struct uxdp_ctx c;

	/* Down to hard_start + sizeof(xdp_frame): -216 is the limit. */
	setup(&c, 64);
	CHECK_EQ(uxdp_helper_xdp_adjust_head(R1(&c), D(-(UXDP_HEADROOM - 40) - 1)), EINV);
	CHECK(c.data == frame + UXDP_HEADROOM);
	CHECK_EQ(uxdp_helper_xdp_adjust_head(R1(&c), D(-(UXDP_HEADROOM - 40))), 0);
	CHECK(c.data == frame + 40 && c.data_meta == c.data);
	/* Up until ETH_HLEN bytes are left. */
	setup(&c, 64);
	CHECK_EQ(uxdp_helper_xdp_adjust_head(R1(&c), 51), EINV);
	CHECK_EQ(uxdp_helper_xdp_adjust_head(R1(&c), 50), 0);
	CHECK(c.data_end - c.data == 14);
	CHECK_EQ(uxdp_helper_xdp_adjust_head(R1(&c), 1), EINV);
	/* The delta is an int: upper bits of r2 are ignored. */
	setup(&c, 64);
	CHECK_EQ(uxdp_helper_xdp_adjust_head(R1(&c), 0xffffffff00000008ull), 0);
	CHECK(c.data == frame + UXDP_HEADROOM + 8);
	/* Huge deltas fail instead of wrapping. */
	setup(&c, 64);
	CHECK_EQ(uxdp_helper_xdp_adjust_head(R1(&c), D(INT32_MIN)), EINV);
	CHECK_EQ(uxdp_helper_xdp_adjust_head(R1(&c), D(INT32_MAX)), EINV);

	/* Metadata moves with data and lowers the limit by its length. */
	setup(&c, 64);
	CHECK_EQ(uxdp_helper_xdp_adjust_meta(R1(&c), D(-8)), 0);
	memcpy(c.data_meta, "METADATA", 8);
	CHECK_EQ(uxdp_helper_xdp_adjust_head(R1(&c), D(-(UXDP_HEADROOM - 40) + 7)), EINV);
	CHECK_EQ(uxdp_helper_xdp_adjust_head(R1(&c), D(-(UXDP_HEADROOM - 40) + 8)), 0);
	CHECK(c.data == frame + 48 && c.data_meta == frame + 40);
	CHECK(!memcmp(c.data_meta, "METADATA", 8));
	CHECK_EQ(uxdp_helper_xdp_adjust_head(R1(&c), 20), 0);
	CHECK(c.data - c.data_meta == 8 && !memcmp(c.data_meta, "METADATA", 8));

	/* No metadata support (data_meta = data + 1): it moves but nothing is copied. */
	setup(&c, 64);
	c.data_meta = c.data + 1;
	CHECK_EQ(uxdp_helper_xdp_adjust_head(R1(&c), D(-16)), 0);
	CHECK(c.data_meta == c.data + 1);
}

static void test_tail(void)
{
	struct uxdp_ctx c;
	uint8_t *hard_end = frame + FRAME - UXDP_XDP_TAILROOM;
	int64_t room;
	int i, zero = 1;

	/* Shrink to exactly ETH_HLEN bytes, not one below. */
	setup(&c, 64);
	CHECK_EQ(uxdp_helper_xdp_adjust_tail(R1(&c), D(-51)), EINV);
	CHECK_EQ(uxdp_helper_xdp_adjust_tail(R1(&c), D(-50)), 0);
	CHECK(c.data_end - c.data == 14);
	CHECK_EQ(uxdp_helper_xdp_adjust_tail(R1(&c), D(-1)), EINV);

	/* Grow to the shinfo reserve: 4096 - 256 - 320 = 3520 bytes of packet. */
	setup(&c, 64);
	room = hard_end - c.data_end;
	CHECK_EQ(room, 3520 - 64);
	CHECK_EQ(uxdp_helper_xdp_adjust_tail(R1(&c), D(room + 1)), EINV);
	CHECK(c.data_end == c.data + 64);
	CHECK_EQ(uxdp_helper_xdp_adjust_tail(R1(&c), D(room)), 0);
	CHECK(c.data_end == hard_end);
	for (i = 64; i < 3520; i++)
		zero &= c.data[i] == 0;
	CHECK(zero);
	CHECK(hard_end[0] == 0xaa); /* nothing written past the limit */
	CHECK_EQ(uxdp_helper_xdp_adjust_tail(R1(&c), 1), EINV);

	/* Shrinking does not touch the bytes given back. */
	setup(&c, 64);
	CHECK_EQ(uxdp_helper_xdp_adjust_tail(R1(&c), D(-10)), 0);
	CHECK(c.data[60] == 0xaa);
	CHECK_EQ(uxdp_helper_xdp_adjust_tail(R1(&c), D(INT32_MIN)), EINV);
	CHECK_EQ(uxdp_helper_xdp_adjust_tail(R1(&c), D(INT32_MAX)), EINV);
}

static void test_meta(void)
{
	struct uxdp_ctx c;

	setup(&c, 64);
	CHECK_EQ(uxdp_helper_xdp_adjust_meta(R1(&c), D(-4)), 0);
	CHECK(c.data - c.data_meta == 4);
	CHECK_EQ(uxdp_helper_xdp_adjust_meta(R1(&c), 4), 0);
	CHECK(c.data_meta == c.data);
	/* Past data: -EINVAL. */
	CHECK_EQ(uxdp_helper_xdp_adjust_meta(R1(&c), 4), EINV);
	/* Not a multiple of 4: -EACCES. */
	CHECK_EQ(uxdp_helper_xdp_adjust_meta(R1(&c), D(-3)), UXDP_ERR(EACCES));
	CHECK_EQ(uxdp_helper_xdp_adjust_meta(R1(&c), D(-6)), UXDP_ERR(EACCES));
	CHECK(c.data_meta == c.data);
	/* Up to 255 (u8 meta_len) since Linux 6.6: 252 is the largest multiple of 4. */
	CHECK_EQ(uxdp_helper_xdp_adjust_meta(R1(&c), D(-32)), 0);
	CHECK_EQ(uxdp_helper_xdp_adjust_meta(R1(&c), D(-4)), 0);
	CHECK_EQ(uxdp_helper_xdp_adjust_meta(R1(&c), D(-216)), EINV); /* into xdp_frame */
	CHECK_EQ(uxdp_helper_xdp_adjust_meta(R1(&c), 36), 0);
	CHECK(c.data_meta == c.data);
	/* 252 needs 292 bytes of headroom: give it by moving data up. */
	CHECK_EQ(uxdp_helper_xdp_adjust_head(R1(&c), 40), 0);
	CHECK_EQ(uxdp_helper_xdp_adjust_meta(R1(&c), D(-256)), UXDP_ERR(EACCES));
	CHECK_EQ(uxdp_helper_xdp_adjust_meta(R1(&c), D(-252)), 0);
	CHECK(c.data - c.data_meta == 252);
	/* Exactly down to the end of the reserved xdp_frame, not one past. */
	setup(&c, 64);
	c.data = frame + 40 + 8;
	c.data_meta = c.data;
	CHECK_EQ(uxdp_helper_xdp_adjust_meta(R1(&c), D(-12)), EINV);
	CHECK_EQ(uxdp_helper_xdp_adjust_meta(R1(&c), D(-8)), 0);
	CHECK(c.data_meta == frame + 40);
	/* Metadata unsupported: -ENOTSUPP (524), checked first. */
	setup(&c, 64);
	c.data_meta = c.data + 1;
	CHECK_EQ(uxdp_helper_xdp_adjust_meta(R1(&c), D(-4)), UXDP_ERR(524));
}

int main(void)
{
	test_head();
	test_tail();
	test_meta();
	return test_result("unit.helpers.xdp_adjust");
}
