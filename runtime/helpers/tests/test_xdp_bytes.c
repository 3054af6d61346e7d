// SPDX-License-Identifier: MIT
/* Unit tests of xdp_get_buff_len, xdp_load_bytes and xdp_store_bytes. */
#include <errno.h>
#include <string.h>

#include <uxdp/ctx.h>

#include "../helpers_impl.h"
#include "test.h"

static uint8_t frame[4096];

#define P(x) ((uint64_t)(uintptr_t)(x))

int main(void)
{
	struct uxdp_ctx c = { 0 };
	uint8_t buf[64];
	int i;

	for (i = 0; i < 4096; i++)
		frame[i] = (uint8_t)i;
	c.data_hard_start = frame;
	c.frame_end = frame + sizeof(frame);
	c.data = frame + 256;
	c.data_meta = c.data;
	c.data_end = c.data + 100;

	CHECK_EQ(uxdp_helper_xdp_get_buff_len(P(&c)), 100);

	CHECK_EQ(uxdp_helper_xdp_load_bytes(P(&c), 0, P(buf), 14), 0);
	CHECK(!memcmp(buf, c.data, 14));
	/* The last byte exactly, then one past. */
	CHECK_EQ(uxdp_helper_xdp_load_bytes(P(&c), 99, P(buf), 1), 0);
	CHECK(buf[0] == c.data[99]);
	CHECK_EQ(uxdp_helper_xdp_load_bytes(P(&c), 99, P(buf), 2), UXDP_ERR(EINVAL));
	CHECK_EQ(uxdp_helper_xdp_load_bytes(P(&c), 100, P(buf), 1), UXDP_ERR(EINVAL));
	CHECK_EQ(uxdp_helper_xdp_load_bytes(P(&c), 36, P(buf), 64), 0);
	CHECK_EQ(uxdp_helper_xdp_load_bytes(P(&c), 37, P(buf), 64), UXDP_ERR(EINVAL));
	/* Over 0xffff is -EFAULT, before the length check. */
	CHECK_EQ(uxdp_helper_xdp_load_bytes(P(&c), 0x10000, P(buf), 1), UXDP_ERR(EFAULT));
	CHECK_EQ(uxdp_helper_xdp_load_bytes(P(&c), 0, P(buf), 0x10000), UXDP_ERR(EFAULT));
	CHECK_EQ(uxdp_helper_xdp_load_bytes(P(&c), 0xffff, P(buf), 1), UXDP_ERR(EINVAL));
	/* offset and len are u32: high bits are dropped. */
	CHECK_EQ(uxdp_helper_xdp_load_bytes(P(&c), 0x100000002ull, P(buf), 1), 0);
	CHECK(buf[0] == c.data[2]);

	memset(buf, 0x5a, sizeof(buf));
	CHECK_EQ(uxdp_helper_xdp_store_bytes(P(&c), 90, P(buf), 10), 0);
	CHECK(c.data[90] == 0x5a && c.data[99] == 0x5a && c.data[100] == (uint8_t)(256 + 100));
	CHECK(c.data[89] == (uint8_t)(256 + 89));
	CHECK_EQ(uxdp_helper_xdp_store_bytes(P(&c), 91, P(buf), 10), UXDP_ERR(EINVAL));
	CHECK(c.data[100] == (uint8_t)(256 + 100));
	CHECK_EQ(uxdp_helper_xdp_store_bytes(P(&c), 0x10000, P(buf), 1), UXDP_ERR(EFAULT));
	/* bpf_xdp_pull_data: nothing to pull from a linear frame; len is a u32. */
	CHECK_EQ(uxdp_kfunc_bpf_xdp_pull_data(P(&c), 100), 0);
	CHECK_EQ(uxdp_kfunc_bpf_xdp_pull_data(P(&c), 0), 0);
	CHECK_EQ(uxdp_kfunc_bpf_xdp_pull_data(P(&c), 101), UXDP_ERR(EINVAL));
	CHECK_EQ(uxdp_kfunc_bpf_xdp_pull_data(P(&c), 0x100000000ull + 10), 0);
	return test_result("unit.helpers.xdp_bytes");
}
