// SPDX-License-Identifier: MIT
/*
 * ctl_apply.c - write parsed `map` lines into an instance's maps: what
 * `uxdpctl apply` and `uxdpctl map update` do, and what `uxdp --config`
 * does once the program's maps exist.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uxdp/ctl.h>
#include <uxdp/errmsg.h>
#include <uxdp/map.h>
#include <uxdp/runtime.h>

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
			return uxdp_errmsg(err, err_size, -EINVAL,
					   "%s%s: value is %zu bytes, the map's value size is %u "
					   "(or %zu for all %u CPUs)",
					   where, info->name, len, info->value_size, bytes,
					   info->ncpus);
		return uxdp_errmsg(err, err_size, -EINVAL,
				   "%s%s: value is %zu bytes, the map's value size is %u", where,
				   info->name, len, info->value_size);
	}
	*out = calloc(1, bytes ? bytes : 1);
	if (!*out)
		return uxdp_errmsg(err, err_size, -ENOMEM, "out of memory");
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
		return uxdp_errmsg(err, err_size, ret, "%s%s: %s", where, name,
				   ret == -ENOENT || ret == -EINVAL ? "no such map"
				   : uxdp_map_last_error()	    ? uxdp_map_last_error()
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
			ret = uxdp_errmsg(err, err_size, -EINVAL,
					  "%s%s: value is %zu bytes, the map's value size is %u",
					  where, e->map, e->value_len, info.value_size);
		else if ((ret = uxdp_map_push(m, e->value, e->flags)))
			ret = uxdp_errmsg(err, err_size, ret, "%s%s: push: %s", where, e->map,
					  uxdp_ctl_strerror(ret));
		goto out;
	}
	if (!e->key) {
		ret = uxdp_errmsg(err, err_size, -EINVAL, "%s%s: a %s map needs a key", where,
				  e->map, uxdp_ctl_map_type_name(info.type));
		goto out;
	}
	if (e->key_len != info.key_size) {
		ret = uxdp_errmsg(err, err_size, -EINVAL,
				  "%s%s: key is %zu bytes, the map's key size is %u", where, e->map,
				  e->key_len, info.key_size);
		goto out;
	}
	ret = full_value(m, &info, e->value, e->value_len, where, &value, err, err_size);
	if (ret)
		goto out;
	ret = uxdp_map_update_elem(m, e->key, value, e->flags);
	if (ret)
		ret = uxdp_errmsg(err, err_size, ret, "%s%s: update: %s", where, e->map,
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

/* `map-size MAP N`: a load-time size; N a positive 32-bit count. */
static int parse_map_size(const char *path, int line, int n, char **tok, uint32_t *size,
			  char *err, size_t err_size)
{
	char *end;
	unsigned long v;

	if (n != 3)
		return uxdp_errmsg(err, err_size, -EINVAL, "%s:%d: usage: map-size MAP MAX-ENTRIES",
				   path, line);
	errno = 0;
	v = strtoul(tok[2], &end, 0);
	if (errno || *end || end == tok[2] || !v || v > UINT32_MAX)
		return uxdp_errmsg(err, err_size, -EINVAL,
				   "%s:%d: map-size: '%s' is not a size (1..%u)", path, line,
				   tok[2], UINT32_MAX);
	*size = (uint32_t)v;
	return 0;
}

/*
 * A running map cannot change size: `map-size` is read by uxdp before it
 * creates the maps (uxdp_ctl_read_map_sizes); here it only checks.
 */
static int check_map_size(const char *instance, const char *path, int line, int n, char **tok,
			  char *err, size_t err_size)
{
	struct uxdp_map_info info;
	struct uxdp_map *m;
	uint32_t size;
	int ret = parse_map_size(path, line, n, tok, &size, err, err_size);

	if (ret)
		return ret;
	ret = uxdp_map_open(instance, tok[1], &m);
	if (ret)
		return uxdp_errmsg(err, err_size, ret, "%s:%d: map %s: %s", path, line, tok[1],
				   ret == -ENOENT || ret == -EINVAL ? "no such map"
								    : strerror(-ret));
	uxdp_map_get_info(m, &info);
	uxdp_map_close(m);
	if (info.max_entries != size)
		return uxdp_errmsg(err, err_size, -EINVAL,
				   "%s:%d: map %s has max_entries %u: map-size takes effect when "
				   "uxdp creates the map (uxdp --config)",
				   path, line, tok[1], info.max_entries);
	return 0;
}

/*
 * PROGRAM of a prog_array line as the index that the map stores, in buf: a
 * number is an index already; a name is looked up in progs (the object's
 * programs, known only to the process that bound it).
 */
static int prog_index_word(const struct uxdp_ctl_progs *progs, const char *word, char *buf,
			   size_t cap, const char *at, char *err, size_t err_size)
{
	size_t i, len;
	char *end;

	strtoul(word, &end, 0);
	if (!*end && end != word) {
		snprintf(buf, cap, "%s", word);
		return 0;
	}
	if (!progs)
		return uxdp_errmsg(err, err_size, -EINVAL,
				   "%sprog_array: '%s': a program index here (names need the "
				   "process that runs the object: uxdp --config)",
				   at, word);
	for (i = 0; i < progs->n; i++) {
		if (progs->names[i] && !strcmp(progs->names[i], word)) {
			snprintf(buf, cap, "%zu", i);
			return 0;
		}
	}
	len = (size_t)snprintf(err, err_size, "%sprog_array: no program '%s'; the object has:", at,
			       word);
	for (i = 0; i < progs->n && len < err_size; i++)
		len += (size_t)snprintf(err + len, err_size - len, " %s",
					progs->names[i] ? progs->names[i] : "?");
	return -ENOENT;
}

