// SPDX-License-Identifier: MIT
/*
 * config.c - the map seeding file of uxdp-difftest (README.md describes it).
 *
 * The format is meant to be what `uxdpctl` will accept too, so it is plain
 * words: a value is a run of typed fields (hex bytes, little-endian or
 * network-order integers, addresses) concatenated into bytes.  Sizes are
 * checked against the map only when the entry is applied, since only the
 * loaded objects know them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "difftest.h"

#define MAX_TOKENS 1024
#define MAX_BYTES 65536
#define WS " \t\r\n"

struct parse {
	const char *path;
	int line;
	char *err;
	size_t err_size;
};

static int perr(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int perr(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->err_size, "%s:%d: ", p->path, p->line);
	if (n >= 0 && (size_t)n < p->err_size) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->err_size - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Field types; anything else inside a `hex` run must be a hex byte string. */
static const char *const field_words[] = {
	"hex", "u8", "u16", "u32", "u64", "be16", "be32", "be64", "ip4", "ip6", "mac", "zero",
	"map", NULL,
};

static bool is_keyword(const char *t)
{
	size_t i;

	if (!strcmp(t, "key") || !strcmp(t, "value") || !strcmp(t, "flags"))
		return true;
	for (i = 0; field_words[i]; i++)
		if (!strcmp(t, field_words[i]))
			return true;
	return false;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

struct bytes {
	uint8_t b[MAX_BYTES];
	size_t n;
};

static int put(struct parse *p, struct bytes *out, const void *v, size_t n)
{
	if (out->n + n > MAX_BYTES)
		return perr(p, "more than %d bytes", MAX_BYTES);
	memcpy(out->b + out->n, v, n);
	out->n += n;
	return 0;
}

/* "0a", "0a0b0c" or "0x0a0b": whole bytes, most significant first as written. */
static int put_hex(struct parse *p, struct bytes *out, const char *t)
{
	const char *s = t;
	size_t len;
	int ret;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	len = strlen(s);
	if (!len || len % 2)
		return perr(p, "'%s': hex bytes need an even number of digits", t);
	for (; *s; s += 2) {
		int hi = hexval(s[0]), lo = hexval(s[1]);
		uint8_t b;

		if (hi < 0 || lo < 0)
			return perr(p, "'%s' is not hex", t);
		b = (uint8_t)(hi << 4 | lo);
		ret = put(p, out, &b, 1);
		if (ret)
			return ret;
	}
	return 0;
}

static int parse_uint(struct parse *p, const char *t, uint64_t max, uint64_t *v)
{
	char *end;

	errno = 0;
	if (t[0] == '-') {
		long long s = strtoll(t, &end, 0);

		/* Negative numbers are two's complement in the field's width. */
		if (errno || *end || (uint64_t)-(s + 1) > max / 2)
			return perr(p, "'%s' does not fit", t);
		*v = (uint64_t)s & max;
		return 0;
	}
	*v = strtoull(t, &end, 0);
	if (errno || *end || end == t || *v > max)
		return perr(p, "'%s' is not a number that fits", t);
	return 0;
}

/*
 * Read fields from tok[*i] until a keyword that is not a field (key, value,
 * flags) or the end.  value_map receives the name of a `map NAME` field.
 */
static int parse_fields(struct parse *p, char **tok, int n, int *i, struct bytes *out,
			char *value_map)
{
	int start = *i, ret = 0;

	out->n = 0;
	while (*i < n && !ret) {
		const char *w = tok[*i];
		uint64_t v;

		if (!strcmp(w, "key") || !strcmp(w, "value") || !strcmp(w, "flags"))
			break;
		if (*i + 1 >= n)
			return perr(p, "'%s' needs an argument", w);
		(*i)++;
		if (!strcmp(w, "hex")) {
			while (*i < n && !is_keyword(tok[*i]) && !ret)
				ret = put_hex(p, out, tok[(*i)++]);
			continue;
		}
		if (!strcmp(w, "u8") || !strcmp(w, "u16") || !strcmp(w, "u32") ||
		    !strcmp(w, "u64") || !strcmp(w, "be16") || !strcmp(w, "be32") ||
		    !strcmp(w, "be64")) {
			bool be = w[0] == 'b';
			unsigned int bits = (unsigned int)atoi(w + (be ? 2 : 1));
			uint64_t max = bits == 64 ? UINT64_MAX : (1ULL << bits) - 1;
			uint8_t b[8];
			unsigned int k, nb = bits / 8;

			ret = parse_uint(p, tok[(*i)++], max, &v);
			if (ret)
				return ret;
			/* Host order is the BPF target's order: both are little-endian here. */
			for (k = 0; k < nb; k++)
				b[be ? nb - 1 - k : k] = (uint8_t)(v >> (8 * k));
			ret = put(p, out, b, nb);
		} else if (!strcmp(w, "ip4") || !strcmp(w, "ip6")) {
			uint8_t a[16];
			bool v6 = w[2] == '6';

			if (inet_pton(v6 ? AF_INET6 : AF_INET, tok[*i], a) != 1)
				return perr(p, "'%s' is not an %s address", tok[*i], w);
			(*i)++;
			ret = put(p, out, a, v6 ? 16 : 4);
		} else if (!strcmp(w, "mac")) {
			unsigned int m[6], k;
			uint8_t a[6];
			char c;

			if (sscanf(tok[*i], "%x:%x:%x:%x:%x:%x%c", &m[0], &m[1], &m[2], &m[3],
				   &m[4], &m[5], &c) != 6)
				return perr(p, "'%s' is not a MAC address", tok[*i]);
			for (k = 0; k < 6; k++) {
				if (m[k] > 0xff)
					return perr(p, "'%s' is not a MAC address", tok[*i]);
				a[k] = (uint8_t)m[k];
			}
			(*i)++;
			ret = put(p, out, a, 6);
		} else if (!strcmp(w, "zero")) {
			uint8_t z = 0;

			ret = parse_uint(p, tok[(*i)++], MAX_BYTES, &v);
			while (!ret && v--)
				ret = put(p, out, &z, 1);
		} else if (!strcmp(w, "map")) {
			if (!value_map)
				return perr(p, "'map NAME' is only allowed as a value");
			if (*i != start + 1 || strlen(tok[*i]) >= DT_NAME_LEN)
				return perr(p, "'map NAME' must be the whole value");
			strcpy(value_map, tok[(*i)++]);
			if (*i < n && strcmp(tok[*i], "flags"))
				return perr(p, "'map NAME' must be the whole value");
		} else {
			return perr(p, "unknown field type '%s' (hex, u8..u64, be16..be64, ip4, ip6, mac, zero, map)",
				    w);
		}
	}
	if (!ret && *i == start)
		return perr(p, "empty field list");
	return ret;
}

static int dup_bytes(struct parse *p, const struct bytes *b, uint8_t **out, size_t *n)
{
	*n = b->n;
	*out = malloc(b->n ? b->n : 1);
	if (!*out)
		return perr(p, "out of memory");
	memcpy(*out, b->b, b->n);
	return 0;
}

static int copy_name(struct parse *p, char *dst, const char *src)
{
	if (strlen(src) >= DT_NAME_LEN)
		return perr(p, "name '%s' too long", src);
	strcpy(dst, src);
	return 0;
}

static int parse_map(struct parse *p, char **tok, int n, struct cfg_entry *e)
{
	static struct bytes b; /* large; the tool is single-threaded */
	int i = 2, ret;

	if (n < 2)
		return perr(p, "usage: map NAME key FIELDS value FIELDS [flags any|noexist|exist]");
	ret = copy_name(p, e->map, tok[1]);
	if (ret)
		return ret;
	if (i >= n || strcmp(tok[i], "key"))
		return perr(p, "expected 'key' after the map name");
	i++;
	ret = parse_fields(p, tok, n, &i, &b, NULL);
	if (!ret)
		ret = dup_bytes(p, &b, &e->key, &e->key_len);
	if (ret)
		return ret;
	if (i >= n || strcmp(tok[i], "value"))
		return perr(p, "expected 'value' after the key");
	i++;
	ret = parse_fields(p, tok, n, &i, &b, e->value_map);
	if (!ret)
		ret = dup_bytes(p, &b, &e->value, &e->value_len);
	if (ret)
		return ret;
	e->flags = BPF_ANY;
	if (i < n) {
		if (strcmp(tok[i], "flags") || i + 2 != n)
			return perr(p, "unexpected '%s'", tok[i]);
		if (!strcmp(tok[i + 1], "any"))
			e->flags = BPF_ANY;
		else if (!strcmp(tok[i + 1], "noexist"))
			e->flags = BPF_NOEXIST;
		else if (!strcmp(tok[i + 1], "exist"))
			e->flags = BPF_EXIST;
		else
			return perr(p, "flags: any, noexist or exist, not '%s'", tok[i + 1]);
	}
	return 0;
}

static int parse_prog_array(struct parse *p, char **tok, int n, struct cfg_entry *e)
{
	uint64_t idx = 0;
	int ret;

	if (n != 4)
		return perr(p, "usage: prog_array NAME INDEX PROGNAME");
	ret = copy_name(p, e->map, tok[1]);
	if (!ret)
		ret = parse_uint(p, tok[2], UINT32_MAX, &idx);
	if (!ret)
		ret = copy_name(p, e->prog, tok[3]);
	e->index = (uint32_t)idx;
	return ret;
}

void cfg_free(struct cfg *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].key);
		free(c->v[i].value);
	}
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

