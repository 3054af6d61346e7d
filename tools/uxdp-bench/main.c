// SPDX-License-Identifier: MIT
/*
 * main.c - uxdp-bench: the kernel's JIT, uxdpc at each -O level and the
 * program's own C compiled for the host, on the same packets, in one run.
 *
 *	uxdp-bench prog.bpf.o [more.bpf.o ...] [--source prog.bpf.c] [--pcap in.pcap] ...
 *
 * The machine is shared and noisy (docs/benchmarks.md), so the method is
 * built for ratios: one core, a warm-up, then rounds in which every engine
 * runs once in a fixed order (A B C, A B C, ...), round r of every program
 * before round r + 1 of any, min/median/max over the rounds, and
 * instruction counts from callgrind, which load does not move.
 *
 * Exit status: 0 success, 1 error, 2 usage error.
 */
#define _GNU_SOURCE
#include <alloca.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <math.h>
#include <pcap/pcap.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <uxdp/map.h>
#include <uxdp/version.h>

#include "../uxdp-difftest/difftest.h"
#include "bench.h"

static const char *const ablate_all[] = {
    "-fno-map-inline",
    "-fno-helper-inline",
    "-fno-bounds-elim",
    "-fno-simd",
    "-fno-rodata-fold",
    "-fno-stack-scope",
    "-fno-addr-gep",
    "-fno-stack-split",
    "-fno-stack-args",
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: uxdp-bench PROG.bpf.o[:NAME][@CONFIG] [PROG.bpf.o[:NAME][@CONFIG] ...] [options]\n"
		"  (@CONFIG: map entries for this object only; its name goes into the label)\n"
		"  --source FILE      the program's C source, for the native engine\n"
		"                     (default: PROG.bpf.c beside the object, or in --source-dir)\n"
		"  --source-dir DIR   look for NAME.bpf.c and NAME/NAME.bpf.c here (repeatable)\n"
		"  --pcap FILE        packets to run (default: one 64-byte IPv4/TCP packet)\n"
		"  -p, --prog NAME    program to run in objects with several (OBJ:NAME: in one)\n"
		"  --config FILE      map entries to load first (uxdp-difftest's format;\n"
		"                     default: NAME.conf beside the source, if there is one)\n"
		"  --levels LIST      uxdpc levels, e.g. 0,1,2,3 (the default)\n"
		"  --ablate           also -O3 with each of uxdpc's passes switched off\n"
		"  --iterations N     runs per engine per round (default 10000000)\n"
		"  --rounds R         rounds (default 5)\n"
		"  --cpu N            core to pin to (default 1)\n"
		"  --no-kernel        skip the kernel engine\n"
		"  --kernel-method M  fresh (default): one test_run call (repeat = 1) per run,\n"
		"                     a fresh packet every run, the kernel's own duration;\n"
		"                     repeat: test_run's repeat loop, which reruns the program\n"
		"                     on its own output (labelled; wrong for packet writers);\n"
		"                     veth: attached to a veth in a namespace of its own, the\n"
		"                     packets sent to it 64 a system call, the kernel's own\n"
		"                     run-time statistics (no TLB flush per packet; root)\n"
		"  --kernel-calls N   kernel runs per figure (fresh, veth; default 200000)\n"
		"  --per-op N         also report net ns / N (e.g. ns per lookup of a program\n"
		"                     doing N lookups per packet)\n"
		"  --no-native        skip the native engine\n"
		"  --smoke            tiny counts, for CI: proves it runs, measures nothing\n"
		"  --callgrind        instructions per packet, under valgrind --tool=callgrind\n"
		"  --json FILE        write the results as JSON\n"
		"  --md FILE          write the Markdown report\n"
		"  --png FILE         write a bar chart (gnuplot)\n"
		"  -v, --verbose      progress as lines (on a terminal it is one status line)\n"
		"  -V, --version      print the version\n"
		"  -h, --help         this help\n"
		"\n"
		"Examples:\n"
		"  uxdp-bench fw.bpf.o --source fw.bpf.c --rounds 5 --md fw.md\n"
		"  uxdp-bench fw.bpf.o --levels 3 --ablate --no-native --json fw.json\n"
		"  uxdp-bench fw.bpf.o --no-kernel --iterations 100000 --rounds 1   a quick look\n"
		"\n"
		"Exit status: 0 success, 1 error, 2 usage error.  See uxdp-bench(1).\n");
}

enum {
	OPT_SOURCE = 256,
	OPT_SOURCE_DIR,
	OPT_PCAP,
	OPT_CONFIG,
	OPT_LEVELS,
	OPT_ABLATE,
	OPT_ITER,
	OPT_ROUNDS,
	OPT_CPU,
	OPT_NO_KERNEL,
	OPT_NO_NATIVE,
	OPT_SMOKE,
	OPT_CALLGRIND,
	OPT_JSON,
	OPT_MD,
	OPT_PNG,
	OPT_COUNT_ONLY,
	OPT_KERNEL_METHOD,
	OPT_KERNEL_CALLS,
	OPT_PER_OP,
};

