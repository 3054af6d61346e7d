// SPDX-License-Identifier: MIT
/*
 * corpus.c - the packet kinds of uxdp-corpus.
 *
 * One builder, build_ip(), writes a correct frame from a struct spec (tags,
 * IP version, IPv4 options or IPv6 extension chain, fragment position, L4
 * protocol, application payload) and records where each layer starts. Valid
 * kinds fill a spec and stop there; malformed kinds build a valid frame and
 * then break exactly one thing (cut it at a layer boundary, lie in a length,
 * spoil a checksum), recomputing the other checksums so the defect stays
 * the only one.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "corpus.h"

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_IPV6 0x86dd

#define P_HOPOPTS 0
#define P_ICMP 1
#define P_TCP 6
#define P_UDP 17
#define P_ROUTING 43
#define P_FRAGMENT 44
#define P_ICMPV6 58
#define P_NONE 59
#define P_DSTOPTS 60

enum app {
	APP_RANDOM,
	APP_HTTP_REQ,
	APP_HTTP_RESP,
	APP_DNS_QUERY,
	APP_DNS_RESP,
};

enum frag { FRAG_NONE, FRAG_FIRST, FRAG_MIDDLE, FRAG_LAST };

struct spec {
	int vlan;		/* 0 untagged, 1 802.1Q, 2 QinQ (802.1ad + 802.1Q) */
	int ipv;		/* 4 or 6 */
	size_t optlen;		/* IPv4 option bytes, multiple of 4, <= 40 */
	enum frag frag;
	bool df;
	uint8_t ext[6];		/* IPv6 extension headers, in order */
	int next;
	int l4;			/* IP protocol; no L4 header for middle/last fragments */
	enum app app;
	bool reply;		/* server to client: swap addresses and ports */
	uint8_t tcp_flags;
	size_t tcp_optlen;	/* multiple of 4, <= 40 */
	uint8_t icmp_type;
	size_t paylen;		/* for APP_RANDOM */
	unsigned int flow;
};

struct layout {
	size_t l3;		/* start of the IP header */
	size_t l4;		/* start of the L4 header (after IPv6 extensions) */
	size_t pay;		/* start of the L4 payload */
	size_t ext;		/* first IPv6 extension header, if any */
};

