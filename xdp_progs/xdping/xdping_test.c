// SPDX-License-Identifier: MIT
/*
 * xdping_test - packets and end-to-end check for xdping.
 *
 *   xdping_test gen CORPUS.pcap OUT.pcap
 *   xdping_test e2e UXDP AOT IN WORKDIR [CONF]
 *
 * e2e: echo requests (untagged IPv4, not fragments, type 8 code 0, ICMP
 * header in the frame) come back as XDP_TX echo replies, byte for byte as
 * the model builds them; every reply whose request had correct IPv4 and
 * ICMP checksums has correct checksums too; tcpdump (when installed) reads
 * every reply as "ICMP echo reply"; everything else passes unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xdp_testlib.h"

struct stats {
	uint64_t valid_requests, valid_replies;
};

/* Bytes covered by the ICMP checksum: the IP payload, cut to the frame. */
static uint32_t icmp_span(const uint8_t *ip, uint32_t avail)
{
	uint32_t hl = (ip[0] & 15) * 4, tot = tl_get16(ip + 2);

	if (tot < hl)
		return 0;
	return tot - hl < avail - hl ? tot - hl : avail - hl;
}

static int checksums_ok(const uint8_t *ip, uint32_t avail)
{
	uint32_t hl = (ip[0] & 15) * 4, span = icmp_span(ip, avail);

	return tl_sum16(ip, hl, 0) == 0xffff && span >= 8 && tl_get16(ip + 2) <= avail &&
	       tl_sum16(ip + hl, span, 0) == 0xffff;
}

/* RFC 1624 eqn. 3 on a big-endian field. */
static void csum_replace(uint8_t *f, uint16_t old, uint16_t new)
{
	uint32_t s = (uint16_t)~tl_get16(f) + (uint32_t)(uint16_t)~old + new;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	tl_put16(f, ~s);
}

static int model(uint8_t *p, uint32_t *lenp, void *arg)
{
	struct stats *st = arg;
	uint32_t len = *lenp, hl;
	uint8_t *ip = p + 14, *icmp, t[6];
	uint16_t old;
	int valid;

	if (len < 34 || tl_get16(p + 12) != 0x0800)
		return TL_PASS;
	hl = (ip[0] & 15) * 4;
	if (ip[0] >> 4 != 4 || hl < 20 || ip[9] != 1 || (tl_get16(ip + 6) & 0x3fff))
		return TL_PASS;
	if (14 + hl + 8 > len)
		return TL_PASS;
	icmp = ip + hl;
	if (icmp[0] != 8 || icmp[1] != 0)
		return TL_PASS;
	valid = checksums_ok(ip, len - 14);

	old = tl_get16(icmp);
	icmp[0] = 0;
	csum_replace(icmp + 2, old, tl_get16(icmp));
	memcpy(t, ip + 12, 4);
	memcpy(ip + 12, ip + 16, 4);
	memcpy(ip + 16, t, 4);
	old = tl_get16(ip + 8);
	ip[8] = 64;
	csum_replace(ip + 10, old, tl_get16(ip + 8));
	memcpy(t, p, 6);
	memcpy(p, p + 6, 6);
	memcpy(p + 6, t, 6);

	if (valid) {
		st->valid_requests++;
		st->valid_replies += checksums_ok(ip, len - 14);
	}
	return TL_TX;
}

