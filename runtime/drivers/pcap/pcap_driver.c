// SPDX-License-Identifier: MIT
/*
 * pcap_driver.c - offline driver: packets from a pcap file through the
 * datapath, and what it sends or passes into output pcap files.
 * Deterministic: the frame is cleared for every packet, so what a program
 * sees in headroom or tailroom (after adjust_head/tail) does not depend on
 * earlier packets.
 */
#include <errno.h>
#include <stdbool.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uxdp/datapath.h>
#include <uxdp/driver.h>
#include <uxdp/opts_import.h>

#include "pcap_input.h"

/* Any constant will do: replays must draw the same "random" numbers. */
#define PCAP_PRNG_SEED 0x75786470

struct pkt {
	struct pcap_pkthdr hdr;
	uint8_t *data;
};

static int fail(char *err, size_t err_size, int ret, const char *what, const char *detail)
{
	if (err && err_size)
		snprintf(err, err_size, "%s: %s", what, detail);
	return ret;
}

/*
 * Read the whole capture, so --repeat runs do not measure file I/O.  A cut
 * last record leaves the complete ones and its message in o->report.
 */
static int read_all(const struct uxdp_pcap_opts *o, struct pkt **out, size_t *n,
		    size_t *max_len, char *err, size_t err_size)
{
	struct uxdp_pcap_record rec;
	struct uxdp_pcap_in *in;
	struct pkt *v = NULL;
	size_t cap = 0;
	int r;

	*out = NULL;
	*n = *max_len = 0;
	r = uxdp_pcap_in_open(o->in, &in, err, err_size);
	if (r)
		return r;
	while ((r = uxdp_pcap_in_next(in, &rec, err, err_size)) == 1) {
		/* No NIC, veth or tun delivers a runt, and test_run refuses one. */
		if (rec.caplen < UXDP_ETH_HLEN) {
			if (o->report)
				o->report->runts++;
			continue;
		}
		if (*n == cap) {
			struct pkt *g = realloc(v, (cap ? cap * 2 : 256) * sizeof(*v));

			if (!g)
				goto oom;
			v = g;
			cap = cap ? cap * 2 : 256;
		}
		v[*n].hdr.ts = rec.ts;
		/* A truncated capture: the program sees what was captured. */
		v[*n].hdr.caplen = v[*n].hdr.len = rec.caplen;
		v[*n].data = malloc(rec.caplen ? rec.caplen : 1);
		if (!v[*n].data)
			goto oom;
		memcpy(v[*n].data, rec.data, rec.caplen);
		if (rec.caplen > *max_len)
			*max_len = rec.caplen;
		(*n)++;
	}
	if (r == 2 && o->report)
		snprintf(o->report->truncated, sizeof(o->report->truncated), "%s", err);
	*out = v;
	uxdp_pcap_in_close(in);
	return r < 0 ? r : 0;
oom:
	*out = v;
	uxdp_pcap_in_close(in);
	return fail(err, err_size, -ENOMEM, o->in, "out of memory");
}

static int open_dump(const char *path, pcap_t **dead, pcap_dumper_t **d, char *err,
		     size_t err_size)
{
	if (!path)
		return 0;
	*dead = pcap_open_dead(DLT_EN10MB, 262144);
	if (!*dead)
		return fail(err, err_size, -ENOMEM, path, "cannot create pcap writer");
	*d = pcap_dump_open(*dead, path);
	if (!*d)
		return fail(err, err_size, -EIO, path, pcap_geterr(*dead));
	return 0;
}

/* Write one frame as the program left it, with the packet's timestamp. */
static void dump(pcap_dumper_t *d, const struct pcap_pkthdr *orig, const uint8_t *data,
		 uint32_t len)
{
	struct pcap_pkthdr h = *orig;

	h.caplen = h.len = len;
	pcap_dump((u_char *)d, &h, data);
}

