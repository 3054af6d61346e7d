// SPDX-License-Identifier: MIT
/*
 * pcap_driver.c - offline driver: packets from a pcap file, verdicts to
 * counters and output pcap files.  Deterministic: the frame is cleared for
 * every packet, so what a program sees in headroom or tailroom (after
 * adjust_head/tail) does not depend on earlier packets.
 */
#include <errno.h>
#include <stdbool.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uxdp/driver.h>
#include <uxdp/map.h>
#include <uxdp/worker.h>
#include <uxdp/xsk_ring.h>

/* Any constant will do: replays must draw the same "random" numbers. */
#define PCAP_PRNG_SEED 0x75786470

static const char *const verdict_names[UXDP_N_VERDICTS] = {
	"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT",
};

const char *uxdp_verdict_name(unsigned int v)
{
	return v < UXDP_N_VERDICTS ? verdict_names[v] : "?";
}

enum uxdp_verdict uxdp_verdict_of(uint64_t r0)
{
	uint32_t act = (uint32_t)r0;

	return act < UXDP_N_VERDICTS ? (enum uxdp_verdict)act : UXDP_ABORTED;
}

void uxdp_stats_print(FILE *f, const struct uxdp_stats *s, double seconds)
{
	uint64_t tp = 0, tb = 0;
	unsigned int v;

	fprintf(f, "%-14s %14s %16s%s\n", "verdict", "packets", "bytes",
		seconds > 0 ? "        pkts/s" : "");
	for (v = 0; v <= UXDP_N_VERDICTS; v++) {
		uint64_t p = v < UXDP_N_VERDICTS ? s->packets[v] : tp;
		uint64_t b = v < UXDP_N_VERDICTS ? s->bytes[v] : tb;

		fprintf(f, "%-14s %14llu %16llu", v < UXDP_N_VERDICTS ? verdict_names[v] : "total",
			(unsigned long long)p, (unsigned long long)b);
		if (seconds > 0)
			fprintf(f, " %14.0f", p / seconds);
		fputc('\n', f);
		tp += p;
		tb += b;
	}
	fflush(f);
}

struct pkt {
	struct pcap_pkthdr hdr;
	uint8_t *data;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fail(char *err, size_t err_size, int ret, const char *what, const char *detail)
{
	if (err && err_size)
		snprintf(err, err_size, "%s: %s", what, detail);
	return ret;
}

/* Read the whole capture, so --repeat runs do not measure file I/O. */
static int read_all(pcap_t *p, struct pkt **out, size_t *n, size_t *max_len)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	struct pkt *v = NULL;
	size_t cap = 0;
	int r;

	*n = *max_len = 0;
	while ((r = pcap_next_ex(p, &hdr, &data)) == 1) {
		if (*n == cap) {
			struct pkt *g = realloc(v, (cap ? cap * 2 : 256) * sizeof(*v));

			if (!g)
				goto oom;
			v = g;
			cap = cap ? cap * 2 : 256;
		}
		v[*n].hdr = *hdr;
		/* A truncated capture: the program sees what was captured. */
		v[*n].hdr.len = hdr->caplen;
		v[*n].data = malloc(hdr->caplen ? hdr->caplen : 1);
		if (!v[*n].data)
			goto oom;
		memcpy(v[*n].data, data, hdr->caplen);
		if (hdr->caplen > *max_len)
			*max_len = hdr->caplen;
		(*n)++;
	}
	*out = v;
	return r == PCAP_ERROR ? -EIO : 0;
oom:
	*out = v;
	return -ENOMEM;
}

static int open_dump(pcap_t *in, const char *path, pcap_t **dead, pcap_dumper_t **d, char *err,
		     size_t err_size)
{
	if (!path)
		return 0;
	*dead = pcap_open_dead(pcap_datalink(in), 262144);
	if (!*dead)
		return fail(err, err_size, -ENOMEM, path, "cannot create pcap writer");
	*d = pcap_dump_open(*dead, path);
	if (!*d)
		return fail(err, err_size, -EIO, path, pcap_geterr(*dead));
	return 0;
}

