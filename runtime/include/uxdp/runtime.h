/* SPDX-License-Identifier: MIT */
/*
 * runtime.h - open an object compiled by uxdpc and bind its programs.
 *
 * uxdp_object_open() loads the object (see loader.h), resolving its helper
 * calls to this runtime's uxdp_helper_* functions, creates every map its
 * metadata describes (global data included, filled with its initial
 * contents), fills each map slot and registers each program for tail calls.
 * After that the programs can run, through the datapath (uxdp/datapath.h:
 * uxdp_dp_attach(), then uxdp_dp_run() in its workers), or by hand: the
 * caller then sets uxdp_this_cpu (map.h) and the current worker
 * (uxdp/worker.h) in each worker thread before running them.  uxdp_object_open_linked() does
 * the same for objects linked statically into the executable.
 *
 * Errors: 0 or a negative errno, with one line of context in err.
 */
#ifndef UXDP_RUNTIME_H
#define UXDP_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uxdp/opts.h>
#include <uxdp/confine_abi.h>
#include <uxdp/ctx.h>
#include <uxdp/object_format.h>

struct uxdp_object;
struct uxdp_map;
struct uxdp_stats;

/* Grows at its end only: set sz (uxdp/opts.h, UXDP_OPTS()). */
struct uxdp_object_opts {
	size_t sz;             /* sizeof(struct uxdp_object_opts) (uxdp/opts.h): set by the caller */
	const char *instance;  /* map namespace (map.h); NULL: "default" */
	unsigned int ncpus;    /* workers, i.e. CPUs of per-CPU maps; 0: online CPUs */
	/*
	 * Maps that already exist with the same shape are reused (their
	 * contents kept, initial data not rewritten), as for a reload.  Without
	 * it an existing map is an error, except maps pinned by name
	 * (LIBBPF_PIN_BY_NAME), which are always shared.
	 */
	bool reuse_maps;
	/*
	 * With reuse_maps: a map of the same name but another shape is removed
	 * and made anew from this object (its contents lost; a program still
	 * running on the old one keeps it until it closes).  Without it such a
	 * map is an error that says how the shapes differ.
	 */
	bool recreate_maps;
	/* Remove the maps this object created when it is closed. */
	bool unlink_on_close;
	/*
	 * max_entries set at load time, as a loader's bpf_map__set_max_entries()
	 * (uxdp --map-size, `map-size` config lines).  A name that is no map of
	 * the object is an error, and so is a new size for an array: its
	 * bound is compiled into inlined lookups (uxdpc --map-size sets it).
	 */
	const struct uxdp_map_size *map_sizes;
	size_t n_map_sizes;
	/*
	 * Bind programs that are not confined (uxdp_meta_prog.confinement 0:
	 * compiled with --unsafe-no-bounds-checks or --raw).  Without it such
	 * an object is refused (-EPERM) with a message naming the program.
	 */
	bool trust_unverified;
};

struct uxdp_map_size {
	const char *name;
	uint32_t max_entries;
};

struct uxdp_program {
	const char *name;      /* function name */
	const char *section;   /* ELF section in the BPF object, e.g. "xdp" */
	const char *object;    /* the BPF object's file name */
	uint32_t type;         /* enum uxdp_prog_type */
	uint32_t flags;        /* UXDP_PROG_F_* */
	uint32_t index;        /* position in the object's list; a prog_array value */
	uxdp_prog_fn fn;       /* UXDP_PROG_XDP: call with a struct uxdp_ctx */
	/*
	 * If not NULL, the datapath adds what this program counted (packets and
	 * bytes per verdict) here, with relaxed atomic adds, whenever a worker
	 * running it flushes its counters: the counts of one program version.
	 * Must stay valid as long as a worker may flush (the data plane's life).
	 */
	struct uxdp_stats *counters;
	uint32_t confinement;  /* UXDP_CONFINE_* (object_format.h): how it was checked */
};

/* Open the object at path; opts may be NULL.  *out is closed by uxdp_object_close(). */
int uxdp_object_open(const char *path, const struct uxdp_object_opts *opts,
		     struct uxdp_object **out, char *err, size_t err_size);