static int parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end || *s == '-' || v < min || v > max) {
		fprintf(stderr, "uxdp-bench: %s: bad number '%s'\n", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_levels(const char *s, struct bench_opts *o)
{
	char buf[64], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", s);
	o->nlevels = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strlen(tok) != 1 || tok[0] < '0' || tok[0] > '3' ||
		    o->nlevels == BENCH_MAX_LEVELS) {
			fprintf(stderr, "uxdp-bench: --levels: want a list of 0..3, got '%s'\n", s);
			return -1;
		}
		o->levels[o->nlevels++] = tok[0] - '0';
	}
	return o->nlevels ? 0 : -1;
}

/* ---- packets ---- */

static uint16_t ip_csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (p[i] << 8) | p[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s;
}

/*
 * The default packet: 64 bytes of Ethernet, IPv4 (10.0.0.1 -> 10.0.0.2) and
 * TCP (12345 -> 80, ACK) with 10 bytes of payload: long enough for the
 * 60-byte sum, and the "accept" path of a parser.
 */
static int builtin_packets(struct pkt **out, size_t *n)
{
	static const uint8_t hdr[] = {
	    0x02, 0,	0,  0,	0, 0x02, 0x02, 0, 0,  0, 0, 0x01, 0x08, 0x00, /* eth */
	    0x45, 0,	0,  50, 0, 1,	 0x40, 0, 64, 6, 0, 0,	  10,	0,
	    0,	  1,	10, 0,	0, 2, /* ip */
	    0x30, 0x39, 0,  80, 0, 0,	 0,    1, 0,  0, 0, 0,	  0x50, 0x10,
	    0xff, 0xff, 0,  0,	0, 0, /* tcp */
	};
	struct pkt *p = calloc(1, sizeof(*p));
	uint16_t c;

	if (!p || !(p->data = calloc(1, 64)))
		return -ENOMEM;
	memcpy(p->data, hdr, sizeof(hdr));
	memcpy(p->data + sizeof(hdr), "uxdp-bench", 10);
	c = ip_csum(p->data + 14, 20);
	p->data[24] = c >> 8;
	p->data[25] = c & 0xff;
	p->len = 64;
	*out = p;
	*n = 1;
	return 0;
}

static int read_pcap(const char *path, struct pkt **out, size_t *n)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	struct pkt *v = NULL;
	size_t cap = 0;
	pcap_t *p = pcap_open_offline(path, perr);

	*n = 0;
	if (!p) {
		fprintf(stderr, "uxdp-bench: %s: %s\n", path, perr);
		return -ENOENT;
	}
	while (pcap_next_ex(p, &h, &d) == 1) {
		if (*n == cap) {
			struct pkt *g = realloc(v, (cap ? cap * 2 : 64) * sizeof(*v));

			if (!g)
				return -ENOMEM;
			v = g;
			cap = cap ? cap * 2 : 64;
		}
		v[*n].len = h->caplen;
		v[*n].data = malloc(h->caplen ? h->caplen : 1);
		if (!v[*n].data)
			return -ENOMEM;
		memcpy(v[*n].data, d, h->caplen);
		(*n)++;
	}
	pcap_close(p);
	*out = v;
	if (!*n) {
		fprintf(stderr, "uxdp-bench: %s: no packets\n", path);
		return -EINVAL;
	}
	return 0;
}

/* ---- setup ---- */

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/* xdp_progs builds name.v3.bpf.o: the source and the label are "name". */
static void strip_cpu_suffix(char *base)
{
	char *v = strrchr(base, '.');

	if (v && v[1] == 'v' && v[2] >= '0' && v[2] <= '9' && !v[3])
		*v = 0;
}

/* A config beside the source, name.conf, as xdp_progs ship them. */
static void find_config(struct prog *p, const struct bench_opts *o)
{
	char *dot;

	if (p->own_config)
		return;
	p->config[0] = 0;
	if (o->config) {
		snprintf(p->config, sizeof(p->config), "%s", o->config);
		return;
	}
	if (!p->src_path[0])
		return;
	snprintf(p->config, sizeof(p->config), "%s", p->src_path);
	dot = strstr(p->config, ".bpf.c");
	if (dot && !dot[6]) {
		strcpy(dot, ".conf");
		if (exists(p->config))
			return;
	}
	p->config[0] = 0;
}

/* name.bpf.o -> name.bpf.c beside it, else in a --source-dir. */
static void find_source(struct prog *p, const struct bench_opts *o, unsigned int nobj)
{
	char base[256], *dot;
	const char *slash;
	unsigned int i;

	p->src_path[0] = 0;
	if (o->source && nobj == 1) {
		snprintf(p->src_path, sizeof(p->src_path), "%s", o->source);
		return;
	}
	snprintf(p->src_path, sizeof(p->src_path), "%s", p->obj_path);
	dot = strrchr(p->src_path, '.');
	if (dot && !strcmp(dot, ".o")) {
		strcpy(dot, ".c");
		if (exists(p->src_path))
			return;
	}
	p->src_path[0] = 0;
	slash = strrchr(p->obj_path, '/');
	snprintf(base, sizeof(base), "%s", slash ? slash + 1 : p->obj_path);
	dot = strstr(base, ".bpf.o");
	if (!dot)
		return;
	*dot = 0;
	strip_cpu_suffix(base);
	for (i = 0; i < o->nsource_dirs; i++) {
		snprintf(p->src_path, sizeof(p->src_path), "%s/%s.bpf.c", o->source_dirs[i], base);
		if (exists(p->src_path))
			return;
		snprintf(p->src_path, sizeof(p->src_path), "%s/%s/%s.bpf.c", o->source_dirs[i],
			 base, base);
		if (exists(p->src_path))
			return;
	}
	p->src_path[0] = 0;
}

