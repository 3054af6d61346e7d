/* SPDX-License-Identifier: MIT */
/*
 * kload.c - an object's XDP programs into the kernel through uxdp's front
 * end: BPF_MAP_CREATE, global data, relocation, BPF_PROG_LOAD (kload.h).
 *
 * The front end has already resolved every relocation into the forms of
 * ebpf.h: an lddw MAP_FD / MAP_VALUE carries a map's index, a kfunc call
 * the index of its name.  Here those become what the kernel takes: the
 * map's descriptor, the kfunc's BTF id in vmlinux.  Calls and function
 * addresses are relative offsets already, as the kernel wants them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "kload.h"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

/* Lines the verifier prints after its reason: statistics and state dumps. */
static bool after_reason(const char *line)
{
	static const char *const prefixes[] = {
	    "processed ", "verification time", "stack depth", "cur state:",
	    "old state:", "mark_precise:",     "last_idx ",   "parent ",
	    "regs=",	  "peak_states",       "-- END",
	};

	for (size_t k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++)
		if (!strncmp(line, prefixes[k], strlen(prefixes[k])))
			return true;
	return false;
}

const char *uxdp_verifier_reason(char *log)
{
	char *end = log + strlen(log), *start;

	for (;;) {
		while (end > log && (end[-1] == '\n' || end[-1] == ' '))
			*--end = '\0';
		start = strrchr(log, '\n');
		start = start ? start + 1 : log;
		if (start == log || !after_reason(start))
			return start;
		end = start - 1;
		*end = '\0';
	}
}

/*
 * Does this kernel offer helper id to XDP programs?  1 yes, 0 no, -1 cannot
 * tell (no BPF here).  A three-instruction program calling it is loaded and
 * the verifier's log read, as libbpf's probe does; libbpf 1.1 knows only the
 * older wordings ("invalid func", "unknown func") and calls a helper the
 * kernel answers "program of this type cannot use helper" about supported.
 */
static int kernel_offers_helper(int32_t id)
{
	static signed char known[256];
	static bool no_bpf; /* asked once: every helper's answer would be the same */
	struct bpf_insn prog[] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = id },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 2 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char log[4096] = "";
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log, .log_size = sizeof(log), .log_level = 1);
	int fd;

	if (no_bpf || id <= 0 || id >= (int32_t)sizeof(known))
		return -1;
	if (known[id])
		return known[id] > 0;
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "uxdp_probe", "GPL", prog, 3, &o);
	if (fd >= 0) {
		close(fd);
		known[id] = 1;
		return 1;
	}
	if (errno == EPERM || errno == ENOSYS || errno == EOPNOTSUPP) {
		no_bpf = true;
		return -1;
	}
	if (strstr(log, "cannot use helper") || strstr(log, "invalid func ") ||
	    strstr(log, "unknown func ")) {
		known[id] = -1;
		return 0;
	}
	known[id] = 1; /* refused for its arguments: the helper exists */
	return 1;
}

int32_t uxdp_kernel_missing_helper(const void *insns, size_t n)
{
	const struct bpf_insn *in = insns;

	for (size_t i = 0; i < n; i++)
		if (in[i].code == (BPF_JMP | BPF_CALL) && in[i].src_reg == 0 &&
		    !kernel_offers_helper(in[i].imm))
			return in[i].imm;
	return 0;
}

int32_t uxdp_kernel_missing_helper_obj(struct bpf_object *bo, const char **prog)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, bo) {
		int32_t id;

		if (!bpf_program__autoload(p))
			continue;
		id = uxdp_kernel_missing_helper(bpf_program__insns(p), bpf_program__insn_cnt(p));
		if (id) {
			*prog = bpf_program__name(p);
			return id;
		}
	}
	return 0;
}

const char *uxdp_missing_helper_reason(int32_t id, char *buf, size_t size)
{
	const char *name = uxdp_helper_name(id);

	snprintf(buf, size, "the running kernel does not offer helper bpf_%s (#%d) to XDP programs",
		 name ? name : "?", id);
	return buf;
}

