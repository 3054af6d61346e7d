// SPDX-License-Identifier: MIT
/*
 * xdp_adjust_tail_test - packet set and end-to-end check of xdp_adjust_tail.
 *
 * gen: the corpus, then IPv4 TCP and UDP frames of many sizes around and
 * above the 600-byte limit, and large ICMP, IPv4-with-options and IPv6
 * frames (which must pass).
 * check: every IPv4 (IHL 5, not ICMP) frame over 600 bytes comes back as a
 * 70-byte ICMP type 3 code 4 with MTU 586, valid IP and ICMP checksums,
 * addresses swapped and the original header quoted; everything else passes.
 */
#include <stdio.h>
#include <string.h>

#include "e2e.h"

#define LIMIT 600

static long expect;

static int gen(struct e2e_writer *w)
{
	static const uint8_t s6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t d6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	static uint8_t payload[3000];
	struct e2e_pkt p;
	int i;

	for (i = 0; i < (int)sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 31 + 7);
	for (i = 0; i < 60; i++) {
		size_t sz = (size_t)(500 + i * 37) % 3400; /* payload bytes */
		uint32_t src = 0xc6120a00u + (uint32_t)i;

		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_tcp(&p, src, 0xc6120b01u, 3000 + i, 80, 0x18, i, payload, sz);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_udp(&p, src, 0xc6120b01u, 3000 + i, 9, payload, 560 + (size_t)i % 40);
		e2e_write(w, p.b, p.len);
		/* large ICMP echo: never answered */
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_udp(&p, src, 0xc6120b01u, 0x0800, 0, payload, 700);
		p.b[23] = 1;
		p.b[24] = p.b[25] = 0;
		{
			uint16_t c = e2e_csum(p.b + 14, 20, 0);

			p.b[24] = c >> 8, p.b[25] = c & 0xff;
		}
		e2e_write(w, p.b, p.len);
		/* IPv6, large */
		e2e_eth(&p, 0x10, 0x20, 0x86dd);
		e2e_ipv6_l4(&p, s6, d6, 17, 3000 + i, 9, 0, payload, 800);
		e2e_write(w, p.b, p.len);
	}
	return 0;
}

static int is_big(const uint8_t *b, size_t len)
{
	return len > LIMIT && b[12] == 0x08 && b[13] == 0 && b[14] == 0x45 && b[23] != 1;
}

static int count_in(void *arg, long idx, const uint8_t *b, size_t len)
{
	if (is_big(b, len))
		expect++;
	return 0;
}

static int check_out(void *arg, long idx, const uint8_t *b, size_t len)
{
	E2E_CHECK(len == 70, "out %ld: %zu bytes, expected 70", idx, len);
	if (len != 70)
		return 0;
	E2E_CHECK(b[12] == 0x08 && b[13] == 0 && b[14] == 0x45 && b[23] == 1,
		  "out %ld: not IPv4/ICMP", idx);
	E2E_CHECK((b[16] << 8 | b[17]) == 56, "out %ld: tot_len", idx);
	E2E_CHECK(e2e_csum(b + 14, 20, 0) == 0, "out %ld: IP checksum", idx);
	E2E_CHECK(b[34] == 3 && b[35] == 4, "out %ld: ICMP type %u code %u", idx, b[34], b[35]);
	E2E_CHECK((b[40] << 8 | b[41]) == LIMIT - 14, "out %ld: MTU %u", idx, b[40] << 8 | b[41]);
	E2E_CHECK(e2e_csum(b + 34, 36, 0) == 0, "out %ld: ICMP checksum", idx);
	E2E_CHECK(b[42] == 0x45 && !memcmp(b + 26, b + 42 + 16, 4) && !memcmp(b + 30, b + 42 + 12, 4),
		  "out %ld: quoted header does not match the addresses", idx);
	return 0;
}

static int check_pass(void *arg, long idx, const uint8_t *b, size_t len)
{
	E2E_CHECK(!is_big(b, len), "pass %ld: a %zu-byte IPv4 frame passed", idx, len);
	return 0;
}

static int check(struct e2e_run *r)
{
	long in = e2e_pcap_foreach(r->in, count_in, NULL);
	long out = e2e_pcap_foreach(r->out, check_out, NULL);
	long pass = e2e_pcap_foreach(r->pass, check_pass, NULL);

	E2E_CHECK(expect >= 60, "only %ld oversized packets in the set", expect);
	E2E_CHECK(out == expect, "%ld ICMP replies, expected %ld", out, expect);
	E2E_CHECK(in == out + pass, "%ld in, %ld out + %ld passed", in, out, pass);
	printf("xdp_adjust_tail: %ld packets, %ld answered, %ld passed\n", in, out, pass);
	return 0;
}

int main(int argc, char **argv)
{
	return e2e_main(argc, argv, "xdp_adjust_tail", gen, check);
}
