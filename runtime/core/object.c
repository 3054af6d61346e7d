// SPDX-License-Identifier: MIT
/*
 * object.c - bind the programs of a loaded uxdpc object to this runtime.
 *
 * Binding is: load with the helper resolver, create each map from its
 * metadata record, fill each map slot, and register each program's entry
 * point under its index so a prog_array can tail-call it.  An object linked
 * statically into the executable is bound the same way, from the records the
 * linker gathered into the uxdp_meta section (uxdp_object_open_linked).
 */
#define _GNU_SOURCE /* dl_iterate_phdr */
#include <errno.h>
#include <link.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uxdp/loader.h>
#include <uxdp/map.h>
#include <uxdp/opts_import.h>
#include <uxdp/runtime.h>

#define LIBBPF_PIN_BY_NAME 1 /* enum libbpf_pin_type */

struct obj_map {
	const char *name;      /* in the image's metadata strings */
	struct uxdp_map *map;
	bool created;          /* by us, so ours to unlink */
	bool constant;         /* read-only global data made for this object alone */
	bool bound_data;       /* writable global data this object found and bound */
};

struct uxdp_object {
	struct uxdp_image *img;          /* a loaded object file */
	bool is_linked;                  /* or the objects linked into the executable */
	const struct uxdp_meta_header **linked; /* their records, to clear the slots */
	size_t n_linked;
	struct uxdp_program *progs;
	size_t n_progs;
	struct obj_map *maps;
	size_t n_maps;
	char instance[UXDP_INSTANCE_LEN];
	bool unlink_on_close;
};

