// SPDX-License-Identifier: MIT
/*
 * uxdpctl.c - the control plane of uxdp: inspect and change the maps of a
 * running (or finished) uxdp instance, read its ring buffers and counters.
 * The command line follows bpftool's; README.md is the manual.
 *
 * Exit status: 0 on success, 1 on an error, 2 on a usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <linux/bpf.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uxdp/clock.h>
#include <uxdp/ctl.h>
#include <uxdp/instance_owner.h>
#include <uxdp/map.h>
#include <uxdp/stats_shm.h>
#include <uxdp/version.h>
#include <uxdp/xsk_ring.h>

#include "btf_fmt.h"
#include "cmd.h"
#include "pcap_out.h"
#include "prog.h"
#include "uxdp_json.h"

#define EXIT_USAGE 2

struct ctl {
	const char *instance;
	bool json;
	struct uxdp_json j;
};

/* Where errors go: with -j a JSON object on stdout, as bpftool prints them. */
static struct ctl *err_ctl;

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

#define MAP_USAGE                                                                          \
	"  map show|list [MAP]                maps of the instance\n"                        \
	"  map dump MAP                       every entry (formatted by BTF when it has one)\n" \
	"  map lookup MAP key FIELDS\n"                                                      \
	"  map update MAP key FIELDS value FIELDS [any|exist|noexist]\n"                     \
	"  map delete MAP key FIELDS\n"                                                      \
	"  map getnext MAP [key FIELDS]\n"                                                   \
	"  map push MAP value FIELDS          queue/stack\n"                                 \
	"  map pop MAP | map peek MAP          queue/stack\n"                                \
	"  map cleanup                        unlink every map of the instance\n"

#define PROG_USAGE                                                                         \
	"  prog [--socket PATH] list|show [ID] [--all]  programs of the instance's uxdpd\n"  \
	"  prog load OBJECT [-p PROG] [-O0..3] [--recreate-maps] [--trust-unverified]\n"     \
	"  prog attach ID IFACE|all [--replace] | prog detach IFACE|all [ID]\n"              \
	"  prog replace IFACE|all ID|OBJECT [load options] [--old ID] | prog unload ID\n"    \
	"  prog ports                         the daemon's interfaces and their programs\n"

#define FIELDS_USAGE                                                                       \
	"MAP is NAME, name NAME or id ID.  FIELDS: bytes (10 0 0 1), hex 0a 00 00 01,\n"     \
	"u8/u16/u32/u64 N, be16/be32/be64 N, ipv4 A, ipv6 A, prefix A/LEN, mac M, zero N,\n" \
	"map NAME.\n"

#define OPTIONS_USAGE                                                                      \
	"Options (before or after COMMAND): --instance NAME (default \"default\"),\n"         \
	"-j|--json, -p|--pretty (indented JSON), -h|--help, -V|--version.\n"                 \
	"Objects and commands may be abbreviated to a prefix: uxdpctl m s = map show.\n"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: uxdpctl [OPTIONS] OBJECT COMMAND [ARGS] [OPTIONS]\n"
		MAP_USAGE
		"  ringbuf read MAP [--count N] [--follow] [--timeout MS]\n"
		"  perf read MAP [--count N] [--follow] [--timeout MS]\n"
		"  xsk read MAP INDEX [--count N] [--pcap FILE]  frames redirected to a slot\n"
		"  stats                              verdict counters of a uxdp --instance run\n"
		"  instance list | instance delete NAME  owner, liveness, programs, interfaces\n"
		PROG_USAGE
		"  apply FILE                         map lines: map MAP key FIELDS value FIELDS\n"
		"  OBJECT help                        the commands of one object\n"
		FIELDS_USAGE
		OPTIONS_USAGE
		"\n"
		"Examples:\n"
		"  uxdp --object fw.aot.o --pcap in.pcap --instance fw    # a run that keeps its maps\n"
		"  uxdpctl --instance fw map list\n"
		"  uxdpctl --instance fw map dump blocklist\n"
		"  uxdpctl --instance fw map update blocklist key ipv4 198.18.0.7 value u32 1\n"
		"  uxdpctl --instance fw -j map lookup blocklist key hex c6 12 00 07\n"
		"  uxdpctl instance list\n"
		"  uxdpctl instance delete fw\n"
		"\n"
		"Exit status: 0 success, 1 error, 2 usage error.  See uxdpctl(8).\n");
}

/* `uxdpctl OBJECT help`: that object's commands, as bpftool's do_help. */
static int object_help(const char *object)
{
	if (!strcmp(object, "map"))
		printf("usage: uxdpctl [OPTIONS] map COMMAND\n" MAP_USAGE FIELDS_USAGE
		       OPTIONS_USAGE);
	else if (!strcmp(object, "prog"))
		printf("usage: uxdpctl [OPTIONS] prog COMMAND\n" PROG_USAGE OPTIONS_USAGE);
	else if (!strcmp(object, "instance"))
		printf("usage: uxdpctl [OPTIONS] instance COMMAND\n"
		       "  instance list|show                 owner, liveness, programs, interfaces\n"
		       "  instance delete NAME               its maps, counters and run record\n"
		       OPTIONS_USAGE);
	else
		printf("usage: uxdpctl [OPTIONS] %s read MAP [--count N] [--follow] [--timeout MS]\n"
		       OPTIONS_USAGE, object);
	return 0;
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Print an error: one line on stderr, or with -j bpftool's {"error": "..."}
 * on stdout (and nothing on stderr), so that a script reading JSON gets a
 * JSON document either way.
 */
static void print_error(const char *suffix, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err_ctl && err_ctl->json) {
		struct uxdp_json j;

		fflush(stdout);
		uxdp_json_init(&j, stdout, err_ctl->j.pretty);
		uxdp_json_open(&j, '{');
		uxdp_json_kv_str(&j, "error", msg);
		uxdp_json_close(&j, '}');
		uxdp_json_end(&j);
		return;
	}
	fprintf(stderr, "uxdpctl: %s%s\n", msg, suffix);
}

/* The one place errors are printed; returns the exit status 1. */
static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_error("", fmt, ap);
	va_end(ap);
	return 1;
}

