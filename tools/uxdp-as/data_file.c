// SPDX-License-Identifier: MIT
/*
 * data_file.c - parser for bpf_conformance `.data` test files.
 *
 * Follows the reference parser's rules (README sections 2-3) with one
 * deliberate difference the README recommends: lines are trimmed before the
 * emptiness test, so a whitespace-only line never replaces a result.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm.h"
#include "data_file.h"

enum section {
	SEC_NONE, /* before the first header, or an ignored section */
	SEC_ASM,
	SEC_RESULT,
	SEC_MEM,
	SEC_RAW,
	SEC_ERROR,
};

__attribute__((format(printf, 4, 5))) static int fail(char *err, size_t err_size, int lineno,
						      const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (!err || !err_size)
		return -EINVAL;
	if (lineno)
		n = snprintf(err, err_size, "%d: ", lineno);
	if (n < 0 || (size_t)n >= err_size)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(err + n, err_size - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* The header keyword table of README section 2.3, in its fixed order. */
static enum section header_section(const char *line, bool *known)
{
	*known = true;
	if (strstr(line, "asm"))
		return SEC_ASM;
	if (strstr(line, "result"))
		return SEC_RESULT;
	if (strstr(line, "mem"))
		return SEC_MEM;
	if (strstr(line, "raw"))
		return SEC_RAW;
	if (strstr(line, "no register offset") || strstr(line, " c"))
		return SEC_NONE;
	if (strstr(line, "error"))
		return SEC_ERROR;
	*known = false;
	return SEC_NONE;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\v' || *s == '\f')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' ||
			   end[-1] == '\v' || end[-1] == '\f'))
		*--end = '\0';
	return s;
}

/* Whole token as an unsigned number in base; false on junk or overflow. */
static bool parse_u64(const char *tok, int base, uint64_t *v)
{
	char *end;

	if (!*tok || *tok == '-' || *tok == '+' || *tok == ' ')
		return false;
	errno = 0;
	*v = strtoull(tok, &end, base);
	return !errno && !*end;
}

struct parse_state {
	struct uxdp_data_file *df;
	size_t cap_asm, cap_raw, cap_mem;
	char *err;
	size_t err_size;
};

static int add_content(struct parse_state *st, enum section sec, char *line, int lineno)
{
	struct uxdp_data_file *df = st->df;
	char *save, *tok;
	uint64_t v;

	switch (sec) {
	case SEC_NONE:
		return 0;
	case SEC_ASM:
		if (grow((void **)&df->asm_lines, &st->cap_asm, df->n_asm + 1,
			 sizeof(*df->asm_lines)))
			return -ENOMEM;
		df->asm_lines[df->n_asm].text = strdup(line);
		if (!df->asm_lines[df->n_asm].text)
			return -ENOMEM;
		df->asm_lines[df->n_asm++].lineno = lineno;
		return 0;
	case SEC_RESULT:
		/* Only the last non-empty line counts; hex when it says 0x. */
		if (!parse_u64(line, strstr(line, "0x") ? 16 : 10, &v))
			return fail(st->err, st->err_size, lineno, "Invalid result: %s", line);
		df->result = v;
		df->has_result = true;
		return 0;
	case SEC_ERROR:
		free(df->error);
		df->error = strdup(line);
		return df->error ? 0 : -ENOMEM;
	case SEC_MEM:
	case SEC_RAW:
		break;
	}
	for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (sec == SEC_MEM) {
			/* Bytes are hex numbers truncated to 8 bits, as the reference does. */
			if (!parse_u64(tok, 16, &v))
				return fail(st->err, st->err_size, lineno, "Invalid mem byte: %s",
					    tok);
			if (grow((void **)&df->mem, &st->cap_mem, df->mem_len + 1, 1))
				return -ENOMEM;
			df->mem[df->mem_len++] = (uint8_t)v;
		} else {
			if (!parse_u64(tok, strncmp(tok, "0x", 2) ? 10 : 16, &v))
				return fail(st->err, st->err_size, lineno,
					    "Invalid raw instruction: %s", tok);
			if (grow((void **)&df->raw, &st->cap_raw, df->n_raw + 1, sizeof(*df->raw)))
				return -ENOMEM;
			df->raw[df->n_raw++] = v;
		}
	}
	return 0;
}

