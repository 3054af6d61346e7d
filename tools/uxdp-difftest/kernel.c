// SPDX-License-Identifier: MIT
/*
 * kernel.c - the kernel side of the comparison: open the object, choose the
 * program, and load only what is compared.
 *
 * Two loaders, one view.  libbpf first, as a user's loader would; an object
 * libbpf refuses (legacy SEC("maps") maps; with libbpf 1.1, static
 * programs) or a program it does not list goes to uxdp's own loader
 * (compiler/kload.h, kernel_kload.c), which creates the same maps from the
 * front end's metadata.  Either way the rest of uxdp-difftest sees only
 * dt->kmaps and dt->kprogs: descriptors with the loader's names and shapes.
 *
 * With libbpf, only the compared program and the programs the config puts
 * in prog_arrays are loaded: an object may also hold tracing, iterator or
 * tc programs that this kernel refuses, and they have nothing to do with
 * the XDP program.  A program in a section libbpf does not know
 * (`xdp_sock`, `prog`, `xdp_fw`, ...) is loaded as XDP, with the XDP
 * expected attach type, as its own loader would attach it.  Maps are never
 * pinned: libbpf's default pin path is /sys/fs/bpf, and a map pinned there
 * by an earlier run would be reused, contents and all.  Large plain arrays
 * are created mmapable, so that the comparison reads them in place
 * (maps_kv.c); a program cannot tell the difference.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "difftest.h"
#include "kload.h"
#include "maps.h"

/* The kernel's "not supported" (not in userspace headers); libbpf passes it on. */
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

/* Arrays at least this large (bytes of values) are made mmapable. */
#define MMAP_ARRAY_MIN (1u << 20)

/* Errors that mean "this kernel will not run BPF for us", not "the program is wrong". */
bool dt_kernel_refuses(int err)
{
	return err == -EPERM || err == -ENOSYS || err == -EOPNOTSUPP || err == -ENOTSUPP;
}

int dt_skip(const char *what, int err)
{
	printf("difftest: SKIP: the kernel refuses BPF (%s: %s); nothing compared\n", what,
	       strerror(-err));
	return DT_EXIT_SKIP;
}

static bool named_by_config(const struct dt_ctx *dt, const char *name)
{
	size_t i;

	for (i = 0; i < dt->cfg.n; i++)
		if (dt->cfg.v[i].kind == CFG_PROG_ARRAY && !strcmp(dt->cfg.v[i].prog, name))
			return true;
	return false;
}

/* Whether a relocation of .rel.maps names a function (name, or any for NULL). */
static bool rel_names(Elf *elf, Elf_Data *rels, size_t k, Elf_Data *syms, size_t strtab,
		      const char *name)
{
	GElf_Rel rel;
	GElf_Sym sym;
	const char *s;

	if (!gelf_getrel(rels, (int)k, &rel) || !gelf_getsym(syms, (int)GELF_R_SYM(rel.r_info), &sym))
		return false;
	s = elf_strptr(elf, strtab, sym.st_name);
	return GELF_ST_TYPE(sym.st_info) == STT_FUNC && s && (!name || !strcmp(s, name));
}

/*
 * Is name (NULL: any program) one a prog_array's `.values` holds?  libbpf
 * fills those slots after loading, with the programs' descriptors: they
 * must load (uxdpc -p compiles them too).
 */
bool dt_values_name_program(const struct dt_ctx *dt, const char *name)
{
	Elf_Data *rels = NULL, *syms = NULL;
	Elf_Scn *scn = NULL;
	size_t shstrndx, strtab = 0;
	bool found = false;
	GElf_Shdr sh;
	Elf *elf;
	int fd = open(dt->bpf_path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || elf_version(EV_CURRENT) == EV_NONE ||
	    !(elf = elf_begin(fd, ELF_C_READ, NULL))) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	if (!elf_getshdrstrndx(elf, &shstrndx)) {
		while ((scn = elf_nextscn(elf, scn)) && gelf_getshdr(scn, &sh)) {
			const char *sname = elf_strptr(elf, shstrndx, sh.sh_name);

			if (sh.sh_type == SHT_SYMTAB) {
				syms = elf_getdata(scn, NULL);
				strtab = sh.sh_link;
			} else if (sh.sh_type == SHT_REL && sname && !strcmp(sname, ".rel.maps")) {
				rels = elf_getdata(scn, NULL);
			}
		}
	}
	for (size_t k = 0; rels && syms && k < rels->d_size / sizeof(Elf64_Rel) && !found; k++)
		found = rel_names(elf, rels, k, syms, strtab, name);
	elf_end(elf);
	close(fd);
	return found;
}

