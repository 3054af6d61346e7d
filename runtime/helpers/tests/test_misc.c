// SPDX-License-Identifier: MIT
/*
 * Unit tests of the small helpers: strncmp, ktime_get_ns, ktime_get_boot_ns,
 * get_prandom_u32, get_smp_processor_id and redirect.
 */
#include <linux/bpf.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include <uxdp/worker.h>

#include "../helpers_impl.h"
#include "test.h"

#define P(x) ((uint64_t)(uintptr_t)(x))
#define NEG1 ((uint64_t)-1)

static void test_strncmp(void)
{
	/* The kernel's generic strncmp: -1 / 0 / 1, bytes compared unsigned. */
	CHECK_EQ(uxdp_helper_strncmp(P("abc"), 3, P("abc")), 0);
	CHECK_EQ(uxdp_helper_strncmp(P("abc"), 4, P("abc")), 0);
	CHECK_EQ(uxdp_helper_strncmp(P("abd"), 3, P("abc")), 1);
	CHECK_EQ(uxdp_helper_strncmp(P("abb"), 3, P("abz")), NEG1); /* not 'b' - 'z' */
	CHECK_EQ(uxdp_helper_strncmp(P("abcX"), 3, P("abcY")), 0);  /* only s1_sz bytes */
	CHECK_EQ(uxdp_helper_strncmp(P("ab"), 3, P("abc")), NEG1);  /* NUL < 'c' */
	CHECK_EQ(uxdp_helper_strncmp(P("abc"), 3, P("ab")), 1);
	CHECK_EQ(uxdp_helper_strncmp(P("\xff"), 1, P("\x01")), 1);  /* unsigned */
	CHECK_EQ(uxdp_helper_strncmp(P("a\0x"), 3, P("a\0y")), 0);  /* stops at NUL */
	CHECK_EQ(uxdp_helper_strncmp(P("zzz"), 0x100000000ull, P("aaa")), 0); /* u32 size 0 */
}

static uint64_t now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void test_time(void)
{
	uint64_t a = now(CLOCK_MONOTONIC), t = uxdp_helper_ktime_get_ns();
	uint64_t b = now(CLOCK_MONOTONIC);

	CHECK(a <= t && t <= b);
	a = now(CLOCK_BOOTTIME);
	t = uxdp_helper_ktime_get_boot_ns();
	b = now(CLOCK_BOOTTIME);
	CHECK(a <= t && t <= b);
}

static void test_random(void)
{
	struct uxdp_worker w0, w1;
	uint64_t a[8], b[8], ones = 0, v;
	int i;

	uxdp_worker_init(&w0, 0);
	uxdp_worker_init(&w1, 1);
	/* Deterministic per seed, different per worker. */
	uxdp_worker_seed(&w0, 42);
	uxdp_worker_seed(&w1, 42);
	uxdp_worker_set_current(&w0);
	for (i = 0; i < 8; i++)
		a[i] = uxdp_helper_get_prandom_u32();
	uxdp_worker_set_current(&w1);
	for (i = 0; i < 8; i++)
		b[i] = uxdp_helper_get_prandom_u32();
	CHECK(memcmp(a, b, sizeof(a)));
	uxdp_worker_seed(&w0, 42);
	uxdp_worker_set_current(&w0);
	for (i = 0; i < 8; i++)
		CHECK_EQ(uxdp_helper_get_prandom_u32(), a[i]);
	/* 32 bits, roughly balanced. */
	for (i = 0; i < 4096; i++) {
		v = uxdp_helper_get_prandom_u32();
		CHECK(v <= 0xffffffffu);
		ones += (uint64_t)__builtin_popcountll(v);
	}
	CHECK(ones > 4096 * 15 && ones < 4096 * 17);
	uxdp_worker_set_current(NULL);
}

static void *cpu_thread(void *arg)
{
	struct uxdp_worker w;

	/* A thread without a worker gets a fallback with index 0. */
	CHECK_EQ(uxdp_helper_get_smp_processor_id(), 0);
	uxdp_worker_init(&w, (uint32_t)(uintptr_t)arg);
	uxdp_worker_set_current(&w);
	CHECK_EQ(uxdp_helper_get_smp_processor_id(), (uintptr_t)arg);
	CHECK(uxdp_worker_current() == &w);
	return NULL;
}

static void test_cpu(void)
{
	pthread_t t[3];
	uintptr_t i;

	for (i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, cpu_thread, (void *)(i + 5));
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
}

static void test_redirect(void)
{
	struct uxdp_worker w;

	uxdp_worker_init(&w, 3);
	uxdp_worker_set_current(&w);
	CHECK(w.redirect.kind == UXDP_REDIRECT_NONE);
	CHECK_EQ(uxdp_helper_redirect(7, 0), XDP_REDIRECT);
	CHECK(w.redirect.kind == UXDP_REDIRECT_IFINDEX && w.redirect.index == 7);
	/* Any flag: XDP_ABORTED, and the previous target stays. */
	CHECK_EQ(uxdp_helper_redirect(9, BPF_F_INGRESS), XDP_ABORTED);
	CHECK_EQ(uxdp_helper_redirect(9, 1ull << 63), XDP_ABORTED);
	CHECK(w.redirect.index == 7);
	/* The ifindex is a u32; the last call wins. */
	CHECK_EQ(uxdp_helper_redirect(0x100000002ull, 0), XDP_REDIRECT);
	CHECK(w.redirect.index == 2);
	uxdp_redirect_clear(&w.redirect);
	CHECK(w.redirect.kind == UXDP_REDIRECT_NONE && w.redirect.index == 0);
	uxdp_worker_set_current(NULL);
}

int main(int argc, char **argv)
{
	const char *which = argc > 1 ? argv[1] : "all";

	if (!strcmp(which, "strncmp") || !strcmp(which, "all"))
		test_strncmp();
	if (!strcmp(which, "time") || !strcmp(which, "all"))
		test_time();
	if (!strcmp(which, "random") || !strcmp(which, "all"))
		test_random();
	if (!strcmp(which, "cpu") || !strcmp(which, "all"))
		test_cpu();
	if (!strcmp(which, "redirect") || !strcmp(which, "all"))
		test_redirect();
	return test_result(which);
}
