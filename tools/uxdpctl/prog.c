// SPDX-License-Identifier: MIT
/*
 * prog.c - uxdpctl's words for the data-plane daemon and for instances:
 *
 *	uxdpctl [--instance NAME] prog [--socket PATH] list|show|load|attach|detach|replace|
 *	        unload|ports ...
 *	uxdpctl instance list        (one line per instance: owner, liveness, programs)
 *
 * The daemon is found through its instance's run record (its socket path),
 * else at the instance's default socket (/run/uxdp/<instance>.sock).
 * Interfaces are named as the daemon names its ports (so uxdpctl need not
 * run in the daemon's network namespace), or by ifindex, or "all".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uxdp/daemon_client.h>
#include <uxdp/instance_owner.h>
#include <uxdp/runtime.h>

#include "cmd.h"
#include "prog.h"

static const char *const verdicts[UXDP_DN_VERDICTS] = {
	"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT",
};

struct pctx {
	const char *instance;
	bool json;
	struct uxdp_json *j;
	struct uxdp_daemon *d;
	struct uxdp_dmsg_port ports[UXDP_DMAX_ATTACH];
	size_t nports;
};

static int perr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int perr(const char *fmt, ...)
{
	va_list ap;

	fputs("uxdpctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static int pusage(const char *what)
{
	fprintf(stderr, "uxdpctl: usage: prog %s (uxdpctl -h for help)\n", what);
	return 2;
}

static int connect_daemon(struct pctx *p, const char *socket)
{
	struct uxdp_owner_info own;
	char path[128], err[512];
	size_t n = 0;
	int ret;

	if (!socket && uxdp_instance_owner_read(p->instance, &own) == 0 && own.alive &&
	    own.socket[0]) {
		snprintf(path, sizeof(path), "%s", own.socket);
		socket = path;
	} else if (!socket) {
		if (uxdp_instance_owner_read(p->instance, &own) == 0 && own.alive &&
		    strcmp(own.kind, "uxdpd"))
			return perr("instance %s is run by %s (pid %d), which has no control socket: "
				    "programs are changed through uxdpd", p->instance, own.kind,
				    own.pid);
		if (uxdp_daemon_default_path(p->instance, path, sizeof(path)))
			return perr("bad instance name '%s'", p->instance);
		socket = path;
	}
	ret = uxdp_daemon_connect(socket, &p->d, err, sizeof(err));
	if (ret)
		return perr("%s", err);
	ret = uxdp_daemon_port_list(p->d, p->ports, UXDP_DMAX_ATTACH, &n, err, sizeof(err));
	if (ret)
		return perr("%s", err);
	p->nports = n < UXDP_DMAX_ATTACH ? n : UXDP_DMAX_ATTACH;
	return 0;
}

/* "all" (0), a port name the daemon knows, an ifindex, or a name here. */
static int parse_iface(struct pctx *p, const char *s, uint32_t *ifindex)
{
	char *end;
	unsigned long v;
	size_t i;

	if (!strcmp(s, "all")) {
		*ifindex = 0;
		return 0;
	}
	for (i = 0; i < p->nports; i++)
		if (p->ports[i].name[0] && !strcmp(p->ports[i].name, s)) {
			*ifindex = p->ports[i].ifindex;
			return 0;
		}
	v = strtoul(s, &end, 10);
	if (*s && !*end && v && v <= UINT32_MAX) {
		*ifindex = (uint32_t)v;
		return 0;
	}
	*ifindex = if_nametoindex(s);
	if (*ifindex)
		return 0;
	return perr("interface %s: the daemon has no such port (uxdpctl prog ports)", s);
}

static const char *port_name(const struct pctx *p, uint32_t ifindex, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < p->nports; i++)
		if (p->ports[i].ifindex == ifindex && p->ports[i].name[0])
			return p->ports[i].name;
	snprintf(buf, size, "%u", ifindex);
	return buf;
}

