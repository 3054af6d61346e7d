// SPDX-License-Identifier: MIT
/*
 * uxdp-corpus - write a deterministic pcap of valid and malformed packets.
 *
 * Packet i is kind sel[i % nsel] (the selected kinds, in table order), built
 * from a random stream seeded by (seed, i) alone, so a packet's bytes do not
 * depend on the packets before it. Each record's timestamp says where it came
 * from: ts_sec = UXDP_CORPUS_EPOCH + i, ts_usec = the kind's index in
 * `--list-kinds`, which lets a test that finds a difference name its kind.
 */
#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uxdp/version.h>

#include "corpus.h"

#define UXDP_CORPUS_EPOCH 1000000000L

static void usage(FILE *f)
{
	fprintf(f,
		"usage: uxdp-corpus [options] -o out.pcap\n"
		"  -n, --count N        packets to write (default 1000)\n"
		"  -s, --seed S         random seed (default 1); same seed, same bytes\n"
		"  -k, --kind SPEC      all | valid | malformed | KIND[,KIND...] (default all)\n"
		"  -f, --flows N        spread addresses and ports over N flows (default 16)\n"
		"  -j, --jumbo          add the jumbo kind (frames up to 9000 bytes)\n"
		"  -P, --prefixes       after each packet, every truncation of it from 14 up to\n"
		"                       256 bytes, where headers are (-n counts whole packets)\n"
		"  -i, --input FILE     take the first -n packets of this pcap instead (with -P:\n"
		"                       cut them)\n"
		"  -l, --list-kinds     print the kinds and exit\n"
		"  -o, --output FILE    pcap to write (DLT_EN10MB)\n"
		"  -h, --help           this help\n"
		"  -V, --version        print the version\n"
		"The kernel's XDP BPF_PROG_TEST_RUN refuses frames under %d bytes (EINVAL)\n"
		"and keeps only the first %d bytes linear; the rest go to fragments.\n"
		"\n"
		"Examples:\n"
		"  uxdp-corpus -o in.pcap                    1000 packets of every kind\n"
		"  uxdp-corpus -k valid -n 100 -s 7 -o valid.pcap\n"
		"  uxdp-corpus -k ipv4-tcp,dns-query -P -o cuts.pcap   two kinds, every cut\n"
		"  uxdp-corpus --list-kinds\n"
		"\n"
		"Exit status: 0 success, 1 error, 2 usage error.  See uxdp-corpus(1).\n",
		CORPUS_KERNEL_MIN, CORPUS_KERNEL_MAX);
}

static void list_kinds(void)
{
	static const char *const cls[] = { "valid", "malformed", "jumbo" };
	size_t i;

	for (i = 0; i < corpus_nkinds; i++)
		printf("%2zu %-20s %-9s %s\n", i, corpus_kinds[i].name,
		       cls[corpus_kinds[i].cls], corpus_kinds[i].help);
}

/* Fill @sel with the kind indexes @spec names; returns how many, or -errno. */
static int select_kinds(const char *spec, bool jumbo, int *sel)
{
	char *copy, *tok, *save = NULL;
	int n = 0, k;
	size_t i;

	if (!strcmp(spec, "all") || !strcmp(spec, "valid") || !strcmp(spec, "malformed")) {
		for (i = 0; i < corpus_nkinds; i++) {
			enum corpus_class c = corpus_kinds[i].cls;

			if ((c == CORPUS_VALID && strcmp(spec, "malformed")) ||
			    (c == CORPUS_MALFORMED && strcmp(spec, "valid")) ||
			    (c == CORPUS_JUMBO && jumbo))
				sel[n++] = (int)i;
		}
		return n;
	}
	copy = strdup(spec);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		k = corpus_kind_find(tok);
		if (k < 0) {
			fprintf(stderr, "uxdp-corpus: unknown kind '%s' (see --list-kinds)\n", tok);
			free(copy);
			return k;
		}
		sel[n++] = k;
		if (n == (int)corpus_nkinds)
			break;
	}
	free(copy);
	return n;
}

static int parse_uint(const char *s, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || !*s || *end || s[0] == '-' ? -EINVAL : 0;
}

#define PREFIX_MAX 256

/* One packet, and with prefixes every cut of it the kernel takes: each
 * length a bounds check can see. */
static void write_packet(pcap_dumper_t *d, struct pcap_pkthdr *h, const u_char *b, bool prefixes)
{
	bpf_u_int32 len = h->caplen;

	pcap_dump((u_char *)d, h, b);
	for (bpf_u_int32 cut = CORPUS_KERNEL_MIN; prefixes && cut < len && cut <= PREFIX_MAX; cut++) {
		h->caplen = h->len = cut;
		pcap_dump((u_char *)d, h, b);
	}
}

