// SPDX-License-Identifier: MIT
/*
 * verdict.c - what a program's return value means, and what becomes of the
 * frame: the only place where verdicts are mapped to actions and counted.
 */
#include <uxdp/datapath.h>
#include <uxdp/verdict.h>

#include "datapath_internal.h"

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

/*
 * v (per second) with an SI prefix: "14.48 M", "512.3 k"; below 1000 a
 * whole number, and 0 as "0", so that idle verdicts stay short.
 */
static const char *si_rate(char *buf, size_t n, double v, int decimals, const char *sep,
			   const char *unit)
{
	static const char prefix[] = "kMGT";
	int i = -1;

	while (v >= 999.5 && i < 3) {
		v /= 1000;
		i++;
	}
	if (i < 0)
		snprintf(buf, n, "%.0f%s%s", v, sep, unit);
	else
		snprintf(buf, n, "%.*f%s%c%s", decimals, v, sep, prefix[i], unit);
	return buf;
}

void uxdp_stats_print_rate(FILE *f, double seconds, const struct uxdp_stats *d, double dt)
{
	/* the order of the example: what a program mostly returns first */
	static const enum uxdp_verdict order[] = {
		UXDP_DROP, UXDP_PASS, UXDP_TX, UXDP_REDIRECT, UXDP_ABORTED,
	};
	static const char *const label[UXDP_N_VERDICTS] = {
		"aborted", "drop", "pass", "tx", "redirect",
	};
	uint64_t tp = 0, tb = 0;
	char pps[32], bps[32], r[32];
	unsigned int v;

	if (dt <= 0)
		return;
	for (v = 0; v < UXDP_N_VERDICTS; v++) {
		tp += d->packets[v];
		tb += d->bytes[v];
	}
	si_rate(pps, sizeof(pps), tp / dt, 2, " ", "pps");
	si_rate(bps, sizeof(bps), tb * 8.0 / dt, 1, " ", "b/s");
	fprintf(f, "%6.1f s  %10s  %10s ", seconds, pps, bps);
	for (v = 0; v < UXDP_N_VERDICTS; v++) {
		double rate = d->packets[order[v]] / dt;

		fprintf(f, " %s %s", label[order[v]],
			rate > 0 ? si_rate(r, sizeof(r), rate, 2, "", "/s") : "0");
	}
	fputc('\n', f);
	fflush(f);
}

/*
 * Every verdict but the XDP_DROP of uxdp_dp_run()'s straight line.  len is
 * the frame's length as received (the counters' bytes).  XDP_ABORTED and
 * unknown actions drop the frame, as the kernel's trace_xdp_exception path.
 */
enum uxdp_dp_action uxdp_dp_act(struct uxdp_dp_worker *w, uint32_t act, uint32_t len)
{
	enum uxdp_verdict v = uxdp_verdict_of(act);

	w->cnt.v.packets[v]++;
	w->cnt.v.bytes[v] += len;
	switch (v) {
	case UXDP_TX:
		w->out_port = w->port;
		return UXDP_DP_TX;
	case UXDP_PASS:
		return UXDP_DP_PASS;
	case UXDP_REDIRECT:
		return uxdp_dp_redirect(w, uxdp_dp_len(w));
	default:
		return UXDP_DP_RECYCLE;
	}
}
