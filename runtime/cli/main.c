// SPDX-License-Identifier: MIT
/*
 * main.c - the uxdp command: run a uxdpc-compiled XDP program.
 *
 *	AOT_OBJECT=fw.aot.o uxdp --pcap in.pcap --out out.pcap [options]
 *	AOT_OBJECT=fw.aot.o uxdp --afxdp veth0[,veth1] [--queues 0-1] [options]
 *	AOT_OBJECT=fw.aot.o uxdp --dpdk [options] -- EAL arguments
 *
 * Every driver runs the program through one datapath (uxdp/datapath.h).
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT stop it; the final counters print.
 * A worker that is still inside a program a second after the signal is
 * reported (which program) and the process exits with status 1.  Without
 * --instance the maps live in a private instance, removed on every exit;
 * a run that could not remove its own is reclaimed by the next one.
 *
 * Exit status: 0 on success, 1 on a runtime failure, 2 on a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uxdp/ctl.h>
#include <uxdp/datapath.h>
#include <uxdp/driver.h>
#include <uxdp/instance_owner.h>
#include <uxdp/map.h>
#include <uxdp/net_driver.h>
#include <uxdp/private_instance.h>
#include <uxdp/runtime.h>
#include <uxdp/stats_shm.h>
#include <uxdp/version.h>

#include "tool_opts.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: [AOT_OBJECT=obj.aot.o] uxdp [--object obj.aot.o] --pcap in.pcap [options]\n"
		"       [AOT_OBJECT=obj.aot.o] uxdp [--object obj.aot.o] --afxdp IF[,IF] [options]\n"
		"       [AOT_OBJECT=obj.aot.o] uxdp [--object obj.aot.o] --dpdk [options] -- EAL-ARGS\n"
		"Run an XDP program compiled by uxdpc on packets from a pcap file, AF_XDP\n"
		"sockets or DPDK ports, with its maps in shared memory.\n\n"
		"  --object PATH     object compiled by uxdpc (default: $AOT_OBJECT)\n"
		"  --pcap PATH       read packets from a pcap file (the pcap driver)\n"
		"  --out PATH        write XDP_TX and XDP_REDIRECT packets here\n"
		"  --pass-out PATH   write XDP_PASS packets here\n"
		"  -p, --prog NAME   program to run (needed if the object has several)\n"
		"  --repeat N        run the capture N times (default 1)\n"
		"  --ifindex N       ingress ifindex the program sees (default 1)\n"
		"  --queue N         rx queue index the program sees (default 0)\n"
		"  --instance NAME   keep maps in this shared-memory instance after exit\n"
		"                    (default: \"default\" with --afxdp/--dpdk; a private\n"
		"                    instance, removed on exit, with --pcap)\n"
		"  --keep-maps       taking over the instance of a data plane that died keeps\n"
		"                    its maps (default: they are removed)\n"
		"  --fib FILE        routes for bpf_fib_lookup, one item a line (docs/fib.md):\n"
		"                      iface IFINDEX mac MAC [addr A[/LEN]] [mtu N] [forwarding on|off]\n"
		"                      route PREFIX[/LEN] [via GW] [dev IFINDEX] [metric N] [src A]\n"
		"                            [mtu N] [table N] [type unicast|blackhole|unreachable|\n"
		"                            prohibit|local]\n"
		"                      neigh ADDR lladdr MAC dev IFINDEX\n"
		"  --config FILE     map entries to write once the maps exist, before any packet\n"
		"                    (`uxdpctl apply` lines: map NAME key FIELDS value FIELDS;\n"
		"                    prog_array NAME INDEX PROGRAM fills a tail-call slot with\n"
		"                    a program of the object, by name or index; map-size\n"
		"                    NAME N sets a size before the maps are made)\n"
		"  --map-size MAP=N  max_entries of MAP, set at load time (not for arrays:\n"
		"                    their size is compiled in, see uxdpc --map-size)\n"
		"  --trust-unverified  run programs compiled unconfined (--unsafe-no-bounds-checks)\n"
		"  --stats           a line of rates every second (packets/s, bits/s, each\n"
		"                    verdict's packets/s), the full table at exit (with\n"
		"                    --instance the counters are also in shared memory\n"
		"                    for `uxdpctl stats`)\n"
		"  --afxdp IF[,IF]   AF_XDP driver on these interfaces (Ctrl-C stops)\n"
		"    --queues LIST   queues, one worker each, e.g. 0-1 (default 0)\n"
		"    --copy, --zero-copy  force the AF_XDP mode (default: zero-copy if possible)\n"
		"    --busy-poll     preferred busy polling on the sockets\n"
		"    --frame-size N  UMEM frame size, 2048 or 4096 (default 4096)\n"
		"    --frame-count N UMEM frames per worker and interface (default 4096)\n"
		"  --dpdk            DPDK driver; EAL arguments follow --, one worker per lcore\n"
		"    --mbufs N       mbufs in the pool (default: what the rings need, at least\n"
		"                    8192; net_pcap with infinite_rx holds its whole capture)\n"
		"  --pass-tap NAME   AF_XDP/DPDK: give XDP_PASS frames to the kernel through\n"
		"                    this TAP interface (default: count and drop them)\n"
		"  --group NAME      share the instance's shared memory with this group (mode\n"
		"                    0660; default 0600: only you and root)\n"
		"  -h, --help        this help\n"
		"  --version         print the version\n"
		"\n"
		"Examples:\n"
		"  AOT_OBJECT=fw.aot.o uxdp --pcap in.pcap --out tx.pcap --pass-out pass.pcap\n"
		"  uxdp --object fw.aot.o --pcap in.pcap --instance fw   # maps stay for uxdpctl\n"
		"  uxdp --object fw.aot.o --pcap in.pcap --repeat 1000 --stats\n"
		"  uxdp --object fw.aot.o --afxdp veth0 --pass-tap uxdp0 # XDP_PASS to the kernel\n"
		"  uxdp --object fw.aot.o --dpdk -- -l 0 --no-huge --no-pci --vdev net_af_xdp0,iface=veth0\n"
		"\n"
		"Exit status: 0 success, 1 runtime error, 2 usage error.  See uxdp(8).\n");
}

static int parse_u64(const char *opt, const char *s, uint64_t max, uint64_t *out)
{
	return tool_parse_u64("uxdp", opt, s, max, out);
}

/* What the signal handler, atexit and a stuck worker's exit need. */
static struct {
	struct uxdp_dp *dp;
	bool net;                                /* AF_XDP/DPDK: their report */
	char private_inst[UXDP_INSTANCE_LEN];   /* set while a private instance exists */
	struct uxdp_stats_shm *shm;
	struct uxdp_instance_owner *owner;      /* the claim on a named instance */
} run;

