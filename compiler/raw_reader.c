/* SPDX-License-Identifier: MIT */
/*
 * raw_reader.c - plain instruction bytes -> a one-program struct uxdp_object.
 *
 * Raw input (what ubpf and the bpf_conformance suite use) has no sections,
 * symbols or maps: the bytes are the whole program, so there is nothing to
 * relocate and origin[] stays NULL.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uxdpc.h"

int uxdp_object_from_insns(const void *bytes, size_t size, const char *name, bool xdp,
			   struct uxdp_object **out, struct uxdp_diag *diag)
{
	struct uxdp_object *obj;
	struct uxdp_prog *prog;

	*out = NULL;
	if (!name || !name[0])
		return diag_error(diag, -EINVAL, "raw program: empty program name");
	if (!bytes || size == 0)
		return diag_error(diag, -EINVAL, "raw program '%s': no instructions", name);
	if (size % EBPF_INSN_SIZE)
		return diag_error(diag, -EINVAL,
				  "raw program '%s': %zu bytes is not a multiple of %d", name, size,
				  EBPF_INSN_SIZE);
	obj = calloc(1, sizeof(*obj));
	if (!obj)
		return diag_error(diag, -ENOMEM, "raw program '%s': out of memory", name);
	prog = obj->progs = calloc(1, sizeof(*prog));
	if (prog) {
		obj->n_progs = 1;
		prog->name = strdup(name);
		prog->section = strdup("raw");
		prog->insns = malloc(size);
	}
	obj->path = strdup(name);
	obj->name = strdup(name);
	if (!prog || !prog->name || !prog->section || !prog->insns || !obj->path || !obj->name) {
		uxdp_object_free(obj);
		return diag_error(diag, -ENOMEM, "raw program '%s': out of memory", name);
	}
	memcpy(prog->insns, bytes, size);
	prog->n_insns = size / EBPF_INSN_SIZE;
	prog->type = xdp ? UXDP_PROG_XDP : UXDP_PROG_RAW;
	*out = obj;
	return 0;
}

int uxdp_object_open_raw(const char *path, const char *name, bool xdp, struct uxdp_object **out,
			 struct uxdp_diag *diag)
{
	/* Far more than any verifier-accepted program (1M insns = 8 MiB). */
	const long max_size = 64L << 20;
	const char *slash;
	FILE *f;
	long size;
	void *buf;
	int err;

	*out = NULL;
	f = fopen(path, "rb");
	if (!f) {
		err = -errno;
		return diag_error(diag, err, "%s: cannot open: %s", path, strerror(-err));
	}
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		err = -errno;
		fclose(f);
		return diag_error(diag, err ? err : -EIO, "%s: cannot get the size", path);
	}
	if (size > max_size) {
		fclose(f);
		return diag_error(diag, -EFBIG, "%s: %ld bytes is too large for a program", path,
				  size);
	}
	buf = malloc(size ? (size_t)size : 1);
	if (!buf) {
		fclose(f);
		return diag_error(diag, -ENOMEM, "%s: out of memory", path);
	}
	if (size && fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		fclose(f);
		return diag_error(diag, -EIO, "%s: read error", path);
	}
	fclose(f);
	slash = strrchr(path, '/');
	if (!name)
		name = slash ? slash + 1 : path;
	/* Messages about the bytes name the file, as for an ELF input. */
	if (!size || size % EBPF_INSN_SIZE) {
		free(buf);
		if (!size)
			return diag_error(diag, -EINVAL, "%s: no instructions", path);
		return diag_error(diag, -EINVAL,
				  "%s: %ld bytes is not a multiple of 8 (one instruction)", path, size);
	}
	err = uxdp_object_from_insns(buf, (size_t)size, name, xdp, out, diag);
	free(buf);
	if (!err) {
		/* Keep the file's path and name, not the program's, for messages. */
		free((*out)->path);
		free((*out)->name);
		(*out)->path = strdup(path);
		(*out)->name = strdup(slash ? slash + 1 : path);
		if (!(*out)->path || !(*out)->name) {
			uxdp_object_free(*out);
			*out = NULL;
			return diag_error(diag, -ENOMEM, "%s: out of memory", path);
		}
	}
	return err;
}
