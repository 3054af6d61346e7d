// SPDX-License-Identifier: MIT
/*
 * main.c - the uxdp command: run a uxdpc-compiled XDP program.
 *
 *	AOT_OBJECT=fw.aot.o uxdp --pcap in.pcap --out out.pcap [options]
 *	AOT_OBJECT=fw.aot.o uxdp --afxdp veth0[,veth1] [--queues 0-1] [options]
 *	AOT_OBJECT=fw.aot.o uxdp --dpdk [options] -- EAL arguments
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
#include <uxdp/driver.h>
#include <uxdp/fib.h>
#include <uxdp/map.h>
#include <uxdp/net_driver.h>
#include <uxdp/runtime.h>
#include <uxdp/stats_shm.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: [AOT_OBJECT=obj.aot.o] uxdp [--object obj.aot.o] --pcap in.pcap [options]\n"
		"  --object PATH     object compiled by uxdpc (default: $AOT_OBJECT)\n"
		"  --pcap PATH       read packets from a pcap file (the pcap driver)\n"
		"  --out PATH        write XDP_TX and XDP_REDIRECT packets here\n"
		"  --pass-out PATH   write XDP_PASS packets here\n"
		"  -p, --prog NAME   program to run (needed if the object has several)\n"
		"  --repeat N        run the capture N times (default 1)\n"
		"  --ifindex N       ingress ifindex the program sees (default 1)\n"
		"  --queue N         rx queue index the program sees (default 0)\n"
		"  --instance NAME   keep maps in this shared-memory instance after exit\n"
		"                    (default: a private instance, removed on exit)\n"
		"  --fib FILE        routes for bpf_fib_lookup, one item a line (docs/fib.md):\n"
		"                      iface IFINDEX mac MAC [addr A[/LEN]] [mtu N] [forwarding on|off]\n"
		"                      route PREFIX[/LEN] [via GW] [dev IFINDEX] [metric N] [src A]\n"
		"                            [mtu N] [table N] [type unicast|blackhole|unreachable|\n"
		"                            prohibit|local]\n"
		"                      neigh ADDR lladdr MAC dev IFINDEX\n"
		"  --config FILE     map entries to write once the maps exist, before any packet\n"
		"                    (`uxdpctl apply` lines: map NAME key FIELDS value FIELDS)\n"
		"  --stats           print counters every second (with --instance they are\n"
		"                    also in shared memory for `uxdpctl stats`)\n"
		"  --afxdp IF[,IF]   AF_XDP driver on these interfaces (Ctrl-C stops)\n"
		"    --queues LIST   queues, one worker each, e.g. 0-1 (default 0)\n"
		"    --copy, --zero-copy  force the AF_XDP mode (default: zero-copy if possible)\n"
		"    --busy-poll     preferred busy polling on the sockets\n"
		"    --frame-size N  UMEM frame size, 2048 or 4096 (default 4096)\n"
		"    --frame-count N UMEM frames per worker and interface (default 4096)\n"
		"  --dpdk            DPDK driver; EAL arguments follow --, one worker per lcore\n"
		"  --pass-tap NAME   AF_XDP/DPDK: give XDP_PASS frames to the kernel through\n"
		"                    this TAP interface (default: count and drop them)\n"
		"  -h, --help        this help\n");
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

static volatile sig_atomic_t stop;

/* SIGINT/SIGTERM end the run after the current packet, so the final counters print. */
static void on_signal(int sig)
{
	stop = 1;
}

static void tick(const struct uxdp_stats *s, double seconds, void *arg)
{
	printf("--- %.0f s\n", seconds);
	uxdp_stats_print(stdout, s, seconds);
}

enum { OPT_AFXDP = 512, OPT_QUEUES, OPT_COPY, OPT_ZEROCOPY, OPT_BUSY_POLL, OPT_FRAME_SIZE,
       OPT_FRAME_COUNT, OPT_DPDK, OPT_PASS_TAP };

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

/* --config: after the object made its maps, before the driver's first packet. */
static int apply_config(const char *instance, const char *path)
{
	char err[640];
	int ret = path ? uxdp_ctl_apply_file(instance, path, err, sizeof(err)) : 0;

	if (ret)
		fprintf(stderr, "uxdp: %s\n", err);
	return ret;
}

struct net_prog {
	const char *object, *prog_name, *config;
	struct uxdp_object_opts oo;
	struct uxdp_object *obj;
};