static int copy_packets(pcap_dumper_t *d, const char *in, unsigned long long count,
			bool prefixes)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *b;
	pcap_t *p = pcap_open_offline(in, err);
	int r = 0;

	if (!p) {
		fprintf(stderr, "uxdp-corpus: %s\n", err);
		return -1;
	}
	while (count-- && (r = pcap_next_ex(p, &h, &b)) == 1) {
		struct pcap_pkthdr copy = *h;

		copy.len = copy.caplen;
		write_packet(d, &copy, b, prefixes);
	}
	if (r == PCAP_ERROR)
		fprintf(stderr, "uxdp-corpus: %s: %s\n", in, pcap_geterr(p));
	pcap_close(p);
	return r == PCAP_ERROR ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "kind", required_argument, NULL, 'k' },
		{ "flows", required_argument, NULL, 'f' },
		{ "jumbo", no_argument, NULL, 'j' },
		{ "prefixes", no_argument, NULL, 'P' },
		{ "input", required_argument, NULL, 'i' },
		{ "list-kinds", no_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	unsigned long long count = 1000, seed = 1, flows = 16, v;
	const char *spec = "all", *out = NULL, *in = NULL;
	static struct corpus_pkt pkt;
	int sel[64], nsel, c;
	pcap_dumper_t *d;
	bool jumbo = false, prefixes = false;
	pcap_t *pd;
	size_t i;

	opterr = 0; /* one line of our own */
	while ((c = getopt_long(argc, argv, ":n:s:k:f:jPi:lo:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
		case 's':
		case 'f':
			if (parse_uint(optarg, &v) || (c == 'f' && (v == 0 || v > 65535))) {
				fprintf(stderr, "uxdp-corpus: bad number '%s'\n", optarg);
				return 2;
			}
			*(c == 'n' ? &count : c == 's' ? &seed : &flows) = v;
			break;
		case 'k':
			spec = optarg;
			break;
		case 'j':
			jumbo = true;
			break;
		case 'P':
			prefixes = true;
			break;
		case 'i':
			in = optarg;
			break;
		case 'l':
			list_kinds();
			return 0;
		case 'o':
			out = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("uxdp-corpus %s\n", UXDP_VERSION);
			return 0;
		case ':':
			fprintf(stderr, "uxdp-corpus: option '%s' needs an argument (-h for help)\n",
				argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "uxdp-corpus: unknown option '%s' (-h for help)\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "uxdp-corpus: unexpected argument '%s' (-h for help)\n",
			argv[optind]);
		return 2;
	}
	if (!out) {
		fprintf(stderr, "uxdp-corpus: no output: pass -o FILE (-h for help)\n");
		return 2;
	}
	nsel = select_kinds(spec, jumbo, sel);
	if (nsel <= 0) {
		if (!nsel)
			fprintf(stderr, "uxdp-corpus: no kinds selected\n");
		return 2;
	}

	pd = pcap_open_dead(DLT_EN10MB, CORPUS_MAX_FRAME);
	if (!pd) {
		fprintf(stderr, "uxdp-corpus: pcap_open_dead failed\n");
		return 1;
	}
	d = pcap_dump_open(pd, out);
	if (!d) {
		fprintf(stderr, "uxdp-corpus: %s: %s\n", out, pcap_geterr(pd));
		pcap_close(pd);
		return 1;
	}
	if (in)
		c = copy_packets(d, in, count, prefixes);
	for (i = 0; !in && i < count; i++) {
		unsigned int k = (unsigned int)sel[i % (size_t)nsel];
		struct corpus_rng r = { seed * 0x2545f4914f6cdd1dull ^ (uint64_t)i << 20 };
		struct pcap_pkthdr h = { 0 };

		corpus_rand(&r);
		corpus_kinds[k].build(&pkt, &r, (unsigned int)(i / (size_t)nsel),
				      (unsigned int)(corpus_rand(&r) % flows));
		h.ts.tv_sec = UXDP_CORPUS_EPOCH + (long)i;
		h.ts.tv_usec = k;
		h.caplen = h.len = (bpf_u_int32)pkt.len;
		write_packet(d, &h, pkt.b, prefixes);
	}
	if (in && c) {
		pcap_dump_close(d);
		pcap_close(pd);
		return 1;
	}
	c = pcap_dump_flush(d);
	pcap_dump_close(d);
	pcap_close(pd);
	if (c) {
		fprintf(stderr, "uxdp-corpus: %s: write failed\n", out);
		return 1;
	}
	return 0;
}