bool dt_config_names_programs_besides(const struct dt_ctx *dt, const char *name)
{
	size_t i;

	for (i = 0; i < dt->cfg.n; i++)
		if (dt->cfg.v[i].kind == CFG_PROG_ARRAY &&
		    (!name || strcmp(dt->cfg.v[i].prog, name)))
			return true;
	return false;
}

bool dt_config_names_other_programs(const struct dt_ctx *dt)
{
	return dt_config_names_programs_besides(dt, dt->kprog->name);
}

bool dt_want_mmapable(uint32_t type, uint32_t max_entries, uint32_t value_size, uint32_t flags)
{
	uint64_t bytes = (uint64_t)max_entries * ((value_size + 7) & ~7u);

	return type == BPF_MAP_TYPE_ARRAY && bytes >= MMAP_ARRAY_MIN &&
	       !(flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG));
}

int dt_kernel_add_map(struct dt_ctx *dt, const char *name, uint32_t type, uint32_t key_size,
		      uint32_t value_size, uint32_t max_entries, uint32_t flags, int fd,
		      const void *handle)
{
	struct dt_kmap *v = realloc(dt->kmaps, (dt->n_kmaps + 1) * sizeof(*v)), *m;

	if (!v)
		return dt_error(dt, "out of memory");
	dt->kmaps = v;
	m = &v[dt->n_kmaps++];
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->type = type;
	m->key_size = key_size;
	m->value_size = value_size;
	m->max_entries = max_entries;
	m->map_flags = flags;
	m->fd = fd;
	m->handle = handle;
	return 0;
}

int dt_kernel_add_prog(struct dt_ctx *dt, const char *name, int fd)
{
	struct dt_kprog *v = realloc(dt->kprogs, (dt->n_kprogs + 1) * sizeof(*v));

	if (!v)
		return dt_error(dt, "out of memory");
	dt->kprogs = v;
	snprintf(v[dt->n_kprogs].name, sizeof(v->name), "%s", name);
	v[dt->n_kprogs++].fd = fd;
	return 0;
}

const struct dt_kmap *dt_kernel_map(const struct dt_ctx *dt, const char *name)
{
	const struct bpf_map *lm = NULL;

	/* libbpf's lookup knows ".data" as the map it calls "obj.data". */
	if (dt->kobj) {
		lm = bpf_object__find_map_by_name(dt->kobj, name);
		if (!lm)
			return NULL;
	}
	for (size_t i = 0; i < dt->n_kmaps; i++)
		if (lm ? dt->kmaps[i].handle == lm : !strcmp(dt->kmaps[i].name, name))
			return &dt->kmaps[i];
	return NULL;
}

const struct dt_kprog *dt_kernel_prog(const struct dt_ctx *dt, const char *name)
{
	for (size_t i = 0; i < dt->n_kprogs; i++)
		if (!strcmp(dt->kprogs[i].name, name))
			return &dt->kprogs[i];
	return NULL;
}

void dt_kernel_close(struct dt_ctx *dt)
{
	bpf_object__close(dt->kobj);
	uxdp_kload_close(dt->kload);
	dt->kobj = NULL;
	dt->kload = NULL;
	free(dt->kmaps);
	free(dt->kprogs);
	dt->kmaps = NULL;
	dt->kprogs = NULL;
	dt->n_kmaps = dt->n_kprogs = 0;
	dt->kprog = NULL;
}

/* XDP by libbpf's section rules, or in a section libbpf has no rule for. */
static bool xdp_or_unknown(struct bpf_program *p)
{
	enum bpf_prog_type t = bpf_program__type(p);

	return t == BPF_PROG_TYPE_XDP || t == BPF_PROG_TYPE_UNSPEC;
}

static void list_programs(const struct dt_ctx *dt, FILE *f)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, dt->kobj) {
		const char *t = libbpf_bpf_prog_type_str(bpf_program__type(p));

		fprintf(f, " %s (section %s, %s)", bpf_program__name(p),
			bpf_program__section_name(p),
			bpf_program__type(p) == BPF_PROG_TYPE_UNSPEC ? "no type" : t ? t : "?");
	}
	fputc('\n', f);
}