uint64_t corpus_rand(struct corpus_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned int rnd(struct corpus_rng *r, unsigned int n)
{
	return (unsigned int)(corpus_rand(r) % n);
}

uint32_t corpus_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

uint16_t corpus_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static void fill_random(struct corpus_rng *r, uint8_t *p, size_t len)
{
	while (len--)
		*p++ = (uint8_t)corpus_rand(r);
}

static void put_text(uint8_t *p, size_t *off, const char *s)
{
	size_t n = strlen(s);

	memcpy(p + *off, s, n);
	*off += n;
}

static size_t put_eth(uint8_t *b, int vlan, unsigned int type, unsigned int flow,
		      struct corpus_rng *r)
{
	static const uint8_t server[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
	uint8_t client[6] = { 0x02, 0x00, 0x00, 0x01, (uint8_t)(flow >> 8), (uint8_t)flow };
	size_t o = 12;

	memcpy(b, server, 6);
	memcpy(b + 6, client, 6);
	if (vlan == 2) {
		put16(b + o, ETH_P_8021AD);
		put16(b + o + 2, 100 + rnd(r, 100));
		o += 4;
	}
	if (vlan >= 1) {
		/* PCP in the top 3 bits, VID 1..4094 from the flow */
		put16(b + o, ETH_P_8021Q);
		put16(b + o + 2, rnd(r, 8) << 13 | (1 + flow % 4094));
		o += 4;
	}
	put16(b + o, type);
	return o + 2;
}

static void addr4(uint8_t *p, bool client, unsigned int flow)
{
	if (client) {
		p[0] = 198, p[1] = 18, p[2] = (uint8_t)((flow + 1) >> 8), p[3] = (uint8_t)(flow + 1);
	} else {
		p[0] = 198, p[1] = 19, p[2] = 0, p[3] = (uint8_t)(1 + flow % 4);
	}
}

static void addr6(uint8_t *p, bool client, unsigned int flow)
{
	memset(p, 0, 16);
	p[0] = 0x20, p[1] = 0x01, p[2] = 0x0d, p[3] = 0xb8;
	p[5] = client ? 1 : 2;
	if (client) {
		p[14] = (uint8_t)((flow + 1) >> 8);
		p[15] = (uint8_t)(flow + 1);
	} else {
		p[15] = (uint8_t)(1 + flow % 4);
	}
}

/* A DNS name as labels; returns bytes written. */
static size_t put_qname(uint8_t *p, const char *name)
{
	size_t o = 0;

	while (*name) {
		const char *dot = strchr(name, '.');
		size_t n = dot ? (size_t)(dot - name) : strlen(name);

		p[o++] = (uint8_t)n;
		memcpy(p + o, name, n);
		o += n;
		name += n + (dot ? 1 : 0);
	}
	p[o++] = 0;
	return o;
}

static const char *const dns_names[] = {
	"example.com", "www.example.com", "example.org", "mail.example.net", "a.b.c.example.com",
};

static const char *const http_hosts[] = { "example.com", "www.example.org", "example.net" };
static const char *const http_paths[] = { "/", "/index.html", "/api/v1/items?id=42", "/a/b/c" };

static size_t put_app(uint8_t *p, const struct spec *s, struct corpus_rng *r)
{
	char line[128];
	size_t o = 0, body;

	switch (s->app) {
	case APP_HTTP_REQ:
		put_text(p, &o, "GET ");
		put_text(p, &o, http_paths[rnd(r, 4)]);
		put_text(p, &o, " HTTP/1.1\r\nHost: ");
		put_text(p, &o, http_hosts[rnd(r, 3)]);
		put_text(p, &o, "\r\nUser-Agent: uxdp-corpus\r\nAccept: */*\r\n\r\n");
		return o;
	case APP_HTTP_RESP:
		body = rnd(r, 200);
		put_text(p, &o, rnd(r, 4) ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 404 Not Found\r\n");
		snprintf(line, sizeof(line), "Content-Length: %zu\r\n", body);
		put_text(p, &o, line);
		put_text(p, &o, "Content-Type: text/plain\r\nServer: uxdp\r\n\r\n");
		memset(p + o, 'x', body);
		return o + body;
	case APP_DNS_QUERY:
	case APP_DNS_RESP:
		put16(p, rnd(r, 65536));				/* id */
		put16(p + 2, s->app == APP_DNS_QUERY ? 0x0100 : 0x8180);
		put16(p + 4, 1);					/* QDCOUNT */
		put16(p + 6, s->app == APP_DNS_RESP);			/* ANCOUNT */
		put16(p + 8, 0);
		put16(p + 10, 0);
		o = 12 + put_qname(p + 12, dns_names[rnd(r, 5)]);
		put16(p + o, 1);					/* QTYPE A */
		put16(p + o + 2, 1);					/* QCLASS IN */
		o += 4;
		if (s->app == APP_DNS_RESP) {
			put16(p + o, 0xc00c);				/* name: pointer to the question */
			put16(p + o + 2, 1);
			put16(p + o + 4, 1);
			put32(p + o + 6, 300);				/* TTL */
			put16(p + o + 10, 4);
			addr4(p + o + 12, false, rnd(r, 256));
			o += 16;
		}
		return o;
	case APP_RANDOM:
		break;
	}
	fill_random(r, p, s->paylen);
	return s->paylen;
}

/*
 * Whole options only, in SYN order (MSS, SACK-permitted, timestamps, window
 * scale), NOP-aligned; the rest NOPs and a final end-of-list. A segment that
 * is not a SYN carries just timestamps, as Linux sends them.
 */
static size_t put_tcp_options(uint8_t *p, size_t optlen, bool syn, struct corpus_rng *r)
{
	static const uint8_t mss[] = { 2, 4, 0x05, 0xb4 };
	static const uint8_t sack[] = { 1, 1, 4, 2 };
	static const uint8_t ts[] = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0 };
	static const uint8_t ws[] = { 1, 3, 3, 7 };
	const struct {
		const uint8_t *b;
		size_t n;
	} opts[] = { { mss, 4 }, { sack, 4 }, { ts, 12 }, { ws, 4 } };
	size_t i, o = 0;

	for (i = syn ? 0 : 2; i < (syn ? 4 : 3); i++) {
		if (o + opts[i].n > optlen)
			continue;
		memcpy(p + o, opts[i].b, opts[i].n);
		if (opts[i].b == ts)
			put32(p + o + 4, (uint32_t)corpus_rand(r));	/* TSval */
		o += opts[i].n;
	}
	memset(p + o, 1, optlen - o);
	if (optlen > o)
		p[optlen - 1] = 0;
	return optlen;
}

/* Sum of the IPv4/IPv6 pseudo-header for an L4 segment of @len bytes. */
static uint32_t pseudo_sum(const uint8_t *b, const struct layout *l, int ipv, int proto, size_t len)
{
	uint8_t tail[8] = { 0 };

	if (ipv == 4) {
		uint32_t sum = corpus_csum_add(0, b + l->l3 + 12, 8);

		tail[1] = (uint8_t)proto;
		put16(tail + 2, (unsigned int)len);
		return corpus_csum_add(sum, tail, 4);
	}
	put32(tail, (uint32_t)len);
	tail[7] = (uint8_t)proto;
	return corpus_csum_add(corpus_csum_add(0, b + l->l3 + 8, 32), tail, 8);
}

/* (Re)compute the L4 checksum of a frame built by build_ip(). */
static void l4_csum(struct corpus_pkt *p, const struct layout *l, int ipv, int proto)
{
	size_t len = p->len - l->l4;
	uint8_t *h = p->b + l->l4;
	size_t at;
	uint32_t sum;

	switch (proto) {
	case P_TCP:
		at = 16;
		break;
	case P_UDP:
		at = 6;
		break;
	case P_ICMP:
	case P_ICMPV6:
		at = 2;
		break;
	default:
		return;
	}
	put16(h + at, 0);
	sum = proto == P_ICMP ? 0 : pseudo_sum(p->b, l, ipv, proto, len);
	put16(h + at, corpus_csum_fold(corpus_csum_add(sum, h, len)));
	/* UDP sends a computed zero as all ones (RFC 768) */
	if (proto == P_UDP && h[6] == 0 && h[7] == 0)
		put16(h + 6, 0xffff);
}

static void ip4_csum(struct corpus_pkt *p, const struct layout *l)
{
	uint8_t *ip = p->b + l->l3;
	size_t hlen = (size_t)(ip[0] & 0xf) * 4;

	put16(ip + 10, 0);
	put16(ip + 10, corpus_csum_fold(corpus_csum_add(0, ip, hlen)));
}

static size_t put_ip4_options(uint8_t *p, size_t optlen, unsigned int n)
{
	if (!optlen)
		return 0;
	memset(p, 0, optlen);
	if (n & 1 && optlen >= 4) {
		/* NOPs, then router alert (RFC 2113) in the last word */
		memset(p, 1, optlen - 4);
		p[optlen - 4] = 148;
		p[optlen - 3] = 4;
		return optlen;
	}
	/* record route with room for the addresses that fit, then end-of-list */
	p[0] = 7;
	p[1] = (uint8_t)(3 + (optlen - 4) / 4 * 4);
	p[2] = 4;
	return optlen;
}

static size_t put_ext(uint8_t *h, int type, int next, const struct spec *s, struct corpus_rng *r)
{
	h[0] = (uint8_t)next;
	switch (type) {
	case P_HOPOPTS:
	case P_DSTOPTS:
		h[1] = 0;
		if (rnd(r, 2)) {
			/* router alert (RFC 2711), then PadN of 0 data bytes */
			h[2] = 5, h[3] = 2, h[4] = 0, h[5] = 0, h[6] = 1, h[7] = 0;
		} else {
			h[2] = 1, h[3] = 4;
			memset(h + 4, 0, 4);
		}
		return 8;
	case P_ROUTING:
		/*
		 * type 0, no segments left, one address: the pseudo-header takes
		 * the last address as the final destination, so it repeats it
		 */
		h[1] = 2, h[2] = 0, h[3] = 0;
		memset(h + 4, 0, 4);
		addr6(h + 8, false, s->flow);	/* the final destination again */
		return 24;
	case P_FRAGMENT: {
		unsigned int off = s->frag == FRAG_MIDDLE || s->frag == FRAG_LAST ? 1 + rnd(r, 180) : 0;
		bool more = s->frag == FRAG_FIRST || s->frag == FRAG_MIDDLE;

		h[1] = 0;
		put16(h + 2, off << 3 | more);
		put32(h + 4, (uint32_t)corpus_rand(r));
		return 8;
	}
	}
	return 0;
}

/* Write a correct frame for @s into @p; fill @l. */
static void build_ip(struct corpus_pkt *p, const struct spec *s, struct corpus_rng *r,
		     struct layout *l)
{
	uint8_t *b = p->b;
	bool client = !s->reply;
	bool has_l4 = s->frag == FRAG_NONE || s->frag == FRAG_FIRST;
	size_t o, end;
	int i;

	o = put_eth(b, s->vlan, s->ipv == 4 ? ETH_P_IP : ETH_P_IPV6, s->flow, r);
	l->l3 = o;
	l->ext = 0;
	if (s->ipv == 4) {
		uint8_t *ip = b + o;
		unsigned int frag = s->df ? 0x4000 : 0;

		if (s->frag == FRAG_FIRST || s->frag == FRAG_MIDDLE)
			frag |= 0x2000;
		if (s->frag == FRAG_MIDDLE || s->frag == FRAG_LAST)
			frag |= 1 + rnd(r, 180);
		ip[0] = (uint8_t)(0x40 | (5 + s->optlen / 4));
		ip[1] = (uint8_t)(rnd(r, 4) ? 0 : 0xb8);	/* sometimes DSCP EF */
		put16(ip + 4, rnd(r, 65536));
		put16(ip + 6, frag);
		ip[8] = (uint8_t)(32 + rnd(r, 96));
		ip[9] = (uint8_t)s->l4;
		addr4(ip + 12, client, s->flow);
		addr4(ip + 16, !client, s->flow);
		o += 20 + put_ip4_options(ip + 20, s->optlen, s->flow);
	} else {
		uint8_t *ip = b + o;
		int nh = s->next ? s->ext[0] : s->l4;

		put32(ip, 6u << 28 | rnd(r, 1u << 20));
		ip[6] = (uint8_t)nh;
		ip[7] = (uint8_t)(32 + rnd(r, 96));
		addr6(ip + 8, client, s->flow);
		addr6(ip + 24, !client, s->flow);
		o += 40;
		l->ext = o;
		for (i = 0; i < s->next; i++)
			o += put_ext(b + o, s->ext[i], i + 1 < s->next ? s->ext[i + 1] : s->l4, s, r);
	}
	l->l4 = o;
	if (!has_l4) {
		/* middle and last fragments carry bytes of the datagram, no header */
		size_t n = s->paylen & ~(size_t)7;

		fill_random(r, b + o, n ? n : 8);
		end = o + (n ? n : 8);
		l->pay = l->l4;
	} else if (s->l4 == P_TCP) {
		uint8_t *t = b + o;
		uint16_t cport = (uint16_t)(1024 + s->flow % 64000);
		uint16_t sport = s->app == APP_HTTP_REQ || s->app == APP_HTTP_RESP ? 80 :
				 (uint16_t[]){ 22, 80, 443, 8080, 9000 }[s->flow % 5];

		put16(t, client ? cport : sport);
		put16(t + 2, client ? sport : cport);
		put32(t + 4, (uint32_t)corpus_rand(r));
		put32(t + 8, s->tcp_flags & 0x10 ? (uint32_t)corpus_rand(r) : 0);
		t[12] = (uint8_t)((5 + s->tcp_optlen / 4) << 4);
		t[13] = s->tcp_flags;
		put16(t + 14, 1024 + rnd(r, 64512));
		put16(t + 16, 0);
		put16(t + 18, s->tcp_flags & 0x20 ? rnd(r, 65536) : 0);
		o += 20 + put_tcp_options(t + 20, s->tcp_optlen, s->tcp_flags & 0x02, r);
		l->pay = o;
		end = o + put_app(b + o, s, r);
	} else if (s->l4 == P_UDP) {
		uint8_t *u = b + o;
		uint16_t cport = (uint16_t)(1024 + s->flow % 64000);
		uint16_t sport = s->app == APP_DNS_QUERY || s->app == APP_DNS_RESP ? 53 :
				 (uint16_t[]){ 123, 443, 4789, 5000, 9000 }[s->flow % 5];

		put16(u, client ? cport : sport);
		put16(u + 2, client ? sport : cport);
		o += 8;
		l->pay = o;
		end = o + put_app(b + o, s, r);
		put16(u + 4, (unsigned int)(end - l->l4));
	} else if (s->l4 == P_ICMP || s->l4 == P_ICMPV6) {
		uint8_t *c = b + o;

		c[0] = s->icmp_type;
		c[1] = 0;
		if (s->icmp_type == 135) {
			/* neighbour solicitation: reserved, target, source link-layer option */
			memset(c + 4, 0, 4);
			addr6(c + 8, false, s->flow);
			c[24] = 1, c[25] = 1;
			memcpy(c + 26, b + 6, 6);
			end = o + 32;
			l->pay = end;
		} else {
			put16(c + 4, rnd(r, 65536));
			put16(c + 6, rnd(r, 65536));
			l->pay = o + 8;
			end = l->pay + put_app(b + l->pay, s, r);
		}
	} else {
		l->pay = o;
		end = o + put_app(b + o, s, r);
	}
	p->len = end;
	if (s->ipv == 4) {
		put16(b + l->l3 + 2, (unsigned int)(end - l->l3));
		ip4_csum(p, l);
	} else {
		put16(b + l->l3 + 4, (unsigned int)(end - l->l3 - 40));
	}
	if (has_l4)
		l4_csum(p, l, s->ipv, s->l4);
}

/* ---- kinds ------------------------------------------------------------ */

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

static void spec_init(struct spec *s, struct corpus_rng *r, unsigned int flow, int ipv, int l4)
{
	memset(s, 0, sizeof(*s));
	s->ipv = ipv;
	s->l4 = l4;
	s->flow = flow;
	s->tcp_flags = TCP_ACK;
	s->df = rnd(r, 2);
	s->icmp_type = ipv == 4 ? 8 : 128;
	s->paylen = rnd(r, 3) ? rnd(r, 64) : rnd(r, 1400);
}

/* TCP flag mixes and option sizes, cycled by the kind's packet count. */
static void tcp_variant(struct spec *s, struct corpus_rng *r, unsigned int n)
{
	static const uint8_t flags[] = {
		TCP_SYN, TCP_SYN | TCP_ACK, TCP_ACK, TCP_PSH | TCP_ACK, TCP_FIN | TCP_ACK,
		TCP_RST, TCP_RST | TCP_ACK, TCP_URG | TCP_PSH | TCP_ACK, 0,
		TCP_FIN | TCP_PSH | TCP_URG, TCP_SYN | TCP_ECE | TCP_CWR, TCP_SYN | TCP_FIN,
	};
	static const uint8_t syn_opts[] = { 4, 8, 20, 24, 40 };

	s->tcp_flags = flags[n % sizeof(flags)];
	if (s->tcp_flags & TCP_SYN) {
		s->tcp_optlen = syn_opts[rnd(r, sizeof(syn_opts))];
		s->paylen = 0;
	} else {
		s->tcp_optlen = rnd(r, 2) ? 12 : 0;
		if (!(s->tcp_flags & (TCP_PSH | TCP_URG)))
			s->paylen = rnd(r, 2) ? 0 : s->paylen;
	}
	switch (n % 7) {
	case 3:
		s->app = APP_HTTP_REQ;
		s->tcp_flags = TCP_PSH | TCP_ACK;
		break;
	case 5:
		s->app = APP_HTTP_RESP;
		s->tcp_flags = TCP_PSH | TCP_ACK;
		s->reply = true;
		break;
	}
}

static void k_ipv4_tcp(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n, unsigned int f)
{
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, 4, P_TCP);
	tcp_variant(&s, r, n);
	build_ip(p, &s, r, &l);
}

static void k_http(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n, unsigned int f,
		   int ipv, bool resp)
{
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, ipv, P_TCP);
	s.tcp_flags = TCP_PSH | TCP_ACK;
	s.tcp_optlen = n & 1 ? 12 : 0;
	s.app = resp ? APP_HTTP_RESP : APP_HTTP_REQ;
	s.reply = resp;
	s.vlan = n % 5 == 4;
	build_ip(p, &s, r, &l);
}

