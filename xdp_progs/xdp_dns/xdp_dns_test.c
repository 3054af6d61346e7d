// SPDX-License-Identifier: MIT
/*
 * xdp_dns_test - packet set and end-to-end check of xdp_dns.
 *
 * gen: the corpus, then A/IN queries for the three configured names (and
 * other IDs, RD set or not), and ones that must pass: unknown names, other
 * case, AAAA, class CH, responses (QR), EDNS (ARCOUNT 1), two questions,
 * trailing bytes, names cut short, other ports.
 * check: each answer is the query plus one 16-byte answer: MACs, addresses
 * and ports swapped, valid IP checksum, lengths right, QR AA set,
 * ANCOUNT 1, the name pointer, TYPE A, CLASS IN, the configured TTL and
 * address; the number of answers is the number of answerable queries in the
 * input (by the README's rule); everything else passes.
 */
#include <stdio.h>
#include <string.h>

#include "e2e.h"

struct name {
	const char *dotted;
	uint8_t addr[4];
	uint32_t ttl;
};

static const struct name names[] = {
	{ "www.example.test", { 198, 18, 53, 1 }, 300 },
	{ "api.example.test", { 198, 18, 53, 2 }, 60 },
	{ "a.test", { 198, 18, 53, 3 }, 1 },
};
static long expect;

/* Wire form of @dotted into @out; returns its length with the root label. */
static size_t wire(const char *dotted, uint8_t *out)
{
	size_t n = 0;

	while (*dotted) {
		const char *dot = strchr(dotted, '.');
		size_t l = dot ? (size_t)(dot - dotted) : strlen(dotted);

		out[n++] = (uint8_t)l;
		memcpy(out + n, dotted, l);
		n += l;
		dotted += l + (dot ? 1 : 0);
	}
	out[n++] = 0;
	return n;
}

static void query(struct e2e_writer *w, int i, const char *qname, uint16_t flags, uint16_t qd,
		  uint16_t ar, uint16_t qtype, uint16_t qclass, size_t extra, size_t cut,
		  uint16_t dport)
{
	uint8_t msg[300] = { 0 };
	struct e2e_pkt p;
	size_t n;

	msg[0] = (uint8_t)(i >> 8), msg[1] = (uint8_t)i;
	msg[2] = flags >> 8, msg[3] = flags & 0xff;
	msg[5] = (uint8_t)qd;
	msg[11] = (uint8_t)ar;
	n = 12 + wire(qname, msg + 12);
	msg[n++] = qtype >> 8, msg[n++] = qtype & 0xff;
	msg[n++] = qclass >> 8, msg[n++] = qclass & 0xff;
	n += extra;
	n -= cut;
	e2e_eth(&p, 0x10, 0x20, 0x0800);
	e2e_ipv4_udp(&p, 0xc6120000u + (uint32_t)i, 0xc6123535u, 30000 + i, dport, msg, n);
	e2e_write(w, p.b, p.len);
}

static int gen(struct e2e_writer *w)
{
	int i;

	for (i = 0; i < 30; i++) {
		query(w, i, names[i % 3].dotted, i & 1 ? 0x0100 : 0, 1, 0, 1, 1, 0, 0, 53);
		query(w, i, "www.example.test", 0x0100, 1, 0, 1, 1, 0, 0, 53);
		query(w, i, "nope.example.test", 0x0100, 1, 0, 1, 1, 0, 0, 53);
		query(w, i, "WWW.example.test", 0x0100, 1, 0, 1, 1, 0, 0, 53);
		query(w, i, "www.example.test", 0x0100, 1, 0, 28, 1, 0, 0, 53); /* AAAA */
		query(w, i, "a.test", 0x0100, 1, 0, 1, 3, 0, 0, 53);            /* CH */
		query(w, i, "a.test", 0x8180, 1, 0, 1, 1, 0, 0, 53);            /* response */
		query(w, i, "a.test", 0x0100, 1, 1, 1, 1, 0, 0, 53);            /* EDNS count */
		query(w, i, "a.test", 0x0100, 2, 0, 1, 1, 0, 0, 53);            /* two questions */
		query(w, i, "a.test", 0x0100, 1, 0, 1, 1, 4, 0, 53);            /* trailing */
		query(w, i, "api.example.test", 0x0100, 1, 0, 1, 1, 0, 3 + i % 10, 53); /* cut */
		query(w, i, "a.test", 0x0100, 1, 0, 1, 1, 0, 0, 5353);
	}
	return 0;
}

