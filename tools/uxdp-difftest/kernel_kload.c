// SPDX-License-Identifier: MIT
/*
 * kernel_kload.c - the kernel side through uxdp's own loader (kload.h),
 * for the objects libbpf refuses: legacy SEC("maps") maps, and with
 * libbpf 1.1 static programs.
 *
 * The loader reads the object with uxdpc's front end, so it loads exactly
 * the programs uxdpc compiles for the uxdp side: the one -p names, or
 * uxdpc's default set when the config fills prog_arrays with others.  What
 * libbpf's bpf_map__set_*() do before a load happens in the prepare hook,
 * on the front end's map metadata: large arrays made mmapable, `global`
 * lines written into their section's initial value.  The maps' shapes are
 * the front end's metadata, as they are libbpf's with libbpf.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "difftest.h"
#include "kload.h"
#include "maps.h"

#define LOG_SIZE (1u << 20)

struct prepare_ctx {
	struct dt_ctx *dt;
	int exit; /* a DT_EXIT_* once its message is printed */
};

/* A global variable's place, from its ELF symbol (where libbpf places DATASEC variables). */
struct var_place {
	char section[DT_NAME_LEN];
	size_t offset, size;
};

static int symtab_find(Elf *e, const char *name, struct var_place *out)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(e, &shstrndx))
		return -EINVAL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			const char *n, *sec;
			GElf_Shdr vsh;
			GElf_Sym s;

			if (!gelf_getsym(d, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_OBJECT)
				continue;
			n = elf_strptr(e, sh.sh_link, s.st_name);
			if (!n || strcmp(n, name) || !gelf_getshdr(elf_getscn(e, s.st_shndx), &vsh))
				continue;
			sec = elf_strptr(e, shstrndx, vsh.sh_name);
			if (!sec || strlen(sec) >= sizeof(out->section))
				continue;
			snprintf(out->section, sizeof(out->section), "%s", sec);
			out->offset = s.st_value;
			out->size = s.st_size;
			return 0;
		}
	}
	return -ENOENT;
}

static int find_var(const char *path, const char *name, struct var_place *out)
{
	int fd, err;
	Elf *e;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	e = elf_begin(fd, ELF_C_READ, NULL);
	err = e ? symtab_find(e, name, out) : -EINVAL;
	elf_end(e);
	close(fd);
	return err;
}

static struct uxdp_map_info *data_map(struct uxdp_object *obj, const char *section)
{
	for (size_t i = 0; i < obj->n_maps; i++)
		if (obj->maps[i].kind != UXDP_MAP_KIND_USER &&
		    obj->maps[i].kind != UXDP_MAP_KIND_INNER && !strcmp(obj->maps[i].name, section))
			return &obj->maps[i];
	return NULL;
}

/* One `global` line into its section's initial value, as set_globals does with libbpf. */
static int set_global(struct prepare_ctx *pc, struct uxdp_object *obj, struct cfg_entry *e)
{
	struct dt_ctx *dt = pc->dt;
	struct uxdp_map_info *m = NULL;
	struct var_place v;
	uint8_t *bytes;

	if (!find_var(dt->bpf_path, e->var, &v))
		m = data_map(obj, v.section);
	if (!m) {
		fprintf(stderr, "uxdp-difftest: %s:%d: no global variable %s in the object's global data\n",
			dt->cfg_path, e->line, e->var);
		return DT_EXIT_USAGE;
	}
	if (e->value_len != v.size || v.offset + v.size > m->value_size) {
		fprintf(stderr, "uxdp-difftest: %s:%d: global %s: value is %zu bytes, the variable's %zu\n",
			dt->cfg_path, e->line, e->var, e->value_len, v.size);
		return DT_EXIT_USAGE;
	}
	bytes = calloc(1, m->value_size);
	if (!bytes)
		return dt_error(dt, "out of memory");
	if (m->init)
		memcpy(bytes, m->init, m->init_size < m->value_size ? m->init_size : m->value_size);
	memcpy(bytes + v.offset, e->value, e->value_len);
	free(m->init);
	m->init = bytes;
	m->init_size = m->value_size;
	snprintf(e->section, sizeof(e->section), "%s", v.section);
	e->offset = v.offset;
	return 0;
}

/* kload's prepare hook: what kernel.c's prepare_maps and set_globals do for libbpf. */
static int prepare(struct uxdp_object *obj, void *arg, struct uxdp_diag *diag)
{
	struct prepare_ctx *pc = arg;

	for (size_t i = 0; i < obj->n_maps; i++) {
		struct uxdp_map_info *m = &obj->maps[i];

		if (dt_want_mmapable(m->type, m->max_entries, m->value_size, m->map_flags))
			m->map_flags |= BPF_F_MMAPABLE;
	}
	for (size_t i = 0; !pc->exit && i < pc->dt->cfg.n; i++)
		if (pc->dt->cfg.v[i].kind == CFG_GLOBAL)
			pc->exit = set_global(pc, obj, &pc->dt->cfg.v[i]);
	return pc->exit ? diag_error(diag, -ECANCELED, "stopped by the config") : 0;
}

static void list_programs(const struct uxdp_object *obj, FILE *f)
{
	for (size_t i = 0; i < obj->n_progs; i++)
		fprintf(f, " %s (section %s)", obj->progs[i].name, obj->progs[i].section);
	fputc('\n', f);
}

