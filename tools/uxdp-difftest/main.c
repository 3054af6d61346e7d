// SPDX-License-Identifier: MIT
/*
 * uxdp-difftest - run an XDP program in the kernel (bpf_prog_test_run) and
 * in uxdp over the same packets, and stop at the first packet where the
 * verdict, the output bytes or any map differ.  The kernel is the oracle.
 *
 * Both sides run on "CPU 0": the process is pinned to CPU 0 so that the
 * kernel's per-CPU slot is 0, and the uxdp side runs as worker 0 with as many
 * per-CPU slots as the kernel has possible CPUs, so per-CPU values have the
 * same shape on both sides.
 *
 * Maps are compared after setup, after every packet and after the last one.
 * A map too large to compare in full after every packet within reason (its
 * keys and values over DT_LARGE_MAP_BYTES) is compared in full on a time
 * budget and always after the last packet (--exact-maps: after every packet).
 */
#define _GNU_SOURCE /* sched_setaffinity, mkstemps */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <uxdp/driver.h>
#include <uxdp/map.h>
#include <uxdp/runtime.h>
#include <uxdp/version.h>
#include <uxdp/worker.h>

#include "difftest.h"
#include "tool_path.h"
#include "maps.h"
#include "pcap_input.h"

_Static_assert(DT_N_VERDICTS == UXDP_N_VERDICTS, "verdict counters");
_Static_assert(sizeof(((struct dt_ctx *)0)->instance) == UXDP_INSTANCE_LEN, "instance name");

#ifndef UXDP_UXDPC_PATH
#define UXDP_UXDPC_PATH "uxdpc"
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"usage: uxdp-difftest PROG.bpf.o --pcap IN.pcap [--aot PROG.aot.o | -O<n>] [-p PROG]\n"
		"                     [--config FILE] [--uxdpc PATH] [--ifindex N] [--queue N]\n"
		"                     [--map-size MAP=N]... [--exact-maps] [--loader auto|libbpf|kload]\n"
		"                     [-v]\n"
		"Run an XDP program in the kernel (bpf_prog_test_run) and in uxdp over every packet\n"
		"of IN.pcap; stop at the first difference in verdict, output bytes or map contents.\n"
		"\n"
		"  --pcap FILE       packets to run, in order (required)\n"
		"  --aot FILE        uxdp side: this object compiled by uxdpc\n"
		"  -O0..-O3          uxdp side: compile PROG.bpf.o with uxdpc at this level (default -O2)\n"
		"  -p, --prog NAME   the program (function or section name); default: the only\n"
		"                    program in an XDP section\n"
		"  --config FILE     seed maps on both sides first (see README.md)\n"
		"  --map-size MAP=N  max_entries of MAP, set on both sides before loading, as the\n"
		"                    object's own loader would (repeatable; a config's map-size\n"
		"                    MAP N lines too)\n"
		"  --uxdpc PATH      the uxdpc to compile with (default: the one next to\n"
		"                    uxdp-difftest, else the build tree's, else uxdpc on PATH)\n"
		"  --ifindex N       ctx ingress_ifindex (a real device; default loopback)\n"
		"  --queue N         ctx rx_queue_index (needs --ifindex)\n"
		"  --exact-maps      compare large maps in full after every packet too (slow)\n"
		"  --loader NAME     the kernel side's loader: libbpf, kload (uxdp's own), or\n"
		"                    auto (default: libbpf, kload for what libbpf refuses)\n"
		"  -v, --verbose     report each packet, and show libbpf and trace_printk output\n"
		"  -V, --version     print the version\n"
		"\n"
		"Exit status: 0 all agree, 1 a difference, 2 usage, 3 error, 77 no usable kernel BPF.\n"
		"\n"
		"Examples:\n"
		"  uxdp-difftest fw.bpf.o --pcap in.pcap -O3\n"
		"  uxdp-difftest fw.bpf.o --pcap in.pcap --aot fw.aot.o -p xdp_fw --config fw.conf\n"
		"  uxdp-corpus -o corpus.pcap && uxdp-difftest fw.bpf.o --pcap corpus.pcap -v\n"
		"See uxdp-difftest(1).\n");
}

double dt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void dt_progress(const struct dt_ctx *dt, const char *fmt, ...)
{
	va_list ap;

	if (!dt->progress)
		return;
	fputs("\r\033[Kdifftest: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
}

void dt_progress_clear(const struct dt_ctx *dt)
{
	if (dt->progress)
		fputs("\r\033[K", stderr);
}

void dt_diff_header(const struct dt_ctx *dt, const char *what)
{
	dt_progress_clear(dt);
	if (dt->at_end)
		printf("difftest: after the last packet: %s\n", what);
	else if (dt->packet)
		printf("difftest: packet %llu: %s\n", (unsigned long long)dt->packet, what);
	else
		printf("difftest: after setup, before the first packet: %s\n", what);
}

int dt_error(const struct dt_ctx *dt, const char *fmt, ...)
{
	va_list ap;

	dt_progress_clear(dt);
	fprintf(stderr, "uxdp-difftest: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return DT_EXIT_ERROR;
}

void dt_prog_name(const struct dt_ctx *dt, bool kernel, uint32_t h, char *out, size_t size)
{
	if (kernel) {
		for (size_t i = 0; i < dt->n_kprogs; i++) {
			struct bpf_prog_info info;
			__u32 len = sizeof(info);
			int fd = dt->kprogs[i].fd;

			memset(&info, 0, sizeof(info));
			if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) && info.id == h) {
				snprintf(out, size, "program %s", dt->kprogs[i].name);
				return;
			}
		}
		snprintf(out, size, "program id %u (not of this object)", h);
	} else {
		const struct uxdp_program *progs;
		size_t i, n = uxdp_object_programs(dt->uobj, &progs);

		for (i = 0; i < n; i++) {
			if (progs[i].index == h) {
				snprintf(out, size, "program %s", progs[i].name);
				return;
			}
		}
		snprintf(out, size, "program index %u (not of this object)", h);
	}
}

