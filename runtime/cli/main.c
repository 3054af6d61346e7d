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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uxdp/ctl.h>
#include <uxdp/datapath.h>
#include <uxdp/driver.h>
#include <uxdp/fib.h>
#include <uxdp/instance_owner.h>
#include <uxdp/map.h>
#include <uxdp/net_driver.h>
#include <uxdp/private_instance.h>
#include <uxdp/runtime.h>
#include <uxdp/stats_shm.h>
#include <uxdp/version.h>

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
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end || *s == '-' || v > max) {
		fprintf(stderr, "uxdp: %s: bad number '%s'\n", opt, s);
		return -1;
	}
	*out = v;
	return 0;
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

static int install_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	size_t i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
		if (sigaction(sigs[i], &sa, NULL))
			return -errno;
	return 0;
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

enum { OPT_AFXDP = 512, OPT_QUEUES, OPT_COPY, OPT_ZEROCOPY, OPT_BUSY_POLL, OPT_FRAME_SIZE,
       OPT_FRAME_COUNT, OPT_DPDK, OPT_PASS_TAP, OPT_MBUFS, OPT_GROUP };

/* --fib: the process default FIB, which the workers of every driver consult. */
static int load_fib(const char *path)
{
	struct uxdp_fib *fib = uxdp_fib_new();
	char err[640];
	int ret;

	if (!fib) {
		fprintf(stderr, "uxdp: %s: out of memory\n", path);
		return -ENOMEM;
	}
	ret = uxdp_fib_load_file(fib, path, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "uxdp: %s\n", err);
		uxdp_fib_free(fib);
		return ret;
	}
	uxdp_fib_set_default(fib);
	return 0;
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