/* One batch of packets [first, end) through the datapath. */
static void run_batch(struct uxdp_dp_worker *w, const struct pkt *pkts, size_t first, size_t end,
		      uint8_t *frame, size_t frame_size, pcap_dumper_t *out, pcap_dumper_t *pass)
{
	size_t i;

	uxdp_dp_batch_begin(w, 0);
	for (i = first; i < end; i++) {
		const struct pkt *p = &pkts[i];
		enum uxdp_dp_action act;

		memset(frame, 0, frame_size);
		memcpy(frame + UXDP_HEADROOM, p->data, p->hdr.caplen);
		w->rx_ts_ns = (uint64_t)p->hdr.ts.tv_sec * 1000000000u +
			      (uint64_t)p->hdr.ts.tv_usec * 1000u;
		act = uxdp_dp_run(w, frame, frame + UXDP_HEADROOM, p->hdr.caplen,
				  frame + frame_size);
		if (act == UXDP_DP_TX && out)
			dump(out, &p->hdr, uxdp_dp_data(w), uxdp_dp_len(w));
		else if (act == UXDP_DP_PASS && pass)
			dump(pass, &p->hdr, uxdp_dp_data(w), uxdp_dp_len(w));
	}
	uxdp_dp_batch_end(w);
}

int uxdp_pcap_run(struct uxdp_dp *dp, const struct uxdp_pcap_opts *user_opts, char *err,
		  size_t err_size)
{
	struct uxdp_pcap_opts opts, *o = &opts;
	pcap_t *dead_out = NULL, *dead_pass = NULL;
	pcap_dumper_t *out = NULL, *pass = NULL;
	struct pkt *pkts = NULL;
	size_t n = 0, max_len, i, end, frame_size;
	uint64_t run, repeat;
	uint8_t *frame = NULL;
	struct uxdp_dp_worker *w;
	int ret;

	/* First, so that a caller's struct of another version never reaches the data plane. */
	ret = UXDP_OPTS_IMPORT(&opts, user_opts);
	if (ret)
		return fail(err, err_size, ret, "struct uxdp_pcap_opts",
			    ret == -E2BIG ? "fields this libuxdp does not know are set (built "
					    "with a newer uxdp/driver.h)" : "sz not set (uxdp/opts.h)");
	repeat = o->repeat ? o->repeat : 1;
	w = uxdp_dp_worker(dp, 0);
	if (!w || uxdp_dp_ports(dp) != 1)
		return fail(err, err_size, -EINVAL, o->in, "the pcap driver needs one worker and one port");
	if (o->report)
		memset(o->report, 0, sizeof(*o->report));
	ret = read_all(o, &pkts, &n, &max_len, err, err_size);
	if (ret)
		goto out;
	ret = open_dump(o->out, &dead_out, &out, err, err_size);
	if (!ret)
		ret = open_dump(o->pass_out, &dead_pass, &pass, err, err_size);
	if (ret)
		goto out;
	/* Like test_run: one page per frame; bigger packets get a bigger frame. */
	frame_size = UXDP_FRAME_SIZE;
	if (max_len + UXDP_HEADROOM + UXDP_XDP_TAILROOM > frame_size)
		frame_size = max_len + UXDP_HEADROOM + UXDP_XDP_TAILROOM;
	frame = aligned_alloc(64, (frame_size + 63) & ~(size_t)63);
	if (!frame) {
		ret = fail(err, err_size, -ENOMEM, o->in, "out of memory for the frame");
		goto out;
	}
	ret = uxdp_dp_start(dp);
	if (ret) {
		fail(err, err_size, ret, o->in, "cannot start the datapath's control thread");
		goto out;
	}
	/* Replays draw the same "random" numbers. */
	uxdp_worker_seed(&w->uw, PCAP_PRNG_SEED);
	uxdp_dp_worker_enter(w);
	for (run = 0; run < repeat && !uxdp_dp_stopping(w); run++) {
		for (i = 0; i < n && !uxdp_dp_stopping(w); i = end) {
			end = n - i > UXDP_DP_BATCH ? i + UXDP_DP_BATCH : n;
			run_batch(w, pkts, i, end, frame, frame_size, out, pass);
		}
	}
	uxdp_dp_worker_leave(w);
	uxdp_dp_finish(dp);
	ret = 0;
	if (out && (pcap_dump_flush(out) || ferror(pcap_dump_file(out))))
		ret = fail(err, err_size, -EIO, o->out, "write error");
	if (pass && (pcap_dump_flush(pass) || ferror(pcap_dump_file(pass))))
		ret = fail(err, err_size, -EIO, o->pass_out, "write error");
out:
	if (out)
		pcap_dump_close(out);
	if (pass)
		pcap_dump_close(pass);
	if (dead_out)
		pcap_close(dead_out);
	if (dead_pass)
		pcap_close(dead_pass);
	for (i = 0; i < n; i++)
		free(pkts[i].data);
	free(pkts);
	free(frame);
	return ret;
}
