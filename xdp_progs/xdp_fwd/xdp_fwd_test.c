// SPDX-License-Identifier: MIT
/*
 * xdp_fwd_test - packet set and end-to-end check of xdp_fwd (table mode).
 *
 * gen: the corpus, then per round i: IPv4 TCP and UDP to 198.18.100.1
 * (routed to port 1), to 198.18.100.2 (route to a missing port), to an
 * unrouted address, one with TTL 1 to 198.18.100.1, and IPv6 to it.
 * check: exactly the routed TTL>1 IPv4 packets come out (redirected), with
 * the route's MACs, TTL one less and a valid header checksum; all others
 * pass unchanged.
 */
#include <stdio.h>
#include <string.h>

#include "e2e.h"

#define ROUNDS 40
#define DST1 0xc6126401u /* 198.18.100.1 */
#define DST2 0xc6126402u
#define DST_NONE 0xc6126463u

static long expect_fwd;

static int gen(struct e2e_writer *w)
{
	static const uint8_t s6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t d6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	struct e2e_pkt p;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		uint32_t src = 0xc6120000u + (uint32_t)i;

		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_tcp(&p, src, DST1, 1000 + i, 80, 0x02, i, "abc", 3);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_udp(&p, src, DST1, 1000 + i, 53, "hello", 5);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_tcp(&p, src, DST2, 1000 + i, 80, 0x10, i, NULL, 0);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_udp(&p, src, DST_NONE, 1000 + i, 53, "x", 1);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_udp(&p, src, DST1, 1000 + i, 53, "ttl", 3);
		p.b[14 + 8] = 1; /* TTL 1 */
		p.b[14 + 10] = p.b[14 + 11] = 0;
		{
			uint16_t c = e2e_csum(p.b + 14, 20, 0);

			p.b[24] = c >> 8, p.b[25] = c & 0xff;
		}
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x86dd);
		e2e_ipv6_l4(&p, s6, d6, 6, 1000 + i, 443, 0x02, NULL, 0);
		e2e_write(w, p.b, p.len);
	}
	return 0;
}

/* Whether xdp_fwd forwards this input packet (the README's rule). */
static int count_in(void *arg, long idx, const uint8_t *b, size_t len)
{
	if (len >= 34 && b[12] == 0x08 && b[13] == 0x00 && (b[14] >> 4) == 4 &&
	    (b[14] & 15) >= 5 && b[30] == 0xc6 && b[31] == 0x12 && b[32] == 100 && b[33] == 1 &&
	    b[22] > 1)
		expect_fwd++;
	return 0;
}

static int check_out(void *arg, long idx, const uint8_t *b, size_t len)
{
	static const uint8_t dmac[6] = { 2, 0, 0x5e, 0, 0, 1 }, smac[6] = { 2, 0, 0x5e, 0, 0, 0xfe };

	E2E_CHECK(len >= 34, "out %ld: %zu bytes", idx, len);
	if (len < 34)
		return 0;
	E2E_CHECK(!memcmp(b, dmac, 6) && !memcmp(b + 6, smac, 6), "out %ld: MACs", idx);
	E2E_CHECK(b[30] == 0xc6 && b[31] == 0x12 && b[32] == 100 && b[33] == 1,
		  "out %ld: not to 198.18.100.1", idx);
	E2E_CHECK(b[22] >= 1, "out %ld: TTL %u", idx, b[22]);
	E2E_CHECK(e2e_csum(b + 14, (size_t)(b[14] & 15) * 4, 0) == 0, "out %ld: IP checksum",
		  idx);
	return 0;
}

static int check_pass(void *arg, long idx, const uint8_t *b, size_t len)
{
	if (len >= 34 && b[12] == 0x08 && b[13] == 0 && b[30] == 0xc6 && b[31] == 0x12 &&
	    b[32] == 100 && b[33] == 1 && b[22] > 1 && (b[14] >> 4) == 4 && (b[14] & 15) >= 5)
		E2E_CHECK(0, "pass %ld: a routed packet passed", idx);
	return 0;
}

static int check(struct e2e_run *r)
{
	long in = e2e_pcap_foreach(r->in, count_in, NULL);
	long out = e2e_pcap_foreach(r->out, check_out, NULL);
	long pass = e2e_pcap_foreach(r->pass, check_pass, NULL);

	E2E_CHECK(expect_fwd >= ROUNDS * 2, "only %ld routed packets in the set", expect_fwd);
	E2E_CHECK(out == expect_fwd, "%ld forwarded, expected %ld", out, expect_fwd);
	E2E_CHECK(in == out + pass, "%ld in, %ld out + %ld passed", in, out, pass);
	printf("xdp_fwd: %ld packets, %ld forwarded, %ld passed\n", in, out, pass);
	return 0;
}

int main(int argc, char **argv)
{
	return e2e_main(argc, argv, "xdp_fwd", gen, check);
}
