// SPDX-License-Identifier: MIT
/*
 * xdp_testlib.c - see xdp_testlib.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uxdp/instance_owner.h>
#include <uxdp/runtime.h>
#include <uxdp/stats_shm.h>

#include "xdp_testlib.h"

const uint8_t tl_mac_dst[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
const uint8_t tl_mac_src[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

int tl_expect(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", cond ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return !cond;
}

/* ---- pcap ---- */

int tl_pcap_load(const char *path, struct tl_pcap *out)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	size_t cap = 0;
	pcap_t *p;
	int r;

	memset(out, 0, sizeof(*out));
	p = pcap_open_offline(path, err);
	if (!p) {
		fprintf(stderr, "%s: %s\n", path, err);
		return -1;
	}
	while ((r = pcap_next_ex(p, &h, &d)) == 1) {
		/* A runt never reaches a program: the pcap driver drops it, as the
		 * kernel's XDP paths do.  The tests count what programs see. */
		if (h->caplen < 14)
			continue;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 256;
			out->p = realloc(out->p, cap * sizeof(*out->p));
			if (!out->p)
				abort();
		}
		out->p[out->n].len = h->caplen;
		out->p[out->n].data = malloc(h->caplen + 1);
		if (!out->p[out->n].data)
			abort();
		memcpy(out->p[out->n].data, d, h->caplen);
		out->n++;
	}
	if (r == -1)
		fprintf(stderr, "%s: %s\n", path, pcap_geterr(p));
	pcap_close(p);
	return r == -1 ? -1 : 0;
}

void tl_pcap_free(struct tl_pcap *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->p[i].data);
	free(c->p);
	memset(c, 0, sizeof(*c));
}

int tl_writer_open(struct tl_writer *w, const char *path)
{
	memset(w, 0, sizeof(*w));
	w->p = pcap_open_dead(DLT_EN10MB, 65535);
	if (!w->p)
		return -1;
	w->d = pcap_dump_open(w->p, path);
	if (!w->d) {
		fprintf(stderr, "%s: %s\n", path, pcap_geterr(w->p));
		pcap_close(w->p);
		return -1;
	}
	return 0;
}

void tl_write(struct tl_writer *w, const void *buf, size_t len)
{
	struct pcap_pkthdr h = { 0 };

	h.ts.tv_sec = 2000000000L + (long)w->n;
	h.caplen = h.len = len;
	pcap_dump((u_char *)w->d, &h, buf);
	w->n++;
}

long tl_write_pcap(struct tl_writer *w, const char *path)
{
	struct tl_pcap c;
	size_t i;

	if (tl_pcap_load(path, &c))
		return -1;
	for (i = 0; i < c.n; i++)
		tl_write(w, c.p[i].data, c.p[i].len);
	tl_pcap_free(&c);
	return (long)i;
}

void tl_writer_close(struct tl_writer *w)
{
	pcap_dump_close(w->d);
	pcap_close(w->p);
}

/* ---- packets ---- */

static void put32(uint8_t *b, uint32_t v)
{
	tl_put16(b, v >> 16);
	tl_put16(b + 2, v);
}

