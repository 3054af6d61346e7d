// SPDX-License-Identifier: MIT
/*
 * xdp_lb_test - packet set and end-to-end check of xdp_lb.
 *
 * gen: the corpus, then 96 flows (TCP to VIP:80 and UDP to VIP:53) of 4
 * packets each, interleaved, and packets to other ports and addresses.
 * check: every VIP packet comes out as IPIP from 198.18.0.253 to one of the
 * four backends with that backend's MAC and a valid outer checksum, the
 * inner packet unchanged; each flow stays on one backend; the flows use at
 * least three of the four backends and no backend gets more than half;
 * everything else passes.
 */
#include <stdio.h>
#include <string.h>

#include "e2e.h"

#define FLOWS 96
#define PER_FLOW 4
#define VIP 0xc612fa01u /* 198.18.250.1 */

struct flow {
	uint8_t tuple[13];
	int backend;
};

static struct flow flows[1024];
static int n_flows;
static long expect, per_backend[4];

static int gen(struct e2e_writer *w)
{
	struct e2e_pkt p;
	int i, k;

	for (k = 0; k < PER_FLOW; k++) {
		for (i = 0; i < FLOWS; i++) {
			uint32_t src = 0xc6130000u + (uint32_t)(i * 131 % 997);

			e2e_eth(&p, 0x10, 0x20, 0x0800);
			if (i & 1)
				e2e_ipv4_udp(&p, src, VIP, 10000 + i, 53, "q", 1);
			else
				e2e_ipv4_tcp(&p, src, VIP, 10000 + i, 80, k ? 0x10 : 0x02,
					     (uint32_t)k, "x", 1);
			e2e_write(w, p.b, p.len);
		}
		for (i = 0; i < 20; i++) {
			e2e_eth(&p, 0x10, 0x20, 0x0800);
			if (i & 1)
				e2e_ipv4_tcp(&p, 0xc6130101u, VIP, 999, 443, 0x02, 1, NULL, 0);
			else
				e2e_ipv4_udp(&p, 0xc6130101u, VIP + 1, 999, 53, "q", 1);
			e2e_write(w, p.b, p.len);
		}
	}
	return 0;
}

static int is_vip(const uint8_t *b, size_t len)
{
	unsigned int dport;

	if (len < 42 || b[12] != 0x08 || b[13] != 0 || b[14] != 0x45 ||
	    ((b[20] << 8 | b[21]) & 0x3fff) || memcmp(b + 30, (uint8_t[]){ 198, 18, 250, 1 }, 4))
		return 0;
	dport = b[36] << 8 | b[37];
	return (b[23] == 6 && len >= 54 && dport == 80) || (b[23] == 17 && dport == 53);
}

static int count_in(void *arg, long idx, const uint8_t *b, size_t len)
{
	if (is_vip(b, len))
		expect++;
	return 0;
}

static int check_out(void *arg, long idx, const uint8_t *b, size_t len)
{
	const uint8_t *in = b + 34;
	uint8_t tuple[13];
	int be, i;

	E2E_CHECK(len >= 34 + 28, "out %ld: %zu bytes", idx, len);
	if (len < 34 + 28)
		return 0;
	E2E_CHECK(b[14] == 0x45 && b[23] == 4, "out %ld: not IPIP", idx);
	E2E_CHECK(e2e_csum(b + 14, 20, 0) == 0, "out %ld: outer checksum", idx);
	E2E_CHECK((size_t)(b[16] << 8 | b[17]) == len - 14, "out %ld: outer tot_len", idx);
	E2E_CHECK(!memcmp(b + 26, (uint8_t[]){ 198, 18, 0, 253 }, 4), "out %ld: outer saddr", idx);
	be = b[33] - 1;
	E2E_CHECK(b[30] == 198 && b[31] == 18 && b[32] == 2 && be >= 0 && be < 4,
		  "out %ld: outer daddr is not a backend", idx);
	if (be < 0 || be >= 4)
		return 0;
	E2E_CHECK(b[5] == be + 1 && b[4] == 2, "out %ld: MAC is not backend %d's", idx, be);
	E2E_CHECK(in[0] == 0x45 && e2e_csum(in, 20, 0) == 0, "out %ld: inner header", idx);
	memcpy(tuple, in + 12, 8);
	memcpy(tuple + 8, in + 20, 4);
	tuple[12] = in[9];
	for (i = 0; i < n_flows; i++)
		if (!memcmp(flows[i].tuple, tuple, 13))
			break;
	if (i == n_flows && n_flows < 1024) {
		memcpy(flows[n_flows].tuple, tuple, 13);
		flows[n_flows++].backend = be;
		per_backend[be]++;
	} else if (i < n_flows) {
		E2E_CHECK(flows[i].backend == be, "out %ld: flow moved from backend %d to %d", idx,
			  flows[i].backend, be);
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
	int used = 0, i;

	for (i = 0; i < 4; i++) {
		used += per_backend[i] > 0;
		E2E_CHECK(per_backend[i] <= n_flows / 2, "backend %d has %ld of %d flows", i,
			  per_backend[i], n_flows);
	}
	E2E_CHECK(expect >= FLOWS * PER_FLOW, "only %ld VIP packets in the set", expect);
	E2E_CHECK(out == expect, "%ld balanced, expected %ld", out, expect);
	E2E_CHECK(in == out + pass, "%ld in, %ld out + %ld passed", in, out, pass);
	E2E_CHECK(n_flows >= FLOWS && used >= 3, "%d flows over %d backends", n_flows, used);
	printf("xdp_lb: %ld packets, %ld balanced (%d flows: %ld/%ld/%ld/%ld), %ld passed\n", in,
	       out, n_flows, per_backend[0], per_backend[1], per_backend[2], per_backend[3], pass);
	return 0;
}

int main(int argc, char **argv)
{
	return e2e_main(argc, argv, "xdp_lb", gen, check);
}