/*
 * Bind the objects linked statically into this executable
 * (`cc prog.aot.o main.c -luxdp ...`, docs/static-linking.md): the same as
 * uxdp_object_open() on the records the linker gathered between
 * __start_uxdp_meta and __stop_uxdp_meta, all of them as one object.  The
 * map slots are the executable's globals, so only one such binding can be
 * open at a time (-EBUSY); close clears the slots.  -ENOENT when no compiled
 * object is linked in.
 */
int uxdp_object_open_linked(const struct uxdp_object_opts *opts, struct uxdp_object **out,
			    char *err, size_t err_size);
/* All programs of the object, in metadata order; returns how many. */
size_t uxdp_object_programs(const struct uxdp_object *obj, const struct uxdp_program **progs);
/*
 * The program called name, or with name NULL the only XDP program (NULL if
 * there are several, so that the user must choose).
 */
const struct uxdp_program *uxdp_object_program(const struct uxdp_object *obj, const char *name);
/* The map called name (as in the metadata), or NULL.  Owned by obj. */
struct uxdp_map *uxdp_object_map(const struct uxdp_object *obj, const char *name);
/*
 * The instance's ids of the object's maps (those it binds, global data and
 * constant sections included), at most cap stored; returns how many there are.
 */
size_t uxdp_object_map_ids(const struct uxdp_object *obj, uint32_t *ids, size_t cap);
/*
 * Remove from the instance the read-only global-data maps (.rodata) the
 * object made for itself, as the kernel frees a program's own .rodata map
 * with it; a name that a later open took for its own map stays.  Whoever
 * has them mapped keeps them.  NULL is allowed.
 */
void uxdp_object_unlink_constants(struct uxdp_object *obj);
/*
 * Remove from the instance the writable global-data maps (.data*, .bss*)
 * the object bound to without making them (a loader's own maps, handed
 * over with its program), by their own names, unless their id is in keep
 * (another program binds them) or the name now names another map.
 */
void uxdp_object_unlink_bound_data(struct uxdp_object *obj, const uint32_t *keep, size_t n_keep);
/* Unbind and unmap; the maps stay unless unlink_on_close.  NULL is allowed. */
void uxdp_object_close(struct uxdp_object *obj);

/*
 * The resolver uxdp_object_open() uses: uxdp_helper_* from helpers.h and
 * the few libc functions LLVM may call (memcpy, memmove, memset, memcmp, bcmp).
 * arg is unused.  Exported for tools that load objects themselves.
 */
void *uxdp_runtime_resolve(const char *name, void *arg);

/* ---------------------------------------------------------- confinement */

/*
 * Runs of a program that a failed run-time check ended as XDP_ABORTED
 * (docs/confinement.md): how many, why, and the eBPF instruction of the
 * last one.  Counted over every worker since the object was bound.
 */
struct uxdp_confine_stats {
	uint64_t aborts;
	uint64_t by_reason[UXDP_CONFINE_NR_REASONS]; /* enum uxdp_confine_reason */
	uint32_t last_insn;
	uint32_t last_reason;
};

/* The counters of p; all zero for a program whose checks never failed. */
void uxdp_program_confine_stats(const struct uxdp_program *p, struct uxdp_confine_stats *out);
/* "packet access out of bounds", ... for enum uxdp_confine_reason. */
const char *uxdp_confine_reason_name(uint32_t reason);
/* "kernel verifier", "uxdp proof", "uxdp proof with run-time checks", "unconfined". */
const char *uxdp_confinement_name(uint32_t confinement);
/*
 * Ask every confined program running in this process to stop: the next
 * poll of its loop budget (within 1024 backward jumps) ends its run as
 * XDP_ABORTED, counted as UXDP_CONFINE_STOPPED.  Async-signal-safe: call it
 * from a SIGTERM/SIGINT handler.  Programs the kernel verified have no loop
 * budget and always end by themselves.  uxdp_clear_stop() undoes it.
 */
void uxdp_request_stop(void);
void uxdp_clear_stop(void);
bool uxdp_stop_is_requested(void);

/* Called by compiled programs (confine_abi.h), and by binding. */
void uxdp_confine_abort(struct uxdp_ctx *ctx, const void *entry, uint32_t insn, uint32_t reason);
uint32_t uxdp_confine_poll(struct uxdp_ctx *ctx);
int uxdp_confine_register(const void *entry);
void uxdp_confine_unregister(const void *entry);

#endif /* UXDP_RUNTIME_H */