static int apply_line(struct open_maps *c, const char *instance,
		      const struct uxdp_ctl_progs *progs, const char *path, int line, int n,
		      char **tok, char *err, size_t err_size)
{
	char perr[320], where[300], at[280], idx[24];
	/* A prog_array line as the map line it stands for (tok points here after). */
	char *words[8] = { "map", NULL, "key", "u32", NULL, "value", "u32", idx };
	struct uxdp_ctl_parse p = { .instance = instance, .err = perr, .err_size = sizeof(perr) };
	struct uxdp_ctl_entry e;
	struct uxdp_map *m;
	int ret;

	snprintf(where, sizeof(where), "%s:%d: map ", path, line);
	snprintf(at, sizeof(at), "%s:%d: ", path, line);
	if (!strcmp(tok[0], "map-size"))
		return check_map_size(instance, path, line, n, tok, err, err_size);
	if (!strcmp(tok[0], "prog_array")) {
		if (n != 4)
			return uxdp_errmsg(err, err_size, -EINVAL,
					   "%susage: prog_array MAP INDEX PROGRAM (a name or an index)",
					   at);
		ret = prog_index_word(progs, tok[3], idx, sizeof(idx), at, err, err_size);
		if (ret)
			return ret;
		words[1] = tok[1];
		words[4] = tok[2];
		tok = words;
		n = 8;
	} else if (strcmp(tok[0], "map")) {
		return uxdp_errmsg(err, err_size, -EINVAL,
				   "%sunknown directive '%s' (map, prog_array, map-size)", at,
				   tok[0]);
	}
	ret = uxdp_ctl_parse_entry(&p, n, tok, &e);
	if (ret)
		return uxdp_errmsg(err, err_size, ret, "%s%s", at, perr);
	ret = cached_map(c, instance, e.map, where, &m, err, err_size);
	if (!ret) {
		ret = apply_to(m, &e, where, err, err_size);
		if (!is_cached(c, m))
			uxdp_map_close(m);
	}
	uxdp_ctl_entry_free(&e);
	return ret;
}

/* Call fn on the words of each non-empty line of path ("-": stdin), up to an error. */
static int for_each_line(const char *path, char *err, size_t err_size,
			 int (*fn)(int line, int n, char **tok, void *arg), void *arg)
{
	char *line = NULL, *tok[MAX_WORDS], *s, *save;
	size_t cap = 0;
	int ret = 0, n, lineno = 0;
	FILE *f;

	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		ret = -errno;
		return uxdp_errmsg(err, err_size, ret, "%s: %s", path, strerror(-ret));
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
			ret = fn(lineno, n, tok, arg);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return ret;
}

struct apply_ctx {
	const char *instance, *path;
	const struct uxdp_ctl_progs *progs;
	char *err;
	size_t err_size;
	struct open_maps maps; /* each map opened once per file */
};

static int apply_cb(int line, int n, char **tok, void *arg)
{
	struct apply_ctx *a = arg;

	return apply_line(&a->maps, a->instance, a->progs, a->path, line, n, tok, a->err,
			  a->err_size);
}

int uxdp_ctl_apply_file(const char *instance, const char *path, const struct uxdp_ctl_progs *progs,
			char *err, size_t err_size)
{
	struct apply_ctx a = { .instance = instance, .path = path, .progs = progs, .err = err,
			       .err_size = err_size };
	int ret = for_each_line(path, err, err_size, apply_cb, &a);

	close_maps(&a.maps);
	return ret;
}

struct sizes_ctx {
	const char *path;
	struct uxdp_ctl_map_sizes *out;
	char *err;
	size_t err_size;
};

static int sizes_cb(int line, int n, char **tok, void *arg)
{
	struct sizes_ctx *c = arg;
	struct uxdp_ctl_map_sizes *o = c->out;
	struct uxdp_map_size *v;
	uint32_t size;
	int ret;

	if (strcmp(tok[0], "map-size"))
		return 0;
	ret = parse_map_size(c->path, line, n, tok, &size, c->err, c->err_size);
	if (ret)
		return ret;
	v = realloc(o->sizes, (o->n + 1) * sizeof(*v));
	if (!v)
		return uxdp_errmsg(c->err, c->err_size, -ENOMEM, "out of memory");
	o->sizes = v;
	v[o->n].name = strdup(tok[1]);
	v[o->n].max_entries = size;
	if (!v[o->n].name)
		return uxdp_errmsg(c->err, c->err_size, -ENOMEM, "out of memory");
	o->n++;
	return 0;
}

int uxdp_ctl_read_map_sizes(const char *path, struct uxdp_ctl_map_sizes *out, char *err,
			    size_t err_size)
{
	struct sizes_ctx c = { path, out, err, err_size };

	return for_each_line(path, err, err_size, sizes_cb, &c);
}

void uxdp_ctl_map_sizes_free(struct uxdp_ctl_map_sizes *s)
{
	for (size_t k = 0; k < s->n; k++)
		free((char *)s->sizes[k].name);
	free(s->sizes);
	s->sizes = NULL;
	s->n = 0;
}
