// SPDX-License-Identifier: MIT
/*
 * progobj.c - a uxdp program run in this process: the object this process
 * sent uxdpd for it (prog.c keeps the bytes) compiled again the way the
 * daemon compiles it (bpf_compile.h: uxdpc, -O2, the same flags, so the same
 * code), and opened with the runtime on the instance's maps, bound by name
 * as the daemon's are (reuse_maps: the very segments, their contents
 * untouched).  So what a run does to a map the data plane sees, as with
 * the kernel's one program behind a test run and an attachment.
 *
 * The daemon's cache directory is its own (and may be root's); this
 * process compiles into a private file, once per program, and keeps the
 * opened object for its life, as the kernel keeps a program while a
 * descriptor holds it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uxdp/runtime.h>

#include "bpfsys.h"
#include "bpf_compile.h"

#ifndef UXDP_BPFSYS_UXDPC_REL
#define UXDP_BPFSYS_UXDPC_REL "../../../bin/uxdpc"
#endif

static pthread_mutex_t objs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct progobj {
	struct progobj *next;
	char instance[UXDP_INSTANCE_LEN];
	uint32_t id;
	struct uxdp_object *obj;
	const struct uxdp_program *prog;
	unsigned int ncpus;
} *objs;

/* uxdpc beside this library (build tree, then installed layout), else $PATH's. */
static const char *find_uxdpc(char *buf, size_t size)
{
	static const char *const rel[] = { "../../compiler/uxdpc", UXDP_BPFSYS_UXDPC_REL };
	Dl_info info;
	char dir[PATH_MAX];
	char *slash;

	if (!dladdr((void *)find_uxdpc, &info) || !info.dli_fname ||
	    !realpath(info.dli_fname, dir))
		return "uxdpc";
	slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(buf, size, "%s/%s", dir, rel[i]);
		if (access(buf, X_OK) == 0)
			return buf;
	}
	return "uxdpc";
}

extern char **environ;

/*
 * This process's environment less an LD_PRELOAD that names this library:
 * uxdpc under it would have its own libbpf's map calls served on the
 * instance, replacing the very maps the program uses.  Caller frees.
 */
static char **env_without_us(void)
{
	size_t n = 0, i, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 1, sizeof(*env));
	if (!env)
		return NULL;
	for (i = 0; i < n; i++) {
		if (strncmp(environ[i], "LD_PRELOAD=", 11) || !strstr(environ[i], "libuxdp-bpfsys"))
			env[k++] = environ[i];
	}
	return env;
}

static int open_prog(const struct bpfsys_prog *p, struct progobj *o, char *why, size_t why_size)
{
	struct uxdp_object_opts oo = { .sz = sizeof(oo), .instance = p->instance,
				       .ncpus = bpfsys_daemon_workers(), .reuse_maps = true };
	char uxdpc[PATH_MAX + 32], path[4200];
	struct compile_opts cc = { .uxdpc = find_uxdpc(uxdpc, sizeof(uxdpc)) };
	bool cached;
	size_t len;
	void *elf;
	int err = bpfsys_prog_elf(p, &elf, &len);

	if (err == -ENOENT) {
		snprintf(why, why_size, "program %u was not loaded by this process: its object "
			 "is in uxdpd only", p->id);
		return -EOPNOTSUPP;
	}
	if (err)
		return err;
	cc.envp = env_without_us();
	err = cc.envp ? compile_bpf(&cc, elf, len, p->name, -1, 0, path, sizeof(path), &cached,
				    why, why_size)
		      : -ENOMEM;
	free((void *)cc.envp);
	free(elf);
	if (err)
		return err;
	err = uxdp_object_open(path, &oo, &o->obj, why, why_size);
	unlink(path);
	if (err)
		return err;
	o->prog = uxdp_object_program(o->obj, p->name[0] ? p->name : "xdp_prog");
	if (!o->prog || o->prog->type != UXDP_PROG_XDP) {
		uxdp_object_close(o->obj);
		snprintf(why, why_size, "no XDP program '%s' in the compiled object", p->name);
		return -ENOENT;
	}
	o->ncpus = oo.ncpus;
	return 0;
}

int bpfsys_prog_runnable(const struct bpfsys_prog *p, const struct uxdp_program **prog,
			 unsigned int *ncpus, char *why, size_t why_size)
{
	struct progobj *o;
	int err = 0;

	/* One compile per program even if several threads ask at once. */
	pthread_mutex_lock(&objs_lock);
	for (o = objs; o; o = o->next)
		if (o->id == p->id && !strcmp(o->instance, p->instance))
			break;
	if (!o) {
		o = calloc(1, sizeof(*o));
		err = o ? open_prog(p, o, why, why_size) : -ENOMEM;
		if (err) {
			free(o);
			o = NULL;
		} else {
			o->id = p->id;
			snprintf(o->instance, sizeof(o->instance), "%s", p->instance);
			o->next = objs;
			objs = o;
		}
	}
	pthread_mutex_unlock(&objs_lock);
	if (err)
		return err;
	*prog = o->prog;
	*ncpus = o->ncpus;
	return 0;
}
