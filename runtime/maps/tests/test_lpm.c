// SPDX-License-Identifier: MIT
/* LPM trie: longest-prefix match for IPv4 (/0, /8, /24, /32) and IPv6
 * (/0, /64, /128), flags, -ENOSPC when full, delete, post-order iteration. */
#include <arpa/inet.h>
#include <stdint.h>

#include "test.h"

struct k4 {
	uint32_t prefixlen;
	uint8_t addr[4];
};

struct k6 {
	uint32_t prefixlen;
	uint8_t addr[16];
};

static struct k4 ip4(const char *s, uint32_t plen)
{
	struct k4 k = { .prefixlen = plen };

	inet_pton(AF_INET, s, k.addr);
	return k;
}

static int lookup4(struct uxdp_map *m, const char *s)
{
	struct k4 k = ip4(s, 32);
	uint32_t *p = uxdp_map_lookup(m, &k), v = 0;
	int rc = uxdp_map_lookup_elem_copy(m, &k, &v);

	CHECK((p == NULL) == (rc != 0));
	if (p)
		CHECK_EQ(*p, v);
	return p ? (int)*p : -1;
}

static int add4(struct uxdp_map *m, const char *s, uint32_t plen, uint32_t v, uint64_t flags)
{
	struct k4 k = ip4(s, plen);

	return uxdp_map_update_elem(m, &k, &v, flags);
}

static int del4(struct uxdp_map *m, const char *s, uint32_t plen)
{
	struct k4 k = ip4(s, plen);

	return uxdp_map_delete_elem(m, &k);
}

static void test_v4(void)
{
	struct uxdp_map *m = mk("lpm4", BPF_MAP_TYPE_LPM_TRIE, 8, 4, 8, BPF_F_NO_PREALLOC);
	struct k4 k, nk;
	int n;

	if (!m)
		return;
	CHECK_EQ(lookup4(m, "10.1.2.3"), -1);
	CHECK_EQ(add4(m, "10.0.0.0", 8, 8, BPF_ANY), 0);
	CHECK_EQ(add4(m, "10.1.2.0", 24, 24, BPF_ANY), 0);
	CHECK_EQ(add4(m, "10.1.2.3", 32, 32, BPF_ANY), 0);
	CHECK_EQ(lookup4(m, "10.1.2.3"), 32);
	CHECK_EQ(lookup4(m, "10.1.2.4"), 24);
	CHECK_EQ(lookup4(m, "10.1.3.4"), 8);
	CHECK_EQ(lookup4(m, "11.0.0.1"), -1);
	CHECK_EQ(add4(m, "0.0.0.0", 0, 0, BPF_ANY), 0); /* default route */
	CHECK_EQ(lookup4(m, "11.0.0.1"), 0);
	CHECK_EQ(lookup4(m, "10.200.0.1"), 8);
	/* siblings that force an intermediate node */
	CHECK_EQ(add4(m, "192.168.0.0", 24, 1, BPF_ANY), 0);
	CHECK_EQ(add4(m, "192.168.1.0", 24, 2, BPF_ANY), 0);
	CHECK_EQ(lookup4(m, "192.168.0.9"), 1);
	CHECK_EQ(lookup4(m, "192.168.1.9"), 2);
	CHECK_EQ(lookup4(m, "192.168.2.9"), 0);
	/* then their common /16 takes the intermediate node's place */
	CHECK_EQ(add4(m, "192.168.0.0", 16, 16, BPF_NOEXIST), 0);
	CHECK_EQ(lookup4(m, "192.168.2.9"), 16);
	/* flags */
	CHECK_EQ(add4(m, "192.168.0.0", 16, 17, BPF_NOEXIST), -EEXIST);
	CHECK_EQ(add4(m, "192.168.0.0", 16, 17, BPF_EXIST), 0);
	CHECK_EQ(lookup4(m, "192.168.2.9"), 17);
	CHECK_EQ(add4(m, "172.16.0.0", 12, 1, BPF_EXIST), -ENOENT);
	CHECK_EQ(add4(m, "172.16.0.0", 33, 1, BPF_ANY), -EINVAL);
	CHECK_EQ(add4(m, "172.16.0.0", 12, 1, BPF_F_LOCK), -EINVAL);
	/* 7 entries; one more fits, then -ENOSPC */
	CHECK_EQ(add4(m, "172.16.0.0", 12, 12, BPF_ANY), 0);
	CHECK_EQ(add4(m, "172.32.0.0", 12, 12, BPF_ANY), -ENOSPC);
	/* post-order iteration visits all 8 once */
	n = 0;
	for (int rc = uxdp_map_get_next_key(m, NULL, &nk); rc == 0;
	     rc = uxdp_map_get_next_key(m, &k, &nk)) {
		k = nk;
		n++;
		if (n > 20)
			break;
	}
	CHECK_EQ(n, 8);
	/* delete: the /32 falls back to the /24, the /24 to the /8 */
	CHECK_EQ(del4(m, "10.1.2.3", 32), 0);
	CHECK_EQ(del4(m, "10.1.2.3", 32), -ENOENT);
	CHECK_EQ(lookup4(m, "10.1.2.3"), 24);
	CHECK_EQ(del4(m, "10.1.2.0", 24), 0);
	CHECK_EQ(lookup4(m, "10.1.2.3"), 8);
	/* a node with two children becomes intermediate */
	CHECK_EQ(del4(m, "192.168.0.0", 16), 0);
	CHECK_EQ(lookup4(m, "192.168.1.1"), 2);
	CHECK_EQ(lookup4(m, "192.168.2.9"), 0);
	CHECK_EQ(del4(m, "192.168.0.0", 24), 0);
	CHECK_EQ(lookup4(m, "192.168.0.1"), 0);
	CHECK_EQ(lookup4(m, "192.168.1.1"), 2);
	CHECK_EQ(del4(m, "0.0.0.0", 0), 0);
	CHECK_EQ(lookup4(m, "192.168.0.1"), -1);
	CHECK_EQ(del4(m, "10.0.0.0", 9), -ENOENT);
	/* deleted nodes are reusable */
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(add4(m, "8.8.8.8", 32, 88, BPF_ANY), 0);
		CHECK_EQ(add4(m, "8.8.4.4", 32, 44, BPF_ANY), 0);
		CHECK_EQ(add4(m, "1.1.1.1", 32, 11, BPF_ANY), 0);
		CHECK_EQ(lookup4(m, "8.8.8.8"), 88);
		CHECK_EQ(lookup4(m, "8.8.4.4"), 44);
		CHECK_EQ(lookup4(m, "1.1.1.1"), 11);
		CHECK_EQ(del4(m, "8.8.8.8", 32), 0);
		CHECK_EQ(del4(m, "8.8.4.4", 32), 0);
		CHECK_EQ(del4(m, "1.1.1.1", 32), 0);
		CHECK_EQ(lookup4(m, "8.8.8.8"), -1);
	}
	uxdp_map_close(m);
}