/* A kernel object name: 15 characters of [A-Za-z0-9_.]. */
static void kernel_name(const char *name, char out[BPF_OBJ_NAME_LEN])
{
	size_t n = 0;

	for (const char *p = name; *p && n < BPF_OBJ_NAME_LEN - 1; p++)
		out[n++] = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				   (*p >= '0' && *p <= '9') || *p == '.'
			       ? *p
			       : '_';
	out[n] = '\0';
}

static int create_one(const struct uxdp_map_info *m, int inner_fd, int *fd)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = m->map_flags);
	char name[BPF_OBJ_NAME_LEN];
	uint32_t max = m->max_entries;

	if (inner_fd >= 0)
		o.inner_map_fd = (uint32_t)inner_fd;
	/* libbpf sizes a perf event array to the possible CPUs. */
	if (m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !max) {
		int n = libbpf_num_possible_cpus();

		max = n > 0 ? (uint32_t)n : 1;
	}
	kernel_name(m->name, name);
	*fd = bpf_map_create(m->type, name, m->key_size, m->value_size, max, &o);
	return *fd < 0 ? -errno : 0;
}

/* Every map but inner templates; global data written, .rodata frozen. */
static int create_maps(struct uxdp_kload *k, struct uxdp_diag *diag)
{
	const struct uxdp_object *obj = k->obj;
	int err;

	for (size_t i = 0; i < obj->n_maps; i++) {
		const struct uxdp_map_info *m = &obj->maps[i];
		int inner = -1;

		if (m->kind == UXDP_MAP_KIND_INNER)
			continue;
		if (m->spin_lock_off != UINT32_MAX)
			return diag_error(diag, -EOPNOTSUPP,
					  "%s: map '%s' holds a bpf_spin_lock: uxdp's kernel "
					  "loader does not pass map BTF",
					  obj->name, m->name);
		if (m->inner_map >= 0) {
			err = create_one(&obj->maps[m->inner_map], -1, &inner);
			if (err)
				return diag_error(diag, err,
						  "%s: creating the inner map of '%s': %s",
						  obj->name, m->name, strerror(-err));
		}
		err = create_one(m, inner, &k->map_fds[i]);
		if (inner >= 0)
			close(inner);
		if (err)
			return diag_error(diag, err, "%s: creating map '%s' (type %u): %s",
					  obj->name, m->name, m->type, strerror(-err));
		if (m->kind == UXDP_MAP_KIND_USER)
			continue;
		if (m->init) {
			uint8_t *v = calloc(1, m->value_size);
			uint32_t key = 0;

			if (!v)
				return diag_error(diag, -ENOMEM, "out of memory");
			memcpy(v, m->init,
			       m->init_size < m->value_size ? m->init_size : m->value_size);
			err = bpf_map_update_elem(k->map_fds[i], &key, v, BPF_ANY) ? -errno : 0;
			free(v);
			if (err)
				return diag_error(diag, err, "%s: writing '%s': %s", obj->name,
						  m->name, strerror(-err));
		}
		if (m->kind == UXDP_MAP_KIND_RODATA && bpf_map_freeze(k->map_fds[i]))
			return diag_error(diag, -errno, "%s: freezing '%s': %s", obj->name, m->name,
					  strerror(errno));
	}
	return 0;
}

/* Map indexes to descriptors, kfunc name indexes to vmlinux BTF ids. */
static int relocate(const struct uxdp_kload *k, const struct uxdp_prog *p,
		    const struct btf *vmlinux, struct ebpf_insn *insns, struct uxdp_diag *diag)
{
	for (size_t i = 0; i < p->n_insns; i++) {
		struct ebpf_insn *in = &insns[i];

		if (in->opcode == EBPF_OP_LDDW) {
			if ((in->src == EBPF_PSEUDO_MAP_FD || in->src == EBPF_PSEUDO_MAP_VALUE) &&
			    in->imm >= 0 && (size_t)in->imm < k->obj->n_maps)
				in->imm = k->map_fds[in->imm];
			i++;
		} else if (in->opcode == EBPF_OP_CALL && in->src == EBPF_PSEUDO_CALL_KFUNC) {
			const char *name =
			    (size_t)in->imm < k->obj->n_kfuncs ? k->obj->kfuncs[in->imm] : "?";
			int id = btf__find_by_name_kind(vmlinux, name, BTF_KIND_FUNC);

			if (id < 0)
				return diag_error(
				    diag, -ENOENT,
				    "%s: program '%s' insn %zu: kfunc '%s' is not in this kernel",
				    k->obj->name, p->name, i, name);
			in->imm = id;
		}
	}
	return 0;
}

