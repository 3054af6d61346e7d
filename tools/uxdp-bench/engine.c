// SPDX-License-Identifier: MIT
/*
 * engine.c - open each engine of a program and time it.
 *
 * Userspace engines (uxdp at each level, native) run through the same two
 * loop functions, so that whatever the loop costs is the same for all of
 * them and drops out of the ratios and of the "net" figures (engine minus
 * the same engine running the empty program).
 *
 * Frames are laid out like the pcap driver's (uxdp/driver.h): 4096 bytes,
 * UXDP_HEADROOM of headroom, frame_end at the end.  There are at least
 * BENCH_MIN_SLOTS of them, used in turn, FRAME_STRIDE = frame size + 128
 * bytes apart, starting 64 bytes into a page.  Measured on this machine kind
 * (docs/benchmarks.md): one frame reused every run makes the next run's
 * loads wait on the previous run's stores (store forwarding stalls, up to
 * twice the time for a program that writes the packet), and frames exactly
 * a page apart make loads falsely depend on stores to other frames (4 KiB
 * aliasing).  With a 128-byte skew, consecutive frames sit at different page
 * offsets and different cache sets.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <valgrind/callgrind.h>

#include <uxdp/driver.h>
#include <uxdp/loader.h>
#include <uxdp/map.h>
#include <uxdp/runtime.h>
#include <uxdp/worker.h>

#include "../uxdp-difftest/difftest.h"
#include "bench.h"

#define FRAME_SKEW 128
#define ARENA_OFFSET 64

struct slot {
	struct uxdp_ctx ctx;
	uint8_t *data;
	uint8_t *end;
	const uint8_t *pristine;
	uint32_t len;
};

struct frames {
	uint8_t *arena;
	size_t nslots;
	size_t frame_size;
	struct slot *slots;
	struct uxdp_worker w;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

struct frames *frames_new(const struct pkt *pkts, size_t npkts, char *err, size_t err_size)
{
	struct frames *f = calloc(1, sizeof(*f));
	size_t i, max_len = 0, stride;

	if (!f || !npkts)
		goto fail;
	for (i = 0; i < npkts; i++)
		if (pkts[i].len > max_len)
			max_len = pkts[i].len;
	f->frame_size = UXDP_FRAME_SIZE;
	if (max_len + UXDP_HEADROOM + UXDP_XDP_TAILROOM > f->frame_size)
		f->frame_size = (max_len + UXDP_HEADROOM + UXDP_XDP_TAILROOM + 63) & ~(size_t)63;
	f->nslots = npkts < BENCH_MIN_SLOTS ? BENCH_MIN_SLOTS : npkts;
	stride = f->frame_size + FRAME_SKEW;
	f->arena =
	    aligned_alloc(4096, ((f->nslots * stride + ARENA_OFFSET) + 4095) & ~(size_t)4095);
	f->slots = calloc(f->nslots, sizeof(*f->slots));
	if (!f->arena || !f->slots)
		goto fail;
	memset(f->arena, 0, f->nslots * stride + ARENA_OFFSET);
	uxdp_worker_init(&f->w, 0);
	uxdp_worker_seed(&f->w, 0x75786470);
	frames_use(f);
	for (i = 0; i < f->nslots; i++) {
		struct slot *s = &f->slots[i];
		uint8_t *hard = f->arena + ARENA_OFFSET + i * stride;
		const struct pkt *p = &pkts[i % npkts];

		s->data = hard + UXDP_HEADROOM;
		s->end = s->data + p->len;
		s->pristine = p->data;
		s->len = p->len;
		memcpy(s->data, p->data, p->len);
		s->ctx.data_hard_start = hard;
		s->ctx.frame_end = hard + f->frame_size;
		s->ctx.ingress_ifindex = 1;
		s->ctx.worker = &f->w;
	}
	return f;
fail:
	snprintf(err, err_size, npkts ? "out of memory for frames" : "no packets");
	frames_free(f);
	return NULL;
}

void frames_use(struct frames *f)
{
	uxdp_worker_set_current(&f->w);
	uxdp_this_cpu = 0;
}

void frames_free(struct frames *f)
{
	if (!f)
		return;
	if (uxdp_worker_current() == &f->w)
		uxdp_worker_set_current(NULL);
	free(f->arena);
	free(f->slots);
	free(f);
}

/*
 * The timing loops.  Each run gets its ctx bounds back (adjust_head and
 * friends move them) and a zero tail-call count, as a driver's fresh ctx.
 * noinline: every engine calls the same machine code.
 */