static int usage_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_error(" (uxdpctl -h for help)", fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

/* Commands that print nothing still print a JSON document, as bpftool does. */
static void json_null(struct ctl *c)
{
	if (c->json) {
		uxdp_json_null(&c->j);
		uxdp_json_end(&c->j);
	}
}

/* ---- instances that exist ---- */

#define MAX_INSTANCES 1024

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The instances in /dev/shm, sorted, into names (caller frees each): an
 * instance has an id counter (uxdp.NAME) or counters (uxdp-stats.NAME).
 */
static size_t collect_instances(char *names[MAX_INSTANCES])
{
	size_t n = 0, i;
	struct dirent *de;
	DIR *d = opendir("/dev/shm");

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < MAX_INSTANCES) {
		const char *s = NULL;

		if (!strncmp(de->d_name, "uxdp.", 5) && !strchr(de->d_name + 5, '.'))
			s = de->d_name + 5;
		else if (!strncmp(de->d_name, "uxdp-stats.", 11))
			s = de->d_name + 11;
		else if (!strncmp(de->d_name, "uxdp-run.", 9))
			s = de->d_name + 9;
		if (!s || !*s)
			continue;
		for (i = 0; i < n && strcmp(names[i], s); i++)
			;
		if (i == n && (names[n] = strdup(s)))
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	return n;
}

/*
 * Whether instance exists; when not, the error names the ones that do, so
 * that a user who forgot --instance sees what to pass.
 */
static int check_instance_exists(const char *instance)
{
	char *names[MAX_INSTANCES], list[512] = "";
	size_t n = collect_instances(names), i, len = 0;
	bool found = false;

	for (i = 0; i < n; i++) {
		found |= !strcmp(names[i], instance);
		if (len < sizeof(list))
			len += snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "",
					names[i]);
		free(names[i]);
	}
	if (found)
		return 0;
	if (!n)
		return fail("instance %s does not exist (no uxdp instance exists: "
			    "uxdp --instance NAME makes one)", instance);
	return fail("instance %s does not exist (existing: %s; choose one with --instance NAME)",
		    instance, list);
}

/* ---- finding a map ---- */

struct by_id {
	uint32_t id;
	char name[UXDP_MAP_NAME_LEN];
};

static int by_id_cb(const struct uxdp_map_info *info, void *arg)
{
	struct by_id *b = arg;

	if (info->id != b->id)
		return 0;
	memcpy(b->name, info->name, sizeof(b->name));
	return 1;
}

/*
 * MAP at argv[*pos]: NAME, `name NAME` or `id ID`.  Returns 0, or the exit
 * status after printing why.
 */
static int open_map(struct ctl *c, int argc, char **argv, int *pos, struct uxdp_map **m,
		    struct uxdp_map_info *info)
{
	const char *name;
	struct by_id b = { 0 };
	char *end;
	int ret;

	if (*pos >= argc)
		return usage_fail("missing MAP");
	name = argv[(*pos)++];
	if (!strcmp(name, "name") || !strcmp(name, "id")) {
		if (*pos >= argc)
			return usage_fail("'%s' needs an argument", name);
		if (!strcmp(name, "name")) {
			name = argv[(*pos)++];
		} else {
			errno = 0;
			b.id = (uint32_t)strtoul(argv[*pos], &end, 0);
			if (errno || *end || end == argv[*pos])
				return usage_fail("id: bad number '%s'", argv[*pos]);
			(*pos)++;
			ret = uxdp_map_list(c->instance, by_id_cb, &b);
			if (ret != 1 && check_instance_exists(c->instance))
				return 1;
			if (ret != 1)
				return fail("no map with id %u in instance %s", b.id, c->instance);
			name = b.name;
		}
	}
	ret = uxdp_map_open(c->instance, name, m);
	if ((ret == -ENOENT || ret == -EINVAL) && check_instance_exists(c->instance))
		return 1;
	if (ret == -ENOENT || ret == -EINVAL)
		return fail("map %s: no such map in instance %s", name, c->instance);
	if (ret)
		return fail("map %s: %s", name, strerror(-ret));
	uxdp_map_get_info(*m, info);
	return 0;
}

static bool is_queue(uint32_t type)
{
	return type == BPF_MAP_TYPE_QUEUE || type == BPF_MAP_TYPE_STACK;
}

static bool has_keys(uint32_t type)
{
	return !is_queue(type) && type != BPF_MAP_TYPE_RINGBUF &&
	       type != BPF_MAP_TYPE_BLOOM_FILTER;
}

static bool percpu(const struct uxdp_map_info *info)
{
	return uxdp_ctl_map_is_percpu(info->type);
}

/* ---- map list / show ---- */

struct infos {
	struct uxdp_map_info *v;
	size_t n, cap;
};

static int collect_cb(const struct uxdp_map_info *info, void *arg)
{
	struct infos *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct uxdp_map_info *g = realloc(l->v, cap * sizeof(*g));

		if (!g)
			return -ENOMEM;
		l->v = g;
		l->cap = cap;
	}
	l->v[l->n++] = *info;
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	const struct uxdp_map_info *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * health (map show, which opens the map; NULL for map list): elements
 * reused while a reader might still hold one, and locks taken over from
 * dead holders, since creation (uxdp_map_health()).
 */
static void show_info(struct ctl *c, const struct uxdp_map_info *i, const uint64_t *health)
{
	struct uxdp_json *j = &c->j;

	if (!c->json) {
		printf("%u: %s  name %s  flags 0x%x\n", i->id, uxdp_ctl_map_type_name(i->type),
		       i->name, i->map_flags);
		printf("\tkey %uB  value %uB  max_entries %u  memlock %lluB", i->key_size,
		       i->value_size, i->max_entries, (unsigned long long)i->bytes);
		if (percpu(i))
			printf("  ncpus %u", i->ncpus);
		putchar('\n');
		if (health)
			printf("\tforced_reuse %llu  lock_takeovers %llu\n",
			       (unsigned long long)health[0], (unsigned long long)health[1]);
		return;
	}
	uxdp_json_open(j, '{');
	uxdp_json_key(j, "id");
	uxdp_json_uint(j, i->id);
	uxdp_json_key(j, "type");
	uxdp_json_str(j, uxdp_ctl_map_type_name(i->type));
	uxdp_json_key(j, "name");
	uxdp_json_str(j, i->name);
	uxdp_json_key(j, "flags");
	uxdp_json_uint(j, i->map_flags);
	uxdp_json_key(j, "bytes_key");
	uxdp_json_uint(j, i->key_size);
	uxdp_json_key(j, "bytes_value");
	uxdp_json_uint(j, i->value_size);
	uxdp_json_key(j, "max_entries");
	uxdp_json_uint(j, i->max_entries);
	uxdp_json_key(j, "bytes_memlock");
	uxdp_json_uint(j, i->bytes);
	if (percpu(i)) {
		uxdp_json_key(j, "ncpus");
		uxdp_json_uint(j, i->ncpus);
	}
	if (health) {
		uxdp_json_key(j, "forced_reuse");
		uxdp_json_uint(j, health[0]);
		uxdp_json_key(j, "lock_takeovers");
		uxdp_json_uint(j, health[1]);
	}
	uxdp_json_close(j, '}');
}

