/* SPDX-License-Identifier: MIT */
/*
 * bench.h - uxdp-bench internals: engines, the packet set, results.
 *
 * An engine is one way of running a program: the kernel's JIT through
 * bpf_prog_test_run, a uxdpc-compiled object at some -O level (possibly with
 * a pass switched off), or the program's C source compiled for the host.
 * Every engine of a program has a twin running the empty program the same
 * way, its baseline, so that each engine's fixed cost can be taken off.
 */
#ifndef UXDP_BENCH_H
#define UXDP_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uxdp/ctx.h>

#define BENCH_MAX_ENGINES 16
#define BENCH_MAX_PROGS 64
#define BENCH_MAX_LEVELS 4
#define BENCH_MIN_SLOTS 16

enum engine_kind { ENG_KERNEL, ENG_UXDP, ENG_NATIVE };

struct uxdp_object;
struct uxdp_image;
struct bpf_object;

struct engine {
	char name[64]; /* "kernel JIT", "uxdp -O3", "uxdp -O3 -fno-simd", "native" */
	enum engine_kind kind;
	int level;     /* uxdp: -O level */
	char flag[32]; /* uxdp: the pass switched off, or "" */
	bool ok;       /* false: n/a, see why */
	bool all_programs; /* load every XDP program: the config fills a prog_array */
	char why[256];
	double compile_ms; /* uxdp and native: time of the compiler run */

	/* uxdp and native */
	struct uxdp_object *obj;
	struct uxdp_image *img;
	uxdp_prog_fn fn;
	char instance[32];
	/* kernel */
	struct bpf_object *bobj;
	int prog_fd;
	double kernel_duration; /* the kernel's own ns/run (whole ns), last round */
	double kernel_wall;     /* wall clock per run around the call, last round */

	double *ns; /* ns/pkt of each round */
	unsigned int nrounds;
	double insns;	    /* callgrind instructions per packet; < 0: not measured */
	uint32_t *verdicts; /* probe: one verdict per packet */
};

struct pkt {
	uint8_t *data;
	uint32_t len;
};

/* One program under test, with its engines and their baselines. */
struct prog {
	char obj_path[4096];
	char src_path[4096]; /* "" when there is none */
	char config[4096];   /* --config, or NAME.conf beside the source; "" for none */
	char name[64];	     /* program (function) name */
	char label[128];     /* what the tables call it: object basename[:name] */
	bool ok;
	char why[256];
	bool modifies;	/* the program writes packets: frames reset every run */
	char note[512]; /* verdict disagreements and the like */
	unsigned int neng;
	struct engine eng[BENCH_MAX_ENGINES];
	struct engine base[BENCH_MAX_ENGINES]; /* base[i]: the empty program, run as eng[i] */
};

struct bench_opts {
	const char *progname; /* -p */
	const char *source;   /* --source */
	const char *source_dirs[8];
	unsigned int nsource_dirs;
	const char *pcap;
	const char *config;
	int levels[BENCH_MAX_LEVELS];
	unsigned int nlevels;
	bool ablate;
	uint64_t iterations;
	unsigned int rounds;
	double warmup_s;
	bool smoke;
	bool callgrind;
	bool count_only; /* internal: the process runs under callgrind */
	uint64_t count_iterations;
	int cpu;
	bool no_kernel;
	bool no_native;
	const char *json, *md, *png;
	const char *workdir;
	char cmdline[4096];
	/* what uxdpc --help offered, for --ablate */
	char ablate_flags[4][32];
	unsigned int nablate;
	char ablate_notes[512];
};

/* ---- engine.c ---- */

/* The packet frames every userspace engine runs on (see engine.c). */
struct frames;

struct frames *frames_new(const struct pkt *pkts, size_t npkts, char *err, size_t err_size);
void frames_free(struct frames *f);

int engine_open_uxdp(struct engine *e, const struct bench_opts *o, const char *bpf_obj,
		     const char *prog, const char *tag, unsigned int id);
int engine_open_native(struct engine *e, const struct bench_opts *o, const char *src,
		       const char *bpf_obj, const char *prog, const char *tag, unsigned int id);
int engine_open_kernel(struct engine *e, const char *bpf_obj, const char *prog);
void engine_close(struct engine *e);
/* Apply the map entries of --config to an open engine; 0 or -errno with e->why set. */
int engine_apply_config(struct engine *e, const char *config);
/* Run every packet once from a pristine frame; fills e->verdicts.  *modified is set
 * when the program changed a packet's bytes or bounds. */
int engine_probe(struct engine *e, struct frames *f, const struct pkt *pkts, size_t npkts,
		 bool *modified);
/* Time iters runs; returns ns per packet, or a negative value on failure. */
double engine_time(struct engine *e, struct frames *f, const struct pkt *pkts, size_t npkts,
		   uint64_t iters, bool reset);
/* Run iters times with callgrind collecting, dumping the counts as label. */
void engine_count(struct engine *e, struct frames *f, uint64_t iters, bool reset,
		  const char *label);

/* ---- report.c ---- */

int report_md(const char *path, struct prog *progs, unsigned int nprogs,
	      const struct bench_opts *o);
int report_json(const char *path, struct prog *progs, unsigned int nprogs,
		const struct bench_opts *o);
int report_png(const char *path, struct prog *progs, unsigned int nprogs,
	       const struct bench_opts *o);
/* Median, min and max of the engine's rounds; false when it has none. */
bool engine_stats(const struct engine *e, double *min, double *med, double *max);

#endif /* UXDP_BENCH_H */