static __attribute__((noinline)) uint64_t loop_plain(uxdp_prog_fn fn, struct slot *s, size_t n,
						     uint64_t iters)
{
	uint64_t acc = 0;
	size_t i = 0;

	while (iters--) {
		struct slot *x = &s[i];

		x->ctx.data = x->data;
		x->ctx.data_end = x->end;
		x->ctx.data_meta = x->data;
		x->ctx.tail_call_cnt = 0;
		x->ctx.tail_called = 0;
		acc += fn(&x->ctx);
		if (++i == n)
			i = 0;
	}
	return acc;
}

/* Same, restoring the packet bytes first: for programs that rewrite packets. */
static __attribute__((noinline)) uint64_t loop_reset(uxdp_prog_fn fn, struct slot *s, size_t n,
						     uint64_t iters)
{
	uint64_t acc = 0;
	size_t i = 0;

	while (iters--) {
		struct slot *x = &s[i];

		memcpy(x->data, x->pristine, x->len);
		x->ctx.data = x->data;
		x->ctx.data_end = x->end;
		x->ctx.data_meta = x->data;
		x->ctx.tail_call_cnt = 0;
		x->ctx.tail_called = 0;
		acc += fn(&x->ctx);
		if (++i == n)
			i = 0;
	}
	return acc;
}

static volatile uint64_t sink;

/* ---- opening engines ---- */

/* Run argv with output to log; returns the exit status (or -errno), *ms its wall time. */
static int run_cmd(char *const argv[], const char *log, double *ms)
{
	double t0 = now_ns();
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	*ms = (now_ns() - t0) / 1e6;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* The first line of a log that says something, as a reason. */
static void log_reason(const char *log, const char *prefix, char *why, size_t size)
{
	char line[512] = "";
	FILE *f = fopen(log, "r");

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (strstr(line, "error") || strstr(line, "uxdpc:"))
				break;
		fclose(f);
	}
	line[strcspn(line, "\n")] = 0;
	snprintf(why, size, "%s%s%s", prefix, *line ? ": " : "", line);
}

static void fail_why(struct engine *e, const char *fmt, const char *a, const char *b)
{
	snprintf(e->why, sizeof(e->why), fmt, a, b);
	e->ok = false;
}

/* uxdpc bpf_obj -O<level> [flag] [-p prog] -o out; its wall time in e->compile_ms. */
static int compile_uxdp(struct engine *e, const struct bench_opts *o, const char *bpf_obj,
			const char *prog, int level, const char *flag, const char *out)
{
	char lvl[8], log[4300];
	char *argv[12];
	int n = 0, st;

	snprintf(lvl, sizeof(lvl), "-O%d", level);
	snprintf(log, sizeof(log), "%s.log", out);
	argv[n++] = (char *)o->paths->uxdpc;
	argv[n++] = (char *)bpf_obj;
	argv[n++] = lvl;
	if (flag && *flag)
		argv[n++] = (char *)flag;
	/* valgrind 3.19 cannot execute AVX-512: counted code is built without it. */
	if (o->count_only)
		argv[n++] = "--mattr=-avx512f";
	if (prog && *prog) {
		argv[n++] = "-p";
		argv[n++] = (char *)prog;
	}
	argv[n++] = "-o";
	argv[n++] = (char *)out;
	argv[n] = NULL;
	st = run_cmd(argv, log, &e->compile_ms);
	if (st) {
		log_reason(log, "uxdpc failed", e->why, sizeof(e->why));
		e->ok = false;
		return -EINVAL;
	}
	return 0;
}

static int open_object(struct engine *e, const char *aot, const char *prog, unsigned int id)
{
	struct uxdp_object_opts oo = {.sz = sizeof(oo), .ncpus = 1, .unlink_on_close = true};
	const struct uxdp_program *p;
	char err[512];
	int ret;

	/* A private instance per engine: no engine sees another's map state. */
	snprintf(e->instance, sizeof(e->instance), "bench-%d-%u", (int)getpid(), id);
	uxdp_map_unlink_instance(e->instance);
	oo.instance = e->instance;
	ret = uxdp_object_open(aot, &oo, &e->obj, err, sizeof(err));
	if (ret) {
		fail_why(e, "uxdp_object_open: %.200s%s", err, "");
		return ret;
	}
	p = uxdp_object_program(e->obj, prog && *prog ? prog : NULL);
	if (!p || p->type != UXDP_PROG_XDP) {
		fail_why(e, "no single XDP program%s%s; choose one with -p", prog ? " " : "",
			 prog ? prog : "");
		return -ENOENT;
	}
	e->fn = p->fn;
	return 0;
}