static void k_http_req(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n, unsigned int f)
{
	k_http(p, r, n, f, n % 3 == 2 ? 6 : 4, false);
}

static void k_http_resp(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n, unsigned int f)
{
	k_http(p, r, n, f, n % 3 == 2 ? 6 : 4, true);
}

static void k_ipv4_udp(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n, unsigned int f)
{
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, 4, P_UDP);
	s.reply = n & 1;
	build_ip(p, &s, r, &l);
}

static void k_dns(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n, unsigned int f,
		  bool resp)
{
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, n % 4 == 3 ? 6 : 4, P_UDP);
	s.app = resp ? APP_DNS_RESP : APP_DNS_QUERY;
	s.reply = resp;
	build_ip(p, &s, r, &l);
}

static void k_dns_query(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n, unsigned int f)
{
	k_dns(p, r, n, f, false);
}

static void k_dns_resp(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n, unsigned int f)
{
	k_dns(p, r, n, f, true);
}

static void k_icmp_echo(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n, unsigned int f)
{
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, 4, P_ICMP);
	s.icmp_type = n & 1 ? 0 : 8;
	s.reply = n & 1;
	s.paylen = 56;
	build_ip(p, &s, r, &l);
}

static void k_ipv4_options(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
			   unsigned int f)
{
	static const int l4[] = { P_TCP, P_UDP, P_ICMP };
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, 4, l4[n / 10 % 3]);
	s.optlen = 4 * (1 + n % 10);			/* IHL 6..15 */
	build_ip(p, &s, r, &l);
}