static int lookup6(struct uxdp_map *m, const char *s)
{
	struct k6 k = { .prefixlen = 128 };
	uint32_t *p;

	inet_pton(AF_INET6, s, k.addr);
	p = uxdp_map_lookup(m, &k);
	return p ? (int)*p : -1;
}

static int add6(struct uxdp_map *m, const char *s, uint32_t plen, uint32_t v)
{
	struct k6 k = { .prefixlen = plen };

	inet_pton(AF_INET6, s, k.addr);
	return uxdp_map_update_elem(m, &k, &v, BPF_ANY);
}

static void test_v6(void)
{
	struct uxdp_map *m = mk("lpm6", BPF_MAP_TYPE_LPM_TRIE, 20, 4, 16, BPF_F_NO_PREALLOC);

	if (!m)
		return;
	CHECK_EQ(add6(m, "2001:db8::", 32, 32), 0);
	CHECK_EQ(add6(m, "2001:db8:1:2::", 64, 64), 0);
	CHECK_EQ(add6(m, "2001:db8:1:2::1", 128, 128), 0);
	CHECK_EQ(add6(m, "2001:db8:1:2::1", 129, 1), -EINVAL);
	CHECK_EQ(lookup6(m, "2001:db8:1:2::1"), 128);
	CHECK_EQ(lookup6(m, "2001:db8:1:2::2"), 64);
	CHECK_EQ(lookup6(m, "2001:db8:1:3::1"), 32);
	CHECK_EQ(lookup6(m, "2001:db9::1"), -1);
	CHECK_EQ(add6(m, "::", 0, 0), 0);
	CHECK_EQ(lookup6(m, "2001:db9::1"), 0);
	CHECK_EQ(lookup6(m, "ffff::1"), 0);
	uxdp_map_close(m);
}

int main(void)
{
	test_begin("lpm");
	test_v4();
	test_v6();
	return test_end();
}