/* Does the ELF object at path call sym (an undefined symbol of that name)? */
bool object_imports(const char *path, const char *sym)
{
	bool found = false;
	Elf_Scn *scn = NULL;
	Elf *elf;
	int fd;

	if (elf_version(EV_CURRENT) == EV_NONE || (fd = open(path, O_RDONLY)) < 0)
		return false;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	while (elf && !found && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		GElf_Sym st;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize && !found; i++)
			found = gelf_getsym(d, (int)i, &st) && st.st_shndx == SHN_UNDEF &&
				!strcmp(elf_strptr(elf, sh.sh_link, st.st_name) ?: "", sym);
	}
	elf_end(elf);
	close(fd);
	return found;
}

/* Calls the runtime's generic map lookup: the helper or what it wraps. */
static bool imports_generic_lookup(const char *path)
{
	return object_imports(path, "uxdp_map_lookup") ||
	       object_imports(path, "uxdp_helper_map_lookup_elem");
}

int engine_open_uxdp(struct engine *e, const struct bench_opts *o, const char *bpf_obj,
		     const char *prog, const char *tag, unsigned int id)
{
	char out[4200];
	int ret;

	e->ok = true;
	snprintf(out, sizeof(out), "%s/%s.O%d%s.aot.o", o->workdir, tag, e->level, e->flag);
	/* Tail calls need their targets in the object: then compile them all. */
	ret = compile_uxdp(e, o, bpf_obj, e->all_programs ? NULL : prog, e->level, e->flag, out);
	if (!ret)
		ret = open_object(e, out, prog, id);
	if (!ret)
		e->imports_map_lookup = imports_generic_lookup(out);
	return ret;
}

struct bind_ctx {
	struct engine *e;
	int bound;
};

/* Put each map's runtime handle into the native program's map struct (bpf_compat.h). */
static int bind_map(const struct uxdp_map_info *info, void *arg)
{
	struct bind_ctx *b = arg;
	void **slot = uxdp_image_symbol(b->e->img, info->name);
	struct uxdp_map *m = uxdp_object_map(b->e->obj, info->name);

	if (slot && m) {
		*slot = m;
		b->bound++;
	}
	return 0;
}

/* A tool of LLVM 19: clang's directory first, then PATH. */
static const char *llvm_tool(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", UXDP_BENCH_LLVM_BIN, name);
	if (access(buf, X_OK))
		snprintf(buf, n, "%s-19", name);
	return buf;
}

/* The defined external symbols of a bitcode file, comma separated (llvm-nm). */
static int public_symbols(const char *bc, const char *log, char *list, size_t n)
{
	char nm[4200], line[512];
	char *argv[] = {(char *)llvm_tool(nm, sizeof(nm), "llvm-nm"), "--defined-only",
			"--extern-only", "--just-symbol-name", (char *)bc, NULL};
	double ms;
	size_t l = 0;
	FILE *f;

	if (run_cmd(argv, log, &ms))
		return -EINVAL;
	f = fopen(log, "r");
	if (!f)
		return -errno;
	list[0] = 0;
	while (fgets(line, sizeof(line), f) && l < n) {
		line[strcspn(line, "\n")] = 0;
		if (*line)
			l += snprintf(list + l, n - l, "%s%s", l ? "," : "", line);
	}
	fclose(f);
	return l < n ? 0 : -E2BIG;
}

/*
 * clang -O3 -march=native of the program's C, with the map lookups of
 * bpf_compat.h; then, as uxdpc's helper inlining does, the runtime's
 * helpers as bitcode linked in, everything but the program's own symbols
 * made internal, and the whole optimised again and compiled.  out_of_line:
 * the plain build, every helper and lookup a call into the runtime.
 */