static void tag_hex(const uint8_t tag[8], char out[17])
{
	int i;

	for (i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", tag[i]);
}

static void print_info_text(const struct pctx *p, const struct uxdp_dmsg_prog_info *in,
			    bool detail)
{
	char tag[17], nb[16];
	uint64_t total = 0;
	time_t t = (time_t)(in->load_time_ns / 1000000000u);
	struct tm tm;
	char when[32];
	unsigned int i;

	tag_hex(in->tag, tag);
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	for (i = 0; i < UXDP_DN_VERDICTS; i++)
		total += in->packets[i];
	printf("%u: xdp  name %s  tag %s%s%s\n", in->id, in->name, tag,
	       in->flags & UXDP_PROG_INFO_F_PINNED ? "  pinned" : "",
	       in->flags & UXDP_PROG_INFO_F_RELEASED ? "  released" : "");
	printf("\tloaded_at %s  object %s%s\n", when, in->object,
	       in->flags & UXDP_PROG_INFO_F_COMPILED ?
	       (in->flags & UXDP_PROG_INFO_F_CACHED ? " (compiled, cached)" : " (compiled)") : "");
	printf("\tchecked by %s\n", uxdp_confinement_name(in->confinement));
	printf("\tattached");
	if (!in->n_attached)
		printf(" -");
	for (i = 0; i < in->n_attached && i < UXDP_DMAX_ATTACH; i++) {
		printf(" %s", port_name(p, in->attached[i], nb, sizeof(nb)));
		if (in->attached_link[i])
			printf(" (link %u)", in->attached_link[i]);
	}
	printf("\n\trun_cnt %llu", (unsigned long long)total);
	for (i = 0; i < UXDP_DN_VERDICTS; i++)
		if (detail || in->packets[i])
			printf("  %s %llu", verdicts[i], (unsigned long long)in->packets[i]);
	printf("\n");
	if (detail) {
		printf("\tmap_ids");
		if (!in->n_map_ids)
			printf(" -");
		for (i = 0; i < in->n_map_ids && i < UXDP_DMAX_MAP_IDS; i++)
			printf("%s%u", i ? "," : " ", in->map_ids[i]);
		printf("\n\tbytes");
		for (i = 0; i < UXDP_DN_VERDICTS; i++)
			printf("  %s %llu", verdicts[i], (unsigned long long)in->bytes[i]);
		printf("\n");
	}
}

static void print_info_json(const struct pctx *p, const struct uxdp_dmsg_prog_info *in)
{
	struct uxdp_json *j = p->j;
	char tag[17], nb[16];
	unsigned int i;

	tag_hex(in->tag, tag);
	uxdp_json_open(j, '{');
	uxdp_json_key(j, "id");
	uxdp_json_uint(j, in->id);
	uxdp_json_key(j, "type");
	uxdp_json_str(j, "xdp");
	uxdp_json_key(j, "name");
	uxdp_json_str(j, in->name);
	uxdp_json_key(j, "tag");
	uxdp_json_str(j, tag);
	uxdp_json_key(j, "object");
	uxdp_json_str(j, in->object);
	uxdp_json_key(j, "loaded_at_ns");
	uxdp_json_uint(j, in->load_time_ns);
	uxdp_json_key(j, "pinned");
	uxdp_json_bool(j, in->flags & UXDP_PROG_INFO_F_PINNED);
	uxdp_json_key(j, "released");
	uxdp_json_bool(j, in->flags & UXDP_PROG_INFO_F_RELEASED);
	uxdp_json_key(j, "confinement");
	uxdp_json_str(j, uxdp_confinement_name(in->confinement));
	uxdp_json_key(j, "attached");
	uxdp_json_open(j, '[');
	for (i = 0; i < in->n_attached && i < UXDP_DMAX_ATTACH; i++)
		uxdp_json_str(j, port_name(p, in->attached[i], nb, sizeof(nb)));
	uxdp_json_close(j, ']');
	/* The link holding each attached port (0: attached without one). */
	uxdp_json_key(j, "attached_links");
	uxdp_json_open(j, '[');
	for (i = 0; i < in->n_attached && i < UXDP_DMAX_ATTACH; i++)
		uxdp_json_uint(j, in->attached_link[i]);
	uxdp_json_close(j, ']');
	uxdp_json_key(j, "map_ids");
	uxdp_json_open(j, '[');
	for (i = 0; i < in->n_map_ids && i < UXDP_DMAX_MAP_IDS; i++)
		uxdp_json_uint(j, in->map_ids[i]);
	uxdp_json_close(j, ']');
	uxdp_json_key(j, "verdicts");
	uxdp_json_open(j, '{');
	for (i = 0; i < UXDP_DN_VERDICTS; i++) {
		uxdp_json_key(j, verdicts[i]);
		uxdp_json_open(j, '{');
		uxdp_json_key(j, "packets");
		uxdp_json_uint(j, in->packets[i]);
		uxdp_json_key(j, "bytes");
		uxdp_json_uint(j, in->bytes[i]);
		uxdp_json_close(j, '}');
	}
	uxdp_json_close(j, '}');
	uxdp_json_close(j, '}');
}

/* list: the loaded programs; show [ID] [--all]: the same with every counter. */
static int do_list(struct pctx *p, int argc, char **argv, int pos, bool detail)
{
	uint32_t ids[1024], flags = 0, only = 0;
	struct uxdp_dmsg_prog_info in;
	char err[512], *end;
	size_t n = 0, i;
	int ret;

	for (; pos < argc; pos++) {
		if (!strcmp(argv[pos], "--all"))
			flags |= UXDP_LIST_F_RELEASED;
		else if (detail && !only && (only = (uint32_t)strtoul(argv[pos], &end, 10)) && !*end)
			;
		else
			return pusage(detail ? "show [ID] [--all]" : "list [--all]");
	}
	if (only) {
		ids[0] = only;
		n = 1;
	} else {
		ret = uxdp_daemon_prog_list(p->d, flags, ids, 1024, &n, err, sizeof(err));
		if (ret)
			return perr("%s", err);
	}
	if (p->json)
		uxdp_json_open(p->j, '[');
	for (i = 0; i < n && i < 1024; i++) {
		ret = uxdp_daemon_prog_info(p->d, ids[i], &in, err, sizeof(err));
		if (ret)
			return perr("%s", err);
		if (p->json)
			print_info_json(p, &in);
		else
			print_info_text(p, &in, detail);
	}
	if (p->json) {
		uxdp_json_close(p->j, ']');
		uxdp_json_end(p->j);
	}
	return 0;
}

static int do_ports(struct pctx *p)
{
	size_t i;

	if (p->json)
		uxdp_json_open(p->j, '[');
	for (i = 0; i < p->nports; i++) {
		if (!p->json) {
			printf("%u: %s  prog %u\n", p->ports[i].ifindex,
			       p->ports[i].name[0] ? p->ports[i].name : "-", p->ports[i].prog_id);
			continue;
		}
		uxdp_json_open(p->j, '{');
		uxdp_json_key(p->j, "ifindex");
		uxdp_json_uint(p->j, p->ports[i].ifindex);
		uxdp_json_key(p->j, "name");
		uxdp_json_str(p->j, p->ports[i].name);
		uxdp_json_key(p->j, "prog_id");
		uxdp_json_uint(p->j, p->ports[i].prog_id);
		uxdp_json_close(p->j, '}');
	}
	if (p->json) {
		uxdp_json_close(p->j, ']');
		uxdp_json_end(p->j);
	}
	return 0;
}

/* Load options after the object: -p NAME, -O N, --recreate-maps, --trust-unverified, --no-cache. */
static int parse_load(int argc, char **argv, int *pos, struct uxdp_daemon_load_opts *lo)
{
	for (; *pos < argc && argv[*pos][0] == '-'; (*pos)++) {
		const char *a = argv[*pos];

		if ((!strcmp(a, "-p") || !strcmp(a, "--prog")) && *pos + 1 < argc) {
			lo->prog = argv[++*pos];
		} else if (!strncmp(a, "-O", 2) && a[2] >= '0' && a[2] <= '3' && !a[3]) {
			lo->opt_level = a[2] - '0';
			lo->set_opt_level = true;
		} else if (!strcmp(a, "--recreate-maps")) {
			lo->flags |= UXDP_LOAD_F_RECREATE_MAPS;
		} else if (!strcmp(a, "--trust-unverified")) {
			lo->flags |= UXDP_LOAD_F_TRUST_UNVERIFIED;
		} else if (!strcmp(a, "--no-cache")) {
			lo->flags |= UXDP_LOAD_F_NO_CACHE;
		} else {
			return -1;
		}
	}
	return 0;
}

#define LOAD_OPTS "[-p PROG] [-O0..3] [--recreate-maps] [--trust-unverified] [--no-cache]"

static void print_id(struct pctx *p, uint32_t id)
{
	if (p->json) {
		uxdp_json_open(p->j, '{');
		uxdp_json_key(p->j, "id");
		uxdp_json_uint(p->j, id);
		uxdp_json_close(p->j, '}');
		uxdp_json_end(p->j);
	} else {
		printf("%u\n", id);
	}
}

/* load OBJECT [opts]: pinned, so it outlives this command; prints its id. */
static int do_load(struct pctx *p, int argc, char **argv, int pos)
{
	struct uxdp_daemon_load_opts lo = { .fd = -1, .flags = UXDP_LOAD_F_PIN };
	char err[1024];
	uint32_t id;

	if (pos >= argc)
		return pusage("load OBJECT " LOAD_OPTS);
	lo.path = argv[pos++];
	if (parse_load(argc, argv, &pos, &lo) || pos != argc)
		return pusage("load OBJECT " LOAD_OPTS);
	if (uxdp_daemon_prog_load(p->d, &lo, &id, err, sizeof(err)))
		return perr("%s", err);
	print_id(p, id);
	return 0;
}

static int parse_id(const char *s, uint32_t *id)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || !v || v > UINT32_MAX)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

