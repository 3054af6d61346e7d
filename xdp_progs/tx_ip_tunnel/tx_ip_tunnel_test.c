// SPDX-License-Identifier: MIT
/*
 * tx_ip_tunnel_test - packet set and end-to-end check of tx_ip_tunnel.
 *
 * gen: the corpus, then per round: TCP/80 and UDP/53 to the IPv4 VIP, TCP/443
 * to the IPv6 VIP, and near misses (other port, other address, other
 * protocol, a later fragment).
 * check: every VIP packet (by the README's rule, applied to the input) comes
 * out as a valid IPIP / IP6IP6 packet toward the endpoint, carrying the
 * original IP packet unchanged; everything else passes.
 */
#include <stdio.h>
#include <string.h>

#include "e2e.h"

#define ROUNDS 40
#define VIP4 0xc612c801u /* 198.18.200.1 */

static const uint8_t vip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0x02, [15] = 0x00 };
static const uint8_t src6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x33 };
static const uint8_t tnl6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0xfe };
static const uint8_t tnl6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 };
static long expect;

static int gen(struct e2e_writer *w)
{
	struct e2e_pkt p;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		uint32_t src = 0xc6130000u + (uint32_t)i * 7;

		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_tcp(&p, src, VIP4, 2000 + i, 80, 0x02, i, "GET /", 5);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_udp(&p, src, VIP4, 2000 + i, 53, "query", 5);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x86dd);
		e2e_ipv6_l4(&p, src6, vip6, 6, 2000 + i, 443, 0x18, "data", 4);
		e2e_write(w, p.b, p.len);
		/* near misses */
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_tcp(&p, src, VIP4, 2000 + i, 81, 0x02, i, NULL, 0);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_udp(&p, src, VIP4 + 1, 2000 + i, 53, "q", 1);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_udp(&p, src, VIP4, 2000 + i, 80, "u", 1); /* UDP 80: not a VIP */
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x86dd);
		e2e_ipv6_l4(&p, src6, vip6, 17, 2000 + i, 443, 0, "u", 1);
		e2e_write(w, p.b, p.len);
	}
	return 0;
}

static int is_vip(const uint8_t *b, size_t len)
{
	if (len >= 38 && b[12] == 0x08 && b[13] == 0 && b[14] == 0x45 &&
	    !((b[20] << 8 | b[21]) & 0x1fff) &&
	    !memcmp(b + 30, (uint8_t[]){ 198, 18, 200, 1 }, 4)) {
		unsigned int dport = b[36] << 8 | b[37];

		if (b[23] == 6 && len >= 54 && dport == 80)
			return 4;
		if (b[23] == 17 && len >= 42 && dport == 53)
			return 4;
	}
	if (len >= 54 + 20 && b[12] == 0x86 && b[13] == 0xdd && (b[14] >> 4) == 6 &&
	    b[20] == 6 && !memcmp(b + 38, vip6, 16) && (b[56] << 8 | b[57]) == 443)
		return 6;
	return 0;
}

static int count_in(void *arg, long idx, const uint8_t *b, size_t len)
{
	if (is_vip(b, len))
		expect++;
	return 0;
}

static int check_out(void *arg, long idx, const uint8_t *b, size_t len)
{
	E2E_CHECK(len >= 54, "out %ld: %zu bytes", idx, len);
	if (len < 54)
		return 0;
	if (b[12] == 0x08 && b[13] == 0) {
		E2E_CHECK(!memcmp(b, (uint8_t[]){ 2, 0, 0x5e, 0, 1, 1 }, 6), "out %ld: dmac", idx);
		E2E_CHECK(b[14] == 0x45 && b[23] == 4, "out %ld: not IPIP", idx);
		E2E_CHECK(e2e_csum(b + 14, 20, 0) == 0, "out %ld: outer checksum", idx);
		E2E_CHECK((size_t)(b[16] << 8 | b[17]) == len - 14, "out %ld: outer tot_len", idx);
		E2E_CHECK(!memcmp(b + 26, (uint8_t[]){ 198, 18, 0, 254, 198, 18, 1, 1 }, 8),
			  "out %ld: outer addresses", idx);
		E2E_CHECK(b[34] == 0x45 && !memcmp(b + 50, (uint8_t[]){ 198, 18, 200, 1 }, 4),
			  "out %ld: inner is not to the VIP", idx);
		E2E_CHECK(e2e_csum(b + 34, 20, 0) == 0, "out %ld: inner checksum changed", idx);
	} else {
		E2E_CHECK(b[12] == 0x86 && b[13] == 0xdd, "out %ld: ethertype", idx);
		E2E_CHECK(len >= 94, "out %ld: short IP6IP6", idx);
		if (len < 94)
			return 0;
		E2E_CHECK(!memcmp(b, (uint8_t[]){ 2, 0, 0x5e, 0, 1, 2 }, 6), "out %ld: dmac", idx);
		E2E_CHECK((b[14] >> 4) == 6 && b[20] == 41, "out %ld: not IP6IP6", idx);
		E2E_CHECK((size_t)(b[18] << 8 | b[19]) == len - 54, "out %ld: payload_len", idx);
		E2E_CHECK(!memcmp(b + 22, tnl6_src, 16) && !memcmp(b + 38, tnl6_dst, 16),
			  "out %ld: outer addresses", idx);
		E2E_CHECK((b[54] >> 4) == 6 && !memcmp(b + 78, vip6, 16),
			  "out %ld: inner is not to the VIP", idx);
	}
	return 0;
}

static int check_pass(void *arg, long idx, const uint8_t *b, size_t len)
{
	E2E_CHECK(!is_vip(b, len), "pass %ld: a VIP packet passed", idx);
	return 0;
}

static int check(struct e2e_run *r)
{
	long in = e2e_pcap_foreach(r->in, count_in, NULL);
	long out = e2e_pcap_foreach(r->out, check_out, NULL);
	long pass = e2e_pcap_foreach(r->pass, check_pass, NULL);

	E2E_CHECK(expect >= ROUNDS * 3, "only %ld VIP packets in the set", expect);
	E2E_CHECK(out == expect, "%ld encapsulated, expected %ld", out, expect);
	E2E_CHECK(in == out + pass, "%ld in, %ld out + %ld passed", in, out, pass);
	printf("tx_ip_tunnel: %ld packets, %ld encapsulated, %ld passed\n", in, out, pass);
	return 0;
}

int main(int argc, char **argv)
{
	return e2e_main(argc, argv, "tx_ip_tunnel", gen, check);
}
