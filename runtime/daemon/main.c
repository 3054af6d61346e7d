// SPDX-License-Identifier: MIT
/*
 * main.c - uxdpd, the data-plane daemon: it owns interfaces (AF_XDP, DPDK
 * ports, or a pcap replay) and runs whatever program is attached to each,
 * loaded, attached, detached and replaced through its control socket
 * (docs/daemon-protocol.md; `uxdpctl prog ...`).
 *
 *	uxdpd [--instance NAME] [--socket PATH] --afxdp veth0,veth1 [--object fw.aot.o]
 *	uxdpd --dpdk [options] -- EAL arguments
 *	uxdpd --pcap in.pcap --out out.pcap --repeat N [--object fw.bpf.o]
 *
 * The instance (default "default") is claimed for the daemon's life
 * (uxdp/instance_owner.h): a second data plane on it, or on one of its
 * interfaces, is refused; one that died is detected and its segments
 * reclaimed (maps too, unless --keep-maps).  SIGINT, SIGTERM, SIGHUP and
 * SIGQUIT stop it; the counters of every program version print.
 *
 * Exit status: 0 on success, 1 on a runtime failure, 2 on a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uxdp/daemon_client.h>
#include <uxdp/driver.h>
#include <uxdp/map.h>
#include <uxdp/net_driver.h>
#include <uxdp/stats_shm.h>
#include <uxdp/version.h>

#include "daemon.h"
#include "tool_opts.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: uxdpd [options] (--afxdp IF[,IF] | --dpdk [-- EAL args] | --pcap FILE)\n"
		"  --instance NAME   map namespace and claim (default \"default\")\n"
		"  --socket PATH     control socket (default /run/uxdp/NAME.sock)\n"
		"  --socket-group G  let group G use the socket too (mode 0660; default 0600)\n"
		"  --object PATH     a program to attach to every port at start (.aot.o or .bpf.o)\n"
		"  -p, --prog NAME   its program, if the object has several\n"
		"  --recreate-maps   that object's maps of another shape are made anew\n"
		"  --trust-unverified  compile that object with uxdpc --trust-unverified\n"
		"  --keep-maps       reclaiming a dead data plane's instance keeps its maps\n"
		"  --cache-dir DIR   compiled BPF objects (default /var/cache/uxdp)\n"
		"  --no-cache        compile every BPF object anew\n"
		"  --uxdpc PATH      the compiler (default: uxdpc next to uxdpd, else $PATH)\n"
		"  --stats           a line of rates every second (packets/s, bits/s, each\n"
		"                    verdict's packets/s), as uxdp --stats\n"
		"  --fib FILE        routes for bpf_fib_lookup (docs/fib.md)\n"
		"  --afxdp IF[,IF]   AF_XDP on these interfaces\n"
		"    --queues LIST, --copy, --zero-copy, --busy-poll, --frame-size N, --frame-count N\n"
		"  --dpdk            DPDK; EAL arguments follow --\n"
		"  --pass-tap NAME   AF_XDP/DPDK: XDP_PASS frames to the kernel through this TAP\n"
		"  --pcap FILE       replay a capture (--out, --pass-out, --repeat N, --ifindex N,\n"
		"                    --queue N); the daemon stays up after the replay until stopped\n"
		"  -h, --help        this help\n"
		"  --version         print the version\n"
		"\n"
		"Examples:\n"
		"  uxdpd --instance fw --afxdp veth0 --object fw.aot.o\n"
		"  uxdpctl --instance fw prog replace fw2.aot.o     # atomically, under traffic\n"
		"  uxdpd --pcap in.pcap --out out.pcap --repeat 1000 --object fw.bpf.o --stats\n"
		"  systemctl start uxdpd@fw                         # /etc/uxdp/fw.conf: UXDPD_ARGS=...\n"
		"\n"
		"Exit status: 0 success, 1 runtime error, 2 usage error.  See uxdpd(8).\n");
}

static struct {
	struct uxdpd d;
	struct server *srv;
	const char *socket, *group, *object, *prog, *fib;
	uint32_t load_flags;
	bool keep_maps, stats;
	struct uxdp_stats_shm *shm;
	char socket_buf[108];
	char ifaces[256];
} g;

static void on_signal(int sig)
{
	(void)sig;
	if (g.d.dp)
		uxdp_dp_stop(g.d.dp);
}

static int install_signals(void)
{
	int ret = tool_install_signals(on_signal);

	/* A client that hangs up mid-reply is its problem, not the daemon's end. */
	signal(SIGPIPE, SIG_IGN);
	return ret;
}

