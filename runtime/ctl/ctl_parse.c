// SPDX-License-Identifier: MIT
/*
 * ctl_parse.c - the uxdp_ctl library: key/value words and bpftool-style
 * printing (see uxdp/ctl.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include <uxdp/ctl.h>
#include <uxdp/map.h>

static int perr(struct uxdp_ctl_parse *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int perr(struct uxdp_ctl_parse *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err && p->err_size) {
		va_start(ap, fmt);
		vsnprintf(p->err, p->err_size, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static bool ends_run(const char *w)
{
	static const char *const words[] = { "key", "value", "flags", "any", "exist", "noexist" };
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(w, words[i]))
			return true;
	return false;
}

static const char *const field_words[] = {
	"hex", "u8", "u16", "u32", "u64", "be16", "be32", "be64", "ip4", "ipv4", "ip6", "ipv6",
	"prefix", "mac", "zero", "map", NULL,
};

static bool is_field_word(const char *w)
{
	size_t i;

	for (i = 0; field_words[i]; i++)
		if (!strcmp(w, field_words[i]))
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

struct out {
	uint8_t *b;
	size_t n, cap;
};

static int put(struct uxdp_ctl_parse *p, struct out *o, const void *v, size_t n)
{
	if (o->n + n > o->cap)
		return perr(p, "more than %zu bytes", o->cap);
	memcpy(o->b + o->n, v, n);
	o->n += n;
	return 0;
}

/* After `hex`: "a" or "0a" is one byte (bpftool); longer runs are whole bytes, first first. */
static int put_hex(struct uxdp_ctl_parse *p, struct out *o, const char *t)
{
	const char *s = t;
	size_t len;
	uint8_t b;
	int ret;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	len = strlen(s);
	if (len == 1 && hexval(s[0]) >= 0) {
		b = (uint8_t)hexval(s[0]);
		return put(p, o, &b, 1);
	}
	if (!len || len % 2)
		return perr(p, "'%s': hex bytes need an even number of digits", t);
	for (; *s; s += 2) {
		int hi = hexval(s[0]), lo = hexval(s[1]);

		if (hi < 0 || lo < 0)
			return perr(p, "'%s' is not hex", t);
		b = (uint8_t)(hi << 4 | lo);
		ret = put(p, o, &b, 1);
		if (ret)
			return ret;
	}
	return 0;
}

static int parse_uint(struct uxdp_ctl_parse *p, const char *t, uint64_t max, uint64_t *v)
{
	char *end;

	errno = 0;
	if (t[0] == '-') {
		long long s = strtoll(t, &end, 0);

		/* Negative numbers are two's complement in the field's width. */
		if (errno || *end || end == t + 1 || (uint64_t)-(s + 1) > max / 2)
			return perr(p, "'%s' does not fit", t);
		*v = (uint64_t)s & max;
		return 0;
	}
	*v = strtoull(t, &end, 0);
	if (errno || *end || end == t || *v > max)
		return perr(p, "'%s' is not a number that fits", t);
	return 0;
}

static int put_int(struct uxdp_ctl_parse *p, struct out *o, const char *w, const char *arg)
{
	bool be = w[0] == 'b';
	unsigned int bits = (unsigned int)atoi(w + (be ? 2 : 1)), k, nb = bits / 8;
	uint64_t max = bits == 64 ? UINT64_MAX : (1ULL << bits) - 1, v;
	uint8_t b[8];
	int ret = parse_uint(p, arg, max, &v);

	if (ret)
		return ret;
	/* Host order is the BPF target's order: uxdp runs programs natively. */
	for (k = 0; k < nb; k++)
		b[be ? nb - 1 - k : k] = (uint8_t)(v >> (8 * k));
	return put(p, o, b, nb);
}

