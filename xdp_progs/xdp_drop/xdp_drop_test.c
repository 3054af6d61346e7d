// SPDX-License-Identifier: MIT
/*
 * xdp_drop_test - packets and end-to-end check for xdp_drop.
 *
 *   xdp_drop_test gen CORPUS.pcap OUT.pcap   corpus + TCP/non-TCP cases below
 *   xdp_drop_test e2e UXDP AOT IN WORKDIR [CONF]
 *
 * e2e: uxdp must drop exactly the packets the model calls valid TCP and
 * pass every other packet unchanged; nothing goes out as XDP_TX.
 */
#include <stdio.h>
#include <string.h>

#include "xdp_testlib.h"

/* The program's rule, written again from its README. */
static int model(uint8_t *p, uint32_t *lenp, void *arg)
{
	uint32_t len = *lenp, off = 14, doff;
	uint16_t proto;
	int i;

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
		const uint8_t *ip = p + off;

		if (off + 20 > len || ip[0] >> 4 != 4 || (ip[0] & 15) < 5 || ip[9] != 6)
			return TL_PASS;
		if (tl_get16(ip + 6) & 0x1fff)
			return TL_PASS;
		off += (ip[0] & 15) * 4;
	} else if (proto == 0x86dd) {
		if (off + 40 > len || p[off] >> 4 != 6 || p[off + 6] != 6)
			return TL_PASS;
		off += 40;
	} else {
		return TL_PASS;
	}
	if (off + 20 > len)
		return TL_PASS;
	doff = p[off + 12] >> 4;
	if (doff < 5 || off + doff * 4 > len)
		return TL_PASS;
	return TL_DROP;
}

/* Link layer e: untagged, 802.1Q, QinQ (88a8 + 8100), two 8100 tags. */
static size_t l2(uint8_t *b, int e, uint16_t type)
{
	switch (e) {
	case 0:
		return tl_eth(b, type);
	case 1:
		return tl_vlan(b, 0x8100, 100, type);
	default:
		tl_vlan(b, e == 2 ? 0x88a8 : 0x8100, 200, 0x8100);
		tl_put16(b + 18, 300);
		tl_put16(b + 20, type);
		return 22;
	}
}

static int gen(const char *corpus, const char *out)
{
	static const uint8_t s6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 9 };
	static const uint8_t d6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 1 };
	uint8_t b[2048];
	struct tl_writer w;
	long n;
	int e, k;

	if (tl_writer_open(&w, out))
		return 1;
	n = tl_write_pcap(&w, corpus);
	if (n < 0)
		return 1;
	for (e = 0; e < 4; e++) {
		for (k = 0; k < 14; k++) {
			size_t o = 0, ipo;

			memset(b, 0, sizeof(b));
			switch (k) {
			case 0: /* IPv4 TCP SYN: drop */
			case 1: /* IPv4 TCP with payload: drop */
				o = l2(b, e, 0x0800);
				o += tl_ipv4(b + o, 6, 0xc6120001, 0xc6130001, 20 + 10 * k);
				o += tl_tcp(b + o, 1234, 80, k ? 0x18 : 0x02) + 10 * k;
				break;
			case 2: /* IPv6 TCP: drop */
				o = l2(b, e, 0x86dd);
				o += tl_ipv6(b + o, 6, s6, d6, 20);
				o += tl_tcp(b + o, 1234, 443, 0x10);
				break;
			case 3: /* IPv4 UDP: pass */
				o = l2(b, e, 0x0800);
				o += tl_ipv4(b + o, 17, 0xc6120001, 0xc6130001, 16);
				o += tl_udp(b + o, 53, 53, 8) + 8;
				break;
			case 4: /* TCP data offset 4: pass */
			case 5: /* TCP options past the end (doff 15, 20 bytes): pass */
				o = l2(b, e, 0x0800);
				o += tl_ipv4(b + o, 6, 0xc6120002, 0xc6130001, 20);
				o += tl_tcp(b + o, 1, 2, 0x02);
				b[o - 8] = (k == 4 ? 4 : 15) << 4;
				break;
			case 6: /* TCP header cut at 19 bytes: pass */
				o = l2(b, e, 0x0800);
				o += tl_ipv4(b + o, 6, 0xc6120003, 0xc6130001, 20);
				o += tl_tcp(b + o, 1, 2, 0x02) - 1;
				break;
			case 7: /* non-first fragment carrying TCP: pass */
				o = l2(b, e, 0x0800);
				ipo = o;
				o += tl_ipv4(b + o, 6, 0xc6120004, 0xc6130001, 20);
				tl_put16(b + ipo + 6, 100);
				tl_ipv4_fix_csum(b + ipo);
				o += tl_tcp(b + o, 1, 2, 0x02);
				break;
			case 8: /* IHL 6 (one option word) then TCP: drop */
				o = l2(b, e, 0x0800);
				ipo = o;
				o += tl_ipv4(b + o, 6, 0xc6120005, 0xc6130001, 24);
				b[ipo] = 0x46;
				b[ipo + 20] = 1, b[ipo + 21] = 1, b[ipo + 22] = 1, b[ipo + 23] = 0;
				tl_ipv4_fix_csum(b + ipo);
				o += 4;
				o += tl_tcp(b + o, 1, 2, 0x02);
				break;
			case 9: /* IPv6 UDP: pass */
				o = l2(b, e, 0x86dd);
				o += tl_ipv6(b + o, 17, s6, d6, 16);
				o += tl_udp(b + o, 53, 53, 8) + 8;
				break;
			case 10: /* ethertype IPv4 but version 6: pass */
				o = l2(b, e, 0x0800);
				ipo = o;
				o += tl_ipv4(b + o, 6, 0xc6120006, 0xc6130001, 20);
				b[ipo] = 0x65;
				o += tl_tcp(b + o, 1, 2, 0x02);
				break;
			case 11: /* IPv6 hop-by-hop before TCP: not walked, pass */
				o = l2(b, e, 0x86dd);
				o += tl_ipv6(b + o, 0, s6, d6, 28);
				b[o] = 6;
				o += 8;
				o += tl_tcp(b + o, 1, 2, 0x02);
				break;
			case 12: /* tag cut after the TPID: pass */
				o = l2(b, e, 0x0800);
				if (e)
					o = 16;
				break;
			case 13: /* TCP with 40 bytes of options, all present: drop */
				o = l2(b, e, 0x0800);
				o += tl_ipv4(b + o, 6, 0xc6120007, 0xc6130001, 60);
				o += tl_tcp(b + o, 1, 2, 0x02);
				b[o - 8] = 15 << 4;
				memset(b + o, 1, 40); /* NOPs */
				o += 40;
				break;
			}
			tl_write(&w, b, o);
		}
	}
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
	bad = tl_expect(!bad,
			"verdicts and bytes match the model (drop %llu, pass %llu)",
			(unsigned long long)c[TL_DROP], (unsigned long long)c[TL_PASS]);
	bad += tl_expect(e.pout.n == 0, "no XDP_TX output");
	bad += tl_expect(c[TL_DROP] >= 100 && c[TL_PASS] >= 100, "both verdicts well exercised");
	tl_e2e_end(&e);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	return tl_main(argc, argv, gen, e2e);
}
