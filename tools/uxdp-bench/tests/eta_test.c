// SPDX-License-Identifier: MIT
/*
 * eta_test.c - bench.eta: uxdp-bench's ETA weighs each kind of step by its
 * own cost (eta.c), not every step the same.
 */
#include <math.h>
#include <stdio.h>

#include "bench.h"

static int failures;

#define CHECK_NEAR(want, got)                                                             \
	do {                                                                              \
		double w_ = (want), g_ = (got);                                           \
		if (fabs(w_ - g_) > 1e-9 * (1 + fabs(w_))) {                              \
			fprintf(stderr, "%s:%d: %s: want %g, got %g\n", __FILE__, __LINE__, \
				#got, w_, g_);                                            \
			failures++;                                                       \
		}                                                                         \
	} while (0)

/* A program of 3 engines (6 with baselines) and 2 rounds, as main.c plans it. */
static void plan_prog(struct eta_model *m)
{
	eta_plan(m, STEP_OPEN, 6);
	eta_plan(m, STEP_PROBE, 1);
	eta_plan(m, STEP_WARMUP, 1);
	eta_plan(m, STEP_ROUND, 12);
}

/* Each kind learns from its own finished steps only. */
static void test_per_kind_means(void)
{
	struct eta_model m = {.iterations = 10000000, .warmup_s = 0.3};

	plan_prog(&m);
	plan_prog(&m);
	eta_finish(&m, STEP_OPEN, 0.2);
	eta_finish(&m, STEP_OPEN, 0.4);
	CHECK_NEAR(0.3, eta_step_cost(&m, STEP_OPEN));
	/* Nothing timed yet: 5 ns a run for 10M runs. */
	CHECK_NEAR(0.05, eta_step_cost(&m, STEP_ROUND));
	CHECK_NEAR(0.3, eta_step_cost(&m, STEP_WARMUP));
	/* 10 opens, 2 probes, 2 warm-ups and 24 rounds to come. */
	CHECK_NEAR(10 * 0.3 + 2 * 0.01 + 2 * 0.3 + 24 * 0.05, eta_remaining(&m, STEP_OPEN, 0));
	eta_finish(&m, STEP_ROUND, 1.0); /* a slow engine: rounds cost 1 s, opens still 0.3 */
	CHECK_NEAR(1.0, eta_step_cost(&m, STEP_ROUND));
	CHECK_NEAR(0.3, eta_step_cost(&m, STEP_OPEN));
}

/* The running step counts with what is left of it, never below zero. */
static void test_running_step(void)
{
	struct eta_model m = {.iterations = 1000};

	eta_plan(&m, STEP_ROUND, 3);
	eta_finish(&m, STEP_ROUND, 2.0);
	CHECK_NEAR(4.0, eta_remaining(&m, STEP_ROUND, 0));
	CHECK_NEAR(3.5, eta_remaining(&m, STEP_ROUND, 0.5));
	CHECK_NEAR(2.0, eta_remaining(&m, STEP_ROUND, 5.0)); /* overdue: the next one is left */
	eta_plan(&m, STEP_ROUND, -5);			     /* engines that failed */
	CHECK_NEAR(0, eta_remaining(&m, STEP_ROUND, 0));
}

/*
 * The callgrind step: valgrind's start-up, the whole run's opening work
 * again, and the counted runs; with only it left, the ETA is its cost, not
 * one step's worth as when every step weighed the same.
 */
static void test_callgrind(void)
{
	struct eta_model m = {.iterations = 1000000, .warmup_s = 0.3, .count_runs = 1e6};
	unsigned int i;

	plan_prog(&m);
	eta_plan(&m, STEP_CALLGRIND, 1);
	for (i = 0; i < 6; i++)
		eta_finish(&m, STEP_OPEN, 0.5); /* 3 s of compiling */
	eta_finish(&m, STEP_PROBE, 0.01);
	eta_finish(&m, STEP_WARMUP, 0.3);
	for (i = 0; i < 12; i++)
		eta_finish(&m, STEP_ROUND, 0.01); /* 10 ns a run */
	/* 0.4 + 1.25 * 3 s + 1e6 runs * 10 ns * 50 */
	CHECK_NEAR(0.4 + 3.75 + 0.5, eta_step_cost(&m, STEP_CALLGRIND));
	CHECK_NEAR(0.4 + 3.75 + 0.5, eta_remaining(&m, STEP_CALLGRIND, 0));
	CHECK_NEAR(0.4 + 3.75 + 0.5 - 1.0, eta_remaining(&m, STEP_CALLGRIND, 1.0));
}

/* Before the opens are done, the callgrind step counts those to come too. */
static void test_callgrind_ahead(void)
{
	struct eta_model m = {.iterations = 1000000};

	eta_plan(&m, STEP_OPEN, 4);
	eta_plan(&m, STEP_CALLGRIND, 1);
	eta_finish(&m, STEP_OPEN, 1.0);
	/* 4 s of opening in all (1 done, 3 to come at 1 s) */
	CHECK_NEAR(0.4 + 1.25 * 4.0, eta_step_cost(&m, STEP_CALLGRIND));
}

int main(void)
{
	test_per_kind_means();
	test_running_step();
	test_callgrind();
	test_callgrind_ahead();
	if (failures) {
		fprintf(stderr, "eta_test: %d failures\n", failures);
		return 1;
	}
	printf("eta_test: ok\n");
	return 0;
}