/* choose_program's answer when -p names nothing libbpf lists: try uxdp_kload. */
#define NOT_LISTED (-1)

/*
 * -p NAME: a function name first, then a section name (one program in it).
 * No -p: the object's only program that libbpf types as XDP, or, with none,
 * its only untyped one (a custom section such as SEC("xdp_fw")), as uxdpc
 * chooses.
 */
static int choose_program(struct dt_ctx *dt, struct bpf_program **chosen)
{
	struct bpf_program *p, *only = NULL, *only_untyped = NULL, *kp = NULL;
	int n_xdp = 0, n_untyped = 0, n_sec = 0;

	bpf_object__for_each_program(p, dt->kobj) {
		if (dt->prog_name && !strcmp(bpf_program__name(p), dt->prog_name))
			kp = p;
		if (bpf_program__type(p) == BPF_PROG_TYPE_XDP) {
			n_xdp++;
			only = p;
		} else if (bpf_program__type(p) == BPF_PROG_TYPE_UNSPEC) {
			n_untyped++;
			only_untyped = p;
		}
	}
	if (dt->prog_name && !kp) {
		bpf_object__for_each_program(p, dt->kobj) {
			if (!strcmp(bpf_program__section_name(p), dt->prog_name)) {
				kp = p;
				n_sec++;
			}
		}
		if (n_sec > 1) {
			fprintf(stderr, "uxdp-difftest: %s: section %s holds %d programs, choose one "
				"by function name; programs:", dt->bpf_path, dt->prog_name, n_sec);
			list_programs(dt, stderr);
			return DT_EXIT_USAGE;
		}
		if (!kp)
			return NOT_LISTED;
	}
	if (!dt->prog_name && n_xdp == 1)
		kp = only;
	else if (!dt->prog_name && n_xdp == 0 && n_untyped == 1)
		kp = only_untyped;
	if (!kp) {
		fprintf(stderr, "uxdp-difftest: %s: %s; programs:", dt->bpf_path,
			n_xdp ? "several XDP programs, choose one with -p" :
				"no program in an XDP section, choose one with -p");
		list_programs(dt, stderr);
		return DT_EXIT_USAGE;
	}
	if (!xdp_or_unknown(kp)) {
		fprintf(stderr, "uxdp-difftest: %s: %s is a %s program, not XDP\n", dt->bpf_path,
			bpf_program__name(kp), libbpf_bpf_prog_type_str(bpf_program__type(kp)));
		return DT_EXIT_USAGE;
	}
	*chosen = kp;
	return 0;
}

/* Load p as XDP, or not at all; a program of another type named by the config is refused. */
static int prepare_program(struct dt_ctx *dt, struct bpf_program *p, struct bpf_program *chosen)
{
	bool load = p == chosen || named_by_config(dt, bpf_program__name(p)) ||
		    dt_values_name_program(dt, bpf_program__name(p));

	bpf_program__set_autoload(p, load);
	if (!load)
		return 0;
	if (!xdp_or_unknown(p)) {
		fprintf(stderr, "uxdp-difftest: %s: %s puts %s in a prog_array, but it is "
			"a %s program\n", dt->bpf_path,
			named_by_config(dt, bpf_program__name(p)) ? "the config" : "the object's .values",
			bpf_program__name(p),
			libbpf_bpf_prog_type_str(bpf_program__type(p)));
		return DT_EXIT_USAGE;
	}
	if (bpf_program__type(p) == BPF_PROG_TYPE_UNSPEC) {
		/* As the object's own loader would: an XDP program for a device hook. */
		bpf_program__set_type(p, BPF_PROG_TYPE_XDP);
		bpf_program__set_expected_attach_type(p, BPF_XDP);
		if (dt->verbose)
			fprintf(stderr, "difftest: program %s (section %s) loaded as XDP\n",
				bpf_program__name(p), bpf_program__section_name(p));
	}
	return 0;
}

