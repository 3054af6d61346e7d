/* SPDX-License-Identifier: MIT */
/*
 * diag.c - one error message per compilation, printed once by main.c.
 *
 * The first error recorded is the one the user sees: it is the closest to
 * the cause.  Callers up the stack return the same errno without adding a
 * second message.
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

void diag_note(const struct uxdp_diag *diag, int level, const char *fmt, ...)
{
	va_list ap;

	if (!diag || diag->verbose < level)
		return;
	va_start(ap, fmt);
	fputs("uxdpc: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