static int do_map_list(struct ctl *c, int argc, char **argv, int pos)
{
	struct infos l = { 0 };
	size_t i;
	int ret;

	if (pos < argc)
		return usage_fail("map list: unexpected '%s'", argv[pos]);
	ret = uxdp_map_list(c->instance, collect_cb, &l);
	if (ret) {
		free(l.v);
		return fail("instance %s: %s", c->instance, strerror(-ret));
	}
	/* An instance without maps lists nothing, as bpftool; one that does not exist is an error. */
	if (!l.n && check_instance_exists(c->instance))
		return 1;
	if (l.n) /* no maps: l.v is NULL, which qsort must not get */
		qsort(l.v, l.n, sizeof(*l.v), cmp_id);
	if (c->json)
		uxdp_json_open(&c->j, '[');
	for (i = 0; i < l.n; i++)
		show_info(c, &l.v[i], NULL);
	if (c->json) {
		uxdp_json_close(&c->j, ']');
		uxdp_json_end(&c->j);
	}
	free(l.v);
	return 0;
}

static int do_map_show(struct ctl *c, int argc, char **argv, int pos)
{
	struct uxdp_map_info info;
	uint64_t health[2] = { 0 };
	struct uxdp_map *m;
	int ret = open_map(c, argc, argv, &pos, &m, &info);

	if (ret)
		return ret;
	uxdp_map_health(m, &health[0], &health[1]);
	uxdp_map_close(m);
	if (pos < argc)
		return usage_fail("map show: unexpected '%s'", argv[pos]);
	show_info(c, &info, health);
	if (c->json)
		uxdp_json_end(&c->j);
	return 0;
}

/* ---- entries ---- */

/* bpftool's "formatted" member of -j output: the entry by its BTF. */
static void print_formatted(struct ctl *c, const struct btf_fmt *bf, const void *key,
			    const void *value)
{
	char *text = bf ? btf_fmt_json(bf, key, value) : NULL;

	if (!text)
		return;
	uxdp_json_key(&c->j, "formatted");
	uxdp_json_raw(&c->j, text);
	free(text);
}

/*
 * One key/value pair, in bpftool's plain or JSON shape.  With BTF (bf), -j
 * adds "formatted"; plain output by BTF is the caller's (btf_fmt_entry).
 */
static void print_entry(struct ctl *c, const struct uxdp_map_info *i, const void *key,
			const void *value, const struct btf_fmt *bf)
{
	struct uxdp_json *j = &c->j;
	size_t stride = (i->value_size + 7) & ~(size_t)7;
	unsigned int cpu;
	bool big, one_line;

	if (c->json) {
		uxdp_json_open(j, '{');
		uxdp_json_key(j, "key");
		uxdp_json_hex(j, key, i->key_size);
		if (percpu(i)) {
			uxdp_json_key(j, "values");
			uxdp_json_open(j, '[');
			for (cpu = 0; cpu < i->ncpus; cpu++) {
				uxdp_json_open(j, '{');
				uxdp_json_key(j, "cpu");
				uxdp_json_uint(j, cpu);
				uxdp_json_key(j, "value");
				uxdp_json_hex(j, (const uint8_t *)value + cpu * stride,
						  i->value_size);
				uxdp_json_close(j, '}');
			}
			uxdp_json_close(j, ']');
		} else {
			uxdp_json_key(j, "value");
			uxdp_json_hex(j, value, i->value_size);
		}
		print_formatted(c, bf, key, value);
		uxdp_json_close(j, '}');
		return;
	}
	if (percpu(i)) {
		printf("key:\n");
		uxdp_ctl_fprint_hex(stdout, key, i->key_size);
		putchar('\n');
		for (cpu = 0; cpu < i->ncpus; cpu++) {
			printf("value (CPU %02u):%c", cpu, i->value_size > 16 ? '\n' : ' ');
			uxdp_ctl_fprint_hex(stdout, (const uint8_t *)value + cpu * stride,
					    i->value_size);
			putchar('\n');
		}
		return;
	}
	/* bpftool's layout: one line when short, else key and value on their own lines. */
	big = i->key_size > 16 || i->value_size > 16;
	one_line = !big && i->key_size + i->value_size <= 24;
	printf("key:%c", big ? '\n' : ' ');
	uxdp_ctl_fprint_hex(stdout, key, i->key_size);
	printf(one_line ? "  " : "\n");
	printf("value:%c", big ? '\n' : ' ');
	uxdp_ctl_fprint_hex(stdout, value, i->value_size);
	putchar('\n');
}

/* The map's BTF formatter into bf, or NULL: entries print as hex. */
static const struct btf_fmt *open_btf(struct uxdp_map *m, const struct uxdp_map_info *info,
				      struct btf_fmt *bf)
{
	return btf_fmt_open(m, info, bf) ? NULL : bf;
}