/* The drivers know the worker count (per-CPU maps' ncpus) only once they are set up. */
static int open_net_prog(unsigned int nworkers, uxdp_prog_fn *fn, void *arg)
{
	struct net_prog *np = arg;
	const struct uxdp_program *prog;
	char err[512];
	int ret;

	np->oo.ncpus = nworkers;
	ret = uxdp_object_open(np->object, &np->oo, &np->obj, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "uxdp: %s\n", err);
		return ret;
	}
	prog = uxdp_object_program(np->obj, np->prog_name);
	if (!prog || prog->type != UXDP_PROG_XDP) {
		fprintf(stderr, "uxdp: %s: %s XDP program%s%s (-p chooses one)\n", np->object,
			np->prog_name ? "no" : "not exactly one", np->prog_name ? " " : "",
			np->prog_name ? np->prog_name : "");
		return -ENOENT;
	}
	*fn = prog->fn;
	return apply_config(np->oo.instance, np->config);
}

static int run_net(struct uxdp_net_opts *no, const char *object, const char *prog_name,
		   const char *instance, const char *config)
{
	struct net_prog np = { .object = object, .prog_name = prog_name, .config = config };
	struct uxdp_stats_shm *shm = NULL;
	char inst[UXDP_INSTANCE_LEN];
	bool ran = false;
	int ret = 0;

	if (instance) {
		np.oo.instance = instance;
		np.oo.reuse_maps = true;
	} else {
		snprintf(inst, sizeof(inst), "net-%ld", (long)getpid());
		np.oo.instance = inst;
		np.oo.unlink_on_close = true;
	}
	no->open_prog = open_net_prog;
	no->open_arg = &np;
	/* A named instance publishes its counters for `uxdpctl stats`, as with --pcap. */
	if (instance) {
		ret = uxdp_stats_shm_create(instance, &shm);
		if (ret)
			fprintf(stderr, "uxdp: warning: no shared stats for %s: %s\n", instance,
				strerror(-ret));
		else
			no->publish = &shm->stats;
		ret = 0;
	}
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
	if (!ran) {
		fprintf(stderr, "uxdp: this uxdp was built without the %s driver\n",
			no->ifaces ? "AF_XDP" : "DPDK");
		ret = -EOPNOTSUPP;
	}
	uxdp_stats_shm_finish(shm);
	uxdp_object_close(np.obj);
	if (!instance)
		uxdp_map_unlink_instance(np.oo.instance);
	return ret ? 1 : 0;
}