int cfg_parse(const char *path, struct cfg *c, char *err, size_t err_size)
{
	struct parse p = { .path = path, .err = err, .err_size = err_size };
	char *line = NULL, *tok[MAX_TOKENS];
	size_t cap = 0, vcap = 0;
	FILE *f;
	int ret = 0;

	memset(c, 0, sizeof(*c));
	c->path = path;
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		return -errno;
	}
	while (!ret && getline(&line, &cap, f) >= 0) {
		struct cfg_entry *e;
		char *s, *save = NULL, *hash = strchr(line, '#');
		int n = 0;

		p.line++;
		if (hash)
			*hash = '\0';
		for (s = strtok_r(line, WS, &save); s; s = strtok_r(NULL, WS, &save)) {
			if (n == MAX_TOKENS) {
				ret = perr(&p, "more than %d words", MAX_TOKENS);
				break;
			}
			tok[n++] = s;
		}
		if (ret || !n)
			continue;
		if (c->n == vcap) {
			struct cfg_entry *g = realloc(c->v, (vcap ? vcap * 2 : 16) * sizeof(*g));

			if (!g) {
				ret = perr(&p, "out of memory");
				break;
			}
			c->v = g;
			vcap = vcap ? vcap * 2 : 16;
		}
		e = &c->v[c->n];
		memset(e, 0, sizeof(*e));
		e->line = p.line;
		if (!strcmp(tok[0], "map")) {
			e->kind = CFG_MAP;
			ret = parse_map(&p, tok, n, e);
		} else if (!strcmp(tok[0], "prog_array")) {
			e->kind = CFG_PROG_ARRAY;
			ret = parse_prog_array(&p, tok, n, e);
		} else {
			ret = perr(&p, "unknown directive '%s' (map, prog_array)", tok[0]);
		}
		c->n++; /* even on error, so that cfg_free frees what was parsed */
	}
	free(line);
	fclose(f);
	if (ret)
		cfg_free(c);
	return ret;
}
