// SPDX-License-Identifier: MIT
/*
 * xdp_acl_test - packets and end-to-end check for xdp_acl.
 *
 *   xdp_acl_test gen CORPUS.pcap OUT.pcap
 *   xdp_acl_test e2e UXDP AOT IN WORKDIR CONF
 *
 * e2e, with xdp_acl.conf: the longest matching source prefix decides (drop
 * for action 1, pass otherwise), no match or not IP passes, frames are not
 * changed, and rule_stats holds exactly the model's packets and bytes per
 * rule id (ids >= 256 counted nowhere).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "xdp_testlib.h"

struct rule {
	int v6;
	const char *addr;
	unsigned int plen, action, id;
	uint8_t a[16];
};

/* The same table as xdp_acl.conf. */
static struct rule rules[] = {
	{ 0, "198.18.0.0", 16, 2, 1, { 0 } },	 { 0, "198.18.0.0", 28, 1, 2, { 0 } },
	{ 0, "198.18.0.5", 32, 2, 3, { 0 } },	 { 0, "198.19.0.0", 16, 1, 4, { 0 } },
	{ 0, "10.0.0.0", 8, 3, 300, { 0 } },	 { 0, "0.0.0.0", 0, 2, 5, { 0 } },
	{ 1, "2001:db8::", 32, 2, 10, { 0 } },	 { 1, "2001:db8:1::", 48, 1, 11, { 0 } },
	{ 1, "2001:db8:1::8", 125, 2, 12, { 0 } }, { 1, "fe80::", 10, 1, 13, { 0 } },
};
#define NRULES (sizeof(rules) / sizeof(rules[0]))

struct counts {
	uint64_t packets[256], bytes[256];
};

static int prefix_match(const uint8_t *a, const uint8_t *b, unsigned int plen)
{
	unsigned int i;

	for (i = 0; i < plen; i++)
		if ((a[i / 8] ^ b[i / 8]) & (0x80 >> (i % 8)))
			return 0;
	return 1;
}

static int model(uint8_t *p, uint32_t *lenp, void *arg)
{
	struct counts *cnt = arg;
	uint32_t len = *lenp, off = 14;
	const struct rule *best = NULL;
	const uint8_t *src;
	uint16_t proto;
	size_t i;
	int v6;

	if (len < 14)
		return TL_PASS;
	proto = tl_get16(p + 12);
	for (i = 0; i < 2 && (proto == 0x8100 || proto == 0x88a8); i++) {
		if (off + 4 > len)
			return TL_PASS;
		proto = tl_get16(p + off + 2);
		off += 4;
	}
	if (proto == 0x0800) {
		if (off + 20 > len || p[off] >> 4 != 4)
			return TL_PASS;
		src = p + off + 12;
		v6 = 0;
	} else if (proto == 0x86dd) {
		if (off + 40 > len || p[off] >> 4 != 6)
			return TL_PASS;
		src = p + off + 8;
		v6 = 1;
	} else {
		return TL_PASS;
	}
	for (i = 0; i < NRULES; i++)
		if (rules[i].v6 == v6 && prefix_match(rules[i].a, src, rules[i].plen) &&
		    (!best || rules[i].plen > best->plen))
			best = &rules[i];
	if (!best)
		return TL_PASS;
	if (best->id < 256) {
		cnt->packets[best->id]++;
		cnt->bytes[best->id] += len;
	}
	return best->action == 1 ? TL_DROP : TL_PASS;
}

static int gen(const char *corpus, const char *out)
{
	static const char *const srcs[] = {
		"198.18.0.1", "198.18.0.5", "198.18.0.15", "198.18.0.16", "198.18.200.1",
		"198.19.0.1", "10.1.2.3",   "192.0.2.1",   "0.0.0.0",     "255.255.255.255",
		"2001:db8:1::1", "2001:db8:1::8", "2001:db8:1::f", "2001:db8:1::10",
		"2001:db8:2::1", "fe80::1", "febf::1", "fec0::1", "::1", "2001:db9::1",
	};
	uint8_t b[256], a[16], dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct tl_writer w;
	size_t i, o;
	long n;
	int e;

	if (tl_writer_open(&w, out))
		return 1;
	n = tl_write_pcap(&w, corpus);
	if (n < 0)
		return 1;
	for (e = 0; e < 3; e++) {
		for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
			int v6 = strchr(srcs[i], ':') != NULL;
			uint16_t type = v6 ? 0x86dd : 0x0800;

			memset(b, 0, sizeof(b));
			inet_pton(v6 ? AF_INET6 : AF_INET, srcs[i], a);
			o = e == 0 ? tl_eth(b, type) : tl_vlan(b, e == 1 ? 0x8100 : 0x88a8, 9, type);
			if (e == 2) {
				tl_put16(b + 16, 0x8100);
				tl_put16(b + 18, 10);
				tl_put16(b + 20, type);
				o = 22;
			}
			if (v6) {
				o += tl_ipv6(b + o, 17, a, dst, 8);
			} else {
				uint32_t s = (uint32_t)a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3];

				o += tl_ipv4(b + o, 17, s, 0xc6130001, 8);
			}
			o += tl_udp(b + o, 1, 2, 0);
			tl_write(&w, b, o);
			/* cut inside the IP header: passes, not counted */
			if (i % 4 == 0)
				tl_write(&w, b, o - 8 - (v6 ? 21 : 9));
		}
	}
	printf("%s: %llu packets (%ld from the corpus)\n", out, (unsigned long long)w.n, n);
	tl_writer_close(&w);
	return 0;
}

static int e2e(int argc, char **argv)
{
	static struct counts cnt;
	uint64_t c[TL_NV], v[2];
	struct uxdp_map *m;
	struct tl_e2e e;
	int bad, wrong = 0;
	uint32_t id;
	size_t i;

	for (i = 0; i < NRULES; i++)
		inet_pton(rules[i].v6 ? AF_INET6 : AF_INET, rules[i].addr, rules[i].a);
	if (tl_e2e_run(&e, argc, argv))
		return 1;
	bad = tl_check(&e, model, &cnt, c);
	bad = tl_expect(!bad, "ACL verdicts as the model's (%llu drop, %llu pass)",
			(unsigned long long)c[TL_DROP], (unsigned long long)c[TL_PASS]);
	m = tl_e2e_map(&e, "rule_stats");
	if (!m)
		return 1;
	for (id = 0; id < 256; id++) {
		memset(v, 0, sizeof(v));
		if (uxdp_map_value_bytes(m) != sizeof(v) || uxdp_map_lookup_elem_copy(m, &id, v) ||
		    v[0] != cnt.packets[id] || v[1] != cnt.bytes[id]) {
			if (wrong++ < 5)
				fprintf(stderr, "rule %u: %llu/%llu, want %llu packets %llu bytes\n", id,
					(unsigned long long)v[0], (unsigned long long)v[1],
					(unsigned long long)cnt.packets[id],
					(unsigned long long)cnt.bytes[id]);
		}
	}
	uxdp_map_close(m);
	bad += tl_expect(!wrong, "rule_stats: packets and bytes per rule as the model's");
	bad += tl_expect(cnt.packets[2] && cnt.packets[3] && cnt.packets[4] && cnt.packets[11] &&
				 cnt.packets[12] && cnt.packets[13] && cnt.packets[5],
			 "drop, pass and exception rules all hit");
	tl_e2e_end(&e);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	return tl_main(argc, argv, gen, e2e);
}
