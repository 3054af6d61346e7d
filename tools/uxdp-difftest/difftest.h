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

/* ---- reading the capture (pcap_in.c; apart, as pcap.h and linux/bpf.h clash) ---- */

struct pcap_in;

/* NULL with a message in err on failure. */
struct pcap_in *pcap_in_open(const char *path, char *err, size_t err_size);
/* 1 with the next packet (its captured bytes), 0 at the end, -1 on error. */
int pcap_in_next(struct pcap_in *p, const uint8_t **data, size_t *len);
const char *pcap_in_error(struct pcap_in *p);
void pcap_in_close(struct pcap_in *p);

#endif /* UXDP_DIFFTEST_H */