/* SIGINT, SIGTERM, SIGHUP, SIGQUIT: stop after the current batch, print the counters. */
static void on_signal(int sig)
{
	if (run.dp)
		uxdp_dp_stop(run.dp);
	uxdp_request_stop(); /* also for a confined program run without a worker */
}

/* Runs a failed confinement check ended: how many, why, where (docs/confinement.md). */
static void print_confine_stats(const struct uxdp_object *obj)
{
	const struct uxdp_program *all;
	size_t n = uxdp_object_programs(obj, &all);

	for (size_t i = 0; i < n; i++) {
		struct uxdp_confine_stats cs;

		uxdp_program_confine_stats(&all[i], &cs);
		if (cs.aborts)
			fprintf(stderr,
				"uxdp: program %s: %llu runs ended as XDP_ABORTED by confinement checks (last: insn %u, %s)\n",
				all[i].name, (unsigned long long)cs.aborts, cs.last_insn,
				uxdp_confine_reason_name(cs.last_reason));
	}
}

/* Every exit that runs code (errors, exit() from a library) removes the private instance. */
static void remove_private(void)
{
	if (!run.private_inst[0])
		return;
	uxdp_private_instance_remove(run.private_inst);
	run.private_inst[0] = 0;
}

static void release_owner(void)
{
	uxdp_ports_release();
	uxdp_instance_release(run.owner);
	run.owner = NULL;
}

