/* SPDX-License-Identifier: MIT */
/*
 * btf_fmt.h - map entries formatted by their BTF, as bpftool prints them:
 * the plain output of `map dump`/`map lookup` (bpftool's JSON-like text with
 * its indentation) and the "formatted" member of -j output.
 *
 * The BTF is the map's own (uxdp_map_btf(), object_format.h), read from
 * shared memory: it is parsed by libbpf, its type ids and sizes are checked
 * against the map's key and value sizes, and every read the formatter makes
 * is bounded by the bytes of the key or value, so a damaged blob gives an
 * error or hex, never a read outside the buffers.
 */
#ifndef UXDPCTL_BTF_FMT_H
#define UXDPCTL_BTF_FMT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <uxdp/map.h>

struct btf;

struct btf_fmt {
	struct btf *btf;
	uint32_t key_id; /* 0: the key is not formatted */
	uint32_t value_id;
	uint32_t key_size, value_size;
	unsigned int ncpus; /* per-CPU maps: values per key; else 0 */
};

/* 0, -ENOENT when the map has no (usable) BTF; release with btf_fmt_close(). */
int btf_fmt_open(struct uxdp_map *map, const struct uxdp_map_info *info, struct btf_fmt *f);
void btf_fmt_close(struct btf_fmt *f);

/*
 * bpftool's plain output: btf_fmt_begin_list() and btf_fmt_end_list() around
 * the entries of a dump, or btf_fmt_entry() alone then btf_fmt_end() for a
 * lookup.  value holds ncpus values, 8-aligned, for a per-CPU map.
 */
struct btf_fmt_out;
struct btf_fmt_out *btf_fmt_plain(FILE *out);
void btf_fmt_begin_list(struct btf_fmt_out *o);
void btf_fmt_end_list(struct btf_fmt_out *o);
int btf_fmt_entry(struct btf_fmt_out *o, const struct btf_fmt *f, const void *key,
		  const void *value);
/* Ends the document (a newline) and frees o. */
void btf_fmt_end(struct btf_fmt_out *o);

/*
 * The "formatted" object of bpftool -j for one entry, as compact JSON in a
 * string the caller frees; NULL when it cannot be formatted.
 */
char *btf_fmt_json(const struct btf_fmt *f, const void *key, const void *value);

#endif /* UXDPCTL_BTF_FMT_H */