int uxdp_pcap_run(uxdp_prog_fn fn, const struct uxdp_pcap_opts *o, struct uxdp_stats *stats,
		  char *err, size_t err_size)
{
	char perr[PCAP_ERRBUF_SIZE];
	pcap_t *in, *dead_out = NULL, *dead_pass = NULL;
	pcap_dumper_t *out = NULL, *pass = NULL;
	struct pkt *pkts = NULL;
	size_t n = 0, max_len, i, frame_size;
	uint64_t run, repeat = o->repeat ? o->repeat : 1, count = 0;
	double start = now(), last = start;
	uint8_t *frame = NULL;
	struct uxdp_worker w;
	struct uxdp_xsk_cache xsk = { 0 };
	int ret;

	uxdp_worker_init(&w, 0);
	uxdp_worker_seed(&w, PCAP_PRNG_SEED);
	uxdp_worker_set_current(&w);
	uxdp_this_cpu = 0;
	in = pcap_open_offline(o->in, perr);
	if (!in)
		return fail(err, err_size, -ENOENT, o->in, perr);
	ret = read_all(in, &pkts, &n, &max_len);
	if (ret) {
		fail(err, err_size, ret, o->in, ret == -EIO ? pcap_geterr(in) : "out of memory");
		goto out;
	}
	ret = open_dump(in, o->out, &dead_out, &out, err, err_size);
	if (!ret)
		ret = open_dump(in, o->pass_out, &dead_pass, &pass, err, err_size);
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

	for (run = 0; run < repeat; run++) {
		for (i = 0; i < n; i++) {
			struct pkt *p = &pkts[i];
			struct uxdp_ctx ctx = {
				.data_hard_start = frame,
				.data = frame + UXDP_HEADROOM,
				.data_meta = frame + UXDP_HEADROOM,
				.data_end = frame + UXDP_HEADROOM + p->hdr.caplen,
				.frame_end = frame + frame_size,
				.ingress_ifindex = o->ifindex,
				.rx_queue_index = o->queue,
				.worker = &w,
			};
			bool sent, passed;
			enum uxdp_verdict v;
			enum uxdp_redirect_dest dest = UXDP_DEST_NONE;
			struct pcap_pkthdr h;

			memset(frame, 0, frame_size);
			memcpy(ctx.data, p->data, p->hdr.caplen);
			v = uxdp_verdict_of(fn(&ctx));
			stats->packets[v]++;
			stats->bytes[v] += p->hdr.caplen;

			h = p->hdr;
			h.caplen = h.len = ctx.data_end > ctx.data ? ctx.data_end - ctx.data : 0;
			if (v == UXDP_REDIRECT)
				dest = uxdp_redirect_dest(&w.redirect);
			/* An xskmap slot's consumer gets the frame (a failure drops it, counted
			 * at the ring); a cpumap hands it to the stack, as XDP_PASS would. */
			if (dest == UXDP_DEST_XSK)
				uxdp_xsk_deliver(&xsk, &w.redirect, ctx.data, h.caplen,
						 (uint64_t)h.ts.tv_sec * 1000000000u +
							 (uint64_t)h.ts.tv_usec * 1000u);
			uxdp_redirect_clear(&w.redirect);
			sent = v == UXDP_TX || dest == UXDP_DEST_DEV;
			passed = v == UXDP_PASS || dest == UXDP_DEST_CPU;
			if (sent && out)
				pcap_dump((u_char *)out, &h, ctx.data);
			else if (passed && pass)
				pcap_dump((u_char *)pass, &h, ctx.data);

			if (o->stop && *o->stop)
				goto stopped;
			if (o->tick && (++count & 1023) == 0) {
				double t = now();

				if (t - last >= 1.0) {
					o->tick(stats, t - start, o->tick_arg);
					last = t;
				}
			}
		}
	}
stopped:
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
	uxdp_xsk_cache_close(&xsk);
	pcap_close(in);
	uxdp_worker_set_current(NULL);
	return ret;
}
