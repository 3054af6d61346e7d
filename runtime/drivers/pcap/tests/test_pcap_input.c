// SPDX-License-Identifier: MIT
/*
 * test_pcap_input.c - reading captures that are not clean Ethernet ones
 * (pcap_input.c, what the pcap driver and uxdp-difftest read with): other
 * link types refused with one clear message, runts (0..13 bytes) delivered as
 * records for the caller to drop (the driver's dropping and counting them is
 * runtime.pcap.handbuilt's), a capture cut inside its last record (header or
 * data) read up to it with a warning, and a corrupt record an error.
 *
 * usage: test_pcap_input WORKDIR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_input.h"

#define LINKTYPE_ETHERNET 1
#define LINKTYPE_RAW 101
#define LINKTYPE_LINUX_SLL 113

static int failures;

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, \
				__func__, #cond);                                          \
			failures++;                                                        \
		}                                                                          \
	} while (0)

struct rec {
	uint32_t caplen;
	uint32_t cut; /* write only this many bytes of header + data (0: all) */
};

/* A classic pcap file: the global header, then each record's header and bytes. */
static void write_pcap(const char *path, uint32_t linktype, const struct rec *r, size_t n)
{
	uint32_t gh[6] = { 0xa1b2c3d4, 2 | (4u << 16), 0, 0, 65535, linktype };
	uint8_t buf[16 + 2048];
	FILE *f = fopen(path, "wb");
	size_t i;

	if (!f) {
		perror(path);
		exit(1);
	}
	fwrite(gh, sizeof(gh), 1, f);
	for (i = 0; i < n; i++) {
		uint32_t h[4] = { 1000 + (uint32_t)i, 0, r[i].caplen, r[i].caplen };
		size_t total = 16 + r[i].caplen;

		memcpy(buf, h, sizeof(h));
		memset(buf + 16, 0xab, r[i].caplen < 2048 ? r[i].caplen : 0);
		if (r[i].caplen >= 14) {
			buf[16 + 12] = 0x08; /* an IPv4 EtherType, for the look of it */
			buf[16 + 13] = 0x00;
		}
		if (r[i].cut)
			total = r[i].cut;
		if (total > sizeof(buf))
			total = 16; /* a corrupt caplen: the header alone */
		fwrite(buf, total, 1, f);
	}
	fclose(f);
}

/* Read path to its end: the records' lengths in lens, the last status returned. */
static int read_file(const char *path, uint32_t *lens, size_t *n, char *err, size_t err_size)
{
	struct uxdp_pcap_record rec;
	struct uxdp_pcap_in *in;
	int r;

	*n = 0;
	err[0] = '\0';
	r = uxdp_pcap_in_open(path, &in, err, err_size);
	if (r)
		return r;
	while ((r = uxdp_pcap_in_next(in, &rec, err, err_size)) == 1)
		lens[(*n)++] = rec.caplen;
	uxdp_pcap_in_close(in);
	return r;
}

static void test_link_types(const char *dir)
{
	static const struct {
		uint32_t linktype;
		const char *name;
	} cases[] = { { LINKTYPE_RAW, "RAW" }, { LINKTYPE_LINUX_SLL, "LINUX_SLL" } };
	struct rec r[] = { { 60, 0 }, { 60, 0 } };
	char path[512], err[512];
	uint32_t lens[16];
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret;

		snprintf(path, sizeof(path), "%s/link_%s.pcap", dir, cases[i].name);
		write_pcap(path, cases[i].linktype, r, 2);
		ret = read_file(path, lens, &n, err, sizeof(err));
		printf("link type %s: %d: %s\n", cases[i].name, ret, err);
		CHECK(ret == -EPROTONOSUPPORT);
		CHECK(strstr(err, "is not Ethernet") != NULL);
		CHECK(strstr(err, cases[i].name) != NULL);
		CHECK(strstr(err, path) != NULL);
		CHECK(!strchr(err, '\n'));
		CHECK(n == 0);
	}
}

static void test_runts(const char *dir)
{
	struct rec r[] = { { 0, 0 }, { 1, 0 }, { 13, 0 }, { 14, 0 }, { 60, 0 }, { 7, 0 } };
	char path[512], err[512];
	uint32_t lens[16];
	size_t n;
	int ret;

	snprintf(path, sizeof(path), "%s/runts.pcap", dir);
	write_pcap(path, LINKTYPE_ETHERNET, r, sizeof(r) / sizeof(r[0]));
	ret = read_file(path, lens, &n, err, sizeof(err));
	printf("runts: %d, %zu records\n", ret, n);
	CHECK(ret == 0);
	CHECK(n == 6);
	CHECK(n == 6 && lens[0] == 0 && lens[2] == 13 && lens[3] == 14 && lens[5] == 7);
}

static void test_truncated(const char *dir)
{
	/* Cut inside the last record's data, then inside its header. */
	struct rec data_cut[] = { { 60, 0 }, { 60, 0 }, { 60, 0 }, { 100, 16 + 40 } };
	struct rec hdr_cut[] = { { 60, 0 }, { 60, 0 }, { 60, 9 } };
	char path[512], err[512];
	uint32_t lens[16];
	size_t n;
	int ret;

	snprintf(path, sizeof(path), "%s/cut_data.pcap", dir);
	write_pcap(path, LINKTYPE_ETHERNET, data_cut, 4);
	ret = read_file(path, lens, &n, err, sizeof(err));
	printf("cut in data: %d, %zu records, warning: %s\n", ret, n, err);
	CHECK(ret == 2);
	CHECK(n == 3);
	CHECK(strstr(err, "cut short") != NULL);
	CHECK(strstr(err, "3 complete records") != NULL);

	snprintf(path, sizeof(path), "%s/cut_header.pcap", dir);
	write_pcap(path, LINKTYPE_ETHERNET, hdr_cut, 3);
	ret = read_file(path, lens, &n, err, sizeof(err));
	printf("cut in header: %d, %zu records, warning: %s\n", ret, n, err);
	CHECK(ret == 2);
	CHECK(n == 2);
	CHECK(strstr(err, "2 complete records") != NULL);
}

static void test_corrupt(const char *dir)
{
	/* A caplen far beyond any snapshot length is corruption, not a cut. */
	struct rec r[] = { { 60, 0 }, { 0x7fffffff, 0 }, { 60, 0 } };
	char path[512], err[512];
	uint32_t lens[16];
	size_t n;
	int ret;

	snprintf(path, sizeof(path), "%s/corrupt.pcap", dir);
	write_pcap(path, LINKTYPE_ETHERNET, r, 3);
	ret = read_file(path, lens, &n, err, sizeof(err));
	printf("corrupt: %d: %s\n", ret, err);
	CHECK(ret == -EIO);
	CHECK(strstr(err, "after record 1") != NULL);
	CHECK(n == 1);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_pcap_input WORKDIR\n");
		return 2;
	}
	test_link_types(argv[1]);
	test_runts(argv[1]);
	test_truncated(argv[1]);
	test_corrupt(argv[1]);
	if (failures) {
		fprintf(stderr, "%d checks failed\n", failures);
		return 1;
	}
	printf("ok\n");
	return 0;
}
