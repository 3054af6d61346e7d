// SPDX-License-Identifier: MIT
/*
 * xdp_tx_test - packets and end-to-end check for xdp_tx.
 *
 *   xdp_tx_test gen CORPUS.pcap OUT.pcap   corpus + frames of many lengths
 *   xdp_tx_test e2e UXDP AOT IN WORKDIR [CONF]
 *
 * e2e: every frame of at least 14 bytes comes out as XDP_TX with the two
 * MAC addresses swapped and every other byte unchanged; shorter frames are
 * dropped; nothing passes.
 */
#include <stdio.h>
#include <string.h>

#include "xdp_testlib.h"

static int model(uint8_t *p, uint32_t *lenp, void *arg)
{
	uint8_t t[6];

	if (*lenp < 14)
		return TL_DROP;
	memcpy(t, p, 6);
	memcpy(p, p + 6, 6);
	memcpy(p + 6, t, 6);
	return TL_TX;
}

static int gen(const char *corpus, const char *out)
{
	static const size_t lens[] = { 14, 15, 20, 42, 59, 60, 61, 64, 65, 127, 128, 255, 256,
				       511, 512, 999, 1000, 1499, 1500, 1514, 1518, 2000, 3000, 3520 };
	uint8_t b[4096];
	struct tl_writer w;
	uint32_t r = 7;
	size_t i, j;
	long n;

	if (tl_writer_open(&w, out))
		return 1;
	n = tl_write_pcap(&w, corpus);
	if (n < 0)
		return 1;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (j = 0; j < lens[i]; j++)
			b[j] = tl_rand(&r);
		tl_write(&w, b, lens[i]);
		/* the same with broadcast destination and equal addresses */
		memset(b, 0xff, 6);
		tl_write(&w, b, lens[i]);
		memcpy(b, b + 6, 6);
		tl_write(&w, b, lens[i]);
	}
	for (j = 0; j < 14; j++) /* runts: 0..13 bytes */
		tl_write(&w, b, j);
	printf("%s: %llu packets (%ld from the corpus)\n", out, (unsigned long long)w.n, n);
	tl_writer_close(&w);
	return 0;
}

static int e2e(int argc, char **argv)
{
	uint64_t c[TL_NV];
	struct tl_e2e e;
	int bad;

	if (tl_e2e_run(&e, argc, argv))
		return 1;
	bad = tl_check(&e, model, NULL, c);
	bad = tl_expect(!bad, "every frame >= 14 bytes MAC-swapped and sent back (%llu TX, %llu dropped)",
			(unsigned long long)c[TL_TX], (unsigned long long)c[TL_DROP]);
	bad += tl_expect(e.ppass.n == 0, "nothing passed");
	bad += tl_expect(c[TL_TX] >= 500, "at least 500 frames reflected");
	tl_e2e_end(&e);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	return tl_main(argc, argv, gen, e2e);
}
