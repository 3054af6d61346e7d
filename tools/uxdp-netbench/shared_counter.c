// SPDX-License-Identifier: MIT
/*
 * shared_counter.c - what a counter both CPUs count in costs the kernel and
 * uxdp: shared_counter.bpf.c's two programs (a locked add in a hash map
 * entry per source address; or a per-CPU count added to that entry every
 * 32 packets) each run by one thread on CPU 0, then by two threads on CPUs
 * 0 and 1 at once, with one source address (both count in one entry) and
 * with two.
 *
 *   uxdp-shared-counter BPF_OBJECT AOT_OBJECT
 *
 * The kernel runs it with BPF_PROG_TEST_RUN (repeat: the program does not
 * write the packet, so reruns see the same bytes) and reports its own mean
 * duration per run, in whole ns, with its timer paused whenever test_run
 * yields the CPU; uxdp runs the uxdpc -O3 object in a loop, timed by the
 * wall clock around it.  Each figure is ns per packet on CPU 0; the two
 * threads start timing together (a barrier).  "One source" minus "two
 * sources" is what sharing the counter's line costs each packet; it grows
 * with the line's transfer time between the CPUs (uxdp-line-transfer), in
 * the kernel's maps as in uxdp's.  No epoch section around uxdp's loop:
 * nothing is deleted, so no element is reclaimed under it.  A benchmark
 * (docs/benchmarks-drivers.md), not a test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <uxdp/clock.h>
#include <uxdp/ctx.h>
#include <uxdp/map.h>
#include <uxdp/runtime.h>
#include <uxdp/worker.h>

#define RUNS 5000000u
#define FRAME 64

enum engine { KERNEL, UXDP };

struct job {
	enum engine engine;
	int cpu;
	uint32_t saddr;         /* network order */
	double ns_per_packet;
	int err;
};

static const char *const prog_names[] = { "count_source", "count_source_batched" };
#define N_PROGS (sizeof(prog_names) / sizeof(prog_names[0]))

/* The program measure() runs, in each engine. */
static int kernel_fd = -1;
static uxdp_prog_fn uxdp_fn;
static int kernel_fds[N_PROGS];
static uxdp_prog_fn uxdp_fns[N_PROGS];
/* Set by measure() once every thread runs: 1 go, -1 give up. */
static int start;

/* Wait for the start; false: give up (another thread could not be started). */
static bool started(void)
{
	int v;

	while (!(v = __atomic_load_n(&start, __ATOMIC_ACQUIRE)))
		__builtin_ia32_pause();
	return v > 0;
}

static void frame_from(uint8_t *f, uint32_t saddr)
{
	memset(f, 0, FRAME);
	f[12] = 0x08; /* IPv4 */
	f[14] = 0x45;
	memcpy(f + 26, &saddr, 4);
}

static int run_kernel(struct job *j)
{
	uint8_t f[FRAME];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f, .data_size_in = sizeof(f), .repeat = RUNS);

	frame_from(f, j->saddr);
	if (!started())
		return -ECANCELED;
	if (bpf_prog_test_run_opts(kernel_fd, &o))
		return -errno;
	j->ns_per_packet = o.duration;
	return o.retval == XDP_PASS ? 0 : -EPROTO;
}

static int run_uxdp(struct job *j)
{
	static _Thread_local struct uxdp_worker w;
	_Alignas(64) uint8_t buf[UXDP_HEADROOM + FRAME + UXDP_XDP_TAILROOM];
	uint8_t *data = buf + UXDP_HEADROOM;
	struct uxdp_ctx ctx = { .data_hard_start = buf, .frame_end = buf + sizeof(buf),
				.ingress_ifindex = 1, .worker = &w };
	uint64_t acc = 0;
	uint64_t t0;

	frame_from(data, j->saddr);
	uxdp_worker_init(&w, (uint32_t)j->cpu);
	if (!started())
		return -ECANCELED;
	uxdp_worker_set_current(&w);
	uxdp_this_cpu = (unsigned int)j->cpu;
	t0 = uxdp_monotonic_ns();
	for (uint32_t i = 0; i < RUNS; i++) {
		ctx.data = ctx.data_meta = data;
		ctx.data_end = data + FRAME;
		ctx.tail_call_cnt = ctx.tail_called = 0;
		acc += (uint32_t)uxdp_fn(&ctx); /* the verdict is the low 32 bits */
	}
	j->ns_per_packet = (double)(uxdp_monotonic_ns() - t0) / RUNS;
	uxdp_worker_set_current(NULL);
	return acc == (uint64_t)RUNS * XDP_PASS ? 0 : -EPROTO;
}

