/* SPDX-License-Identifier: MIT */
/*
 * ctl.h - the control plane's words: key/value syntax and bpftool-style
 * printing, shared by uxdpctl and other tools (library uxdp_ctl, runtime/ctl;
 * tools/uxdpctl/README.md is the reference).  JSON goes through the
 * project's writer, tools/json/uxdp_json.h.
 *
 * A key or value is a run of fields concatenated into bytes:
 *
 *	10 0 0 1               bytes, decimal/0x-hex/octal each (bpftool)
 *	hex 0a 00 00 01        hex bytes (bpftool); "0a000001" or "0x0a000001" too
 *	u8|u16|u32|u64 N       little-endian integer (the BPF target's order here)
 *	be16|be32|be64 N       network-order integer
 *	ipv4|ip4 A, ipv6|ip6 A address, network order
 *	prefix A/LEN           LPM trie key: u32 prefixlen, then the address bytes
 *	mac aa:bb:cc:dd:ee:ff  6 bytes
 *	zero N                 N zero bytes
 *	map NAME               the id of map NAME (map-in-map values); whole value
 *
 * The same syntax is what uxdp-difftest --config reads.  Errors: 0 or a
 * negative errno with one line in err; nothing here exits.
 */
#ifndef UXDP_CTL_H
#define UXDP_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define UXDP_CTL_MAX_BYTES 65536
#define UXDP_CTL_NAME_LEN 64 /* map names, with the NUL */

struct uxdp_ctl_parse {
	const char *instance;  /* where `map NAME` is looked up; NULL: "default" */
	char *err;
	size_t err_size;
	/*
	 * Set: `map NAME` is not looked up but left to the caller, which
	 * resolves it itself (uxdp-difftest: an fd in the kernel, an id in
	 * uxdp).  Such a run has no bytes and puts NAME in map_name.
	 */
	bool map_by_name;
	char map_name[UXDP_CTL_NAME_LEN]; /* out, with map_by_name: "" or NAME */
};

/*
 * Parse fields from argv[*pos] on into out (cap bytes), up to the end or a
 * word that ends a run: key, value, flags, any, exist, noexist.  *pos is
 * left on that word.  An empty run is an error.
 */
int uxdp_ctl_parse_fields(struct uxdp_ctl_parse *p, int argc, char **argv, int *pos, uint8_t *out,
			  size_t cap, size_t *len);
/*
 * A number as a field takes it (decimal, 0x hex or octal) up to max, which
 * is 2^N-1: a negative one is two's complement in N bits.
 */
int uxdp_ctl_parse_uint(struct uxdp_ctl_parse *p, const char *word, uint64_t max, uint64_t *v);
/* "any", "exist", "noexist" -> BPF_ANY...; -EINVAL otherwise. */
int uxdp_ctl_parse_flag(const char *word, uint64_t *flags);

/*
 * One `map` line of a config file (or the words after `uxdpctl apply`-style
 * input): `map NAME [key FIELDS] value FIELDS [any|exist|noexist|flags F]`.
 * tok[0] is "map".  key/value are allocated (caller frees, key may be NULL).
 * With p->map_by_name, `value map NAME` gives an empty value and NAME in
 * value_map, and `map NAME` in a key is an error.
 */
struct uxdp_ctl_entry {
	char map[UXDP_CTL_NAME_LEN];
	uint8_t *key, *value;
	size_t key_len, value_len;
	uint64_t flags;
	char value_map[UXDP_CTL_NAME_LEN]; /* map_by_name only: "" or the map the value names */
};
int uxdp_ctl_parse_entry(struct uxdp_ctl_parse *p, int ntok, char **tok, struct uxdp_ctl_entry *e);
void uxdp_ctl_entry_free(struct uxdp_ctl_entry *e);

/*
 * Write a parsed entry into map e->map of instance (NULL: "default"): an
 * update, or a push for a queue/stack; a single value of a per-CPU map goes
 * to every CPU.  where starts the error line ("FILE:LINE: map ").  The entry
 * must be parsed without map_by_name.
 */
int uxdp_ctl_apply_entry(const char *instance, const struct uxdp_ctl_entry *e, const char *where,
			 char *err, size_t err_size);
/*
 * The programs that a config's prog_array lines may name: names[i] is the
 * name of program index i (uxdp_program.index).  Only the process that
 * bound the object knows them (uxdp --config); without a table (uxdpctl
 * apply) a program is given by its index.
 */
struct uxdp_ctl_progs {
	const char *const *names;
	size_t n;
};
/*
 * Apply a config file ("-": stdin): `map ...` lines as above and
 * `prog_array MAP INDEX PROGRAM` (PROGRAM a program index, or a name of
 * progs; progs may be NULL), `#` comments.  Stops at the first error, whose
 * line starts "FILE:LINE: ".  The maps must exist already.  `map-size MAP
 * N` lines (load-time sizes, read by uxdp before it creates the maps with
 * uxdp_ctl_read_map_sizes) are checked against the map.
 */
int uxdp_ctl_apply_file(const char *instance, const char *path, const struct uxdp_ctl_progs *progs,
			char *err, size_t err_size);

/* The `map-size MAP N` lines of a config file, for uxdp_object_opts.map_sizes. */
struct uxdp_map_size;
struct uxdp_ctl_map_sizes {
	struct uxdp_map_size *sizes; /* names allocated */
	size_t n;
};
/* Append the file's map-size lines to *out (zeroed first by the caller). */
int uxdp_ctl_read_map_sizes(const char *path, struct uxdp_ctl_map_sizes *out, char *err,
			    size_t err_size);
void uxdp_ctl_map_sizes_free(struct uxdp_ctl_map_sizes *s);
/* The words for a map operation's -errno ("no such entry", ...). */
const char *uxdp_ctl_strerror(int err);

/*
 * bpftool's name of a BPF_MAP_TYPE_* ("hash", "percpu_array", ...): libbpf's
 * libbpf_bpf_map_type_str(), or "unknown" for a type this libbpf does not know.
 */
const char *uxdp_ctl_map_type_name(uint32_t type);
/* True for maps whose control-plane value holds one slot per CPU. */
bool uxdp_ctl_map_is_percpu(uint32_t type);

/* Hex bytes as bpftool prints them: "0a 00", two spaces every 8, newline every 16. */
void uxdp_ctl_fprint_hex(FILE *f, const void *data, size_t n);

#endif /* UXDP_CTL_H */