static int gen(const char *corpus, const char *out)
{
	uint8_t b[2048];
	struct tl_writer w;
	uint32_t r = 9;
	long n;
	int i, j;

	if (tl_writer_open(&w, out))
		return 1;
	n = tl_write_pcap(&w, corpus);
	if (n < 0)
		return 1;
	for (i = 0; i < 80; i++) {
		size_t pay = i < 40 ? (size_t)i * 37 % 1400 : (size_t)(i % 9), o;
		int kind = i < 40 ? 0 : i % 10;
		uint8_t *ip, *icmp;

		o = tl_eth(b, 0x0800);
		ip = b + o;
		o += tl_ipv4(ip, 1, 0xc6120000 + i, 0xc6130001, 8 + pay);
		icmp = b + o;
		for (j = 0; j < (int)pay; j++)
			icmp[8 + j] = tl_rand(&r);
		o += tl_icmp_echo(icmp, 8, 0x4242, i, pay) + pay;
		switch (kind) {
		case 1: /* echo reply: pass */
			icmp[0] = 0;
			break;
		case 2: /* code 1: pass */
			icmp[1] = 1;
			break;
		case 3: /* more-fragments set: pass */
			tl_put16(ip + 6, 0x2000);
			tl_ipv4_fix_csum(ip);
			break;
		case 4: /* ICMP header cut: pass */
			o = 14 + 20 + 7;
			break;
		case 5: /* bad ICMP checksum: still answered, the error carried over */
			icmp[3] ^= 0x55;
			break;
		case 6: /* IPv4 options (IHL 6) before ICMP: answered */
			memmove(icmp + 4, icmp, 8 + pay);
			memset(icmp, 1, 4);
			ip[0] = 0x46;
			tl_put16(ip + 2, 24 + 8 + pay);
			tl_ipv4_fix_csum(ip);
			o += 4;
			break;
		case 7: /* TTL 64 already: the TTL word does not change */
			ip[8] = 64;
			tl_ipv4_fix_csum(ip);
			break;
		case 8: /* padded to 60 bytes: the checksum covers tot_len only */
			if (o < 60) {
				memset(b + o, 0, 60 - o);
				o = 60;
			}
			break;
		case 9: /* 802.1Q-tagged request: not answered */
			memmove(b + 18, b + 14, o - 14);
			tl_vlan(b, 0x8100, 5, 0x0800);
			o += 4;
			break;
		}
		tl_write(&w, b, o);
	}
	/* Checksum corner: requests whose reply checksum lands on 0x0000/0xffff. */
	for (i = 0; i < 8; i++) {
		size_t o = tl_eth(b, 0x0800);
		uint8_t *ip = b + o, *icmp;

		o += tl_ipv4(ip, 1, 0xc6120100, 0xc6130001, 8 + 2);
		icmp = b + o;
		icmp[8] = icmp[9] = 0;
		tl_icmp_echo(icmp, 8, 0, 0, 2);
		/* make the request's sum without its checksum 0x0800 + k */
		tl_put16(icmp + 8, (uint16_t)(0xffff - 0x0800 + (i & 1) - (i >> 1)));
		tl_put16(icmp + 2, 0);
		tl_put16(icmp + 2, ~tl_sum16(icmp, 10, 0));
		o += 10;
		tl_write(&w, b, o);
	}
	printf("%s: %llu packets (%ld from the corpus)\n", out, (unsigned long long)w.n, n);
	tl_writer_close(&w);
	return 0;
}

/* Count the lines tcpdump prints with "ICMP echo reply" for out; -1: no tcpdump. */
static long tcpdump_replies(const char *out)
{
	char cmd[4200], line[1024];
	long n = 0;
	FILE *f;

	if (system("command -v tcpdump >/dev/null 2>&1"))
		return -1;
	snprintf(cmd, sizeof(cmd), "tcpdump -nr '%s' 2>/dev/null", out);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, "ICMP echo reply") != NULL;
	pclose(f);
	return n;
}

static int e2e(int argc, char **argv)
{
	struct stats st = { 0 };
	uint64_t c[TL_NV];
	struct tl_e2e e;
	long td;
	int bad;

	if (tl_e2e_run(&e, argc, argv))
		return 1;
	bad = tl_check(&e, model, &st, c);
	bad = tl_expect(!bad, "requests answered as the model says (%llu TX, %llu pass)",
			(unsigned long long)c[TL_TX], (unsigned long long)c[TL_PASS]);
	bad += tl_expect(st.valid_requests >= 40 && st.valid_replies == st.valid_requests,
			 "%llu of %llu replies to valid requests have valid IP and ICMP checksums",
			 (unsigned long long)st.valid_replies, (unsigned long long)st.valid_requests);
	td = tcpdump_replies(e.out);
	if (td >= 0)
		bad += tl_expect((size_t)td == e.pout.n, "tcpdump reads %ld of %zu outputs as echo replies",
				 td, e.pout.n);
	tl_e2e_end(&e);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	return tl_main(argc, argv, gen, e2e);
}
