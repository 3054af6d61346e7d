// SPDX-License-Identifier: MIT
/*
 * report.c - the results as Markdown, JSON and a gnuplot bar chart.
 *
 * Every ratio is between medians of the same run.  "net" is an engine's
 * median minus the median of the same engine running the empty program:
 * what the program itself costs, without the per-run overhead of
 * bpf_prog_test_run (kernel) or of the harness loop (userspace).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"

/* The brief's targets: uxdp -O3 against native and against the kernel. */
#define TARGET_NATIVE 1.15
#define TARGET_KERNEL_GEOMEAN 0.4
#define TARGET_HASH_SUM 0.3
#define HASH_SUM_LABEL "xdp_hash_sum"
/* Below this, a net time is within the noise of the subtraction: no ratio. */
#define NET_FLOOR_NS 0.3

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

bool engine_stats(const struct engine *e, double *min, double *med, double *max)
{
	double v[1024];
	unsigned int n = e->nrounds < 1024 ? e->nrounds : 1024;

	if (!e->ok || !n)
		return false;
	memcpy(v, e->ns, n * sizeof(double));
	qsort(v, n, sizeof(double), cmp_double);
	*min = v[0];
	*max = v[n - 1];
	*med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return true;
}

static double median(const struct engine *e)
{
	double a, m, b;

	return engine_stats(e, &a, &m, &b) ? m : NAN;
}

/* Net ns/pkt: engine median minus its empty-program median. */
static double net(const struct prog *p, unsigned int i)
{
	return median(&p->eng[i]) - median(&p->base[i]);
}

static int find(const struct prog *p, enum engine_kind kind, int level, bool plain)
{
	unsigned int i;

	for (i = 0; i < p->neng; i++)
		if (p->eng[i].kind == kind && (kind != ENG_UXDP || p->eng[i].level == level) &&
		    (!plain || !p->eng[i].flag[0]))
			return i;
	return -1;
}

static double ratio(double a, double b, bool is_net)
{
	if (isnan(a) || isnan(b) || b <= 0 || (is_net && (b < NET_FLOOR_NS || a < 0)))
		return NAN;
	return a / b;
}

static void fmt(char *buf, size_t n, double v, const char *f)
{
	if (isnan(v))
		snprintf(buf, n, "–");
	else
		snprintf(buf, n, f, v);
}

/* Ratios of engine i: to native (raw, net), to the kernel (raw, net). */
static void ratios(const struct prog *p, unsigned int i, double r[4])
{
	int nat = find(p, ENG_NATIVE, 0, true), k = find(p, ENG_KERNEL, 0, true);
	double m = median(&p->eng[i]), nt = net(p, i);

	r[0] = nat >= 0 ? ratio(m, median(&p->eng[nat]), false) : NAN;
	r[1] = nat >= 0 ? ratio(nt, net(p, nat), true) : NAN;
	r[2] = k >= 0 ? ratio(m, median(&p->eng[k]), false) : NAN;
	r[3] = k >= 0 ? ratio(nt, net(p, k), true) : NAN;
}

static void machine(char *buf, size_t n)
{
	char model[256] = "unknown CPU", line[512];
	struct utsname u;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
				snprintf(model, sizeof(model), "%s", strchr(line, ':') + 2);
				model[strcspn(model, "\n")] = 0;
				break;
			}
		fclose(f);
	}
	uname(&u);
	snprintf(buf, n, "%s, %ld CPUs, Linux %s", model, sysconf(_SC_NPROCESSORS_ONLN), u.release);
}

/* Geometric mean of the finite, positive values of v. */
static double geomean(const double *v, unsigned int n, unsigned int *used)
{
	double s = 0;
	unsigned int i, k = 0;

	for (i = 0; i < n; i++)
		if (!isnan(v[i]) && v[i] > 0) {
			s += log(v[i]);
			k++;
		}
	*used = k;
	return k ? exp(s / k) : NAN;
}

