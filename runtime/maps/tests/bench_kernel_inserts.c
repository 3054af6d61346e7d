// SPDX-License-Identifier: MIT
/*
 * bench_kernel_inserts.c - bench_inserts.c's workload run by the kernel:
 * the same new flows into the same kind of map from one thread and from
 * two, each pinned to CPU 0 or 1 and running inserts.bpf.o with
 * BPF_PROG_TEST_RUN (repeat: one run per insert, the kernel's own
 * duration per run).  What the kernel's hash and LRU maps, with their
 * per-bucket and per-CPU locks, make of two CPUs inserting at once on the
 * machine at hand, beside what uxdp's make of it (docs/benchmarks.md).
 * Needs root.  A benchmark, not a test.
 *
 *   bench_kernel_inserts OBJECT [lru|lru-percpu-lists|hash] [max_entries]
 *
 * Prints ns per insert as bench_maps_inserts does, and the same net of
 * test_run's own cost per run (the empty program's, measured alike).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define RUNS 2000000u

static const char *object_path;
static const char *prog_name, *map_name;
static uint32_t max_entries = 2048;

struct worker {
	int prog_fd;
	unsigned int cpu;
	double ns;
	int err;
};

static void *run_worker(void *arg)
{
	struct worker *w = arg;
	unsigned char pkt[64] = { 0 };
	cpu_set_t cpus;
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = RUNS);

	CPU_ZERO(&cpus);
	CPU_SET(w->cpu, &cpus);
	/* unpinned, two threads could share a CPU's counter, and so their keys */
	w->err = -pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	if (!w->err)
		w->err = bpf_prog_test_run_opts(w->prog_fd, &t) ? -errno : 0;
	w->ns = t.duration; /* the kernel's mean per run */
	return NULL;
}

/* A fresh object (empty maps), its program name's fd; NULL on failure. */
static struct bpf_object *load(const char *prog, int *fd)
{
	const char *maps[] = { "conns_hash", "conns_lru", "conns_lru_pcpu" };
	struct bpf_object *obj = bpf_object__open_file(object_path, NULL);
	uint32_t zero = 0, lag = max_entries / 4;
	int err;

	if (!obj) {
		fprintf(stderr, "%s: %s\n", object_path, strerror(errno));
		return NULL;
	}
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, maps[i]), max_entries);
	err = bpf_object__load(obj);
	if (!err)
		err = bpf_map__update_elem(bpf_object__find_map_by_name(obj, "hash_lag"), &zero,
					   sizeof(zero), &lag, sizeof(lag), BPF_ANY);
	*fd = err ? -1 : bpf_program__fd(bpf_object__find_program_by_name(obj, prog));
	if (err || *fd < 0) {
		fprintf(stderr, "%s: load: %s\n", object_path, strerror(err ? -err : ENOENT));
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

/* The runs whose lookup hit or whose update or delete failed, over all CPUs. */
static uint64_t errors(struct bpf_object *obj)
{
	int n = libbpf_num_possible_cpus();
	uint64_t *v = n > 0 ? calloc((size_t)n, sizeof(*v)) : NULL, sum = 0, zero = 0;

	if (!v || bpf_map__lookup_elem(bpf_object__find_map_by_name(obj, "errors"), &zero, 4, v,
				       (size_t)n * sizeof(*v), 0))
		sum = UINT64_MAX;
	for (int i = 0; v && sum != UINT64_MAX && i < n; i++)
		sum += v[i];
	free(v);
	return sum;
}

/* Mean ns per run of prog over threads pinned to CPUs 0.. (fresh maps); < 0 on failure. */
static double run(const char *prog, unsigned int threads, double *each)
{
	struct worker w[2] = { 0 };
	pthread_t t[2];
	unsigned int started = 0;
	uint64_t bad;
	double sum = 0;
	int fd;
	struct bpf_object *obj = load(prog, &fd);

	if (!obj)
		return -1;
	for (; started < threads; started++) {
		w[started] = (struct worker){ .prog_fd = fd, .cpu = started };
		if (pthread_create(&t[started], NULL, run_worker, &w[started]))
			break;
	}
	for (unsigned int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	bad = errors(obj);
	bpf_object__close(obj);
	if (started < threads) {
		fprintf(stderr, "%s: cannot start thread %u\n", prog, started);
		return -1;
	}
	for (unsigned int i = 0; i < threads; i++) {
		if (w[i].err) {
			fprintf(stderr, "%s: CPU %u: %s\n", prog, i, strerror(-w[i].err));
			return -1;
		}
		each[i] = w[i].ns;
		sum += w[i].ns;
	}
	if (bad) {
		fprintf(stderr, "%s: %llu runs hit an existing key or failed an update or delete\n",
			prog, (unsigned long long)bad);
		return -1;
	}
	return sum / threads;
}

static int pick(const char *mode)
{
	if (!strcmp(mode, "lru"))
		prog_name = "insert_lru", map_name = "conns_lru";
	else if (!strcmp(mode, "lru-percpu-lists"))
		prog_name = "insert_lru_pcpu", map_name = "conns_lru_pcpu";
	else if (!strcmp(mode, "hash"))
		prog_name = "insert_hash", map_name = "conns_hash";
	else
		return -EINVAL;
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[2] : "lru";
	double one, two, empty1, empty2, each[2], e[2];

	if (argc < 2 || argc > 4 || pick(mode) ||
	    (argc == 4 && !(max_entries = (uint32_t)atoi(argv[3])))) {
		fprintf(stderr, "usage: bench_kernel_inserts OBJECT [lru|lru-percpu-lists|hash] "
				"[max_entries]\n");
		return 2;
	}
	object_path = argv[1];
	/* the kernel sizes per-CPU LRU lists by its possible CPUs, uxdp's bench by 2 */
	printf("kernel, %s, %u entries, %u inserts per thread, %d possible CPUs\n", mode,
	       max_entries, RUNS, libbpf_num_possible_cpus());
	empty1 = run("empty", 1, e);
	one = run(prog_name, 1, each);
	if (one < 0 || empty1 < 0)
		return 1;
	/* the kernel's duration is whole ns per run */
	printf("1 thread: %.0f ns per insert (%.0f net of test_run's %.0f)\n", one, one - empty1,
	       empty1);
	empty2 = run("empty", 2, e);
	two = run(prog_name, 2, each);
	if (two < 0 || empty2 < 0)
		return 1;
	printf("2 threads: %.1f ns per insert (%.0f, %.0f; %.1f net of test_run's %.1f)\n", two,
	       each[0], each[1], two - empty2, empty2);
	printf("two threads' rate / one thread's: %.2f (net: %.2f)\n", 2 * one / two,
	       2 * (one - empty1) / (two - empty2));
	return 0;
}
