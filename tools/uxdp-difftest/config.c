// SPDX-License-Identifier: MIT
/*
 * config.c - the map seeding file of uxdp-difftest (README.md describes it).
 *
 * The words are uxdpctl's (uxdp_ctl_parse_entry in uxdp/ctl.h), so the two
 * tools read the same files.  Two things are difftest's own: `value map NAME`
 * stays a name (the kernel side needs the map's fd, the uxdp side its id), and
 * a prog_array line names a program.  `map-size NAME N` is uxdp's own line
 * (uxdp_ctl_read_map_sizes), applied before load (map_sizes.c).  Sizes are checked against the map only
 * when the entry is applied, since only the loaded objects know them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <uxdp/ctl.h>

#include "difftest.h"

_Static_assert(DT_NAME_LEN == UXDP_CTL_NAME_LEN, "cfg_entry names are uxdp_ctl_entry names");

#define MAX_TOKENS 1024
#define WS " \t\r\n"

struct parse {
	const char *path;
	int line;
	char *err;
	size_t err_size;
};

static int perr(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int perr(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->err_size, "%s:%d: ", p->path, p->line);
	if (n >= 0 && (size_t)n < p->err_size) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->err_size - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int copy_name(struct parse *p, char *dst, const char *src)
{
	if (strlen(src) >= DT_NAME_LEN)
		return perr(p, "name '%s' too long", src);
	strcpy(dst, src);
	return 0;
}

static int parse_map(struct parse *p, char **tok, int n, struct cfg_entry *e)
{
	char msg[256];
	struct uxdp_ctl_parse cp = { .err = msg, .err_size = sizeof(msg), .map_by_name = true };
	struct uxdp_ctl_entry ce;

	/* uxdpctl lets a queue push go without a key; difftest wants `key zero 0`. */
	if (n == 2 || (n > 2 && strcmp(tok[2], "key")))
		return perr(p, "expected 'key' after the map name");
	if (uxdp_ctl_parse_entry(&cp, n, tok, &ce))
		return perr(p, "%s", msg);
	strcpy(e->map, ce.map);
	strcpy(e->value_map, ce.value_map);
	e->key = ce.key;
	e->key_len = ce.key_len;
	e->value = ce.value;
	e->value_len = ce.value_len;
	e->flags = ce.flags;
	return 0;
}

static int parse_prog_array(struct parse *p, char **tok, int n, struct cfg_entry *e)
{
	char msg[256];
	struct uxdp_ctl_parse cp = { .err = msg, .err_size = sizeof(msg) };
	uint64_t idx = 0;
	int ret;

	if (n != 4)
		return perr(p, "usage: prog_array NAME INDEX PROGNAME");
	ret = copy_name(p, e->map, tok[1]);
	if (!ret && uxdp_ctl_parse_uint(&cp, tok[2], UINT32_MAX, &idx))
		ret = perr(p, "%s", msg);
	if (!ret)
		ret = copy_name(p, e->prog, tok[3]);
	e->index = (uint32_t)idx;
	return ret;
}

/* global VAR value FIELDS: the variable's new bytes. */
static int parse_global(struct parse *p, char **tok, int n, struct cfg_entry *e)
{
	char msg[256];
	struct uxdp_ctl_parse cp = { .err = msg, .err_size = sizeof(msg) };
	int pos = 3, ret;

	if (n < 4 || strcmp(tok[2], "value"))
		return perr(p, "usage: global VAR value FIELDS");
	ret = copy_name(p, e->var, tok[1]);
	if (ret)
		return ret;
	e->value = malloc(UXDP_CTL_MAX_BYTES);
	if (!e->value)
		return perr(p, "out of memory");
	if (uxdp_ctl_parse_fields(&cp, n, tok, &pos, e->value, UXDP_CTL_MAX_BYTES, &e->value_len))
		return perr(p, "%s", msg);
	if (pos != n)
		return perr(p, "unexpected '%s' after the value", tok[pos]);
	return 0;
}

/* N of a map size, 1..UINT32_MAX (shared with --map-size; uxdp-bench links this file alone). */
int dt_parse_size(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	/* As uxdp's config reader: a negative number wraps above UINT32_MAX. */
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || end == s || !v || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* map-size NAME N: uxdp's config line (uxdp_ctl_read_map_sizes), N in 1..UINT32_MAX. */
static int parse_map_size(struct parse *p, char **tok, int n, struct cfg_entry *e)
{
	int ret;

	if (n != 3)
		return perr(p, "usage: map-size MAP MAX-ENTRIES");
	ret = copy_name(p, e->map, tok[1]);
	if (ret)
		return ret;
	if (dt_parse_size(tok[2], &e->max_entries))
		return perr(p, "map-size: '%s' is not a size (1..%u)", tok[2], UINT32_MAX);
	return 0;
}

void cfg_free(struct cfg *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].key);
		free(c->v[i].value);
	}
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

int cfg_parse(const char *path, struct cfg *c, char *err, size_t err_size)
{
	struct parse p = { .path = path, .err = err, .err_size = err_size };
	char *line = NULL, *tok[MAX_TOKENS];
	size_t cap = 0, vcap = 0;
	FILE *f;
	int ret = 0;

	memset(c, 0, sizeof(*c));
	c->path = path;
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		return -errno;
	}
	while (!ret && getline(&line, &cap, f) >= 0) {
		struct cfg_entry *e;
		char *s, *save = NULL, *hash = strchr(line, '#');
		int n = 0;

		p.line++;
		if (hash)
			*hash = '\0';
		for (s = strtok_r(line, WS, &save); s; s = strtok_r(NULL, WS, &save)) {
			if (n == MAX_TOKENS) {
				ret = perr(&p, "more than %d words", MAX_TOKENS);
				break;
			}
			tok[n++] = s;
		}
		if (ret || !n)
			continue;
		if (c->n == vcap) {
			struct cfg_entry *g = realloc(c->v, (vcap ? vcap * 2 : 16) * sizeof(*g));

			if (!g) {
				ret = perr(&p, "out of memory");
				break;
			}
			c->v = g;
			vcap = vcap ? vcap * 2 : 16;
		}
		e = &c->v[c->n];
		memset(e, 0, sizeof(*e));
		e->line = p.line;
		if (!strcmp(tok[0], "map")) {
			e->kind = CFG_MAP;
			ret = parse_map(&p, tok, n, e);
		} else if (!strcmp(tok[0], "prog_array")) {
			e->kind = CFG_PROG_ARRAY;
			ret = parse_prog_array(&p, tok, n, e);
		} else if (!strcmp(tok[0], "global")) {
			e->kind = CFG_GLOBAL;
			ret = parse_global(&p, tok, n, e);
		} else if (!strcmp(tok[0], "map-size")) {
			e->kind = CFG_MAP_SIZE;
			ret = parse_map_size(&p, tok, n, e);
		} else {
			ret = perr(&p, "unknown directive '%s' (map, prog_array, global, map-size)",
				   tok[0]);
		}
		c->n++; /* even on error, so that cfg_free frees what was parsed */
	}
	free(line);
	fclose(f);
	if (ret)
		cfg_free(c);
	return ret;
}
