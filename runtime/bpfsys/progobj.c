// SPDX-License-Identifier: MIT
/*
 * progobj.c - a uxdp program run in this process: the object it was
 * loaded from, whichever process loaded it, from the daemon (PROG_OBJECT:
 * the bytes as loaded and how, the -O level and trust flag), compiled again
 * the way the daemon compiled it (bpf_compile.h: uxdpc, the same flags, so
 * the same code; an object uxdpc had compiled already is opened as it is),
 * and opened with the runtime on the instance's maps, bound by name as the
 * daemon's are (reuse_maps: the very segments, their contents untouched).
 * So what a run does to a map the data plane sees, as with the kernel's
 * one program behind a test run and an attachment.
 *
 * The daemon's cache directory is its own (and may be root's); this
 * process compiles into a private file, once per program, and keeps the
 * opened object for its life, as the kernel keeps a program while a
 * descriptor holds it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uxdp/errmsg.h>
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

/* How a program was loaded: what to compile, at which level, trusted or not. */
struct source {
	void *elf;
	size_t len;
	int opt_level;
	uint32_t flags;  /* UXDP_LOAD_F_TRUST_UNVERIFIED or 0 */
	int fd;          /* the daemon's memfd */
};

/* The object program p was loaded from, from the daemon (PROG_OBJECT). */
static int daemon_source(const struct bpfsys_prog *p, struct source *s, char *why,
			 size_t why_size)
{
	struct uxdp_dmsg_prog_object o;
	struct uxdp_daemon *d;
	ssize_t n;
	int err = bpfsys_daemon(&d, why, why_size);

	err = err ?: uxdp_daemon_prog_object(d, p->id, &o, &s->fd, why, why_size);
	if (err)
		return err;
	if (!o.size || o.size > (1u << 30))
		return uxdp_errmsg(why, why_size, -EINVAL, "program %u: an object of %llu bytes",
				   p->id, (unsigned long long)o.size);
	s->len = (size_t)o.size;
	s->elf = malloc(s->len);
	if (!s->elf)
		return -ENOMEM;
	n = pread(s->fd, s->elf, s->len, 0);
	if (n != (ssize_t)s->len)
		return uxdp_errmsg(why, why_size, n < 0 ? -errno : -EIO,
				   "program %u: reading its object: %s", p->id,
				   n < 0 ? strerror(errno) : "short read");
	s->opt_level = o.opt_level == UINT32_MAX ? -1 : (int)o.opt_level;
	s->flags = o.load_flags & UXDP_LOAD_F_TRUST_UNVERIFIED;
	return 0;
}

static bool is_compiled(const struct source *s)
{
	const Elf64_Ehdr *e = s->elf;

	return s->len >= sizeof(*e) && e->e_machine == EM_X86_64;
}

/* The compiled object's path: compiled here (caller unlinks), or the daemon's memfd. */
static int compiled_path(const struct bpfsys_prog *p, const struct source *s, char *path,
			 size_t size, bool *unlink_it, char *why, size_t why_size)
{
	char uxdpc[PATH_MAX + 32];
	struct compile_opts cc = { .uxdpc = find_uxdpc(uxdpc, sizeof(uxdpc)) };
	bool cached;
	int err;

	*unlink_it = false;
	if (is_compiled(s)) {
		snprintf(path, size, "/proc/self/fd/%d", s->fd);
		return 0;
	}
	cc.envp = env_without_us();
	err = cc.envp ? compile_bpf(&cc, s->elf, s->len, p->name, s->opt_level, s->flags, path,
				    size, &cached, why, why_size)
		      : -ENOMEM;
	free((void *)cc.envp);
	*unlink_it = !err;
	return err;
}

static int open_prog(const struct bpfsys_prog *p, struct progobj *o, char *why, size_t why_size)
{
	struct uxdp_object_opts oo = { .sz = sizeof(oo), .instance = p->instance,
				       .ncpus = bpfsys_daemon_workers(), .reuse_maps = true };
	struct source s = { .opt_level = -1, .fd = -1 };
	char path[4200];
	bool unlink_it = false;
	int err = daemon_source(p, &s, why, why_size);

	err = err ?: compiled_path(p, &s, path, sizeof(path), &unlink_it, why, why_size);
	err = err ?: uxdp_object_open(path, &oo, &o->obj, why, why_size);
	if (unlink_it)
		unlink(path);
	free(s.elf);
	if (s.fd >= 0)
		close(s.fd);
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
