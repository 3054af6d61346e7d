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
 *                    say once that the object was not verified
 *   --verify=kernel  verification is required: no kernel BPF is an error
 *   --verify=none    do not ask the kernel
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

/*
 * Lines the verifier prints after its reason: statistics, and the states it
 * compared or walked back through ("infinite loop detected at insn 3" is
 * followed by "cur state: ..." and "old state: ...").
 */
static bool after_reason(const char *line)
{
	static const char *const prefixes[] = {
		"processed ", "verification time", "stack depth", "cur state:", "old state:",
		"mark_precise:", "last_idx ", "parent ", "regs=", "peak_states", "-- END",
	};

	for (size_t k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++)
		if (!strncmp(line, prefixes[k], strlen(prefixes[k])))
			return true;
	return false;
}

/* The verifier's reason: the last line of the log that is not one of those. */
static const char *reason(char *log)
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

int uxdp_verify(const struct uxdp_object *obj, enum uxdp_verify_mode mode, struct uxdp_diag *diag)
{
	libbpf_print_fn_t old_print;
	struct bpf_object *bo;
	struct bpf_program *p;
	char *log = NULL;
	int err;

	if (mode == UXDP_VERIFY_NONE || obj->progs[0].type != UXDP_PROG_XDP || !obj->path)
		return 0;
	old_print = libbpf_set_print(silent);
	bo = bpf_object__open_file(obj->path, NULL);
	err = libbpf_get_error(bo);
	if (err) {
		bo = NULL;
		if (mode == UXDP_VERIFY_KERNEL)
			err = diag_error(diag, err,
					 "%s: --verify=kernel: libbpf cannot open the object (%s)",
					 obj->name, strerror(-err));
		else
			diag_note(diag, 0, "note: %s not verified: libbpf cannot open it (%s)",
				  obj->name, strerror(-err));
		if (mode == UXDP_VERIFY_AUTO)
			err = 0;
		goto out;
	}
	log = calloc(1, LOG_SIZE);
	if (!log) {
		err = diag_error(diag, -ENOMEM, "out of memory");
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
	err = bpf_object__load(bo);
	if (!err) {
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
					 failed, reason(log));
		else
			err = diag_error(diag, -EACCES, "%s: the kernel does not load it: %s",
					 obj->name, log[0] ? reason(log) : strerror(-err));
	}
out:
	bpf_object__close(bo);
	libbpf_set_print(old_print);
	free(log);
	return err;
}