static void k_ipv4_frag(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
			unsigned int f, enum frag pos)
{
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, 4, n & 1 ? P_TCP : P_UDP);
	s.frag = pos;
	s.df = false;
	/* every fragment but the last carries a multiple of 8 bytes */
	s.paylen = 8 * (1 + rnd(r, 100)) + (pos == FRAG_FIRST ? (n & 1 ? 4 : 0) : 0);
	if (pos == FRAG_LAST)
		s.paylen += rnd(r, 8);
	build_ip(p, &s, r, &l);
}

static void k_frag_first(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
			 unsigned int f)
{
	k_ipv4_frag(p, r, n, f, FRAG_FIRST);
}

static void k_frag_middle(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
			  unsigned int f)
{
	k_ipv4_frag(p, r, n, f, FRAG_MIDDLE);
}

static void k_frag_last(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
			unsigned int f)
{
	k_ipv4_frag(p, r, n, f, FRAG_LAST);
}

/* Pad a short frame to the 60-byte Ethernet minimum, as a NIC hands it over. */
static void k_ipv4_padded(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
			  unsigned int f)
{
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, 4, n & 1 ? P_UDP : P_TCP);
	s.paylen = rnd(r, 6);
	s.tcp_flags = TCP_ACK;
	build_ip(p, &s, r, &l);
	if (p->len < 60) {
		memset(p->b + p->len, n & 2 ? 0 : 0xa5, 60 - p->len);
		p->len = 60;
	}
}

