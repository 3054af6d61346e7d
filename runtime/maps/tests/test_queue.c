// SPDX-License-Identifier: MIT
/* Queue (FIFO) and stack (LIFO): order, full/empty, BPF_EXIST overwrite,
 * and the syscall-like view (update = push, lookup = peek). */
#include <stdint.h>

#include "test.h"

static void test_one(uint32_t type, const char *name)
{
	struct uxdp_map *m = mk(name, type, 0, 4, 3, 0);
	bool fifo = type == BPF_MAP_TYPE_QUEUE;
	uint32_t v, k = 0;

	if (!m)
		return;
	CHECK_EQ(uxdp_map_pop(m, &v), -ENOENT);
	CHECK_EQ(uxdp_map_peek(m, &v), -ENOENT);
	for (v = 1; v <= 3; v++)
		CHECK_EQ(uxdp_map_push(m, &v, BPF_ANY), 0);
	CHECK_EQ(uxdp_map_push(m, &v, BPF_ANY), -E2BIG);
	CHECK_EQ(uxdp_map_push(m, &v, BPF_NOEXIST), -EINVAL);
	CHECK_EQ(uxdp_map_peek(m, &v), 0);
	CHECK_EQ(v, fifo ? 1 : 3);
	/* full + BPF_EXIST: the oldest (1) makes room for 4 */
	v = 4;
	CHECK_EQ(uxdp_map_push(m, &v, BPF_EXIST), 0);
	for (uint32_t i = 0; i < 3; i++) {
		CHECK_EQ(uxdp_map_pop(m, &v), 0);
		CHECK_EQ(v, fifo ? 2 + i : 4 - i);
	}
	CHECK_EQ(uxdp_map_pop(m, &v), -ENOENT);
	/* syscall view */
	v = 9;
	CHECK_EQ(uxdp_map_update_elem(m, NULL, &v, BPF_ANY), 0);
	v = 0;
	CHECK_EQ(uxdp_map_lookup_elem_copy(m, NULL, &v), 0);
	CHECK_EQ(v, 9);
	CHECK_EQ(uxdp_map_lookup_and_delete_elem(m, NULL, &v), 0);
	CHECK_EQ(uxdp_map_lookup_and_delete_elem(m, NULL, &v), -ENOENT);
	CHECK_EQ(uxdp_map_delete_elem(m, &k), -EINVAL);
	CHECK_EQ(uxdp_map_get_next_key(m, NULL, &k), -EINVAL);
	CHECK(uxdp_map_lookup(m, &k) == NULL);
	/* wrap around many times */
	for (uint32_t i = 0; i < 100; i++) {
		CHECK_EQ(uxdp_map_push(m, &i, BPF_ANY), 0);
		CHECK_EQ(uxdp_map_pop(m, &v), 0);
		CHECK_EQ(v, i);
	}
	uxdp_map_close(m);
}

int main(void)
{
	test_begin("queue");
	test_one(BPF_MAP_TYPE_QUEUE, "q");
	test_one(BPF_MAP_TYPE_STACK, "s");
	return test_end();
}
