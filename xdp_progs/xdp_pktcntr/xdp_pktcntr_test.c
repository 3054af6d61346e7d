// SPDX-License-Identifier: MIT
/*
 * xdp_pktcntr_test - packets and end-to-end check for xdp_pktcntr.
 *
 *   xdp_pktcntr_test gen CORPUS.pcap OUT.pcap
 *   xdp_pktcntr_test e2e UXDP AOT IN WORKDIR CONF
 *
 * e2e, with xdp_pktcntr.conf (ctl_array[0] = 1): every packet goes out as
 * XDP_TX unchanged and cntrs_array holds the packet count and byte total.
 * Then, as a control plane would, ctl_array[0] is set to 0 in the live
 * instance and the capture is run again with the same maps: every packet
 * passes unchanged and the counters have doubled.
 */
#include <stdio.h>
#include <string.h>

#include "xdp_testlib.h"

static int model_tx(uint8_t *p, uint32_t *lenp, void *arg)
{
	return TL_TX;
}

static int model_pass(uint8_t *p, uint32_t *lenp, void *arg)
{
	return TL_PASS;
}

static int gen(const char *corpus, const char *out)
{
	uint8_t b[2048];
	struct tl_writer w;
	uint32_t r = 3;
	size_t i, j, len;
	long n;

	if (tl_writer_open(&w, out))
		return 1;
	n = tl_write_pcap(&w, corpus);
	if (n < 0)
		return 1;
	for (i = 0; i < 40; i++) {
		len = i < 14 ? i : 14 + tl_rand(&r) % 1500;
		for (j = 0; j < len; j++)
			b[j] = tl_rand(&r);
		tl_write(&w, b, len);
	}
	printf("%s: %llu packets (%ld from the corpus)\n", out, (unsigned long long)w.n, n);
	tl_writer_close(&w);
	return 0;
}

static int counters(struct tl_e2e *e, uint64_t *pkts, uint64_t *bytes)
{
	struct uxdp_map *m = tl_e2e_map(e, "cntrs_array");
	uint64_t v[64];
	uint32_t k;
	unsigned int c, nc;

	if (!m)
		return -1;
	nc = uxdp_map_ncpus(m);
	for (k = 0; k < 2; k++) {
		uint64_t sum = 0;

		memset(v, 0, sizeof(v));
		if (nc > 64 || uxdp_map_lookup_elem_copy(m, &k, v)) {
			uxdp_map_close(m);
			return -1;
		}
		for (c = 0; c < nc; c++)
			sum += v[c];
		*(k ? bytes : pkts) = sum;
	}
	uxdp_map_close(m);
	return 0;
}

static int e2e(int argc, char **argv)
{
	uint64_t c[TL_NV], pkts = 0, bytes = 0, total = 0;
	struct uxdp_map *ctl;
	struct tl_e2e e;
	uint32_t k = 0, mode = 0;
	size_t i;
	int bad;

	if (tl_e2e_run(&e, argc, argv))
		return 1;
	for (i = 0; i < e.pin.n; i++)
		total += e.pin.p[i].len;
	bad = tl_check(&e, model_tx, NULL, c);
	bad = tl_expect(!bad, "ctl_array[0] = 1: all %llu packets XDP_TX, unchanged",
			(unsigned long long)c[TL_TX]);
	if (counters(&e, &pkts, &bytes))
		bad++;
	bad += tl_expect(pkts == e.pin.n && bytes == total,
			 "cntrs_array: %llu packets, %llu bytes (want %zu, %llu)",
			 (unsigned long long)pkts, (unsigned long long)bytes, e.pin.n,
			 (unsigned long long)total);

	/* Flip the control array in the live instance and run again. */
	ctl = tl_e2e_map(&e, "ctl_array");
	bad += tl_expect(ctl && !uxdp_map_update_elem(ctl, &k, &mode, 0), "ctl_array[0] = 0");
	uxdp_map_close(ctl);
	tl_pcap_free(&e.pout);
	tl_pcap_free(&e.ppass);
	if (tl_run_uxdp(e.uxdp, e.aot, e.in, e.out, e.pass, e.instance) ||
	    tl_pcap_load(e.out, &e.pout) || tl_pcap_load(e.pass, &e.ppass)) {
		tl_e2e_end(&e);
		return 1;
	}
	bad += tl_expect(!tl_check(&e, model_pass, NULL, c), "ctl_array[0] = 0: all packets XDP_PASS, unchanged");
	if (counters(&e, &pkts, &bytes))
		bad++;
	bad += tl_expect(pkts == 2 * e.pin.n && bytes == 2 * total,
			 "cntrs_array after the second run: %llu packets, %llu bytes",
			 (unsigned long long)pkts, (unsigned long long)bytes);
	tl_e2e_end(&e);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	return tl_main(argc, argv, gen, e2e);
}
