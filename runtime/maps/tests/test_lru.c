// SPDX-License-Identifier: MIT
/* LRU hash maps: a full map evicts the least recently used key instead of
 * failing; a program lookup counts as a use, a control-plane lookup does not. */
#include <stdint.h>

#include "test.h"

static int present(struct uxdp_map *m, uint32_t k)
{
	uint64_t v[4];

	return uxdp_map_lookup_elem_copy(m, &k, v) == 0;
}

static void test_lru(uint32_t type, const char *name)
{
	struct uxdp_map *m = mk(name, type, 4, 8, 4, 0);
	uint64_t v[4] = { 0 };
	uint32_t k;

	if (!m)
		return;
	for (k = 1; k <= 4; k++) {
		v[0] = k;
		CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_NOEXIST), 0);
	}
	/* full: inserting 5 evicts 1, the oldest */
	k = 5;
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_ANY), 0);
	CHECK(!present(m, 1));
	CHECK(present(m, 2) && present(m, 3) && present(m, 4) && present(m, 5));
	/* control-plane lookups did not count: 2 is next */
	k = 6;
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_ANY), 0);
	CHECK(!present(m, 2));
	/* a program lookup of 3 protects it: 4 goes instead */
	k = 3;
	CHECK(uxdp_map_lookup(m, &k) != NULL);
	k = 7;
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_ANY), 0);
	CHECK(present(m, 3));
	CHECK(!present(m, 4));
	CHECK(present(m, 5) && present(m, 6) && present(m, 7));
	/* an update of an existing key is a use too: 5 stays, 6 (oldest unused) goes */
	k = 5;
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_EXIST), 0);
	k = 8;
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_ANY), 0);
	CHECK(present(m, 5));
	CHECK(!present(m, 6));
	CHECK(present(m, 3) && present(m, 7));
	/* delete frees a slot: no eviction for the next insert */
	k = 8;
	CHECK_EQ(uxdp_map_delete_elem(m, &k), 0);
	CHECK_EQ(uxdp_map_delete_elem(m, &k), -ENOENT);
	{
		int before = present(m, 5) + present(m, 6) + present(m, 7) + present(m, 3);

		k = 9;
		CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_ANY), 0);
		CHECK_EQ(present(m, 5) + present(m, 6) + present(m, 7) + present(m, 3), before);
	}
	/* many inserts never fail and keep exactly max_entries keys */
	for (k = 100; k < 1000; k++)
		CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_ANY), 0);
	for (k = 996; k < 1000; k++)
		CHECK(present(m, k));
	{
		uint32_t cur, next;
		int n = 0;

		for (int rc = uxdp_map_get_next_key(m, NULL, &next); rc == 0;
		     rc = uxdp_map_get_next_key(m, &cur, &next)) {
			cur = next;
			n++;
		}
		CHECK_EQ(n, 4);
	}
	uxdp_map_close(m);
}

int main(void)
{
	test_begin("lru");
	test_lru(BPF_MAP_TYPE_LRU_HASH, "lru");
	test_lru(BPF_MAP_TYPE_LRU_PERCPU_HASH, "lrupc");
	return test_end();
}