static const struct name *lookup(const uint8_t *q, size_t avail, size_t *qlen)
{
	uint8_t buf[80];
	size_t k, n;

	for (k = 0; k < 3; k++) {
		n = wire(names[k].dotted, buf);
		if (n <= avail && !memcmp(q, buf, n)) {
			*qlen = n;
			return &names[k];
		}
	}
	return NULL;
}

static int count_in(void *arg, long idx, const uint8_t *b, size_t len)
{
	const uint8_t *ip = b + 14, *udp = b + 34, *dns = b + 42, *t;
	size_t qlen;

	if (len < 54 || b[12] != 0x08 || b[13] != 0 || ip[0] != 0x45 || ip[9] != 17 ||
	    ((ip[6] << 8 | ip[7]) & 0x3fff) || (udp[2] << 8 | udp[3]) != 53)
		return 0;
	if ((dns[2] & 0xf8) || dns[4] || dns[5] != 1 || dns[6] || dns[7] || dns[8] || dns[9] ||
	    dns[10] || dns[11])
		return 0;
	if (!lookup(dns + 12, len - 54, &qlen) || 54 + qlen + 4 != len)
		return 0;
	t = dns + 12 + qlen;
	if (t[0] || t[1] != 1 || t[2] || t[3] != 1)
		return 0;
	if ((size_t)(udp[4] << 8 | udp[5]) != len - 34 || (size_t)(ip[2] << 8 | ip[3]) != len - 14)
		return 0;
	expect++;
	return 0;
}

static int check_out(void *arg, long idx, const uint8_t *b, size_t len)
{
	const uint8_t *ip = b + 14, *udp = b + 34, *dns = b + 42, *a;
	const struct name *nm;
	size_t qlen;

	E2E_CHECK(len > 54 + 16, "out %ld: %zu bytes", idx, len);
	if (len <= 54 + 16)
		return 0;
	E2E_CHECK(ip[0] == 0x45 && ip[9] == 17 && e2e_csum(ip, 20, 0) == 0,
		  "out %ld: IP header or checksum", idx);
	E2E_CHECK((size_t)(ip[2] << 8 | ip[3]) == len - 14 &&
			  (size_t)(udp[4] << 8 | udp[5]) == len - 34,
		  "out %ld: lengths", idx);
	E2E_CHECK((udp[0] << 8 | udp[1]) == 53 && !udp[6] && !udp[7], "out %ld: UDP", idx);
	E2E_CHECK(ip[15] == 0x35 && ip[14] == 0x35 && ip[19] == (uint8_t)(udp[3] - 0x30),
		  "out %ld: addresses not swapped", idx);
	E2E_CHECK(b[5] == 0x20 && b[11] == 0x10, "out %ld: MACs not swapped", idx);
	E2E_CHECK((dns[2] & 0x84) == 0x84 && !(dns[2] & 0x78) && dns[5] == 1 && dns[7] == 1 &&
			  !dns[9] && !dns[11],
		  "out %ld: DNS header %02x%02x", idx, dns[2], dns[3]);
	nm = lookup(dns + 12, len - 54, &qlen);
	E2E_CHECK(nm && 54 + qlen + 4 + 16 == len, "out %ld: question", idx);
	if (!nm || 54 + qlen + 4 + 16 != len)
		return 0;
	a = dns + 12 + qlen + 4;
	E2E_CHECK(a[0] == 0xc0 && a[1] == 12 && !a[2] && a[3] == 1 && !a[4] && a[5] == 1 &&
			  (uint32_t)(a[6] << 24 | a[7] << 16 | a[8] << 8 | a[9]) == nm->ttl &&
			  !a[10] && a[11] == 4 && !memcmp(a + 12, nm->addr, 4),
		  "out %ld: answer for %s", idx, nm->dotted);
	return 0;
}

static int nop(void *arg, long idx, const uint8_t *b, size_t len)
{
	return 0;
}

static int check(struct e2e_run *r)
{
	long in = e2e_pcap_foreach(r->in, count_in, NULL);
	long out = e2e_pcap_foreach(r->out, check_out, NULL);
	long pass = e2e_pcap_foreach(r->pass, nop, NULL);

	E2E_CHECK(expect >= 60, "only %ld answerable queries in the set", expect);
	E2E_CHECK(out == expect, "%ld answers, expected %ld", out, expect);
	E2E_CHECK(in == out + pass, "%ld in, %ld out + %ld passed", in, out, pass);
	printf("xdp_dns: %ld packets, %ld answered, %ld passed\n", in, out, pass);
	return 0;
}

int main(int argc, char **argv)
{
	return e2e_main(argc, argv, "xdp_dns", gen, check);
}
