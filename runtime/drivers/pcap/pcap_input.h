/* SPDX-License-Identifier: MIT */
/*
 * pcap_input.h - reading a capture as XDP sees it, for the pcap driver and
 * uxdp-difftest: Ethernet only, and a truncated last record told apart from
 * a corrupt file.  pcap.h stays out of this header (it clashes with
 * linux/bpf.h in users that need both).
 *
 * Errors: 0/1/2 or a negative errno, with the reason in err; nothing prints.
 */
#ifndef UXDP_PCAP_INPUT_H
#define UXDP_PCAP_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

/* The shortest frame an XDP program is ever given: an Ethernet header. */
#define UXDP_ETH_HLEN 14

struct uxdp_pcap_in;

struct uxdp_pcap_record {
	const uint8_t *data;   /* valid until the next call */
	uint32_t caplen;       /* bytes captured: what the program sees */
	uint32_t len;          /* bytes on the wire */
	struct timeval ts;
};

/*
 * Open a pcap or pcapng file.  A link type other than Ethernet (raw IP,
 * Linux SLL, ...) is refused with -EPROTONOSUPPORT: XDP programs parse
 * Ethernet frames, and guessing a header would change every verdict.
 */
int uxdp_pcap_in_open(const char *path, struct uxdp_pcap_in **out, char *err, size_t err_size);

/*
 * The next record: 1 with it in *rec, 0 at the end of the file, 2 when the
 * file ends inside a record (a capture cut short: the message is in err and
 * the complete records before it are good), -EIO for a corrupt file.
 */
int uxdp_pcap_in_next(struct uxdp_pcap_in *in, struct uxdp_pcap_record *rec, char *err,
		      size_t err_size);

void uxdp_pcap_in_close(struct uxdp_pcap_in *in);

#endif /* UXDP_PCAP_INPUT_H */
