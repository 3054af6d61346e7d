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
 * The verifier's reason: the log ends with statistics ("processed N insns
 * ..."), and the line before them says what was wrong.
 */
static const char *reason(char *log)
{
	char *end = log + strlen(log), *start;

	while (end > log && (end[-1] == '\n' || end[-1] == ' '))
		*--end = '\0';
	for (;;) {
		start = strrchr(log, '\n');
		start = start ? start + 1 : log;
		if (start == log || (strncmp(start, "processed ", 10) &&
				     strncmp(start, "verification time", 17)))
			return start;
		start[-1] = '\0';
	}
}

/* Errors that mean "this kernel will not load BPF for us", not "rejected". */
static bool no_kernel_bpf(int err)
{
	return err == -EPERM || err == -ENOSYS || err == -EOPNOTSUPP;
}

int uxdp_verify(const struct uxdp_object *obj, enum uxdp_verify_mode mode, struct uxdp_diag *diag,
		bool *accepted)
{
	libbpf_print_fn_t old_print;
	struct bpf_object *bo;
	struct bpf_program *p;
	char *log = NULL;
	int err;

	*accepted = false;
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
		err = diag_error(diag, -EACCES, "%s: the kernel verifier rejects it: %s", obj->name,
				 log[0] ? reason(log) : strerror(-err));
	}
out:
	bpf_object__close(bo);
	libbpf_set_print(old_print);
	free(log);
	return err;
}
