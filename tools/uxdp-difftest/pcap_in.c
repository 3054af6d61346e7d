// SPDX-License-Identifier: MIT
/*
 * pcap_in.c - packets from a capture, one at a time.  A truncated capture
 * gives what was captured (caplen), as the pcap driver does.
 */
#include <pcap/pcap.h>
#include <stdlib.h>

#include "difftest.h"

struct pcap_in {
	pcap_t *p;
};

struct pcap_in *pcap_in_open(const char *path, char *err, size_t err_size)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct pcap_in *in = calloc(1, sizeof(*in));

	if (!in) {
		snprintf(err, err_size, "%s: out of memory", path);
		return NULL;
	}
	in->p = pcap_open_offline(path, perr);
	if (!in->p) {
		snprintf(err, err_size, "%s: %s", path, perr);
		free(in);
		return NULL;
	}
	return in;
}

int pcap_in_next(struct pcap_in *in, const uint8_t **data, size_t *len)
{
	struct pcap_pkthdr *hdr;
	const u_char *d;
	int r = pcap_next_ex(in->p, &hdr, &d);

	if (r == PCAP_ERROR_BREAK)
		return 0;
	if (r != 1)
		return -1;
	*data = d;
	*len = hdr->caplen;
	return 1;
}

const char *pcap_in_error(struct pcap_in *in)
{
	return pcap_geterr(in->p);
}

void pcap_in_close(struct pcap_in *in)
{
	if (!in)
		return;
	pcap_close(in->p);
	free(in);
}