enum { OPT_OBJECT = 256, OPT_PCAP, OPT_OUT, OPT_PASS_OUT, OPT_REPEAT, OPT_IFINDEX, OPT_QUEUE,
       OPT_INSTANCE, OPT_STATS, OPT_FIB, OPT_CONFIG };

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
		{ "afxdp", required_argument, NULL, OPT_AFXDP },
		{ "queues", required_argument, NULL, OPT_QUEUES },
		{ "copy", no_argument, NULL, OPT_COPY },
		{ "zero-copy", no_argument, NULL, OPT_ZEROCOPY },
		{ "busy-poll", no_argument, NULL, OPT_BUSY_POLL },
		{ "frame-size", required_argument, NULL, OPT_FRAME_SIZE },
		{ "frame-count", required_argument, NULL, OPT_FRAME_COUNT },
		{ "dpdk", no_argument, NULL, OPT_DPDK },
		{ "pass-tap", required_argument, NULL, OPT_PASS_TAP },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct uxdp_pcap_opts po = { .ifindex = 1, .repeat = 1 };
	struct uxdp_object_opts oo = { .ncpus = 1 };
	const char *object = getenv("AOT_OBJECT"), *prog_name = NULL, *instance = NULL;
	const char *fib = NULL, *config = NULL;
	const struct uxdp_program *prog, *all;
	struct uxdp_object *obj;
	struct uxdp_stats stats = { 0 }, *counters = &stats;
	struct uxdp_stats_shm *shm = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	char err[512], inst[UXDP_INSTANCE_LEN];
	uint64_t v;
	size_t n, i;
	int c, ret;
	bool show_stats = false, dpdk = false;
	struct uxdp_net_opts no = { 0 };

	while ((c = getopt_long(argc, argv, "p:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_OBJECT: object = optarg; break;
		case OPT_PCAP: po.in = optarg; break;
		case OPT_OUT: po.out = optarg; break;
		case OPT_PASS_OUT: po.pass_out = optarg; break;
		case 'p': prog_name = optarg; break;
		case OPT_INSTANCE: instance = optarg; break;
		case OPT_STATS: show_stats = true; break;
		case OPT_FIB: fib = optarg; break;
		case OPT_CONFIG: config = optarg; break;
		case OPT_REPEAT:
			if (parse_u64("--repeat", optarg, UINT64_MAX, &po.repeat) || !po.repeat) {
				fprintf(stderr, "uxdp: --repeat needs a positive count\n");
				return 2;
			}
			break;
		case OPT_IFINDEX:
			if (parse_u64("--ifindex", optarg, UINT32_MAX, &v))
				return 2;
			po.ifindex = v;
			break;
		case OPT_QUEUE:
			if (parse_u64("--queue", optarg, UINT32_MAX, &v))
				return 2;
			po.queue = v;
			break;
		case OPT_AFXDP: no.ifaces = optarg; break;
		case OPT_QUEUES: no.queues = optarg; break;
		case OPT_COPY: no.xsk_mode = UXDP_XSK_COPY; break;
		case OPT_ZEROCOPY: no.xsk_mode = UXDP_XSK_ZEROCOPY; break;
		case OPT_BUSY_POLL: no.busy_poll = true; break;
		case OPT_DPDK: dpdk = true; break;
		case OPT_PASS_TAP: no.pass_tap = optarg; break;
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
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc && !dpdk) {
		fprintf(stderr, "uxdp: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (!object || !*object) {
		fprintf(stderr, "uxdp: no object: set AOT_OBJECT or pass --object\n");
		return 2;
	}
	if ((no.ifaces || dpdk) && (po.in || (no.ifaces && dpdk))) {
		fprintf(stderr, "uxdp: choose one driver: --pcap, --afxdp or --dpdk\n");
		return 2;
	}
	if (fib && load_fib(fib))
		return 1;
	if (no.ifaces || dpdk) {
		no.show_stats = show_stats;
		if (dpdk) {
			/* EAL wants a program name first: ours stands where "--" was. */
			no.eal_argv = &argv[optind - 1];
			no.eal_argc = argc - optind + 1;
			no.eal_argv[0] = argv[0];
		}
		return run_net(&no, object, prog_name, instance, config);
	}
	if (!po.in) {
		fprintf(stderr, "uxdp: no driver: pass --pcap FILE\n");
		return 2;
	}
	/* An offline run must not see or leave state from other runs. */
	if (instance) {
		oo.instance = instance;
		oo.reuse_maps = true;
	} else {
		snprintf(inst, sizeof(inst), "pcap-%ld", (long)getpid());
		oo.instance = inst;
		oo.unlink_on_close = true;
	}

	ret = uxdp_object_open(object, &oo, &obj, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "uxdp: %s\n", err);
		if (!instance)
			uxdp_map_unlink_instance(oo.instance);
		return 1;
	}
	prog = uxdp_object_program(obj, prog_name);
	if (!prog || prog->type != UXDP_PROG_XDP) {
		n = uxdp_object_programs(obj, &all);
		if (prog_name)
			fprintf(stderr, "uxdp: %s: no XDP program '%s'; it has:", object, prog_name);
		else
			fprintf(stderr, "uxdp: %s: %s; choose one with -p:", object,
				n ? "several XDP programs" : "no XDP program");
		for (i = 0; i < n; i++)
			if (all[i].type == UXDP_PROG_XDP)
				fprintf(stderr, " %s", all[i].name);
		fputc('\n', stderr);
		uxdp_object_close(obj);
		if (!instance)
			uxdp_map_unlink_instance(oo.instance);
		return 1;
	}
	if (apply_config(oo.instance, config)) {
		uxdp_object_close(obj);
		if (!instance)
			uxdp_map_unlink_instance(oo.instance);
		return 1;
	}
	if (show_stats)
		po.tick = tick;
	/* A named instance publishes its counters; the driver counts in place. */
	if (instance) {
		ret = uxdp_stats_shm_create(instance, &shm);
		if (ret)
			fprintf(stderr, "uxdp: warning: no shared stats for %s: %s\n", instance,
				strerror(-ret));
		else
			counters = &shm->stats;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	po.stop = &stop;

	ret = uxdp_pcap_run(prog->fn, &po, counters, err, sizeof(err));
	if (ret)
		fprintf(stderr, "uxdp: %s\n", err);
	else
		uxdp_stats_print(stdout, counters, 0);
	uxdp_stats_shm_finish(shm);
	uxdp_object_close(obj);
	if (!instance)
		uxdp_map_unlink_instance(oo.instance);
	return ret ? 1 : 0;
}