static void print_counters(FILE *f)
{
	struct uxdp_dp_counters c;

	if (run.net) {
		uxdp_dp_print_final(run.dp, f);
		return;
	}
	uxdp_dp_sum(run.dp, &c);
	uxdp_stats_print(f, &c.v, 0);
}

/*
 * A worker did not stop within a second of the signal: it runs a program
 * that does not return.  Say which, print what was counted, clean up what
 * does not need the worker, and end the process with it.
 */
static void on_stuck(struct uxdp_dp *dp, void *arg)
{
	uxdp_dp_print_stuck(dp, stderr);
	fprintf(stderr, "uxdp: exiting without it; the counters so far:\n");
	print_counters(stdout);
	uxdp_stats_shm_finish(run.shm);
	release_owner();
	remove_private();
	fflush(stdout);
	fflush(stderr);
	_exit(1);
}

/* --stats: one line a second, the same for every driver (the table comes at exit). */
static void tick_rates(struct uxdp_dp *dp, double seconds, void *arg)
{
	uxdp_dp_print_rates(dp, stdout);
}

/* A long pcap run on a terminal without --stats: one status line, rewritten. */
static bool status_shown;

static void tick_status(struct uxdp_dp *dp, double seconds, void *arg)
{
	struct uxdp_dp_counters c;
	uint64_t n = 0;

	uxdp_dp_sum(dp, &c);
	for (unsigned int v = 0; v < UXDP_N_VERDICTS; v++)
		n += c.v.packets[v];
	fprintf(stderr, "\ruxdp: %llu packets in %.0f s (%.2f Mpps)\033[K",
		(unsigned long long)n, seconds, seconds > 0 ? n / seconds / 1e6 : 0.0);
	status_shown = true;
}

static void status_end(void)
{
	if (status_shown)
		fputs("\r\033[K", stderr);
	status_shown = false;
}

/* --map-size NAME=N and the config's `map-size` lines: sizes set at load time. */
static struct uxdp_ctl_map_sizes load_sizes;

