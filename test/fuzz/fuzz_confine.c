/* SPDX-License-Identifier: MIT */
/*
 * fuzz_confine.c - libFuzzer target: random instructions, confined by
 * uxdpc without a kernel verifier, run on a random packet.
 *
 * Input: byte 0 is the packet length L, the next L bytes the packet, the
 * rest XDP instructions.  They are compiled at -O2 as `uxdpc --verify=none`
 * would (uxdpc's proof and run-time checks, a small loop budget so that
 * loops end fast), loaded with the runtime, and run once on the packet.
 * The packet ends at a PROT_NONE page and its headroom starts after one,
 * the ctx ends at one, and the program runs on a stack with PROT_NONE pages
 * on both sides: a program that reaches memory outside its regions faults
 * there, and libFuzzer reports the input.  A refused program is fine.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <uxdp/runtime.h>
#include <uxdp/worker.h>

#include "fuzz_common.h"

/* runtime/include/uxdp/map.h, whose names clash with the compiler's uxdpc.h */
int uxdp_map_unlink_instance(const char *instance);

#define PAGE 4096
#define STACK_SIZE (128 * 1024)

static uint8_t *frame, *ctx_page, *stack;

static int setup(void)
{
	frame = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ctx_page = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	stack = mmap(NULL, STACK_SIZE + 2 * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (frame == MAP_FAILED || ctx_page == MAP_FAILED || stack == MAP_FAILED)
		return -1;
	return mprotect(frame, PAGE, PROT_NONE) | mprotect(frame + 3 * PAGE, PAGE, PROT_NONE) |
	       mprotect(ctx_page + PAGE, PAGE, PROT_NONE) | mprotect(stack, PAGE, PROT_NONE) |
	       mprotect(stack + PAGE + STACK_SIZE, PAGE, PROT_NONE);
}

struct run {
	uxdp_prog_fn fn;
	struct uxdp_ctx *ctx;
};

static void *run_thread(void *arg)
{
	struct run *r = arg;
	struct uxdp_worker w;

	uxdp_worker_init(&w, 0);
	uxdp_worker_set_current(&w);
	r->ctx->worker = &w;
	r->fn(r->ctx);
	return NULL;
}

static void run(uxdp_prog_fn fn, const uint8_t *pkt, size_t len)
{
	uint8_t *end = frame + 3 * PAGE;
	struct uxdp_ctx *ctx = (struct uxdp_ctx *)(ctx_page + PAGE - ((sizeof(*ctx) + 7) & ~7ul));
	struct run r = { fn, ctx };
	pthread_attr_t attr;
	pthread_t t;

	memset(frame + PAGE, 0, 2 * PAGE);
	memcpy(end - len, pkt, len);
	memset(ctx, 0, sizeof(*ctx));
	ctx->data_hard_start = frame + PAGE;
	ctx->data = ctx->data_meta = end - len;
	ctx->data_end = ctx->frame_end = end;
	pthread_attr_init(&attr);
	pthread_attr_setstack(&attr, stack + PAGE, STACK_SIZE);
	if (!pthread_create(&t, &attr, run_thread, &r))
		pthread_join(t, NULL);
	pthread_attr_destroy(&attr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct uxdp_compile_opts opts = {
		.opt_level = 2,
		.emit = UXDP_EMIT_OBJ,
		.verify = UXDP_VERIFY_NONE, /* uxdpc's own proof and checks are under test */
		.loop_budget = 1 << 12,
		.passes = { .map_inline = true, .bounds_elim = true, .simd = true },
	};
	struct uxdp_object_opts oo = { .sz = sizeof(oo), .ncpus = 1, .unlink_on_close = true,
				       .instance = "fuzzconfine" };
	struct uxdp_diag diag = { 0 };
	const struct uxdp_program *prog;
	struct uxdp_object *obj;
	struct uxdp_object *aot;
	char err[512];
	size_t len;

	if (!frame && setup())
		abort();
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz-confine-%d.aot.o", (int)getpid());
	if (size < 1)
		return 0;
	len = data[0];
	if (size < 1 + len + EBPF_INSN_SIZE)
		return 0;
	size = (size - 1 - len) / EBPF_INSN_SIZE * EBPF_INSN_SIZE;
	if (uxdp_object_from_insns(data + 1 + len, size, "fuzz", true, &obj, &diag))
		return 0;
	opts.output = path;
	if (uxdp_compile(obj, &opts, &diag)) {
		uxdp_object_free(obj);
		return 0;
	}
	uxdp_object_free(obj);
	if (uxdp_object_open(path, &oo, &aot, err, sizeof(err))) {
		fprintf(stderr, "fuzz: a confined object does not load: %s\n", err);
		abort();
	}
	prog = uxdp_object_program(aot, NULL);
	if (prog)
		run(prog->fn, data + 1, len);
	uxdp_object_close(aot);
	uxdp_map_unlink_instance("fuzzconfine");
	unlink(path);
	return 0;
}
