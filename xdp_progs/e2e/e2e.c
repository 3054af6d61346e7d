// SPDX-License-Identifier: MIT
/*
 * e2e.c - shared pieces of the xdp_progs end-to-end tests (see e2e.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uxdp/map.h>
#include <uxdp/instance_owner.h>
#include <uxdp/runtime.h>

#include "e2e.h"

int e2e_failures;

/* ---- building ---- */

uint16_t e2e_csum(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

void e2e_eth(struct e2e_pkt *p, uint8_t dst_last, uint8_t src_last, uint16_t proto)
{
	static const uint8_t base[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x00 };

	memcpy(p->b, base, 6);
	p->b[5] = dst_last;
	memcpy(p->b + 6, base, 6);
	p->b[11] = src_last;
	put16(p->b + 12, proto);
	p->len = 14;
}

/* L4 header + payload at @l4; pseudo-header sum in @pseudo. */
static size_t l4_build(uint8_t *l4, uint8_t proto, uint16_t sport, uint16_t dport,
		       uint8_t tcp_flags, uint32_t seq, const void *payload, size_t plen,
		       uint32_t pseudo)
{
	size_t hl = proto == 6 ? 20 : 8, n = hl + plen;
	uint16_t c;

	memset(l4, 0, hl);
	put16(l4, sport);
	put16(l4 + 2, dport);
	if (proto == 6) {
		put32(l4 + 4, seq);
		put32(l4 + 8, tcp_flags & 0x10 ? seq ^ 0x5a5a : 0);
		l4[12] = 5 << 4;
		l4[13] = tcp_flags;
		put16(l4 + 14, 65535);
	} else {
		put16(l4 + 4, (uint16_t)n);
	}
	if (plen)
		memcpy(l4 + hl, payload, plen);
	pseudo += proto + (uint32_t)n;
	c = e2e_csum(l4, n, pseudo);
	if (proto == 17 && !c)
		c = 0xffff;
	put16(l4 + (proto == 6 ? 16 : 6), c);
	return n;
}

static void ipv4_l4(struct e2e_pkt *p, uint32_t saddr, uint32_t daddr, uint8_t proto,
		    uint16_t sport, uint16_t dport, uint8_t tcp_flags, uint32_t seq,
		    const void *payload, size_t plen)
{
	uint8_t *ip = p->b + p->len;
	uint32_t pseudo = (saddr >> 16) + (saddr & 0xffff) + (daddr >> 16) + (daddr & 0xffff);
	size_t n = l4_build(ip + 20, proto, sport, dport, tcp_flags, seq, payload, plen, pseudo);

	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + n));
	put16(ip + 4, (uint16_t)(seq & 0xffff));
	ip[8] = 64;
	ip[9] = proto;
	put32(ip + 12, saddr);
	put32(ip + 16, daddr);
	put16(ip + 10, e2e_csum(ip, 20, 0));
	p->len += 20 + n;
}

void e2e_ipv4_tcp(struct e2e_pkt *p, uint32_t saddr, uint32_t daddr, uint16_t sport,
		  uint16_t dport, uint8_t tcp_flags, uint32_t seq, const void *payload,
		  size_t plen)
{
	ipv4_l4(p, saddr, daddr, 6, sport, dport, tcp_flags, seq, payload, plen);
}

void e2e_ipv4_udp(struct e2e_pkt *p, uint32_t saddr, uint32_t daddr, uint16_t sport,
		  uint16_t dport, const void *payload, size_t plen)
{
	ipv4_l4(p, saddr, daddr, 17, sport, dport, 0, 0, payload, plen);
}

