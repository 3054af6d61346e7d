// SPDX-License-Identifier: MIT
/*
 * mkpcap.c - write the small capture uxdp-difftest's self-tests replay:
 * IPv4/UDP, IPv6/UDP, ARP, VLAN, an unknown EtherType, and one frame
 * shorter than an Ethernet header (which the kernel's test_run refuses, so
 * the tool must skip it on both sides).
 *
 * usage: mkpcap OUT.pcap [self|runts|rawip]
 *   self  (default) the capture above
 *   runts frames of 0..13 bytes only: nothing can be compared
 *   rawip the same frames under link type RAW (raw IP), which is refused
 */
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void put(pcap_dumper_t *d, const unsigned char *p, unsigned int len, unsigned int i)
{
	struct pcap_pkthdr h = { .ts = { .tv_sec = 1700000000 + i }, .caplen = len, .len = len };

	pcap_dump((unsigned char *)d, &h, p);
}

static unsigned int frame(unsigned char *p, unsigned int ethertype, unsigned int len,
			  unsigned int seed)
{
	static const unsigned char dst[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
	unsigned int i;

	memcpy(p, dst, 6);
	for (i = 6; i < 12; i++)
		p[i] = (unsigned char)(0xa0 + i + seed);
	p[12] = (unsigned char)(ethertype >> 8);
	p[13] = (unsigned char)ethertype;
	/* A payload that differs per packet, so swapped or marked bytes show. */
	for (i = 14; i < len; i++)
		p[i] = (unsigned char)(i * 7 + seed);
	return len;
}

int main(int argc, char **argv)
{
	static const struct {
		unsigned int ethertype, len;
	} pkts[] = {
		{ 0x0800, 64 }, { 0x86dd, 80 }, { 0x0806, 42 }, { 0x0800, 128 },
		{ 0x8100, 68 }, { 0x88b5, 60 }, { 0x86dd, 1514 }, { 0x0800, 10 },
		{ 0x0800, 60 },
	};
	unsigned char buf[2048];
	pcap_dumper_t *d;
	pcap_t *dead;
	const char *mode = argc == 3 ? argv[2] : "self";
	bool runts = !strcmp(mode, "runts");
	unsigned int i;

	if (argc < 2 || argc > 3 || (!runts && strcmp(mode, "self") && strcmp(mode, "rawip"))) {
		fprintf(stderr, "usage: mkpcap OUT.pcap [self|runts|rawip]\n");
		return 2;
	}
	dead = pcap_open_dead(strcmp(mode, "rawip") ? DLT_EN10MB : DLT_RAW, 65535);
	d = dead ? pcap_dump_open(dead, argv[1]) : NULL;
	if (!d) {
		fprintf(stderr, "mkpcap: %s: %s\n", argv[1],
			dead ? pcap_geterr(dead) : "no memory");
		return 1;
	}
	if (runts) {
		for (i = 0; i < 14; i++)
			put(d, buf, frame(buf, 0x0800, 14, i) - 14 + i, i);
	} else {
		for (i = 0; i < sizeof(pkts) / sizeof(pkts[0]); i++)
			put(d, buf, frame(buf, pkts[i].ethertype, pkts[i].len, i), i);
	}
	pcap_dump_close(d);
	pcap_close(dead);
	return 0;
}
