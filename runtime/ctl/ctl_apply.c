// SPDX-License-Identifier: MIT
/*
 * ctl_apply.c - write parsed `map` lines into an instance's maps: what
 * `uxdpctl apply` and `uxdpctl map update` do, and what `uxdp --config`
 * does once the program's maps exist.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uxdp/ctl.h>
#include <uxdp/map.h>

/* Format one error line into err; returns -errno_val so callers can `return fail(...)`. */
static int fail(char *err, size_t err_size, int errno_val, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t err_size, int errno_val, const char *fmt, ...)
{
	va_list ap;

	if (err && err_size) {
		va_start(ap, fmt);
		vsnprintf(err, err_size, fmt, ap);
		va_end(ap);
	}
	return errno_val;
}

static bool is_queue(uint32_t type)
{
	return type == BPF_MAP_TYPE_QUEUE || type == BPF_MAP_TYPE_STACK;
}

const char *uxdp_ctl_strerror(int err)
{
	switch (err) {
	case -ENOENT: return "no such entry";
	case -EEXIST: return "entry exists (noexist)";
	case -E2BIG: return "map full, or index out of range";
	case -EOPNOTSUPP: return "not supported by this map type";
	default: return strerror(-err);
	}
}

/*
 * The control-plane value for a parsed one: as is if it has the full size,
 * and for a per-CPU map a single value_size value is copied to every CPU.
 */
static int full_value(struct uxdp_map *m, const struct uxdp_map_info *info, const uint8_t *v,
		      size_t len, const char *where, uint8_t **out, char *err, size_t err_size)
{
	size_t bytes = uxdp_map_value_bytes(m), stride = (info->value_size + 7) & ~(size_t)7;
	bool percpu = uxdp_ctl_map_is_percpu(info->type);
	unsigned int cpu;

	if (len != bytes && !(percpu && len == info->value_size)) {
		if (percpu)
			return fail(err, err_size, -EINVAL,
				    "%s%s: value is %zu bytes, the map's value size is %u "
				    "(or %zu for all %u CPUs)", where, info->name, len,
				    info->value_size, bytes, info->ncpus);
		return fail(err, err_size, -EINVAL,
			    "%s%s: value is %zu bytes, the map's value size is %u", where,
			    info->name, len, info->value_size);
	}
	*out = calloc(1, bytes ? bytes : 1);
	if (!*out)
		return fail(err, err_size, -ENOMEM, "out of memory");
	if (len == bytes)
		memcpy(*out, v, len);
	else
		for (cpu = 0; cpu < info->ncpus; cpu++)
			memcpy(*out + cpu * stride, v, len);
	return 0;
}

static int open_map(const char *instance, const char *name, const char *where,
		    struct uxdp_map **m, char *err, size_t err_size)
{
	int ret = uxdp_map_open(instance, name, m);

	if (ret)
		return fail(err, err_size, ret, "%s%s: %s", where, name,
			    ret == -ENOENT || ret == -EINVAL ? "no such map"
			    : uxdp_map_last_error()	     ? uxdp_map_last_error()
							     : strerror(-ret));
	return 0;
}

/* Write entry e into m (whose name e->map is). */
static int apply_to(struct uxdp_map *m, const struct uxdp_ctl_entry *e, const char *where,
		    char *err, size_t err_size)
{
	struct uxdp_map_info info;
	uint8_t *value = NULL;
	int ret;

	uxdp_map_get_info(m, &info);
	if (is_queue(info.type)) {
		/* A queue/stack update is a push; a key, if given, is ignored as bpf(2) does. */
		if (e->value_len != info.value_size)
			ret = fail(err, err_size, -EINVAL,
				   "%s%s: value is %zu bytes, the map's value size is %u", where,
				   e->map, e->value_len, info.value_size);
		else if ((ret = uxdp_map_push(m, e->value, e->flags)))
			ret = fail(err, err_size, ret, "%s%s: push: %s", where, e->map,
				   uxdp_ctl_strerror(ret));
		goto out;
	}
	if (!e->key) {
		ret = fail(err, err_size, -EINVAL, "%s%s: a %s map needs a key", where, e->map,
			   uxdp_ctl_map_type_name(info.type));
		goto out;
	}
	if (e->key_len != info.key_size) {
		ret = fail(err, err_size, -EINVAL,
			   "%s%s: key is %zu bytes, the map's key size is %u", where, e->map,
			   e->key_len, info.key_size);
		goto out;
	}
	ret = full_value(m, &info, e->value, e->value_len, where, &value, err, err_size);
	if (ret)
		goto out;
	ret = uxdp_map_update_elem(m, e->key, value, e->flags);
	if (ret)
		ret = fail(err, err_size, ret, "%s%s: update: %s", where, e->map,
			   uxdp_ctl_strerror(ret));
out:
	free(value);
	return ret;
}

