/* SPDX-License-Identifier: MIT */
/*
 * verify.c - ask the kernel's verifier about the programs being compiled.
 *
 * uxdpc checks encodings, control flow and ctx use itself (decode.c,
 * analysis.c), but not memory safety: that proof is the kernel verifier's,
 * and a program it would reject must not run.  So, when the kernel can load
 * BPF (root or CAP_BPF), uxdpc loads the object with libbpf, lets the
 * verifier judge each program being compiled, and unloads it again.
 *
 *   --verify=auto    (default) verify when the kernel allows it; otherwise
 *                    say once that the object was not verified (module.c
 *                    then confines the programs itself: compiler/confine.c)
 *   --verify=kernel  verification is required: no kernel BPF is an error
 *   --verify=none    do not ask the kernel (confined by uxdpc)
 *
 * Objects libbpf cannot open (legacy SEC("maps") maps; static programs
 * for libbpf 1.1) are loaded through uxdp's own front end instead
 * (kload.c).  Either way nothing is pinned: no trace is left on the system.
 *
 * Raw programs are not verified: they have no ELF for libbpf, and the
 * conformance suite's programs are not meant to be verifier-clean.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "compile.h"
#include "kload.h"

#define LOG_SIZE (1 << 20)

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static bool compiled(const struct uxdp_object *obj, const char *name)
{
	for (size_t k = 0; k < obj->n_progs; k++)
		if (!strcmp(obj->progs[k].name, name))
			return true;
	return false;
}

/* The sizes uxdpc compiles with (--map-size), and no pinning: no side effects. */
static void prepare_maps(const struct uxdp_object *obj, struct bpf_object *bo)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, bo) {
		bpf_map__set_pin_path(map, NULL);
		for (size_t k = 0; k < obj->n_maps; k++) {
			const struct uxdp_map_info *m = &obj->maps[k];

			if (m->kind != UXDP_MAP_KIND_USER || strcmp(m->name, bpf_map__name(map)))
				continue;
			bpf_map__set_max_entries(map, m->max_entries);
			bpf_map__set_value_size(map, m->value_size);
		}
	}
}

/* Errors that mean "this kernel will not load BPF for us", not "rejected". */
static bool no_kernel_bpf(int err)
{
	return err == -EPERM || err == -ENOSYS || err == -EOPNOTSUPP;
}

/*
 * A program calling a helper this kernel does not offer to XDP programs:
 * the kernel cannot judge it, which is not a rejection.  auto: a note, and
 * uxdpc confines the programs itself (1); kernel: an error.  0: none.
 */
static int missing_helper(const struct uxdp_object *obj, struct bpf_object *bo,
			  enum uxdp_verify_mode mode, struct uxdp_diag *diag)
{
	const char *prog = NULL;
	int32_t id = uxdp_kernel_missing_helper_obj(bo, &prog); /* autoload: ours only */
	char why[128];

	if (!id)
		return 0;
	uxdp_missing_helper_reason(id, why, sizeof(why));
	if (mode == UXDP_VERIFY_AUTO) {
		diag_note(diag, 0, "note: %s not verified: %s ('%s' calls it)", obj->name, why, prog);
		return 1;
	}
	return diag_error(diag, -EOPNOTSUPP, "%s: --verify=kernel: %s ('%s' calls it)", obj->name,
			  why, prog);
}

/* Through kload.c: the same programs (-p) and map sizes as being compiled. */
static int verify_kload(const struct uxdp_object *obj, enum uxdp_verify_mode mode, char *log,
			struct uxdp_diag *diag, bool *accepted)
{
	struct uxdp_map_resize *resize = calloc(obj->n_maps + 1, sizeof(*resize));
	struct uxdp_kload_opts o = { .log = log, .log_size = LOG_SIZE, .log_level = 1 };
	struct uxdp_diag kd = { .verbose = diag->verbose };
	struct uxdp_kload *k = NULL;
	int err;