/* attach ID IFACE|all [--replace] */
static int do_attach(struct pctx *p, int argc, char **argv, int pos)
{
	uint32_t id, ifindex, flags = 0;
	char err[1024];

	if (argc - pos == 3 && !strcmp(argv[pos + 2], "--replace"))
		flags = UXDP_ATTACH_F_REPLACE;
	else if (argc - pos != 2)
		return pusage("attach ID IFACE|all [--replace]");
	if (parse_id(argv[pos], &id))
		return pusage("attach ID IFACE|all [--replace]");
	if (parse_iface(p, argv[pos + 1], &ifindex))
		return 1;
	if (uxdp_daemon_prog_attach(p->d, id, ifindex, flags, err, sizeof(err)))
		return perr("%s", err);
	return 0;
}

/* detach IFACE|all [ID] */
static int do_detach(struct pctx *p, int argc, char **argv, int pos)
{
	uint32_t id = 0, ifindex;
	char err[1024];

	if (argc - pos < 1 || argc - pos > 2 || (argc - pos == 2 && parse_id(argv[pos + 1], &id)))
		return pusage("detach IFACE|all [ID]");
	if (parse_iface(p, argv[pos], &ifindex))
		return 1;
	if (uxdp_daemon_prog_detach(p->d, ifindex, id, err, sizeof(err)))
		return perr("%s", err);
	return 0;
}

