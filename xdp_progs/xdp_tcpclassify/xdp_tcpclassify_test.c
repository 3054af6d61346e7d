// SPDX-License-Identifier: MIT
/*
 * xdp_tcpclassify_test - packet set and end-to-end check of xdp_tcpclassify.
 *
 * gen: the corpus, then HTTP requests over IPv4 TCP: every method, paths
 * under /api/, /static/, /admin, "/" and others, HTTP/1.1 and 1.0, and
 * near misses: lower-case methods, no space, HTTP/2.0, request lines longer
 * than the peek window, payloads cut short, and IPv6 requests (not
 * classified).
 * check: every packet passes unchanged, and cls_events holds exactly one
 * record per request by the README's rule (applied to the input), in
 * order, with the right method, path class, version, ports and path.
 */
#include <stdio.h>
#include <string.h>

#include "e2e.h"

#define PEEK 128

struct cls_event {
	uint8_t saddr[4], daddr[4], sport[2], dport[2];
	uint8_t method, path_class, http_minor, path_len;
	char path[32];
};

static struct cls_event want[4096];
static long n_want, n_got;

static const char *const methods[] = { NULL, "GET ", "POST ", "PUT ", "DELETE ", "HEAD ",
				       "OPTIONS ", "PATCH " };

static int gen(struct e2e_writer *w)
{
	static const char *const paths[] = { "/", "/api/v1/users", "/static/app.js", "/admin",
					     "/admin/login", "/index.html", "/apix", "/a" };
	static const char *const odd[] = {
		"get / HTTP/1.1\r\n\r\n", "GET /nospace\r\n\r\n....", "GET / HTTP/2.0\r\n\r\n",
		"POST /api/ HTTP/1.1", "BREW /pot HTTP/1.1\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n",
		"GETX / HTTP/1.1\r\n\r\n", "GET", "PUT /x HTTP/1.", "HTTP/1.1 200 OK\r\n\r\n",
	};
	char buf[400];
	struct e2e_pkt p;
	size_t k, m, v, n;
	int i = 0;

	for (k = 1; k < 8; k++)
		for (m = 0; m < 8; m++)
			for (v = 0; v < 2; v++, i++) {
				n = (size_t)snprintf(buf, sizeof(buf),
						     "%s%s HTTP/1.%zu\r\nHost: example.test\r\n\r\n",
						     methods[k], paths[m], 1 - v);
				e2e_eth(&p, 0x10, 0x20, 0x0800);
				e2e_ipv4_tcp(&p, 0xc6120000u + (uint32_t)i, 0xc6130001u,
					     20000 + i, 80, 0x18, (uint32_t)i, buf, n);
				e2e_write(w, p.b, p.len);
			}
	for (k = 0; k < sizeof(odd) / sizeof(odd[0]); k++) {
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_tcp(&p, 0xc6120100u, 0xc6130001u, 21000 + (int)k, 80, 0x18, 1, odd[k],
			     strlen(odd[k]));
		e2e_write(w, p.b, p.len);
	}
	/* request lines around the peek window's edge */
	for (k = 100; k < 130; k += 2) {
		memset(buf, 'a', sizeof(buf));
		memcpy(buf, "GET /", 5);
		memcpy(buf + k, " HTTP/1.1\r\n\r\n", 13);
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_tcp(&p, 0xc6120200u, 0xc6130001u, 22000 + (int)k, 80, 0x18, 1, buf,
			     k + 13);
		e2e_write(w, p.b, p.len);
		/* the same, cut inside the version */
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_tcp(&p, 0xc6120200u, 0xc6130001u, 23000 + (int)k, 80, 0x18, 1, buf,
			     k + 5);
		e2e_write(w, p.b, p.len);
	}
	/* IPv6 requests are not classified (the README: IPv4 only) */
	for (k = 0; k < 40; k++) {
		static const uint8_t s6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
		static const uint8_t d6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

		n = (size_t)snprintf(buf, sizeof(buf), "GET /api/%zu HTTP/1.1\r\n\r\n", k);
		e2e_eth(&p, 0x10, 0x20, 0x86dd);
		e2e_ipv6_l4(&p, s6, d6, 6, 24000 + (int)k, 80, 0x18, buf, n);
		e2e_write(w, p.b, p.len);
	}
	return 0;
}