/* Which of -fno-map-inline ... does this uxdpc know?  From its --help. */
static void detect_ablation(struct bench_opts *o)
{
	char cmd[4200], help[16384];
	size_t n = 0, i;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "'%s' --help 2>&1", o->paths->uxdpc);
	f = popen(cmd, "r");
	if (f) {
		n = fread(help, 1, sizeof(help) - 1, f);
		pclose(f);
	}
	help[n] = 0;
	o->nablate = 0;
	o->ablate_notes[0] = 0;
	_Static_assert(sizeof(ablate_all) / sizeof(ablate_all[0]) <= BENCH_MAX_ABLATE,
		       "room for every flag");
	for (i = 0; i < sizeof(ablate_all) / sizeof(ablate_all[0]); i++) {
		if (strstr(help, ablate_all[i] + 1)) {
			snprintf(o->ablate_flags[o->nablate++], 32, "%s", ablate_all[i]);
		} else {
			size_t l = strlen(o->ablate_notes);

			snprintf(o->ablate_notes + l, sizeof(o->ablate_notes) - l, "%s%s",
				 l ? ", " : "", ablate_all[i]);
		}
	}
}

static void add_engine(struct prog *p, const struct bench_opts *o, enum engine_kind kind,
		       int level, const char *flag)
{
	struct engine *e = &p->eng[p->neng], *b = &p->base[p->neng];

	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->level = level;
	e->insns = -1;
	e->prog_fd = -1;
	snprintf(e->flag, sizeof(e->flag), "%s", flag ? flag : "");
	if (kind == ENG_KERNEL && o->kernel_method == KERNEL_FRESH) /* the default, unnamed */
		snprintf(e->name, sizeof(e->name), "kernel JIT");
	else if (kind == ENG_KERNEL)
		snprintf(e->name, sizeof(e->name), "kernel JIT (%s)",
			 kernel_method_names[o->kernel_method]);
	else if (kind == ENG_NATIVE)
		snprintf(e->name, sizeof(e->name), "native");
	else
		snprintf(e->name, sizeof(e->name), "uxdp -O%d%s%s", level, flag ? " " : "",
			 flag ? flag : "");
	*b = *e;
	p->neng++;
}

static unsigned int next_id;

/* Does the config fill a prog_array?  (A bad config is reported when applied.) */
static bool config_has_prog_array(const char *path)
{
	struct cfg c = {0};
	char err[512];
	bool found = false;

	if (cfg_parse(path, &c, err, sizeof(err)))
		return false;
	for (size_t i = 0; i < c.n && !found; i++)
		found = c.v[i].kind == CFG_PROG_ARRAY;
	cfg_free(&c);
	return found;
}

/* What opening e does, for the progress line. */
static const char *open_verb(const struct engine *e)
{
	return e->kind == ENG_KERNEL ? "loading" : "compiling";
}

static void open_engine(struct engine *e, const struct bench_opts *o, const char *obj,
			const char *src, const char *name, const char *tag)
{
	if (e->kind == ENG_KERNEL) {
		if (o->count_only) {
			e->ok = false;
			snprintf(e->why, sizeof(e->why), "not counted (runs in the kernel)");
			return;
		}
		engine_open_kernel(e, obj, name);
	} else if (e->kind == ENG_NATIVE) {
		engine_open_native(e, o, src, obj, name, tag, next_id++);
	} else {
		engine_open_uxdp(e, o, obj, name, tag, next_id++);
	}
}

/* OBJ.bpf.o[:PROG]@CONFIG gives one object its own map entries. */
static void split_config(struct prog *p)
{
	char *at = strchr(p->obj_path, '@');

	if (!at || exists(p->obj_path))
		return;
	snprintf(p->config, sizeof(p->config), "%s", at + 1);
	p->own_config = true;
	*at = 0;
}

/* OBJ.bpf.o:PROG names the program of one object (-p names it for all). */
static void split_prog_name(struct prog *p)
{
	char *slash = strrchr(p->obj_path, '/'), *colon;

	colon = strrchr(slash ? slash : p->obj_path, ':');
	if (!colon || exists(p->obj_path))
		return;
	snprintf(p->name, sizeof(p->name), "%s", colon + 1);
	*colon = 0;
}

/* "label [stem]" with the config file's name without directory and .conf. */
static void label_config(struct prog *p)
{
	const char *slash = strrchr(p->config, '/');
	char stem[64];
	size_t l = strlen(p->label);

	snprintf(stem, sizeof(stem), "%s", slash ? slash + 1 : p->config);
	if (strlen(stem) > 5 && !strcmp(stem + strlen(stem) - 5, ".conf"))
		stem[strlen(stem) - 5] = 0;
	snprintf(p->label + l, sizeof(p->label) - l, " [%s]", stem);
}