void dt_map_name(const struct dt_ctx *dt, bool kernel, uint32_t h, char *out, size_t size)
{
	size_t i;

	for (i = 0; i < dt->n_maps; i++) {
		const struct dmap *m = &dt->maps[i];

		if (kernel) {
			struct bpf_map_info info;
			__u32 len = sizeof(info);

			memset(&info, 0, sizeof(info));
			if (!bpf_obj_get_info_by_fd(m->kfd, &info, &len) && info.id == h)
				break;
		} else if (uxdp_map_id(m->umap) == h) {
			break;
		}
	}
	if (i < dt->n_maps)
		snprintf(out, size, "map %s", dt->maps[i].name);
	else
		snprintf(out, size, "map id %u (not of this object)", h);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int libbpf_print_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* Warnings only: the verifier log of a rejected program is one. */
	if (level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* ---- uxdp side ---- */

/* A temporary file for the compiled object, made before the cleanup process starts. */
static int make_tmp(struct dt_ctx *dt)
{
	int fd;

	snprintf(dt->aot_tmp, sizeof(dt->aot_tmp), "%s/uxdp-difftest-XXXXXX.aot.o",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	fd = mkstemps(dt->aot_tmp, 6);
	if (fd < 0) {
		dt->aot_tmp[0] = '\0';
		return dt_error(dt, "temporary file: %s", strerror(errno));
	}
	close(fd);
	return 0;
}

/*
 * uxdpc -p PROG: only the compared program, in whatever section, so that
 * another program of the object that uxdpc cannot compile is no obstacle.
 * When the config puts other programs in a prog_array, uxdpc compiles its
 * default set (it takes one -p): every program of the xdp, xdp/... and
 * xdp.frags sections, static ones included, or, in an object with none,
 * every program of its custom sections (those libbpf gives no type, such as
 * SEC("xdp_fw")); the kernel side's uxdp_kload loads that same set.
 * uxdpc's default verification (auto): what a user compiles by default, so
 * the code compared is theirs (with the kernel's verdict, no confinement
 * checks; without, uxdpc's own proof and run-time checks, as they would get).
 */
static int compile(struct dt_ctx *dt)
{
	const char *name = dt->kprog->name;
	bool one = !dt_config_names_other_programs(dt);
	char olevel[8];
	/* uxdpc PROG -On [-p NAME] [--map-size M=N]... -o OUT */
	size_t argc = 0, max = 7 + 2 * dt->n_sizes + 1;
	char **argv = calloc(max, sizeof(*argv));
	pid_t pid;
	int status;

	if (!argv)
		return dt_error(dt, "out of memory");
	snprintf(olevel, sizeof(olevel), "-O%d", dt->olevel);
	argv[argc++] = (char *)dt->uxdpc;
	argv[argc++] = (char *)dt->bpf_path;
	argv[argc++] = olevel;
	if (one) {
		argv[argc++] = "-p";
		argv[argc++] = (char *)name;
	}
	/* The same sizes as the kernel side: an array's is compiled into its lookups. */
	for (size_t i = 0; i < dt->n_sizes; i++) {
		argv[argc++] = "--map-size";
		argv[argc++] = dt->uxdpc_size_args[i];
	}
	argv[argc++] = "-o";
	argv[argc++] = dt->aot_tmp;
	if (dt->verbose) {
		fprintf(stderr, "difftest:");
		for (size_t i = 0; i < argc; i++)
			fprintf(stderr, " %s", argv[i]);
		fputc('\n', stderr);
	}
	dt_progress(dt, "compiling %s with %s", dt->bpf_path, olevel);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		free(argv);
		return dt_error(dt, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		/* uxdpc's messages go to our stderr, keeping stdout for the verdict. */
		dup2(2, 1);
		execv(dt->uxdpc, argv);
		fprintf(stderr, "uxdp-difftest: %s: %s\n", dt->uxdpc, strerror(errno));
		_exit(127);
	}
	free(argv);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return dt_error(dt, "waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return dt_error(dt, "%s failed on %s (program %s)", dt->uxdpc, dt->bpf_path, name);
	dt->aot_path = dt->aot_tmp;
	return 0;
}

static int uxdp_open(struct dt_ctx *dt)
{
	struct uxdp_object_opts o = {
		.sz = sizeof(o),
		.instance = dt->instance,
		.ncpus = dt->ncpus,
		.unlink_on_close = true,
		/* For an --aot object's hash maps; a compiled one has them already. */
		.map_sizes = dt->usizes,
		.n_map_sizes = dt->n_sizes,
	};
	char err[512];
	int ret;

	if (!dt->aot_path) {
		ret = compile(dt);
		if (ret)
			return ret;
	}
	/* A previous run killed midway may have left maps under this pid's name. */
	dt_cleanup_files(dt->instance, NULL);
	dt_progress(dt, "creating the uxdp side's maps");
	ret = uxdp_object_open(dt->aot_path, &o, &dt->uobj, err, sizeof(err));
	if (ret)
		return dt_error(dt, "%s", err);
	dt->uprog = uxdp_object_program(dt->uobj, dt->kprog->name);
	if (!dt->uprog)
		return dt_error(dt, "%s: no program %s", dt->aot_path, dt->kprog->name);
	if (dt->uprog->type != UXDP_PROG_XDP)
		return dt_error(dt, "%s: %s is not an XDP program", dt->aot_path, dt->uprog->name);
	return 0;
}

/* ---- pairing the maps ---- */

struct name_list {
	char (*v)[UXDP_MAP_NAME_LEN];
	size_t n, cap;
};

static int list_cb(const struct uxdp_map_info *info, void *arg)
{
	struct name_list *l = arg;

	if (l->n == l->cap) {
		void *g = realloc(l->v, (l->cap ? l->cap * 2 : 16) * sizeof(*l->v));

		if (!g)
			return -ENOMEM;
		l->v = g;
		l->cap = l->cap ? l->cap * 2 : 16;
	}
	snprintf(l->v[l->n++], UXDP_MAP_NAME_LEN, "%s", info->name);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

static bool shape_differs(const struct dt_ctx *dt, struct dmap *m, const struct uxdp_map_info *ui)
{
	const struct dt_kmap *k = m->kmap;

	if (k->type == ui->type && k->key_size == ui->key_size &&
	    k->value_size == ui->value_size && k->max_entries == ui->max_entries)
		return false;
	dt_diff_header(dt, "map shapes differ");
	printf("  map %s\n  kernel: type %s key %u value %u max_entries %u\n"
	       "  uxdp:   type %s key %u value %u max_entries %u\n",
	       m->name, dmap_type_name(k->type), k->key_size, k->value_size, k->max_entries,
	       dmap_type_name(ui->type),
	       ui->key_size, ui->value_size, ui->max_entries);
	return true;
}

static int pair_maps(struct dt_ctx *dt)
{
	struct name_list names = { 0 };
	size_t i;
	int ret;

	dt_progress_clear(dt);
	ret = uxdp_map_list(dt->instance, list_cb, &names);
	if (ret) {
		free(names.v);
		return dt_error(dt, "listing uxdp maps: %s", strerror(-ret));
	}
	if (names.n) /* a program without maps: no list to sort (qsort wants one) */
		qsort(names.v, names.n, sizeof(*names.v), cmp_names);
	dt->maps = calloc(names.n ? names.n : 1, sizeof(*dt->maps));
	if (!dt->maps) {
		free(names.v);
		return dt_error(dt, "out of memory");
	}
	for (i = 0; i < names.n; i++) {
		struct dmap *m = &dt->maps[dt->n_maps];
		struct uxdp_map_info ui;

		m->umap = uxdp_object_map(dt->uobj, names.v[i]);
		m->kmap = dt_kernel_map(dt, names.v[i]);
		if (!m->umap || !m->kmap) {
			fprintf(stderr, "difftest: note: map %s exists only in uxdp; not compared\n",
				names.v[i]);
			continue;
		}
		snprintf(m->name, sizeof(m->name), "%s", names.v[i]);
		uxdp_map_get_info(m->umap, &ui);
		if (shape_differs(dt, m, &ui)) {
			free(names.v);
			return DT_EXIT_DIFF;
		}
		m->kfd = m->kmap->fd;
		m->type = ui.type;
		m->key_size = ui.key_size;
		m->value_size = ui.value_size;
		m->max_entries = ui.max_entries;
		m->map_flags = m->kmap->map_flags;
		dmap_classify(m);
		m->ncpus = m->percpu ? dt->ncpus : 1;
		m->vbytes = m->percpu ? ((m->value_size + 7) & ~(size_t)7) * dt->ncpus :
					m->value_size;
		/* fd-valued maps read back as 4-byte ids whatever their value size. */
		if (m->vbytes < sizeof(uint32_t))
			m->vbytes = sizeof(uint32_t);
		if (m->percpu && uxdp_map_value_bytes(m->umap) != m->vbytes) {
			free(names.v);
			return dt_error(dt, "map %s: uxdp per-CPU value is %zu bytes, kernel %zu",
					m->name, uxdp_map_value_bytes(m->umap), m->vbytes);
		}
		ret = dmap_prepare(dt, m);
		if (ret) {
			free(names.v);
			return ret;
		}
		if (m->cmp == CMP_RINGBUF) {
			m->krb = ring_buffer__new(m->kfd, dmap_kernel_ringbuf_cb, &m->krecs, NULL);
			if (!m->krb) {
				free(names.v);
				return dt_error(dt, "map %s: ring_buffer__new: %s", m->name,
						strerror(errno));
			}
		}
		if (m->cmp == CMP_NONE)
			fprintf(stderr, "difftest: note: map %s (%s) not compared: %s\n", m->name,
				dmap_type_name(m->type), m->why_not);
		dt->n_maps++;
	}
	free(names.v);
	for (size_t k = 0; k < dt->n_kmaps; k++) {
		for (i = 0; i < dt->n_maps; i++)
			if (dt->maps[i].kmap == &dt->kmaps[k])
				break;
		if (i == dt->n_maps)
			fprintf(stderr, "difftest: note: map %s exists only in the kernel; not compared\n",
				dt->kmaps[k].name);
	}
	return 0;
}

static struct dmap *find_dmap(struct dt_ctx *dt, const char *name)
{
	size_t i;

	for (i = 0; i < dt->n_maps; i++)
		if (!strcmp(dt->maps[i].name, name))
			return &dt->maps[i];
	return NULL;
}

/* ---- seeding from the config ---- */

/* Both sides must give the same result; a shared failure is the config's fault. */
static int seed_result(struct dt_ctx *dt, const struct cfg_entry *e, int kr, int ur)
{
	if (kr == ur && !kr)
		return 0;
	if (kr == ur) {
		fprintf(stderr, "uxdp-difftest: %s:%d: update of map %s fails on both sides: %s\n",
			dt->cfg_path, e->line, e->map, strerror(-kr));
		return DT_EXIT_ERROR;
	}
	dt_diff_header(dt, "map update result differs");
	printf("  %s:%d, map %s\n  kernel: %s\n  uxdp:   %s\n", dt->cfg_path, e->line, e->map,
	       kr ? strerror(-kr) : "ok", ur ? strerror(-ur) : "ok");
	return DT_EXIT_DIFF;
}

/*
 * A `global` line on the uxdp side: the variable's bytes written into its
 * section's map before the first packet, where the kernel had them at load.
 */
static int seed_global(struct dt_ctx *dt, const struct cfg_entry *e)
{
	struct dmap *m = find_dmap(dt, e->section);
	uint32_t zero = 0;
	uint8_t *val;
	int ret;

	if (!m || m->type != BPF_MAP_TYPE_ARRAY || e->offset + e->value_len > m->value_size)
		return dt_error(dt, "%s:%d: global %s: uxdp has no global data %s to hold it",
				dt->cfg_path, e->line, e->var, e->section);
	val = calloc(1, m->vbytes);
	if (!val)
		return dt_error(dt, "out of memory");
	ret = uxdp_map_lookup_elem_copy(m->umap, &zero, val);
	if (!ret) {
		memcpy(val + e->offset, e->value, e->value_len);
		ret = uxdp_map_update_elem(m->umap, &zero, val, BPF_ANY);
	}
	free(val);
	if (ret)
		return dt_error(dt, "%s:%d: global %s: writing uxdp's %s: %s", dt->cfg_path, e->line,
				e->var, e->section, strerror(-ret));
	return 0;
}

static int seed_entry(struct dt_ctx *dt, const struct cfg_entry *e)
{
	struct dmap *m = find_dmap(dt, e->map);
	uint8_t *kval = NULL, *uval = NULL;
	const void *key = e->key;
	int kr, ur, ret;

	if (e->kind == CFG_GLOBAL)
		return seed_global(dt, e);
	if (e->kind == CFG_MAP_SIZE)
		return 0; /* applied at load (map_sizes.c) */
	if (!m) {
		fprintf(stderr, "uxdp-difftest: %s:%d: no map %s on both sides\n", dt->cfg_path,
			e->line, e->map);
		return DT_EXIT_USAGE;
	}
	kval = calloc(1, m->vbytes + 8);
	uval = calloc(1, m->vbytes + 8);
	if (!kval || !uval) {
		ret = dt_error(dt, "out of memory");
		goto out;
	}
	if (e->kind == CFG_PROG_ARRAY) {
		const struct dt_kprog *kp = dt_kernel_prog(dt, e->prog);
		const struct uxdp_program *up = uxdp_object_program(dt->uobj, e->prog);
		int fd;

		if (m->type != BPF_MAP_TYPE_PROG_ARRAY || !kp || !up) {
			fprintf(stderr, "uxdp-difftest: %s:%d: %s\n", dt->cfg_path, e->line,
				m->type != BPF_MAP_TYPE_PROG_ARRAY ? "not a prog_array" :
				"no such program on both sides");
			ret = DT_EXIT_USAGE;
			goto out;
		}
		fd = kp->fd;
		kr = bpf_map_update_elem(m->kfd, &e->index, &fd, BPF_ANY);
		ur = uxdp_map_update_elem(m->umap, &e->index, &up->index, BPF_ANY);
		ret = seed_result(dt, e, kr, ur);
		goto out;
	}
	if (e->key_len != m->key_size) {
		fprintf(stderr, "uxdp-difftest: %s:%d: map %s: key is %zu bytes, the map's %u\n",
			dt->cfg_path, e->line, e->map, e->key_len, m->key_size);
		ret = DT_EXIT_USAGE;
		goto out;
	}
	if (e->value_map[0]) {
		struct dmap *inner = find_dmap(dt, e->value_map);
		uint32_t fd, id;

		if (!inner) {
			fprintf(stderr, "uxdp-difftest: %s:%d: no map %s on both sides\n",
				dt->cfg_path, e->line, e->value_map);
			ret = DT_EXIT_USAGE;
			goto out;
		}
		fd = (uint32_t)inner->kfd;
		id = uxdp_map_id(inner->umap);
		memcpy(kval, &fd, sizeof(fd));
		memcpy(uval, &id, sizeof(id));
	} else if (m->percpu && e->value_len == m->value_size) {
		/* One value for every CPU, each in its 8-byte-aligned slot. */
		size_t stride = (m->value_size + 7) & ~(size_t)7;
		unsigned int c;

		for (c = 0; c < m->ncpus; c++)
			memcpy(kval + c * stride, e->value, e->value_len);
		memcpy(uval, kval, m->vbytes);
	} else if (e->value_len == m->value_size || (m->percpu && e->value_len == m->vbytes)) {
		memcpy(kval, e->value, e->value_len);
		memcpy(uval, e->value, e->value_len);
	} else {
		fprintf(stderr, "uxdp-difftest: %s:%d: map %s: value is %zu bytes, the map's %u\n",
			dt->cfg_path, e->line, e->map, e->value_len, m->value_size);
		ret = DT_EXIT_USAGE;
		goto out;
	}
	if (m->type == BPF_MAP_TYPE_QUEUE || m->type == BPF_MAP_TYPE_STACK)
		key = NULL; /* a push; the config's key is ignored */
	kr = bpf_map_update_elem(m->kfd, key, kval, e->flags);
	ur = uxdp_map_update_elem(m->umap, key, uval, e->flags);
	ret = seed_result(dt, e, kr, ur);
out:
	free(kval);
	free(uval);
	return ret;
}

/*
 * Is it time for a full comparison of m?  Always for maps that are not large.
 * Large maps take turns, the longest unchecked first, one per packet, while
 * their comparisons have taken no more time than everything else since the
 * start: at most twice the time of a run that never compared them.
 */
static bool due(const struct dt_ctx *dt, const struct dmap *m, bool all)
{
	double spent, t;
	size_t i;

	if (all || dt->exact_maps || !m->large)
		return true;
	if (dt->full_this_packet)
		return false;
	for (i = 0; i < dt->n_maps; i++) {
		const struct dmap *o = &dt->maps[i];

		if (o != m && o->large && o->per_packet && o->full_packet < m->full_packet)
			return false;
	}
	t = dt_now() - dt->start;
	spent = dt->full_time;
	return spent + m->full_cost <= t - spent;
}

/* A difference found by a periodic comparison: say which packets it arose in. */
static void large_map_note(const struct dt_ctx *dt, const struct dmap *m)
{
	char last[64];

	if (!m->large || dt->exact_maps || !dt->packet || m->full_packet + 1 == dt->packet)
		return;
	if (m->full_packet)
		snprintf(last, sizeof(last), "after packet %llu", (unsigned long long)m->full_packet);
	else
		snprintf(last, sizeof(last), "after setup");
	printf("  map %s (%u entries) is too large to compare in full after every packet: it was "
	       "last compared in full %s, so this difference arose in packets %llu..%llu "
	       "(--exact-maps finds the packet)\n", m->name, m->max_entries, last,
	       (unsigned long long)m->full_packet + 1, (unsigned long long)dt->packet);
}

/*
 * Compare the maps a program can change (all: every map).  A map whose
 * comparison is not due this time is skipped; it will be compared later,
 * and always after the last packet.
 */
static int compare_maps(struct dt_ctx *dt, bool all)
{
	size_t i;
	int ret;

	for (i = 0; i < dt->n_maps; i++) {
		struct dmap *m = &dt->maps[i];
		double t;

		if (!all && !m->per_packet)
			continue;
		/* Every packet: the elements of a large array that uxdp wrote. */
		if (m->dirty.on) {
			ret = dmap_compare_written(dt, m);
			if (ret)
				return ret;
		}
		if (!due(dt, m, all))
			continue;
		/* Worth a line only when it takes a while (the first time, it may). */
		if (m->large && (!m->full_cost || m->full_cost > 0.2))
			dt_progress(dt, "packet %llu: comparing map %s (%u entries) in full",
				    (unsigned long long)dt->packet, m->name, m->max_entries);
		t = dt_now();
		ret = dmap_compare(dt, m);
		if (ret == DT_EXIT_DIFF)
			large_map_note(dt, m);
		if (ret)
			return ret;
		m->full_cost = dt_now() - t;
		m->full_packet = dt->packet;
		if (!m->large)
			continue;
		dt->full_checks++;
		if (dt->verbose)
			fprintf(stderr, "difftest: map %s compared in full in %.1f ms\n", m->name,
				m->full_cost * 1e3);
		if (!all && !dt->exact_maps) {
			dt->full_time += m->full_cost;
			dt->full_this_packet = true;
		}
	}
	return 0;
}

/* Compare the large maps once more, so that their schedule starts from a warm cost. */
static int compare_large_maps_again(struct dt_ctx *dt)
{
	size_t i;
	int ret;

	for (i = 0; i < dt->n_maps; i++) {
		struct dmap *m = &dt->maps[i];
		double t;

		if (!m->large || !m->per_packet)
			continue;
		t = dt_now();
		ret = dmap_compare(dt, m);
		if (ret)
			return ret;
		m->full_cost = dt_now() - t;
	}
	return 0;
}

/* ---- running one packet ---- */

struct outcome {
	uint32_t verdict;
	uint32_t meta_len;
	const uint8_t *bytes;  /* data_meta..data_end */
	size_t len;
};

/*
 * The kernel: bpf_prog_test_run with an xdp_md ctx, so that ctx_out tells
 * how much of data_out is metadata (test_run returns data_meta..data_end).
 */
static int run_kernel(struct dt_ctx *dt, const uint8_t *pkt, size_t len, uint8_t *out,
		      size_t out_size, struct outcome *o)
{
	struct xdp_md in = {
		.data_end = (uint32_t)len,
		.ingress_ifindex = dt->ifindex,
		.rx_queue_index = dt->queue,
	};
	struct xdp_md ctx_out = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = pkt, .data_size_in = (uint32_t)len,
		    .data_out = out, .data_size_out = (uint32_t)out_size, .ctx_in = &in,
		    .ctx_size_in = sizeof(in), .ctx_out = &ctx_out, .ctx_size_out = sizeof(ctx_out),
		    .repeat = 1);
	int ret;

	ret = bpf_prog_test_run_opts(dt->kprog->fd, &t);
	if (ret)
		return ret;
	o->verdict = t.retval;
	o->meta_len = ctx_out.data;
	o->bytes = out;
	o->len = t.data_size_out;
	return 0;
}

/* uxdp: the frame the pcap driver builds (driver.h): cleared, 256 bytes headroom. */
static void run_uxdp(struct dt_ctx *dt, struct uxdp_worker *w, const uint8_t *pkt, size_t len,
		     uint8_t *frame, size_t frame_size, struct outcome *o)
{
	struct uxdp_ctx ctx = {
		.data_hard_start = frame,
		.data = frame + UXDP_HEADROOM,
		.data_meta = frame + UXDP_HEADROOM,
		.data_end = frame + UXDP_HEADROOM + len,
		.frame_end = frame + frame_size,
		.ingress_ifindex = dt->ifindex ? dt->ifindex : if_nametoindex("lo"),
		.rx_queue_index = dt->queue,
		.worker = w,
	};

	/* test_run's loopback default: lo is ifindex 1 in every namespace. */
	if (!ctx.ingress_ifindex)
		ctx.ingress_ifindex = 1;
	memset(frame, 0, frame_size);
	memcpy(ctx.data, pkt, len);
	uxdp_this_cpu = 0;
	/* A worker's batch of one packet: elements it looks up are not reused meanwhile. */
	uxdp_map_epoch_enter();
	o->verdict = (uint32_t)dt->uprog->fn(&ctx);
	uxdp_map_epoch_exit();
	uxdp_redirect_clear(&w->redirect);
	o->meta_len = ctx.data > ctx.data_meta ? (uint32_t)(ctx.data - ctx.data_meta) : 0;
	o->bytes = ctx.data_meta;
	o->len = ctx.data_end > ctx.data_meta ? (size_t)(ctx.data_end - ctx.data_meta) : 0;
}

static int compare_outcome(struct dt_ctx *dt, const struct outcome *k, const struct outcome *u)
{
	if (k->verdict != u->verdict) {
		dt_diff_header(dt, "verdict differs");
		printf("  kernel: %u (%s)\n  uxdp:   %u (%s)\n", k->verdict,
		       uxdp_verdict_name(uxdp_verdict_of(k->verdict)), u->verdict,
		       uxdp_verdict_name(uxdp_verdict_of(u->verdict)));
		return DT_EXIT_DIFF;
	}
	if (k->meta_len != u->meta_len) {
		dt_diff_header(dt, "metadata length differs (data - data_meta)");
		printf("  kernel: %u\n  uxdp:   %u\n", k->meta_len, u->meta_len);
		dt_hexdump(stdout, "kernel meta+packet", k->bytes, k->len, u->bytes, u->len);
		dt_hexdump(stdout, "uxdp meta+packet", u->bytes, u->len, k->bytes, k->len);
		return DT_EXIT_DIFF;
	}
	if (k->len != u->len || memcmp(k->bytes, u->bytes, k->len)) {
		size_t i = 0;

		while (i < k->len && i < u->len && k->bytes[i] == u->bytes[i])
			i++;
		dt_diff_header(dt, "output bytes differ");
		printf("  first difference at offset %zu (of data_meta..data_end, %u bytes metadata); "
		       "kernel %zu bytes, uxdp %zu bytes\n", i, k->meta_len, k->len, u->len);
		dt_hexdump(stdout, "kernel", k->bytes, k->len, u->bytes, u->len);
		dt_hexdump(stdout, "uxdp", u->bytes, u->len, k->bytes, k->len);
		return DT_EXIT_DIFF;
	}
	return 0;
}

/* The progress line: about four times a second, on a terminal. */
static void show_progress(struct dt_ctx *dt, double start, double *last)
{
	double t;

	if (!dt->progress || (dt->packet & 15))
		return;
	t = dt_now();
	if (t - *last < 0.25)
		return;
	*last = t;
	dt_progress(dt, "packet %llu, %llu compared, 0 differences, %.0f packets/s, %.1f s",
		    (unsigned long long)dt->packet, (unsigned long long)dt->compared,
		    dt->packet / (t - start), t - start);
}

/*
 * One packet on both sides.  A runt (shorter than an Ethernet header) runs on
 * neither: no kernel XDP path gives a program one (NICs discard them, veth
 * and tun refuse to send them, test_run refuses them), and uxdp's drivers
 * drop them before the program too.  Any other packet test_run refuses is
 * counted and reported as such.
 */
static int run_packet(struct dt_ctx *dt, struct uxdp_worker *w, const uint8_t *data, size_t len,
		      uint8_t *frame, size_t frame_size, uint8_t *out)
{
	struct outcome ko, uo;
	int ret;

	if (len < UXDP_ETH_HLEN) {
		if (dt->verbose)
			printf("difftest: packet %llu (%zu bytes): a runt, run on neither side\n",
			       (unsigned long long)dt->packet, len);
		if (dt->runts < DT_RUNTS_LISTED)
			dt->runt_packets[dt->runts] = dt->packet;
		dt->runts++;
		return 0;
	}
	ret = run_kernel(dt, data, len, out, frame_size, &ko);
	if (ret) {
		if (ret == -EPERM)
			return dt_skip("bpf_prog_test_run", ret);
		/* E.g. longer than a page for a program without frags. */
		dt_progress_clear(dt);
		fprintf(stderr, "difftest: note: packet %llu (%zu bytes) skipped: the kernel's "
			"test_run refuses it: %s\n", (unsigned long long)dt->packet, len,
			strerror(-ret));
		dt->refused++;
		return 0;
	}
	run_uxdp(dt, w, data, len, frame, frame_size, &uo);
	ret = compare_outcome(dt, &ko, &uo);
	dt->full_this_packet = false;
	if (!ret)
		ret = compare_maps(dt, false);
	if (ret)
		return ret;
	dt->compared++;
	dt->verdicts[uxdp_verdict_of(ko.verdict)]++;
	if (dt->verbose)
		printf("difftest: packet %llu: %s, %zu bytes out, same\n",
		       (unsigned long long)dt->packet, uxdp_verdict_name(uxdp_verdict_of(ko.verdict)),
		       ko.len);
	return 0;
}

static int run_pcap(struct dt_ctx *dt)
{
	struct uxdp_pcap_in *p;
	struct uxdp_pcap_record rec;
	struct uxdp_worker w;
	size_t frame_size = 0;
	uint8_t *frame = NULL, *out = NULL;
	double start = dt_now(), last = 0;
	char perr[512];
	int r, ret;

	ret = uxdp_pcap_in_open(dt->pcap_path, &p, perr, sizeof(perr));
	if (ret)
		return dt_error(dt, "%s", perr);
	uxdp_worker_init(&w, 0);
	uxdp_worker_seed(&w, 0x75786470);
	uxdp_worker_set_current(&w);
	while ((r = uxdp_pcap_in_next(p, &rec, perr, sizeof(perr))) == 1) {
		size_t need = rec.caplen + UXDP_HEADROOM + UXDP_XDP_TAILROOM;

		dt->packet++;
		/* Like test_run: one page per frame, more for a bigger packet. */
		if (need < UXDP_FRAME_SIZE)
			need = UXDP_FRAME_SIZE;
		if (need > frame_size) {
			free(frame);
			free(out);
			frame_size = need;
			frame = aligned_alloc(64, (frame_size + 63) & ~(size_t)63);
			out = malloc(frame_size);
			if (!frame || !out) {
				ret = dt_error(dt, "out of memory");
				break;
			}
		}
		ret = run_packet(dt, &w, rec.data, rec.caplen, frame, frame_size, out);
		if (ret)
			break;
		if (dt_stop_signal)
			break;
		show_progress(dt, start, &last);
	}
	if (!ret && r < 0)
		ret = dt_error(dt, "%s", perr);
	if (!ret && r == 2) {
		dt_progress_clear(dt);
		fprintf(stderr, "difftest: warning: %s\n", perr);
	}
	/* Every map gets a last look at the end: large ones, and those programs cannot change. */
	if (!ret && !dt_stop_signal) {
		dt->at_end = true;
		ret = compare_maps(dt, true);
	}
	dt_progress_clear(dt);
	uxdp_worker_set_current(NULL);
	uxdp_pcap_in_close(p);
	free(frame);
	free(out);
	return ret;
}

/* ---- main ---- */

static int parse_args(struct dt_ctx *dt, int argc, char **argv)
{
	enum {
		OPT_PCAP = 256,
		OPT_AOT,
		OPT_CONFIG,
		OPT_UXDPC,
		OPT_IFINDEX,
		OPT_QUEUE,
		OPT_EXACT,
		OPT_LOADER,
		OPT_MAP_SIZE
	};
	static const struct option longopts[] = {
		{ "pcap", required_argument, NULL, OPT_PCAP },
		{ "aot", required_argument, NULL, OPT_AOT },
		{ "prog", required_argument, NULL, 'p' },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "uxdpc", required_argument, NULL, OPT_UXDPC },
		{ "ifindex", required_argument, NULL, OPT_IFINDEX },
		{ "queue", required_argument, NULL, OPT_QUEUE },
		{ "exact-maps", no_argument, NULL, OPT_EXACT },
		{ "loader", required_argument, NULL, OPT_LOADER },
		{ "map-size", required_argument, NULL, OPT_MAP_SIZE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	bool have_olevel = false;
	char *end;
	int c;

	dt->olevel = 2;
	dt->uxdpc = uxdp_tool_path("uxdpc", NULL, UXDP_UXDPC_PATH);
	opterr = 0; /* one line of our own */
	while ((c = getopt_long(argc, argv, ":O:p:vhV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PCAP:
			dt->pcap_path = optarg;
			break;
		case OPT_AOT:
			dt->aot_path = optarg;
			break;
		case 'O':
			if (strlen(optarg) != 1 || optarg[0] < '0' || optarg[0] > '3') {
				fprintf(stderr, "uxdp-difftest: -O%s: use -O0..-O3\n", optarg);
				return DT_EXIT_USAGE;
			}
			dt->olevel = optarg[0] - '0';
			have_olevel = true;
			break;
		case 'p':
			dt->prog_name = optarg;
			break;
		case OPT_CONFIG:
			dt->cfg_path = optarg;
			break;
		case OPT_UXDPC:
			dt->uxdpc = optarg;
			break;
		case OPT_IFINDEX:
		case OPT_QUEUE:
			errno = 0;
			unsigned long v = strtoul(optarg, &end, 0);

			if (errno || *end || v > UINT32_MAX) {
				fprintf(stderr, "uxdp-difftest: bad number '%s'\n", optarg);
				return DT_EXIT_USAGE;
			}
			*(c == OPT_IFINDEX ? &dt->ifindex : &dt->queue) = (uint32_t)v;
			break;
		case OPT_EXACT:
			dt->exact_maps = true;
			break;
		case OPT_LOADER:
			if (!strcmp(optarg, "auto"))
				dt->want_loader = DT_LOADER_AUTO;
			else if (!strcmp(optarg, "libbpf"))
				dt->want_loader = DT_LOADER_LIBBPF;
			else if (!strcmp(optarg, "kload"))
				dt->want_loader = DT_LOADER_KLOAD;
			else {
				fprintf(stderr, "uxdp-difftest: --loader %s: use auto, libbpf or kload\n",
					optarg);
				return DT_EXIT_USAGE;
			}
			break;
		case OPT_MAP_SIZE:
			if (dt_sizes_add_arg(dt, optarg))
				return DT_EXIT_USAGE;
			break;
		case 'v':
			dt->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("uxdp-difftest %s\n", UXDP_VERSION);
			exit(0);
		case ':':
			fprintf(stderr, "uxdp-difftest: option '%s' needs an argument (-h for help)\n",
				argv[optind - 1]);
			return DT_EXIT_USAGE;
		default:
			fprintf(stderr, "uxdp-difftest: unknown option '%s' (-h for help)\n",
				argv[optind - 1]);
			return DT_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || !dt->pcap_path) {
		const char *why = optind >= argc    ? "no PROG.bpf.o given" :
				  optind + 1 < argc ? "more than one PROG.bpf.o given" :
						      "no --pcap FILE given";

		fprintf(stderr, "uxdp-difftest: %s (-h for help)\n", why);
		return DT_EXIT_USAGE;
	}
	if (dt->aot_path && have_olevel) {
		fprintf(stderr, "uxdp-difftest: --aot and -O exclude each other\n");
		return DT_EXIT_USAGE;
	}
	if (dt->queue && !dt->ifindex) {
		fprintf(stderr, "uxdp-difftest: --queue needs --ifindex (the kernel's rule)\n");
		return DT_EXIT_USAGE;
	}
	dt->bpf_path = argv[optind];
	return 0;
}

/* 0, or DT_EXIT_ERROR when nothing was compared: a run that checked nothing must not pass. */
static int summary(const struct dt_ctx *dt)
{
	unsigned int v;
	size_t i;

	if (dt->runts) {
		printf("difftest: %llu runt frames (shorter than an Ethernet header) run on neither "
		       "side, as no kernel XDP path runs a program on one: packets",
		       (unsigned long long)dt->runts);
		for (v = 0; v < dt->runts && v < DT_RUNTS_LISTED; v++)
			printf("%s %llu", v ? "," : "", (unsigned long long)dt->runt_packets[v]);
		printf("%s\n", dt->runts > DT_RUNTS_LISTED ? ", ..." : "");
	}
	if (dt->refused)
		printf("difftest: %llu packets skipped: the kernel's test_run refused them\n",
		       (unsigned long long)dt->refused);
	if (!dt->compared) {
		printf("difftest: no packet compared (%llu in the capture): nothing was checked\n",
		       (unsigned long long)dt->packet);
		return DT_EXIT_ERROR;
	}
	printf("difftest: %llu packets, 0 differences\n", (unsigned long long)dt->compared);
	printf("difftest:");
	for (v = 0; v < UXDP_N_VERDICTS; v++)
		printf(" %s %llu%s", uxdp_verdict_name(v), (unsigned long long)dt->verdicts[v],
		       v + 1 < UXDP_N_VERDICTS ? "," : "\n");
	if (dt->full_checks && !dt->exact_maps)
		printf("difftest: large maps compared in full %llu times (after setup, on a time "
		       "budget, and after the last packet)\n", (unsigned long long)dt->full_checks);
	for (i = 0; i < dt->n_maps; i++)
		if (dt->maps[i].dirty.on)
			printf("difftest: map %s: %llu elements on pages uxdp wrote compared at "
			       "their packet\n", dt->maps[i].name,
			       (unsigned long long)dt->maps[i].written_checked);
	return 0;
}

static void cleanup(struct dt_ctx *dt)
{
	size_t i;

	for (i = 0; i < dt->n_maps; i++)
		dmap_release(&dt->maps[i]);
	free(dt->maps);
	uxdp_object_close(dt->uobj);
	dt_kernel_close(dt);
	/* Inner maps and anything else made under our private instance go too. */
	dt_cleanup_files(dt->instance, dt->aot_tmp);
	cfg_free(&dt->cfg);
	dt_sizes_free(dt);
}

/* After a signal: say so, clean up, and end by that signal as the shell expects. */
static int interrupted(struct dt_ctx *dt)
{
	int sig = dt_stop_signal;

	dt_progress_clear(dt);
	fflush(stdout);
	fprintf(stderr, "uxdp-difftest: stopped by signal %d (%s) at packet %llu; removing the "
		"uxdp side's maps\n", sig, strsignal(sig), (unsigned long long)dt->packet);
	cleanup(dt);
	signal(sig, SIG_DFL);
	raise(sig);
	return DT_EXIT_ERROR;
}

int main(int argc, char **argv)
{
	static struct dt_ctx dt;
	char err[512];
	cpu_set_t cpus;
	size_t i;
	int ret;

	dt.start = dt_now();
	ret = parse_args(&dt, argc, argv);
	if (ret)
		return ret;
	libbpf_set_print(dt.verbose ? libbpf_print : libbpf_print_quiet);
	if (!dt.verbose)
		uxdp_trace_set_fd(-1);
	dt.progress = isatty(STDERR_FILENO) && !dt.verbose;
	if (dt.cfg_path && cfg_parse(dt.cfg_path, &dt.cfg, err, sizeof(err))) {
		fprintf(stderr, "uxdp-difftest: %s\n", err);
		return DT_EXIT_USAGE;
	}
	ret = dt_sizes_finish(&dt);
	if (!ret)
		ret = dt_sizes_check(&dt);
	if (ret)
		return ret;
	/* Per-CPU values land in slot 0 on both sides only if we run on CPU 0. */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus)) {
		fprintf(stderr, "uxdp-difftest: cannot pin to CPU 0: %s\n", strerror(errno));
		return DT_EXIT_ERROR;
	}
	ret = libbpf_num_possible_cpus();
	if (ret <= 0) {
		fprintf(stderr, "uxdp-difftest: possible CPUs: %s\n", strerror(-ret));
		return DT_EXIT_ERROR;
	}
	dt.ncpus = (unsigned int)ret;
	snprintf(dt.instance, sizeof(dt.instance), "difftest-%d", (int)getpid());

	ret = dt.aot_path ? 0 : make_tmp(&dt);
	if (!ret) {
		ret = dt_cleanup_start(dt.instance, dt.aot_tmp);
		if (ret)
			ret = dt_error(&dt, "starting the cleanup process: %s", strerror(-ret));
	}
	if (!ret)
		ret = dt_kernel_open(&dt);
	if (!ret && !dt_stop_signal)
		ret = uxdp_open(&dt);
	if (!ret && !dt_stop_signal)
		ret = pair_maps(&dt);
	for (i = 0; !ret && i < dt.cfg.n; i++)
		ret = seed_entry(&dt, &dt.cfg.v[i]);
	if (!ret && !dt_stop_signal) {
		dt_progress(&dt, "comparing the maps after setup");
		ret = compare_maps(&dt, true);
	}
	/* The first look at a large map pays for faulting its pages in: time a second. */
	if (!ret && !dt_stop_signal)
		ret = compare_large_maps_again(&dt);
	if (!ret && !dt_stop_signal)
		ret = run_pcap(&dt);
	if (dt_stop_signal)
		return interrupted(&dt);
	if (!ret)
		ret = summary(&dt);
	fflush(stdout);
	cleanup(&dt);
	return ret;
}
