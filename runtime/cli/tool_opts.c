// SPDX-License-Identifier: MIT
/*
 * tool_opts.c - the command line uxdp and uxdpd share (tool_opts.h): one
 * place for the options both take, so that their names, values and
 * messages cannot drift apart.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <uxdp/driver.h>
#include <uxdp/fib.h>
#include <uxdp/instance_owner.h>
#include <uxdp/net_driver.h>

#include "tool_opts.h"

int tool_parse_u64(const char *tool, const char *opt, const char *s, uint64_t max,
		   uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end || *s == '-' || v > max) {
		fprintf(stderr, "%s: %s: bad number '%s'\n", tool, opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* A 32-bit number option: --frame-size, --frame-count, --ifindex, --queue. */
static int opt_u32(const struct tool_args *t, const char *opt, const char *arg, uint32_t *out)
{
	uint64_t v;

	if (tool_parse_u64(t->tool, t->number_name ? t->number_name : opt, arg, UINT32_MAX, &v))
		return -1;
	*out = (uint32_t)v;
	return 1;
}

int tool_opt(struct tool_args *t, int c, const char *arg)
{
	switch (c) {
	case TOOL_OPT_OBJECT: t->object = arg; break;
	case 'p': t->prog = arg; break;
	case TOOL_OPT_INSTANCE: t->instance = arg; break;
	case TOOL_OPT_STATS: t->stats = true; break;
	case TOOL_OPT_FIB: t->fib = arg; break;
	case TOOL_OPT_KEEP_MAPS: t->keep_maps = true; break;
	case TOOL_OPT_TRUST: t->trust_unverified = true; break;
	case TOOL_OPT_AFXDP: t->no->ifaces = arg; break;
	case TOOL_OPT_QUEUES: t->no->queues = arg; break;
	case TOOL_OPT_COPY: t->no->xsk_mode = UXDP_XSK_COPY; break;
	case TOOL_OPT_ZEROCOPY: t->no->xsk_mode = UXDP_XSK_ZEROCOPY; break;
	case TOOL_OPT_BUSY_POLL: t->no->busy_poll = true; break;
	case TOOL_OPT_FRAME_SIZE: return opt_u32(t, "--frame-size", arg, &t->no->frame_size);
	case TOOL_OPT_FRAME_COUNT: return opt_u32(t, "--frame-count", arg, &t->no->frame_count);
	case TOOL_OPT_DPDK: t->dpdk = true; break;
	case TOOL_OPT_PASS_TAP: t->no->pass_tap = arg; break;
	case TOOL_OPT_PCAP: t->po->in = arg; break;
	case TOOL_OPT_OUT: t->po->out = arg; break;
	case TOOL_OPT_PASS_OUT: t->po->pass_out = arg; break;
	case TOOL_OPT_IFINDEX: return opt_u32(t, "--ifindex", arg, &t->ifindex);
	case TOOL_OPT_QUEUE: return opt_u32(t, "--queue", arg, &t->queue);
	default: return 0;
	}
	return 1;
}

int tool_opt_error(const char *tool, int c, char *const argv[])
{
	if (c == ':')
		fprintf(stderr, "%s: option '%s' needs an argument (%s -h for help)\n", tool,
			argv[optind - 1], tool);
	else
		fprintf(stderr, "%s: unknown option '%s' (%s -h for help)\n", tool,
			argv[optind - 1], tool);
	return 2;
}

void tool_eal_args(struct uxdp_net_opts *no, int argc, char **argv, int optind)
{
	/* EAL wants a program name first: ours stands where "--" was. */
	no->eal_argv = &argv[optind - 1];
	no->eal_argc = argc - optind + 1;
	no->eal_argv[0] = argv[0];
}

int tool_load_fib(const char *tool, const char *path)
{
	struct uxdp_fib *fib = uxdp_fib_new();
	char err[640];
	int ret;

	if (!fib) {
		fprintf(stderr, "%s: %s: out of memory\n", tool, path);
		return -ENOMEM;
	}
	ret = uxdp_fib_load_file(fib, path, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "%s: %s\n", tool, err);
		uxdp_fib_free(fib);
		return ret;
	}
	uxdp_fib_set_default(fib);
	return 0;
}

int tool_install_signals(void (*handler)(int))
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa = { .sa_handler = handler, .sa_flags = SA_RESTART };
	size_t i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
		if (sigaction(sigs[i], &sa, NULL))
			return -errno;
	return 0;
}

void tool_reclaim_dead(const char *tool, const char *instance, const struct uxdp_owner_info *prev,
		       bool keep_maps)
{
	if (!prev->pid || prev->state != UXDP_OWNER_RUNNING)
		return;
	uxdp_instance_reclaim(instance, keep_maps);
	fprintf(stderr, "%s: instance %s: %s pid %d died without cleaning up; reclaimed "
		"its segments (%s)\n", tool, instance, prev->kind, prev->pid,
		keep_maps ? "maps kept" : "maps removed; --keep-maps keeps them");
}