static int native_compile(struct engine *e, const struct bench_opts *o, const char *src,
			  const char *inc, const char *out, bool out_of_line)
{
	char bc[4300], linked[4300], internal[4300], log[4300], tool[4200], api[8192],
	    pub[16384], native_inc[4200];
	const char *cc = getenv("UXDP_BENCH_CC") ? getenv("UXDP_BENCH_CC") : UXDP_BENCH_CLANG;
	char *argv[24];
	double ms = 0;
	int n = 0, st;

	snprintf(log, sizeof(log), "%s.log", out);
	snprintf(bc, sizeof(bc), "%s.prog.bc", out);
	argv[n++] = (char *)cc;
	argv[n++] = "-O3";
	argv[n++] = "-march=native";
	/*
	 * Under callgrind: no AVX-512.  On CPUs with AVX10 (Sapphire Rapids and
	 * later) clang's -march=native also turns on avx10.1-256, which keeps
	 * the mask instructions -mno-avx512f alone would drop.
	 */
	if (o->count_only) {
		argv[n++] = "-mno-avx512f";
		argv[n++] = "-mno-avx10.1-256";
	}
	argv[n++] = "-fPIC";
	argv[n++] = "-fvisibility=hidden";
	argv[n++] = "-fno-stack-protector";
	argv[n++] = "-fcf-protection=none";
	argv[n++] = "-w";
	snprintf(native_inc, sizeof(native_inc), "-I%s", o->paths->native_inc);
	argv[n++] = native_inc;
	argv[n++] = (char *)inc;
	if (out_of_line)
		argv[n++] = "-DUXDP_NATIVE_OUT_OF_LINE";
	else
		argv[n++] = "-emit-llvm";
	argv[n++] = "-c";
	argv[n++] = (char *)src;
	argv[n++] = "-o";
	argv[n++] = (char *)(out_of_line ? out : bc);
	argv[n] = NULL;
	st = run_cmd(argv, log, &e->compile_ms);
	if (st || out_of_line)
		return st ? -EINVAL : 0;

	snprintf(linked, sizeof(linked), "%s.linked.bc", out);
	snprintf(internal, sizeof(internal), "%s.internal.bc", out);
	if (public_symbols(bc, log, pub, sizeof(pub)))
		return -EINVAL;
	snprintf(api, sizeof(api), "-internalize-public-api-list=%s", pub);
	{
		char *link[] = {(char *)llvm_tool(tool, sizeof(tool), "llvm-link"), bc,
				(char *)o->paths->helpers_bc, "-o", linked, NULL};

		if (run_cmd(link, log, &ms))
			return -EINVAL;
		e->compile_ms += ms;
	}
	{
		char *opt[] = {(char *)llvm_tool(tool, sizeof(tool), "opt"), "-passes=internalize",
			       api, linked, "-o", internal, NULL};

		if (run_cmd(opt, log, &ms))
			return -EINVAL;
		e->compile_ms += ms;
	}
	n = 0;
	argv[n++] = (char *)cc;
	argv[n++] = "-O3";
	argv[n++] = "-march=native";
	/*
	 * Under callgrind: no AVX-512.  On CPUs with AVX10 (Sapphire Rapids and
	 * later) clang's -march=native also turns on avx10.1-256, which keeps
	 * the mask instructions -mno-avx512f alone would drop.
	 */
	if (o->count_only) {
		argv[n++] = "-mno-avx512f";
		argv[n++] = "-mno-avx10.1-256";
	}
	argv[n++] = "-fPIC";
	argv[n++] = "-w";
	argv[n++] = "-c";
	argv[n++] = internal;
	argv[n++] = "-o";
	argv[n++] = (char *)out;
	argv[n] = NULL;
	st = run_cmd(argv, log, &ms);
	e->compile_ms += ms;
	return st ? -EINVAL : 0;
}