static void *run_job(void *arg)
{
	struct job *j = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(j->cpu, &set);
	j->err = -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (!j->err)
		j->err = j->engine == KERNEL ? run_kernel(j) : run_uxdp(j);
	return NULL;
}

/* ns per packet on CPU 0 with threads (1 or 2) running at once; < 0: error. */
static double measure(enum engine e, int threads, bool one_source)
{
	struct job jobs[2] = {
		{ .engine = e, .cpu = 0, .saddr = htonl(0xc6120001) },
		{ .engine = e, .cpu = 1, .saddr = htonl(one_source ? 0xc6120001 : 0xc6120002) },
	};
	pthread_t t[2];
	int n = 0;

	/* Both threads time the same seconds: they start when all are running. */
	__atomic_store_n(&start, 0, __ATOMIC_RELAXED);
	while (n < threads && !pthread_create(&t[n], NULL, run_job, &jobs[n]))
		n++;
	__atomic_store_n(&start, n == threads ? 1 : -1, __ATOMIC_RELEASE);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	if (n < threads) {
		fprintf(stderr, "uxdp-shared-counter: cannot start %d threads\n", threads);
		return -1;
	}
	for (int i = 0; i < threads; i++)
		if (jobs[i].err) {
			fprintf(stderr, "uxdp-shared-counter: %s on CPU %d: %s\n",
				e == KERNEL ? "kernel" : "uxdp", jobs[i].cpu, strerror(-jobs[i].err));
			return -1;
		}
	return jobs[0].ns_per_packet;
}

/* 0 or a negative errno. */
static int open_kernel(const char *path, struct bpf_object **obj)
{
	struct bpf_program *p;
	int err;

	*obj = bpf_object__open_file(path, NULL);
	err = libbpf_get_error(*obj);
	if (err) {
		*obj = NULL;
		return err;
	}
	err = bpf_object__load(*obj);
	if (err)
		return err;
	for (size_t i = 0; i < N_PROGS; i++) {
		p = bpf_object__find_program_by_name(*obj, prog_names[i]);
		kernel_fds[i] = p ? bpf_program__fd(p) : -ENOENT;
		if (kernel_fds[i] < 0)
			return kernel_fds[i];
	}
	return 0;
}

static int open_uxdp(const char *path, struct uxdp_object **obj, char *instance, size_t n)
{
	struct uxdp_object_opts oo = { .sz = sizeof(oo), .ncpus = 2, .unlink_on_close = true };
	const struct uxdp_program *p;
	char err[512];

	snprintf(instance, n, "shared-counter-%d", (int)getpid());
	uxdp_map_unlink_instance(instance); /* a stale one of a reused pid */
	oo.instance = instance;
	if (uxdp_object_open(path, &oo, obj, err, sizeof(err))) {
		fprintf(stderr, "uxdp-shared-counter: %s: %s\n", path, err);
		return -1;
	}
	for (size_t i = 0; i < N_PROGS; i++) {
		p = uxdp_object_program(*obj, prog_names[i]);
		if (!p || p->type != UXDP_PROG_XDP) {
			fprintf(stderr, "uxdp-shared-counter: %s: no XDP program %s\n", path,
				prog_names[i]);
			return -1;
		}
		uxdp_fns[i] = p->fn;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "kernel JIT", "uxdp -O3" };
	struct uxdp_object *uobj = NULL;
	struct bpf_object *kobj = NULL;
	char instance[64];
	int rc = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: uxdp-shared-counter BPF_OBJECT AOT_OBJECT\n");
		return 2;
	}
	rc = open_kernel(argv[1], &kobj);
	if (rc) {
		fprintf(stderr, "uxdp-shared-counter: %s: loading into the kernel: %s\n", argv[1],
			strerror(-rc));
		bpf_object__close(kobj);
		return 1;
	}
	if (open_uxdp(argv[2], &uobj, instance, sizeof(instance))) {
		rc = 1;
		goto out;
	}
	printf("| program | engine | 1 CPU | 2 CPUs, two sources | 2 CPUs, one source |\n"
	       "|---|---|---:|---:|---:|\n");
	for (size_t i = 0; i < N_PROGS && !rc; i++) {
		kernel_fd = kernel_fds[i];
		uxdp_fn = uxdp_fns[i];
		for (enum engine e = KERNEL; e <= UXDP && !rc; e++) {
			double one = measure(e, 1, false), two = measure(e, 2, false),
			       shared = measure(e, 2, true);

			if (one < 0 || two < 0 || shared < 0)
				rc = 1;
			else
				printf("| %s | %s | %.1f | %.1f | %.1f |\n", prog_names[i], names[e],
				       one, two, shared);
		}
	}
out:
	uxdp_object_close(uobj);
	uxdp_map_unlink_instance(instance);
	bpf_object__close(kobj);
	return rc;
}
