// SPDX-License-Identifier: MIT
/*
 * xdp_hash_sum_test - packets and end-to-end check for xdp_hash_sum.
 *
 *   xdp_hash_sum_test gen CORPUS.pcap OUT.pcap
 *   xdp_hash_sum_test e2e UXDP AOT IN WORKDIR [CONF]
 *
 * e2e: first checks the test's own general xxHash32 (any length, written
 * from the specification) against published vectors, then that uxdp drops
 * exactly the frames of at least 60 bytes whose hash of the 60-byte byte sum
 * has bit 3 set, and passes every other frame unchanged.
 */
#include <stdio.h>
#include <string.h>

#include "xdp_testlib.h"

#define P1 0x9E3779B1U
#define P2 0x85EBCA77U
#define P3 0xC2B2AE3DU
#define P4 0x27D4EB2FU
#define P5 0x165667B1U

static uint32_t rotl(uint32_t x, int r)
{
	return x << r | x >> (32 - r);
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t round32(uint32_t acc, uint32_t lane)
{
	return rotl(acc + lane * P2, 13) * P1;
}

/* xxHash32 of any input, all steps of the specification. */
static uint32_t xxh32(const uint8_t *p, size_t len, uint32_t seed)
{
	const uint8_t *end = p + len;
	uint32_t acc;

	if (len >= 16) {
		uint32_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;

		for (; end - p >= 16; p += 16) {
			v1 = round32(v1, le32(p));
			v2 = round32(v2, le32(p + 4));
			v3 = round32(v3, le32(p + 8));
			v4 = round32(v4, le32(p + 12));
		}
		acc = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
	} else {
		acc = seed + P5;
	}
	acc += (uint32_t)len;
	for (; end - p >= 4; p += 4)
		acc = rotl(acc + le32(p) * P3, 17) * P4;
	for (; p < end; p++)
		acc = rotl(acc + *p * P5, 11) * P1;
	acc ^= acc >> 15;
	acc *= P2;
	acc ^= acc >> 13;
	acc *= P3;
	acc ^= acc >> 16;
	return acc;
}

static int model(uint8_t *p, uint32_t *lenp, void *arg)
{
	uint32_t sum = 0;
	uint8_t le[4];
	int i;

	if (*lenp < 60)
		return TL_PASS;
	for (i = 0; i < 60; i++)
		sum += p[i];
	for (i = 0; i < 4; i++)
		le[i] = sum >> (8 * i);
	return xxh32(le, 4, 0) & (1U << 3) ? TL_DROP : TL_PASS;
}

static int gen(const char *corpus, const char *out)
{
	uint8_t b[2048];
	struct tl_writer w;
	uint32_t r = 11;
	size_t i, j, len;
	long n;

	if (tl_writer_open(&w, out))
		return 1;
	n = tl_write_pcap(&w, corpus);
	if (n < 0)
		return 1;
	for (i = 0; i < 80; i++) {
		len = i < 6 ? 57 + i : 60 + tl_rand(&r) % 200;
		for (j = 0; j < len; j++)
			b[j] = i < 70 ? tl_rand(&r) : (i & 1 ? 0xff : 0); /* all-0, all-ff too */
		tl_write(&w, b, len);
	}
	printf("%s: %llu packets (%ld from the corpus)\n", out, (unsigned long long)w.n, n);
	tl_writer_close(&w);
	return 0;
}

static int selftest(void)
{
	static const struct {
		const char *in;
		uint32_t h;
	} v[] = {
		{ "", 0x02cc5d05 },   { "a", 0x550d7456 },      { "abc", 0x32d153ff },
		{ "1234", 0x01543429 }, { "0123", 0x0a0b4c93 }, { "dcba", 0x90cab330 },
		{ "test", 0x3e2023cf }, { "123456789ABCDEF", 0x576e3cf9 },
	};
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (xxh32((const uint8_t *)v[i].in, strlen(v[i].in), 0) != v[i].h) {
			fprintf(stderr, "xxh32(\"%s\") = %08x, want %08x\n", v[i].in,
				xxh32((const uint8_t *)v[i].in, strlen(v[i].in), 0), v[i].h);
			bad++;
		}
	return bad;
}

static int e2e(int argc, char **argv)
{
	uint64_t c[TL_NV];
	struct tl_e2e e;
	int bad, mism;

	bad = tl_expect(!selftest(), "the test's xxHash32 gives the published vectors");
	if (tl_e2e_run(&e, argc, argv))
		return 1;
	mism = tl_check(&e, model, NULL, c);
	bad += tl_expect(!mism, "drop iff xxh32(sum of 60 bytes) bit 3 (%llu drop, %llu pass)",
			(unsigned long long)c[TL_DROP], (unsigned long long)c[TL_PASS]);
	bad += tl_expect(e.pout.n == 0 && c[TL_DROP] >= 100 && c[TL_PASS] >= 100,
			 "no TX; both verdicts well exercised");
	tl_e2e_end(&e);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	return tl_main(argc, argv, gen, e2e);
}