int engine_open_native(struct engine *e, const struct bench_opts *o, const char *src,
		       const char *bpf_obj, const char *prog, const char *tag, unsigned int id)
{
	char out[4200], aot[4200], srcdir[4096], inc[4200], err[512], log[4300];
	struct engine maps = {0};
	struct bind_ctx b = {e, 0};
	const struct uxdp_program *p;
	uint32_t *cpu;
	char *slash;
	int st;

	e->ok = true;
	if (!src || !*src) {
		fail_why(e, "no C source (give --source)%s%s", "", "");
		return -ENOENT;
	}
	snprintf(srcdir, sizeof(srcdir), "%s", src);
	slash = strrchr(srcdir, '/');
	if (slash)
		*slash = 0;
	else
		snprintf(srcdir, sizeof(srcdir), ".");
	snprintf(inc, sizeof(inc), "-I%s", srcdir);
	snprintf(out, sizeof(out), "%s/%s.native.o", o->workdir, tag);
	snprintf(log, sizeof(log), "%s.log", out);
	/* Inlined lookups when the source allows them, else every lookup a call. */
	e->out_of_line = false;
	if (native_compile(e, o, src, inc, out, false)) {
		e->out_of_line = true;
		if (native_compile(e, o, src, inc, out, true)) {
			log_reason(log, "not host C", e->why, sizeof(e->why));
			e->ok = false;
			return -EINVAL;
		}
	}
	e->imports_map_lookup = imports_generic_lookup(out);
	/* The maps come from the uxdpc object's metadata, so both see the same shapes. */
	snprintf(aot, sizeof(aot), "%s/%s.native-maps.aot.o", o->workdir, tag);
	if (compile_uxdp(&maps, o, bpf_obj, prog, 0, "", aot)) {
		fail_why(e, "%s%s", maps.why, "");
		return -EINVAL;
	}
	if (open_object(e, aot, prog, id))
		return -EINVAL;
	p = uxdp_object_program(e->obj, prog && *prog ? prog : NULL);
	st = uxdp_image_load_file(out, uxdp_runtime_resolve, NULL, &e->img, err, sizeof(err));
	if (st) {
		fail_why(e, "loading the native object: %.200s%s", err, "");
		return st;
	}
	e->fn = (uxdp_prog_fn)uxdp_image_symbol(e->img, p->name);
	if (!e->fn) {
		fail_why(e, "the native object has no function %s%s", p->name, "");
		return -ENOENT;
	}
	uxdp_map_list(e->instance, bind_map, &b);
	cpu = uxdp_image_symbol(e->img, "__uxdp_native_cpu");
	if (cpu)
		*cpu = 0; /* the worker frames_new() sets up */
	return 0;
}

void engine_close(struct engine *e)
{
	if (e->img)
		uxdp_image_free(e->img);
	if (e->obj)
		uxdp_object_close(e->obj);
	if (e->instance[0])
		uxdp_map_unlink_instance(e->instance);
	kernel_close(e);
	e->img = NULL;
	e->obj = NULL;
	e->instance[0] = 0;
}

/* ---- --config ---- */

/* One value for a per-CPU map: every CPU's slot gets it (as kernel_apply does). */
static int update_percpu(struct uxdp_map *m, const struct cfg_entry *c,
			 const struct uxdp_map_info *info)
{
	size_t stride = (info->value_size + 7) & ~(size_t)7, n = uxdp_map_value_bytes(m), i;
	uint8_t *v = calloc(1, n);
	int ret;

	if (!v)
		return -ENOMEM;
	for (i = 0; i + stride <= n; i += stride)
		memcpy(v + i, c->value, info->value_size);
	ret = uxdp_map_update_elem(m, c->key, v, c->flags);
	free(v);
	return ret;
}

static int apply_uxdp(struct engine *e, const struct cfg_entry *c)
{
	struct uxdp_map *m = uxdp_object_map(e->obj, c->map), *inner;
	struct uxdp_map_info info;
	uint32_t id;

	if (!m || uxdp_map_get_info(m, &info))
		return -ENOENT;
	if (c->value_map[0]) {
		inner = uxdp_object_map(e->obj, c->value_map);
		if (!inner)
			return -ENOENT;
		id = uxdp_map_id(inner);
		if (c->key_len != info.key_size)
			return -EINVAL;
		return uxdp_map_update_elem(m, c->key, &id, c->flags);
	}
	if (c->key_len != info.key_size)
		return -EINVAL;
	if (c->value_len == uxdp_map_value_bytes(m))
		return uxdp_map_update_elem(m, c->key, c->value, c->flags);
	if (!info.ncpus || c->value_len != info.value_size)
		return -EINVAL;
	return update_percpu(m, c, &info);
}

