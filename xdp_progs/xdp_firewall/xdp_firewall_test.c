// SPDX-License-Identifier: MIT
/*
 * xdp_firewall_test - packet set and end-to-end check of xdp_firewall.
 *
 * gen: the corpus, then (by source address)
 *   198.18.66.6      blocked exactly          -> all dropped
 *   198.18.77.x      blocked by the /24       -> all dropped
 *   198.18.90.x      15 TCP connections opened with SYN, then ACK and data,
 *                    and the server's SYN-ACKs from 198.18.95.1 -> all pass
 *   198.18.91.x      TCP ACKs of unknown connections -> all dropped
 *   198.18.92.1      30 UDP datagrams: the first 20 pass (the budget)
 *   198.18.93.x      UDP, 4 each                   -> all pass
 *   198.18.94.1      100 UDP datagrams: the first 20 pass (the budget,
 *                    across three of the rate stage's per-CPU batches)
 * check: nothing is transmitted, and pass.pcap holds exactly the packets
 * of each group that the README says pass.
 */
#include <stdio.h>
#include <string.h>

#include "e2e.h"

#define A(c, d) (0xc6120000u | (c) << 8 | (d))

static long passed[256];

static int gen(struct e2e_writer *w)
{
	struct e2e_pkt p;
	int i;

	for (i = 0; i < 15; i++) {
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_tcp(&p, A(66, 6), A(1, 1), 5000 + i, 80, 0x02, 1, NULL, 0);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_udp(&p, A(77, i), A(1, 1), 5000 + i, 53, "q", 1);
		e2e_write(w, p.b, p.len);
		/* a connection: SYN, SYN-ACK, ACK, data */
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_tcp(&p, A(90, i), A(95, 1), 6000 + i, 80, 0x02, 100, NULL, 0);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x20, 0x10, 0x0800);
		e2e_ipv4_tcp(&p, A(95, 1), A(90, i), 80, 6000 + i, 0x12, 200, NULL, 0);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_tcp(&p, A(90, i), A(95, 1), 6000 + i, 80, 0x10, 101, NULL, 0);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_tcp(&p, A(90, i), A(95, 1), 6000 + i, 80, 0x18, 101, "GET /", 5);
		e2e_write(w, p.b, p.len);
		/* mid-stream segment of nothing we saw open */
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_tcp(&p, A(91, i), A(95, 1), 7000 + i, 80, 0x10, 5, "x", 1);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_udp(&p, A(93, i), A(95, 2), 8000 + i, 123, "ntp", 3);
		e2e_write(w, p.b, p.len);
		e2e_write(w, p.b, p.len);
		e2e_write(w, p.b, p.len);
		e2e_write(w, p.b, p.len);
	}
	for (i = 0; i < 30; i++) {
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_udp(&p, A(92, 1), A(95, 2), 9000, 514, "log", 3);
		e2e_write(w, p.b, p.len);
	}
	for (i = 0; i < 100; i++) {
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_udp(&p, A(94, 1), A(95, 2), 9100, 514, "log", 3);
		e2e_write(w, p.b, p.len);
	}
	return 0;
}

static int count_pass(void *arg, long idx, const uint8_t *b, size_t len)
{
	if (len >= 34 && b[12] == 0x08 && b[13] == 0 && b[26] == 198 && b[27] == 18)
		passed[b[28]]++;
	return 0;
}

static int nop(void *arg, long idx, const uint8_t *b, size_t len)
{
	return 0;
}

static int check(struct e2e_run *r)
{
	long in = e2e_pcap_foreach(r->in, nop, NULL);
	long out = e2e_pcap_foreach(r->out, nop, NULL);
	long pass = e2e_pcap_foreach(r->pass, count_pass, NULL);

	E2E_CHECK(out == 0, "%ld packets transmitted", out);
	E2E_CHECK(passed[66] == 0, "%ld from the blocked address passed", passed[66]);
	E2E_CHECK(passed[77] == 0, "%ld from the blocked prefix passed", passed[77]);
	E2E_CHECK(passed[90] == 45, "%ld of 45 client packets passed", passed[90]);
	E2E_CHECK(passed[95] == 15, "%ld of 15 SYN-ACKs passed", passed[95]);
	E2E_CHECK(passed[91] == 0, "%ld segments of unknown connections passed", passed[91]);
	E2E_CHECK(passed[92] == 20, "%ld of 30 over-budget datagrams passed, expected 20",
		  passed[92]);
	E2E_CHECK(passed[93] == 60, "%ld of 60 UDP datagrams passed", passed[93]);
	E2E_CHECK(passed[94] == 20, "%ld of 100 over-budget datagrams passed, expected 20",
		  passed[94]);
	printf("xdp_firewall: %ld packets, %ld passed, %ld dropped\n", in, pass, in - pass);
	return 0;
}

int main(int argc, char **argv)
{
	return e2e_main(argc, argv, "xdp_firewall", gen, check);
}
