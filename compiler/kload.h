/* SPDX-License-Identifier: MIT */
/*
 * kload.h - load a BPF object's XDP programs into the kernel through
 * uxdp's own ELF front end, without libbpf's object loader.
 *
 * libbpf >= 1.0 refuses objects uxdp accepts (legacy SEC("maps") maps;
 * libbpf 1.1 also static programs), and its loader pins maps by default.
 * This loader reads the object with elf_reader.c (CO-RE relocations
 * resolved against the running kernel's vmlinux BTF), creates every map
 * with BPF_MAP_CREATE (no pinning, nothing left behind once closed: maps
 * and programs are file descriptors only), writes global data, resolves
 * map references and kfunc BTF ids, and loads each program with
 * BPF_PROG_LOAD as XDP.  uxdpc's --verify uses it when libbpf cannot open
 * an object; uxdp-difftest can use it for its kernel side.
 *
 * Not handled (-EOPNOTSUPP with one line saying so): maps whose value
 * holds a bpf_spin_lock (the kernel needs the map's BTF for them).
 *
 * Errors are negative errno values with one line in diag; nothing here
 * exits or prints.  The library is uxdp_kload (compiler/CMakeLists.txt).
 */
#ifndef UXDP_KLOAD_H
#define UXDP_KLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uxdpc.h"

struct uxdp_kload_opts {
	/* Programs: select as uxdpc's -p (function or section); NULL: uxdpc's default set. */
	const char *select;
	/* --map-size / --map-value-size, applied before the maps are made. */
	const struct uxdp_map_resize *resize;
	size_t n_resize;
	/* Verifier log of a refused program: buffer, size and level (1 or 2); NULL: none. */
	char *log;
	size_t log_size;
	uint32_t log_level;
	/*
	 * Called once the object is read, before any map is made: a loader's
	 * last word on the maps (flags, initial values in maps[].init, which
	 * it may replace with its own malloc'd copy), as libbpf's
	 * bpf_map__set_*() before bpf_object__load().  NULL: none.  A nonzero
	 * return stops the load and is returned (with its own line in diag).
	 */
	int (*prepare)(struct uxdp_object *obj, void *arg, struct uxdp_diag *diag);
	void *prepare_arg;
};

/* A loaded object: the front end's view and the kernel's descriptors. */
struct uxdp_kload {
	struct uxdp_object *obj; /* CO-RE resolved against vmlinux */
	int *map_fds;		 /* per obj->maps; -1 for inner-map templates */
	int *prog_fds;		 /* per obj->progs */
};

/*
 * Load the object at path.  On success *out holds every map and program;
 * close it with uxdp_kload_close().  On error nothing stays loaded and
 * *out is NULL.  A program the verifier refuses gives -EACCES with "OBJ:
 * the kernel verifier rejects program 'P': REASON" in diag and the whole
 * log in opts->log.  -EPERM, -ENOSYS and -EOPNOTSUPP from a bpf() call
 * mean the kernel refuses BPF here (the message says which call).
 */
int uxdp_kload_open(const char *path, const struct uxdp_kload_opts *opts, struct uxdp_kload **out,
		    struct uxdp_diag *diag);
/* The descriptor of the map or program named name, or -1. */
int uxdp_kload_map_fd(const struct uxdp_kload *k, const char *name);
int uxdp_kload_prog_fd(const struct uxdp_kload *k, const char *name);
/* Close every descriptor and free k (NULL is allowed). */
void uxdp_kload_close(struct uxdp_kload *k);

/*
 * The first helper insns (n BPF instructions) call that the running kernel
 * does not offer to XDP programs, or 0.  Kernels are built without some
 * (seen: a 6.18 kernel refusing bpf_xdp_adjust_meta): such a kernel can
 * neither judge nor run the program, which says nothing about the program.
 * uxdp_kload_open() refuses such a program with -EOPNOTSUPP and a message
 * naming the helper.
 */
int32_t uxdp_kernel_missing_helper(const void *insns, size_t n);
/*
 * The same over the programs of a libbpf object that will load (autoload
 * set); *prog names the first that calls such a helper.
 */
struct bpf_object;
int32_t uxdp_kernel_missing_helper_obj(struct bpf_object *bo, const char **prog);
/* "the running kernel does not offer helper bpf_NAME (#ID) to XDP programs" */
const char *uxdp_missing_helper_reason(int32_t id, char *buf, size_t size);

/*
 * The verifier's reason in a log: its last line that is not statistics or
 * a state dump ("infinite loop detected at insn 3", not "old state: ...").
 * Edits log in place; returns a pointer into it.
 */
const char *uxdp_verifier_reason(char *log);

#endif /* UXDP_KLOAD_H */
