// SPDX-License-Identifier: MIT
/*
 * test_map_inline_workers.c - per-CPU array and hash lookups of compiled
 * programs land where the runtime's own lookups would, whichever worker
 * runs them (unit.passes.map_inline_workers).
 *
 *	test_map_inline_workers PROG.aot.o...
 *
 * Each object is map_inline_workers.bpf.c built with other passes.  Opened
 * with two CPUs, it runs packets on worker 0 and worker 1 (ctx->worker
 * set), with no ctx->worker (compiled lookups read the thread's
 * uxdp_this_cpu either way: a ctx without a worker must not change that),
 * on worker 3 (past ncpus: slot 3 % 2), then on two threads at once; the
 * per-CPU slots and hash values read back through the control plane must
 * be exact.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf.h>

#include <uxdp/driver.h> /* UXDP_FRAME_SIZE */
#include <uxdp/map.h>
#include <uxdp/runtime.h>
#include <uxdp/worker.h>

#define NCPUS 2
#define THREAD_PKTS 200000

static int failures;

#define CHECK(cond, ...)                                                        \
	do {                                                                    \
		if (!(cond)) {                                                  \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);             \
			printf(__VA_ARGS__);                                    \
			printf("\n");                                           \
			failures++;                                             \
		}                                                               \
	} while (0)

/* The first 16 bytes are the keys of every hash map (hit), or not (miss). */
static const uint8_t hit_pkt[64] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const uint8_t miss_pkt[64] = { 0xff };

struct run {
	uxdp_prog_fn fn;
	uint32_t index;     /* the worker's index */
	bool no_worker;     /* ctx->worker NULL: the thread's index still counts */
	bool miss;
	unsigned int n;
};

static void *run_worker(void *arg)
{
	struct run *r = arg;
	static __thread uint8_t frame[UXDP_FRAME_SIZE] __attribute__((aligned(64)));
	struct uxdp_worker w;

	uxdp_worker_init(&w, r->index);
	uxdp_worker_set_current(&w);
	uxdp_this_cpu = r->index; /* what the runtime's own lookups use */
	for (unsigned int i = 0; i < r->n; i++) {
		struct uxdp_ctx ctx = {
			.data_hard_start = frame,
			.data = frame + UXDP_HEADROOM,
			.data_meta = frame + UXDP_HEADROOM,
			.data_end = frame + UXDP_HEADROOM + 64,
			.frame_end = frame + UXDP_FRAME_SIZE,
			.ingress_ifindex = 1,
			.worker = r->no_worker ? NULL : &w,
		};
		uint32_t want = r->miss ? XDP_DROP : XDP_PASS, v;

		memcpy(ctx.data, r->miss ? miss_pkt : hit_pkt, 64);
		v = (uint32_t)r->fn(&ctx); /* the verdict is r0's low half */
		if (v != want) {
			CHECK(0, "worker %u: verdict %u, want %u", r->index, v, want);
			break;
		}
	}
	uxdp_worker_set_current(NULL);
	return NULL;
}

static void percpu_check(struct uxdp_map *m, uint32_t key, uint64_t c0, uint64_t c1,
			 const char *path)
{
	uint64_t v[NCPUS] = { 0 };

	CHECK(uxdp_map_lookup_elem_copy(m, &key, v) == 0, "%s: pcpu[%u] unreadable", path, key);
	CHECK(v[0] == c0 && v[1] == c1, "%s: pcpu[%u] = {%llu, %llu}, want {%llu, %llu}", path,
	      key, (unsigned long long)v[0], (unsigned long long)v[1], (unsigned long long)c0,
	      (unsigned long long)c1);
}

static void hash_check(struct uxdp_object *obj, const char *name, uint64_t want,
		       const char *path)
{
	struct uxdp_map *m = uxdp_object_map(obj, name);
	uint64_t v = 0;

	CHECK(m && uxdp_map_lookup_elem_copy(m, hit_pkt, &v) == 0 && v == want,
	      "%s: %s = %llu, want %llu", path, name, (unsigned long long)v,
	      (unsigned long long)want);
}

static void test_object(const char *path)
{
	static const char *const hashes[] = { "h4", "h8", "h16", "h12", "h10" };
	struct uxdp_object_opts o = { .sz = sizeof(o), .ncpus = NCPUS, .unlink_on_close = true };
	const struct uxdp_program *prog;
	struct uxdp_object *obj;
	struct uxdp_map *pcpu;
	char instance[64], err[256];
	uint64_t zero = 0;
	pthread_t t[2];

	snprintf(instance, sizeof(instance), "mi_workers_%d", (int)getpid());
	o.instance = instance;
	uxdp_map_unlink_instance(instance);
	if (uxdp_object_open(path, &o, &obj, err, sizeof(err))) {
		CHECK(0, "%s", err);
		return;
	}
	prog = uxdp_object_program(obj, "mi_workers");
	pcpu = uxdp_object_map(obj, "pcpu");
	CHECK(prog && pcpu, "%s: no program mi_workers or map pcpu", path);
	if (!prog || !pcpu)
		goto out;
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		struct uxdp_map *h = uxdp_object_map(obj, hashes[i]);

		CHECK(h && uxdp_map_update_elem(h, hit_pkt, &zero, BPF_ANY) == 0,
		      "%s: cannot fill %s", path, hashes[i]);
	}

	/* One after the other: 1 packet on CPU 0, 2 + 3 + 4 on CPU 1. */
	run_worker(&(struct run){ prog->fn, 0, false, false, 1 });
	run_worker(&(struct run){ prog->fn, 1, false, false, 2 });
	run_worker(&(struct run){ prog->fn, 1, true, false, 3 });
	run_worker(&(struct run){ prog->fn, 3, false, false, 4 });
	run_worker(&(struct run){ prog->fn, 1, false, true, 5 });
	percpu_check(pcpu, 0, 0, 5, path);
	percpu_check(pcpu, 1, 1, 2 + 3 + 4 + 5, path);
	/* bpf_get_smp_processor_id() + 1: the worker index, 3 included */
	percpu_check(pcpu, 2, 1, 2 * 2 + 3 * 2 + 4 * 4 + 5 * 2, path);
	percpu_check(pcpu, 3, 0, 0, path);
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		hash_check(obj, hashes[i], 1 + 2 + 3 + 4, path);

	/* Two workers at once: per-CPU slots stay apart, hash adds all land. */
	pthread_create(&t[0], NULL, run_worker, &(struct run){ prog->fn, 0, false, false,
								 THREAD_PKTS });
	pthread_create(&t[1], NULL, run_worker, &(struct run){ prog->fn, 1, false, false,
								 THREAD_PKTS });
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	percpu_check(pcpu, 1, 1 + THREAD_PKTS, 14 + THREAD_PKTS, path);
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		hash_check(obj, hashes[i], 10 + 2 * THREAD_PKTS, path);
out:
	uxdp_object_close(obj);
	uxdp_map_unlink_instance(instance); /* the id counter too */
}

int main(int argc, char **argv)
{
	for (int a = 1; a < argc; a++) {
		int before = failures;

		test_object(argv[a]);
		printf("%s %s\n", failures == before ? "ok  " : "FAIL", argv[a]);
	}
	return failures ? 1 : 0;
}