static int put_prefix(struct uxdp_ctl_parse *p, struct out *o, const char *arg)
{
	char addr[64], *slash;
	uint8_t a[16];
	uint64_t len;
	uint32_t plen;
	bool v6 = strchr(arg, ':') != NULL;
	int ret;

	if (strlen(arg) >= sizeof(addr))
		return perr(p, "'%s' is not a prefix", arg);
	strcpy(addr, arg);
	slash = strchr(addr, '/');
	if (!slash)
		return perr(p, "'%s': a prefix is ADDRESS/LENGTH", arg);
	*slash = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, a) != 1)
		return perr(p, "'%s' is not an IPv%d address", addr, v6 ? 6 : 4);
	ret = parse_uint(p, slash + 1, v6 ? 128 : 32, &len);
	if (ret)
		return ret;
	/* struct bpf_lpm_trie_key: a host-order u32 prefixlen, then the data. */
	plen = (uint32_t)len;
	ret = put(p, o, &plen, sizeof(plen));
	return ret ? ret : put(p, o, a, v6 ? 16 : 4);
}

static int put_mac(struct uxdp_ctl_parse *p, struct out *o, const char *arg)
{
	unsigned int m[6], k;
	uint8_t a[6];
	char c;

	if (sscanf(arg, "%x:%x:%x:%x:%x:%x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5], &c) != 6)
		return perr(p, "'%s' is not a MAC address", arg);
	for (k = 0; k < 6; k++) {
		if (m[k] > 0xff)
			return perr(p, "'%s' is not a MAC address", arg);
		a[k] = (uint8_t)m[k];
	}
	return put(p, o, a, 6);
}

static int put_map_id(struct uxdp_ctl_parse *p, struct out *o, const char *name)
{
	struct uxdp_map *m;
	uint32_t id;
	int ret = uxdp_map_open(p->instance, name, &m);

	if (ret)
		return perr(p, "map %s: %s", name, strerror(-ret));
	id = uxdp_map_id(m);
	uxdp_map_close(m);
	return put(p, o, &id, sizeof(id));
}

/* `map NAME` with map_by_name: no bytes, the caller resolves NAME. */
static int put_map_name(struct uxdp_ctl_parse *p, const char *name)
{
	if (strlen(name) >= sizeof(p->map_name))
		return perr(p, "map name '%s' too long", name);
	strcpy(p->map_name, name);
	return 0;
}

int uxdp_ctl_parse_fields(struct uxdp_ctl_parse *p, int argc, char **argv, int *pos, uint8_t *buf,
			  size_t cap, size_t *len)
{
	struct out o = { .b = buf, .cap = cap };
	int i = *pos, ret = 0;

	p->map_name[0] = '\0';
	while (i < argc && !ret && !ends_run(argv[i])) {
		const char *w = argv[i];
		uint64_t v;
		uint8_t b;

		if (!is_field_word(w)) {
			/* bpftool: a byte per word, in any base strtoul takes. */
			ret = parse_uint(p, w, 0xff, &v);
			if (ret)
				return perr(p, "'%s' is neither a byte nor a field type (hex, u8..u64, "
					    "be16..be64, ipv4, ipv6, prefix, mac, zero, map)", w);
			b = (uint8_t)v;
			ret = put(p, &o, &b, 1);
			i++;
			continue;
		}
		if (i + 1 >= argc || ends_run(argv[i + 1]))
			return perr(p, "'%s' needs an argument", w);
		i++;
		if (!strcmp(w, "hex")) {
			while (i < argc && !ends_run(argv[i]) && !is_field_word(argv[i]) && !ret)
				ret = put_hex(p, &o, argv[i++]);
			continue;
		}
		if (w[0] == 'u' || w[0] == 'b') {
			ret = put_int(p, &o, w, argv[i]);
		} else if (!strcmp(w, "ip4") || !strcmp(w, "ipv4") || !strcmp(w, "ip6") ||
			   !strcmp(w, "ipv6")) {
			bool v6 = strchr(w, '6') != NULL;
			uint8_t a[16];

			if (inet_pton(v6 ? AF_INET6 : AF_INET, argv[i], a) != 1)
				return perr(p, "'%s' is not an IPv%d address", argv[i], v6 ? 6 : 4);
			ret = put(p, &o, a, v6 ? 16 : 4);
		} else if (!strcmp(w, "prefix")) {
			ret = put_prefix(p, &o, argv[i]);
		} else if (!strcmp(w, "mac")) {
			ret = put_mac(p, &o, argv[i]);
		} else if (!strcmp(w, "zero")) {
			ret = parse_uint(p, argv[i], cap, &v);
			b = 0;
			while (!ret && v--)
				ret = put(p, &o, &b, 1);
		} else { /* map */
			if (i != *pos + 1 || (i + 1 < argc && !ends_run(argv[i + 1])))
				return perr(p, "'map NAME' must be the whole value");
			ret = p->map_by_name ? put_map_name(p, argv[i]) : put_map_id(p, &o, argv[i]);
		}
		i++;
	}
	if (ret)
		return ret;
	if (i == *pos)
		return perr(p, "empty field list");
	*pos = i;
	*len = o.n;
	return 0;
}

int uxdp_ctl_parse_uint(struct uxdp_ctl_parse *p, const char *word, uint64_t max, uint64_t *v)
{
	return parse_uint(p, word, max, v);
}

int uxdp_ctl_parse_flag(const char *word, uint64_t *flags)
{
	if (!strcmp(word, "any"))
		*flags = BPF_ANY;
	else if (!strcmp(word, "exist"))
		*flags = BPF_EXIST;
	else if (!strcmp(word, "noexist"))
		*flags = BPF_NOEXIST;
	else
		return -EINVAL;
	return 0;
}

static int dup_run(struct uxdp_ctl_parse *p, int ntok, char **tok, int *i, uint8_t *buf,
		   uint8_t **out, size_t *n)
{
	int ret = uxdp_ctl_parse_fields(p, ntok, tok, i, buf, UXDP_CTL_MAX_BYTES, n);

	if (ret)
		return ret;
	*out = malloc(*n ? *n : 1);
	if (!*out)
		return perr(p, "out of memory");
	memcpy(*out, buf, *n);
	return 0;
}

int uxdp_ctl_parse_entry(struct uxdp_ctl_parse *p, int ntok, char **tok, struct uxdp_ctl_entry *e)
{
	static uint8_t buf[UXDP_CTL_MAX_BYTES]; /* large; callers are single-threaded */
	int i = 2, ret = 0;

	memset(e, 0, sizeof(*e));
	if (ntok < 2 || strcmp(tok[0], "map"))
		return perr(p, "usage: map NAME key FIELDS value FIELDS [any|exist|noexist]");
	if (strlen(tok[1]) >= sizeof(e->map))
		return perr(p, "map name '%s' too long", tok[1]);
	strcpy(e->map, tok[1]);
	/* The key is optional: queues and stacks have none (a push). */
	if (i < ntok && !strcmp(tok[i], "key")) {
		i++;
		ret = dup_run(p, ntok, tok, &i, buf, &e->key, &e->key_len);
		if (!ret && p->map_name[0])
			ret = perr(p, "'map NAME' is only allowed as a value");
	}
	if (!ret && (i >= ntok || strcmp(tok[i], "value")))
		ret = perr(p, "expected 'value'%s", e->key ? " after the key" : "");
	if (!ret) {
		i++;
		ret = dup_run(p, ntok, tok, &i, buf, &e->value, &e->value_len);
		strcpy(e->value_map, p->map_name);
	}
	e->flags = BPF_ANY;
	/* bpftool puts the flag last; uxdp-difftest configs write `flags F`. */
	if (!ret && i < ntok && !strcmp(tok[i], "flags"))
		i++;
	if (!ret && i < ntok) {
		if (i + 1 != ntok || uxdp_ctl_parse_flag(tok[i], &e->flags))
			ret = perr(p, "unexpected '%s' (flags: any, exist or noexist)", tok[i]);
	} else if (!ret && i > 0 && !strcmp(tok[i - 1], "flags")) {
		ret = perr(p, "'flags' needs any, exist or noexist");
	}
	if (ret)
		uxdp_ctl_entry_free(e);
	return ret;
}

void uxdp_ctl_entry_free(struct uxdp_ctl_entry *e)
{
	free(e->key);
	free(e->value);
	e->key = e->value = NULL;
}

const char *uxdp_ctl_map_type_name(uint32_t type)
{
	const char *name = libbpf_bpf_map_type_str((enum bpf_map_type)type);

	return name ? name : "unknown";
}

bool uxdp_ctl_map_is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

void uxdp_ctl_fprint_hex(FILE *f, const void *data, size_t n)
{
	const uint8_t *b = data;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			fputs(i % 16 == 0 ? "\n" : i % 8 == 0 ? "  " : " ", f);
		fprintf(f, "%02x", b[i]);
	}
}
