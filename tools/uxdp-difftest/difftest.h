/* SPDX-License-Identifier: MIT */
/*
 * difftest.h - uxdp-difftest internals: the config file, and the pair of
 * map handles (kernel, uxdp) that every comparison walks.
 */
#ifndef UXDP_DIFFTEST_H
#define UXDP_DIFFTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes, as documented in README.md. */
#define DT_EXIT_SAME 0
#define DT_EXIT_DIFF 1
#define DT_EXIT_USAGE 2
#define DT_EXIT_ERROR 3
#define DT_EXIT_SKIP 77 /* ctest SKIP_RETURN_CODE: no usable kernel BPF */

#define DT_NAME_LEN 64

/* ---- config (config.c) ---- */

enum cfg_kind {
	CFG_MAP,        /* map NAME key ... value ... [flags F] */
	CFG_PROG_ARRAY, /* prog_array NAME INDEX PROGNAME */
	CFG_GLOBAL,     /* global VAR value ...: set before load, as a skeleton does */
	CFG_MAP_SIZE,   /* map-size NAME N: max_entries set before load (map_sizes.c) */
};

struct cfg_entry {
	enum cfg_kind kind;
	int line;
	char map[DT_NAME_LEN];
	uint8_t *key;
	size_t key_len;
	uint8_t *value;
	size_t value_len;
	/* `value map NAME`: the value is that map (fd in the kernel, id in uxdp). */
	char value_map[DT_NAME_LEN];
	uint64_t flags;        /* BPF_ANY, BPF_NOEXIST, BPF_EXIST */
	uint32_t index;        /* prog_array */
	char prog[DT_NAME_LEN]; /* prog_array */
	char var[DT_NAME_LEN];  /* global */
	char section[DT_NAME_LEN]; /* global: the variable's section, found at load */
	size_t offset;         /* global: its offset there */
	uint32_t max_entries;  /* map-size */
};

struct cfg {
	const char *path;
	struct cfg_entry *v;
	size_t n;
};

/* Parse path into *c.  0, or -EINVAL with a "path:line: ..." message in err. */
int cfg_parse(const char *path, struct cfg *c, char *err, size_t err_size);
void cfg_free(struct cfg *c);

/* ---- output helpers (report.c) ---- */

/* Print "  <label> <n> bytes:" then the bytes as hex, 16 a line, marking
 * the offsets that differ from other (NULL: mark nothing). */
void dt_hexdump(FILE *f, const char *label, const uint8_t *p, size_t n, const uint8_t *other,
		size_t other_n);
/* One line of hex bytes, no newline. */
void dt_hexline(FILE *f, const uint8_t *p, size_t n);

/* ---- the run (main.c) ---- */

/* A load-time size: --map-size NAME=N or a config `map-size NAME N` line. */
struct dt_map_size {
	char name[DT_NAME_LEN];
	uint32_t max_entries;
};

struct bpf_object;
struct bpf_program;
struct uxdp_map_resize;
struct uxdp_map_size;
struct uxdp_kload;
struct uxdp_object;
struct uxdp_program;
struct dmap;

/*
 * The kernel side as the comparison sees it, whichever loader made it
 * (kernel.c): libbpf, or uxdp's own loader (compiler/kload.h) for the
 * objects libbpf refuses.  Only what is loaded is listed.
 */
struct dt_kmap {
	char name[DT_NAME_LEN];  /* the loader's name (libbpf: "obj.data" for .data) */
	uint32_t type, key_size, value_size, max_entries, map_flags;
	int fd;
	const void *handle;      /* libbpf's struct bpf_map; NULL with kload */
};

struct dt_kprog {
	char name[DT_NAME_LEN];  /* function name */
	int fd;
};

#define DT_N_VERDICTS 5
#define DT_RUNTS_LISTED 8

enum dt_loader {
	DT_LOADER_AUTO,   /* libbpf, and kload for what libbpf refuses */
	DT_LOADER_LIBBPF,
	DT_LOADER_KLOAD,
};

struct dt_ctx {
	/* options */
	const char *bpf_path, *pcap_path, *aot_path, *prog_name, *cfg_path, *uxdpc;
	int olevel;
	bool verbose;
	bool exact_maps;          /* every map in full after every packet, whatever it costs */
	enum dt_loader want_loader; /* --loader */
	double full_budget;       /* a map whose full comparison takes longer (s) is "large" */
	uint32_t ifindex, queue;  /* ctx given to both sides; 0: the kernel's default */

	struct cfg cfg;
	/* Load-time sizes, the command line's over the config's (map_sizes.c); once
	 * dt_sizes_finish ran, the same as each loader takes them. */
	struct dt_map_size *sizes;
	size_t n_sizes;
	struct uxdp_map_resize *resize;  /* uxdp_kload's */
	struct uxdp_map_size *usizes;    /* the runtime's (uxdp_object_opts.map_sizes) */
	char **uxdpc_size_args;          /* "NAME=N" for uxdpc --map-size */
	unsigned int ncpus;
	char instance[32];        /* UXDP_INSTANCE_LEN */
	char aot_tmp[4096];
	bool progress;            /* stderr is a terminal: a progress line */