static void on_stuck(struct uxdp_dp *dp, void *arg)
{
	(void)arg;
	uxdp_dp_print_stuck(dp, stderr);
	fprintf(stderr, "uxdpd: exiting without it\n");
	registry_print(&g.d, stdout);
	uxdp_stats_shm_finish(g.shm);
	fflush(stdout);
	fflush(stderr);
	_exit(1);
}

/*
 * --stats: uxdp's line a second (the datapath's, so the layout is one for
 * every driver and both tools); the per-version counters print at exit and
 * `uxdpctl prog show` has them live.
 */
static void tick(struct uxdp_dp *dp, double seconds, void *arg)
{
	(void)seconds;
	(void)arg;
	uxdp_dp_print_rates(dp, stdout);
	fflush(stdout);
}

/* uxdpc next to us (an installed or a build tree's layout), else $PATH's. */
static const char *find_uxdpc(char *buf, size_t size)
{
	static const char *const rel[] = { "uxdpc", "../../compiler/uxdpc" };
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;
	size_t i;

	if (n > 0) {
		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			for (i = 0; i < sizeof(rel) / sizeof(*rel); i++) {
				snprintf(buf, size, "%s/%s", self, rel[i]);
				if (access(buf, X_OK) == 0)
					return buf;
			}
		}
	}
	return "uxdpc";
}

/* Names of the ports (AF_XDP: the interfaces; DPDK: what the kernel calls their ifindex). */
static void name_ports(struct uxdpd *d)
{
	unsigned int p;
	size_t n = 0;

	for (p = 0; p < uxdp_dp_ports(d->dp); p++) {
		uint32_t ifx = uxdp_dp_port_ifindex(d->dp, p);
		char name[IF_NAMESIZE] = "";

		if (strcmp(d->driver, "pcap") && ifx < 0x10000 && if_indextoname(ifx, name))
			snprintf(d->port_name[p], sizeof(d->port_name[p]), "%s", name);
		n += snprintf(g.ifaces + n, n < sizeof(g.ifaces) ? sizeof(g.ifaces) - n : 0, "%s%s",
			      p ? "," : "", d->port_name[p][0] ? d->port_name[p] : "-");
	}
	uxdp_instance_owner_set(d->owner, UXDP_OWNER_INTERFACES, g.ifaces);
}

/* DPDK ports are known only now: claim those that are kernel interfaces. */
static int claim_ports(struct uxdpd *d)
{
	struct uxdp_instance_owner *o;
	char err[512];
	unsigned int p;
	int ret;

	for (p = 0; p < uxdp_dp_ports(d->dp); p++) {
		uint32_t ifx = uxdp_dp_port_ifindex(d->dp, p);

		if (ifx >= 0x10000 || !d->port_name[p][0])
			continue;
		ret = uxdp_port_claim(ifx, d->instance, "uxdpd", &o, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "uxdpd: %s (%s)\n", err, d->port_name[p]);
			return ret;
		}
		/* Held until exit: the kernel drops the lock with the process. */
	}
	return 0;
}

/* The initial program, if any, on every port, which alone hold it. */
static int attach_initial(struct uxdpd *d)
{
	struct load_req r = { .path = g.object, .fd = -1, .prog = g.prog, .opt_level = -1,
			      .flags = g.load_flags };
	struct uxdp_dmsg_attach a = { 0 };
	char err[1024], abs[PATH_MAX];
	int ret;

	if (!g.object)
		return 0;
	if (!realpath(g.object, abs)) {
		fprintf(stderr, "uxdpd: %s: %s\n", g.object, strerror(errno));
		return -errno;
	}
	r.path = abs;
	ret = registry_load(d, &r, &a.prog_id, err, sizeof(err));
	if (!ret)
		ret = registry_attach(d, &a, NULL, err, sizeof(err));
	if (ret)
		fprintf(stderr, "uxdpd: %s\n", err);
	uxdp_instance_owner_set(d->owner, UXDP_OWNER_OBJECT, abs);
	return ret;
}

