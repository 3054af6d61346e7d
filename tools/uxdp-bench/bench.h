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
#include <sys/types.h>

#include <uxdp/ctx.h>

#define BENCH_MAX_ENGINES 16
#define BENCH_MAX_ABLATE 9 /* uxdpc's -fno-... flags */
#define BENCH_MAX_PROGS 64
#define BENCH_MAX_LEVELS 4
#define BENCH_MIN_SLOTS 16

enum engine_kind { ENG_KERNEL, ENG_UXDP, ENG_NATIVE };

struct uxdp_object;
struct uxdp_image;
struct bpf_object;
struct cfg_entry;

struct pkt {
	uint8_t *data;
	uint32_t len;
};

/* How the kernel engine runs (kernel.c). */
enum kernel_method {
	KERNEL_FRESH,  /* repeat = 1 calls, a fresh packet every run (default) */
	KERNEL_REPEAT, /* test_run's repeat loop: reruns on its own output */
	KERNEL_VETH,   /* attached to a veth, packets sent in batches (kernel_veth.c) */
	KERNEL_METHODS
};

/* Each method's name: --kernel-method, the JSON, the engine's label. */
static const char *const kernel_method_names[KERNEL_METHODS] = {
	[KERNEL_FRESH] = "fresh", [KERNEL_REPEAT] = "repeat", [KERNEL_VETH] = "veth"
};

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
	double kernel_duration; /* the kernel's own ns/run, last round */
	double kernel_wall;     /* wall clock per run around the call, last round */
	struct pkt *expect;	/* kernel: data_out of the probe, per packet */
	unsigned int kernel_refused; /* packets test_run refused (left out) */
	uint64_t fresh_checked;	     /* timed calls whose data_out was compared */
	uint64_t fresh_mismatches;   /* ... and differed from the probe's */
	uint64_t veth_runs;	     /* veth method: runs the kernel counted, all rounds */
	bool imports_map_lookup;     /* uxdp, native: calls the runtime's generic lookup */
	bool out_of_line;	     /* native: built with every map lookup a call */

	double *ns; /* ns/pkt of each round */
	unsigned int nrounds;
	double insns;	    /* callgrind instructions per packet; < 0: not measured */
	uint32_t *verdicts; /* probe: one verdict per packet */
};

/* One program under test, with its engines and their baselines. */
struct prog {
	char obj_path[4096];
	char src_path[4096]; /* "" when there is none */
	char config[4096];   /* OBJ@CONFIG, --config, or NAME.conf beside the source; "" for none */
	bool own_config;     /* config given with OBJ@CONFIG: its name goes into the label */
	char name[64];	     /* program (function) name */
	char label[160];     /* what the tables call it: object basename[:name][ [config]] */
	bool ok;
	char why[256];
	bool modifies;	/* the program writes packets: frames reset every run */
	char note[512]; /* verdict disagreements and the like */
	/* Its userspace engines' packets, from its probe to its last round. */
	struct frames *frames;
	unsigned int neng;
	struct engine eng[BENCH_MAX_ENGINES];
	struct engine base[BENCH_MAX_ENGINES]; /* base[i]: the empty program, run as eng[i] */
};

/* What uxdp-bench runs and reads, installed or in the build tree (paths.c). */
struct bench_paths {
	const char *uxdpc;
	char helpers_bc[4096]; /* runtime/helpers as bitcode, linked into native */
	char native_inc[4096]; /* bpf_compat.h and the headers native programs include */
	char empty_obj[4096];  /* the empty program, every engine's baseline */
	char empty_src[4096];
};

void bench_paths_find(struct bench_paths *p);

struct bench_opts {
	const struct bench_paths *paths;
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
	bool verbose;    /* -v: progress as lines */
	uint64_t count_iterations;
	int cpu;
	bool no_kernel;
	bool no_native;
	enum kernel_method kernel_method;
	uint64_t kernel_calls; /* test_run calls per kernel figure (fresh method) */
	unsigned int per_op;   /* > 0: also report net time / per_op ("ns per lookup") */
	const char *json, *md, *png;
	const char *workdir;
	char cmdline[4096];
	/* what uxdpc --help offered, for --ablate */
	char ablate_flags[BENCH_MAX_ABLATE][32];
	unsigned int nablate;
	char ablate_notes[512];
};