/*
 * replace IFACE|all (ID | OBJECT [load opts]) [--old ID]: an object is
 * loaded first, held by this connection only, so the ports hold it after.
 */
static int do_replace(struct pctx *p, int argc, char **argv, int pos)
{
	struct uxdp_daemon_load_opts lo = { .fd = -1 };
	static const char *const use = "replace IFACE|all ID|OBJECT [load options] [--old ID]";
	uint32_t ifindex, id = 0, old = 0;
	char err[1024];
	const char *what;
	int i;

	if (argc - pos < 2)
		return pusage(use);
	if (parse_iface(p, argv[pos++], &ifindex))
		return 1;
	what = argv[pos++];
	/* --old may come anywhere after; take it out first. */
	for (i = pos; i < argc; i++) {
		if (strcmp(argv[i], "--old"))
			continue;
		if (i + 1 >= argc || parse_id(argv[i + 1], &old))
			return pusage(use);
		memmove(&argv[i], &argv[i + 2], (argc - i - 2) * sizeof(*argv));
		argc -= 2;
		break;
	}
	if (parse_id(what, &id)) {
		lo.path = what;
		if (parse_load(argc, argv, &pos, &lo) || pos != argc)
			return pusage(use);
		if (uxdp_daemon_prog_load(p->d, &lo, &id, err, sizeof(err)))
			return perr("%s", err);
	} else if (pos != argc) {
		return pusage(use);
	}
	if (uxdp_daemon_prog_replace(p->d, ifindex, old, id, err, sizeof(err)))
		return perr("%s", err);
	print_id(p, id);
	return 0;
}