/* The driver has its ports and workers: programs may be loaded from now on. */
static int ready(struct uxdp_dp *dp, void *arg)
{
	struct uxdpd *d = arg;
	char err[512];
	int ret;

	(void)dp;
	name_ports(d);
	ret = strcmp(d->driver, "dpdk") ? 0 : claim_ports(d);
	if (!ret)
		ret = attach_initial(d);
	if (ret)
		return ret;
	ret = server_start(d, g.socket, g.group, &g.srv, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "uxdpd: %s\n", err);
		return ret;
	}
	uxdp_instance_owner_set(d->owner, UXDP_OWNER_SOCKET, g.socket);
	printf("uxdpd: instance %s, %u port%s (%s), %u worker%s; control socket %s; ready\n",
	       d->instance, uxdp_dp_ports(dp), uxdp_dp_ports(dp) == 1 ? "" : "s", g.ifaces,
	       uxdp_dp_workers(dp), uxdp_dp_workers(dp) == 1 ? "" : "s", g.socket);
	fflush(stdout);
	return 0;
}

/* AF_XDP interfaces are known before the driver opens them: claim them first. */
static int claim_ifaces(const char *list, const char *instance)
{
	char err[512];
	int ret = uxdp_port_claim_names(list, instance, "uxdpd", err, sizeof(err));

	if (ret)
		fprintf(stderr, "uxdpd: %s\n", err);
	return ret;
}

static int run_pcap(struct uxdpd *d, struct uxdp_pcap_opts *po, uint32_t ifindex,
		    uint32_t queue)
{
	char err[512];
	int ret = uxdp_dp_set_workers(d->dp, 1);

	if (!ret)
		ret = uxdp_dp_add_port(d->dp, ifindex) < 0 ? -E2BIG : 0;
	if (ret) {
		fprintf(stderr, "uxdpd: datapath: %s\n", strerror(-ret));
		return ret;
	}
	uxdp_dp_worker_set_queue(uxdp_dp_worker(d->dp, 0), queue);
	ret = ready(d->dp, d);
	if (ret)
		return ret;
	ret = uxdp_pcap_run(d->dp, po, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "uxdpd: %s\n", err);
		return ret;
	}
	printf("uxdpd: replay done; serving until stopped\n");
	fflush(stdout);
	uxdp_dp_wait_stop(d->dp);
	return 0;
}

static int run_net(struct uxdpd *d, struct uxdp_net_opts *no)
{
	no->dp = d->dp;
	no->attach = ready;
	no->attach_arg = d;
#ifdef UXDP_HAVE_AFXDP
	if (no->ifaces)
		return uxdp_afxdp_run(no);
#endif
#ifdef UXDP_HAVE_DPDK
	if (no->eal_argv)
		return uxdp_dpdk_run(no);
#endif
	fprintf(stderr, "uxdpd: built without the %s driver\n", no->ifaces ? "AF_XDP" : "DPDK");
	return -EOPNOTSUPP;
}

/* Claim the instance; a dead owner's leftovers are reclaimed. */
static int claim_instance(struct uxdpd *d)
{
	struct uxdp_owner_info prev;
	char err[512];
	int ret = uxdp_instance_claim(d->instance, "uxdpd", &d->owner, &prev, err, sizeof(err));

	if (ret) {
		fprintf(stderr, "uxdpd: %s\n", err);
		return ret;
	}
	tool_reclaim_dead("uxdpd", d->instance, &prev, g.keep_maps);
	uxdp_instance_owner_set(d->owner, UXDP_OWNER_DRIVER, d->driver);
	return 0;
}