static void md_targets(FILE *f, struct prog *progs, unsigned int nprogs)
{
	double raw_k[BENCH_MAX_PROGS], net_k[BENCH_MAX_PROGS], r[4], g;
	char a[32], b[32], c[32], d[32];
	unsigned int i, n = 0, used;

	fprintf(f, "\n### Targets (uxdp -O3)\n\n");
	fprintf(
	    f,
	    "| program | × native | × native (net) | ≤%.2f× native | × kernel | × kernel (net) |\n",
	    TARGET_NATIVE);
	fprintf(f, "|---|---:|---:|---|---:|---:|\n");
	for (i = 0; i < nprogs; i++) {
		const struct prog *p = &progs[i];
		int o3 = find(p, ENG_UXDP, 3, true);
		const char *verdict;

		if (!p->ok || o3 < 0 || !p->eng[o3].ok)
			continue;
		ratios(p, o3, r);
		fmt(a, sizeof(a), r[0], "%.2f");
		fmt(b, sizeof(b), r[1], "%.2f");
		fmt(c, sizeof(c), r[2], "%.3f");
		fmt(d, sizeof(d), r[3], "%.3f");
		if (isnan(r[0]))
			verdict = "n/a (no native)";
		else if (r[0] <= TARGET_NATIVE)
			verdict = "met";
		else
			verdict = "**missed**";
		fprintf(f, "| %s | %s | %s | %s", p->label, a, b, verdict);
		if (!isnan(r[0]) && r[0] > TARGET_NATIVE)
			fprintf(f, " (+%.0f%%)", (r[0] / TARGET_NATIVE - 1) * 100);
		fprintf(f, " | %s | %s |\n", c, d);
		raw_k[n] = r[2];
		net_k[n] = r[3];
		n++;
		if (strstr(p->label, HASH_SUM_LABEL))
			fprintf(f, "|   ↳ %s target ≤%.1f× kernel | | | | %s | %s |\n",
				HASH_SUM_LABEL, TARGET_HASH_SUM,
				isnan(r[2])		  ? "–"
				: r[2] <= TARGET_HASH_SUM ? "met"
							  : "**missed**",
				isnan(r[3])		  ? "–"
				: r[3] <= TARGET_HASH_SUM ? "met"
							  : "**missed**");
	}
	g = geomean(raw_k, n, &used);
	fmt(a, sizeof(a), g, "%.3f");
	fprintf(f, "\nGeomean × kernel (raw medians, %u programs): %s — target ≤%.1f: %s\n", used,
		a, TARGET_KERNEL_GEOMEAN,
		isnan(g)		     ? "–"
		: g <= TARGET_KERNEL_GEOMEAN ? "met"
					     : "**missed**");
	g = geomean(net_k, n, &used);
	fmt(a, sizeof(a), g, "%.3f");
	fprintf(f,
		"Geomean × kernel (net, %u programs with a measurable kernel net): %s — target "
		"≤%.1f: %s\n",
		used, a, TARGET_KERNEL_GEOMEAN,
		isnan(g)		     ? "–"
		: g <= TARGET_KERNEL_GEOMEAN ? "met"
					     : "**missed**");
}

