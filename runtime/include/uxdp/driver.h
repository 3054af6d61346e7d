/* SPDX-License-Identifier: MIT */
/*
 * driver.h - the offline pcap driver.
 *
 * Like every driver it only moves frames; the datapath (uxdp/datapath.h)
 * runs the program and says where each frame goes.  A frame is laid out as
 * the kernel's XDP test_run lays it out (see uxdp/worker.h): UXDP_HEADROOM
 * bytes of headroom, the packet, then tailroom, in a UXDP_FRAME_SIZE-byte
 * frame (bigger if a packet needs it).
 */
#ifndef UXDP_DRIVER_H
#define UXDP_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include <uxdp/opts.h>
#include <uxdp/datapath.h>
#include <uxdp/verdict.h>

#define UXDP_FRAME_SIZE 4096

/* What the pcap driver found in its input besides packets (see uxdp_pcap_run). */
struct uxdp_pcap_report {
	/* Frames of the capture shorter than an Ethernet header (14 bytes): never
	 * run, as the kernel's XDP path never gives a program one. */
	uint64_t runts;
	/* Non-empty: the capture ended in a truncated record (libpcap's words);
	 * the complete records before it were run. */
	char truncated[256];
};

/* Grows at its end only: set sz (uxdp/opts.h, UXDP_OPTS()). */
struct uxdp_pcap_opts {
	size_t sz;             /* sizeof(struct uxdp_pcap_opts) (uxdp/opts.h): set by the caller */
	const char *in;        /* pcap file to read (required) */
	const char *out;       /* XDP_TX, and XDP_REDIRECT to a port (ifindex, devmap), or NULL */
	const char *pass_out;  /* XDP_PASS, and XDP_REDIRECT to a cpumap, or NULL */
	uint64_t repeat;       /* times to run the whole capture; 0 means 1 */
	struct uxdp_pcap_report *report; /* filled when not NULL */
};

/*
 * Run the program of dp's port 0 over every packet of o->in, in order,
 * o->repeat times, in batches of UXDP_DP_BATCH, until the end or
 * uxdp_dp_stop().  dp has one worker (the calling thread, with a fixed PRNG
 * seed) and one port (whose ifindex the program sees); create it with
 * redirect_any_ifindex, so that every port redirect goes to o->out.  This
 * starts and finishes dp (uxdp_dp_start(), uxdp_dp_finish()); the counters
 * are dp's.  Outputs get each packet as the program left it
 * (data..data_end) with its original timestamp, for every run: o->out what
 * the datapath sends (XDP_TX, redirects to a port), o->pass_out what it
 * passes (XDP_PASS, redirects to a cpumap).  Redirects to an xskmap slot go
 * to the slot's ring with the packet's timestamp.
 *
 * The capture must be Ethernet (DLT_EN10MB): another link type is refused
 * (-EPROTONOSUPPORT), since XDP programs parse Ethernet frames.  A frame
 * shorter than an Ethernet header is never given to the program (a NIC
 * discards such runts, veth and tun refuse to send them, and the kernel's
 * test_run refuses them): it is counted in o->report->runts and written
 * nowhere.  A capture whose last record is cut short runs its complete
 * records and returns 0 with the libpcap message in o->report->truncated,
 * for the caller to warn about (pcap_input.h reads the records).
 */
int uxdp_pcap_run(struct uxdp_dp *dp, const struct uxdp_pcap_opts *o, char *err,
		  size_t err_size);

#endif /* UXDP_DRIVER_H */
