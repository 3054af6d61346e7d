// SPDX-License-Identifier: MIT
/*
 * xdp_observer_test - packet set and end-to-end check of xdp_observer.
 *
 * gen: the corpus, then 40 IPv4 and 10 IPv6 connections: SYN, SYN-ACK, ACK,
 * data, FIN/ACK both ways; every fifth one ends in RST instead.
 * check: every packet passes unchanged; obs_events holds one record per
 * input segment with SYN, FIN or RST (by the README's rule, applied to the
 * input), in order, with the right type, ports, addresses and sequence.
 */
#include <stdio.h>
#include <string.h>

#include "e2e.h"

struct expect_ev {
	uint8_t type, family;
	uint8_t sport[2], dport[2], saddr[16], daddr[16], seq[4];
};

struct obs_event {
	uint8_t type, family, tcp_flags, pad;
	uint8_t sport[2], dport[2];
	uint8_t saddr[16], daddr[16];
	uint8_t seq[4], ack_seq[4];
};

static struct expect_ev ev[4096];
static long n_ev, n_got;

static void conn(struct e2e_writer *w, int i, bool v6)
{
	static const uint8_t flags[] = { 0x02, 0x12, 0x10, 0x18, 0x11, 0x11, 0x10 };
	uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, b6[16] = { 0x20, 0x01, 0x0d, 0xb8,
									[15] = 2 };
	uint32_t a = 0xc6120000u + (uint32_t)i, b = 0xc6130050u;
	struct e2e_pkt p;
	size_t k;

	a6[14] = (uint8_t)i;
	for (k = 0; k < sizeof(flags); k++) {
		bool rev = k & 1; /* server to client */
		uint8_t f = flags[k];

		if (i % 5 == 4 && k == 4)
			f = 0x14; /* RST/ACK ends this one */
		if (i % 5 == 4 && k > 4)
			break;
		if (v6) {
			e2e_eth(&p, 0x10, 0x20, 0x86dd);
			e2e_ipv6_l4(&p, rev ? b6 : a6, rev ? a6 : b6, 6, rev ? 443 : 40000 + i,
				    rev ? 40000 + i : 443, f, "data", k == 3 ? 4 : 0);
		} else {
			e2e_eth(&p, 0x10, 0x20, 0x0800);
			e2e_ipv4_tcp(&p, rev ? b : a, rev ? a : b, rev ? 80 : 30000 + i,
				     rev ? 30000 + i : 80, f, (uint32_t)(i * 1000 + k), "data",
				     k == 3 ? 4 : 0);
		}
		e2e_write(w, p.b, p.len);
	}
}

static int gen(struct e2e_writer *w)
{
	int i;

	for (i = 0; i < 40; i++)
		conn(w, i, false);
	for (i = 0; i < 10; i++)
		conn(w, i, true);
	return 0;
}

/* The README's rule, on the input: what record (if any) a packet makes. */
static int count_in(void *arg, long idx, const uint8_t *b, size_t len)
{
	struct expect_ev e = { 0 };
	const uint8_t *th;
	uint8_t f;

	if (len >= 34 && b[12] == 0x08 && b[13] == 0 && (b[14] >> 4) == 4 && (b[14] & 15) >= 5 &&
	    b[23] == 6 && !((b[20] << 8 | b[21]) & 0x1fff)) {
		th = b + 14 + (b[14] & 15) * 4;
		e.family = 4;
		memcpy(e.saddr, b + 26, 4);
		memcpy(e.daddr, b + 30, 4);
	} else if (len >= 54 && b[12] == 0x86 && b[13] == 0xdd && (b[14] >> 4) == 6 && b[20] == 6) {
		th = b + 54;
		e.family = 6;
		memcpy(e.saddr, b + 22, 16);
		memcpy(e.daddr, b + 38, 16);
	} else {
		return 0;
	}
	if (th + 20 > b + len)
		return 0;
	f = th[13];
	e.type = f & 0x04 ? 4 : (f & 0x02) && (f & 0x10) ? 2 : f & 0x02 ? 1 : f & 0x01 ? 3 : 0;
	if (!e.type)
		return 0;
	memcpy(e.sport, th, 2);
	memcpy(e.dport, th + 2, 2);
	memcpy(e.seq, th + 4, 4);
	if (n_ev < 4096)
		ev[n_ev++] = e;
	return 0;
}

static int on_event(void *arg, void *data, size_t size)
{
	const struct obs_event *o = data;
	const struct expect_ev *e = &ev[n_got];

	E2E_CHECK(size == sizeof(*o), "record %ld: %zu bytes", n_got, size);
	E2E_CHECK(n_got < n_ev, "record %ld: more records than events", n_got);
	if (size == sizeof(*o) && n_got < n_ev)
		E2E_CHECK(o->type == e->type && o->family == e->family &&
				  !memcmp(o->sport, e->sport, 2) && !memcmp(o->dport, e->dport, 2) &&
				  !memcmp(o->saddr, e->saddr, 16) &&
				  !memcmp(o->daddr, e->daddr, 16) && !memcmp(o->seq, e->seq, 4),
			  "record %ld: type %u/%u family %u/%u differs from its packet", n_got,
			  o->type, e->type, o->family, e->family);
	n_got++;
	return 0;
}

static int nop(void *arg, long idx, const uint8_t *b, size_t len)
{
	return 0;
}

static int check(struct e2e_run *r)
{
	long in = e2e_pcap_foreach(r->in, count_in, NULL);
	long out = e2e_pcap_foreach(r->out, nop, NULL);
	long pass = e2e_pcap_foreach(r->pass, nop, NULL);
	long recs;

	recs = e2e_ringbuf_read(r, "obs_events", on_event, NULL);
	E2E_CHECK(out == 0, "%ld packets transmitted", out);
	E2E_CHECK(pass == in, "%ld of %ld packets passed", pass, in);
	E2E_CHECK(recs == n_ev, "%ld records, expected %ld", recs, n_ev);
	E2E_CHECK(n_ev >= 150, "only %ld events in the set", n_ev);
	printf("xdp_observer: %ld packets passed, %ld events reported\n", in, recs);
	return 0;
}

int main(int argc, char **argv)
{
	return e2e_main(argc, argv, "xdp_observer", gen, check);
}