static void k_vlan_ipv4(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n, unsigned int f)
{
	static const int l4[] = { P_TCP, P_UDP, P_ICMP };
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, 4, l4[n % 3]);
	if (s.l4 == P_TCP)
		tcp_variant(&s, r, n / 3);
	s.vlan = 1;
	build_ip(p, &s, r, &l);
}

static void k_qinq_ipv4(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n, unsigned int f)
{
	static const int l4[] = { P_UDP, P_TCP, P_ICMP };
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, 4, l4[n % 3]);
	if (n % 6 == 0)
		s.app = APP_DNS_QUERY;
	s.vlan = 2;
	build_ip(p, &s, r, &l);
}

static void k_vlan_ipv6(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n, unsigned int f)
{
	static const int l4[] = { P_TCP, P_UDP, P_ICMPV6 };
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, 6, l4[n % 3]);
	s.vlan = 1 + (n / 3) % 2;
	build_ip(p, &s, r, &l);
}

static void k_ipv6_tcp(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n, unsigned int f)
{
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, 6, P_TCP);
	tcp_variant(&s, r, n);
	build_ip(p, &s, r, &l);
}

static void k_ipv6_udp(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n, unsigned int f)
{
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, 6, P_UDP);
	if (n % 3 == 1)
		s.app = APP_DNS_QUERY;
	s.reply = n & 1;
	build_ip(p, &s, r, &l);
}

/* Extension header chains, in the order RFC 8200 recommends and out of it. */
static const uint8_t ext_chains[][5] = {
	{ 1, P_HOPOPTS },
	{ 1, P_ROUTING },
	{ 1, P_DSTOPTS },
	{ 2, P_HOPOPTS, P_DSTOPTS },
	{ 3, P_HOPOPTS, P_ROUTING, P_DSTOPTS },
	{ 2, P_DSTOPTS, P_ROUTING },
	{ 4, P_HOPOPTS, P_DSTOPTS, P_ROUTING, P_DSTOPTS },
	{ 3, P_HOPOPTS, P_ROUTING, P_FRAGMENT },
	{ 4, P_DSTOPTS, P_DSTOPTS, P_DSTOPTS, P_DSTOPTS },
};

static void set_chain(struct spec *s, unsigned int i)
{
	const uint8_t *c = ext_chains[i % (sizeof(ext_chains) / sizeof(ext_chains[0]))];

	s->next = c[0];
	memcpy(s->ext, c + 1, c[0]);
}

static void k_ipv6_ext(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n, unsigned int f)
{
	static const int l4[] = { P_TCP, P_UDP, P_ICMPV6, P_NONE };
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, 6, l4[n / 9 % 4]);
	set_chain(&s, n);
	if (s.l4 == P_NONE)
		s.paylen = 0;
	build_ip(p, &s, r, &l);
}

static void k_ipv6_frag(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n, unsigned int f)
{
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, 6, n & 4 ? P_TCP : P_UDP);
	s.frag = (enum frag)(1 + n % 3);
	if (n & 8)
		s.ext[s.next++] = P_HOPOPTS;
	s.ext[s.next++] = P_FRAGMENT;
	s.paylen = 8 * (1 + rnd(r, 100)) + (s.frag == FRAG_LAST ? rnd(r, 8) : 0);
	build_ip(p, &s, r, &l);
}

