// SPDX-License-Identifier: MIT
/*
 * kernel.c - the kernel side of the comparison: open the object with
 * libbpf, choose the program, and load only what is compared.
 *
 * Only the compared program and the programs the config puts in prog_arrays
 * are loaded: an object may also hold tracing, iterator or tc programs that
 * this kernel refuses, and they have nothing to do with the XDP program.
 * A program in a section libbpf does not know (`xdp_sock`, `prog`,
 * `xdp_fw`, ...) is loaded as XDP, with the XDP expected attach type, as its
 * own loader would attach it.  Maps are never pinned: libbpf's default pin
 * path is /sys/fs/bpf, and a map pinned there by an earlier run would be
 * reused, contents and all.  Large plain arrays are created mmapable, so
 * that the comparison reads them in place (maps_kv.c); a program cannot
 * tell the difference.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "difftest.h"
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

bool dt_config_names_other_programs(const struct dt_ctx *dt)
{
	size_t i;

	for (i = 0; i < dt->cfg.n; i++)
		if (dt->cfg.v[i].kind == CFG_PROG_ARRAY &&
		    strcmp(dt->cfg.v[i].prog, bpf_program__name(dt->kprog)))
			return true;
	return false;
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

/*
 * -p NAME: a function name first, then a section name (one program in it).
 * No -p: the object's only program that libbpf types as XDP, or, with none,
 * its only untyped one (a custom section such as SEC("xdp_fw")), as uxdpc
 * chooses.
 */
static int choose_program(struct dt_ctx *dt)
{
	struct bpf_program *p, *only = NULL, *only_untyped = NULL;
	int n_xdp = 0, n_untyped = 0, n_sec = 0;

	bpf_object__for_each_program(p, dt->kobj) {
		if (dt->prog_name && !strcmp(bpf_program__name(p), dt->prog_name))
			dt->kprog = p;
		if (bpf_program__type(p) == BPF_PROG_TYPE_XDP) {
			n_xdp++;
			only = p;
		} else if (bpf_program__type(p) == BPF_PROG_TYPE_UNSPEC) {
			n_untyped++;
			only_untyped = p;
		}
	}
	if (dt->prog_name && !dt->kprog) {
		bpf_object__for_each_program(p, dt->kobj) {
			if (!strcmp(bpf_program__section_name(p), dt->prog_name)) {
				dt->kprog = p;
				n_sec++;
			}
		}
		if (n_sec > 1) {
			dt->kprog = NULL;
			fprintf(stderr, "uxdp-difftest: %s: section %s holds %d programs, choose one "
				"by function name; programs:", dt->bpf_path, dt->prog_name, n_sec);
			list_programs(dt, stderr);
			return DT_EXIT_USAGE;
		}
	}
	if (!dt->prog_name && n_xdp == 1)
		dt->kprog = only;
	else if (!dt->prog_name && n_xdp == 0 && n_untyped == 1)
		dt->kprog = only_untyped;
	if (!dt->kprog) {
		fprintf(stderr, "uxdp-difftest: %s: %s; programs:", dt->bpf_path,
			dt->prog_name ? "no such program" :
			n_xdp ? "several XDP programs, choose one with -p" :
				"no program in an XDP section, choose one with -p");
		list_programs(dt, stderr);
		return DT_EXIT_USAGE;
	}
	if (!xdp_or_unknown(dt->kprog)) {
		fprintf(stderr, "uxdp-difftest: %s: %s is a %s program, not XDP\n", dt->bpf_path,
			bpf_program__name(dt->kprog),
			libbpf_bpf_prog_type_str(bpf_program__type(dt->kprog)));
		return DT_EXIT_USAGE;
	}
	return 0;
}

/* Load p as XDP, or not at all; a program of another type named by the config is refused. */
static int prepare_program(struct dt_ctx *dt, struct bpf_program *p)
{
	bool load = p == dt->kprog || named_by_config(dt, bpf_program__name(p));

	bpf_program__set_autoload(p, load);
	if (!load)
		return 0;
	if (!xdp_or_unknown(p)) {
		fprintf(stderr, "uxdp-difftest: %s: the config puts %s in a prog_array, but it is "
			"a %s program\n", dt->bpf_path, bpf_program__name(p),
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

static void prepare_maps(struct dt_ctx *dt)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, dt->kobj) {
		uint64_t bytes = (uint64_t)bpf_map__max_entries(m) *
				 ((bpf_map__value_size(m) + 7) & ~7u);

		/* No pin path: nothing reused from /sys/fs/bpf, nothing left there. */
		bpf_map__set_pin_path(m, NULL);
		if (bpf_map__type(m) == BPF_MAP_TYPE_ARRAY && bytes >= MMAP_ARRAY_MIN &&
		    !(bpf_map__map_flags(m) & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)))
			bpf_map__set_map_flags(m, bpf_map__map_flags(m) | BPF_F_MMAPABLE);
	}
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

int dt_kernel_open(struct dt_ctx *dt)
{
	struct bpf_program *p;
	int ret;

	ret = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, NULL);
	if (ret < 0 && dt_kernel_refuses(ret))
		return dt_skip("probing XDP programs", ret);
	if (ret == 0)
		return dt_skip("probing XDP programs", -EOPNOTSUPP);

	dt->kobj = bpf_object__open_file(dt->bpf_path, NULL);
	if (!dt->kobj) {
		/* libbpf's own refusal (e.g. legacy "maps"), not the kernel's: an error. */
		ret = -errno;
		return dt_error(dt, "%s: libbpf cannot open it: %s", dt->bpf_path, strerror(-ret));
	}
	ret = choose_program(dt);
	bpf_object__for_each_program(p, dt->kobj) {
		if (!ret)
			ret = prepare_program(dt, p);
	}
	if (ret)
		return ret;
	ret = set_globals(dt);
	if (ret)
		return ret;
	prepare_maps(dt);
	dt_progress(dt, "loading %s into the kernel", dt->bpf_path);
	ret = bpf_object__load(dt->kobj);
	if (ret) {
		if (dt_kernel_refuses(ret))
			return dt_skip("loading the object", ret);
		return dt_error(dt, "%s: the kernel does not load %s (%s); see the verifier log above",
				dt->bpf_path, bpf_program__name(dt->kprog), strerror(-ret));
	}
	return 0;
}
