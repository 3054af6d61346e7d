/* SPDX-License-Identifier: MIT */
/*
 * uxdp_json.h - the project's one JSON writer (library uxdp_json), for every
 * tool that prints or writes JSON.
 *
 * A streaming writer, like bpftool's json_writer: values go to the FILE as
 * they are written, so that a dump of a million-entry map or a followed ring
 * buffer needs no tree in memory, and unsigned 64-bit values print exactly
 * (the JSON libraries Debian ships either build a tree, or, like jansson,
 * hold integers as signed 64-bit).  Compact output is bpftool's -j,
 * pretty output (4 spaces) its -p.
 *
 * The caller nests open/close correctly and writes a key before every
 * value inside an object; the writer adds commas, quotes and escapes.
 * Nesting deeper than UXDP_JSON_DEPTH is still written, only the commas of
 * the levels past it are not tracked: keep documents shallower.
 */
#ifndef UXDP_JSON_H
#define UXDP_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define UXDP_JSON_DEPTH 32

struct uxdp_json {
	FILE *f;
	bool pretty;
	int depth;
	bool has_item[UXDP_JSON_DEPTH]; /* something written at this depth */
	bool after_key;
};

void uxdp_json_init(struct uxdp_json *j, FILE *f, bool pretty);
void uxdp_json_open(struct uxdp_json *j, char brace);  /* '{' or '[' */
void uxdp_json_close(struct uxdp_json *j, char brace); /* '}' or ']' */
void uxdp_json_key(struct uxdp_json *j, const char *key);
/* A string: quotes, backslashes and control characters escaped; other bytes as they are. */
void uxdp_json_str(struct uxdp_json *j, const char *s);
void uxdp_json_strf(struct uxdp_json *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void uxdp_json_uint(struct uxdp_json *j, uint64_t v);
void uxdp_json_int(struct uxdp_json *j, int64_t v);
/* v with this many decimals; NaN and infinities, which JSON lacks, as null. */
void uxdp_json_double(struct uxdp_json *j, double v, int decimals);
void uxdp_json_bool(struct uxdp_json *j, bool v);
void uxdp_json_null(struct uxdp_json *j);
/* A value already in JSON (the caller vouches for it), written as it is. */
void uxdp_json_raw(struct uxdp_json *j, const char *json);
/* Bytes as bpftool's JSON without BTF: ["0x0a","0x00",...]. */
void uxdp_json_hex(struct uxdp_json *j, const void *data, size_t n);
/* Shorthands for a member of an object: key, then value. */
void uxdp_json_kv_str(struct uxdp_json *j, const char *key, const char *s);
void uxdp_json_kv_uint(struct uxdp_json *j, const char *key, uint64_t v);
void uxdp_json_kv_double(struct uxdp_json *j, const char *key, double v, int decimals);
void uxdp_json_kv_bool(struct uxdp_json *j, const char *key, bool v);
/* End a top-level document: newline and flush.  The writer is ready for the next one. */
void uxdp_json_end(struct uxdp_json *j);

#endif /* UXDP_JSON_H */