static int add_map_size(const char *arg)
{
	const char *eq = strrchr(arg, '=');
	struct uxdp_map_size *v;
	uint64_t n;

	if (!eq || eq == arg || parse_u64("--map-size", eq + 1, UINT32_MAX, &n) || !n) {
		fprintf(stderr, "uxdp: --map-size takes MAP=N with N in 1..%u, not '%s'\n",
			UINT32_MAX, arg);
		return -EINVAL;
	}
	v = realloc(load_sizes.sizes, (load_sizes.n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	load_sizes.sizes = v;
	v[load_sizes.n].name = strndup(arg, (size_t)(eq - arg));
	v[load_sizes.n].max_entries = (uint32_t)n;
	if (!v[load_sizes.n].name)
		return -ENOMEM;
	load_sizes.n++;
	return 0;
}

static void free_load_sizes(void)
{
	uxdp_ctl_map_sizes_free(&load_sizes);
}

/* The config's map-size lines, before the object creates its maps. */
static int read_config_sizes(const char *path)
{
	char err[640];
	int ret = path ? uxdp_ctl_read_map_sizes(path, &load_sizes, err, sizeof(err)) : 0;

	if (ret)
		fprintf(stderr, "uxdp: %s\n", err);
	return ret;
}

/*
 * --config: after the object made its maps, before the driver's first
 * packet.  Its prog_array lines may name the object's programs.
 */
static int apply_config(const char *instance, const char *path, const struct uxdp_object *obj)
{
	const struct uxdp_program *all;
	struct uxdp_ctl_progs progs;
	const char **names;
	char err[640];
	size_t i;
	int ret;

	if (!path)
		return 0;
	progs.n = uxdp_object_programs(obj, &all);
	names = calloc(progs.n ? progs.n : 1, sizeof(*names));
	if (!names) {
		fprintf(stderr, "uxdp: --config: out of memory\n");
		return -ENOMEM;
	}
	for (i = 0; i < progs.n; i++)
		if (all[i].index < progs.n)
			names[all[i].index] = all[i].name;
	progs.names = names;
	ret = uxdp_ctl_apply_file(instance, path, &progs, err, sizeof(err));
	free(names);
	if (ret)
		fprintf(stderr, "uxdp: %s\n", err);
	return ret;
}

/* Open the object for ncpus workers and pick its XDP program; one line on stderr if not. */
static int open_prog(const char *object, const char *prog_name, struct uxdp_object_opts *oo,
		     struct uxdp_object **obj, const struct uxdp_program **prog)
{
	const struct uxdp_program *all;
	char err[512];
	size_t n, i;
	int ret;

	ret = uxdp_object_open(object, oo, obj, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "uxdp: %s\n", err);
		return ret;
	}
	*prog = uxdp_object_program(*obj, prog_name);
	if (*prog && (*prog)->type == UXDP_PROG_XDP)
		return 0;
	n = uxdp_object_programs(*obj, &all);
	if (prog_name)
		fprintf(stderr, "uxdp: %s: no XDP program '%s'; it has:", object, prog_name);
	else
		fprintf(stderr, "uxdp: %s: %s; choose one with -p:", object,
			n ? "several XDP programs" : "no XDP program");
	for (i = 0; i < n; i++)
		if (all[i].type == UXDP_PROG_XDP)
			fprintf(stderr, " %s", all[i].name);
	fputc('\n', stderr);
	return -ENOENT;
}

struct attach_arg {
	const char *object, *prog_name, *config;
	struct uxdp_object_opts oo;
	struct uxdp_object *obj;
};

/*
 * The drivers know the worker count (per-CPU maps' ncpus) only once they
 * are set up: then bind the object and attach its program to every port.
 */
static int attach_net(struct uxdp_dp *dp, void *arg)
{
	struct attach_arg *a = arg;
	const struct uxdp_program *prog;
	unsigned int p;
	int ret;

	a->oo.ncpus = uxdp_dp_workers(dp);
	ret = open_prog(a->object, a->prog_name, &a->oo, &a->obj, &prog);
	if (ret)
		return ret;
	ret = apply_config(a->oo.instance, a->config, a->obj);
	if (ret)
		return ret;
	for (p = 0; p < uxdp_dp_ports(dp); p++)
		uxdp_dp_attach(dp, p, prog);
	return 0;
}

static int run_net(struct uxdp_net_opts *no, struct attach_arg *a)
{
	int ret = -EOPNOTSUPP;
	bool ran = false;

	no->dp = run.dp;
	no->attach = attach_net;
	no->attach_arg = a;
#ifdef UXDP_HAVE_AFXDP
	if (no->ifaces) {
		ret = uxdp_afxdp_run(no);
		ran = true;
	}
#endif
#ifdef UXDP_HAVE_DPDK
	if (no->eal_argv) {
		ret = uxdp_dpdk_run(no);
		ran = true;
	}
#endif
	if (!ran)
		fprintf(stderr, "uxdp: this uxdp was built without the %s driver\n",
			no->ifaces ? "AF_XDP" : "DPDK");
	return ret;
}

/* What the capture held besides packets for the program: after the counters. */
static void print_pcap_report(const struct uxdp_pcap_report *r)
{
	if (r->runts)
		fprintf(stderr, "uxdp: %llu runt frames (shorter than an Ethernet header) not run: "
			"the kernel's XDP path never gives a program one\n",
			(unsigned long long)r->runts);
	if (r->truncated[0])
		fprintf(stderr, "uxdp: warning: %s\n", r->truncated);
}

static int run_pcap(struct uxdp_pcap_opts *po, uint32_t ifindex, uint32_t queue,
		    struct attach_arg *a)
{
	const struct uxdp_program *prog;
	char err[512];
	int ret;

	a->oo.ncpus = 1;
	ret = uxdp_dp_set_workers(run.dp, 1);
	if (!ret)
		ret = uxdp_dp_add_port(run.dp, ifindex) < 0 ? -E2BIG : 0;
	if (ret) {
		fprintf(stderr, "uxdp: datapath: %s\n", strerror(-ret));
		return ret;
	}
	uxdp_dp_worker_set_queue(uxdp_dp_worker(run.dp, 0), queue);
	ret = open_prog(a->object, a->prog_name, &a->oo, &a->obj, &prog);
	if (!ret)
		ret = apply_config(a->oo.instance, a->config, a->obj);
	if (ret)
		return ret;
	uxdp_dp_attach(run.dp, 0, prog);
	ret = uxdp_pcap_run(run.dp, po, err, sizeof(err));
	status_end();
	if (ret) {
		fprintf(stderr, "uxdp: %s\n", err);
		return ret;
	}
	print_counters(stdout);
	print_pcap_report(po->report);
	return 0;
}

/* uxdp's own options, beside those it shares with uxdpd (tool_opts.h). */
enum { OPT_CONFIG = TOOL_OPT_END, OPT_MAP_SIZE, OPT_MBUFS, OPT_GROUP };

/*
 * A named instance is this run's alone while it runs (uxdp/instance_owner.h):
 * a live owner refuses us; a dead one's segments are reclaimed.
 */
static int claim_instance(const char *instance, const char *object, const char *prog,
			  const char *ifaces, bool keep_maps)
{
	struct uxdp_owner_info prev;
	char err[512];
	int ret = uxdp_instance_claim(instance, "uxdp", &run.owner, &prev, err, sizeof(err));

	if (!ret && ifaces)
		ret = uxdp_port_claim_names(ifaces, instance, "uxdp", err, sizeof(err));
	if (ret) {
		fprintf(stderr, "uxdp: %s\n", err);
		return ret;
	}
	/* Every exit that runs code says so: only a crash leaves the record "running". */
	atexit(release_owner);
	tool_reclaim_dead("uxdp", instance, &prev, keep_maps);
	uxdp_instance_owner_set(run.owner, UXDP_OWNER_DRIVER,
				ifaces ? "afxdp" : run.net ? "dpdk" : "pcap");
	uxdp_instance_owner_set(run.owner, UXDP_OWNER_OBJECT, object);
	uxdp_instance_owner_set(run.owner, UXDP_OWNER_PROGRAMS, prog);
	uxdp_instance_owner_set(run.owner, UXDP_OWNER_INTERFACES, ifaces);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		TOOL_LONGOPTS,
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "map-size", required_argument, NULL, OPT_MAP_SIZE },
		{ "mbufs", required_argument, NULL, OPT_MBUFS },
		{ "group", required_argument, NULL, OPT_GROUP },
		{ NULL, 0, NULL, 0 },
	};
	struct uxdp_pcap_report report;
	struct uxdp_pcap_opts po = { .sz = sizeof(po), .repeat = 1, .report = &report };
	struct uxdp_dp_opts dpo = { .sz = sizeof(dpo) };
	struct attach_arg a = { .oo.sz = sizeof(a.oo) };
	struct uxdp_net_opts no = { 0 };
	struct tool_args t = { .tool = "uxdp", .object = getenv("AOT_OBJECT"), .ifindex = 1,
			       .no = &no, .po = &po };
	uint64_t v;
	int c, ret;
	struct uxdp_dp *dp;

	atexit(free_load_sizes);
	opterr = 0; /* our own one-line errors */
	while ((c = getopt_long(argc, argv, TOOL_SHORTOPTS, longopts, NULL)) != -1) {
		ret = tool_opt(&t, c, optarg);
		if (ret < 0)
			return 2;
		if (ret)
			continue;
		switch (c) {
		case OPT_CONFIG: a.config = optarg; break;
		case OPT_MAP_SIZE:
			if (add_map_size(optarg))
				return 2;
			break;
		case TOOL_OPT_REPEAT:
			if (parse_u64("--repeat", optarg, UINT64_MAX, &po.repeat) || !po.repeat) {
				fprintf(stderr, "uxdp: --repeat needs a positive count\n");
				return 2;
			}
			break;
		case OPT_MBUFS:
			if (parse_u64("--mbufs", optarg, UINT32_MAX, &v))
				return 2;
			no.mbufs = v;
			break;
		case OPT_GROUP:
			ret = uxdp_map_set_group(optarg);
			if (ret) {
				fprintf(stderr, "uxdp: --group %s: %s\n", optarg,
					uxdp_map_last_error() ? uxdp_map_last_error() : strerror(-ret));
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		case TOOL_OPT_VERSION: printf("uxdp %s\n", UXDP_VERSION); return 0;
		default: return tool_opt_error("uxdp", c, argv);
		}
	}
	a.object = t.object;
	a.prog_name = t.prog;
	a.oo.trust_unverified = t.trust_unverified;
	if (optind < argc && !t.dpdk) {
		fprintf(stderr, "uxdp: unexpected argument '%s' (uxdp -h for help)\n", argv[optind]);
		return 2;
	}
	if (!a.object || !*a.object) {
		fprintf(stderr, "uxdp: no object: set AOT_OBJECT or pass --object\n");
		return 2;
	}
	if (read_config_sizes(a.config))
		return 1;
	a.oo.map_sizes = load_sizes.sizes;
	a.oo.n_map_sizes = load_sizes.n;
	if ((no.ifaces || t.dpdk) && (po.in || (no.ifaces && t.dpdk))) {
		fprintf(stderr, "uxdp: choose one driver: --pcap, --afxdp or --dpdk\n");
		return 2;
	}
	if (!no.ifaces && !t.dpdk && !po.in) {
		fprintf(stderr, "uxdp: no driver: pass --pcap FILE\n");
		return 2;
	}
	if (t.dpdk)
		tool_eal_args(&no, argc, argv, optind);
	run.net = no.ifaces || t.dpdk;
	uxdp_private_instance_reclaim(NULL, NULL);
	if (t.fib && tool_load_fib("uxdp", t.fib))
		return 1;
	/* A network data plane is visible to uxdpctl without flags; an offline run is private. */
	if (!t.instance && run.net)
		t.instance = UXDP_DEFAULT_INSTANCE;
	if (t.instance && claim_instance(t.instance, a.object, a.prog_name ? a.prog_name : "",
					 no.ifaces, t.keep_maps))
		return 1;
	/* An offline run must not see or leave state from other runs. */
	if (t.instance) {
		a.oo.instance = t.instance;
		a.oo.reuse_maps = true;
		/* A named instance publishes its counters for `uxdpctl stats`. */
		ret = uxdp_stats_shm_create(t.instance, &run.shm);
		if (ret)
			fprintf(stderr, "uxdp: warning: no shared stats for %s: %s\n", t.instance,
				strerror(-ret));
		else
			dpo.publish = &run.shm->stats;
	} else {
		ret = uxdp_private_instance_name(run.private_inst, sizeof(run.private_inst));
		if (ret) {
			fprintf(stderr, "uxdp: cannot name a private instance: %s\n", strerror(-ret));
			return 1;
		}
		a.oo.instance = run.private_inst;
		a.oo.unlink_on_close = true;
		atexit(remove_private);
	}
	if (t.stats)
		dpo.tick = tick_rates;
	else if (!run.net && isatty(STDERR_FILENO))
		dpo.tick = tick_status;
	dpo.on_stuck = on_stuck;
	dpo.redirect_any_ifindex = !run.net;
	ret = uxdp_dp_create(&dpo, &run.dp);
	if (!ret)
		ret = tool_install_signals(on_signal);
	if (!ret)
		ret = uxdp_map_sigbus_guard();
	if (ret) {
		fprintf(stderr, "uxdp: datapath: %s\n", strerror(-ret));
		uxdp_stats_shm_finish(run.shm);
		return 1;
	}

	ret = run.net ? run_net(&no, &a) : run_pcap(&po, t.ifindex, t.queue, &a);
	if (uxdp_dp_failure(run.dp)) {
		fprintf(stderr, "uxdp: %s\n", uxdp_dp_failure(run.dp));
		ret = -EIO;
	}
	uxdp_stats_shm_finish(run.shm);
	if (a.obj)
		print_confine_stats(a.obj);
	uxdp_object_close(a.obj);
	release_owner();
	remove_private();
	dp = run.dp;
	run.dp = NULL;
	uxdp_dp_destroy(dp);
	return ret ? 1 : 0;
}
