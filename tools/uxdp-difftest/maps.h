/* SPDX-License-Identifier: MIT */
/*
 * maps.h - one map of the program seen from both sides, and how it compares.
 */
#ifndef UXDP_DIFFTEST_MAPS_H
#define UXDP_DIFFTEST_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpf_map;
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
	struct bpf_map *kmap;
	int kfd;
	struct uxdp_map *umap;
	enum dmap_cmp cmp;
	const char *why_not;
	bool percpu;
	bool fd_array;         /* every index is a key; empty slots read -ENOENT */
	bool per_packet;       /* the program can change it: compare after each packet */
	struct ring_buffer *krb;
	struct reclist krecs, urecs;
};

/* Set cmp, percpu, fd_array and per_packet from type and map_flags. */
void dmap_classify(struct dmap *m);
/* 0 if both sides agree, DT_EXIT_DIFF after printing the difference, or DT_EXIT_ERROR. */
int dmap_compare(const struct dt_ctx *dt, struct dmap *m);
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