static void setup_prog(struct prog *p, const struct bench_opts *o, unsigned int index)
{
	char tag[96], btag[96];
	const char *slash = strrchr(p->obj_path, '/');
	unsigned int i;
	bool all;

	if (!p->name[0] && o->progname)
		snprintf(p->name, sizeof(p->name), "%s", o->progname);
	snprintf(p->label, sizeof(p->label), "%s", slash ? slash + 1 : p->obj_path);
	if (strstr(p->label, ".bpf.o")) {
		*strstr(p->label, ".bpf.o") = 0;
		strip_cpu_suffix(p->label);
	} else if (strlen(p->label) > 2 && !strcmp(p->label + strlen(p->label) - 2, ".o")) {
		p->label[strlen(p->label) - 2] = 0;
	}
	if (p->name[0] && strlen(p->label) + strlen(p->name) + 2 <= sizeof(p->label)) {
		strcat(p->label, ":");
		strcat(p->label, p->name);
	}
	if (p->own_config)
		label_config(p);
	p->ok = exists(p->obj_path);
	if (!p->ok) {
		snprintf(p->why, sizeof(p->why), "%s: no such file", p->obj_path);
		return;
	}
	if (!o->no_kernel)
		add_engine(p, o, ENG_KERNEL, 0, NULL);
	for (i = 0; i < o->nlevels; i++)
		add_engine(p, o, ENG_UXDP, o->levels[i], NULL);
	if (o->ablate)
		for (i = 0; i < o->nablate; i++)
			add_engine(p, o, ENG_UXDP, 3, o->ablate_flags[i]);
	if (!o->no_native)
		add_engine(p, o, ENG_NATIVE, 3, NULL);

	all = p->config[0] && config_has_prog_array(p->config);
	snprintf(tag, sizeof(tag), "p%u", index);
	snprintf(btag, sizeof(btag), "p%u-empty", index);
	for (i = 0; i < p->neng; i++) {
		struct engine *e = &p->eng[i], *b = &p->base[i];

		e->all_programs = all;
		progress_step(STEP_OPEN, "%s: %s %s", p->label, open_verb(e), e->name);
		open_engine(e, o, p->obj_path, p->src_path, p->name, tag);
		if (e->ok && p->config[0])
			engine_apply_config(e, p->config);
		/* The baseline: the empty program through the same engine. */
		if (e->ok) {
			progress_step(STEP_OPEN, "%s: %s %s (empty program)", p->label, open_verb(b),
				      b->name);
			open_engine(b, o, o->paths->empty_obj, o->paths->empty_src, NULL, btag);
		} else {
			progress_plan(STEP_OPEN, -1);
		}
	}
}