static void k_icmpv6_echo(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
			  unsigned int f)
{
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, 6, P_ICMPV6);
	s.icmp_type = n & 1 ? 129 : 128;
	s.reply = n & 1;
	s.paylen = 56;
	build_ip(p, &s, r, &l);
}

static void k_icmpv6_ns(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n, unsigned int f)
{
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, 6, P_ICMPV6);
	s.icmp_type = 135;
	build_ip(p, &s, r, &l);
	p->b[l.l3 + 7] = 255;	/* ND requires hop limit 255 (RFC 4861) */
}

static void k_arp(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n, unsigned int f)
{
	bool reply = n & 1;
	size_t o = put_eth(p->b, n % 4 == 2, ETH_P_ARP, f, r);
	uint8_t *a = p->b + o;

	if (!reply)
		memset(p->b, 0xff, 6);
	put16(a, 1);			/* Ethernet */
	put16(a + 2, ETH_P_IP);
	a[4] = 6, a[5] = 4;
	put16(a + 6, reply ? 2 : 1);
	memcpy(a + 8, p->b + 6, 6);
	addr4(a + 14, !reply, f);
	if (reply)
		memcpy(a + 18, p->b, 6);
	else
		memset(a + 18, 0, 6);
	addr4(a + 24, reply, f);
	p->len = o + 28;
	if (n & 2) {
		/* the 18 bytes of padding a NIC adds to reach 60 */
		memset(p->b + p->len, 0, 60 - p->len);
		p->len = 60;
	}
}

static void k_unknown_ethertype(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
				unsigned int f)
{
	/* LLDP, MPLS, MACsec, loopback, WoL, local experimental, a made-up one, 802.3 length */
	static const uint16_t types[] = { 0x88cc, 0x8847, 0x88e5, 0x9000, 0x0842, 0x88b5,
					  0x1234, 0x05dc, 0xffff, 0x0000 };
	size_t o = put_eth(p->b, n % 5 == 4, types[n % 10], f, r);
	size_t len = 46 + rnd(r, 200);

	fill_random(r, p->b + o, len);
	p->len = o + len;
}

/* ---- malformed kinds --------------------------------------------------- */

static void k_runt(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n, unsigned int f)
{
	k_ipv4_tcp(p, r, n, f);
	p->len = n % CORPUS_KERNEL_MIN;		/* 0..13: shorter than an Ethernet header */
}

static void k_trunc_l2(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
		       unsigned int f)
{
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, n % 6 < 2 ? 6 : 4, P_TCP);
	s.vlan = (int)(n % 3);
	build_ip(p, &s, r, &l);
	if (s.vlan == 0)
		p->len = ETH_HLEN + 1;			/* Ethernet + 1 byte of IP */
	else
		p->len = l.l3 - 4 + rnd(r, 4);		/* cut inside the last tag */
}

static void cut_in(struct corpus_pkt *p, size_t at, size_t span, unsigned int n)
{
	size_t len = at + (span ? n % span : 0);

	if (len < p->len)
		p->len = len;
}

static void k_trunc_ipv4(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
			 unsigned int f)
{
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, 4, P_TCP);
	s.vlan = n / 20 % 3;
	build_ip(p, &s, r, &l);
	cut_in(p, l.l3, 20, n);			/* 0..19 bytes of the IPv4 header */
}

static void k_trunc_ipv4_opts(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
			      unsigned int f)
{
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, 4, P_UDP);
	s.optlen = 4 * (1 + rnd(r, 10));
	build_ip(p, &s, r, &l);
	cut_in(p, l.l3 + 20, s.optlen, n);
}

static void k_trunc_tcp(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
			unsigned int f)
{
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, n / 5 % 3 == 2 ? 6 : 4, P_TCP);
	s.tcp_flags = TCP_SYN;
	s.tcp_optlen = 20;
	s.paylen = 0;
	build_ip(p, &s, r, &l);
	cut_in(p, l.l4, 40, n);			/* into the fixed header or the options */
}

static void k_trunc_udp(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
			unsigned int f)
{
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, n / 8 % 2 ? 6 : 4, P_UDP);
	s.app = APP_DNS_QUERY;
	build_ip(p, &s, r, &l);
	if (n % 16 == 15)
		cut_in(p, l.pay, 12, n);	/* UDP whole, DNS header cut */
	else
		cut_in(p, l.l4, 8, n);
}

static void k_trunc_icmp(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
			 unsigned int f)
{
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, n & 1 ? 6 : 4, n & 1 ? P_ICMPV6 : P_ICMP);
	build_ip(p, &s, r, &l);
	cut_in(p, l.l4, 8, n / 2);
}

static void k_trunc_ipv6(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
			 unsigned int f)
{
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, 6, P_UDP);
	build_ip(p, &s, r, &l);
	cut_in(p, l.l3, 40, n);
}

static void k_trunc_ipv6_ext(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
			     unsigned int f)
{
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, 6, P_TCP);
	set_chain(&s, n);
	build_ip(p, &s, r, &l);
	cut_in(p, l.ext, (unsigned int)(l.l4 - l.ext), (unsigned int)corpus_rand(r));
}

static void ip4_set_totlen(struct corpus_pkt *p, const struct layout *l, unsigned int v)
{
	put16(p->b + l->l3 + 2, v);
	ip4_csum(p, l);
}

static void k_ipv4_totlen_long(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
			       unsigned int f)
{
	struct spec s;
	struct layout l;
	size_t real;

	spec_init(&s, r, f, 4, n & 1 ? P_UDP : P_TCP);
	build_ip(p, &s, r, &l);
	real = p->len - l.l3;
	ip4_set_totlen(p, &l, n % 4 == 3 ? 0xffff : (unsigned int)(real + 1 + rnd(r, 1000)));
}