static int do_unload(struct pctx *p, int argc, char **argv, int pos)
{
	uint32_t id;
	char err[1024];

	if (argc - pos != 1 || parse_id(argv[pos], &id))
		return pusage("unload ID");
	if (uxdp_daemon_prog_unload(p->d, id, err, sizeof(err)))
		return perr("%s", err);
	return 0;
}

/* bpftool's order where it has the word (show before list), so prefixes agree. */
static const char *const prog_cmds[] = {
	"show", "list", "load", "attach", "detach", "replace", "unload", "ports", NULL,
};

int uxdpctl_prog(const char *instance, bool json, struct uxdp_json *j, int argc, char **argv,
		 int pos)
{
	struct pctx p = { .instance = instance, .json = json, .j = j };
	const char *socket = NULL, *cmd, *word;
	int ret;

	if (pos + 1 < argc && !strcmp(argv[pos], "--socket")) {
		socket = argv[pos + 1];
		pos += 2;
	}
	word = pos < argc ? argv[pos++] : "list";
	cmd = uxdpctl_match(word, prog_cmds);
	if (!cmd) {
		fprintf(stderr, "uxdpctl: prog: unknown command '%s' (uxdpctl -h for help)\n", word);
		return 2;
	}
	ret = connect_daemon(&p, socket);
	if (ret)
		return ret;
	if (!strcmp(cmd, "list") || !strcmp(cmd, "show"))
		ret = do_list(&p, argc, argv, pos, cmd[0] == 's');
	else if (!strcmp(cmd, "ports"))
		ret = do_ports(&p);
	else if (!strcmp(cmd, "load"))
		ret = do_load(&p, argc, argv, pos);
	else if (!strcmp(cmd, "attach"))
		ret = do_attach(&p, argc, argv, pos);
	else if (!strcmp(cmd, "detach"))
		ret = do_detach(&p, argc, argv, pos);
	else if (!strcmp(cmd, "replace"))
		ret = do_replace(&p, argc, argv, pos);
	else
		ret = do_unload(&p, argc, argv, pos);
	uxdp_daemon_close(p.d);
	return ret;
}

/* ---- instances ---- */

static void fmt_time(uint64_t ns, char *buf, size_t size)
{
	time_t t = (time_t)(ns / 1000000000u);
	struct tm tm;

	if (!ns) {
		snprintf(buf, size, "-");
		return;
	}
	localtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
}

