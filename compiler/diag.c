/* SPDX-License-Identifier: MIT */
/*
 * diag.c - one error message per compilation, printed once by main.c.
 *
 * The first error recorded is the one the user sees: it is the closest to
 * the cause.  Callers up the stack return the same errno without adding a
 * second message.  Notes and progress lines go to stderr as they happen.
 */
#include <stdio.h>

#include "uxdpc.h"

int diag_error(struct uxdp_diag *diag, int err, const char *fmt, ...)
{
	va_list ap;

	if (diag && !diag->msg[0]) {
		va_start(ap, fmt);
		vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
		va_end(ap);
	}
	return err;
}

/* A status line is on the terminal, waiting to be overwritten or cleared. */
static bool status_line_open;

void diag_progress_end(void)
{
	if (!status_line_open)
		return;
	fputs("\r\033[K", stderr);
	status_line_open = false;
}

void diag_progress(const struct uxdp_diag *diag, const char *fmt, ...)
{
	va_list ap;

	if (!diag || !diag->progress)
		return;
	diag_progress_end();
	va_start(ap, fmt);
	fputs("uxdpc: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (diag->progress_in_place)
		status_line_open = true;
	else
		fputc('\n', stderr);
	fflush(stderr);
}

void diag_note(const struct uxdp_diag *diag, int level, const char *fmt, ...)
{
	va_list ap;

	if (!diag || diag->verbose < level)
		return;
	diag_progress_end();
	va_start(ap, fmt);
	fputs("uxdpc: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