static int prepare_maps(struct dt_ctx *dt)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, dt->kobj) {
		/* --map-size, as the object's own loader would size it (dt_sizes_check named them). */
		uint32_t n = bpf_map__is_internal(m) ? 0 : dt_size_of(dt, bpf_map__name(m));
		int ret = n ? bpf_map__set_max_entries(m, n) : 0;

		if (ret)
			return dt_error(dt, "%s: map %s: cannot set max_entries %u: %s", dt->bpf_path,
					bpf_map__name(m), n, strerror(-ret));
		/* No pin path: nothing reused from /sys/fs/bpf, nothing left there. */
		bpf_map__set_pin_path(m, NULL);
		if (dt_want_mmapable(bpf_map__type(m), bpf_map__max_entries(m),
				     bpf_map__value_size(m), bpf_map__map_flags(m)))
			bpf_map__set_map_flags(m, bpf_map__map_flags(m) | BPF_F_MMAPABLE);
	}
	return 0;
}

/*
 * The DATASEC entry of global variable name and its section, from the BTF
 * libbpf fixed up at open (offsets from the ELF symbols), as skeletons see it.
 */
static const struct btf_var_secinfo *find_global(const struct btf *btf, const char *name,
						 const char **section)
{
	__u32 n = btf__type_cnt(btf);

	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_var_secinfo *vsi;

		if (!t || !btf_is_datasec(t))
			continue;
		vsi = btf_var_secinfos(t);
		for (__u16 i = 0; i < btf_vlen(t); i++, vsi++) {
			const struct btf_type *v = btf__type_by_id(btf, vsi->type);
			const char *vname = v ? btf__name_by_offset(btf, v->name_off) : NULL;

			if (v && btf_is_var(v) && vname && !strcmp(vname, name)) {
				*section = btf__name_by_offset(btf, t->name_off);
				return vsi;
			}
		}
	}
	return NULL;
}

/*
 * Every `global` line into the kernel side's initial values, before the
 * object loads (libbpf freezes .rodata at load), as a skeleton writes
 * `skel->rodata->VAR`; the section and offset are kept for the uxdp side.
 */
static int set_globals(struct dt_ctx *dt)
{
	const struct btf *btf = bpf_object__btf(dt->kobj);

	for (size_t i = 0; i < dt->cfg.n; i++) {
		struct cfg_entry *e = &dt->cfg.v[i];
		const struct btf_var_secinfo *vsi;
		const char *section = NULL;
		struct bpf_map *map = NULL;
		const void *init = NULL;
		uint8_t *bytes;
		size_t size = 0;
		int ret;

		if (e->kind != CFG_GLOBAL)
			continue;
		vsi = btf ? find_global(btf, e->var, &section) : NULL;
		if (vsi && section && strlen(section) < sizeof(e->section))
			map = bpf_object__find_map_by_name(dt->kobj, section);
		if (map)
			init = bpf_map__initial_value(map, &size);
		if (!init) {
			fprintf(stderr,
				"uxdp-difftest: %s:%d: no global variable %s in the object's global data\n",
				dt->cfg_path, e->line, e->var);
			return DT_EXIT_USAGE;
		}
		if (e->value_len != vsi->size || (size_t)vsi->offset + vsi->size > size) {
			fprintf(stderr,
				"uxdp-difftest: %s:%d: global %s: value is %zu bytes, the variable's %u\n",
				dt->cfg_path, e->line, e->var, e->value_len, vsi->size);
			return DT_EXIT_USAGE;
		}
		bytes = malloc(size);
		if (!bytes)
			return dt_error(dt, "out of memory");
		memcpy(bytes, init, size);
		memcpy(bytes + vsi->offset, e->value, e->value_len);
		ret = bpf_map__set_initial_value(map, bytes, size);
		free(bytes);
		if (ret)
			return dt_error(dt, "global %s: %s", e->var, strerror(-ret));
		snprintf(e->section, sizeof(e->section), "%s", section);
		e->offset = vsi->offset;
	}
	return 0;
}