static const char *liveness(const struct uxdp_owner_info *o)
{
	if (o->alive)
		return "alive";
	return o->state == UXDP_OWNER_RUNNING ? "dead (crashed)" : "dead (exited)";
}

void uxdpctl_instance_row(const char *name, bool json, struct uxdp_json *j)
{
	struct uxdp_owner_info o;
	bool have = uxdp_instance_owner_read(name, &o) == 0;
	char since[32];

	if (!json) {
		if (!have) {
			printf("%s\n", name);
			return;
		}
		fmt_time(o.start_ns, since, sizeof(since));
		printf("%s  %s  %s pid %d  since %s  driver %s", name, liveness(&o), o.kind, o.pid,
		       since, o.driver[0] ? o.driver : "-");
		if (o.interfaces[0])
			printf("  interfaces %s", o.interfaces);
		if (o.programs[0])
			printf("  programs %s", o.programs);
		if (o.object[0])
			printf("  object %s", o.object);
		if (o.socket[0])
			printf("  socket %s", o.socket);
		printf("\n");
		return;
	}
	uxdp_json_open(j, '{');
	uxdp_json_key(j, "name");
	uxdp_json_str(j, name);
	if (have) {
		uxdp_json_key(j, "alive");
		uxdp_json_bool(j, o.alive);
		uxdp_json_key(j, "state");
		uxdp_json_str(j, liveness(&o));
		uxdp_json_key(j, "kind");
		uxdp_json_str(j, o.kind);
		uxdp_json_key(j, "pid");
		uxdp_json_uint(j, (uint64_t)o.pid);
		uxdp_json_key(j, "start_ns");
		uxdp_json_uint(j, o.start_ns);
		uxdp_json_key(j, "driver");
		uxdp_json_str(j, o.driver);
		uxdp_json_key(j, "interfaces");
		uxdp_json_str(j, o.interfaces);
		uxdp_json_key(j, "programs");
		uxdp_json_str(j, o.programs);
		uxdp_json_key(j, "object");
		uxdp_json_str(j, o.object);
		uxdp_json_key(j, "socket");
		uxdp_json_str(j, o.socket);
	}
	uxdp_json_close(j, '}');
}

int uxdpctl_instance_busy(const char *name)
{
	struct uxdp_owner_info o;

	if (uxdp_instance_owner_read(name, &o) || !o.alive)
		return 0;
	return perr("instance %s is in use by %s pid %d: stop it first", name, o.kind, o.pid);
}

void uxdpctl_stats_versions(const char *instance)
{
	struct uxdp_dmsg_prog_info in;
	struct uxdp_owner_info o;
	struct uxdp_daemon *d;
	uint32_t ids[1024];
	char err[512], tag[17];
	size_t n = 0, i;
	unsigned int v;

	if (uxdp_instance_owner_read(instance, &o) || !o.alive || strcmp(o.kind, "uxdpd") ||
	    !o.socket[0] || uxdp_daemon_connect(o.socket, &d, err, sizeof(err)))
		return;
	if (uxdp_daemon_prog_list(d, UXDP_LIST_F_RELEASED, ids, 1024, &n, err, sizeof(err)) == 0) {
		printf("per program version:\n");
		for (i = 0; i < n && i < 1024; i++) {
			if (uxdp_daemon_prog_info(d, ids[i], &in, err, sizeof(err)))
				continue;
			tag_hex(in.tag, tag);
			printf("  %u %s %s%s:", in.id, in.name, tag,
			       in.flags & UXDP_PROG_INFO_F_RELEASED ? " (released)" : "");
			for (v = 0; v < UXDP_DN_VERDICTS; v++)
				if (in.packets[v])
					printf(" %s %llu", verdicts[v], (unsigned long long)in.packets[v]);
			printf("\n");
		}
	}
	uxdp_daemon_close(d);
}