static int do_map_dump(struct ctl *c, int argc, char **argv, int pos)
{
	struct uxdp_map_info info;
	struct uxdp_map *m;
	uint8_t *key = NULL, *next = NULL, *value = NULL;
	struct btf_fmt bfs = { 0 };
	const struct btf_fmt *bf;
	struct btf_fmt_out *plain = NULL;
	unsigned int n = 0;
	int ret = open_map(c, argc, argv, &pos, &m, &info), err;

	if (ret)
		return ret;
	bf = open_btf(m, &info, &bfs);
	if (pos < argc) {
		ret = usage_fail("map dump: unexpected '%s'", argv[pos]);
		goto out;
	}
	if (!has_keys(info.type) || info.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
		ret = fail("map %s: a %s map has no entries to dump (%s)", info.name,
			   uxdp_ctl_map_type_name(info.type),
			   is_queue(info.type) ? "use map peek or pop" : "use ringbuf/perf read");
		goto out;
	}
	key = malloc(info.key_size);
	next = malloc(info.key_size);
	value = malloc(uxdp_map_value_bytes(m));
	if (!key || !next || !value) {
		ret = fail("out of memory");
		goto out;
	}
	/* Plain output with BTF is bpftool's: its JSON-like text, no count. */
	if (bf && !c->json) {
		plain = btf_fmt_plain(stdout);
		if (!plain) {
			ret = fail("out of memory");
			goto out;
		}
		btf_fmt_begin_list(plain);
	}
	if (c->json)
		uxdp_json_open(&c->j, '[');
	for (err = uxdp_map_get_next_key(m, NULL, next); !err;
	     err = uxdp_map_get_next_key(m, key, next)) {
		memcpy(key, next, info.key_size);
		/* Deleted since get_next_key: the walk goes on from it all the same. */
		if (uxdp_map_lookup_elem_copy(m, key, value))
			continue;
		if (plain)
			btf_fmt_entry(plain, bf, key, value);
		else
			print_entry(c, &info, key, value, bf);
		n++;
	}
	if (c->json) {
		uxdp_json_close(&c->j, ']');
		uxdp_json_end(&c->j);
	} else if (plain) {
		btf_fmt_end_list(plain);
		btf_fmt_end(plain);
	} else {
		printf("Found %u element%s\n", n, n == 1 ? "" : "s");
	}
	if (err != -ENOENT)
		ret = fail("map %s: dump: %s", info.name, strerror(-err));
out:
	free(key);
	free(next);
	free(value);
	btf_fmt_close(&bfs);
	uxdp_map_close(m);
	return ret;
}

/*
 * Parse `key FIELDS` at argv[*pos] (required unless optional) into a buffer of
 * exactly key_size bytes; *key stays NULL when absent and optional.
 */
static int parse_key(struct ctl *c, const struct uxdp_map_info *info, int argc, char **argv,
		     int *pos, bool optional, uint8_t **key)
{
	static uint8_t buf[UXDP_CTL_MAX_BYTES];
	char err[256];
	struct uxdp_ctl_parse p = { .instance = c->instance, .err = err, .err_size = sizeof(err) };
	size_t len;

	*key = NULL;
	if (*pos >= argc && optional)
		return 0;
	if (*pos >= argc || strcmp(argv[*pos], "key"))
		return usage_fail("expected 'key FIELDS'");
	(*pos)++;
	if (uxdp_ctl_parse_fields(&p, argc, argv, pos, buf, sizeof(buf), &len))
		return fail("key: %s", err);
	if (len != info->key_size)
		return fail("map %s: key is %zu bytes, the map's key size is %u", info->name, len,
			    info->key_size);
	*key = malloc(len ? len : 1);
	if (!*key)
		return fail("out of memory");
	memcpy(*key, buf, len);
	return 0;
}

static const char *errstr(int err)
{
	return uxdp_ctl_strerror(err);
}

/* Write one parsed entry; where names it in errors ("map x" or "FILE:LINE: map x"). */
static int apply_entry(struct ctl *c, const struct uxdp_ctl_entry *e, const char *where)
{
	char err[512];

	if (uxdp_ctl_apply_entry(c->instance, e, where, err, sizeof(err)))
		return fail("%s", err);
	return 0;
}

static int do_map_update(struct ctl *c, int argc, char **argv, int pos)
{
	struct uxdp_map_info info;
	struct uxdp_map *m;
	struct uxdp_ctl_entry e;
	char err[256], **tok;
	struct uxdp_ctl_parse p = { .instance = c->instance, .err = err, .err_size = sizeof(err) };
	int ret = open_map(c, argc, argv, &pos, &m, &info), n, i;

	if (ret)
		return ret;
	uxdp_map_close(m);
	/* Same words as a config line: "map NAME key ... value ... [flag]". */
	n = argc - pos + 2;
	tok = calloc(n, sizeof(*tok));
	if (!tok)
		return fail("out of memory");
	tok[0] = "map";
	tok[1] = info.name;
	for (i = 2; i < n; i++)
		tok[i] = argv[pos + i - 2];
	ret = uxdp_ctl_parse_entry(&p, n, tok, &e);
	free(tok);
	if (ret)
		return usage_fail("map update: %s", err);
	ret = apply_entry(c, &e, "map ");
	uxdp_ctl_entry_free(&e);
	if (!ret)
		json_null(c);
	return ret;
}

static int do_map_lookup(struct ctl *c, int argc, char **argv, int pos)
{
	struct uxdp_map_info info;
	struct uxdp_map *m;
	uint8_t *key = NULL, *value = NULL;
	struct btf_fmt bfs = { 0 };
	const struct btf_fmt *bf;
	struct btf_fmt_out *plain;
	int ret = open_map(c, argc, argv, &pos, &m, &info);

	if (ret)
		return ret;
	ret = parse_key(c, &info, argc, argv, &pos, false, &key);
	if (!ret && pos < argc)
		ret = usage_fail("map lookup: unexpected '%s'", argv[pos]);
	if (ret)
		goto out;
	value = malloc(uxdp_map_value_bytes(m) + 1);
	if (!value) {
		ret = fail("out of memory");
		goto out;
	}
	ret = uxdp_map_lookup_elem_copy(m, key, value);
	if (ret) {
		ret = fail("map %s: lookup: %s", info.name, errstr(ret));
		goto out;
	}
	bf = open_btf(m, &info, &bfs);
	if (bf && !c->json && (plain = btf_fmt_plain(stdout))) {
		btf_fmt_entry(plain, bf, key, value);
		btf_fmt_end(plain);
	} else {
		print_entry(c, &info, key, value, bf);
	}
	if (c->json)
		uxdp_json_end(&c->j);
out:
	free(key);
	free(value);
	btf_fmt_close(&bfs);
	uxdp_map_close(m);
	return ret;
}

static int do_map_delete(struct ctl *c, int argc, char **argv, int pos)
{
	struct uxdp_map_info info;
	struct uxdp_map *m;
	uint8_t *key = NULL;
	int ret = open_map(c, argc, argv, &pos, &m, &info);

	if (ret)
		return ret;
	ret = parse_key(c, &info, argc, argv, &pos, false, &key);
	if (!ret && pos < argc)
		ret = usage_fail("map delete: unexpected '%s'", argv[pos]);
	if (!ret) {
		ret = uxdp_map_delete_elem(m, key);
		if (ret)
			ret = fail("map %s: delete: %s", info.name, errstr(ret));
		else
			json_null(c);
	}
	free(key);
	uxdp_map_close(m);
	return ret;
}

