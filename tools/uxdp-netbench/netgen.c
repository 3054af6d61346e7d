// SPDX-License-Identifier: MIT
/*
 * uxdp-netgen - the kernel-side helpers of the network benchmark.
 *
 *   uxdp-netgen send IFACE --obj netgen.bpf.o [--seconds S] [--size N]
 *               [--flows F] [--dst-mac MAC] [--src-mac MAC] [--batch B]
 *	Send as fast as one core can: bpf_prog_test_run() with
 *	BPF_F_TEST_XDP_LIVE_FRAMES runs netgen_tx on copies of a TCP SYN
 *	198.18.0.1 -> 198.18.250.1:80 (the VIP of xdp_lb.conf) and XDP_TX
 *	puts each copy on IFACE's transmit path (ndo_xdp_xmit): on a veth
 *	pair the frames arrive in the peer's receive queue, which needs an
 *	XDP program on the peer.  Prints "sent N packets in T s".
 *
 *   uxdp-netgen attach IFACE OBJ [--prog NAME] [--conf FILE] [--skb]
 *	Load OBJ with libbpf, attach its XDP program (native mode unless
 *	--skb) to IFACE and fill its maps from a uxdpctl-format FILE
 *	("map NAME key FIELDS value FIELDS" lines).  The program stays
 *	attached after exit; removing the interface removes it.
 *
 * Exit: 0, 1 on failure, 2 on usage errors.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <uxdp/ctl.h>

#ifndef BPF_F_TEST_XDP_LIVE_FRAMES
#define BPF_F_TEST_XDP_LIVE_FRAMES (1U << 1)
#endif

struct netgen_cfg {
	__u32 flows, sport_off, next, base;
};

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = 1; }

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_mac(const char *s, unsigned char *m)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2], &m[3], &m[4],
		      &m[5]) == 6 ? 0 : -1;
}

static uint16_t csum(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += b[i] << 8 | b[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s;
}

/* Ethernet + IPv4 + TCP SYN to 198.18.250.1:80, padded to size bytes. */
static size_t build_frame(unsigned char *f, size_t size, const unsigned char *dst,
			  const unsigned char *src)
{
	unsigned char *ip = f + 14, *tcp = ip + 20;
	uint16_t c;

	memset(f, 0, size);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (size - 14) >> 8;
	ip[3] = (size - 14) & 0xff;
	ip[6] = 0x40; /* DF */
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, (unsigned char[]){ 198, 18, 0, 1 }, 4);
	memcpy(ip + 16, (unsigned char[]){ 198, 18, 250, 1 }, 4);
	c = csum(ip, 20);
	ip[10] = c >> 8;
	ip[11] = c;
	tcp[0] = 1024 >> 8; /* source port: netgen_tx writes the flow's */
	tcp[1] = 1024 & 0xff;
	tcp[3] = 80;
	tcp[7] = 1;          /* seq */
	tcp[12] = 5 << 4;    /* data offset */
	tcp[13] = 0x02;      /* SYN */
	tcp[14] = 0xff;      /* window */
	tcp[15] = 0xff;
	return size;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: uxdp-netgen send IFACE --obj netgen.bpf.o [--seconds S] [--size N]\n"
		   "                   [--flows F] [--dst-mac MAC] [--src-mac MAC] [--batch B]\n"
		   "       uxdp-netgen attach IFACE OBJ [--prog NAME] [--conf FILE] [--skb]\n");
}

static struct bpf_object *open_load(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	int err;

	if (!obj) {
		fprintf(stderr, "uxdp-netgen: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "uxdp-netgen: %s: load: %s\n", path, strerror(-err));
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

static int do_send(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "obj", required_argument, NULL, 'o' },   { "seconds", required_argument, NULL, 's' },
		{ "size", required_argument, NULL, 'n' },  { "flows", required_argument, NULL, 'f' },
		{ "dst-mac", required_argument, NULL, 'd' }, { "src-mac", required_argument, NULL, 'S' },
		{ "batch", required_argument, NULL, 'b' }, { NULL, 0, NULL, 0 },
	};
	unsigned char dst[6] = { 0x02, 0, 0x5e, 0, 0, 2 }, src[6] = { 0x02, 0, 0x5e, 0, 0, 1 };
	unsigned char frame[1514];
	const char *objpath = NULL, *ifname;
	double seconds = 5, t0, t;
	unsigned int size = 64, flows = 64, batch = 64, ifindex;
	unsigned long long sent = 0;
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	struct netgen_cfg cfg;
	struct xdp_md ctx = { 0 };
	__u32 k = 0;
	int c, err, fd;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'o': objpath = optarg; break;
		case 's': seconds = atof(optarg); break;
		case 'n': size = atoi(optarg); break;
		case 'f': flows = atoi(optarg); break;
		case 'b': batch = atoi(optarg); break;
		case 'd': if (parse_mac(optarg, dst)) goto bad; break;
		case 'S': if (parse_mac(optarg, src)) goto bad; break;
		default: goto bad;
		}
	}
	if (optind + 1 != argc || !objpath || size < 60 || size > sizeof(frame) || seconds <= 0)
		goto bad;
	ifname = argv[optind];
	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		fprintf(stderr, "uxdp-netgen: %s: %s\n", ifname, strerror(errno));
		return 1;
	}
	obj = open_load(objpath);
	if (!obj)
		return 1;
	prog = bpf_object__find_program_by_name(obj, "netgen_tx");
	map = bpf_object__find_map_by_name(obj, "netgen_cfg");
	if (!prog || !map) {
		fprintf(stderr, "uxdp-netgen: %s: no netgen_tx/netgen_cfg\n", objpath);
		return 1;
	}
	cfg = (struct netgen_cfg){ .flows = flows, .sport_off = 14 + 20, .base = 1024 };
	if (bpf_map_update_elem(bpf_map__fd(map), &k, &cfg, BPF_ANY)) {
		perror("uxdp-netgen: netgen_cfg");
		return 1;
	}
	build_frame(frame, size, dst, src);
	fd = bpf_program__fd(prog);
	ctx.data_end = size; /* the kernel wants ctx to describe data_in exactly */
	ctx.ingress_ifindex = ifindex;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	t0 = now();
	do {
		/* Chunks of ~0.1 s at 10 Mpps, so that time and signals are looked at. */
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = size,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .repeat = 1000000,
			    .batch_size = batch);
		err = bpf_prog_test_run_opts(fd, &o);
		if (err) {
			fprintf(stderr, "uxdp-netgen: test_run (live frames): %s\n",
				strerror(errno));
			return 1;
		}
		sent += o.repeat;
		t = now() - t0;
	} while (t < seconds && !stop);
	printf("sent %llu packets in %.3f s: %.3f Mpps\n", sent, t, sent / t / 1e6);
	bpf_object__close(obj);
	return 0;