/* `prog_array MAP INDEX PROG`: the uxdp side stores the program's index. */
static int apply_uxdp_prog(struct engine *e, const struct cfg_entry *c)
{
	struct uxdp_map *m = uxdp_object_map(e->obj, c->map);
	const struct uxdp_program *p = uxdp_object_program(e->obj, c->prog);
	uint32_t key = c->index, val;

	if (!m || !p)
		return -ENOENT;
	val = p->index;
	return uxdp_map_update_elem(m, &key, &val, BPF_ANY);
}

int engine_apply_config(struct engine *e, const char *config)
{
	struct cfg c = {0};
	char err[512];
	size_t i;
	int ret;

	ret = cfg_parse(config, &c, err, sizeof(err));
	if (ret) {
		fail_why(e, "--config: %.200s%s", err, "");
		return ret;
	}
	for (i = 0; i < c.n && !ret; i++) {
		const struct cfg_entry *x = &c.v[i];

		if (x->kind == CFG_GLOBAL) {
			/* Set before load, which the engines do before reading the config. */
			snprintf(e->why, sizeof(e->why),
				 "%s:%d: global %s: uxdp-bench cannot set variables before load (uxdp-difftest can)",
				 config, x->line, x->var);
			ret = -EOPNOTSUPP;
			break;
		}
		if (x->kind == CFG_PROG_ARRAY)
			ret = e->kind == ENG_KERNEL ? kernel_apply(e, x) : apply_uxdp_prog(e, x);
		else
			ret = e->kind == ENG_KERNEL ? kernel_apply(e, x) : apply_uxdp(e, x);
		if (ret && x->kind == CFG_PROG_ARRAY)
			snprintf(e->why, sizeof(e->why), "%s:%d: prog_array %s[%u] = %s: %s", config,
				 x->line, x->map, x->index, x->prog,
				 ret == -ENOENT ? "no such map or program in this engine's object" :
						  strerror(-ret));
		else if (ret)
			snprintf(e->why, sizeof(e->why), "%s:%d: map %s: %s", config, x->line,
				 x->map, strerror(-ret));
	}
	if (ret)
		e->ok = false;
	cfg_free(&c);
	return ret;
}

/* ---- probing and timing ---- */

int engine_probe(struct engine *e, struct frames *f, const struct pkt *pkts, size_t npkts,
		 bool *modified)
{
	size_t i;

	if (e->kind == ENG_KERNEL)
		return kernel_probe(e, pkts, npkts);
	e->verdicts = calloc(npkts, sizeof(*e->verdicts));
	if (!e->verdicts)
		return -ENOMEM;
	for (i = 0; i < npkts; i++) {
		struct slot *s = &f->slots[i];

		memcpy(s->data, s->pristine, s->len);
		s->ctx.data = s->data;
		s->ctx.data_end = s->end;
		s->ctx.data_meta = s->data;
		s->ctx.tail_call_cnt = 0;
		s->ctx.tail_called = 0;
		e->verdicts[i] = (uint32_t)e->fn(&s->ctx);
		uxdp_redirect_clear(&f->w.redirect);
		if (s->ctx.data != s->data || s->ctx.data_end != s->end ||
		    memcmp(s->data, s->pristine, s->len))
			*modified = true;
		memcpy(s->data, s->pristine, s->len);
	}
	return 0;
}

double engine_time(struct engine *e, const struct bench_opts *o, struct frames *f,
		   const struct pkt *pkts, size_t npkts, uint64_t iters, bool reset)
{
	double t0, t1;

	if (e->kind == ENG_KERNEL)
		return kernel_time(e, o, pkts, npkts, iters);
	t0 = now_ns();
	sink += reset ? loop_reset(e->fn, f->slots, f->nslots, iters)
		      : loop_plain(e->fn, f->slots, f->nslots, iters);
	t1 = now_ns();
	uxdp_redirect_clear(&f->w.redirect);
	return (t1 - t0) / iters;
}

void engine_count(struct engine *e, struct frames *f, uint64_t iters, bool reset, const char *label)
{
	uint64_t r;

	CALLGRIND_ZERO_STATS;
	CALLGRIND_TOGGLE_COLLECT;
	r = reset ? loop_reset(e->fn, f->slots, f->nslots, iters)
		  : loop_plain(e->fn, f->slots, f->nslots, iters);
	CALLGRIND_TOGGLE_COLLECT;
	CALLGRIND_DUMP_STATS_AT(label);
	sink += r;
}