/* Probe every engine once per packet; note disagreements with the first uxdp engine. */
static void probe_prog(struct prog *p, struct frames *f, const struct pkt *pkts, size_t npkts)
{
	const struct engine *ref = NULL;
	unsigned int i;
	size_t k;
	bool mod = false;

	for (i = 0; i < p->neng; i++) {
		struct engine *e = &p->eng[i];

		if (e->ok)
			engine_probe(e, f, pkts, npkts, e->kind == ENG_UXDP ? &mod : &(bool){0});
		if (p->base[i].ok)
			engine_probe(&p->base[i], f, pkts, npkts, &(bool){0});
		if (e->ok && e->kind == ENG_UXDP && !ref)
			ref = e;
	}
	p->modifies = mod;
	if (!ref)
		return;
	for (i = 0; i < p->neng; i++) {
		const struct engine *e = &p->eng[i];

		if (!e->ok || e == ref)
			continue;
		for (k = 0; k < npkts; k++) {
			size_t l = strlen(p->note);

			if (e->verdicts[k] == UINT32_MAX || e->verdicts[k] == ref->verdicts[k])
				continue;
			snprintf(p->note + l, sizeof(p->note) - l,
				 "%s%s returns %u where %s returns %u (packet %zu)", l ? "; " : "",
				 e->name, e->verdicts[k], ref->name, ref->verdicts[k], k);
			break;
		}
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void each_engine(struct prog *p, void (*fn)(struct engine *e, void *arg), void *arg)
{
	unsigned int i;

	for (i = 0; i < p->neng; i++) {
		if (p->eng[i].ok)
			fn(&p->eng[i], arg);
		if (p->base[i].ok)
			fn(&p->base[i], arg);
	}
}

/*
 * One round of every engine with the stack moved by a round's own offset.
 * Where a program's stack slots fall within a page decides whether their
 * loads wait on stores to other addresses of the same page offset (4 KiB
 * aliasing: frames, map values): xdp_dns ran 7.1 ns at most of 32 stack
 * offsets and 9.4 ns at one, native alike, and the kernel randomizes its
 * stack per syscall.  The process's own stack offset is random per run
 * (ASLR), so one run could be unlucky for one program in every round; a
 * different offset each round (the same for all engines of the round)
 * leaves an unlucky one to a single round, which the median passes over.
 */
static __attribute__((noinline)) void each_engine_shifted(struct prog *p, unsigned int round,
							  void (*fn)(struct engine *e, void *arg),
							  void *arg)
{
	size_t shift = ((size_t)round * 1040u) % 4096u;
	volatile char *pad = alloca(shift + 16);

	pad[0] = 0;
	each_engine(p, fn, arg);
	pad[shift] = 0; /* keep the pad alive across the calls */
}

struct run_args {
	const struct bench_opts *o;
	struct prog *p;
	struct frames *f;
	const struct pkt *pkts;
	size_t npkts;
	uint64_t iters;
	unsigned int round;
	const char *label;
	unsigned int index;
};

static void warm_one(struct engine *e, void *arg)
{
	struct run_args *a = arg;

	engine_time(e, a->o, a->f, a->pkts, a->npkts, a->iters, a->p->modifies);
}

static void time_one(struct engine *e, void *arg)
{
	struct run_args *a = arg;
	double ns;

	progress_step(STEP_ROUND, "%s: round %u/%u, %s%s", a->p->label, a->round + 1, a->o->rounds, e->name,
		      e >= a->p->base && e < a->p->base + a->p->neng ? " (empty program)" : "");
	ns = engine_time(e, a->o, a->f, a->pkts, a->npkts, a->iters, a->p->modifies);

	if (ns >= 0)
		e->ns[e->nrounds++] = ns;
}

/*
 * Before a program's first round: its frames (kept to its last round, so
 * that its packets and its worker's PRNG go on from round to round as
 * they did when a program ran its rounds back to back; frames shared by
 * programs would hand one program's rewritten packets to the next), one
 * probe of every engine, and room for each engine's rounds.  Engines that
 * failed to open run no rounds; a program that cannot be prepared runs
 * none at all and says why.
 */
static int prepare_prog(struct prog *p, const struct bench_opts *o, const struct pkt *pkts,
			size_t npkts)
{
	unsigned int i, n;
	char err[256];

	for (i = 0, n = 0; i < p->neng; i++)
		n += p->eng[i].ok + p->base[i].ok;
	progress_plan(STEP_ROUND, -(int)(o->rounds * (2 * p->neng - n)));
	p->frames = frames_new(pkts, npkts, err, sizeof(err));
	for (i = 0; p->frames && i < p->neng; i++) {
		p->eng[i].ns = calloc(o->rounds, sizeof(double));
		p->base[i].ns = calloc(o->rounds, sizeof(double));
		if (!p->eng[i].ns || !p->base[i].ns) {
			snprintf(err, sizeof(err), "out of memory for the rounds' figures");
			frames_free(p->frames);
			p->frames = NULL;
		}
	}
	if (!p->frames) {
		p->ok = false;
		snprintf(p->why, sizeof(p->why), "%s", err);
		progress_plan(STEP_PROBE, -1);
		progress_plan(STEP_WARMUP, -1);
		progress_plan(STEP_ROUND, -(int)(o->rounds * n));
		return -ENOMEM;
	}
	progress_step(STEP_PROBE, "%s: probing %u engines", p->label, n);
	probe_prog(p, p->frames, pkts, npkts);
	return 0;
}

/*
 * Round r of every program before round r + 1 of any.  The machine is
 * shared: a burst of load from elsewhere lasting a few seconds then falls
 * on one round of several programs, which their medians pass over, where
 * with each program's rounds back to back it fell on every round of one
 * program (docs/benchmarks.md: xdp_dns once at 1.64x native).
 *
 * Each program is warmed up just before its first round only.  In later
 * rounds its caches hold what the programs before it left, and that is
 * not re-warmed: a timed step is --iterations runs (10 M by default, 50 ms
 * to over a second per engine; the kernel's 200 000 test_run calls of
 * 1.5-5 us, 0.3 s or more), while refilling the caches, TLB and branch
 * predictors takes, by estimate, microseconds, a millisecond at most for the
 * large maps of the realistic set (a few thousand lines from memory): well
 * under 1 % of a step, and paid the same by every engine, the kernel's
 * included.  The engines of one program already ran after one another on
 * their own code and map copies when a program's rounds ran back to back,
 * so each timed step began with another engine's state in the caches then
 * too.
 * The warm-up's lasting work (first touch of every map page, lazy binding)
 * stays done.
 */
static void run_rounds(struct prog *progs, unsigned int nprogs, const struct bench_opts *o,
		       const struct pkt *pkts, size_t npkts)
{
	unsigned int round, i;
	double t0;

	for (round = 0; round < o->rounds; round++) {
		for (i = 0; i < nprogs; i++) {
			struct prog *p = &progs[i];
			struct run_args a = {
			    .o = o, .p = p, .f = p->frames, .pkts = pkts, .npkts = npkts};

			if (!p->ok || !p->frames)
				continue;
			progress_prog(i);
			frames_use(p->frames);
			if (!round) {
				/* Short bursts of every engine until the time is up. */
				a.iters = o->iterations / 50 ? o->iterations / 50 : 1;
				progress_step(STEP_WARMUP, "%s: warming up", p->label);
				t0 = now_s();
				do
					each_engine(p, warm_one, &a);
				while (now_s() - t0 < o->warmup_s);
			}
			a.iters = o->iterations;
			a.round = round;
			each_engine_shifted(p, round, time_one, &a);
		}
	}
}

/* Maps and code of every engine of the program, and its frames. */
static void close_prog(struct prog *p)
{
	unsigned int j;

	for (j = 0; j < p->neng; j++) {
		engine_close(&p->eng[j]);
		engine_close(&p->base[j]);
	}
	frames_free(p->frames);
	p->frames = NULL;
}

/* Under callgrind: count each userspace engine, labelled pP-eE / pP-bE. */
static int count_prog(struct prog *p, const struct bench_opts *o, const struct pkt *pkts,
		      size_t npkts, unsigned int index)
{
	char err[256], label[64];
	struct frames *f = frames_new(pkts, npkts, err, sizeof(err));
	unsigned int i;

	if (!f)
		return -ENOMEM;
	probe_prog(p, f, pkts, npkts);
	for (i = 0; i < p->neng; i++) {
		if (p->eng[i].ok && p->eng[i].kind != ENG_KERNEL) {
			snprintf(label, sizeof(label), "p%u-e%u", index, i);
			engine_count(&p->eng[i], f, o->count_iterations, p->modifies, label);
		}
		if (p->base[i].ok && p->base[i].kind != ENG_KERNEL) {
			snprintf(label, sizeof(label), "p%u-b%u", index, i);
			engine_count(&p->base[i], f, o->count_iterations, p->modifies, label);
		}
	}
	frames_free(f);
	return 0;
}

/* ---- callgrind ---- */

static void parse_callgrind(const char *path, struct prog *progs, unsigned int nprogs,
			    const struct bench_opts *o)
{
	char line[1024], label[64] = "";
	FILE *f = fopen(path, "r");
	unsigned int pi, ei;
	char which;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long total;

		if (!strncmp(line, "desc: Trigger: Client Request: ", 31)) {
			snprintf(label, sizeof(label), "%.60s", line + 31);
			label[strcspn(label, "\n")] = 0;
		} else if ((sscanf(line, "totals: %llu", &total) == 1 ||
			    sscanf(line, "summary: %llu", &total) == 1) &&
			   sscanf(label, "p%u-%c%u", &pi, &which, &ei) == 3 && pi < nprogs &&
			   ei < progs[pi].neng) {
			struct engine *e = which == 'e' ? &progs[pi].eng[ei] : &progs[pi].base[ei];

			e->insns = (double)total / o->count_iterations;
		}
	}
	fclose(f);
}

/*
 * Run ourselves under callgrind with the same arguments plus --count-only;
 * the child dumps one profile per engine, which we read back.  Returns the
 * signal (SIGINT, SIGTERM, SIGHUP) that stopped the run meanwhile, or 0;
 * the child's segments are gone either way (child.c).
 */
static int run_callgrind(int argc, char **argv, struct prog *progs, unsigned int nprogs,
			 const struct bench_opts *o)
{
	char out[4200], log[4200], exe[4096], path[4400];
	char **args = calloc(argc + 8, sizeof(char *));
	unsigned int i;
	int n = 0, k, status = 0, sig, ret;
	ssize_t len;

	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (!args || len <= 0) {
		free(args);
		return 0;
	}
	exe[len] = 0;
	snprintf(out, sizeof(out), "--callgrind-out-file=%s/callgrind.out", o->workdir);
	snprintf(log, sizeof(log), "%s/callgrind.log", o->workdir);
	args[n++] = "valgrind";
	args[n++] = "--tool=callgrind";
	args[n++] = "--collect-atstart=no";
	args[n++] = out;
	args[n++] = exe;
	for (k = 1; k < argc; k++)
		if (strcmp(argv[k], "--callgrind"))
			args[n++] = argv[k];
	args[n++] = "--count-only";
	args[n] = NULL;
	ret = child_run(args, log, &status, &sig);
	free(args);
	if (sig)
		return sig;
	if (ret || !WIFEXITED(status) || WEXITSTATUS(status)) {
		progress_end();
		if (!ret && WIFSIGNALED(status))
			fprintf(stderr, "uxdp-bench: callgrind run failed (%s); see %s\n",
				strsignal(WTERMSIG(status)), log);
		else
			fprintf(stderr, "uxdp-bench: callgrind run failed; see %s\n", log);
		return 0;
	}
	/* One file per dump: callgrind.out.1, .2, ... */
	for (i = 1; i < 4096; i++) {
		snprintf(path, sizeof(path), "%s/callgrind.out.%u", o->workdir, i);
		if (!exists(path))
			break;
		parse_callgrind(path, progs, nprogs, o);
	}
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fprintf(stderr, "uxdp-bench: cannot pin to CPU %d: %s (timing goes on unpinned)\n",
			cpu, strerror(errno));
}

static void build_cmdline(struct bench_opts *o, int argc, char **argv)
{
	size_t l = 0;
	int k;

	for (k = 0; k < argc && l < sizeof(o->cmdline) - 1; k++) {
		const char *a = k ? argv[k] : "uxdp-bench";
		bool quote = strpbrk(a, " \t'\"$") != NULL;

		l += snprintf(o->cmdline + l, sizeof(o->cmdline) - l, "%s%s%s%s", k ? " " : "",
			      quote ? "'" : "", a, quote ? "'" : "");
	}
}

/* Engines of each program, before any is open; counted: those callgrind counts. */
static unsigned int planned_engines(const struct bench_opts *o, bool counted)
{
	return (!o->no_kernel && !counted) + o->nlevels + (o->ablate ? o->nablate : 0) +
	       !o->no_native;
}

/*
 * A program's steps before its engines are open: every engine and its
 * baseline opened, probed, warmed up, then each run once a round.  sign -1
 * takes a program's steps back out (its object does not exist).
 */
static void plan_prog(const struct bench_opts *o, int sign)
{
	int n = planned_engines(o, false);

	progress_plan(STEP_OPEN, sign * 2 * n);
	progress_plan(STEP_PROBE, sign);
	progress_plan(STEP_WARMUP, sign);
	progress_plan(STEP_ROUND, sign * (int)o->rounds * 2 * n);
}

/* The ETA's model of the whole run (progress.c, eta.c). */
static void plan_run(const struct bench_opts *o, unsigned int nprogs)
{
	struct eta_model m = {
	    .iterations = o->iterations,
	    .warmup_s = o->warmup_s,
	    .count_runs = o->callgrind ? (double)nprogs * 2 * planned_engines(o, true) *
					     o->count_iterations
				       : 0,
	};
	unsigned int i;

	progress_init(!o->count_only && isatty(STDERR_FILENO), !o->count_only && o->verbose,
		      nprogs, &m);
	for (i = 0; i < nprogs; i++)
		plan_prog(o, 1);
	if (o->callgrind)
		progress_plan(STEP_CALLGRIND, 1);
}

static void free_expect(struct engine *e, size_t npkts)
{
	size_t k;

	if (!e->expect)
		return;
	for (k = 0; k < npkts; k++)
		free(e->expect[k].data);
	free(e->expect);
	e->expect = NULL;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"source", required_argument, NULL, OPT_SOURCE},
	    {"source-dir", required_argument, NULL, OPT_SOURCE_DIR},
	    {"pcap", required_argument, NULL, OPT_PCAP},
	    {"prog", required_argument, NULL, 'p'},
	    {"config", required_argument, NULL, OPT_CONFIG},
	    {"levels", required_argument, NULL, OPT_LEVELS},
	    {"ablate", no_argument, NULL, OPT_ABLATE},
	    {"iterations", required_argument, NULL, OPT_ITER},
	    {"rounds", required_argument, NULL, OPT_ROUNDS},
	    {"cpu", required_argument, NULL, OPT_CPU},
	    {"no-kernel", no_argument, NULL, OPT_NO_KERNEL},
	    {"no-native", no_argument, NULL, OPT_NO_NATIVE},
	    {"smoke", no_argument, NULL, OPT_SMOKE},
	    {"callgrind", no_argument, NULL, OPT_CALLGRIND},
	    {"json", required_argument, NULL, OPT_JSON},
	    {"md", required_argument, NULL, OPT_MD},
	    {"png", required_argument, NULL, OPT_PNG},
	    {"count-only", no_argument, NULL, OPT_COUNT_ONLY},
	    {"kernel-method", required_argument, NULL, OPT_KERNEL_METHOD},
	    {"kernel-calls", required_argument, NULL, OPT_KERNEL_CALLS},
	    {"per-op", required_argument, NULL, OPT_PER_OP},
	    {"verbose", no_argument, NULL, 'v'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static struct prog progs[BENCH_MAX_PROGS];
	static struct bench_paths paths;
	struct bench_opts o = {
	    .paths = &paths,
	    .levels = {0, 1, 2, 3},
	    .nlevels = 4,
	    .iterations = 10000000,
	    .rounds = 5,
	    .warmup_s = 0.3,
	    .cpu = 1,
	    .count_iterations = 1 << 16,
	    .kernel_calls = 200000,
	};
	bool iter_set = false, rounds_set = false, kcalls_set = false;
	char workdir[] = "/tmp/uxdp-bench.XXXXXX";
	struct pkt *pkts;
	size_t npkts;
	unsigned int nprogs = 0, i, j;
	uint64_t v;
	int c, ret = 0, stop_sig = 0;

	build_cmdline(&o, argc, argv);
	bench_paths_find(&paths);
	opterr = 0; /* one line of our own */
	while ((c = getopt_long(argc, argv, ":p:vVh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SOURCE:
			o.source = optarg;
			break;
		case OPT_SOURCE_DIR:
			if (o.nsource_dirs < 8)
				o.source_dirs[o.nsource_dirs++] = optarg;
			break;
		case OPT_PCAP:
			o.pcap = optarg;
			break;
		case 'p':
			o.progname = optarg;
			break;
		case OPT_CONFIG:
			o.config = optarg;
			break;
		case OPT_LEVELS:
			if (parse_levels(optarg, &o))
				return 2;
			break;
		case OPT_ABLATE:
			o.ablate = true;
			break;
		case OPT_ITER:
			if (parse_u64("--iterations", optarg, 1, UINT32_MAX, &o.iterations))
				return 2;
			iter_set = true;
			break;
		case OPT_ROUNDS:
			if (parse_u64("--rounds", optarg, 1, 1000, &v))
				return 2;
			o.rounds = v;
			rounds_set = true;
			break;
		case OPT_CPU:
			if (parse_u64("--cpu", optarg, 0, CPU_SETSIZE - 1, &v))
				return 2;
			o.cpu = v;
			break;
		case OPT_NO_KERNEL:
			o.no_kernel = true;
			break;
		case OPT_NO_NATIVE:
			o.no_native = true;
			break;
		case OPT_SMOKE:
			o.smoke = true;
			break;
		case OPT_CALLGRIND:
			o.callgrind = true;
			break;
		case OPT_JSON:
			o.json = optarg;
			break;
		case OPT_MD:
			o.md = optarg;
			break;
		case OPT_PNG:
			o.png = optarg;
			break;
		case OPT_COUNT_ONLY:
			o.count_only = true;
			break;
		case OPT_KERNEL_METHOD:
			o.kernel_method = 0;
			while (o.kernel_method < KERNEL_METHODS &&
			       strcmp(optarg, kernel_method_names[o.kernel_method]))
				o.kernel_method++;
			if (o.kernel_method == KERNEL_METHODS) {
				fprintf(stderr, "uxdp-bench: --kernel-method: fresh, repeat or veth, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case OPT_KERNEL_CALLS:
			if (parse_u64("--kernel-calls", optarg, 1, UINT32_MAX, &o.kernel_calls))
				return 2;
			kcalls_set = true;
			break;
		case OPT_PER_OP:
			if (parse_u64("--per-op", optarg, 1, 1 << 20, &v))
				return 2;
			o.per_op = v;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("uxdp-bench %s\n", UXDP_VERSION);
			return 0;
		case ':':
			fprintf(stderr, "uxdp-bench: option '%s' needs an argument (-h for help)\n",
				argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "uxdp-bench: unknown option '%s' (-h for help)\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "uxdp-bench: no BPF object given (-h for help)\n");
		return 2;
	}
	if (argc - optind > BENCH_MAX_PROGS) {
		fprintf(stderr, "uxdp-bench: at most %d objects\n", BENCH_MAX_PROGS);
		return 2;
	}
	if (o.smoke) {
		if (!iter_set)
			o.iterations = 20000;
		if (!rounds_set)
			o.rounds = 2;
		o.warmup_s = 0.01;
		o.count_iterations = 1024;
		if (!kcalls_set)
			o.kernel_calls = 2000;
	}
	if (o.cpu >= sysconf(_SC_NPROCESSORS_ONLN))
		o.cpu = 0;
	pin(o.cpu);
	if (!mkdtemp(workdir)) {
		fprintf(stderr, "uxdp-bench: mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	o.workdir = workdir;
	ret = o.pcap ? read_pcap(o.pcap, &pkts, &npkts) : builtin_packets(&pkts, &npkts);
	if (ret)
		return 1;
	if (o.ablate)
		detect_ablation(&o);
	/* Under callgrind (--count-only) the parent shows the progress. */
	plan_run(&o, argc - optind);
	/* What killed runs left (their timing loops catch no signal). */
	if (!o.count_only && bench_reclaim_dead() > 0 && o.verbose)
		fprintf(stderr, "uxdp-bench: removed the map segments of runs that are gone\n");
	if (o.verbose && !o.count_only)
		fprintf(stderr,
			"uxdp-bench: uxdpc: %s\nuxdp-bench: helpers: %s\n"
			"uxdp-bench: native headers: %s\nuxdp-bench: empty program: %s, %s\n",
			paths.uxdpc, paths.helpers_bc, paths.native_inc, paths.empty_obj,
			paths.empty_src);

	for (; optind < argc; optind++, nprogs++) {
		struct prog *p = &progs[nprogs];

		snprintf(p->obj_path, sizeof(p->obj_path), "%s", argv[optind]);
		split_config(p);
		split_prog_name(p);
		find_source(p, &o, argc - optind + nprogs);
		find_config(p, &o);
		progress_prog(nprogs);
		setup_prog(p, &o, nprogs);
		if (!p->ok) {
			plan_prog(&o, -1);
			continue;
		}
		/* Counting takes no time: one program at a time, as few maps as can be. */
		if (o.count_only) {
			count_prog(p, &o, pkts, npkts, nprogs);
			close_prog(p);
		} else if (prepare_prog(p, &o, pkts, npkts)) {
			close_prog(p);
		}
	}
	if (o.count_only)
		goto out;
	/*
	 * Every program's engines are open through all rounds (their maps too:
	 * docs/benchmarks.md, "Method"), and closed before the callgrind child
	 * opens its own.
	 */
	run_rounds(progs, nprogs, &o, pkts, npkts);
	for (i = 0; i < nprogs; i++)
		close_prog(&progs[i]);
	if (o.callgrind) {
		progress_prog(nprogs);
		progress_step(STEP_CALLGRIND, "counting instructions under callgrind");
		stop_sig = run_callgrind(argc, argv, progs, nprogs, &o);
	}
	progress_end();
	if (stop_sig)
		goto out;

	ret = report_md("-", progs, nprogs, &o);
	if (o.md)
		ret = ret ?: report_md(o.md, progs, nprogs, &o);
	if (o.json)
		ret = ret ?: report_json(o.json, progs, nprogs, &o);
	if (o.png)
		ret = ret ?: report_png(o.png, progs, nprogs, &o);
out:
	for (i = 0; i < nprogs; i++)
		for (j = 0; j < progs[i].neng; j++) {
			free(progs[i].eng[j].ns);
			free(progs[i].eng[j].verdicts);
			free(progs[i].base[j].ns);
			free(progs[i].base[j].verdicts);
			free_expect(&progs[i].eng[j], npkts);
			free_expect(&progs[i].base[j], npkts);
		}
	for (i = 0; i < npkts; i++)
		free(pkts[i].data);
	free(pkts);
	if (getenv("UXDP_BENCH_KEEP"))
		fprintf(stderr, "uxdp-bench: work files kept in %s\n", workdir);
	else
		nftw(workdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (stop_sig) {
		/* End as the signal would have ended us, now that nothing is left. */
		signal(stop_sig, SIG_DFL);
		raise(stop_sig);
	}
	return ret ? 1 : 0;
}