static void k_ipv4_totlen_short(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
				unsigned int f)
{
	struct spec s;
	struct layout l;
	size_t real;
	unsigned int v;

	spec_init(&s, r, f, 4, n & 1 ? P_UDP : P_TCP);
	s.paylen = 16 + rnd(r, 200);
	build_ip(p, &s, r, &l);
	real = p->len - l.l3;
	switch (n % 5) {
	case 0: v = 0; break;
	case 1: v = 19; break;				/* shorter than the header */
	case 2: v = 20; break;				/* header only, L4 outside */
	case 3: v = (unsigned int)real - 1; break;
	default: v = (unsigned int)(l.pay - l.l3) + 1; break;
	}
	ip4_set_totlen(p, &l, v);
}

static void k_ipv4_bad_ihl(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
			   unsigned int f)
{
	struct spec s;
	struct layout l;
	uint8_t *ip;

	spec_init(&s, r, f, 4, P_TCP);
	build_ip(p, &s, r, &l);
	ip = p->b + l.l3;
	ip[0] = (uint8_t)(0x40 | n % 5);		/* IHL 0..4 */
	put16(ip + 10, 0);
	put16(ip + 10, corpus_csum_fold(corpus_csum_add(0, ip, 20)));
}

static void k_ipv4_bad_csum(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
			    unsigned int f)
{
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, 4, n & 1 ? P_UDP : P_TCP);
	s.optlen = n % 3 == 2 ? 8 : 0;
	build_ip(p, &s, r, &l);
	p->b[l.l3 + 10] ^= (uint8_t)(1 + rnd(r, 255));
}

static void k_ip_bad_version(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
			     unsigned int f)
{
	static const uint8_t v4[] = { 0, 6, 15 };
	struct spec s;
	struct layout l;

	spec_init(&s, r, f, n % 4 == 3 ? 6 : 4, P_UDP);
	build_ip(p, &s, r, &l);
	if (s.ipv == 4) {
		p->b[l.l3] = (uint8_t)(v4[n % 3] << 4 | 5);
		ip4_csum(p, &l);
	} else {
		p->b[l.l3] = (uint8_t)(0x40 | (p->b[l.l3] & 0xf));
	}
}

static void k_l4_bad_csum(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
			  unsigned int f)
{
	static const int l4[] = { P_TCP, P_UDP, P_ICMP, P_TCP, P_UDP, P_ICMPV6, P_UDP };
	static const size_t at[] = { 16, 6, 2, 16, 6, 2, 6 };
	struct spec s;
	struct layout l;
	unsigned int i = n % 7;

	spec_init(&s, r, f, i < 3 ? 4 : 6, l4[i]);
	build_ip(p, &s, r, &l);
	if (i == 6)
		put16(p->b + l.l4 + 6, 0);		/* zero UDP checksum: invalid over IPv6 */
	else
		p->b[l.l4 + at[i] + 1] ^= (uint8_t)(1 + rnd(r, 255));
}

static void k_ipv6_bad_plen(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
			    unsigned int f)
{
	struct spec s;
	struct layout l;
	unsigned int real, v;

	spec_init(&s, r, f, 6, n & 1 ? P_UDP : P_TCP);
	if (n & 2)
		set_chain(&s, n / 4);
	s.paylen = 16 + rnd(r, 200);
	build_ip(p, &s, r, &l);
	real = (unsigned int)(p->len - l.l3 - 40);
	switch (n % 4) {
	case 0: v = real + 1 + rnd(r, 1000); break;
	case 1: v = real - 1 - rnd(r, 16); break;
	case 2: v = 0; break;				/* jumbogram marker without the option */
	default: v = 0xffff; break;
	}
	put16(p->b + l.l3 + 4, v);
}

static void k_tcp_bad_doff(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
			   unsigned int f)
{
	struct spec s;
	struct layout l;
	unsigned int doff;

	spec_init(&s, r, f, n % 8 == 7 ? 6 : 4, P_TCP);
	s.paylen = rnd(r, 20);
	build_ip(p, &s, r, &l);
	if (n & 1)
		doff = n / 2 % 5;			/* 0..4: shorter than the fixed header */
	else
		doff = 15;				/* 60 bytes, past the end of the frame */
	p->b[l.l4 + 12] = (uint8_t)(doff << 4 | (p->b[l.l4 + 12] & 0xf));
	l4_csum(p, &l, s.ipv, P_TCP);
}

static void k_jumbo(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n, unsigned int f)
{
	/* both sides of the kernel test_run limit, then real jumbo sizes */
	static const size_t sizes[] = { CORPUS_KERNEL_MAX, CORPUS_KERNEL_MAX + 1, 4096, 9000,
					1514, 6000 };
	struct spec s;
	struct layout l;
	size_t want = sizes[n % 6];

	spec_init(&s, r, f, n & 1 ? 6 : 4, P_TCP);
	s.tcp_flags = TCP_PSH | TCP_ACK;
	s.paylen = want - ETH_HLEN - (s.ipv == 4 ? 20 : 40) - 20;
	build_ip(p, &s, r, &l);
}