void e2e_ipv6_l4(struct e2e_pkt *p, const uint8_t saddr[16], const uint8_t daddr[16],
		 uint8_t proto, uint16_t sport, uint16_t dport, uint8_t tcp_flags,
		 const void *payload, size_t plen)
{
	uint8_t *ip = p->b + p->len;
	uint32_t pseudo = 0;
	size_t n, i;

	for (i = 0; i < 16; i += 2)
		pseudo += (uint32_t)(saddr[i] << 8 | saddr[i + 1]) +
			  (uint32_t)(daddr[i] << 8 | daddr[i + 1]);
	n = l4_build(ip + 40, proto, sport, dport, tcp_flags, 1000, payload, plen, pseudo);
	memset(ip, 0, 40);
	ip[0] = 0x60;
	put16(ip + 4, (uint16_t)n);
	ip[6] = proto;
	ip[7] = 64;
	memcpy(ip + 8, saddr, 16);
	memcpy(ip + 24, daddr, 16);
	p->len += 40 + n;
}

/* ---- pcap ---- */

struct e2e_writer {
	pcap_t *pc;
	pcap_dumper_t *d;
	long n;
};

struct e2e_writer *e2e_writer_open(const char *path)
{
	struct e2e_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->pc = pcap_open_dead(DLT_EN10MB, 65535);
	w->d = w->pc ? pcap_dump_open(w->pc, path) : NULL;
	if (!w->d) {
		fprintf(stderr, "e2e: cannot write %s\n", path);
		if (w->pc)
			pcap_close(w->pc);
		free(w);
		return NULL;
	}
	return w;
}

void e2e_write(struct e2e_writer *w, const void *b, size_t len)
{
	struct pcap_pkthdr h = { 0 };

	h.ts.tv_sec = 1700000000 + w->n;
	h.caplen = h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)w->d, &h, b);
	w->n++;
}

static int copy_cb(void *arg, long idx, const uint8_t *b, size_t len)
{
	e2e_write(arg, b, len);
	return 0;
}

long e2e_copy_pcap(struct e2e_writer *w, const char *corpus)
{
	return corpus ? e2e_pcap_foreach(corpus, copy_cb, w) : 0;
}

long e2e_writer_close(struct e2e_writer *w)
{
	long n = w->n;

	pcap_dump_close(w->d);
	pcap_close(w->pc);
	free(w);
	return n;
}

long e2e_pcap_foreach(const char *path,
		      int (*cb)(void *arg, long idx, const uint8_t *b, size_t len), void *arg)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *b;
	pcap_t *pc;
	long n = 0;
	int ret;

	pc = pcap_open_offline(path, errbuf);
	if (!pc) {
		fprintf(stderr, "e2e: %s: %s\n", path, errbuf);
		return -ENOENT;
	}
	while ((ret = pcap_next_ex(pc, &h, &b)) == 1) {
		/* A runt never reaches a program: the pcap driver drops it, as the
		 * kernel's XDP paths do.  The tests count what programs see. */
		if (h->caplen < 14)
			continue;
		if (cb(arg, n, b, h->caplen))
			break;
		n++;
	}
	pcap_close(pc);
	return n;
}