enum { OPT_OBJECT = 256, OPT_PCAP, OPT_OUT, OPT_PASS_OUT, OPT_REPEAT, OPT_IFINDEX, OPT_QUEUE,
       OPT_INSTANCE, OPT_STATS, OPT_FIB, OPT_CONFIG, OPT_VERSION, OPT_MAP_SIZE, OPT_KEEP_MAPS,
       OPT_TRUST };

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
	if (prev.pid && prev.state == UXDP_OWNER_RUNNING) {
		uxdp_instance_reclaim(instance, keep_maps);
		fprintf(stderr, "uxdp: instance %s: %s pid %d died without cleaning up; reclaimed "
			"its segments (%s)\n", instance, prev.kind, prev.pid,
			keep_maps ? "maps kept" : "maps removed; --keep-maps keeps them");
	}
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
		{ "object", required_argument, NULL, OPT_OBJECT },
		{ "pcap", required_argument, NULL, OPT_PCAP },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "pass-out", required_argument, NULL, OPT_PASS_OUT },
		{ "prog", required_argument, NULL, 'p' },
		{ "repeat", required_argument, NULL, OPT_REPEAT },
		{ "ifindex", required_argument, NULL, OPT_IFINDEX },
		{ "queue", required_argument, NULL, OPT_QUEUE },
		{ "instance", required_argument, NULL, OPT_INSTANCE },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "fib", required_argument, NULL, OPT_FIB },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "map-size", required_argument, NULL, OPT_MAP_SIZE },
		{ "keep-maps", no_argument, NULL, OPT_KEEP_MAPS },
		{ "trust-unverified", no_argument, NULL, OPT_TRUST },
		{ "afxdp", required_argument, NULL, OPT_AFXDP },
		{ "queues", required_argument, NULL, OPT_QUEUES },
		{ "copy", no_argument, NULL, OPT_COPY },
		{ "zero-copy", no_argument, NULL, OPT_ZEROCOPY },
		{ "busy-poll", no_argument, NULL, OPT_BUSY_POLL },
		{ "frame-size", required_argument, NULL, OPT_FRAME_SIZE },
		{ "frame-count", required_argument, NULL, OPT_FRAME_COUNT },
		{ "dpdk", no_argument, NULL, OPT_DPDK },
		{ "pass-tap", required_argument, NULL, OPT_PASS_TAP },
		{ "mbufs", required_argument, NULL, OPT_MBUFS },
		{ "group", required_argument, NULL, OPT_GROUP },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct uxdp_pcap_report report;
	struct uxdp_pcap_opts po = { .sz = sizeof(po), .repeat = 1, .report = &report };
	struct uxdp_dp_opts dpo = { .sz = sizeof(dpo) };
	struct attach_arg a = { .object = getenv("AOT_OBJECT"), .oo.sz = sizeof(a.oo) };
	const char *instance = NULL, *fib = NULL;
	uint32_t ifindex = 1, queue = 0;
	uint64_t v;
	int c, ret;
	bool show_stats = false, dpdk = false, keep_maps = false;
	struct uxdp_net_opts no = { 0 };
	struct uxdp_dp *dp;

	atexit(free_load_sizes);
	opterr = 0; /* our own one-line errors */
	while ((c = getopt_long(argc, argv, ":p:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_OBJECT: a.object = optarg; break;
		case OPT_PCAP: po.in = optarg; break;
		case OPT_OUT: po.out = optarg; break;
		case OPT_PASS_OUT: po.pass_out = optarg; break;
		case 'p': a.prog_name = optarg; break;
		case OPT_INSTANCE: instance = optarg; break;
		case OPT_STATS: show_stats = true; break;
		case OPT_FIB: fib = optarg; break;
		case OPT_CONFIG: a.config = optarg; break;
		case OPT_MAP_SIZE:
			if (add_map_size(optarg))
				return 2;
			break;
		case OPT_KEEP_MAPS: keep_maps = true; break;
		case OPT_TRUST: a.oo.trust_unverified = true; break;
		case OPT_REPEAT:
			if (parse_u64("--repeat", optarg, UINT64_MAX, &po.repeat) || !po.repeat) {
				fprintf(stderr, "uxdp: --repeat needs a positive count\n");
				return 2;
			}
			break;
		case OPT_IFINDEX:
			if (parse_u64("--ifindex", optarg, UINT32_MAX, &v))
				return 2;
			ifindex = v;
			break;
		case OPT_QUEUE:
			if (parse_u64("--queue", optarg, UINT32_MAX, &v))
				return 2;
			queue = v;
			break;
		case OPT_AFXDP: no.ifaces = optarg; break;
		case OPT_QUEUES: no.queues = optarg; break;
		case OPT_COPY: no.xsk_mode = UXDP_XSK_COPY; break;
		case OPT_ZEROCOPY: no.xsk_mode = UXDP_XSK_ZEROCOPY; break;
		case OPT_BUSY_POLL: no.busy_poll = true; break;
		case OPT_DPDK: dpdk = true; break;
		case OPT_PASS_TAP: no.pass_tap = optarg; break;
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
		case OPT_FRAME_SIZE:
			if (parse_u64("--frame-size", optarg, UINT32_MAX, &v))
				return 2;
			no.frame_size = v;
			break;
		case OPT_FRAME_COUNT:
			if (parse_u64("--frame-count", optarg, UINT32_MAX, &v))
				return 2;
			no.frame_count = v;
			break;
		case 'h': usage(stdout); return 0;
		case OPT_VERSION: printf("uxdp %s\n", UXDP_VERSION); return 0;
		case ':':
			fprintf(stderr, "uxdp: option '%s' needs an argument (uxdp -h for help)\n",
				argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "uxdp: unknown option '%s' (uxdp -h for help)\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc && !dpdk) {
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
	if ((no.ifaces || dpdk) && (po.in || (no.ifaces && dpdk))) {
		fprintf(stderr, "uxdp: choose one driver: --pcap, --afxdp or --dpdk\n");
		return 2;
	}
	if (!no.ifaces && !dpdk && !po.in) {
		fprintf(stderr, "uxdp: no driver: pass --pcap FILE\n");
		return 2;
	}
	if (dpdk) {
		/* EAL wants a program name first: ours stands where "--" was. */
		no.eal_argv = &argv[optind - 1];
		no.eal_argc = argc - optind + 1;
		no.eal_argv[0] = argv[0];
	}
	run.net = no.ifaces || dpdk;
	uxdp_private_instance_reclaim(NULL, NULL);
	if (fib && load_fib(fib))
		return 1;
	/* A network data plane is visible to uxdpctl without flags; an offline run is private. */
	if (!instance && run.net)
		instance = UXDP_DEFAULT_INSTANCE;
	if (instance &&
	    claim_instance(instance, a.object, a.prog_name ? a.prog_name : "", no.ifaces, keep_maps))
		return 1;
	/* An offline run must not see or leave state from other runs. */
	if (instance) {
		a.oo.instance = instance;
		a.oo.reuse_maps = true;
		/* A named instance publishes its counters for `uxdpctl stats`. */
		ret = uxdp_stats_shm_create(instance, &run.shm);
		if (ret)
			fprintf(stderr, "uxdp: warning: no shared stats for %s: %s\n", instance,
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
	if (show_stats)
		dpo.tick = tick_rates;
	else if (!run.net && isatty(STDERR_FILENO))
		dpo.tick = tick_status;
	dpo.on_stuck = on_stuck;
	dpo.redirect_any_ifindex = !run.net;
	ret = uxdp_dp_create(&dpo, &run.dp);
	if (!ret)
		ret = install_signals();
	if (!ret)
		ret = uxdp_map_sigbus_guard();
	if (ret) {
		fprintf(stderr, "uxdp: datapath: %s\n", strerror(-ret));
		uxdp_stats_shm_finish(run.shm);
		return 1;
	}

	ret = run.net ? run_net(&no, &a) : run_pcap(&po, ifindex, queue, &a);
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
