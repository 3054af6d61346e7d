/* SPDX-License-Identifier: MIT */
/*
 * pcap_out.h - frames into a pcap file through libpcap's writer (`xsk read
 * --pcap`): Ethernet, microsecond timestamps, as tcpdump writes them.  Its
 * own file because <pcap/pcap.h> and <linux/bpf.h> both define bpf_insn.
 */
#ifndef UXDPCTL_PCAP_OUT_H
#define UXDPCTL_PCAP_OUT_H

#include <stddef.h>
#include <stdint.h>

struct pcap_out;

/* Create path; 0, or -errno with "path: reason" in err. */
int pcap_out_open(const char *path, struct pcap_out **out, char *err, size_t err_size);
/* One frame of len bytes captured at ts_ns (CLOCK_REALTIME nanoseconds). */
void pcap_out_frame(struct pcap_out *p, const void *data, uint32_t len, uint64_t ts_ns);
/* Flush and close (NULL: nothing); 0, or -EIO with "path: write error" in err. */
int pcap_out_close(struct pcap_out *p, char *err, size_t err_size);

#endif /* UXDPCTL_PCAP_OUT_H */