/* ---- seeding from the .conf ---- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_word(const char *t)
{
	static const char *const words[] = { "key", "value", "flags", "hex", "u8", "u16", "u32",
					     "u64", "be16", "be32", "be64", "ip4", "ip6", "mac",
					     "zero", NULL };
	int i;

	for (i = 0; words[i]; i++)
		if (!strcmp(t, words[i]))
			return true;
	return false;
}

/* Typed fields from tok[*i] up to the next key/value/flags into @out. */
static int fields(char **tok, int n, int *i, uint8_t *out, size_t *len)
{
	*len = 0;
	while (*i < n && strcmp(tok[*i], "key") && strcmp(tok[*i], "value") &&
	       strcmp(tok[*i], "flags")) {
		const char *w = tok[(*i)++];

		if (*i >= n)
			return -EINVAL;
		if (!strcmp(w, "hex")) {
			while (*i < n && !is_word(tok[*i])) {
				const char *h = tok[(*i)++];

				for (; h[0] && h[1]; h += 2) {
					if (hexval(h[0]) < 0 || hexval(h[1]) < 0)
						return -EINVAL;
					out[(*len)++] = (uint8_t)(hexval(h[0]) << 4 | hexval(h[1]));
				}
				if (*h)
					return -EINVAL;
			}
		} else if (w[0] == 'u' || (w[0] == 'b' && w[1] == 'e')) {
			bool be = w[0] == 'b';
			unsigned int nb = (unsigned int)atoi(w + (be ? 2 : 1)) / 8, k;
			unsigned long long v = strtoull(tok[(*i)++], NULL, 0);

			for (k = 0; k < nb; k++)
				out[*len + (be ? nb - 1 - k : k)] = (uint8_t)(v >> (8 * k));
			*len += nb;
		} else if (!strcmp(w, "ip4") || !strcmp(w, "ip6")) {
			bool v6 = w[2] == '6';

			if (inet_pton(v6 ? AF_INET6 : AF_INET, tok[(*i)++], out + *len) != 1)
				return -EINVAL;
			*len += v6 ? 16 : 4;
		} else if (!strcmp(w, "mac")) {
			unsigned int m[6], k;

			if (sscanf(tok[(*i)++], "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3],
				   &m[4], &m[5]) != 6)
				return -EINVAL;
			for (k = 0; k < 6; k++)
				out[(*len)++] = (uint8_t)m[k];
		} else if (!strcmp(w, "zero")) {
			long z = atol(tok[(*i)++]);

			memset(out + *len, 0, (size_t)z);
			*len += (size_t)z;
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

static int seed(struct uxdp_object *obj, const char *conf)
{
	char line[4096], *tok[512], *save;
	uint8_t key[1024], val[1024];
	size_t klen, vlen;
	int lineno = 0, n, i, ret;
	FILE *f = fopen(conf, "r");

	if (!f) {
		fprintf(stderr, "e2e: cannot read %s\n", conf);
		return -ENOENT;
	}
	while (fgets(line, sizeof(line), f)) {
		struct uxdp_map *m;
		char *hash = strchr(line, '#');

		lineno++;
		if (hash)
			*hash = 0;
		n = 0;
		for (tok[n] = strtok_r(line, " \t\r\n", &save); tok[n] && n < 511;
		     tok[++n] = strtok_r(NULL, " \t\r\n", &save))
			;
		if (!n)
			continue;
		ret = -EINVAL;
		if (!strcmp(tok[0], "prog_array") && n == 4) {
			const struct uxdp_program *p = uxdp_object_program(obj, tok[3]);
			uint32_t idx = (uint32_t)atoi(tok[2]), v;

			m = uxdp_object_map(obj, tok[1]);
			if (p && m) {
				v = p->index;
				ret = uxdp_map_update_elem(m, &idx, &v, 0);
			}
		} else if (!strcmp(tok[0], "map") && n >= 6 && !strcmp(tok[2], "key")) {
			m = uxdp_object_map(obj, tok[1]);
			i = 3;
			if (m && !fields(tok, n, &i, key, &klen) && i < n &&
			    !strcmp(tok[i], "value")) {
				i++;
				struct uxdp_map_info mi;

				if (!fields(tok, n, &i, val, &vlen) && !uxdp_map_get_info(m, &mi) &&
				    klen == mi.key_size && vlen == mi.value_size)
					ret = uxdp_map_update_elem(m, key, val, 0);
			}
		}
		if (ret) {
			fprintf(stderr, "e2e: %s:%d: cannot apply (%d)\n", conf, lineno, ret);
			fclose(f);
			return ret ? ret : -EINVAL;
		}
	}
	fclose(f);
	return 0;
}

int e2e_run(struct e2e_run *r, const char *test)
{
	struct uxdp_object_opts oo = { .sz = sizeof(oo), .ncpus = 1 }; /* the pcap driver: one worker */
	struct uxdp_object *obj;
	char err[512], log[600];
	pid_t pid;
	int ret, st;

	snprintf(r->instance, sizeof(r->instance), "e2e-%.12s-%d", test, (int)getpid());
	snprintf(r->out, sizeof(r->out), "%s/out.pcap", r->workdir);
	snprintf(r->pass, sizeof(r->pass), "%s/pass.pcap", r->workdir);
	snprintf(log, sizeof(log), "%s/uxdp.log", r->workdir);
	oo.instance = r->instance;
	oo.reuse_maps = true;
	ret = uxdp_object_open(r->aot, &oo, &obj, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "e2e: %s\n", err);
		return ret;
	}
	ret = r->conf ? seed(obj, r->conf) : 0;
	uxdp_object_close(obj);
	if (ret)
		return ret;

	/* Else the child writes this process's unflushed output again when it reopens stdout. */
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		const char *argv[16] = { r->uxdp, "--object", r->aot, "--pcap", r->in,
					 "--out", r->out, "--pass-out", r->pass,
					 "--instance", r->instance };
		int k = 11;

		if (r->prog) {
			argv[k++] = "-p";
			argv[k++] = r->prog;
		}
		if (!freopen(log, "w", stdout))
			_exit(127);
		execv(r->uxdp, (char **)argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "e2e: uxdp failed (status %d), see %s\n", st, log);
		return -EIO;
	}
	return 0;
}

struct rb_count {
	int (*cb)(void *arg, void *data, size_t size);
	void *arg;
	long n;
};

static int rb_cb(void *ctx, void *data, size_t size)
{
	struct rb_count *c = ctx;

	c->n++;
	return c->cb(c->arg, data, size);
}

long e2e_ringbuf_read(struct e2e_run *r, const char *name,
		      int (*cb)(void *arg, void *data, size_t size), void *arg)
{
	struct rb_count c = { cb, arg, 0 };
	struct uxdp_map *m;
	int ret;

	ret = uxdp_map_open(r->instance, name, &m);
	if (ret) {
		fprintf(stderr, "e2e: map %s in %s: %d\n", name, r->instance, ret);
		return ret;
	}
	ret = uxdp_ringbuf_consume(m, rb_cb, &c);
	uxdp_map_close(m);
	return ret < 0 ? ret : c.n;
}

void e2e_cleanup(struct e2e_run *r)
{
	char stats[64];

	if (!r->instance[0])
		return;
	uxdp_map_unlink_instance(r->instance);
	uxdp_instance_forget(r->instance); /* the run record uxdp left (state: exited) */
	/* uxdp keeps its verdict counters beside the maps (uxdp-stats.<instance>). */
	snprintf(stats, sizeof(stats), "/uxdp-stats.%s", r->instance);
	shm_unlink(stats);
}

int e2e_main(int argc, char **argv, const char *test,
	     int (*gen)(struct e2e_writer *w), int (*check)(struct e2e_run *r))
{
	struct e2e_run r = { 0 };
	int ret;

	if (argc >= 3 && !strcmp(argv[1], "gen")) {
		struct e2e_writer *w = e2e_writer_open(argv[2]);
		long n;

		if (!w)
			return 1;
		n = argc >= 4 ? e2e_copy_pcap(w, argv[3]) : 0;
		ret = n < 0 ? (int)n : gen(w);
		n = e2e_writer_close(w);
		return ret ? 1 : 0;
	}
	if (argc >= 7 && !strcmp(argv[1], "check")) {
		r.uxdp = argv[2];
		r.aot = argv[3];
		r.in = argv[4];
		r.conf = strcmp(argv[5], "-") ? argv[5] : NULL;
		r.workdir = argv[6];
		r.prog = argc >= 8 ? argv[7] : NULL;
		ret = e2e_run(&r, test);
		if (!ret)
			ret = check(&r);
		e2e_cleanup(&r);
		if (ret || e2e_failures) {
			fprintf(stderr, "%s: FAILED (%d failed checks)\n", test, e2e_failures);
			return 1;
		}
		printf("%s: ok\n", test);
		return 0;
	}
	fprintf(stderr, "usage: %s gen OUT.pcap [CORPUS.pcap]\n"
			"       %s check UXDP OBJ.aot.o IN.pcap CONF|- WORKDIR [PROG]\n",
		test, test);
	return 2;
}