static int do_map_getnext(struct ctl *c, int argc, char **argv, int pos)
{
	struct uxdp_json *j = &c->j;
	struct uxdp_map_info info;
	struct uxdp_map *m;
	uint8_t *key = NULL, *next = NULL;
	int ret = open_map(c, argc, argv, &pos, &m, &info);

	if (ret)
		return ret;
	ret = parse_key(c, &info, argc, argv, &pos, true, &key);
	if (!ret && pos < argc)
		ret = usage_fail("map getnext: unexpected '%s'", argv[pos]);
	if (ret)
		goto out;
	next = malloc(info.key_size ? info.key_size : 1);
	if (!next) {
		ret = fail("out of memory");
		goto out;
	}
	ret = uxdp_map_get_next_key(m, key, next);
	if (ret) {
		ret = fail("map %s: getnext: %s", info.name,
			   ret == -ENOENT ? "no next key" : errstr(ret));
		goto out;
	}
	if (c->json) {
		uxdp_json_open(j, '{');
		uxdp_json_key(j, "key");
		if (key)
			uxdp_json_hex(j, key, info.key_size);
		else
			uxdp_json_null(j);
		uxdp_json_key(j, "next_key");
		uxdp_json_hex(j, next, info.key_size);
		uxdp_json_close(j, '}');
		uxdp_json_end(j);
	} else {
		printf("key:\n");
		if (key)
			uxdp_ctl_fprint_hex(stdout, key, info.key_size);
		else
			printf("None");
		printf("\nnext key:\n");
		uxdp_ctl_fprint_hex(stdout, next, info.key_size);
		putchar('\n');
	}
out:
	free(key);
	free(next);
	uxdp_map_close(m);
	return ret;
}

/* push, pop, peek */
static int do_map_queue(struct ctl *c, const char *cmd, int argc, char **argv, int pos)
{
	static uint8_t buf[UXDP_CTL_MAX_BYTES];
	char err[256];
	struct uxdp_ctl_parse p = { .instance = c->instance, .err = err, .err_size = sizeof(err) };
	struct uxdp_map_info info;
	struct uxdp_map *m;
	size_t len;
	int ret = open_map(c, argc, argv, &pos, &m, &info);

	if (ret)
		return ret;
	if (!is_queue(info.type)) {
		ret = fail("map %s: %s needs a queue or stack, not %s", info.name, cmd,
			   uxdp_ctl_map_type_name(info.type));
		goto out;
	}
	if (!strcmp(cmd, "push")) {
		if (pos >= argc || strcmp(argv[pos], "value")) {
			ret = usage_fail("map push: expected 'value FIELDS'");
			goto out;
		}
		pos++;
		if (uxdp_ctl_parse_fields(&p, argc, argv, &pos, buf, sizeof(buf), &len)) {
			ret = usage_fail("value: %s", err);
			goto out;
		}
		if (pos < argc) {
			ret = usage_fail("map push: unexpected '%s'", argv[pos]);
			goto out;
		}
		if (len != info.value_size) {
			ret = fail("map %s: value is %zu bytes, the map's value size is %u",
				   info.name, len, info.value_size);
			goto out;
		}
		ret = uxdp_map_push(m, buf, BPF_ANY);
		if (ret)
			ret = fail("map %s: push: %s", info.name,
				   ret == -E2BIG ? "map full" : errstr(ret));
		else
			json_null(c);
		goto out;
	}
	if (pos < argc) {
		ret = usage_fail("map %s: unexpected '%s'", cmd, argv[pos]);
		goto out;
	}
	ret = !strcmp(cmd, "pop") ? uxdp_map_pop(m, buf) : uxdp_map_peek(m, buf);
	if (ret) {
		ret = fail("map %s: %s: %s", info.name, cmd,
			   ret == -ENOENT ? "empty" : errstr(ret));
		goto out;
	}
	if (c->json) {
		uxdp_json_open(&c->j, '{');
		uxdp_json_key(&c->j, "value");
		uxdp_json_hex(&c->j, buf, info.value_size);
		uxdp_json_close(&c->j, '}');
		uxdp_json_end(&c->j);
	} else {
		printf("value:%c", info.value_size > 16 ? '\n' : ' ');
		uxdp_ctl_fprint_hex(stdout, buf, info.value_size);
		putchar('\n');
	}
out:
	uxdp_map_close(m);
	return ret;
}

static int do_map_cleanup(struct ctl *c, const char *inst)
{
	int ret = uxdp_map_unlink_instance(inst), sret = uxdp_stats_shm_unlink(inst);
	int xret = uxdp_xsk_ring_unlink_instance(inst);

	if (!ret)
		ret = xret;
	if (ret)
		return fail("instance %s: %s", inst, strerror(-ret));
	if (sret && sret != -ENOENT)
		return fail("instance %s: stats: %s", inst, strerror(-sret));
	json_null(c);
	return 0;
}

/* bpftool's order, so that a prefix picks what it picks there (d: dump, l: list). */
static const char *const map_cmds[] = {
	"show", "list", "help", "dump", "update", "lookup", "getnext", "delete", "peek",
	"push", "enqueue", "pop", "dequeue", "cleanup", NULL,
};

static int do_map(struct ctl *c, int argc, char **argv, int pos)
{
	const char *word = pos < argc ? argv[pos++] : "list";
	const char *cmd = uxdpctl_match(word, map_cmds);

	if (!cmd)
		return usage_fail("map: unknown command '%s'", word);
	if (!strcmp(cmd, "help"))
		return object_help("map");
	if (!strcmp(cmd, "list"))
		return do_map_list(c, argc, argv, pos);
	if (!strcmp(cmd, "show"))
		return pos < argc ? do_map_show(c, argc, argv, pos) : do_map_list(c, argc, argv, pos);
	if (!strcmp(cmd, "dump"))
		return do_map_dump(c, argc, argv, pos);
	if (!strcmp(cmd, "lookup"))
		return do_map_lookup(c, argc, argv, pos);
	if (!strcmp(cmd, "update"))
		return do_map_update(c, argc, argv, pos);
	if (!strcmp(cmd, "delete"))
		return do_map_delete(c, argc, argv, pos);
	if (!strcmp(cmd, "getnext"))
		return do_map_getnext(c, argc, argv, pos);
	if (!strcmp(cmd, "push") || !strcmp(cmd, "enqueue"))
		return do_map_queue(c, "push", argc, argv, pos);
	if (!strcmp(cmd, "pop") || !strcmp(cmd, "dequeue"))
		return do_map_queue(c, "pop", argc, argv, pos);
	if (!strcmp(cmd, "peek"))
		return do_map_queue(c, "peek", argc, argv, pos);
	if (pos < argc)
		return usage_fail("map cleanup: unexpected '%s'", argv[pos]);
	return do_map_cleanup(c, c->instance);
}