const struct corpus_kind corpus_kinds[] = {
	{ "ipv4-tcp", CORPUS_VALID, "IPv4/TCP, flag mixes, SYN options, payloads", k_ipv4_tcp },
	{ "http-request", CORPUS_VALID, "TCP port 80, \"GET / HTTP/1.1\" request", k_http_req },
	{ "http-response", CORPUS_VALID, "TCP from port 80, HTTP/1.1 response", k_http_resp },
	{ "ipv4-udp", CORPUS_VALID, "IPv4/UDP with random payload", k_ipv4_udp },
	{ "dns-query", CORPUS_VALID, "UDP to port 53, A query", k_dns_query },
	{ "dns-response", CORPUS_VALID, "UDP from port 53, A answer", k_dns_resp },
	{ "icmp-echo", CORPUS_VALID, "ICMP echo request and reply", k_icmp_echo },
	{ "ipv4-options", CORPUS_VALID, "IPv4 with options, IHL 6..15", k_ipv4_options },
	{ "ipv4-frag-first", CORPUS_VALID, "first IPv4 fragment (MF, offset 0)", k_frag_first },
	{ "ipv4-frag-middle", CORPUS_VALID, "middle IPv4 fragment (MF, offset>0)", k_frag_middle },
	{ "ipv4-frag-last", CORPUS_VALID, "last IPv4 fragment (offset>0)", k_frag_last },
	{ "ipv4-padded", CORPUS_VALID, "short IPv4 frame padded to 60 bytes", k_ipv4_padded },
	{ "vlan-ipv4", CORPUS_VALID, "802.1Q-tagged IPv4 TCP/UDP/ICMP", k_vlan_ipv4 },
	{ "qinq-ipv4", CORPUS_VALID, "802.1ad+802.1Q (QinQ) IPv4", k_qinq_ipv4 },
	{ "vlan-ipv6", CORPUS_VALID, "802.1Q and QinQ IPv6", k_vlan_ipv6 },
	{ "ipv6-tcp", CORPUS_VALID, "IPv6/TCP, flag mixes, HTTP", k_ipv6_tcp },
	{ "ipv6-udp", CORPUS_VALID, "IPv6/UDP, DNS queries", k_ipv6_udp },
	{ "ipv6-ext", CORPUS_VALID, "IPv6 extension header chains", k_ipv6_ext },
	{ "ipv6-frag", CORPUS_VALID, "IPv6 fragment header, first/middle/last", k_ipv6_frag },
	{ "icmpv6-echo", CORPUS_VALID, "ICMPv6 echo request and reply", k_icmpv6_echo },
	{ "icmpv6-ns", CORPUS_VALID, "ICMPv6 neighbour solicitation", k_icmpv6_ns },
	{ "arp", CORPUS_VALID, "ARP request and reply", k_arp },
	{ "unknown-ethertype", CORPUS_VALID, "LLDP, MPLS, 802.3 length, others", k_unknown_ethertype },
	{ "runt", CORPUS_MALFORMED, "0..13 bytes, shorter than Ethernet", k_runt },
	{ "trunc-l2", CORPUS_MALFORMED, "Ethernet+1 byte; VLAN/QinQ tag cut", k_trunc_l2 },
	{ "trunc-ipv4", CORPUS_MALFORMED, "IPv4 header cut at 0..19 bytes", k_trunc_ipv4 },
	{ "trunc-ipv4-options", CORPUS_MALFORMED, "IPv4 options cut", k_trunc_ipv4_opts },
	{ "trunc-tcp", CORPUS_MALFORMED, "TCP header or options cut", k_trunc_tcp },
	{ "trunc-udp", CORPUS_MALFORMED, "UDP header (or DNS header) cut", k_trunc_udp },
	{ "trunc-icmp", CORPUS_MALFORMED, "ICMP/ICMPv6 header cut", k_trunc_icmp },
	{ "trunc-ipv6", CORPUS_MALFORMED, "IPv6 header cut at 0..39 bytes", k_trunc_ipv6 },
	{ "trunc-ipv6-ext", CORPUS_MALFORMED, "IPv6 extension chain cut", k_trunc_ipv6_ext },
	{ "ipv4-totlen-long", CORPUS_MALFORMED, "IPv4 total length > frame", k_ipv4_totlen_long },
	{ "ipv4-totlen-short", CORPUS_MALFORMED, "IPv4 total length < frame, < header",
	  k_ipv4_totlen_short },
	{ "ipv4-bad-ihl", CORPUS_MALFORMED, "IPv4 IHL 0..4", k_ipv4_bad_ihl },
	{ "ipv4-bad-csum", CORPUS_MALFORMED, "IPv4 header checksum wrong", k_ipv4_bad_csum },
	{ "ip-bad-version", CORPUS_MALFORMED, "IP version field disagrees with ethertype",
	  k_ip_bad_version },
	{ "l4-bad-csum", CORPUS_MALFORMED, "TCP/UDP/ICMP/ICMPv6 checksum wrong", k_l4_bad_csum },
	{ "ipv6-bad-plen", CORPUS_MALFORMED, "IPv6 payload length wrong", k_ipv6_bad_plen },
	{ "tcp-bad-doff", CORPUS_MALFORMED, "TCP data offset < 5 or past the frame",
	  k_tcp_bad_doff },
	{ "jumbo", CORPUS_JUMBO, "1514..9000-byte TCP frames (--jumbo only)", k_jumbo },
};

const size_t corpus_nkinds = sizeof(corpus_kinds) / sizeof(corpus_kinds[0]);

int corpus_kind_find(const char *name)
{
	size_t i;

	for (i = 0; i < corpus_nkinds; i++)
		if (!strcmp(corpus_kinds[i].name, name))
			return (int)i;
	return -ENOENT;
}