/* ---- engine.c ---- */

/* The packet frames every userspace engine runs on (see engine.c). */
struct frames;

/* New frames holding the packets; their worker becomes the thread's current one. */
struct frames *frames_new(const struct pkt *pkts, size_t npkts, char *err, size_t err_size);
/*
 * Make f's worker the thread's current one (helpers without a ctx, such as
 * bpf_redirect() and bpf_get_prandom_u32(), use it): before running engines
 * on f when other frames were made since.
 */
void frames_use(struct frames *f);
void frames_free(struct frames *f);

int engine_open_uxdp(struct engine *e, const struct bench_opts *o, const char *bpf_obj,
		     const char *prog, const char *tag, unsigned int id);
int engine_open_native(struct engine *e, const struct bench_opts *o, const char *src,
		       const char *bpf_obj, const char *prog, const char *tag, unsigned int id);
void engine_close(struct engine *e);
/* Does the ELF object at path call sym (an undefined symbol of that name)? */
bool object_imports(const char *path, const char *sym);
/* Apply the map entries of --config to an open engine; 0 or -errno with e->why set. */
int engine_apply_config(struct engine *e, const char *config);
/* Run every packet once from a pristine frame; fills e->verdicts.  *modified is set
 * when the program changed a packet's bytes or bounds. */
int engine_probe(struct engine *e, struct frames *f, const struct pkt *pkts, size_t npkts,
		 bool *modified);
/* Time iters runs; returns ns per packet, or a negative value on failure. */
double engine_time(struct engine *e, const struct bench_opts *o, struct frames *f,
		   const struct pkt *pkts, size_t npkts, uint64_t iters, bool reset);
/* Run iters times with callgrind collecting, dumping the counts as label. */
void engine_count(struct engine *e, struct frames *f, uint64_t iters, bool reset,
		  const char *label);

/* ---- kernel.c ---- */

struct fresh_result {
	uint64_t calls;		 /* test_run calls made */
	uint64_t duration;	 /* sum of the kernel's own duration, ns */
	double wall;		 /* wall clock around all the calls, ns */
	uint64_t checked;	 /* calls whose data_out and verdict were compared */
	uint64_t mismatches;	 /* ... and differed from the expected ones */
	uint64_t first_mismatch; /* index of the first such call, or UINT64_MAX */
};

int engine_open_kernel(struct engine *e, const char *bpf_obj, const char *prog);
void kernel_close(struct engine *e);
/* One config entry on the kernel side; 0 or -errno. */
int kernel_apply(struct engine *e, const struct cfg_entry *c);
/* One repeat = 1 call per packet: e->verdicts, e->expect (data_out), e->kernel_refused. */
int kernel_probe(struct engine *e, const struct pkt *pkts, size_t npkts);
/*
 * calls test_run calls with repeat = 1, packet i % npkts each (skipping those
 * whose verdicts[i] is UINT32_MAX); when expect[i].data is set, every call's
 * data_out (and verdict, when verdicts is given) is compared with it.
 */
int kernel_run_fresh(int prog_fd, const struct pkt *pkts, size_t npkts, uint64_t calls,
		     const struct pkt *expect, const uint32_t *verdicts, struct fresh_result *r);
/*
 * Whether this kernel isolates its page tables (PTI) on a CPU without
 * PCID: every system call then flushes the TLB, and the fresh method's one
 * call per packet runs each packet with a cold TLB.  Read once.
 */
bool kernel_flushes_tlb_per_call(void);

/* ---- kernel_veth.c ---- */

/*
 * ns per run of e's program attached to a veth (native mode), runs packets
 * sent into its peer, BATCH a system call, from the kernel's own run-time
 * statistics; < 0 with e->why set when it cannot be measured.
 */