/* ---- ringbuf / perf read ---- */

struct reader {
	struct ctl *c;
	uint64_t count, limit; /* limit 0: no limit */
	int cpu;               /* perf: the ring being read; ringbuf: -1 */
};

static int record_cb(void *arg, void *data, size_t size)
{
	struct reader *r = arg;
	struct uxdp_json *j = &r->c->j;
	const uint8_t *b = data;
	size_t i;

	if (r->c->json) {
		uxdp_json_open(j, '{');
		if (r->cpu >= 0) {
			uxdp_json_key(j, "cpu");
			uxdp_json_uint(j, (uint64_t)r->cpu);
		}
		uxdp_json_key(j, "size");
		uxdp_json_uint(j, size);
		uxdp_json_key(j, "data");
		uxdp_json_hex(j, data, size);
		uxdp_json_close(j, '}');
		uxdp_json_end(j);
	} else {
		if (r->cpu >= 0)
			printf("cpu %d: ", r->cpu);
		/* One record per line, whatever its size, so that lines are records. */
		for (i = 0; i < size; i++)
			printf(i ? " %02x" : "%02x", b[i]);
		putchar('\n');
		fflush(stdout);
	}
	r->count++;
	/* Negative stops the consumer after this record, which stays consumed. */
	return r->limit && r->count >= r->limit ? -ECANCELED : 0;
}

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int do_read(struct ctl *c, bool perf, int argc, char **argv, int pos)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "follow", no_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct reader r = { .c = c, .cpu = -1 };
	struct uxdp_map_info info;
	struct uxdp_map *m;
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t timeout = 0;
	bool follow = false;
	double start = mono_ms();
	char *end;
	uint32_t idx, one = 1;
	int ret = open_map(c, argc, argv, &pos, &m, &info), opt, n;

	if (ret)
		return ret;
	/* getopt over the words after MAP; argv[pos - 1] stands in for argv[0]. */
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc - pos + 1, argv + pos - 1, "+c:ft:", opts, NULL)) != -1) {
		if (opt == 'f') {
			follow = true;
			continue;
		}
		if (opt != 'c' && opt != 't') {
			ret = usage_fail("%s read: bad option", perf ? "perf" : "ringbuf");
			goto out;
		}
		errno = 0;
		if (opt == 'c')
			r.limit = strtoull(optarg, &end, 0);
		else
			timeout = strtoull(optarg, &end, 0);
		if (errno || *end || end == optarg || *optarg == '-') {
			ret = usage_fail("--%s: bad number '%s'", opt == 'c' ? "count" : "timeout",
					 optarg);
			goto out;
		}
	}
	if (optind < argc - pos + 1) {
		ret = usage_fail("unexpected '%s'", argv[pos - 1 + optind]);
		goto out;
	}
	if (info.type != (perf ? BPF_MAP_TYPE_PERF_EVENT_ARRAY : BPF_MAP_TYPE_RINGBUF)) {
		ret = fail("map %s: %s, not %s", info.name, uxdp_ctl_map_type_name(info.type),
			   perf ? "perf_event_array" : "ringbuf");
		goto out;
	}
	/* Like a libbpf perf_buffer: rings only take records once a reader enables them. */
	for (idx = 0; perf && idx < info.max_entries; idx++) {
		ret = uxdp_map_update_elem(m, &idx, &one, BPF_ANY);
		if (ret) {
			ret = fail("map %s: enabling ring %u: %s", info.name, idx, errstr(ret));
			goto out;
		}
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (;;) {
		n = 0;
		if (!perf) {
			n = uxdp_ringbuf_consume(m, record_cb, &r);
		} else {
			for (idx = 0; idx < info.max_entries && n >= 0; idx++) {
				r.cpu = (int)idx;
				ret = uxdp_perf_consume(m, idx, record_cb, &r);
				n = ret < 0 ? ret : n + ret;
			}
		}
		if (n < 0 && n != -ECANCELED) {
			ret = fail("map %s: read: %s", info.name, strerror(-n));
			goto out;
		}
		if ((r.limit && r.count >= r.limit) || stop)
			break;
		if (!follow && !timeout)
			break;
		if (timeout && mono_ms() - start >= (double)timeout)
			break;
		if (n == 0)
			nanosleep(&(struct timespec){ .tv_nsec = 2000000 }, NULL);
	}
	for (idx = 0; perf && idx < info.max_entries; idx++)
		if (uxdp_perf_lost(m, idx))
			fprintf(stderr, "uxdpctl: map %s: ring %u lost %llu records\n", info.name, idx,
				(unsigned long long)uxdp_perf_lost(m, idx));
	ret = 0;
out:
	uxdp_map_close(m);
	return ret;
}

/* ---- xsk read ---- */

struct xsk_reader {
	struct ctl *c;
	uint32_t index;
	uint64_t count, limit; /* limit 0: no limit */
	struct pcap_out *pcap; /* --pcap, else print */
};

static int xsk_frame_cb(void *arg, const void *data, uint32_t len, uint64_t ts_ns)
{
	struct xsk_reader *r = arg;
	struct uxdp_json *j = &r->c->j;
	const uint8_t *b = data;
	uint32_t i;

	if (r->pcap) {
		pcap_out_frame(r->pcap, data, len, ts_ns);
	} else if (r->c->json) {
		uxdp_json_open(j, '{');
		uxdp_json_key(j, "index");
		uxdp_json_uint(j, r->index);
		uxdp_json_key(j, "ts_ns");
		uxdp_json_uint(j, ts_ns);
		uxdp_json_key(j, "size");
		uxdp_json_uint(j, len);
		uxdp_json_key(j, "data");
		uxdp_json_hex(j, data, len);
		uxdp_json_close(j, '}');
		uxdp_json_end(j);
	} else {
		/* One frame per line, as ringbuf read prints records. */
		for (i = 0; i < len; i++)
			printf(i ? " %02x" : "%02x", b[i]);
		putchar('\n');
	}
	r->count++;
	return r->limit && r->count >= r->limit ? -ECANCELED : 0;
}