/* "xdp/devmap" and "xdp/cpumap" programs have their own attach types. */
static enum bpf_attach_type attach_type(const char *section)
{
	const char *slash = strchr(section, '/');

	if (slash && !strcmp(slash, "/devmap"))
		return BPF_XDP_DEVMAP;
	if (slash && !strcmp(slash, "/cpumap"))
		return BPF_XDP_CPUMAP;
	return BPF_XDP;
}

/* Does p take a function's address (a callback's, BPF_PSEUDO_FUNC)? */
static bool passes_callback(const struct uxdp_prog *p)
{
	for (size_t i = 0; i < p->n_insns; i++)
		if (p->insns[i].opcode == EBPF_OP_LDDW && p->insns[i].src == EBPF_PSEUDO_FUNC)
			return true;
	return false;
}

static int load_prog(struct uxdp_kload *k, size_t idx, const struct btf *vmlinux,
		     const struct uxdp_kload_opts *o, struct uxdp_diag *diag)
{
	const struct uxdp_prog *p = &k->obj->progs[idx];
	LIBBPF_OPTS(bpf_prog_load_opts, lo, .expected_attach_type = attach_type(p->section),
		    .prog_flags = p->flags & UXDP_PROG_F_FRAGS ? BPF_F_XDP_HAS_FRAGS : 0);
	struct ebpf_insn *insns = malloc(p->n_insns * sizeof(*insns));
	char name[BPF_OBJ_NAME_LEN];
	int32_t missing;
	int err, fd;

	if (!insns)
		return diag_error(diag, -ENOMEM, "out of memory");
	memcpy(insns, p->insns, p->n_insns * sizeof(*insns));
	err = relocate(k, p, vmlinux, insns, diag);
	if (err) {
		free(insns);
		return err;
	}
	if (o->log && o->log_size) {
		o->log[0] = '\0';
		lo.log_buf = o->log;
		lo.log_size = (uint32_t)o->log_size;
		lo.log_level = o->log_level ? o->log_level : 1;
	}
	if (passes_callback(p)) {
		free(insns);
		return diag_error(diag, -EOPNOTSUPP,
				  "%s: program '%s' hands a callback to a helper (bpf_loop, "
				  "bpf_for_each_map_elem): the kernel wants BTF func_info for it, "
				  "which uxdp's kernel loader does not pass",
				  k->obj->name, p->name);
	}
	missing = uxdp_kernel_missing_helper(insns, p->n_insns);
	if (missing) {
		char why[128];

		free(insns);
		return diag_error(diag, -EOPNOTSUPP, "%s: program '%s': %s", k->obj->name, p->name,
				  uxdp_missing_helper_reason(missing, why, sizeof(why)));
	}
	kernel_name(p->name, name);
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, name, k->obj->license[0] ? k->obj->license : "GPL",
			   (const struct bpf_insn *)insns, p->n_insns, &lo);
	err = fd < 0 ? -errno : 0;
	free(insns);
	if (!err) {
		k->prog_fds[idx] = fd;
		return 0;
	}
	if (err == -EPERM || err == -ENOSYS || err == -EOPNOTSUPP)
		return diag_error(diag, err, "%s: BPF_PROG_LOAD: the kernel refuses BPF here (%s)",
				  k->obj->name, strerror(-err));
	if (o->log && o->log[0])
		return diag_error(diag, -EACCES, "%s: the kernel verifier rejects program '%s': %s",
				  k->obj->name, p->name, uxdp_verifier_reason(o->log));
	return diag_error(diag, err, "%s: the kernel does not load program '%s': %s", k->obj->name,
			  p->name, strerror(-err));
}

void uxdp_kload_close(struct uxdp_kload *k)
{
	if (!k)
		return;
	for (size_t i = 0; k->map_fds && k->obj && i < k->obj->n_maps; i++)
		if (k->map_fds[i] >= 0)
			close(k->map_fds[i]);
	for (size_t i = 0; k->prog_fds && k->obj && i < k->obj->n_progs; i++)
		if (k->prog_fds[i] >= 0)
			close(k->prog_fds[i]);
	free(k->map_fds);
	free(k->prog_fds);
	uxdp_object_free(k->obj);
	free(k);
}