static int obj_err(char *err, size_t err_size, const char *path, int ret, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int obj_err(char *err, size_t err_size, const char *path, int ret, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || !err_size)
		return ret;
	n = snprintf(err, err_size, "%s: ", path);
	if (n >= 0 && (size_t)n < err_size) {
		va_start(ap, fmt);
		vsnprintf(err + n, err_size - n, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static const char *meta_str(const struct uxdp_meta_header *h, uint32_t off)
{
	return (const char *)h + h->strings_off + off;
}

static void def_from_meta(struct uxdp_map_def *d, const struct uxdp_meta_header *h,
			  const struct uxdp_meta_map *m, const struct uxdp_object_opts *o)
{
	memset(d, 0, sizeof(*d));
	d->sz = sizeof(*d);
	d->name = meta_str(h, m->name);
	d->type = m->type;
	d->key_size = m->key_size;
	d->value_size = m->value_size;
	d->max_entries = m->max_entries;
	d->map_flags = m->map_flags;
	d->ncpus = o->ncpus;
	if (m->spin_lock_off != UINT32_MAX) {
		d->flags |= UXDP_MAP_DEF_SPIN_LOCK;
		d->spin_lock_off = m->spin_lock_off;
	}
	if (m->btf_size) {
		d->btf = (const uint8_t *)h + h->data_off + m->btf_off;
		d->btf_size = m->btf_size;
		d->btf_key_type_id = m->btf_key_type_id;
		d->btf_value_type_id = m->btf_value_type_id;
	}
}

/* Copy a map's initial contents in, element by element (array maps only). */
static int init_map(struct uxdp_map *map, const struct uxdp_meta_header *h,
		    const struct uxdp_meta_map *m, const char *path, char *err, size_t err_size)
{
	const uint8_t *init = (const uint8_t *)h + h->data_off + m->init_off;
	uint32_t done, key;
	uint8_t *val;
	int ret = 0;

	if (!m->init_size)
		return 0;
	if (m->type != BPF_MAP_TYPE_ARRAY || m->value_size == 0)
		return obj_err(err, err_size, path, -EINVAL,
			       "map %s: initial contents are only supported for array maps",
			       meta_str(h, m->name));
	val = calloc(1, m->value_size);
	if (!val)
		return obj_err(err, err_size, path, -ENOMEM, "out of memory");
	for (done = 0, key = 0; done < m->init_size && !ret; done += m->value_size, key++) {
		uint32_t n = m->init_size - done;

		if (n > m->value_size)
			n = m->value_size;
		memset(val, 0, m->value_size);
		memcpy(val, init + done, n);
		ret = uxdp_map_update_elem(map, &key, val, BPF_ANY);
	}
	free(val);
	if (ret)
		return obj_err(err, err_size, path, ret, "map %s: writing initial contents: %s",
			       meta_str(h, m->name), strerror(-ret));
	return 0;
}

/* Maps whose initial contents are `.values` slots (uxdpc), not bytes. */
static bool has_slot_init(const struct uxdp_meta_map *m)
{
	return m->type == BPF_MAP_TYPE_PROG_ARRAY || m->type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	       m->type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

/* The handle of map i of a record whose maps start at obj->maps[map_base]. */
static struct obj_map *record_map(struct uxdp_object *obj, size_t map_base,
				  const struct uxdp_meta_map *maps, uint32_t i)
{
	size_t k = map_base;

	if (maps[i].kind == UXDP_MAP_KIND_INNER)
		return NULL; /* templates are not created */
	for (uint32_t j = 0; j < i; j++)
		k += maps[j].kind != UXDP_MAP_KIND_INNER;
	return k < obj->n_maps ? &obj->maps[k] : NULL;
}

/*
 * `.values = { [slot] = &target }` of a prog_array or a map of maps (map i
 * of the record): a u32 per slot in the initial contents, 0 for none, else
 * the target's index + 1 in this record (a program, or a map).  Filled
 * once the record's programs are registered (prog_base: the object's index
 * of its first), as libbpf fills them after loading: a prog_array always,
 * a map of maps only when this open made it.
 */
static int init_slots(struct uxdp_object *obj, const struct uxdp_meta_header *h, uint32_t i,
		      size_t map_base, uint32_t prog_base, const char *path, char *err,
		      size_t err_size)
{
	const struct uxdp_meta_map *maps = (const void *)((const char *)h + h->maps_off);
	const struct uxdp_meta_map *m = &maps[i];
	const uint8_t *init = (const uint8_t *)h + h->data_off + m->init_off;
	struct obj_map *om = record_map(obj, map_base, maps, i), *target;
	const char *name = meta_str(h, m->name);

	if (!om || (!om->created && m->type != BPF_MAP_TYPE_PROG_ARRAY))
		return 0;
	if (m->type == BPF_MAP_TYPE_HASH_OF_MAPS && m->key_size != 4)
		return obj_err(err, err_size, path, -EINVAL,
			       "map %s: slots need a 4-byte key, not %u", name, m->key_size);
	for (uint32_t slot = 0; slot < m->init_size / 4; slot++) {
		uint32_t v, value;
		int ret;

		memcpy(&v, init + 4 * (size_t)slot, 4);
		if (!v)
			continue;
		if (m->type == BPF_MAP_TYPE_PROG_ARRAY) {
			if (v > h->n_progs)
				return obj_err(err, err_size, path, -EINVAL,
					       "map %s slot %u: no program %u", name, slot, v - 1);
			value = prog_base + v - 1;
		} else {
			target = v <= h->n_maps ? record_map(obj, map_base, maps, v - 1) : NULL;
			if (!target)
				return obj_err(err, err_size, path, -EINVAL,
					       "map %s slot %u: no map %u", name, slot, v - 1);
			value = uxdp_map_id(target->map);
		}
		ret = uxdp_map_update_elem(om->map, &slot, &value, BPF_ANY);
		if (ret)
			return obj_err(err, err_size, path, ret, "map %s slot %u: %s", name, slot,
				       strerror(-ret));
	}
	return 0;
}

/* The load-time size of map m (uxdp_object_opts.map_sizes), checked. */
static int load_time_size(const struct uxdp_meta_header *h, const struct uxdp_meta_map *m,
			  const struct uxdp_object_opts *o, struct uxdp_map_def *def,
			  const char *path, char *err, size_t err_size)
{
	for (size_t k = 0; k < o->n_map_sizes; k++) {
		const struct uxdp_map_size *ms = &o->map_sizes[k];

		if (strcmp(ms->name, def->name) || ms->max_entries == m->max_entries)
			continue;
		if (!ms->max_entries)
			return obj_err(err, err_size, path, -EINVAL, "map %s: size 0", ms->name);
		if (m->type == BPF_MAP_TYPE_ARRAY || m->type == BPF_MAP_TYPE_PERCPU_ARRAY)
			return obj_err(err, err_size, path, -EINVAL,
				       "map %s: an array's size (%u) is compiled into the program's lookups; compile with uxdpc --map-size %s=%u",
				       ms->name, m->max_entries, ms->name, ms->max_entries);
		def->max_entries = ms->max_entries;
	}
	return 0;
}

/* Every load-time size names a map of the records. */
static int check_map_sizes(const struct uxdp_meta_header *const *recs, size_t n,
			   const struct uxdp_object_opts *o, const char *path, char *err,
			   size_t err_size)
{
	for (size_t k = 0; k < o->n_map_sizes; k++) {
		bool found = false;

		for (size_t r = 0; r < n && !found; r++) {
			const struct uxdp_meta_map *maps =
				(const void *)((const char *)recs[r] + recs[r]->maps_off);

			for (uint32_t i = 0; i < recs[r]->n_maps && !found; i++)
				found = maps[i].kind == UXDP_MAP_KIND_USER &&
					!strcmp(meta_str(recs[r], maps[i].name), o->map_sizes[k].name);
		}
		if (!found)
			return obj_err(err, err_size, path, -ENOENT,
				       "no map named %s to size (--map-size)", o->map_sizes[k].name);
	}
	return 0;
}

/*
 * A map called def->name exists in the instance: bind to it if it has the
 * same shape.  Read-only global data is this object's own (its constants),
 * so it is always made anew (fresh); so is a map of another shape when the
 * caller asked to recreate.  -EEXIST for another shape otherwise.
 */
static int reuse_map(struct uxdp_object *obj, struct uxdp_map_def *def, bool fresh,
		     bool recreate, struct uxdp_map **out, bool *created)
{
	int ret;

	if (!fresh) {
		def->flags |= UXDP_MAP_DEF_REUSE;
		ret = uxdp_map_create(obj->instance, def, out);
		def->flags &= ~UXDP_MAP_DEF_REUSE;
		if (ret != -EEXIST || !recreate)
			return ret;
	}
	/* A program still running on the old one keeps its mapping. */
	ret = uxdp_map_unlink(obj->instance, def->name);
	if (ret && ret != -ENOENT)
		return ret;
	ret = uxdp_map_create(obj->instance, def, out);
	*created = !ret;
	return ret;
}

/* The message for a map that exists with another shape: both shapes. */
static int shape_error(struct uxdp_object *obj, const struct uxdp_map_def *def, const char *path,
		       char *err, size_t err_size)
{
	struct uxdp_map_info have = { 0 };
	struct uxdp_map *m;
	char cpus[64] = "";
	bool same;

	if (uxdp_map_open(obj->instance, def->name, &m) == 0) {
		uxdp_map_get_info(m, &have);
		uxdp_map_close(m);
	}
	same = have.type == def->type && have.key_size == def->key_size &&
		    have.value_size == def->value_size && have.max_entries == def->max_entries &&
		    have.map_flags == def->map_flags;

	/* The rest equal: per-CPU maps made for another number of workers. */
	if (same)
		snprintf(cpus, sizeof(cpus), " for %u CPUs (this run has %u workers)", have.ncpus,
			 def->ncpus);
	return obj_err(err, err_size, path, -EEXIST,
		       "map %s: instance %s has it as type %u key %u value %u max_entries %u "
		       "flags %#x%s, this object as type %u key %u value %u max_entries %u "
		       "flags %#x; refusing to bind to it (recreate the maps to make it anew, "
		       "losing its contents)",
		       def->name, obj->instance, have.type, have.key_size, have.value_size,
		       have.max_entries, have.map_flags, cpus, def->type, def->key_size,
		       def->value_size, def->max_entries, def->map_flags);
}

static int create_map(struct uxdp_object *obj, const struct uxdp_meta_header *h,
		      const struct uxdp_meta_map *maps, uint32_t i,
		      const struct uxdp_object_opts *o, const char *path, char *err, size_t err_size)
{
	const struct uxdp_meta_map *m = &maps[i];
	struct uxdp_map_def def, inner;
	struct obj_map *om = &obj->maps[obj->n_maps];
	bool pinned = m->pinning == LIBBPF_PIN_BY_NAME;
	int ret;

	def_from_meta(&def, h, m, o);
	ret = load_time_size(h, m, o, &def, path, err, err_size);
	if (ret)
		return ret;
	if (m->inner_map >= 0) {
		def_from_meta(&inner, h, &maps[m->inner_map], o);
		def.inner = &inner;
	}
	om->name = def.name;
	ret = uxdp_map_create(obj->instance, &def, &om->map);
	if (ret == -EEXIST && (o->reuse_maps || pinned)) {
		ret = reuse_map(obj, &def, m->kind == UXDP_MAP_KIND_RODATA && !pinned,
				o->recreate_maps, &om->map, &om->created);
		if (ret == -EEXIST)
			return shape_error(obj, &def, path, err, err_size);
	} else if (ret == 0) {
		om->created = true;
	}
	if (ret == -EEXIST)
		return obj_err(err, err_size, path, ret,
			       "map %s already exists in instance %s; remove it or reuse maps",
			       def.name, obj->instance);
	if (ret)
		return obj_err(err, err_size, path, ret, "creating map %s (type %u): %s", def.name,
			       def.type, strerror(-ret));
	obj->n_maps++;
	om->constant = om->created && m->kind == UXDP_MAP_KIND_RODATA && !pinned;
	om->bound_data = !om->created && !pinned &&
			 (m->kind == UXDP_MAP_KIND_DATA || m->kind == UXDP_MAP_KIND_BSS);
	if (om->created && !has_slot_init(m)) {
		ret = init_map(om->map, h, m, path, err, err_size);
		if (ret)
			return ret;
	}
	/*
	 * This object's constants, frozen once set, as libbpf freezes .rodata:
	 * a bpf() caller may no longer change what the program was compiled
	 * to see (folded constants, format strings confinement read).
	 */
	if (om->constant)
		uxdp_map_freeze(om->map);
	m->slot->map = om->map;
	m->slot->data = m->type == BPF_MAP_TYPE_ARRAY ? uxdp_map_array_data(om->map) : NULL;
	return 0;
}

static int bind_record(struct uxdp_object *obj, const struct uxdp_meta_header *h,
		       const struct uxdp_object_opts *o, const char *path, char *err,
		       size_t err_size)
{
	const struct uxdp_meta_prog *progs = (const void *)((const char *)h + h->progs_off);
	const struct uxdp_meta_map *maps = (const void *)((const char *)h + h->maps_off);
	uint32_t i, prog_base = (uint32_t)obj->n_progs;
	size_t map_base = obj->n_maps;
	int ret;

	for (i = 0; i < h->n_maps; i++) {
		if (maps[i].kind == UXDP_MAP_KIND_INNER)
			continue; /* a template: its instances come from the control plane */
		ret = create_map(obj, h, maps, i, o, path, err, err_size);
		if (ret)
			return ret;
	}
	for (i = 0; i < h->n_progs; i++) {
		struct uxdp_program *p = &obj->progs[obj->n_progs];

		p->name = meta_str(h, progs[i].name);
		p->section = meta_str(h, progs[i].section);
		p->object = meta_str(h, h->obj_name);
		p->type = progs[i].type;
		p->flags = progs[i].flags;
		p->index = obj->n_progs;
		p->fn = (uxdp_prog_fn)progs[i].entry;
		p->confinement = progs[i].confinement;
		if (!UXDP_CONFINED(p->confinement) && !o->trust_unverified)
			return obj_err(err, err_size, path, -EPERM,
				       "program %s is not confined (compiled with --unsafe-no-bounds-checks or --raw): run it only if you trust it, with --trust-unverified",
				       p->name);
		ret = uxdp_confine_register((const void *)p->fn);
		if (ret)
			return obj_err(err, err_size, path, ret, "program %s: too many programs bound",
				       p->name);
		ret = uxdp_prog_register(p->index, p->fn);
		if (ret)
			return obj_err(err, err_size, path, ret, "registering program %s: %s", p->name,
				       strerror(-ret));
		obj->n_progs++;
	}
	for (i = 0; i < h->n_maps; i++) {
		if (maps[i].kind == UXDP_MAP_KIND_INNER || !has_slot_init(&maps[i]) ||
		    !maps[i].init_size)
			continue;
		ret = init_slots(obj, h, i, map_base, prog_base, path, err, err_size);
		if (ret)
			return ret;
	}
	return 0;
}

static struct uxdp_object *obj_alloc(const struct uxdp_object_opts *o)
{
	struct uxdp_object *obj = calloc(1, sizeof(*obj));

	if (!obj)
		return NULL;
	snprintf(obj->instance, sizeof(obj->instance), "%s",
		 o->instance ? o->instance : UXDP_DEFAULT_INSTANCE);
	obj->unlink_on_close = o->unlink_on_close;
	return obj;
}

/* Create the maps and register the programs of n checked records. */
static int bind_records(struct uxdp_object *obj, const struct uxdp_meta_header *const *recs,
			size_t n, const struct uxdp_object_opts *o, const char *path, char *err,
			size_t err_size)
{
	size_t i, n_progs = 0, n_maps = 0;
	int ret;

	for (i = 0; i < n; i++) {
		n_progs += recs[i]->n_progs;
		n_maps += recs[i]->n_maps;
	}
	ret = check_map_sizes(recs, n, o, path, err, err_size);
	if (ret)
		return ret;
	obj->progs = calloc(n_progs ? n_progs : 1, sizeof(*obj->progs));
	obj->maps = calloc(n_maps ? n_maps : 1, sizeof(*obj->maps));
	if (!obj->progs || !obj->maps)
		return obj_err(err, err_size, path, -ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		ret = bind_record(obj, recs[i], o, path, err, err_size);
		if (ret)
			return ret;
	}
	return 0;
}

static void open_failed(struct uxdp_object *obj)
{
	/* Maps made by a failed open are never anyone else's: remove them. */
	obj->unlink_on_close = true;
	uxdp_object_close(obj);
}

/* The caller's options as this library's struct (uxdp/opts.h); NULL: all defaults. */
static int import_opts(const struct uxdp_object_opts *opts, struct uxdp_object_opts *o,
		       const char *path, char *err, size_t err_size)
{
	int ret;

	if (!opts) {
		memset(o, 0, sizeof(*o));
		return 0;
	}
	ret = UXDP_OPTS_IMPORT(o, opts);
	if (ret == -E2BIG)
		return obj_err(err, err_size, path, ret, "struct uxdp_object_opts has fields "
			       "this libuxdp does not know set (built with a newer uxdp/runtime.h)");
	if (ret)
		return obj_err(err, err_size, path, ret,
			       "struct uxdp_object_opts without its sz (uxdp/opts.h)");
	return 0;
}

int uxdp_object_open(const char *path, const struct uxdp_object_opts *opts,
		     struct uxdp_object **out, char *err, size_t err_size)
{
	const struct uxdp_meta_header *const *recs;
	struct uxdp_object_opts oo, *o = &oo;
	struct uxdp_object *obj;
	size_t n;
	int ret;

	*out = NULL;
	if (err && err_size)
		err[0] = '\0';
	ret = import_opts(opts, &oo, path, err, err_size);
	if (ret)
		return ret;
	obj = obj_alloc(o);
	if (!obj)
		return obj_err(err, err_size, path, -ENOMEM, "out of memory");

	ret = uxdp_image_load_file(path, uxdp_runtime_resolve, NULL, &obj->img, err, err_size);
	if (ret)
		goto fail;
	n = uxdp_image_meta(obj->img, &recs);
	if (n == 0) {
		ret = obj_err(err, err_size, path, -ENOEXEC,
			      "no %s section: not an object compiled by uxdpc", UXDP_META_SECTION);
		goto fail;
	}
	ret = bind_records(obj, recs, n, o, path, err, err_size);
	if (ret)
		goto fail;
	*out = obj;
	return 0;
fail:
	open_failed(obj);
	return ret;
}

/*
 * The static linker defines these around the uxdp_meta sections of every
 * object it links (the section name is a C identifier for that).  Weak, so
 * that a program without any compiled object links, and finds none.
 */
extern const uint8_t __start_uxdp_meta[] __attribute__((weak));
extern const uint8_t __stop_uxdp_meta[] __attribute__((weak));

#define LINKED_NAME "linked objects"

/* The slots are the executable's globals: one binding at a time. */
static atomic_bool linked_open;

struct seg_search {
	uintptr_t addr;                /* in: an address of the module we want */
	struct uxdp_meta_bounds b;     /* out: its code and writable data */
	bool found;
};

/* Bounds of the module (executable or DSO) whose segments hold s->addr. */
static int find_module(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct seg_search *s = arg;
	struct uxdp_meta_bounds b = { UINTPTR_MAX, 0, UINTPTR_MAX, 0 };
	bool ours = false;
	uint16_t i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;

		if (ph->p_type != PT_LOAD)
			continue;
		if (s->addr >= lo && s->addr < hi)
			ours = true;
		if (ph->p_flags & PF_X) {
			b.code_lo = lo < b.code_lo ? lo : b.code_lo;
			b.code_hi = hi > b.code_hi ? hi : b.code_hi;
		}
		if (ph->p_flags & PF_W) {
			b.data_lo = lo < b.data_lo ? lo : b.data_lo;
			b.data_hi = hi > b.data_hi ? hi : b.data_hi;
		}
	}
	if (!ours)
		return 0;
	s->b = b;
	s->found = true;
	return 1;
}

int uxdp_object_open_linked(const struct uxdp_object_opts *opts, struct uxdp_object **out,
			    char *err, size_t err_size)
{
	struct uxdp_object_opts oo, *o = &oo;
	uintptr_t start = (uintptr_t)__start_uxdp_meta, stop = (uintptr_t)__stop_uxdp_meta;
	struct seg_search seg = { .addr = start };
	struct uxdp_object *obj;
	bool busy = false;
	int ret;

	*out = NULL;
	if (err && err_size)
		err[0] = '\0';
	ret = import_opts(opts, &oo, LINKED_NAME, err, err_size);
	if (ret)
		return ret;
	if (!start || stop <= start)
		return obj_err(err, err_size, LINKED_NAME, -ENOENT,
			       "no object compiled by uxdpc is linked into this program");
	/* Entries and slots are checked against the module that holds the records. */
	dl_iterate_phdr(find_module, &seg);
	if (!seg.found || seg.b.code_lo >= seg.b.code_hi || seg.b.data_lo >= seg.b.data_hi)
		return obj_err(err, err_size, LINKED_NAME, -ENOEXEC,
			       "cannot find the segments that hold section %s", UXDP_META_SECTION);
	if (!atomic_compare_exchange_strong(&linked_open, &busy, true))
		return obj_err(err, err_size, LINKED_NAME, -EBUSY,
			       "already open: close the other binding first");
	obj = obj_alloc(o);
	if (!obj) {
		atomic_store(&linked_open, false);
		return obj_err(err, err_size, LINKED_NAME, -ENOMEM, "out of memory");
	}
	obj->is_linked = true; /* from here on, close releases linked_open */
	ret = uxdp_meta_parse(__start_uxdp_meta, stop - start, &seg.b,
			      &obj->linked, &obj->n_linked, LINKED_NAME, err, err_size);
	if (ret)
		goto fail;
	ret = bind_records(obj, obj->linked, obj->n_linked, o, LINKED_NAME, err, err_size);
	if (ret)
		goto fail;
	*out = obj;
	return 0;
fail:
	open_failed(obj);
	return ret;
}

size_t uxdp_object_programs(const struct uxdp_object *obj, const struct uxdp_program **progs)
{
	if (progs)
		*progs = obj ? obj->progs : NULL;
	return obj ? obj->n_progs : 0;
}

const struct uxdp_program *uxdp_object_program(const struct uxdp_object *obj, const char *name)
{
	const struct uxdp_program *found = NULL;
	size_t i;

	if (!obj)
		return NULL;
	for (i = 0; i < obj->n_progs; i++) {
		const struct uxdp_program *p = &obj->progs[i];

		if (name) {
			if (strcmp(p->name, name) == 0)
				return p;
		} else if (p->type == UXDP_PROG_XDP) {
			if (found)
				return NULL; /* ambiguous */
			found = p;
		}
	}
	return found;
}

struct uxdp_map *uxdp_object_map(const struct uxdp_object *obj, const char *name)
{
	size_t i;

	if (!obj || !name)
		return NULL;
	for (i = 0; i < obj->n_maps; i++)
		if (strcmp(obj->maps[i].name, name) == 0)
			return obj->maps[i].map;
	return NULL;
}

size_t uxdp_object_map_ids(const struct uxdp_object *obj, uint32_t *ids, size_t cap)
{
	struct uxdp_map_info info;
	size_t i, n = 0;

	for (i = 0; obj && i < obj->n_maps; i++) {
		if (!obj->maps[i].map || uxdp_map_get_info(obj->maps[i].map, &info))
			continue;
		if (n < cap)
			ids[n] = info.id;
		n++;
	}
	return n;
}

static void clear_linked_slots(struct uxdp_object *obj)
{
	size_t r;
	uint32_t i;

	for (r = 0; r < obj->n_linked; r++) {
		const struct uxdp_meta_header *h = obj->linked[r];
		const struct uxdp_meta_map *maps = (const void *)((const char *)h + h->maps_off);

		for (i = 0; i < h->n_maps; i++) {
			if (!maps[i].slot)
				continue;
			maps[i].slot->map = NULL;
			maps[i].slot->data = NULL;
		}
	}
}

void uxdp_object_unlink_constants(struct uxdp_object *obj)
{
	struct uxdp_map_info mine, now;
	struct uxdp_map *m;

	for (size_t i = 0; obj && i < obj->n_maps; i++) {
		const struct obj_map *om = &obj->maps[i];
		bool same;

		if (!om->constant || uxdp_map_get_info(om->map, &mine) ||
		    uxdp_map_open(obj->instance, om->name, &m))
			continue;
		/* A later load of the same object made its own map of that name. */
		same = !uxdp_map_get_info(m, &now) && now.id == mine.id;
		uxdp_map_close(m);
		if (same)
			uxdp_map_unlink(obj->instance, om->name);
	}
}

void uxdp_object_unlink_bound_data(struct uxdp_object *obj, const uint32_t *keep, size_t n_keep)
{
	struct uxdp_map_info mine, now;
	struct uxdp_map *m;

	for (size_t i = 0; obj && i < obj->n_maps; i++) {
		bool drop = true;

		if (!obj->maps[i].bound_data || uxdp_map_get_info(obj->maps[i].map, &mine))
			continue;
		for (size_t k = 0; k < n_keep && drop; k++)
			drop = keep[k] != mine.id;
		/* Its own name (the segment's), if that still names this map. */
		if (!drop || uxdp_map_open(obj->instance, mine.name, &m))
			continue;
		drop = !uxdp_map_get_info(m, &now) && now.id == mine.id;
		uxdp_map_close(m);
		if (drop)
			uxdp_map_unlink(obj->instance, mine.name);
	}
}

void uxdp_object_close(struct uxdp_object *obj)
{
	size_t i;

	if (!obj)
		return;
	for (i = 0; i < obj->n_maps; i++) {
		if (obj->unlink_on_close && obj->maps[i].created)
			uxdp_map_unlink(obj->instance, obj->maps[i].name);
		uxdp_map_close(obj->maps[i].map);
	}
	free(obj->maps);
	for (i = 0; i < obj->n_progs; i++)
		uxdp_confine_unregister((const void *)obj->progs[i].fn);
	free(obj->progs);
	uxdp_image_free(obj->img);
	if (obj->is_linked) {
		/* The linked slots outlive us: leave no pointer to a closed map. */
		clear_linked_slots(obj);
		free(obj->linked);
		atomic_store(&linked_open, false);
	}
	free(obj);
}