double kernel_time_veth(struct engine *e, const struct pkt *pkts, size_t npkts, uint64_t runs);

/* ns per run by the chosen method (o->kernel_method), or < 0. */
double kernel_time(struct engine *e, const struct bench_opts *o, const struct pkt *pkts,
		   size_t npkts, uint64_t iters);

/* ---- child.c ---- */

/*
 * Run args[0] (from $PATH) with args, its stdout and stderr in log, until it
 * ends: *status as waitpid() gives it.  SIGINT/SIGTERM/SIGHUP meanwhile go
 * on to the child and come back in *sig (else 0).  The child's map segments
 * are removed however it ended.  0, or -errno when it could not be run.
 */
int child_run(char *const args[], const char *log, int *status, int *sig);
/* Unlink every /dev/shm segment of the instances bench-<pid>-*; how many. */
int bench_remove_segments(pid_t pid);
/* Remove the segments of earlier runs whose process is gone; how many. */
int bench_reclaim_dead(void);

/* ---- eta.c ---- */

/* What a progress step does; each kind is costed on its own (eta.c). */
enum step_kind {
	STEP_OPEN,	/* open an engine or its baseline: a compiler run */
	STEP_PROBE,	/* every engine once per packet */
	STEP_WARMUP,	/* bursts of every engine for warmup_s */
	STEP_ROUND,	/* one engine timed for `iterations` runs */
	STEP_CALLGRIND, /* the callgrind child: every engine opened and counted again */
	STEP_KINDS,
};

struct eta_model {
	double spent[STEP_KINDS];    /* seconds in finished steps of each kind */
	unsigned int done[STEP_KINDS]; /* finished steps */
	unsigned int left[STEP_KINDS]; /* planned steps not finished (the running one too) */
	uint64_t iterations;	     /* runs of a timed step */
	double warmup_s;
	double count_runs;	     /* runs the callgrind child counts, all engines */
};

/* Expected seconds of one step of kind k: its finished steps' mean, else a prior. */
double eta_step_cost(const struct eta_model *m, enum step_kind k);
/* Seconds left, while a step of kind cur has run for elapsed seconds. */
double eta_remaining(const struct eta_model *m, enum step_kind cur, double elapsed);
/* n more (n < 0: fewer) steps of kind k to come. */
void eta_plan(struct eta_model *m, enum step_kind k, int n);
/* A step of kind k ended after seconds. */
void eta_finish(struct eta_model *m, enum step_kind k, double seconds);

/* ---- progress.c ---- */

/*
 * Status line on a terminal (tty), lines with verbose, else silent.  The
 * ETA needs the plan: eta's iterations, warmup_s and count_runs, then
 * progress_plan() for each kind's steps.
 */
void progress_init(bool tty, bool verbose, unsigned int nprogs, const struct eta_model *eta);
/* n more (n < 0: fewer, e.g. an engine that failed to open) steps of kind k. */
void progress_plan(enum step_kind k, int n);
/* Program index (from 0; nprogs: work after the programs) begins. */
void progress_prog(unsigned int index);
/* Seconds the rest is expected to take, once a step has begun (eta.c). */
double progress_eta(void);
/* A step of kind k starts now: say what (printf format, no newline), with an ETA. */
void progress_step(enum step_kind k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Clear the status line, before anything else goes to the terminal. */
void progress_end(void);

/* ---- report.c ---- */

int report_md(const char *path, struct prog *progs, unsigned int nprogs,
	      const struct bench_opts *o);
int report_json(const char *path, struct prog *progs, unsigned int nprogs,
		const struct bench_opts *o);
int report_png(const char *path, struct prog *progs, unsigned int nprogs,
	       const struct bench_opts *o);
/* Native's lookups are calls where uxdp -O3's are inlined (a slowed baseline). */
bool native_slowed(const struct prog *p);
/* Median, min and max of the engine's rounds; false when it has none. */
bool engine_stats(const struct engine *e, double *min, double *med, double *max);

#endif /* UXDP_BENCH_H */
