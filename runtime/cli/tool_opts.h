/* SPDX-License-Identifier: MIT */
/*
 * tool_opts.h - the command line uxdp and uxdpd share: the object and its
 * program, the instance, --stats, --fib, and the drivers' options (pcap,
 * AF_XDP, DPDK), with the same names, values and messages in both.  Each
 * tool adds its own options after TOOL_LONGOPTS and handles what only it
 * means: -h, --version, --repeat (uxdp refuses 0, uxdpd takes it as 1).
 *
 * Every message starts with the tool's name and goes to stderr; a usage
 * error is the tool's exit status 2.
 */
#ifndef UXDP_TOOL_OPTS_H
#define UXDP_TOOL_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

struct uxdp_net_opts;
struct uxdp_pcap_opts;
struct uxdp_owner_info;

enum tool_opt {
	TOOL_OPT_OBJECT = 256,
	TOOL_OPT_INSTANCE,
	TOOL_OPT_STATS,
	TOOL_OPT_FIB,
	TOOL_OPT_KEEP_MAPS,
	TOOL_OPT_TRUST,
	TOOL_OPT_AFXDP,
	TOOL_OPT_QUEUES,
	TOOL_OPT_COPY,
	TOOL_OPT_ZEROCOPY,
	TOOL_OPT_BUSY_POLL,
	TOOL_OPT_FRAME_SIZE,
	TOOL_OPT_FRAME_COUNT,
	TOOL_OPT_DPDK,
	TOOL_OPT_PASS_TAP,
	TOOL_OPT_PCAP,
	TOOL_OPT_OUT,
	TOOL_OPT_PASS_OUT,
	TOOL_OPT_REPEAT,
	TOOL_OPT_IFINDEX,
	TOOL_OPT_QUEUE,
	TOOL_OPT_VERSION,
	TOOL_OPT_END, /* a tool's own options are numbered from here */
};

#define TOOL_SHORTOPTS ":p:h"

/* The shared entries of a tool's struct option array (its own follow). */
#define TOOL_LONGOPTS                                                     \
	{ "object", required_argument, NULL, TOOL_OPT_OBJECT },           \
	{ "prog", required_argument, NULL, 'p' },                         \
	{ "instance", required_argument, NULL, TOOL_OPT_INSTANCE },       \
	{ "stats", no_argument, NULL, TOOL_OPT_STATS },                   \
	{ "fib", required_argument, NULL, TOOL_OPT_FIB },                 \
	{ "keep-maps", no_argument, NULL, TOOL_OPT_KEEP_MAPS },           \
	{ "trust-unverified", no_argument, NULL, TOOL_OPT_TRUST },        \
	{ "afxdp", required_argument, NULL, TOOL_OPT_AFXDP },             \
	{ "queues", required_argument, NULL, TOOL_OPT_QUEUES },           \
	{ "copy", no_argument, NULL, TOOL_OPT_COPY },                     \
	{ "zero-copy", no_argument, NULL, TOOL_OPT_ZEROCOPY },            \
	{ "busy-poll", no_argument, NULL, TOOL_OPT_BUSY_POLL },           \
	{ "frame-size", required_argument, NULL, TOOL_OPT_FRAME_SIZE },   \
	{ "frame-count", required_argument, NULL, TOOL_OPT_FRAME_COUNT }, \
	{ "dpdk", no_argument, NULL, TOOL_OPT_DPDK },                     \
	{ "pass-tap", required_argument, NULL, TOOL_OPT_PASS_TAP },       \
	{ "pcap", required_argument, NULL, TOOL_OPT_PCAP },               \
	{ "out", required_argument, NULL, TOOL_OPT_OUT },                 \
	{ "pass-out", required_argument, NULL, TOOL_OPT_PASS_OUT },       \
	{ "repeat", required_argument, NULL, TOOL_OPT_REPEAT },           \
	{ "ifindex", required_argument, NULL, TOOL_OPT_IFINDEX },         \
	{ "queue", required_argument, NULL, TOOL_OPT_QUEUE },             \
	{ "help", no_argument, NULL, 'h' },                               \
	{ "version", no_argument, NULL, TOOL_OPT_VERSION }

/* What the shared options set; the tool sets tool, no, po and the defaults first. */
struct tool_args {
	const char *tool;	 /* "uxdp", "uxdpd": every message's prefix */
	const char *number_name; /* names the option in "bad number" messages; NULL: --OPT */
	const char *object, *prog, *instance, *fib;
	bool stats, keep_maps, trust_unverified, dpdk;
	uint32_t ifindex, queue;
	struct uxdp_net_opts *no;  /* --afxdp ... --pass-tap */
	struct uxdp_pcap_opts *po; /* --pcap, --out, --pass-out */
};

/*
 * Take getopt_long's c (optarg: arg) if it is a shared option: 1 when
 * taken, 0 when it is not one of them (the tool's own, -h, --version,
 * --repeat, or getopt's ':' and '?'), -1 for a bad value (said on stderr).
 */
int tool_opt(struct tool_args *t, int c, const char *arg);
/* getopt's ':' (missing argument) or '?' (unknown option): one line; returns 2. */
int tool_opt_error(const char *tool, int c, char *const argv[]);
/* s as a number up to max (0x.. and 0.. too); -1 with "TOOL: OPT: bad number 'S'". */
int tool_parse_u64(const char *tool, const char *opt, const char *s, uint64_t max,
		   uint64_t *out);
/* --dpdk: EAL gets the arguments after "--", the program's name where "--" stood. */
void tool_eal_args(struct uxdp_net_opts *no, int argc, char **argv, int optind);

/* --fib: make the FIB file the process default; -errno, said on stderr. */
int tool_load_fib(const char *tool, const char *path);
/* SIGINT, SIGTERM, SIGHUP and SIGQUIT to handler (restarting); 0 or -errno. */
int tool_install_signals(void (*handler)(int));
/*
 * prev is what uxdp_instance_claim() found: if its owner died running,
 * reclaim the instance's segments (maps kept with keep_maps) and say so.
 */
void tool_reclaim_dead(const char *tool, const char *instance, const struct uxdp_owner_info *prev,
		       bool keep_maps);

#endif /* UXDP_TOOL_OPTS_H */
