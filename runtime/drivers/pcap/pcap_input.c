// SPDX-License-Identifier: MIT
/*
 * pcap_input.c - records of a capture, refused when the link type is not
 * Ethernet; a file that ends inside a record is a warning, not an error,
 * since a capture stopped mid-write (a full disk, a killed tcpdump) is
 * common and its complete records are good.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_input.h"

struct uxdp_pcap_in {
	pcap_t *p;
	const char *path;
	uint64_t records;
};

int uxdp_pcap_in_open(const char *path, struct uxdp_pcap_in **out, char *err, size_t err_size)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct uxdp_pcap_in *in;
	int dlt;

	*out = NULL;
	in = calloc(1, sizeof(*in));
	if (!in) {
		snprintf(err, err_size, "%s: out of memory", path);
		return -ENOMEM;
	}
	in->path = path;
	in->p = pcap_open_offline(path, perr);
	if (!in->p) {
		snprintf(err, err_size, "%s: %s", path, perr);
		free(in);
		return -ENOENT;
	}
	dlt = pcap_datalink(in->p);
	if (dlt != DLT_EN10MB) {
		const char *name = pcap_datalink_val_to_name(dlt);
		const char *desc = pcap_datalink_val_to_description(dlt);

		snprintf(err, err_size,
			 "%s: link type %s (%s) is not Ethernet: XDP programs are given Ethernet frames",
			 path, name ? name : "unknown", desc ? desc : "unknown");
		pcap_close(in->p);
		free(in);
		return -EPROTONOSUPPORT;
	}
	*out = in;
	return 0;
}

int uxdp_pcap_in_next(struct uxdp_pcap_in *in, struct uxdp_pcap_record *rec, char *err,
		      size_t err_size)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	const char *why;
	int r;

	r = pcap_next_ex(in->p, &hdr, &data);
	if (r == 1) {
		in->records++;
		rec->data = data;
		rec->caplen = hdr->caplen;
		rec->len = hdr->len;
		rec->ts = hdr->ts;
		return 1;
	}
	if (r == PCAP_ERROR_BREAK)
		return 0;
	why = pcap_geterr(in->p);
	/* libpcap says "truncated dump file; ..." (pcapng: "truncated pcapng dump file"). */
	if (strstr(why, "truncated")) {
		snprintf(err, err_size, "%s: the last record is cut short (%s); the %llu complete "
			 "records before it were used", in->path, why,
			 (unsigned long long)in->records);
		return 2;
	}
	snprintf(err, err_size, "%s: after record %llu: %s", in->path,
		 (unsigned long long)in->records, why);
	return -EIO;
}

void uxdp_pcap_in_close(struct uxdp_pcap_in *in)
{
	if (!in)
		return;
	pcap_close(in->p);
	free(in);
}
