// SPDX-License-Identifier: MIT
/*
 * progress.c - what uxdp-bench is doing, on stderr, as uxdpc does it: on a
 * terminal one status line rewritten in place (\r ESC[K), with -v the same
 * steps as lines, otherwise nothing (a log or a pipe gets only results).
 *
 * The ETA is each kind of step's expected cost times the steps of that
 * kind still to come (eta.c): an opening step, a timed run and the
 * callgrind step differ by orders of magnitude, so a plain count of steps
 * would be wrong by as much.  Each step is timed from its start to the
 * next one's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static struct {
	bool on, in_place, open;
	unsigned int nprogs, prog; /* programs in all; the current one, from 0 */
	struct eta_model eta;
	bool running;		   /* a step has begun (and not been timed yet) */
	enum step_kind cur;
	double step_t0;
} pr;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void progress_init(bool tty, bool verbose, unsigned int nprogs, const struct eta_model *eta)
{
	pr.on = tty || verbose;
	pr.in_place = tty && !verbose;
	pr.nprogs = nprogs ? nprogs : 1;
	pr.eta = *eta;
}

void progress_plan(enum step_kind k, int n)
{
	eta_plan(&pr.eta, k, n);
}

void progress_prog(unsigned int index)
{
	pr.prog = index;
}

double progress_eta(void)
{
	return pr.running ? eta_remaining(&pr.eta, pr.cur, now_s() - pr.step_t0) : 0;
}

/* "1h02m", "3m05s", "42s" */
static void fmt_eta(char *buf, size_t n, double s)
{
	unsigned long t = (unsigned long)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, n, "%luh%02lum", t / 3600, t / 60 % 60);
	else if (t >= 60)
		snprintf(buf, n, "%lum%02lus", t / 60, t % 60);
	else
		snprintf(buf, n, "%lus", t);
}

void progress_end(void)
{
	if (!pr.open)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	pr.open = false;
}

/*
 * A status line longer than the terminal wraps, and \r then goes back to
 * its last row only: cut it to the width, keeping the ETA at the end.
 */
static void fit(char *line, size_t n, const char *eta)
{
	struct winsize ws;
	size_t cols = 0, len = strlen(line), tail = strlen(eta);

	if (pr.in_place && !ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) && ws.ws_col > 20)
		cols = ws.ws_col - 1;
	if (cols && len + tail > cols && cols > tail + 3) {
		len = cols - tail - 3;
		snprintf(line + len, n - len, "...");
		len += 3;
	}
	snprintf(line + len, n - len, "%s", eta);
}

/* Time the step that ends now, start one of kind k. */
static void next_step(enum step_kind k)
{
	double t = now_s();

	if (pr.running)
		eta_finish(&pr.eta, pr.cur, t - pr.step_t0);
	pr.running = true;
	pr.cur = k;
	pr.step_t0 = t;
}

void progress_step(enum step_kind k, const char *fmt, ...)
{
	char eta[48] = "", line[512];
	unsigned int d, finished = 0;
	va_list ap;
	double left;
	int l = 0;

	next_step(k);
	if (!pr.on)
		return;
	for (d = 0; d < STEP_KINDS; d++)
		finished += pr.eta.done[d];
	/* Only guesses before the first step ends: no ETA yet. */
	left = progress_eta();
	if (finished && left > 0) {
		snprintf(eta, sizeof(eta), " (ETA ");
		fmt_eta(eta + 6, sizeof(eta) - 7, left);
		strcat(eta, ")");
	}
	if (pr.prog < pr.nprogs)
		l = snprintf(line, sizeof(line), "uxdp-bench: [%u/%u] ", pr.prog + 1, pr.nprogs);
	else
		l = snprintf(line, sizeof(line), "uxdp-bench: ");
	va_start(ap, fmt);
	vsnprintf(line + l, sizeof(line) - l, fmt, ap);
	va_end(ap);
	fit(line, sizeof(line), eta);
	progress_end();
	fputs(line, stderr);
	if (pr.in_place)
		pr.open = true;
	else
		fputc('\n', stderr);
	fflush(stderr);
}