static int count_in(void *arg, long idx, const uint8_t *b, size_t len)
{
	struct cls_event e = { 0 };
	const uint8_t *ip = b + 14, *th, *pl;
	size_t off, n, i, sp = 0, mlen = 0, plen;
	int m;

	if (len < 34 || b[12] != 0x08 || b[13] != 0 || (ip[0] >> 4) != 4 || (ip[0] & 15) < 5 ||
	    ip[9] != 6 || ((ip[6] << 8 | ip[7]) & 0x1fff))
		return 0;
	th = ip + (ip[0] & 15) * 4;
	if (th + 20 > b + len || (th[12] >> 4) < 5)
		return 0;
	off = (size_t)(th - b) + (th[12] >> 4) * 4;
	if (off >= len)
		return 0;
	pl = b + off;
	n = len - off < PEEK ? len - off : PEEK;
	if (n < 16)
		return 0;
	for (m = 1; m < 8; m++)
		if (!memcmp(pl, methods[m], strlen(methods[m])))
			break;
	if (m == 8)
		return 0;
	mlen = strlen(methods[m]);
	if (pl[mlen] != '/')
		return 0;
	for (i = 1; i < PEEK - 9; i++) {
		if (i + mlen >= n)
			break;
		if (pl[i + mlen] == ' ') {
			sp = i + mlen;
			break;
		}
	}
	if (!sp || sp + 9 > n)
		return 0;
	if (!memcmp(pl + sp, " HTTP/1.1", 9))
		e.http_minor = 1;
	else if (memcmp(pl + sp, " HTTP/1.0", 9))
		return 0;
	plen = sp - mlen;
	e.method = (uint8_t)m;
	if (plen >= 5 && !memcmp(pl + mlen, "/api/", 5))
		e.path_class = 1;
	else if (plen >= 8 && !memcmp(pl + mlen, "/static/", 8))
		e.path_class = 2;
	else if (plen >= 6 && !memcmp(pl + mlen, "/admin", 6))
		e.path_class = 3;
	else if (plen == 1)
		e.path_class = 4;
	if (plen > 32)
		plen = 32;
	e.path_len = (uint8_t)plen;
	memcpy(e.path, pl + mlen, plen);
	memcpy(e.saddr, ip + 12, 8);
	memcpy(e.sport, th, 4);
	if (n_want < 4096)
		want[n_want++] = e;
	return 0;
}

static int on_event(void *arg, void *data, size_t size)
{
	const struct cls_event *e = &want[n_got];

	E2E_CHECK(size == sizeof(*e), "record %ld: %zu bytes", n_got, size);
	E2E_CHECK(n_got < n_want, "record %ld: more records than requests", n_got);
	if (size == sizeof(*e) && n_got < n_want)
		E2E_CHECK(!memcmp(data, e, sizeof(*e)),
			  "record %ld: differs from its request (method %u class %u path %.32s)",
			  n_got, e->method, e->path_class, e->path);
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
	long recs = e2e_ringbuf_read(r, "cls_events", on_event, NULL);

	E2E_CHECK(out == 0, "%ld packets transmitted", out);
	E2E_CHECK(pass == in, "%ld of %ld packets passed", pass, in);
	E2E_CHECK(recs == n_want, "%ld records, expected %ld", recs, n_want);
	E2E_CHECK(n_want >= 112, "only %ld requests in the set", n_want);
	printf("xdp_tcpclassify: %ld packets passed, %ld requests reported\n", in, recs);
	return 0;
}

int main(int argc, char **argv)
{
	return e2e_main(argc, argv, "xdp_tcpclassify", gen, check);
}
