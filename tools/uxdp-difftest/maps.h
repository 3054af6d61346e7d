/* SPDX-License-Identifier: MIT */
/*
 * maps.h - one map of the program seen from both sides, and how it compares.
 */
#ifndef UXDP_DIFFTEST_MAPS_H
#define UXDP_DIFFTEST_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dirty.h"

struct dt_kmap;
struct ring_buffer;
struct uxdp_map;
struct dt_ctx;

enum dmap_cmp {
	CMP_KV,         /* keys and values byte for byte */
	CMP_PROG_ARRAY, /* values are programs: compared by name */
	CMP_MAP_IN_MAP, /* values are maps: compared by name */
	CMP_RINGBUF,    /* records drained after each packet */
	CMP_QUEUE,      /* contents popped, compared and pushed back */
	CMP_NONE,       /* not comparable: why_not says why */
};

struct rec {
	uint8_t *data;
	size_t size;
};

struct reclist {
	struct rec *v;
	size_t n, cap;
};

struct dmap {
	char name[64];         /* uxdp's name: the section name for global data */
	uint32_t type, key_size, value_size, max_entries, map_flags;
	unsigned int ncpus;    /* per-CPU maps: CPUs on both sides, else 1 */
	size_t vbytes;         /* control-plane value size (all CPUs) */
	const struct dt_kmap *kmap; /* the kernel side's map (difftest.h) */
	int kfd;
	struct uxdp_map *umap;
	enum dmap_cmp cmp;
	const char *why_not;
	bool percpu;
	bool fd_array;         /* every index is a key; empty slots read -ENOENT */
	bool per_packet;       /* the program can change it: compare after each packet */
	struct ring_buffer *krb;
	struct reclist krecs, urecs;

	/* Reading in place: the kernel's array when mmapable (NULL otherwise). */
	const uint8_t *kmem;
	size_t kmem_size;
	/* Too many entries to compare in full after every packet (main.c's schedule). */
	bool large;
	double full_cost;           /* seconds the last full comparison took */
	struct dt_dirty dirty;      /* a large array: the uxdp pages written per packet */
	uint64_t written_checked;   /* elements compared because uxdp wrote their page */
	uint64_t full_packet;       /* ... and the packet it followed (0: setup) */
};

/*
 * A map whose entries (keys and control-plane values, at max_entries) take
 * more bytes is large: a full comparison reads it all on both sides, a few
 * milliseconds per MiB, too slow after every packet.  See main.c's schedule.
 */
#define DT_LARGE_MAP_BYTES (1u << 20)

/* Set cmp, percpu, fd_array and per_packet from type and map_flags. */
void dmap_classify(struct dmap *m);
/* Once paired and classified: map the kernel's array if it can be, decide "large". */
int dmap_prepare(const struct dt_ctx *dt, struct dmap *m);
/* Free what dmap_prepare and the comparisons hold. */
void dmap_release(struct dmap *m);
/* 0 if both sides agree, DT_EXIT_DIFF after printing the difference, or DT_EXIT_ERROR. */
int dmap_compare(const struct dt_ctx *dt, struct dmap *m);
/* dmap_compare for CMP_KV maps that hold plain data (maps_kv.c): arrays read
 * in place, the kernel's hash maps by batches. */
int dmap_compare_data(const struct dt_ctx *dt, struct dmap *m);
/* A tracked large array: the elements on the pages uxdp wrote since the last call. */
int dmap_compare_written(const struct dt_ctx *dt, struct dmap *m);
/* Shared by both ways of comparing (maps.c). */
int dmap_report_value(const struct dt_ctx *dt, struct dmap *m, const uint8_t *key,
		      const uint8_t *kv, const uint8_t *uv);
bool dmap_same_value(const struct dt_ctx *dt, const struct dmap *m, const uint8_t *kv,
		     const uint8_t *uv);
void dmap_key_line(FILE *f, const struct dmap *m, const uint8_t *key);
const char *dmap_type_name(uint32_t type);
/* ring_buffer__new() sample callback; ctx is a struct reclist. */
int dmap_kernel_ringbuf_cb(void *ctx, void *data, size_t size);
void rec_clear(struct reclist *l);

/* ---- provided by main.c ---- */

/* Print "difftest: <where>: <what>" for the first difference. */
void dt_diff_header(const struct dt_ctx *dt, const char *what);
/* Print an error and return DT_EXIT_ERROR. */
int dt_error(const struct dt_ctx *dt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The program a prog_array value names (kernel: prog id, uxdp: index). */
void dt_prog_name(const struct dt_ctx *dt, bool kernel, uint32_t h, char *out, size_t size);
/* The map a map-in-map value names (kernel: map id, uxdp: map id in our instance). */
void dt_map_name(const struct dt_ctx *dt, bool kernel, uint32_t h, char *out, size_t size);

#endif /* UXDP_DIFFTEST_MAPS_H */
