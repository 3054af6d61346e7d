// SPDX-License-Identifier: MIT
/*
 * corpus_check.c - test of uxdp-corpus, run by ctest as tools.corpus.
 *
 *   corpus_check PATH/TO/uxdp-corpus WORKDIR
 *
 * Generates corpora with the real binary and reads them back with libpcap:
 * packet count, every kind present and tagged, sizes within the kernel's
 * test_run limits, checksums and addresses of the valid kinds re-derived by
 * a parser of its own, the defect of some malformed kinds present, and
 * determinism (same seed, same file; another seed, another file).
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"

static int failures;

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
			failures++;                                          \
		}                                                            \
	} while (0)

static const char *gen;
static const char *dir;

static int run_gen(const char *args, const char *out, char *path, size_t pathlen)
{
	char cmd[4096];

	snprintf(path, pathlen, "%s/%s", dir, out);
	snprintf(cmd, sizeof(cmd), "'%s' %s -o '%s'", gen, args, path);
	return system(cmd);
}

static unsigned int get16(const uint8_t *p)
{
	return (unsigned int)(p[0] << 8 | p[1]);
}

/* RFC 1071 sum, written out again here rather than trusting the generator's. */
static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
	while (n > 1) {
		s += get16(p);
		p += 2;
		n -= 2;
	}
	if (n)
		s += (uint32_t)p[0] << 8;
	return s;
}

static int folds_to_ffff(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

/* Check a frame of a valid kind: headers consistent, checksums right. */
static void check_valid(const uint8_t *b, size_t len, size_t idx, const char *kind)
{
	size_t o = 12, l4 = 0, l4len = 0;
	unsigned int type, proto = 0;
	uint32_t ps = 0;
	int frag = 0;

	CHECK(len >= 14, "packet %zu (%s): %zu bytes", idx, kind, len);
	if (len < 14)
		return;
	type = get16(b + o);
	while ((type == 0x8100 || type == 0x88a8) && o + 6 <= len) {
		o += 4;
		type = get16(b + o);
	}
	o += 2;
	if (type == 0x0800) {
		const uint8_t *ip = b + o;
		size_t hl = (size_t)(ip[0] & 0xf) * 4, tot = get16(ip + 2);

		CHECK(ip[0] >> 4 == 4 && hl >= 20 && tot >= hl && o + tot <= len,
		      "packet %zu (%s): IPv4 header", idx, kind);
		CHECK(folds_to_ffff(sum16(0, ip, hl)), "packet %zu (%s): IPv4 csum", idx, kind);
		CHECK(ip[12] == 198 && (ip[13] & 0xfe) == 18 && ip[16] == 198 &&
		      (ip[17] & 0xfe) == 18, "packet %zu (%s): address outside 198.18/15", idx, kind);
		frag = (get16(ip + 6) & 0x3fff) != 0;
		proto = ip[9];
		l4 = o + hl;
		l4len = tot - hl;
		ps = sum16(0, ip + 12, 8) + proto + (uint32_t)l4len;
		if (proto == 1)
			ps = 0;
	} else if (type == 0x86dd) {
		const uint8_t *ip = b + o;
		size_t plen = get16(ip + 4), p = o + 40;

		CHECK(o + 40 + plen == len, "packet %zu (%s): IPv6 payload length", idx, kind);
		CHECK(get16(ip + 8) == 0x2001 && get16(ip + 10) == 0x0db8 &&
		      get16(ip + 24) == 0x2001 && get16(ip + 26) == 0x0db8,
		      "packet %zu (%s): address outside 2001:db8::/32", idx, kind);
		proto = ip[6];
		while (proto == 0 || proto == 43 || proto == 60 || proto == 44) {
			unsigned int cur = proto;

			if (cur == 44)
				frag = (get16(b + p + 2) & 0xfff9) != 0;
			proto = b[p];
			p += cur == 44 ? 8 : (size_t)(b[p + 1] + 1) * 8;
		}
		l4 = p;
		l4len = len - p;
		ps = sum16(sum16(0, ip + 8, 32), (const uint8_t[]){ 0, 0, 0, 0, 0, 0, 0, 0 }, 8) +
		     (uint32_t)(l4len >> 16) + (uint32_t)(l4len & 0xffff) + proto;
	} else {
		return;
	}
	if (frag || !(proto == 6 || proto == 17 || proto == 1 || proto == 58))
		return;
	CHECK(folds_to_ffff(sum16(ps, b + l4, l4len)), "packet %zu (%s): L4 proto %u csum",
	      idx, kind, proto);
}

/* Read @path; count packets per kind; check each. Returns the packet count. */
static size_t read_corpus(const char *path, size_t *per_kind, size_t *maxlen)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *b;
	size_t n = 0;
	pcap_t *p;

	memset(per_kind, 0, corpus_nkinds * sizeof(*per_kind));
	*maxlen = 0;
	p = pcap_open_offline(path, err);
	CHECK(p, "%s: %s", path, err);
	if (!p)
		return 0;
	CHECK(pcap_datalink(p) == DLT_EN10MB, "%s: link type", path);
	while (pcap_next_ex(p, &h, &b) == 1) {
		size_t k = (size_t)h->ts.tv_usec;
		const char *name;

		CHECK(k < corpus_nkinds, "packet %zu: kind tag %zu", n, k);
		if (k >= corpus_nkinds)
			break;
		name = corpus_kinds[k].name;
		per_kind[k]++;
		CHECK(h->caplen == h->len, "packet %zu: caplen %u len %u", n, h->caplen, h->len);
		if (h->len > *maxlen)
			*maxlen = h->len;
		if (corpus_kinds[k].cls != CORPUS_MALFORMED)
			check_valid(b, h->caplen, n, name);
		if (!strcmp(name, "runt"))
			CHECK(h->caplen < 14, "packet %zu: runt of %u bytes", n, h->caplen);
		if (!strcmp(name, "ipv4-bad-csum"))
			CHECK(!folds_to_ffff(sum16(0, b + 14, (size_t)(b[14] & 0xf) * 4)),
			      "packet %zu: IPv4 csum is right", n);
		n++;
	}
	pcap_close(p);
	return n;
}