/* uxdpd's own options, beside those it shares with uxdp (tool_opts.h). */
enum {
	OPT_SOCKET = TOOL_OPT_END, OPT_SOCKET_GROUP, OPT_RECREATE, OPT_CACHE, OPT_NO_CACHE,
	OPT_UXDPC,
};

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		TOOL_LONGOPTS,
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "socket-group", required_argument, NULL, OPT_SOCKET_GROUP },
		{ "recreate-maps", no_argument, NULL, OPT_RECREATE },
		{ "cache-dir", required_argument, NULL, OPT_CACHE },
		{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
		{ "uxdpc", required_argument, NULL, OPT_UXDPC },
		{ NULL, 0, NULL, 0 },
	};
	struct uxdp_pcap_opts po = { .sz = sizeof(po), .repeat = 1 };
	struct uxdp_net_opts no = { 0 };
	struct uxdp_dp_opts dpo = { .sz = sizeof(dpo) };
	/* uxdpd's number messages say "a number option" where uxdp names it. */
	struct tool_args t = { .tool = "uxdpd", .number_name = "a number option",
			       .instance = UXDP_DEFAULT_INSTANCE, .ifindex = 1, .no = &no,
			       .po = &po };
	struct uxdpd *d = &g.d;
	char uxdpc_buf[PATH_MAX];
	uint64_t v;
	int c, ret;

	d->cc.cache_dir = "/var/cache/uxdp";
	opterr = 0; /* our own one-line errors */
	while ((c = getopt_long(argc, argv, TOOL_SHORTOPTS, lo, NULL)) != -1) {
		ret = tool_opt(&t, c, optarg);
		if (ret < 0)
			return 2;
		if (ret)
			continue;
		switch (c) {
		case OPT_SOCKET: g.socket = optarg; break;
		case OPT_SOCKET_GROUP: g.group = optarg; break;
		case OPT_RECREATE: g.load_flags |= UXDP_LOAD_F_RECREATE_MAPS; break;
		case OPT_CACHE: d->cc.cache_dir = optarg; break;
		case OPT_NO_CACHE: d->cc.cache_dir = NULL; break;
		case OPT_UXDPC: d->cc.uxdpc = optarg; break;
		case TOOL_OPT_REPEAT:
			if (tool_parse_u64("uxdpd", t.number_name, optarg, UINT64_MAX, &v))
				return 2;
			po.repeat = v ? v : 1;
			break;
		case 'h': usage(stdout); return 0;
		case TOOL_OPT_VERSION: printf("uxdpd %s\n", UXDP_VERSION); return 0;
		default: return tool_opt_error("uxdpd", c, argv);
		}
	}
	d->instance = t.instance;
	g.object = t.object;
	g.prog = t.prog;
	g.fib = t.fib;
	g.stats = t.stats;
	g.keep_maps = t.keep_maps;
	if (t.trust_unverified)
		g.load_flags |= UXDP_LOAD_F_TRUST_UNVERIFIED;
	if (optind < argc && !t.dpdk) {
		fprintf(stderr, "uxdpd: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!!no.ifaces + t.dpdk + !!po.in != 1) {
		fprintf(stderr, "uxdpd: choose one driver: --afxdp, --dpdk or --pcap\n");
		return 2;
	}
	d->driver = no.ifaces ? "afxdp" : t.dpdk ? "dpdk" : "pcap";
	if (t.dpdk)
		tool_eal_args(&no, argc, argv, optind);
	if (!g.socket) {
		if (uxdp_daemon_default_path(d->instance, g.socket_buf, sizeof(g.socket_buf))) {
			fprintf(stderr, "uxdpd: bad instance name '%s'\n", d->instance);
			return 2;
		}
		g.socket = g.socket_buf;
	}
	if (!d->cc.uxdpc)
		d->cc.uxdpc = find_uxdpc(uxdpc_buf, sizeof(uxdpc_buf));
	registry_init(d);
	if (claim_instance(d))
		return 1;
	if (no.ifaces && claim_ifaces(no.ifaces, d->instance))
		goto fail;
	if (g.fib && tool_load_fib("uxdpd", g.fib))
		goto fail;
	ret = uxdp_stats_shm_create(d->instance, &g.shm);
	if (ret)
		fprintf(stderr, "uxdpd: warning: no shared counters for %s: %s\n", d->instance,
			strerror(-ret));
	else
		dpo.publish = &g.shm->stats;
	if (g.stats)
		dpo.tick = tick;
	dpo.on_stuck = on_stuck;
	dpo.redirect_any_ifindex = po.in != NULL;
	ret = uxdp_dp_create(&dpo, &d->dp);
	if (!ret)
		ret = install_signals();
	if (!ret)
		ret = uxdp_map_sigbus_guard();
	if (ret) {
		fprintf(stderr, "uxdpd: datapath: %s\n", strerror(-ret));
		goto fail;
	}
	ret = po.in ? run_pcap(d, &po, t.ifindex, t.queue) : run_net(d, &no);
	server_stop(g.srv);
	if (uxdp_dp_failure(d->dp)) {
		fprintf(stderr, "uxdpd: %s\n", uxdp_dp_failure(d->dp));
		ret = -EIO;
	}
	registry_print(d, stdout);
	/* Then uxdp's table at exit: the pcap driver's totals, or the network drivers' with drops. */
	if (po.in && !ret) {
		struct uxdp_dp_counters sum;

		uxdp_dp_sum(d->dp, &sum);
		uxdp_stats_print(stdout, &sum.v, 0);
	} else if (!po.in) {
		uxdp_dp_print_final(d->dp, stdout);
	}
	registry_close(d);
	uxdp_stats_shm_finish(g.shm);
	uxdp_dp_destroy(d->dp);
	uxdp_ports_release();
	uxdp_instance_release(d->owner);
	return ret ? 1 : 0;
fail:
	uxdp_stats_shm_finish(g.shm);
	uxdp_ports_release();
	uxdp_instance_release(d->owner);
	return 1;
}