uint32_t tl_rand(uint32_t *s)
{
	/* xorshift32 */
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

uint16_t tl_sum16(const void *p, size_t n, uint32_t init)
{
	const uint8_t *b = p;
	uint64_t s = init;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

size_t tl_eth(uint8_t *b, uint16_t ethertype)
{
	memcpy(b, tl_mac_dst, 6);
	memcpy(b + 6, tl_mac_src, 6);
	tl_put16(b + 12, ethertype);
	return 14;
}

size_t tl_vlan(uint8_t *b, uint16_t tpid, uint16_t vid, uint16_t ethertype)
{
	tl_eth(b, tpid);
	tl_put16(b + 14, vid);
	tl_put16(b + 16, ethertype);
	return 18;
}

void tl_ipv4_fix_csum(uint8_t *ip)
{
	size_t hl = (ip[0] & 15) * 4;

	ip[10] = ip[11] = 0;
	tl_put16(ip + 10, ~tl_sum16(ip, hl, 0));
}

size_t tl_ipv4(uint8_t *b, uint8_t proto, uint32_t saddr, uint32_t daddr, size_t l4len)
{
	memset(b, 0, 20);
	b[0] = 0x45;
	tl_put16(b + 2, 20 + l4len);
	tl_put16(b + 4, 0x1234);
	b[8] = 61;
	b[9] = proto;
	put32(b + 12, saddr);
	put32(b + 16, daddr);
	tl_ipv4_fix_csum(b);
	return 20;
}

size_t tl_ipv6(uint8_t *b, uint8_t nexthdr, const uint8_t src[16], const uint8_t dst[16],
	       size_t l4len)
{
	memset(b, 0, 40);
	b[0] = 0x60;
	tl_put16(b + 4, l4len);
	b[6] = nexthdr;
	b[7] = 64;
	memcpy(b + 8, src, 16);
	memcpy(b + 24, dst, 16);
	return 40;
}

size_t tl_tcp(uint8_t *b, uint16_t sport, uint16_t dport, uint8_t flags)
{
	memset(b, 0, 20);
	tl_put16(b, sport);
	tl_put16(b + 2, dport);
	put32(b + 4, 1000);
	b[12] = 5 << 4;
	b[13] = flags;
	tl_put16(b + 14, 65535);
	return 20;
}

size_t tl_udp(uint8_t *b, uint16_t sport, uint16_t dport, size_t paylen)
{
	tl_put16(b, sport);
	tl_put16(b + 2, dport);
	tl_put16(b + 4, 8 + paylen);
	tl_put16(b + 6, 0);
	return 8;
}

size_t tl_icmp_echo(uint8_t *b, uint8_t type, uint16_t id, uint16_t seq, size_t paylen)
{
	b[0] = type;
	b[1] = 0;
	tl_put16(b + 2, 0);
	tl_put16(b + 4, id);
	tl_put16(b + 6, seq);
	tl_put16(b + 2, ~tl_sum16(b, 8 + paylen, 0));
	return 8;
}

/* ---- running uxdp ---- */

int tl_run_uxdp(const char *uxdp, const char *aot, const char *in, const char *out,
		const char *pass, const char *instance)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl(uxdp, uxdp, "--object", aot, "--pcap", in, "--out", out, "--pass-out", pass,
		      "--instance", instance, (char *)NULL);
		perror(uxdp);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- the .conf file: map NAME key FIELDS value FIELDS ---- */

static int hexnib(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int is_word(const char *t)
{
	static const char *const w[] = { "key", "value", "hex", "u8", "u16", "u32", "u64",
					 "be16", "be32", "be64", "ip4", "ip6", "mac", "zero", NULL };
	int i;

	for (i = 0; w[i]; i++)
		if (!strcmp(t, w[i]))
			return 1;
	return 0;
}

/* Parse fields from tok[*i] until "value" or the end; returns bytes or -1. */
static long parse_fields(char **tok, int n, int *i, uint8_t *out, size_t cap)
{
	size_t len = 0;

	while (*i < n && strcmp(tok[*i], "value")) {
		const char *w = tok[(*i)++];
		unsigned long long v;
		int k;

		if (!strcmp(w, "hex")) {
			while (*i < n && !is_word(tok[*i])) {
				const char *s = tok[(*i)++];

				for (; s[0] && s[1]; s += 2) {
					if (len >= cap || hexnib(s[0]) < 0 || hexnib(s[1]) < 0)
						return -1;
					out[len++] = hexnib(s[0]) << 4 | hexnib(s[1]);
				}
				if (*s)
					return -1;
			}
			continue;
		}
		if (*i >= n)
			return -1;
		if (!strcmp(w, "ip4")) {
			if (len + 4 > cap || inet_pton(AF_INET, tok[(*i)++], out + len) != 1)
				return -1;
			len += 4;
			continue;
		}
		if (!strcmp(w, "ip6")) {
			if (len + 16 > cap || inet_pton(AF_INET6, tok[(*i)++], out + len) != 1)
				return -1;
			len += 16;
			continue;
		}
		if (!strcmp(w, "mac")) {
			unsigned int m[6];

			if (len + 6 > cap || sscanf(tok[(*i)++], "%x:%x:%x:%x:%x:%x", &m[0], &m[1],
						    &m[2], &m[3], &m[4], &m[5]) != 6)
				return -1;
			for (k = 0; k < 6; k++)
				out[len++] = m[k];
			continue;
		}
		v = strtoull(tok[(*i)++], NULL, 0);
		if (!strcmp(w, "zero")) {
			if (len + v > cap)
				return -1;
			memset(out + len, 0, v);
			len += v;
		} else if (w[0] == 'u') {
			int bytes = atoi(w + 1) / 8;

			if (len + bytes > cap)
				return -1;
			for (k = 0; k < bytes; k++)
				out[len++] = v >> (8 * k);
		} else if (!strncmp(w, "be", 2)) {
			int bytes = atoi(w + 2) / 8;

			if (len + bytes > cap)
				return -1;
			for (k = bytes - 1; k >= 0; k--)
				out[len++] = v >> (8 * k);
		} else {
			return -1;
		}
	}
	return len;
}

static int apply_line(const struct uxdp_object *obj, char *line, const char *conf, int lineno)
{
	char *tok[512], *save = NULL, *s;
	uint8_t key[256], val[256], *full;
	int n = 0, i = 3, err;
	struct uxdp_map *m;
	long kl, vl;
	size_t vb, stride, c, ncpu;

	s = strchr(line, '#'); /* a comment runs to the end of the line */
	if (s)
		*s = 0;
	for (s = strtok_r(line, " \t\r\n", &save); s && n < 512; s = strtok_r(NULL, " \t\r\n", &save))
		tok[n++] = s;
	if (!n)
		return 0;
	if (n < 4 || strcmp(tok[0], "map") || strcmp(tok[2], "key"))
		goto bad;
	kl = parse_fields(tok, n, &i, key, sizeof(key));
	if (kl < 0 || i >= n)
		goto bad;
	i++;
	vl = parse_fields(tok, n, &i, val, sizeof(val));
	if (vl < 0)
		goto bad;
	m = uxdp_object_map(obj, tok[1]);
	if (!m) {
		fprintf(stderr, "%s:%d: no map '%s'\n", conf, lineno, tok[1]);
		return -1;
	}
	/* Per-CPU maps take one value per CPU, each rounded up to 8 bytes. */
	ncpu = uxdp_map_ncpus(m);
	vb = uxdp_map_value_bytes(m);
	stride = ncpu > 1 || vb != (size_t)vl ? (size_t)(vl + 7) / 8 * 8 : (size_t)vl;
	full = calloc(1, vb + stride);
	for (c = 0; c < ncpu; c++)
		memcpy(full + c * stride, val, vl);
	err = uxdp_map_update_elem(m, key, full, 0);
	free(full);
	if (err) {
		fprintf(stderr, "%s:%d: update %s: %s\n", conf, lineno, tok[1], strerror(-err));
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "%s:%d: cannot parse\n", conf, lineno);
	return -1;
}

int tl_seed(const char *aot, const char *instance, const char *conf)
{
	struct uxdp_object_opts oo = { .sz = sizeof(oo), .instance = instance, .ncpus = 1,
				       .reuse_maps = true };
	struct uxdp_object *obj;
	char err[256], line[4096];
	int lineno = 0, ret = 0;
	FILE *f;

	if (uxdp_object_open(aot, &oo, &obj, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", aot, err);
		return -1;
	}
	if (conf) {
		f = fopen(conf, "r");
		if (!f) {
			perror(conf);
			uxdp_object_close(obj);
			return -1;
		}
		while (!ret && fgets(line, sizeof(line), f))
			ret = apply_line(obj, line, conf, ++lineno);
		fclose(f);
	}
	uxdp_object_close(obj);
	return ret;
}

/* ---- e2e ---- */

int tl_main(int argc, char **argv, int (*gen)(const char *corpus, const char *out),
	    int (*e2e)(int argc, char **argv))
{
	if (argc == 4 && !strcmp(argv[1], "gen"))
		return gen(argv[2], argv[3]);
	if (argc >= 2 && !strcmp(argv[1], "e2e"))
		return e2e(argc - 1, argv + 1);
	fprintf(stderr, "usage: %s gen CORPUS.pcap OUT.pcap | e2e UXDP AOT IN WORKDIR [CONF]\n",
		argv[0]);
	return 2;
}

int tl_e2e_run(struct tl_e2e *e, int argc, char **argv)
{
	int st;

	memset(e, 0, sizeof(*e));
	if (argc < 5) {
		fprintf(stderr, "usage: %s e2e UXDP AOT IN.pcap WORKDIR [CONF]\n", argv[0]);
		return -1;
	}
	e->uxdp = argv[1];
	e->aot = argv[2];
	e->in = argv[3];
	e->dir = argv[4];
	e->conf = argc > 5 ? argv[5] : NULL;
	snprintf(e->instance, sizeof(e->instance), "xdpprogs_%d", (int)getpid());
	snprintf(e->out, sizeof(e->out), "%s/out.pcap", e->dir);
	snprintf(e->pass, sizeof(e->pass), "%s/pass.pcap", e->dir);

	uxdp_map_unlink_instance(e->instance);
	if (tl_seed(e->aot, e->instance, e->conf))
		return -1;
	st = tl_run_uxdp(e->uxdp, e->aot, e->in, e->out, e->pass, e->instance);
	if (st) {
		fprintf(stderr, "uxdp exited with %d\n", st);
		return -1;
	}
	if (tl_pcap_load(e->in, &e->pin) || tl_pcap_load(e->out, &e->pout) ||
	    tl_pcap_load(e->pass, &e->ppass))
		return -1;
	printf("%zu packets in, %zu out (TX), %zu passed\n", e->pin.n, e->pout.n, e->ppass.n);
	return 0;
}

void tl_e2e_end(struct tl_e2e *e)
{
	/* The instance's maps and id counter, and the counters uxdp published. */
	uxdp_map_unlink_instance(e->instance);
	uxdp_stats_shm_unlink(e->instance);
	uxdp_instance_forget(e->instance); /* the run record uxdp left (state: exited) */
	tl_pcap_free(&e->pin);
	tl_pcap_free(&e->pout);
	tl_pcap_free(&e->ppass);
}

struct uxdp_map *tl_e2e_map(struct tl_e2e *e, const char *name)
{
	struct uxdp_map *m;
	int err = uxdp_map_open(e->instance, name, &m);

	if (err) {
		fprintf(stderr, "map %s: %s\n", name, strerror(-err));
		return NULL;
	}
	return m;
}

static int same(const struct tl_pkt *p, const uint8_t *buf, uint32_t len)
{
	return p->len == len && !memcmp(p->data, buf, len);
}

int tl_check(struct tl_e2e *e, tl_model_fn model, void *arg, uint64_t counts[TL_NV])
{
	static uint8_t buf[TL_MAX_FRAME];
	size_t i, io = 0, ip = 0;
	int bad = 0;

	memset(counts, 0, sizeof(uint64_t) * TL_NV);
	for (i = 0; i < e->pin.n; i++) {
		uint32_t len = e->pin.p[i].len;
		const struct tl_pcap *want_in;
		size_t *idx;
		int v;

		if (len > sizeof(buf))
			len = sizeof(buf);
		memcpy(buf, e->pin.p[i].data, len);
		v = model(buf, &len, arg);
		counts[v < TL_NV ? v : TL_ABORTED]++;
		if (v == TL_TX) {
			want_in = &e->pout;
			idx = &io;
		} else if (v == TL_PASS) {
			want_in = &e->ppass;
			idx = &ip;
		} else {
			continue;
		}
		if (*idx >= want_in->n || !same(&want_in->p[*idx], buf, len)) {
			if (bad++ < 5)
				fprintf(stderr, "packet %zu (len %u): model says %s, uxdp's %s output #%zu differs or is missing\n",
					i + 1, e->pin.p[i].len, v == TL_TX ? "XDP_TX" : "XDP_PASS",
					v == TL_TX ? "TX" : "pass", *idx + 1);
		}
		(*idx)++;
	}
	if (io != e->pout.n || ip != e->ppass.n) {
		fprintf(stderr, "model: %zu TX and %zu PASS; uxdp: %zu and %zu\n", io, ip,
			e->pout.n, e->ppass.n);
		bad++;
	}
	return bad;
}