static int same_file(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	int ca, cb, same = fa && fb;

	while (same) {
		ca = getc(fa);
		cb = getc(fb);
		if (ca != cb)
			same = 0;
		if (ca == EOF || cb == EOF)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

int main(int argc, char **argv)
{
	char a[2048], b[2048], c[2048], path[2048];
	size_t per[128], maxlen, n, k, small = 99;

	if (argc != 3) {
		fprintf(stderr, "usage: %s UXDP_CORPUS WORKDIR\n", argv[0]);
		return 2;
	}
	gen = argv[1];
	dir = argv[2];

	CHECK(!run_gen("--count 1000 --seed 7 --flows 32", "a.pcap", a, sizeof(a)), "gen a");
	CHECK(!run_gen("--count 1000 --seed 7 --flows 32", "b.pcap", b, sizeof(b)), "gen b");
	CHECK(!run_gen("--count 1000 --seed 8 --flows 32", "c.pcap", c, sizeof(c)), "gen c");
	CHECK(same_file(a, b), "same seed gave different files");
	CHECK(!same_file(a, c), "different seeds gave the same file");

	n = read_corpus(a, per, &maxlen);
	CHECK(n == 1000, "%zu packets", n);
	CHECK(maxlen <= CORPUS_KERNEL_MAX, "frame of %zu bytes without --jumbo", maxlen);
	for (k = 0; k < corpus_nkinds; k++) {
		if (corpus_kinds[k].cls == CORPUS_JUMBO)
			CHECK(!per[k], "jumbo without --jumbo");
		else
			CHECK(per[k] > 0, "kind %s missing", corpus_kinds[k].name);
	}

	CHECK(!run_gen("--count 300 --kind malformed", "m.pcap", path, sizeof(path)), "gen m");
	n = read_corpus(path, per, &maxlen);
	CHECK(n == 300, "%zu malformed packets", n);
	for (k = 0; k < corpus_nkinds; k++)
		if (corpus_kinds[k].cls != CORPUS_MALFORMED)
			CHECK(!per[k], "kind %s in --kind malformed", corpus_kinds[k].name);

	CHECK(!run_gen("--count 200 --kind runt", "r.pcap", path, sizeof(path)), "gen r");
	n = read_corpus(path, per, &maxlen);
	CHECK(n == 200 && maxlen == 13, "%zu runts, longest %zu", n, maxlen);
	{
		/* the 0-byte record must survive libpcap both ways */
		char err[PCAP_ERRBUF_SIZE];
		struct pcap_pkthdr *h;
		const u_char *d;
		pcap_t *p = pcap_open_offline(path, err);

		while (p && pcap_next_ex(p, &h, &d) == 1)
			if (h->caplen < small)
				small = h->caplen;
		if (p)
			pcap_close(p);
		CHECK(small == 0, "shortest runt %zu", small);
	}

	CHECK(!run_gen("--count 60 --jumbo --kind jumbo,http-request,dns-query", "j.pcap", path,
		       sizeof(path)), "gen j");
	n = read_corpus(path, per, &maxlen);
	CHECK(n == 60 && maxlen == 9000, "%zu packets, longest %zu", n, maxlen);

	CHECK(run_gen("--kind no-such-kind", "x.pcap", path, sizeof(path)), "bad kind accepted");

	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("tools.corpus: ok\n");
	return 0;
}