/* As kernel.c's choose_program, among the programs uxdpc's front end picked. */
static int choose(struct dt_ctx *dt, const struct uxdp_object *obj, size_t *chosen)
{
	size_t n_sec = 0, i;

	for (i = 0; dt->prog_name && i < obj->n_progs; i++)
		if (!strcmp(obj->progs[i].name, dt->prog_name)) {
			*chosen = i;
			return 0;
		}
	for (i = 0; dt->prog_name && i < obj->n_progs; i++)
		if (!strcmp(obj->progs[i].section, dt->prog_name)) {
			*chosen = i;
			n_sec++;
		}
	if (n_sec == 1 || (!dt->prog_name && obj->n_progs == 1)) {
		if (!dt->prog_name)
			*chosen = 0;
		return 0;
	}
	fprintf(stderr, "uxdp-difftest: %s: %s; programs:", dt->bpf_path,
		!dt->prog_name ? "several XDP programs, choose one with -p" :
		n_sec	       ? "that section holds several programs, choose one by function name" :
				 "no such program");
	list_programs(obj, stderr);
	return DT_EXIT_USAGE;
}

/*
 * The maps and programs into dt's view.  Shapes are the front end's, as
 * libbpf's bpf_map__*() give the object's: the kernel rounds some up (an
 * LRU hash with BPF_F_NO_COMMON_LRU to a multiple of the CPUs), and that is
 * not a difference from uxdp.  A size left to the loader (a perf event
 * array's) is the one the kernel got.
 */
static int list_loaded(struct dt_ctx *dt)
{
	const struct uxdp_kload *k = dt->kload;
	int ret;

	for (size_t i = 0; i < k->obj->n_maps; i++) {
		const struct uxdp_map_info *m = &k->obj->maps[i];
		struct bpf_map_info info;
		__u32 len = sizeof(info);

		if (k->map_fds[i] < 0)
			continue; /* an inner-map template: nothing in the kernel */
		memset(&info, 0, sizeof(info));
		if (!m->max_entries && bpf_obj_get_info_by_fd(k->map_fds[i], &info, &len))
			return dt_error(dt, "map %s: BPF_OBJ_GET_INFO_BY_FD: %s", m->name,
					strerror(errno));
		ret = dt_kernel_add_map(dt, m->name, m->type, m->key_size, m->value_size,
					m->max_entries ? m->max_entries : info.max_entries,
					m->map_flags, k->map_fds[i], NULL);
		if (ret)
			return ret;
	}
	for (size_t i = 0; i < k->obj->n_progs; i++) {
		ret = dt_kernel_add_prog(dt, k->obj->progs[i].name, k->prog_fds[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* kload's -EPERM/-ENOSYS, or -EOPNOTSUPP from a bpf() call: this kernel will not run BPF. */
static bool kload_refused(int err, const struct uxdp_diag *d)
{
	if (err == -EOPNOTSUPP)
		return strstr(d->msg, "refuses BPF") != NULL;
	return dt_kernel_refuses(err);
}

/*
 * Without the kernel: a -p that neither libbpf nor the front end finds is
 * the user's mistake (exit 2), not a loader failure.
 */
int dt_kload_has_program(const struct dt_ctx *dt)
{
	struct uxdp_open_opts oo = { .select = dt->prog_name };
	struct uxdp_object *obj = NULL;
	struct uxdp_diag d = { 0 };
	int err;

	err = uxdp_object_open_opts(dt->bpf_path, NULL, 0, &oo, &obj, &d);
	uxdp_object_free(obj);
	if (!err)
		return 0;
	fprintf(stderr, "uxdp-difftest: %s: no program %s: %s\n", dt->bpf_path, dt->prog_name,
		d.msg);
	return DT_EXIT_USAGE;
}

int dt_kload_open(struct dt_ctx *dt, const char *libbpf_why)
{
	struct prepare_ctx pc = { .dt = dt };
	struct uxdp_kload_opts o = {
		.log_size = LOG_SIZE,
		.log_level = 1,
		.prepare = prepare,
		.prepare_arg = &pc,
		/* --map-size, applied before the maps are made, as libbpf's are. */
		.resize = dt->resize,
		.n_resize = dt->n_sizes,
	};
	struct uxdp_diag d = { 0 };
	size_t chosen = 0;
	int err, ret;

	/* uxdpc's own choice of programs (uxdp_open's compile): the same ones load here. */
	o.select = dt_config_names_programs_besides(dt, dt->prog_name) ? NULL : dt->prog_name;
	o.log = malloc(LOG_SIZE);
	if (!o.log)
		return dt_error(dt, "out of memory");
	if (dt->verbose)
		fprintf(stderr, "difftest: %s: %s; the kernel side is loaded by uxdp's loader "
			"(uxdp_kload)\n", dt->bpf_path, libbpf_why ? libbpf_why : "--loader kload");
	dt_progress(dt, "loading %s into the kernel (uxdp_kload)", dt->bpf_path);
	err = uxdp_kload_open(dt->bpf_path, &o, &dt->kload, &d);
	if (err && pc.exit) {
		ret = pc.exit;
	} else if (err == -EOPNOTSUPP && strstr(d.msg, "does not offer helper")) {
		printf("difftest: SKIP: %s; nothing compared\n", d.msg);
		ret = DT_EXIT_SKIP;
	} else if (err && kload_refused(err, &d)) {
		ret = dt_skip("loading the object (uxdp_kload)", err);
	} else if (err) {
		if (dt->verbose && err == -EACCES && o.log[0])
			fprintf(stderr, "%s\n", o.log);
		ret = libbpf_why ? dt_error(dt, "%s: %s, and uxdp's loader fails too: %s",
					    dt->bpf_path, libbpf_why, d.msg) :
				   dt_error(dt, "%s: uxdp's loader fails: %s", dt->bpf_path, d.msg);
	} else {
		ret = choose(dt, dt->kload->obj, &chosen);
		if (!ret)
			ret = list_loaded(dt);
		if (!ret)
			dt->kprog = &dt->kprogs[chosen];
	}
	free(o.log);
	return ret;
}