	/* The kernel side (kernel.c): one of kobj and kload holds the object. */
	struct bpf_object *kobj;
	struct uxdp_kload *kload;
	struct dt_kmap *kmaps;
	size_t n_kmaps;
	struct dt_kprog *kprogs;
	size_t n_kprogs;
	const struct dt_kprog *kprog; /* the compared program */
	struct uxdp_object *uobj;
	const struct uxdp_program *uprog;
	struct dmap *maps;
	size_t n_maps;

	uint64_t packet;          /* 1-based number of the packet being compared; 0: setup */
	bool at_end;              /* the final look at every map */
	uint64_t compared, runts, refused, full_checks;
	double start;             /* dt_now() at the start */
	double full_time;         /* spent comparing large maps between packets */
	bool full_this_packet;    /* one large map has been compared after this packet */
	uint64_t runt_packets[8]; /* the first DT_RUNTS_LISTED runts' packet numbers */
	uint64_t verdicts[DT_N_VERDICTS];
};

/* Set by SIGINT, SIGTERM and SIGHUP (cleanup.c): stop after the current step. */
extern volatile int dt_stop_signal;
/* Install the handlers, and start the process that removes /dev/shm/uxdp.<instance>.*
 * and tmp_path (may be "") once this process is gone, however it ends. */
int dt_cleanup_start(const char *instance, const char *tmp_path);
/* Remove what dt_cleanup_start guards (also done by that process after exit). */
void dt_cleanup_files(const char *instance, const char *tmp_path);

/* Print the progress line (a terminal only): what is being done now. */
void dt_progress(const struct dt_ctx *dt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Erase the progress line before other output. */
void dt_progress_clear(const struct dt_ctx *dt);

/* ---- load-time map sizes (map_sizes.c) ---- */

/* A max_entries as uxdp reads it: decimal, 0x hex or octal, 1..UINT32_MAX.  0 or -EINVAL. */
int dt_parse_size(const char *s, uint32_t *out);
/* --map-size NAME=N: 0, or DT_EXIT_USAGE after one line. */
int dt_sizes_add_arg(struct dt_ctx *dt, const char *arg);
/* Add the config's map-size lines (a name the command line sized keeps its size),
 * and make each loader's list.  0 or a DT_EXIT_*. */
int dt_sizes_finish(struct dt_ctx *dt);
/* Every size names a map of the object, and every map has a size: 0, or
 * DT_EXIT_USAGE after one line naming the map.  Needs no kernel. */
int dt_sizes_check(const struct dt_ctx *dt);
/* The size set for map name, or 0. */
uint32_t dt_size_of(const struct dt_ctx *dt, const char *name);
void dt_sizes_free(struct dt_ctx *dt);

/* ---- the kernel side (kernel.c) ---- */

/* Errors that mean "this kernel will not run BPF for us", not "the program is wrong". */
bool dt_kernel_refuses(int err);
/* Print why nothing is compared; returns DT_EXIT_SKIP. */
int dt_skip(const char *what, int err);
/*
 * Open the object, choose the program, load only what is compared: with
 * libbpf, else (an object or a program libbpf refuses) with uxdp_kload.
 * 0 or a DT_EXIT_*.
 */
int dt_kernel_open(struct dt_ctx *dt);
/* The map whose name is name (".data" finds libbpf's "obj.data"), or NULL. */
const struct dt_kmap *dt_kernel_map(const struct dt_ctx *dt, const char *name);
/* The loaded program called name, or NULL. */
const struct dt_kprog *dt_kernel_prog(const struct dt_ctx *dt, const char *name);
/* Close whichever loader holds the object (nothing open is fine). */
void dt_kernel_close(struct dt_ctx *dt);
/* The programs the uxdp side needs besides dt->kprog: prog_array targets in the config. */
bool dt_config_names_other_programs(const struct dt_ctx *dt);
/* Whether a prog_array's `.values` in the object holds program name (NULL: any). */
bool dt_values_name_program(const struct dt_ctx *dt, const char *name);
/* The config's prog_array lines name a program other than name. */
bool dt_config_names_programs_besides(const struct dt_ctx *dt, const char *name);

/* ---- the kernel side by uxdp's loader (kernel_kload.c) ---- */

/* Load with uxdp_kload, fill dt's kmaps, kprogs and kprog.  0 or a DT_EXIT_*; why
 * libbpf could not (one phrase; NULL: --loader kload) goes into messages. */
int dt_kload_open(struct dt_ctx *dt, const char *libbpf_why);
/* Does uxdpc's front end find dt->prog_name?  0, or DT_EXIT_USAGE after saying why not. */
int dt_kload_has_program(const struct dt_ctx *dt);
/* Backend helpers shared by both loaders (kernel.c). */
bool dt_want_mmapable(uint32_t type, uint32_t max_entries, uint32_t value_size, uint32_t flags);
int dt_kernel_add_map(struct dt_ctx *dt, const char *name, uint32_t type, uint32_t key_size,
		      uint32_t value_size, uint32_t max_entries, uint32_t flags, int fd,
		      const void *handle);
int dt_kernel_add_prog(struct dt_ctx *dt, const char *name, int fd);

/* Monotonic seconds. */
double dt_now(void);

#endif /* UXDP_DIFFTEST_H */
