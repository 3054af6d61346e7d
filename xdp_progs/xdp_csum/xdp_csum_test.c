// SPDX-License-Identifier: MIT
/*
 * xdp_csum_test - packets and end-to-end check for xdp_csum.
 *
 *   xdp_csum_test gen CORPUS.pcap OUT.pcap
 *   xdp_csum_test e2e UXDP AOT IN WORKDIR [CONF]
 *
 * e2e: IPv4 headers with a correct checksum pass, wrong ones are dropped,
 * everything else passes, all unchanged; csum_stats holds exactly the
 * model's {good, bad} counts for every source address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xdp_testlib.h"

struct src {
	uint8_t addr[4];
	uint64_t good, bad;
};

struct table {
	size_t n;
	struct src s[4096];
};

static int model(uint8_t *p, uint32_t *lenp, void *arg)
{
	struct table *t = arg;
	uint32_t len = *lenp, off = 14, hl;
	uint16_t proto;
	size_t i;
	int ok;

	if (len < 14)
		return TL_PASS;
	proto = tl_get16(p + 12);
	for (i = 0; i < 2 && (proto == 0x8100 || proto == 0x88a8); i++) {
		if (off + 4 > len)
			return TL_PASS;
		proto = tl_get16(p + off + 2);
		off += 4;
	}
	if (proto != 0x0800 || off + 20 > len)
		return TL_PASS;
	hl = (p[off] & 15) * 4;
	if (p[off] >> 4 != 4 || hl < 20 || off + hl > len)
		return TL_PASS;
	ok = tl_sum16(p + off, hl, 0) == 0xffff;
	for (i = 0; i < t->n; i++)
		if (!memcmp(t->s[i].addr, p + off + 12, 4))
			break;
	if (i == t->n && t->n < 4096)
		memcpy(t->s[t->n++].addr, p + off + 12, 4);
	if (i < t->n) {
		t->s[i].good += ok;
		t->s[i].bad += !ok;
	}
	return ok ? TL_PASS : TL_DROP;
}

static int gen(const char *corpus, const char *out)
{
	uint8_t b[2048];
	struct tl_writer w;
	uint32_t r = 5;
	long n;
	int i;

	if (tl_writer_open(&w, out))
		return 1;
	n = tl_write_pcap(&w, corpus);
	if (n < 0)
		return 1;
	for (i = 0; i < 96; i++) {
		int tag = i % 3, ihl = 5 + (i / 3) % 11, kind = i % 4;
		size_t o = tag == 0 ? tl_eth(b, 0x0800) : tl_vlan(b, tag == 1 ? 0x8100 : 0x88a8, 7, 0x0800);
		uint8_t *ip = b + o;
		int j;

		if (tag == 2) { /* QinQ: 88a8 then 8100 */
			tl_put16(b + 16, 0x8100);
			tl_put16(b + 18, 8);
			tl_put16(b + 20, 0x0800);
			o = 22;
			ip = b + o;
		}
		tl_ipv4(ip, 17, 0x0a000001 + i % 8, 0x0a0000fe, (ihl - 5) * 4 + 8);
		ip[0] = 0x40 | ihl;
		for (j = 20; j < ihl * 4; j++)
			ip[j] = j == 20 ? 7 : tl_rand(&r); /* options: arbitrary bytes */
		tl_ipv4_fix_csum(ip);
		o += ihl * 4;
		o += tl_udp(b + o, 1000, 2000, 0);
		if (kind == 1) /* bad checksum */
			ip[10] ^= 1 + i;
		if (kind == 2) /* bad checksum in the options */
			ip[ihl * 4 - 1] ^= 0x80;
		if (kind == 3 && ihl > 5) /* options cut by the end of the frame */
			o = (ip - b) + 20 + (ihl - 5) * 2;
		if (kind == 3 && ihl == 5) /* IHL below 5 */
			ip[0] = 0x44;
		tl_write(&w, b, o);
	}
	printf("%s: %llu packets (%ld from the corpus)\n", out, (unsigned long long)w.n, n);
	tl_writer_close(&w);
	return 0;
}

static int e2e(int argc, char **argv)
{
	static struct table t;
	uint64_t c[TL_NV], v[2];
	struct uxdp_map *m;
	uint8_t key[4], *prev = NULL;
	size_t i, entries = 0;
	struct tl_e2e e;
	int bad, wrong = 0;

	if (tl_e2e_run(&e, argc, argv))
		return 1;
	bad = tl_check(&e, model, &t, c);
	bad = tl_expect(!bad, "good headers pass, bad ones drop, rest pass (%llu pass, %llu drop)",
			(unsigned long long)c[TL_PASS], (unsigned long long)c[TL_DROP]);
	m = tl_e2e_map(&e, "csum_stats");
	if (!m)
		return 1;
	for (i = 0; i < t.n; i++) {
		if (uxdp_map_lookup_elem_copy(m, t.s[i].addr, v) || v[0] != t.s[i].good ||
		    v[1] != t.s[i].bad) {
			if (wrong++ < 5)
				fprintf(stderr, "source %u.%u.%u.%u: want good %llu bad %llu\n",
					t.s[i].addr[0], t.s[i].addr[1], t.s[i].addr[2], t.s[i].addr[3],
					(unsigned long long)t.s[i].good, (unsigned long long)t.s[i].bad);
		}
	}
	while (!uxdp_map_get_next_key(m, prev, key)) {
		entries++;
		prev = key;
	}
	uxdp_map_close(m);
	bad += tl_expect(!wrong && entries == t.n, "csum_stats: %zu sources, counts as the model's",
			 entries);
	bad += tl_expect(c[TL_DROP] >= 40 && t.n >= 8, "bad headers and several sources exercised");
	tl_e2e_end(&e);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	return tl_main(argc, argv, gen, e2e);
}