int uxdp_data_file_parse(const char *text, size_t size, struct uxdp_data_file **out, char *err,
			 size_t err_size)
{
	struct parse_state st = {.err = err, .err_size = err_size};
	enum section sec = SEC_NONE;
	const char *p = text, *endp = text + size, *nl;
	char *buf = NULL, *line, *hash;
	int lineno = 0, ret = 0;
	bool known;

	st.df = calloc(1, sizeof(*st.df));
	if (!st.df)
		return -ENOMEM;
	while (p < endp && !ret) {
		nl = memchr(p, '\n', endp - p);
		buf = strndup(p, nl ? (size_t)(nl - p) : (size_t)(endp - p));
		if (!buf) {
			ret = -ENOMEM;
			break;
		}
		p = nl ? nl + 1 : endp;
		lineno++;
		hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		line = trim(buf);
		if (strstr(line, "--")) {
			sec = header_section(line, &known);
			if (!known && !st.df->unknown_directive) {
				st.df->unknown_directive = strdup(line);
				st.df->unknown_line = lineno;
				if (!st.df->unknown_directive)
					ret = -ENOMEM;
			}
		} else if (*line) {
			ret = add_content(&st, sec, line, lineno);
		}
		free(buf);
	}
	if (ret) {
		if (ret == -ENOMEM && err && err_size)
			snprintf(err, err_size, "%s", strerror(ENOMEM));
		uxdp_data_file_free(st.df);
		return ret;
	}
	*out = st.df;
	return 0;
}

int uxdp_data_file_load(const char *path, struct uxdp_data_file **out, char *err, size_t err_size)
{
	char *text = NULL;
	size_t size = 0, cap = 0, n;
	FILE *f;
	int ret;

	f = fopen(path, "rb");
	if (!f) {
		ret = -errno;
		if (err && err_size)
			snprintf(err, err_size, "cannot open: %s", strerror(-ret));
		return ret;
	}
	do {
		if (grow((void **)&text, &cap, size + 4096, 1)) {
			fclose(f);
			free(text);
			return -ENOMEM;
		}
		n = fread(text + size, 1, cap - size, f);
		size += n;
	} while (n);
	if (ferror(f)) {
		ret = -EIO;
		if (err && err_size)
			snprintf(err, err_size, "read error");
	} else {
		ret = uxdp_data_file_parse(text, size, out, err, err_size);
	}
	fclose(f);
	free(text);
	return ret;
}

void uxdp_data_file_free(struct uxdp_data_file *df)
{
	size_t i;

	if (!df)
		return;
	for (i = 0; i < df->n_asm; i++)
		free(df->asm_lines[i].text);
	free(df->asm_lines);
	free(df->raw);
	free(df->mem);
	free(df->error);
	free(df->unknown_directive);
	free(df);
}

const char *uxdp_data_file_skip_reason(const struct uxdp_data_file *df)
{
	if (df->unknown_directive)
		return "unknown directive";
	if (!df->has_result && !df->error)
		return "no result or error";
	return NULL;
}

int uxdp_data_file_program(const struct uxdp_data_file *df, struct ebpf_insn **insns, size_t *count,
			   char *err, size_t err_size, int *err_line)
{
	const struct ebpf_insn *res;
	struct uxdp_asm *a;
	size_t i;
	int ret = 0;

	if (err_line)
		*err_line = 0;
	if (df->n_raw) {
		/* Raw words replace the asm entirely; it is not even assembled. */
		*insns = malloc(df->n_raw * sizeof(**insns));
		if (!*insns)
			return -ENOMEM;
		for (i = 0; i < df->n_raw; i++)
			(*insns)[i] = uxdp_asm_word_insn(df->raw[i]);
		*count = df->n_raw;
		return 0;
	}
	a = uxdp_asm__new();
	if (!a)
		return -ENOMEM;
	for (i = 0; i < df->n_asm && !ret; i++)
		ret = uxdp_asm__add_line(a, df->asm_lines[i].text, df->asm_lines[i].lineno);
	ret = ret ?: uxdp_asm__finish(a, &res, count);
	if (!ret) {
		*insns = malloc((*count ? *count : 1) * sizeof(**insns));
		if (!*insns)
			ret = -ENOMEM;
		else if (*count)
			memcpy(*insns, res, *count * sizeof(**insns));
	} else if (ret == -EINVAL) {
		if (err_line)
			*err_line = uxdp_asm__error_line(a);
		fail(err, err_size, uxdp_asm__error_line(a), "%s", uxdp_asm__error(a));
	}
	uxdp_asm__free(a);
	return ret;
}