bad:
	usage(stderr);
	return 2;
}

#define MAX_WORDS 4096

static int apply_conf(struct bpf_object *obj, const char *path)
{
	char *line = NULL, *tok[MAX_WORDS], *s, *save, err[320];
	struct uxdp_ctl_parse p = { .err = err, .err_size = sizeof(err) };
	struct uxdp_ctl_entry e;
	struct bpf_map *m;
	size_t cap = 0;
	int n, lineno = 0, ret = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "uxdp-netgen: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (!ret && getline(&line, &cap, f) >= 0) {
		lineno++;
		if ((s = strchr(line, '#')))
			*s = '\0';
		n = 0;
		for (s = strtok_r(line, " \t\r\n", &save); s && n < MAX_WORDS;
		     s = strtok_r(NULL, " \t\r\n", &save))
			tok[n++] = s;
		if (!n)
			continue;
		if (uxdp_ctl_parse_entry(&p, n, tok, &e)) {
			fprintf(stderr, "uxdp-netgen: %s:%d: %s\n", path, lineno, err);
			ret = 1;
			break;
		}
		m = bpf_object__find_map_by_name(obj, e.map);
		if (!m || bpf_map__key_size(m) != e.key_len ||
		    bpf_map__value_size(m) != e.value_len ||
		    bpf_map_update_elem(bpf_map__fd(m), e.key, e.value, e.flags)) {
			fprintf(stderr, "uxdp-netgen: %s:%d: map %s: %s\n", path, lineno, e.map,
				!m ? "no such map" : errno ? strerror(errno) : "key/value size");
			ret = 1;
		}
		uxdp_ctl_entry_free(&e);
	}
	free(line);
	fclose(f);
	return ret;
}

static int do_attach(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "prog", required_argument, NULL, 'p' }, { "conf", required_argument, NULL, 'c' },
		{ "skb", no_argument, NULL, 'k' },         { NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *conf = NULL;
	__u32 flags = XDP_FLAGS_DRV_MODE;
	struct bpf_program *prog = NULL, *pp;
	struct bpf_object *obj;
	unsigned int ifindex;
	int c, err;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'p': name = optarg; break;
		case 'c': conf = optarg; break;
		case 'k': flags = XDP_FLAGS_SKB_MODE; break;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 2 != argc) {
		usage(stderr);
		return 2;
	}
	ifindex = if_nametoindex(argv[optind]);
	if (!ifindex) {
		fprintf(stderr, "uxdp-netgen: %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	obj = open_load(argv[optind + 1]);
	if (!obj)
		return 1;
	if (name) {
		prog = bpf_object__find_program_by_name(obj, name);
	} else {
		bpf_object__for_each_program(pp, obj) {
			if (bpf_program__type(pp) != BPF_PROG_TYPE_XDP)
				continue;
			if (prog) {
				fprintf(stderr, "uxdp-netgen: several XDP programs: --prog\n");
				return 1;
			}
			prog = pp;
		}
	}
	if (!prog) {
		fprintf(stderr, "uxdp-netgen: no XDP program %s\n", name ? name : "");
		return 1;
	}
	if (conf && apply_conf(obj, conf))
		return 1;
	err = bpf_xdp_attach(ifindex, bpf_program__fd(prog), flags, NULL);
	if (err) {
		fprintf(stderr, "uxdp-netgen: attach to %s: %s\n", argv[optind], strerror(-err));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	libbpf_set_print(NULL);
	if (!strcmp(argv[1], "send"))
		return do_send(argc - 1, argv + 1);
	if (!strcmp(argv[1], "attach"))
		return do_attach(argc - 1, argv + 1);
	usage(!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ? stdout : stderr);
	return 2;
}