static void md_prog(FILE *f, const struct prog *p)
{
	char s[10][32];
	unsigned int i;
	double mn, md, mx, r[4];

	fprintf(f, "\n### %s\n\n", p->label);
	if (!p->ok) {
		fprintf(f, "n/a: %s\n", p->why);
		return;
	}
	fprintf(f, "Object `%s`, source `%s`%s%s%s%s.\n\n", p->obj_path,
		p->src_path[0] ? p->src_path : "(none)", p->config[0] ? ", maps from `" : "",
		p->config, p->config[0] ? "`" : "",
		p->modifies
		    ? "; the program writes packets, so every userspace run first restores the "
		      "packet (memcpy), for every userspace engine alike"
		    : "");
	fprintf(f, "| engine | ns/pkt min | median | max | net | × native | × native (net) | "
		   "× kernel | × kernel (net) | insns/pkt | net insns |\n");
	fprintf(f, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < p->neng; i++) {
		const struct engine *e = &p->eng[i];

		if (!engine_stats(e, &mn, &md, &mx)) {
			fprintf(f, "| %s | n/a: %s | | | | | | | | | |\n", e->name,
				e->ok ? "no measurement" : e->why);
			continue;
		}
		ratios(p, i, r);
		snprintf(s[0], 32, "%.2f", mn);
		snprintf(s[1], 32, "%.2f", md);
		snprintf(s[2], 32, "%.2f", mx);
		fmt(s[3], 32, net(p, i), "%.2f");
		fmt(s[4], 32, r[0], "%.2f");
		fmt(s[5], 32, r[1], "%.2f");
		fmt(s[6], 32, r[2], "%.3f");
		fmt(s[7], 32, r[3], "%.3f");
		fmt(s[8], 32, e->insns >= 0 ? e->insns : NAN, "%.1f");
		fmt(s[9], 32,
		    e->insns >= 0 && p->base[i].insns >= 0 ? e->insns - p->base[i].insns : NAN,
		    "%.1f");
		fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", e->name,
			s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9]);
	}
	for (i = 0; i < p->neng; i++)
		if (p->eng[i].kind == ENG_KERNEL && p->eng[i].ok && p->base[i].ok)
			fprintf(f,
				"\nKernel: ns/pkt is bpf_prog_test_run's own duration (mean of whole-ns "
				"figures); wall clock per run around the call, with its syscall and "
				"dispatcher switch (last round): %.1f, empty program %.1f.\n",
				p->eng[i].kernel_wall, p->base[i].kernel_wall);
	if (p->note[0])
		fprintf(f, "\nVerdicts: %s.\n", p->note);
}

static void md_compile(FILE *f, struct prog *progs, unsigned int nprogs, const struct bench_opts *o)
{
	unsigned int i, j;

	fprintf(f, "\n### Compile time (ms, wall, one run)\n\n| program |");
	for (j = 0; j < progs[0].neng; j++)
		if (progs[0].eng[j].kind != ENG_KERNEL)
			fprintf(f, " %s |", progs[0].eng[j].name);
	fprintf(f, "\n|---|");
	for (j = 0; j < progs[0].neng; j++)
		if (progs[0].eng[j].kind != ENG_KERNEL)
			fprintf(f, "---:|");
	fputc('\n', f);
	for (i = 0; i < nprogs; i++) {
		fprintf(f, "| %s |", progs[i].label);
		for (j = 0; j < progs[i].neng; j++) {
			const struct engine *e = &progs[i].eng[j];

			if (e->kind == ENG_KERNEL)
				continue;
			if (e->compile_ms > 0)
				fprintf(f, " %.0f |", e->compile_ms);
			else
				fprintf(f, " – |");
		}
		fputc('\n', f);
	}
}

