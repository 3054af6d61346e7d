// SPDX-License-Identifier: MIT
/*
 * uxdp_json.c - the streaming JSON writer (uxdp_json.h).
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "uxdp_json.h"

void uxdp_json_init(struct uxdp_json *j, FILE *f, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
}

static void newline_indent(struct uxdp_json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("    ", j->f);
}

static bool *has_item(struct uxdp_json *j)
{
	return &j->has_item[j->depth < UXDP_JSON_DEPTH ? j->depth : UXDP_JSON_DEPTH - 1];
}

/* Separator and indentation before a value or a key at the current depth. */
static void item(struct uxdp_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0 && *has_item(j))
		fputc(',', j->f);
	if (j->depth > 0)
		newline_indent(j);
	*has_item(j) = true;
}

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void uxdp_json_raw(struct uxdp_json *j, const char *json)
{
	item(j);
	fputs(json, j->f);
}

void uxdp_json_open(struct uxdp_json *j, char brace)
{
	item(j);
	fputc(brace, j->f);
	j->depth++;
	*has_item(j) = false;
}

void uxdp_json_close(struct uxdp_json *j, char brace)
{
	bool had = *has_item(j);

	if (j->depth > 0)
		j->depth--;
	if (had)
		newline_indent(j);
	fputc(brace, j->f);
}

void uxdp_json_key(struct uxdp_json *j, const char *key)
{
	item(j);
	put_string(j->f, key);
	fputs(j->pretty ? ": " : ":", j->f);
	j->after_key = true;
}

void uxdp_json_str(struct uxdp_json *j, const char *s)
{
	item(j);
	put_string(j->f, s);
}

void uxdp_json_strf(struct uxdp_json *j, const char *fmt, ...)
{
	va_list ap;
	char small[256], *s = small;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(small)) {
		s = malloc((size_t)n + 1);
		if (s) {
			va_start(ap, fmt);
			vsnprintf(s, (size_t)n + 1, fmt, ap);
			va_end(ap);
		} else {
			s = small; /* out of memory: the truncated string */
		}
	}
	uxdp_json_str(j, n < 0 ? "" : s);
	if (s != small)
		free(s);
}

void uxdp_json_uint(struct uxdp_json *j, uint64_t v)
{
	item(j);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

void uxdp_json_int(struct uxdp_json *j, int64_t v)
{
	item(j);
	fprintf(j->f, "%lld", (long long)v);
}

void uxdp_json_double(struct uxdp_json *j, double v, int decimals)
{
	if (!isfinite(v)) {
		uxdp_json_null(j);
		return;
	}
	item(j);
	fprintf(j->f, "%.*f", decimals < 0 ? 0 : decimals, v);
}

void uxdp_json_bool(struct uxdp_json *j, bool v)
{
	item(j);
	fputs(v ? "true" : "false", j->f);
}

void uxdp_json_null(struct uxdp_json *j)
{
	item(j);
	fputs("null", j->f);
}

void uxdp_json_hex(struct uxdp_json *j, const void *data, size_t n)
{
	const uint8_t *b = data;

	uxdp_json_open(j, '[');
	for (size_t i = 0; i < n; i++)
		uxdp_json_strf(j, "0x%02x", b[i]);
	uxdp_json_close(j, ']');
}

void uxdp_json_kv_str(struct uxdp_json *j, const char *key, const char *s)
{
	uxdp_json_key(j, key);
	uxdp_json_str(j, s);
}

void uxdp_json_kv_uint(struct uxdp_json *j, const char *key, uint64_t v)
{
	uxdp_json_key(j, key);
	uxdp_json_uint(j, v);
}

void uxdp_json_kv_double(struct uxdp_json *j, const char *key, double v, int decimals)
{
	uxdp_json_key(j, key);
	uxdp_json_double(j, v, decimals);
}

void uxdp_json_kv_bool(struct uxdp_json *j, const char *key, bool v)
{
	uxdp_json_key(j, key);
	uxdp_json_bool(j, v);
}

void uxdp_json_end(struct uxdp_json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
	j->depth = 0;
	j->after_key = false;
	memset(j->has_item, 0, sizeof(j->has_item));
}
