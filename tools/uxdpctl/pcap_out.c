// SPDX-License-Identifier: MIT
/*
 * pcap_out.c - frames into a pcap file with libpcap (pcap_out.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "pcap_out.h"

#define PCAP_OUT_SNAPLEN 262144

struct pcap_out {
	pcap_t *dead; /* a pcap handle with no device: the file's link type and snaplen */
	pcap_dumper_t *dumper;
	char path[256];
};

int pcap_out_open(const char *path, struct pcap_out **out, char *err, size_t err_size)
{
	struct pcap_out *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p || !(p->dead = pcap_open_dead(DLT_EN10MB, PCAP_OUT_SNAPLEN))) {
		snprintf(err, err_size, "%s: out of memory", path);
		free(p);
		return -ENOMEM;
	}
	p->dumper = pcap_dump_open(p->dead, path);
	if (!p->dumper) {
		/* libpcap's message names the file and the reason */
		snprintf(err, err_size, "%s", pcap_geterr(p->dead));
		pcap_close(p->dead);
		free(p);
		return -EIO;
	}
	snprintf(p->path, sizeof(p->path), "%s", path);
	*out = p;
	return 0;
}

void pcap_out_frame(struct pcap_out *p, const void *data, uint32_t len, uint64_t ts_ns)
{
	struct pcap_pkthdr h = {
		.ts = { .tv_sec = (time_t)(ts_ns / 1000000000u),
			.tv_usec = (suseconds_t)(ts_ns % 1000000000u / 1000u) },
		.caplen = len < PCAP_OUT_SNAPLEN ? len : PCAP_OUT_SNAPLEN,
		.len = len,
	};

	pcap_dump((u_char *)p->dumper, &h, data);
}

int pcap_out_close(struct pcap_out *p, char *err, size_t err_size)
{
	int ret = 0;

	if (!p)
		return 0;
	if (pcap_dump_flush(p->dumper) || ferror(pcap_dump_file(p->dumper))) {
		snprintf(err, err_size, "%s: write error", p->path);
		ret = -EIO;
	}
	pcap_dump_close(p->dumper);
	pcap_close(p->dead);
	free(p);
	return ret;
}