/*
 * `.values` slots (the front end's initial contents of a prog_array or a
 * map of maps: a u32 per slot, the target's index + 1), as libbpf fills
 * them once the programs are loaded: with their descriptors.
 */
static int fill_slots(struct uxdp_kload *k, struct uxdp_diag *diag)
{
	const struct uxdp_object *obj = k->obj;

	for (size_t i = 0; i < obj->n_maps; i++) {
		const struct uxdp_map_info *m = &obj->maps[i];

		for (uint32_t slot = 0; slot < uxdp_map_n_slots(m); slot++) {
			uint32_t v = uxdp_map_slot_target(obj, m, slot);
			int fd;

			if (!v)
				continue;
			fd = m->type == BPF_MAP_TYPE_PROG_ARRAY ? k->prog_fds[v - 1] : k->map_fds[v - 1];
			if (bpf_map_update_elem(k->map_fds[i], &slot, &fd, BPF_ANY))
				return diag_error(diag, -errno, "%s: map '%s' slot %u: %s", obj->name,
						  m->name, slot, strerror(errno));
		}
	}
	return 0;
}

int uxdp_kload_open(const char *path, const struct uxdp_kload_opts *opts, struct uxdp_kload **out,
		    struct uxdp_diag *diag)
{
	static const struct uxdp_kload_opts none;
	const struct uxdp_kload_opts *o = opts ? opts : &none;
	struct uxdp_open_opts oo = {
	    .select = o->select, .resize = o->resize, .n_resize = o->n_resize};
	struct uxdp_kload *k;
	libbpf_print_fn_t old;
	struct btf *vmlinux;
	int err;

	*out = NULL;
	old = libbpf_set_print(quiet);
	vmlinux = btf__load_vmlinux_btf();
	libbpf_set_print(old);
	if (!vmlinux)
		return diag_error(diag, -errno ? -errno : -ENOENT,
				  "the kernel's BTF (/sys/kernel/btf/vmlinux) cannot be read: %s",
				  strerror(errno));
	oo.target = (struct uxdp_core_target){.btf = vmlinux, .name = "vmlinux"};
	k = calloc(1, sizeof(*k));
	if (!k) {
		btf__free(vmlinux);
		return diag_error(diag, -ENOMEM, "out of memory");
	}
	err = uxdp_object_open_opts(path, NULL, 0, &oo, &k->obj, diag);
	if (!err)
		err = uxdp_object_check_sizes(k->obj, diag);
	if (!err) {
		k->map_fds = malloc((k->obj->n_maps + 1) * sizeof(int));
		k->prog_fds = malloc((k->obj->n_progs + 1) * sizeof(int));
		if (!k->map_fds || !k->prog_fds)
			err = diag_error(diag, -ENOMEM, "out of memory");
		for (size_t i = 0; !err && i < k->obj->n_maps; i++)
			k->map_fds[i] = -1;
		for (size_t i = 0; !err && i < k->obj->n_progs; i++)
			k->prog_fds[i] = -1;
	}
	if (!err && o->prepare)
		err = o->prepare(k->obj, o->prepare_arg, diag);
	if (!err)
		err = create_maps(k, diag);
	for (size_t i = 0; !err && i < k->obj->n_progs; i++)
		err = load_prog(k, i, vmlinux, o, diag);
	if (!err)
		err = fill_slots(k, diag);
	btf__free(vmlinux);
	if (err) {
		uxdp_kload_close(k);
		return err;
	}
	*out = k;
	return 0;
}

int uxdp_kload_map_fd(const struct uxdp_kload *k, const char *name)
{
	for (size_t i = 0; i < k->obj->n_maps; i++)
		if (!strcmp(k->obj->maps[i].name, name))
			return k->map_fds[i];
	return -1;
}

int uxdp_kload_prog_fd(const struct uxdp_kload *k, const char *name)
{
	for (size_t i = 0; i < k->obj->n_progs; i++)
		if (!strcmp(k->obj->progs[i].name, name))
			return k->prog_fds[i];
	return -1;
}