/*
 * xsk read MAP INDEX: consume what the driver put in the ring of xskmap
 * slot INDEX (uxdp/xsk_ring.h), i.e. what an AF_XDP socket bound there would
 * have received.  A slot that never got a frame has no ring: nothing to read.
 */
static int do_xsk_read(struct ctl *c, int argc, char **argv, int pos)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "pcap", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	struct xsk_reader r = { .c = c };
	char perr[512];
	struct uxdp_xsk_ring *ring = NULL;
	struct uxdp_map_info info;
	struct uxdp_map *m;
	const char *pcap_path = NULL;
	uint64_t delivered, dropped;
	char *end;
	int ret = open_map(c, argc, argv, &pos, &m, &info), opt, n;

	if (ret)
		return ret;
	if (pos >= argc) {
		ret = usage_fail("usage: xsk read MAP INDEX [--count N] [--pcap FILE]");
		goto out;
	}
	errno = 0;
	r.index = (uint32_t)strtoul(argv[pos], &end, 0);
	if (errno || *end || end == argv[pos] || *argv[pos] == '-') {
		ret = usage_fail("xsk read: bad INDEX '%s'", argv[pos]);
		goto out;
	}
	pos++;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc - pos + 1, argv + pos - 1, "+c:w:", opts, NULL)) != -1) {
		if (opt == 'w') {
			pcap_path = optarg;
			continue;
		}
		if (opt != 'c') {
			ret = usage_fail("xsk read: bad option");
			goto out;
		}
		errno = 0;
		r.limit = strtoull(optarg, &end, 0);
		if (errno || *end || end == optarg || *optarg == '-') {
			ret = usage_fail("--count: bad number '%s'", optarg);
			goto out;
		}
	}
	if (optind < argc - pos + 1) {
		ret = usage_fail("unexpected '%s'", argv[pos - 1 + optind]);
		goto out;
	}
	if (info.type != BPF_MAP_TYPE_XSKMAP) {
		ret = fail("map %s: %s, not xskmap", info.name, uxdp_ctl_map_type_name(info.type));
		goto out;
	}
	if (r.index >= info.max_entries) {
		ret = fail("map %s: index %u out of range (max_entries %u)", info.name, r.index,
			   info.max_entries);
		goto out;
	}
	if (pcap_path && pcap_out_open(pcap_path, &r.pcap, perr, sizeof(perr))) {
		ret = fail("%s", perr);
		goto out;
	}
	ret = uxdp_xsk_ring_open(c->instance, info.name, r.index, false, &ring);
	if (ret && ret != -ENOENT) {
		ret = fail("map %s: ring %u: %s", info.name, r.index, strerror(-ret));
		goto out;
	}
	n = ring ? uxdp_xsk_ring_consume(ring, xsk_frame_cb, &r) : 0;
	if (n < 0 && n != -ECANCELED) {
		ret = fail("map %s: ring %u: read: %s", info.name, r.index, strerror(-n));
		goto out;
	}
	if (ring) {
		uxdp_xsk_ring_counters(ring, &delivered, &dropped);
		if (dropped)
			fprintf(stderr, "uxdpctl: map %s: ring %u dropped %llu frames (full)\n",
				info.name, r.index, (unsigned long long)dropped);
	}
	ret = 0;
	fflush(stdout);
out:
	if (pcap_out_close(r.pcap, perr, sizeof(perr)) && !ret)
		ret = fail("%s", perr);
	uxdp_xsk_ring_close(ring);
	uxdp_map_close(m);
	return ret;
}

/* ---- stats ---- */

static int do_stats(struct ctl *c, int argc, char **argv, int pos)
{
	static const char *const names[UXDP_N_VERDICTS] = {
		"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT",
	};
	struct uxdp_json *j = &c->j;
	const struct uxdp_stats_shm *s;
	struct uxdp_stats_shm snap;
	uint64_t tp = 0, tb = 0, now_ns, ms;
	unsigned int v;
	int ret;

	if (pos < argc)
		return usage_fail("stats: unexpected '%s'", argv[pos]);
	ret = uxdp_stats_shm_open(c->instance, &s);
	if (ret == -ENOENT)
		return fail("instance %s: no counters (is uxdp running with --instance %s?)",
			    c->instance, c->instance);
	if (ret)
		return fail("instance %s: stats: %s", c->instance, strerror(-ret));
	uxdp_stats_shm_read(s, &snap);
	uxdp_stats_shm_close(s);
	now_ns = uxdp_realtime_ns();
	ms = ((snap.state == UXDP_STATS_DONE ? snap.end_ns : now_ns) - snap.start_ns) / 1000000;
	for (v = 0; v < UXDP_N_VERDICTS; v++) {
		tp += snap.stats.packets[v];
		tb += snap.stats.bytes[v];
	}
	if (!c->json) {
		printf("instance %s  pid %d  %s  %.3f s\n", c->instance, snap.pid,
		       snap.state == UXDP_STATS_DONE ? "finished" : "running", ms / 1e3);
		printf("%-14s %14s %16s\n", "verdict", "packets", "bytes");
		for (v = 0; v < UXDP_N_VERDICTS; v++)
			printf("%-14s %14llu %16llu\n", names[v],
			       (unsigned long long)snap.stats.packets[v],
			       (unsigned long long)snap.stats.bytes[v]);
		printf("%-14s %14llu %16llu\n", "total", (unsigned long long)tp,
		       (unsigned long long)tb);
		uxdpctl_stats_versions(c->instance);
		return 0;
	}
	uxdp_json_open(j, '{');
	uxdp_json_key(j, "instance");
	uxdp_json_str(j, c->instance);
	uxdp_json_key(j, "pid");
	uxdp_json_uint(j, (uint64_t)snap.pid);
	uxdp_json_key(j, "running");
	uxdp_json_bool(j, snap.state != UXDP_STATS_DONE);
	uxdp_json_key(j, "elapsed_ms");
	uxdp_json_uint(j, ms);
	uxdp_json_key(j, "verdicts");
	uxdp_json_open(j, '{');
	for (v = 0; v < UXDP_N_VERDICTS; v++) {
		uxdp_json_key(j, names[v]);
		uxdp_json_open(j, '{');
		uxdp_json_key(j, "packets");
		uxdp_json_uint(j, snap.stats.packets[v]);
		uxdp_json_key(j, "bytes");
		uxdp_json_uint(j, snap.stats.bytes[v]);
		uxdp_json_close(j, '}');
	}
	uxdp_json_close(j, '}');
	uxdp_json_key(j, "packets");
	uxdp_json_uint(j, tp);
	uxdp_json_key(j, "bytes");
	uxdp_json_uint(j, tb);
	uxdp_json_close(j, '}');
	uxdp_json_end(j);
	return 0;
}

