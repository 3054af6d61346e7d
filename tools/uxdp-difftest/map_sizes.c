// SPDX-License-Identifier: MIT
/*
 * map_sizes.c - max_entries set at load time (--map-size NAME=N, config
 * `map-size NAME N`), for objects whose loader sizes a map before loading
 * and leaves it 0 in the ELF.
 *
 * One list, given to each side in its own form: libbpf's
 * bpf_map__set_max_entries() (kernel.c), uxdp_kload's resize option
 * (kernel_kload.c), uxdpc's --map-size (the compiled uxdp side: an array's
 * size is compiled into its lookups) and the runtime's map_sizes (an --aot
 * object's hash maps).  The sizes are checked once, before either side
 * loads anything, with uxdpc's front end: so a missing size is the same
 * one line whichever loader would have failed on it, kernel or not.
 */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include <uxdp/runtime.h>

#include "difftest.h"
#include "maps.h"
#include "uxdpc.h"

static struct dt_map_size *find(const struct dt_ctx *dt, const char *name)
{
	for (size_t i = 0; i < dt->n_sizes; i++)
		if (!strcmp(dt->sizes[i].name, name))
			return &dt->sizes[i];
	return NULL;
}

uint32_t dt_size_of(const struct dt_ctx *dt, const char *name)
{
	const struct dt_map_size *s = find(dt, name);

	return s ? s->max_entries : 0;
}

/* Set name's size; replace says whether a size already given gives way. */
static int set_size(struct dt_ctx *dt, const char *name, uint32_t n, bool replace)
{
	struct dt_map_size *s = find(dt, name);

	if (s) {
		if (replace)
			s->max_entries = n;
		return 0;
	}
	s = realloc(dt->sizes, (dt->n_sizes + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	dt->sizes = s;
	s = &dt->sizes[dt->n_sizes++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->max_entries = n;
	return 0;
}

int dt_sizes_add_arg(struct dt_ctx *dt, const char *arg)
{
	const char *eq = strrchr(arg, '=');
	char name[DT_NAME_LEN];
	uint32_t n;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(name) || dt_parse_size(eq + 1, &n)) {
		fprintf(stderr, "uxdp-difftest: --map-size takes MAP=N with N in 1..%u, not '%s'\n",
			UINT32_MAX, arg);
		return DT_EXIT_USAGE;
	}
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	/* A later --map-size of the same map wins, as with uxdpc. */
	if (set_size(dt, name, n, true))
		return dt_error(dt, "out of memory");
	return 0;
}

int dt_sizes_finish(struct dt_ctx *dt)
{
	size_t i;

	for (i = 0; i < dt->cfg.n; i++) {
		const struct cfg_entry *e = &dt->cfg.v[i];

		if (e->kind == CFG_MAP_SIZE && set_size(dt, e->map, e->max_entries, false))
			return dt_error(dt, "out of memory");
	}
	if (!dt->n_sizes)
		return 0;
	dt->resize = calloc(dt->n_sizes, sizeof(*dt->resize));
	dt->usizes = calloc(dt->n_sizes, sizeof(*dt->usizes));
	dt->uxdpc_size_args = calloc(dt->n_sizes, sizeof(*dt->uxdpc_size_args));
	if (!dt->resize || !dt->usizes || !dt->uxdpc_size_args)
		return dt_error(dt, "out of memory");
	for (i = 0; i < dt->n_sizes; i++) {
		const struct dt_map_size *s = &dt->sizes[i];

		if (dt->verbose)
			fprintf(stderr, "difftest: map %s: max_entries %u, set before loading\n",
				s->name, s->max_entries);
		dt->resize[i].map = s->name;
		dt->resize[i].max_entries = s->max_entries;
		dt->usizes[i].name = s->name;
		dt->usizes[i].max_entries = s->max_entries;
		if (asprintf(&dt->uxdpc_size_args[i], "%s=%u", s->name, s->max_entries) < 0) {
			dt->uxdpc_size_args[i] = NULL;
			return dt_error(dt, "out of memory");
		}
	}
	return 0;
}

static int check_names(const struct dt_ctx *dt, const struct uxdp_object *obj)
{
	for (size_t k = 0; k < dt->n_sizes; k++) {
		bool found = false;

		for (size_t i = 0; i < obj->n_maps && !found; i++)
			found = obj->maps[i].kind == UXDP_MAP_KIND_USER &&
				!strcmp(obj->maps[i].name, dt->sizes[k].name);
		if (!found) {
			fprintf(stderr, "uxdp-difftest: %s: no map named %s to size (--map-size)\n",
				dt->bpf_path, dt->sizes[k].name);
			return DT_EXIT_USAGE;
		}
	}
	return 0;
}

int dt_sizes_check(const struct dt_ctx *dt)
{
	struct uxdp_open_opts oo = { .select = dt->prog_name };
	struct uxdp_object *obj = NULL;
	struct uxdp_diag d = { 0 };
	int ret;

	/* An object the front end refuses is the loaders' to explain, not ours. */
	if (uxdp_object_open_opts(dt->bpf_path, NULL, 0, &oo, &obj, &d)) {
		uxdp_object_free(obj);
		return 0;
	}
	ret = check_names(dt, obj);
	for (size_t i = 0; !ret && i < obj->n_maps; i++) {
		struct uxdp_map_info *m = &obj->maps[i];

		/* libbpf sizes a perf event array to the CPUs itself. */
		if (m->kind != UXDP_MAP_KIND_USER || m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			continue;
		m->max_entries = dt_size_of(dt, m->name) ?: m->max_entries;
		if (!m->max_entries) {
			fprintf(stderr, "uxdp-difftest: %s: map %s has max_entries 0 (its loader sets "
				"the size before loading): give it with --map-size %s=N or a config "
				"line map-size %s N\n", dt->bpf_path, m->name, m->name, m->name);
			ret = DT_EXIT_USAGE;
		}
	}
	/* Whatever else the front end finds unsized (a value size 0), in its words. */
	memset(&d, 0, sizeof(d));
	if (!ret && uxdp_object_check_sizes(obj, &d)) {
		fprintf(stderr, "uxdp-difftest: %s\n", d.msg);
		ret = DT_EXIT_USAGE;
	}
	uxdp_object_free(obj);
	return ret;
}

void dt_sizes_free(struct dt_ctx *dt)
{
	for (size_t i = 0; dt->uxdpc_size_args && i < dt->n_sizes; i++)
		free(dt->uxdpc_size_args[i]);
	free(dt->uxdpc_size_args);
	free(dt->usizes);
	free(dt->resize);
	free(dt->sizes);
	dt->uxdpc_size_args = NULL;
	dt->usizes = NULL;
	dt->resize = NULL;
	dt->sizes = NULL;
	dt->n_sizes = 0;
}
