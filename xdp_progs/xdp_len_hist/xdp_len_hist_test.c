// SPDX-License-Identifier: MIT
/*
 * xdp_len_hist_test - packets and end-to-end check for xdp_len_hist.
 *
 *   xdp_len_hist_test gen CORPUS.pcap OUT.pcap
 *   xdp_len_hist_test e2e UXDP AOT IN WORKDIR [CONF]
 *
 * e2e: every frame passes unchanged, and len_hist holds exactly the model's
 * {packets, bytes} for every {proto, bucket} key, and no other key.
 */
#include <stdio.h>
#include <string.h>

#include "xdp_testlib.h"

struct key {
	uint32_t proto, bucket;
};

struct entry {
	struct key k;
	uint64_t packets, bytes;
};

struct table {
	size_t n;
	struct entry e[1024];
};

static int model(uint8_t *p, uint32_t *lenp, void *arg)
{
	struct table *t = arg;
	uint32_t len = *lenp;
	struct key k = { 0, len >> 6 };
	size_t i;

	if (k.bucket > 24)
		k.bucket = 24;
	if (len < 14) {
		k.proto = 0x20000;
	} else {
		uint16_t type = tl_get16(p + 12);

		k.proto = 0x10000 | type;
		if (type == 0x0800 && len >= 34 && p[14] >> 4 == 4)
			k.proto = p[23];
		else if (type == 0x86dd && len >= 54 && p[14] >> 4 == 6)
			k.proto = p[20];
	}
	for (i = 0; i < t->n; i++)
		if (!memcmp(&t->e[i].k, &k, sizeof(k)))
			break;
	if (i == t->n) {
		if (t->n == 1024)
			return TL_PASS;
		t->e[t->n++].k = k;
	}
	t->e[i].packets++;
	t->e[i].bytes += len;
	return TL_PASS;
}

static int gen(const char *corpus, const char *out)
{
	static const uint8_t s6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 3 };
	uint8_t b[4096];
	struct tl_writer w;
	uint32_t r = 13;
	size_t o, len;
	long n;
	int i;

	if (tl_writer_open(&w, out))
		return 1;
	n = tl_write_pcap(&w, corpus);
	if (n < 0)
		return 1;
	for (i = 0; i < 78; i++) {
		len = i < 26 ? (size_t)i * 64 + tl_rand(&r) % 64 : 14 + tl_rand(&r) % 2200;
		memset(b, 0, len + 60);
		switch (i % 3) {
		case 0:
			o = tl_eth(b, 0x0800);
			tl_ipv4(b + o, i % 2 ? 6 : 17, 0xc6120001, 0xc6130001, 0);
			break;
		case 1:
			o = tl_eth(b, 0x86dd);
			tl_ipv6(b + o, 58, s6, s6, 0);
			break;
		default:
			tl_eth(b, 0x0806 + i); /* assorted EtherTypes */
			break;
		}
		tl_write(&w, b, len);
	}
	printf("%s: %llu packets (%ld from the corpus)\n", out, (unsigned long long)w.n, n);
	tl_writer_close(&w);
	return 0;
}

static int e2e(int argc, char **argv)
{
	static struct table t;
	uint64_t c[TL_NV], v[2];
	struct key key, *prev = NULL;
	struct uxdp_map *m;
	size_t i, entries = 0;
	struct tl_e2e e;
	int bad, wrong = 0;

	if (tl_e2e_run(&e, argc, argv))
		return 1;
	bad = tl_check(&e, model, &t, c);
	bad = tl_expect(!bad, "all %llu frames pass unchanged", (unsigned long long)c[TL_PASS]);
	m = tl_e2e_map(&e, "len_hist");
	if (!m)
		return 1;
	for (i = 0; i < t.n; i++) {
		if (uxdp_map_lookup_elem_copy(m, &t.e[i].k, v) || v[0] != t.e[i].packets ||
		    v[1] != t.e[i].bytes) {
			if (wrong++ < 5)
				fprintf(stderr, "key {0x%x, %u}: want %llu packets %llu bytes\n",
					t.e[i].k.proto, t.e[i].k.bucket,
					(unsigned long long)t.e[i].packets,
					(unsigned long long)t.e[i].bytes);
		}
	}
	while (!uxdp_map_get_next_key(m, prev, &key)) {
		entries++;
		prev = &key;
	}
	uxdp_map_close(m);
	bad += tl_expect(!wrong && entries == t.n, "len_hist: %zu keys, counts as the model's", entries);
	bad += tl_expect(t.n >= 40, "many {proto, bucket} keys exercised");
	tl_e2e_end(&e);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	return tl_main(argc, argv, gen, e2e);
}
