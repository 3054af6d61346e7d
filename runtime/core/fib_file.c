// SPDX-License-Identifier: MIT
/*
 * fib_file.c - fill a userspace FIB from a text file (docs/fib.md):
 *
 *	iface IFINDEX mac MAC [addr A[/LEN]]... [mtu N] [forwarding on|off]
 *	route PREFIX[/LEN] [via GW] [dev IFINDEX] [metric N] [src A] [mtu N]
 *	      [table N] [type unicast|blackhole|unreachable|prohibit|local]
 *	neigh ADDR lladdr MAC dev IFINDEX
 *
 * Interfaces must come before the routes and neighbours that name them, so
 * that a typo in an ifindex is an error on its line rather than a lookup
 * that silently returns NOT_FWDED later.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <uxdp/fib.h>

#define MAX_WORDS 32
#define MAX_IFACES 4096

struct fib_file {
	struct uxdp_fib *fib;
	const char *path;
	int line;
	char *err;
	size_t err_size;
	uint32_t ifindex[MAX_IFACES]; /* declared so far, to check references */
	size_t nifs;
};

static int fail(struct fib_file *ff, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One line "PATH:LINE: message" into err; always -EINVAL (a bad file). */
static int fail(struct fib_file *ff, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	if (!ff->err || !ff->err_size)
		return -EINVAL;
	snprintf(ff->err, ff->err_size, "%s:%d: ", ff->path, ff->line);
	n = strlen(ff->err);
	va_start(ap, fmt);
	vsnprintf(ff->err + n, ff->err_size - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (!s || strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		if (s[i * 3 + 2] != (i == 5 ? '\0' : ':'))
			return -EINVAL;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

/* An IPv4 or IPv6 address; the family follows from the text. */
static int parse_addr(const char *s, uint8_t *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (!s)
		return -EINVAL;
	*family = strchr(s, ':') ? AF_INET6 : AF_INET;
	return inet_pton(*family, s, addr) == 1 ? 0 : -EINVAL;
}

/* A[/LEN]; without /LEN, *len is -1. */
static int parse_prefix(const char *s, uint8_t *family, uint8_t addr[16], int *len)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash;
	uint32_t v;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	*len = -1;
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (parse_addr(buf, family, addr))
		return -EINVAL;
	if (slash) {
		if (parse_u32(slash, 0, *family == AF_INET ? 32 : 128, &v) ||
		    (slash[0] == '0' && slash[1]))
			return -EINVAL;
		*len = (int)v;
	}
	return 0;
}

static bool iface_known(const struct fib_file *ff, uint32_t ifindex)
{
	size_t i;

	for (i = 0; i < ff->nifs; i++)
		if (ff->ifindex[i] == ifindex)
			return true;
	return false;
}

/* "dev N": a positive ifindex declared by an earlier iface line. */
static int parse_dev(struct fib_file *ff, const char *what, const char *s, uint32_t *ifindex)
{
	if (parse_u32(s, 1, UINT32_MAX, ifindex))
		return fail(ff, "%s: dev needs an ifindex > 0, not '%s'", what, s ? s : "");
	if (!iface_known(ff, *ifindex))
		return fail(ff, "%s: dev %u is not an interface (declare it with an iface line first)",
			    what, *ifindex);
	return 0;
}

static const char *family_name(uint8_t family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

static int do_iface(struct fib_file *ff, int n, char **tok)
{
	struct uxdp_fib_iface ifc = { .sz = sizeof(ifc), .fwd_ipv4 = 1, .fwd_ipv6 = 1 };
	struct uxdp_fib_route conn[2];
	bool have_mac = false;
	int nconn = 0, i, ret, len;
	uint8_t family, addr[16];
	uint32_t v;

	if (n < 2 || parse_u32(tok[1], 1, UINT32_MAX, &ifc.ifindex))
		return fail(ff, "iface: needs an ifindex > 0 first, not '%s'", n < 2 ? "" : tok[1]);
	for (i = 2; i < n; i += 2) {
		const char *key = tok[i], *arg = i + 1 < n ? tok[i + 1] : NULL;

		if (!arg)
			return fail(ff, "iface: '%s' needs a value", key);
		if (!strcmp(key, "mac")) {
			if (parse_mac(arg, ifc.mac))
				return fail(ff, "iface: bad MAC '%s' (want aa:bb:cc:dd:ee:ff)", arg);
			have_mac = true;
		} else if (!strcmp(key, "addr")) {
			if (parse_prefix(arg, &family, addr, &len))
				return fail(ff, "iface: bad address '%s'", arg);
			if (family == AF_INET ? ifc.has_addr4 : ifc.has_addr6)
				return fail(ff, "iface: a second %s address (one per family)",
					    family_name(family));
			if (family == AF_INET) {
				ifc.has_addr4 = 1;
				memcpy(ifc.addr4, addr, 4);
			} else {
				ifc.has_addr6 = 1;
				memcpy(ifc.addr6, addr, 16);
			}
			/* As the kernel does for an address with a prefix: a connected route. */
			if (len >= 0) {
				struct uxdp_fib_route *r = &conn[nconn++];

				memset(r, 0, sizeof(*r));
				r->sz = sizeof(*r);
				r->family = family;
				r->prefix_len = (uint8_t)len;
				memcpy(r->dst, addr, 16);
				r->has_prefsrc = 1;
				memcpy(r->prefsrc, addr, 16);
				r->metric = family == AF_INET6 ? 256 : 0;
			}
		} else if (!strcmp(key, "mtu")) {
			if (parse_u32(arg, 68, 65535, &v))
				return fail(ff, "iface: mtu must be 68..65535, not '%s'", arg);
			ifc.mtu = (uint16_t)v;
		} else if (!strcmp(key, "forwarding")) {
			if (strcmp(arg, "on") && strcmp(arg, "off"))
				return fail(ff, "iface: forwarding is on or off, not '%s'", arg);
			ifc.fwd_ipv4 = ifc.fwd_ipv6 = !strcmp(arg, "on");
		} else {
			return fail(ff, "iface: unknown word '%s' (mac, addr, mtu, forwarding)", key);
		}
	}
	if (!have_mac)
		return fail(ff, "iface %u: needs mac", ifc.ifindex);
	if (!iface_known(ff, ifc.ifindex)) {
		if (ff->nifs == MAX_IFACES)
			return fail(ff, "iface: more than %d interfaces", MAX_IFACES);
		ff->ifindex[ff->nifs++] = ifc.ifindex;
	}
	ret = uxdp_fib_set_iface(ff->fib, &ifc);
	for (i = 0; !ret && i < nconn; i++) {
		conn[i].oif = ifc.ifindex;
		ret = uxdp_fib_add_route(ff->fib, &conn[i]);
	}
	if (ret)
		return fail(ff, "iface %u: %s", ifc.ifindex, strerror(-ret));
	return 0;
}

static const char *const route_types[] = {
	[UXDP_RT_UNICAST] = "unicast",	       [UXDP_RT_BLACKHOLE] = "blackhole",
	[UXDP_RT_UNREACHABLE] = "unreachable", [UXDP_RT_PROHIBIT] = "prohibit",
	[UXDP_RT_LOCAL] = "local",
};

static int do_route(struct fib_file *ff, int n, char **tok)
{
	struct uxdp_fib_route rt = { .sz = sizeof(rt) };
	bool have_metric = false;
	uint8_t family;
	int i, len, ret;
	size_t t;

	if (n < 2 || parse_prefix(tok[1], &rt.family, rt.dst, &len))
		return fail(ff, "route: needs a prefix first (A/LEN), not '%s'", n < 2 ? "" : tok[1]);
	rt.prefix_len = len >= 0 ? (uint8_t)len : rt.family == AF_INET ? 32 : 128;
	for (i = 2; i < n; i += 2) {
		const char *key = tok[i], *arg = i + 1 < n ? tok[i + 1] : NULL;

		if (!arg)
			return fail(ff, "route: '%s' needs a value", key);
		if (!strcmp(key, "via") || !strcmp(key, "src")) {
			bool via = key[0] == 'v';

			if (parse_addr(arg, &family, via ? rt.gw : rt.prefsrc))
				return fail(ff, "route: bad %s address '%s'", key, arg);
			if (family != rt.family)
				return fail(ff, "route: %s %s is not %s like the prefix", key, arg,
					    family_name(rt.family));
			if (via)
				rt.has_gw = 1;
			else
				rt.has_prefsrc = 1;
		} else if (!strcmp(key, "dev")) {
			ret = parse_dev(ff, "route", arg, &rt.oif);
			if (ret)
				return ret;
		} else if (!strcmp(key, "metric")) {
			if (parse_u32(arg, 0, UINT32_MAX, &rt.metric))
				return fail(ff, "route: bad metric '%s'", arg);
			have_metric = true;
		} else if (!strcmp(key, "mtu")) {
			if (parse_u32(arg, 68, 65535, &rt.mtu))
				return fail(ff, "route: mtu must be 68..65535, not '%s'", arg);
		} else if (!strcmp(key, "table")) {
			if (parse_u32(arg, 1, UINT32_MAX, &rt.table))
				return fail(ff, "route: bad table '%s'", arg);
		} else if (!strcmp(key, "type")) {
			for (t = 0; t < sizeof(route_types) / sizeof(route_types[0]); t++)
				if (!strcmp(arg, route_types[t]))
					break;
			if (t == sizeof(route_types) / sizeof(route_types[0]))
				return fail(ff, "route: unknown type '%s' (unicast, blackhole, "
					    "unreachable, prohibit, local)", arg);
			rt.type = (uint8_t)t;
		} else {
			return fail(ff, "route: unknown word '%s' (via, dev, metric, src, mtu, table, "
				    "type)", key);
		}
	}
	if (rt.type == UXDP_RT_UNICAST && !rt.oif)
		return fail(ff, "route %s: a unicast route needs dev", tok[1]);
	/* ip route's default metric for IPv6 is 1024; IPv4 routes default to 0. */
	if (!have_metric && rt.family == AF_INET6)
		rt.metric = 1024;
	ret = uxdp_fib_add_route(ff->fib, &rt);
	if (ret)
		return fail(ff, "route %s: %s", tok[1], strerror(-ret));
	return 0;
}

static int do_neigh(struct fib_file *ff, int n, char **tok)
{
	struct uxdp_fib_neigh nb = { .sz = sizeof(nb) };
	bool have_mac = false;
	int i, ret;

	if (n < 2 || parse_addr(tok[1], &nb.family, nb.addr))
		return fail(ff, "neigh: needs an address first, not '%s'", n < 2 ? "" : tok[1]);
	for (i = 2; i < n; i += 2) {
		const char *key = tok[i], *arg = i + 1 < n ? tok[i + 1] : NULL;

		if (!arg)
			return fail(ff, "neigh: '%s' needs a value", key);
		if (!strcmp(key, "lladdr")) {
			if (parse_mac(arg, nb.mac))
				return fail(ff, "neigh: bad MAC '%s' (want aa:bb:cc:dd:ee:ff)", arg);
			have_mac = true;
		} else if (!strcmp(key, "dev")) {
			ret = parse_dev(ff, "neigh", arg, &nb.ifindex);
			if (ret)
				return ret;
		} else {
			return fail(ff, "neigh: unknown word '%s' (lladdr, dev)", key);
		}
	}
	if (!have_mac || !nb.ifindex)
		return fail(ff, "neigh %s: needs lladdr and dev", tok[1]);
	ret = uxdp_fib_set_neigh(ff->fib, &nb);
	if (ret)
		return fail(ff, "neigh %s: %s", tok[1], strerror(-ret));
	return 0;
}

int uxdp_fib_load_file(struct uxdp_fib *fib, const char *path, char *err, size_t err_size)
{
	struct fib_file *ff;
	char *line = NULL, *tok[MAX_WORDS], *s, *save;
	size_t cap = 0;
	int ret = 0, n;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		ret = -errno;
		snprintf(err, err_size, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ff = calloc(1, sizeof(*ff));
	if (!ff) {
		fclose(f);
		snprintf(err, err_size, "%s: out of memory", path);
		return -ENOMEM;
	}
	*ff = (struct fib_file){ .fib = fib, .path = path, .err = err, .err_size = err_size };
	while (!ret && getline(&line, &cap, f) >= 0) {
		ff->line++;
		if ((s = strchr(line, '#')))
			*s = '\0';
		n = 0;
		for (s = strtok_r(line, " \t\r\n", &save); s; s = strtok_r(NULL, " \t\r\n", &save)) {
			if (n == MAX_WORDS) {
				ret = fail(ff, "more than %d words", MAX_WORDS);
				break;
			}
			tok[n++] = s;
		}
		if (ret || !n)
			continue;
		if (!strcmp(tok[0], "iface"))
			ret = do_iface(ff, n, tok);
		else if (!strcmp(tok[0], "route"))
			ret = do_route(ff, n, tok);
		else if (!strcmp(tok[0], "neigh"))
			ret = do_neigh(ff, n, tok);
		else
			ret = fail(ff, "unknown item '%s' (iface, route, neigh)", tok[0]);
	}
	if (!ret && ferror(f)) {
		ret = -EIO;
		snprintf(err, err_size, "%s: read error", path);
	}
	free(line);
	free(ff);
	fclose(f);
	return ret;
}