/* ---- instances ---- */

static int do_instance_list(struct ctl *c)
{
	char *names[MAX_INSTANCES];
	size_t n = collect_instances(names), i;

	if (c->json)
		uxdp_json_open(&c->j, '[');
	for (i = 0; i < n; i++) {
		uxdpctl_instance_row(names[i], c->json, &c->j);
		free(names[i]);
	}
	if (c->json) {
		uxdp_json_close(&c->j, ']');
		uxdp_json_end(&c->j);
	}
	return 0;
}

static const char *const instance_cmds[] = { "show", "list", "help", "delete", NULL };

static int do_instance(struct ctl *c, int argc, char **argv, int pos)
{
	const char *word = pos < argc ? argv[pos++] : "list";
	const char *cmd = uxdpctl_match(word, instance_cmds);
	int ret;

	if (!cmd)
		return usage_fail("instance: unknown command '%s'", word);
	if (!strcmp(cmd, "help"))
		return object_help("instance");
	if (!strcmp(cmd, "list") || !strcmp(cmd, "show")) {
		if (pos < argc)
			return usage_fail("instance list: unexpected '%s'", argv[pos]);
		return do_instance_list(c);
	}
	/* delete */
	if (pos + 1 != argc)
		return usage_fail("usage: instance delete NAME");
	if (uxdpctl_instance_busy(argv[pos]))
		return 1;
	ret = uxdp_instance_forget(argv[pos]);
	if (ret && ret != -ENOENT)
		return fail("instance %s: run record: %s", argv[pos], strerror(-ret));
	return do_map_cleanup(c, argv[pos]);
}

/* ---- apply ---- */

static int do_apply(struct ctl *c, int argc, char **argv, int pos)
{
	char err[640];

	if (pos + 1 != argc)
		return usage_fail("usage: apply FILE");
	if (uxdp_ctl_apply_file(c->instance, argv[pos], NULL, err, sizeof(err)))
		return fail("%s", err);
	json_null(c);
	return 0;
}

/* bpftool's order of objects: p is prog, pe perf. */
static const char *const objects[] = {
	"prog", "map", "perf", "ringbuf", "xsk", "stats", "instance", "apply", "help", NULL,
};

/*
 * Take the global options that follow the command out of argv (bpftool
 * accepts them anywhere): -j, --json, --pretty, --instance NAME, and -p
 * except under prog, whose load and replace have a -p PROG of their own.
 * Other words that start with '-' stay: they are command options or
 * values ("-1").  Returns the new argc.
 */
static int hoist_options(struct ctl *c, bool *pretty, const char *object, int argc, char **argv,
			 int from)
{
	int out = from;

	for (int i = from; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			c->json = true;
		} else if (!strcmp(a, "--pretty") || (!strcmp(a, "-p") && strcmp(object, "prog"))) {
			c->json = *pretty = true;
		} else if (!strcmp(a, "--instance") && i + 1 < argc) {
			c->instance = argv[++i];
		} else if (!strncmp(a, "--instance=", 11)) {
			c->instance = a + 11;
		} else {
			argv[out++] = argv[i];
		}
	}
	return out;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "instance", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl c = { .instance = UXDP_DEFAULT_INSTANCE };
	bool pretty = false;
	const char *cmd, *read;
	int opt;

	/* '+': options come before the command, so values like "-1" stay words. */
	opterr = 0;
	err_ctl = &c;
	while ((opt = getopt_long(argc, argv, "+:jphV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i': c.instance = optarg; break;
		case 'j': c.json = true; break;
		case 'p': c.json = pretty = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("uxdpctl %s\n", UXDP_VERSION); return 0;
		case ':': return usage_fail("option '%s' needs an argument", argv[optind - 1]);
		default: return usage_fail("bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		uxdp_json_init(&c.j, stdout, pretty);
		return usage_fail("no command");
	}
	cmd = uxdpctl_match(argv[optind], objects);
	argc = hoist_options(&c, &pretty, cmd ? cmd : "", argc, argv, optind + 1);
	uxdp_json_init(&c.j, stdout, pretty);
	if (!cmd)
		return usage_fail("unknown command '%s'", argv[optind]);
	optind++;
	if (optind < argc && strcmp(cmd, "apply") && strcmp(cmd, "stats") &&
	    uxdpctl_match(argv[optind], (const char *const[]){ "help", NULL }))
		return strcmp(cmd, "help") ? object_help(cmd) : (usage(stdout), 0);
	if (!strcmp(cmd, "map"))
		return do_map(&c, argc, argv, optind);
	if (!strcmp(cmd, "ringbuf") || !strcmp(cmd, "perf")) {
		read = optind < argc ? uxdpctl_match(argv[optind], (const char *const[]){ "read", NULL })
				     : NULL;
		if (!read)
			return usage_fail("usage: %s read MAP [--count N] [--follow] [--timeout MS]",
					  cmd);
		return do_read(&c, cmd[1] == 'e', argc, argv, optind + 1);
	}
	if (!strcmp(cmd, "xsk")) {
		read = optind < argc ? uxdpctl_match(argv[optind], (const char *const[]){ "read", NULL })
				     : NULL;
		if (!read)
			return usage_fail("usage: xsk read MAP INDEX [--count N] [--pcap FILE]");
		return do_xsk_read(&c, argc, argv, optind + 1);
	}
	if (!strcmp(cmd, "stats"))
		return do_stats(&c, argc, argv, optind);
	if (!strcmp(cmd, "instance"))
		return do_instance(&c, argc, argv, optind);
	if (!strcmp(cmd, "apply"))
		return do_apply(&c, argc, argv, optind);
	if (!strcmp(cmd, "prog"))
		return uxdpctl_prog(c.instance, c.json, &c.j, argc, argv, optind);
	return usage(stdout), 0;
}
