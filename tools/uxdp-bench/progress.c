// SPDX-License-Identifier: MIT
/*
 * progress.c - what uxdp-bench is doing, on stderr, as uxdpc does it: on a
 * terminal one status line rewritten in place (\r ESC[K), with -v the same
 * steps as lines, otherwise nothing (a log or a pipe gets only results).
 *
 * The ETA is the time so far scaled by the work left: work is counted in
 * steps (opening an engine, a warm-up, one engine's timed run), weighted
 * so that every program counts the same share of the whole.  Steps differ
 * in cost, so the estimate settles once a program or two are done.
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
	double t0;
	unsigned int nprogs, prog; /* programs in all; the current one, from 0 */
	unsigned int steps, done;  /* the current program's steps, and those done */
} pr;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void progress_init(bool tty, bool verbose, unsigned int nprogs)
{
	pr.on = tty || verbose;
	pr.in_place = tty && !verbose;
	pr.nprogs = nprogs ? nprogs : 1;
	pr.t0 = now_s();
}

void progress_prog(unsigned int index, unsigned int steps)
{
	pr.prog = index;
	pr.steps = steps ? steps : 1;
	pr.done = 0;
}

void progress_left(unsigned int steps)
{
	pr.steps = pr.done + (steps ? steps : 1);
}

double progress_fraction(void)
{
	double in_prog = pr.done < pr.steps ? (double)pr.done / pr.steps : 1.0;

	return (pr.prog + in_prog) / pr.nprogs;
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

void progress_step(const char *fmt, ...)
{
	double f = progress_fraction(), t = now_s() - pr.t0;
	char eta[48] = "", line[512];
	va_list ap;
	int l = 0;

	if (!pr.on)
		return;
	/* Nothing is known before the first step ends. */
	if (f > 0 && f < 1) {
		snprintf(eta, sizeof(eta), " (ETA ");
		fmt_eta(eta + 6, sizeof(eta) - 7, t / f * (1 - f));
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
	pr.done++;
}