/* The loaded maps and programs into dt's loader-neutral view. */
static int list_loaded(struct dt_ctx *dt, const struct bpf_program *chosen)
{
	struct bpf_program *p;
	struct bpf_map *m;
	int ret;

	bpf_object__for_each_map(m, dt->kobj) {
		ret = dt_kernel_add_map(dt, bpf_map__name(m), bpf_map__type(m), bpf_map__key_size(m),
					bpf_map__value_size(m), bpf_map__max_entries(m),
					bpf_map__map_flags(m), bpf_map__fd(m), m);
		if (ret)
			return ret;
	}
	bpf_object__for_each_program(p, dt->kobj) {
		if (!bpf_program__autoload(p))
			continue;
		ret = dt_kernel_add_prog(dt, bpf_program__name(p), bpf_program__fd(p));
		if (ret)
			return ret;
	}
	dt->kprog = dt_kernel_prog(dt, bpf_program__name(chosen));
	return 0;
}

/* Open with libbpf, quietly unless -v: a refusal here is not the last word. */
static struct bpf_object *libbpf_open(const struct dt_ctx *dt, int *err)
{
	libbpf_print_fn_t old = dt->verbose ? NULL : libbpf_set_print(NULL);
	struct bpf_object *obj = bpf_object__open_file(dt->bpf_path, NULL);

	*err = obj ? 0 : -errno;
	if (!dt->verbose)
		libbpf_set_print(old);
	return obj;
}

/*
 * A program calling a helper this kernel was built without: no oracle for
 * it here, which says nothing about uxdp.  A skip that names the helper.
 */
static int missing_helper(struct dt_ctx *dt)
{
	const char *prog = NULL;
	int32_t id = uxdp_kernel_missing_helper_obj(dt->kobj, &prog);
	char why[128];

	if (!id)
		return 0;
	printf("difftest: SKIP: %s (%s calls it); nothing compared\n",
	       uxdp_missing_helper_reason(id, why, sizeof(why)), prog);
	return DT_EXIT_SKIP;
}

int dt_kernel_open(struct dt_ctx *dt)
{
	struct bpf_program *p, *chosen = NULL;
	char why[256];
	int ret;

	ret = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, NULL);
	if (ret < 0 && dt_kernel_refuses(ret))
		return dt_skip("probing XDP programs", ret);
	if (ret == 0)
		return dt_skip("probing XDP programs", -EOPNOTSUPP);

	if (dt->want_loader == DT_LOADER_KLOAD)
		return dt_kload_open(dt, NULL);
	dt->kobj = libbpf_open(dt, &ret);
	if (!dt->kobj) {
		/* libbpf's own refusal (e.g. legacy "maps"), not the kernel's. */
		char reason[128];

		libbpf_strerror(ret, reason, sizeof(reason));
		snprintf(why, sizeof(why), "libbpf cannot open it: %s", reason);
		if (dt->want_loader == DT_LOADER_LIBBPF)
			return dt_error(dt, "%s: %s", dt->bpf_path, why);
		return dt_kload_open(dt, why);
	}
	ret = choose_program(dt, &chosen);
	if (ret == NOT_LISTED && dt->want_loader == DT_LOADER_LIBBPF) {
		fprintf(stderr, "uxdp-difftest: %s: libbpf lists no program %s; programs:",
			dt->bpf_path, dt->prog_name);
		list_programs(dt, stderr);
		return DT_EXIT_USAGE;
	}
	if (ret == NOT_LISTED) {
		/* E.g. a static program, which newer libbpf lists and 1.1 refuses. */
		dt_kernel_close(dt);
		ret = dt_kload_has_program(dt);
		if (ret)
			return ret;
		snprintf(why, sizeof(why), "libbpf lists no program %s", dt->prog_name);
		return dt_kload_open(dt, why);
	}
	bpf_object__for_each_program(p, dt->kobj) {
		if (!ret)
			ret = prepare_program(dt, p, chosen);
	}
	if (ret)
		return ret;
	ret = missing_helper(dt);
	if (ret)
		return ret;
	ret = set_globals(dt);
	if (ret)
		return ret;
	ret = prepare_maps(dt);
	if (ret)
		return ret;
	dt_progress(dt, "loading %s into the kernel", dt->bpf_path);
	ret = bpf_object__load(dt->kobj);
	if (ret) {
		if (dt_kernel_refuses(ret))
			return dt_skip("loading the object", ret);
		return dt_error(dt, "%s: the kernel does not load %s (%s); see the verifier log above",
				dt->bpf_path, bpf_program__name(chosen), strerror(-ret));
	}
	if (dt->verbose)
		fprintf(stderr, "difftest: kernel side loaded by libbpf\n");
	return list_loaded(dt, chosen);
}