	if (!resize)
		return diag_error(diag, -ENOMEM, "out of memory");
	for (size_t i = 0; i < obj->n_maps; i++) {
		if (obj->maps[i].kind != UXDP_MAP_KIND_USER)
			continue;
		resize[o.n_resize].map = obj->maps[i].name;
		resize[o.n_resize].max_entries = obj->maps[i].max_entries;
		resize[o.n_resize].value_size = obj->maps[i].value_size;
		resize[o.n_resize].map_flags = obj->maps[i].map_flags;
		resize[o.n_resize].set_flags = true;
		o.n_resize++;
	}
	o.resize = resize;
	o.select = obj->n_progs == 1 ? obj->progs[0].name : NULL;
	err = uxdp_kload_open(obj->path, &o, &k, &kd);
	uxdp_kload_close(k);
	free(resize);
	if (!err) {
		*accepted = true;
		diag_note(diag, 1, "%s: the kernel verifier accepts it (uxdp's loader)", obj->name);
		return 0;
	}
	if (no_kernel_bpf(err) && mode == UXDP_VERIFY_AUTO) {
		diag_note(diag, 0, "note: %s not verified: %s", obj->name, kd.msg);
		return 0;
	}
	return diag_error(diag, err, "%s", kd.msg);
}

int uxdp_verify(const struct uxdp_object *obj, enum uxdp_verify_mode mode, struct uxdp_diag *diag,
		bool *accepted)
{
	libbpf_print_fn_t old_print;
	struct bpf_object *bo = NULL;
	struct bpf_program *p;
	char *log = NULL;
	int err;

	*accepted = false;
	if (mode == UXDP_VERIFY_NONE || obj->progs[0].type != UXDP_PROG_XDP || !obj->path)
		return 0;
	old_print = libbpf_set_print(silent);
	log = calloc(1, LOG_SIZE);
	if (!log) {
		err = diag_error(diag, -ENOMEM, "out of memory");
		goto out;
	}
	bo = bpf_object__open_file(obj->path, NULL);
	err = libbpf_get_error(bo);
	if (err) {
		bo = NULL;
		diag_note(diag, 1, "%s: libbpf cannot open it (%s): loading it with uxdp's loader",
			  obj->name, strerror(-err));
		err = verify_kload(obj, mode, log, diag, accepted);
		goto out;
	}
	bpf_object__for_each_program(p, bo) {
		bool ours = compiled(obj, bpf_program__name(p));

		bpf_program__set_autoload(p, ours);
		if (!ours)
			continue;
		/* Sections like "xdp_fw" or "prog" are XDP when we compile them. */
		bpf_program__set_type(p, BPF_PROG_TYPE_XDP);
		bpf_program__set_log_buf(p, log, LOG_SIZE);
		bpf_program__set_log_level(p, 1);
	}
	prepare_maps(obj, bo);
	err = missing_helper(obj, bo, mode, diag);
	if (err) {
		err = err > 0 ? 0 : err; /* 1: not verified, confined by uxdpc */
		goto out;
	}
	/* The kernel's verifier takes seconds on big objects: say it runs. */
	diag_progress(diag, "%s: the kernel verifier checks %zu program%s", obj->name,
		      obj->n_progs, obj->n_progs == 1 ? "" : "s");
	err = bpf_object__load(bo);
	if (!err) {
		*accepted = true;
		diag_note(diag, 1, "%s: the kernel verifier accepts it", obj->name);
	} else if (no_kernel_bpf(err) && mode == UXDP_VERIFY_AUTO) {
		diag_note(diag, 0, "note: %s not verified: the kernel refuses BPF here (%s)",
			  obj->name, strerror(-err));
		err = 0;
	} else if (no_kernel_bpf(err)) {
		err = diag_error(diag, err, "%s: --verify=kernel: the kernel refuses BPF here (%s)",
				 obj->name, strerror(-err));
	} else {
		const char *failed = NULL;

		/* libbpf loads in order and stops at the first program refused. */
		bpf_object__for_each_program(p, bo)
			if (!failed && compiled(obj, bpf_program__name(p)) && bpf_program__fd(p) < 0)
				failed = bpf_program__name(p);
		if (failed && log[0])
			err = diag_error(diag, -EACCES,
					 "%s: the kernel verifier rejects program '%s': %s", obj->name,
					 failed, uxdp_verifier_reason(log));
		else
			err = diag_error(diag, -EACCES, "%s: the kernel does not load it: %s",
					 obj->name, log[0] ? uxdp_verifier_reason(log) : strerror(-err));
	}
out:
	bpf_object__close(bo);
	libbpf_set_print(old_print);
	free(log);
	return err;
}
