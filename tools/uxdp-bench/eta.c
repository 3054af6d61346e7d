// SPDX-License-Identifier: MIT
/*
 * eta.c - how long the rest of a uxdp-bench run takes, from what the
 * finished steps took.
 *
 * Steps are of a few kinds whose costs differ by orders of magnitude:
 * opening an engine runs a compiler (40-300 ms), a timed step runs one
 * engine `iterations` times (20 ms to over a second), and the callgrind
 * step re-runs the whole setup under valgrind.  So every kind is costed on
 * its own: the mean of its finished steps, or before the first one ends a
 * rough prior.  The callgrind step has no finished sibling to learn from;
 * it is predicted from what it repeats.  Measured on this machine kind
 * (xdp_sum_hash, 1 and 8 programs, docs/benchmarks.md, "Progress"): the
 * child took 0.72 s and 4.07 s where the parent's opening steps took
 * 0.26 s and 2.87 s: valgrind's start-up plus 1.25 times the opening
 * work; the counted runs themselves (65 536 per engine, about 50 times
 * slower than timed ones) are a small part.
 *
 * Pure arithmetic on struct eta_model: no clock, no output (unit-tested by
 * bench.eta).
 */
#include "bench.h"

/* Before a kind's first step ends (seconds; per run for a timed step). */
#define PRIOR_OPEN 0.1
#define PRIOR_PROBE 0.01
#define PRIOR_RUN 5e-9
/* The callgrind child: valgrind's start-up, the opening work again, slower. */
#define CALLGRIND_START 0.4
#define CALLGRIND_OPEN_FACTOR 1.25
#define CALLGRIND_SLOWDOWN 50.0

/* Mean of the kind's finished steps; < 0 when none has finished. */
static double measured(const struct eta_model *m, enum step_kind k)
{
	return m->done[k] ? m->spent[k] / m->done[k] : -1;
}

/* Seconds per timed run, measured or guessed. */
static double per_run(const struct eta_model *m)
{
	double round = measured(m, STEP_ROUND);

	return round >= 0 && m->iterations ? round / m->iterations : PRIOR_RUN;
}

/* The whole run's opening work: what was spent plus what is still to come. */
static double open_total(const struct eta_model *m)
{
	return m->spent[STEP_OPEN] + m->left[STEP_OPEN] * eta_step_cost(m, STEP_OPEN);
}

double eta_step_cost(const struct eta_model *m, enum step_kind k)
{
	double mean = measured(m, k);

	if (mean >= 0)
		return mean;
	switch (k) {
	case STEP_OPEN:
		return PRIOR_OPEN;
	case STEP_PROBE:
		return PRIOR_PROBE;
	case STEP_WARMUP:
		return m->warmup_s;
	case STEP_ROUND:
		return m->iterations * PRIOR_RUN;
	case STEP_CALLGRIND:
		return CALLGRIND_START + CALLGRIND_OPEN_FACTOR * open_total(m) +
		       m->count_runs * per_run(m) * CALLGRIND_SLOWDOWN;
	default:
		return 0;
	}
}

double eta_remaining(const struct eta_model *m, enum step_kind cur, double elapsed)
{
	double left = 0, cur_cost = eta_step_cost(m, cur);
	int k;

	for (k = 0; k < STEP_KINDS; k++)
		left += m->left[k] * eta_step_cost(m, k);
	/* The running step counts in left[cur]; take off what it already took. */
	if (m->left[cur])
		left -= elapsed < cur_cost ? elapsed : cur_cost;
	return left > 0 ? left : 0;
}

void eta_plan(struct eta_model *m, enum step_kind k, int n)
{
	if (n < 0 && (unsigned int)-n > m->left[k])
		m->left[k] = 0;
	else
		m->left[k] += n;
}

void eta_finish(struct eta_model *m, enum step_kind k, double seconds)
{
	m->spent[k] += seconds;
	m->done[k]++;
	if (m->left[k])
		m->left[k]--;
}