int uxdp_ctl_apply_entry(const char *instance, const struct uxdp_ctl_entry *e, const char *where,
			 char *err, size_t err_size)
{
	struct uxdp_map *m;
	int ret = open_map(instance, e->map, where, &m, err, err_size);

	if (ret)
		return ret;
	ret = apply_to(m, e, where, err, err_size);
	uxdp_map_close(m);
	return ret;
}

/*
 * The maps a file writes, opened once each: a file of thousands of entries
 * (a rule set) would otherwise map and check a segment per line.
 */
#define OPEN_MAPS_MAX 64

struct open_maps {
	unsigned int n;
	char *name[OPEN_MAPS_MAX];
	struct uxdp_map *map[OPEN_MAPS_MAX];
};

static int cached_map(struct open_maps *c, const char *instance, const char *name,
		      const char *where, struct uxdp_map **m, char *err, size_t err_size)
{
	int ret;

	for (unsigned int i = 0; i < c->n; i++) {
		if (!strcmp(c->name[i], name)) {
			*m = c->map[i];
			return 0;
		}
	}
	ret = open_map(instance, name, where, m, err, err_size);
	if (ret || c->n == OPEN_MAPS_MAX)
		return ret; /* a full cache: the caller closes this one */
	c->name[c->n] = strdup(name);
	if (!c->name[c->n])
		return 0;
	c->map[c->n++] = *m;
	return 0;
}

static bool is_cached(const struct open_maps *c, const struct uxdp_map *m)
{
	for (unsigned int i = 0; i < c->n; i++)
		if (c->map[i] == m)
			return true;
	return false;
}

static void close_maps(struct open_maps *c)
{
	for (unsigned int i = 0; i < c->n; i++) {
		uxdp_map_close(c->map[i]);
		free(c->name[i]);
	}
	c->n = 0;
}

#define MAX_WORDS 4096

static int apply_line(struct open_maps *c, const char *instance, const char *path, int line,
		      int n, char **tok, char *err, size_t err_size)
{
	char perr[320], where[300];
	struct uxdp_ctl_parse p = { .instance = instance, .err = perr, .err_size = sizeof(perr) };
	struct uxdp_ctl_entry e;
	struct uxdp_map *m;
	int ret;

	snprintf(where, sizeof(where), "%s:%d: map ", path, line);
	if (!strcmp(tok[0], "prog_array")) {
		/* Only the running process knows program names; a number is an index. */
		char *end, *words[8] = { "map", NULL, "key", "u32", NULL, "value", "u32", NULL };

		if (n != 4)
			return fail(err, err_size, -EINVAL,
				    "%s:%d: usage: prog_array MAP INDEX PROGRAM-INDEX", path, line);
		strtoul(tok[3], &end, 0);
		if (*end || end == tok[3])
			return fail(err, err_size, -EINVAL,
				    "%s:%d: prog_array: takes program indexes, not names ('%s')",
				    path, line, tok[3]);
		words[1] = tok[1];
		words[4] = tok[2];
		words[7] = tok[3];
		tok = words;
		n = 8;
	} else if (strcmp(tok[0], "map")) {
		return fail(err, err_size, -EINVAL, "%s:%d: unknown directive '%s' (map, prog_array)",
			    path, line, tok[0]);
	}
	ret = uxdp_ctl_parse_entry(&p, n, tok, &e);
	if (ret)
		return fail(err, err_size, ret, "%s:%d: %s", path, line, perr);
	ret = cached_map(c, instance, e.map, where, &m, err, err_size);
	if (!ret) {
		ret = apply_to(m, &e, where, err, err_size);
		if (!is_cached(c, m))
			uxdp_map_close(m);
	}
	uxdp_ctl_entry_free(&e);
	return ret;
}

int uxdp_ctl_apply_file(const char *instance, const char *path, char *err, size_t err_size)
{
	char *line = NULL, *tok[MAX_WORDS], *s, *save;
	struct open_maps maps = { 0 };
	size_t cap = 0;
	int ret = 0, n, lineno = 0;
	FILE *f;

	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		ret = -errno;
		return fail(err, err_size, ret, "%s: %s", path, strerror(-ret));
	}
	while (!ret && getline(&line, &cap, f) >= 0) {
		lineno++;
		if ((s = strchr(line, '#')))
			*s = '\0';
		n = 0;
		for (s = strtok_r(line, " \t\r\n", &save); s && n < MAX_WORDS;
		     s = strtok_r(NULL, " \t\r\n", &save))
			tok[n++] = s;
		if (n)
			ret = apply_line(&maps, instance, path, lineno, n, tok, err, err_size);
	}
	close_maps(&maps);
	free(line);
	if (f != stdin)
		fclose(f);
	return ret;
}
