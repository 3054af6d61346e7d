// SPDX-License-Identifier: MIT
/*
 * report.c - hex output for differences: both sides printed in full, with
 * the bytes that differ marked, so a reader sees the change in place.
 */
#include "difftest.h"

void dt_hexline(FILE *f, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%s%02x", i ? " " : "", p[i]);
}

void dt_hexdump(FILE *f, const char *label, const uint8_t *p, size_t n, const uint8_t *other,
		size_t other_n)
{
	size_t i, j;

	fprintf(f, "  %s (%zu bytes):\n", label, n);
	for (i = 0; i < n; i += 16) {
		fprintf(f, "    %04zx:", i);
		for (j = i; j < i + 16 && j < n; j++) {
			/* '*' after a byte that differs from (or is missing on) the other side. */
			bool mark = other && (j >= other_n || other[j] != p[j]);

			fprintf(f, " %02x%c", p[j], mark ? '*' : ' ');
		}
		fputc('\n', f);
	}
}