int report_md(const char *path, struct prog *progs, unsigned int nprogs, const struct bench_opts *o)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	char m[512];
	unsigned int i;

	if (!f) {
		fprintf(stderr, "uxdp-bench: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	machine(m, sizeof(m));
	fprintf(f, "## uxdp-bench results\n\n```\n%s\n```\n\n", o->cmdline);
	fprintf(f,
		"Machine: %s; pinned to CPU %d.  %llu runs per engine per round, %u rounds "
		"(engines interleaved in each round), warm-up %.0f ms.  Packets: %s.\n",
		m, o->cpu, (unsigned long long)o->iterations, o->rounds, o->warmup_s * 1000,
		o->pcap ? o->pcap : "one 64-byte IPv4/TCP packet (built in)");
	fprintf(f,
		"ns/pkt: min/median/max over rounds.  net: median minus the same engine "
		"running the empty program.  Ratios are of medians; \"–\" where a net time is "
		"below %.1f ns.  insns/pkt: callgrind, whole harness loop per packet%s.\n",
		NET_FLOOR_NS,
		o->callgrind ? " (code built without AVX-512, which valgrind 3.19 "
			       "cannot run)"
			     : " (not measured: no --callgrind)");
	if (o->smoke)
		fprintf(f, "\n**--smoke: counts too small to mean anything.**\n");
	if (o->ablate && o->ablate_notes[0])
		fprintf(f, "\nAblation: this uxdpc has no %s yet; skipped.\n", o->ablate_notes);
	for (i = 0; i < nprogs; i++)
		md_prog(f, &progs[i]);
	if (nprogs && progs[0].ok)
		md_compile(f, progs, nprogs, o);
	md_targets(f, progs, nprogs);
	if (f != stdout)
		fclose(f);
	else
		fflush(f);
	return 0;
}

/* ---- JSON ---- */

static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void jnum(FILE *f, double v)
{
	if (isnan(v) || isinf(v))
		fputs("null", f);
	else
		fprintf(f, "%.4f", v);
}

static void json_engine(FILE *f, const struct prog *p, unsigned int i)
{
	const struct engine *e = &p->eng[i];
	double mn = NAN, md = NAN, mx = NAN, r[4] = {NAN, NAN, NAN, NAN};
	unsigned int k;
	bool has = engine_stats(e, &mn, &md, &mx);

	if (has)
		ratios(p, i, r);
	fprintf(f, "{\"name\": ");
	jstr(f, e->name);
	fprintf(f, ", \"kind\": \"%s\", \"level\": %d, \"flag\": ",
		e->kind == ENG_KERNEL	? "kernel"
		: e->kind == ENG_NATIVE ? "native"
					: "uxdp",
		e->kind == ENG_UXDP ? e->level : -1);
	jstr(f, e->flag);
	fprintf(f, ", \"ok\": %s, \"why\": ", has ? "true" : "false");
	jstr(f, e->ok ? "" : e->why);
	fprintf(f, ", \"ns\": {\"min\": ");
	jnum(f, mn);
	fprintf(f, ", \"median\": ");
	jnum(f, md);
	fprintf(f, ", \"max\": ");
	jnum(f, mx);
	fprintf(f, ", \"rounds\": [");
	for (k = 0; k < e->nrounds; k++)
		fprintf(f, "%s%.4f", k ? ", " : "", e->ns[k]);
	fprintf(f, "]}, \"empty_median\": ");
	jnum(f, median(&p->base[i]));
	fprintf(f, ", \"net\": ");
	jnum(f, has ? net(p, i) : NAN);
	fprintf(f, ", \"ratio_native\": ");
	jnum(f, r[0]);
	fprintf(f, ", \"ratio_native_net\": ");
	jnum(f, r[1]);
	fprintf(f, ", \"ratio_kernel\": ");
	jnum(f, r[2]);
	fprintf(f, ", \"ratio_kernel_net\": ");
	jnum(f, r[3]);
	fprintf(f, ", \"insns\": ");
	jnum(f, e->insns >= 0 ? e->insns : NAN);
	fprintf(f, ", \"empty_insns\": ");
	jnum(f, p->base[i].insns >= 0 ? p->base[i].insns : NAN);
	fprintf(f, ", \"kernel_duration\": ");
	jnum(f, e->kind == ENG_KERNEL && has ? e->kernel_duration : NAN);
	fprintf(f, ", \"kernel_wall\": ");
	jnum(f, e->kind == ENG_KERNEL && has ? e->kernel_wall : NAN);
	fprintf(f, ", \"compile_ms\": ");
	jnum(f, e->compile_ms > 0 ? e->compile_ms : NAN);
	fprintf(f, "}");
}

int report_json(const char *path, struct prog *progs, unsigned int nprogs,
		const struct bench_opts *o)
{
	FILE *f = fopen(path, "w");
	char m[512];
	unsigned int i, j;

	if (!f) {
		fprintf(stderr, "uxdp-bench: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	machine(m, sizeof(m));
	fprintf(f, "{\n  \"command\": ");
	jstr(f, o->cmdline);
	fprintf(f, ",\n  \"machine\": ");
	jstr(f, m);
	fprintf(f,
		",\n  \"cpu\": %d, \"iterations\": %llu, \"rounds\": %u, \"warmup_s\": %.3f, "
		"\"smoke\": %s,\n  \"packets\": ",
		o->cpu, (unsigned long long)o->iterations, o->rounds, o->warmup_s,
		o->smoke ? "true" : "false");
	jstr(f, o->pcap ? o->pcap : "builtin-ipv4-tcp-64");
	fprintf(f, ",\n  \"programs\": [");
	for (i = 0; i < nprogs; i++) {
		const struct prog *p = &progs[i];

		fprintf(f, "%s\n    {\"label\": ", i ? "," : "");
		jstr(f, p->label);
		fprintf(f, ", \"object\": ");
		jstr(f, p->obj_path);
		fprintf(f, ", \"source\": ");
		jstr(f, p->src_path);
		fprintf(f, ", \"ok\": %s, \"why\": ", p->ok ? "true" : "false");
		jstr(f, p->why);
		fprintf(f,
			", \"modifies_packets\": %s, \"note\": ", p->modifies ? "true" : "false");
		jstr(f, p->note);
		fprintf(f, ",\n     \"engines\": [");
		for (j = 0; j < p->neng; j++) {
			fprintf(f, "%s\n      ", j ? "," : "");
			json_engine(f, p, j);
		}
		fprintf(f, "]}");
	}
	fprintf(f, "\n  ]\n}\n");
	if (fclose(f))
		return -EIO;
	return 0;
}

/* ---- PNG: a clustered bar chart of median ns/pkt ---- */

int report_png(const char *path, struct prog *progs, unsigned int nprogs,
	       const struct bench_opts *o)
{
	char dat[4200], plt[4200], cmd[8600];
	const struct prog *first = NULL;
	unsigned int i, j, k;
	FILE *f;
	int st;

	for (i = 0; i < nprogs && !first; i++)
		if (progs[i].ok)
			first = &progs[i];
	if (!first)
		return 0;
	snprintf(dat, sizeof(dat), "%s/chart.dat", o->workdir);
	snprintf(plt, sizeof(plt), "%s/chart.gp", o->workdir);
	f = fopen(dat, "w");
	if (!f)
		return -errno;
	fprintf(f, "program");
	for (j = 0; j < first->neng; j++)
		fprintf(f, "\t\"%s\"", first->eng[j].name);
	fputc('\n', f);
	for (i = 0; i < nprogs; i++) {
		if (!progs[i].ok)
			continue;
		fprintf(f, "\"%s\"", progs[i].label);
		for (j = 0; j < first->neng; j++) {
			double v = NAN;

			for (k = 0; k < progs[i].neng; k++)
				if (!strcmp(progs[i].eng[k].name, first->eng[j].name))
					v = median(&progs[i].eng[k]);
			if (isnan(v))
				fprintf(f, "\t?");
			else
				fprintf(f, "\t%.3f", v);
		}
		fputc('\n', f);
	}
	fclose(f);
	f = fopen(plt, "w");
	if (!f)
		return -errno;
	fprintf(f, "set terminal pngcairo size %u,560 noenhanced font ',10'\n",
		1000 + 70 * (nprogs > 4 ? nprogs - 4 : 0));
	fprintf(f, "set output '%s'\n", path);
	fprintf(f, "set title 'uxdp-bench: median ns per packet (lower is better)%s'\n",
		o->smoke ? " [--smoke: not a measurement]" : "");
	fprintf(f,
		"set style data histograms\nset style histogram clustered gap 1\n"
		"set style fill solid 0.85 border -1\nset boxwidth 0.9\nset datafile missing '?'\n"
		"set ylabel 'ns/pkt'\nset yrange [0:*]\nset grid ytics\nset key outside right top\n"
		"set xtics rotate by -25 scale 0\n");
	fprintf(f, "plot for [c=2:%u] '%s' using c:xtic(1) title columnhead\n", first->neng + 1,
		dat);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "gnuplot '%s' 2>'%s.err'", plt, plt);
	st = system(cmd);
	if (st) {
		fprintf(stderr, "uxdp-bench: gnuplot failed (%d); see %s.err\n", st, plt);
		return -EIO;
	}
	return 0;
}
