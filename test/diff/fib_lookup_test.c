// SPDX-License-Identifier: MIT
/*
 * fib_lookup_test.c - bpf_fib_lookup in the kernel against uxdp's
 * userspace FIB (uxdp/fib.h), configured alike.
 *
 * uxdp-difftest cannot compare fib_lookup: the kernel answers from the
 * namespace's routing table, uxdp from the FIB its control plane gives it.
 * So this test, run by fib_lookup.sh inside a network namespace of its
 * own, builds one topology twice: in the kernel with `ip` (a veth pair,
 * addresses, routes of every type, a permanent neighbour, per-interface
 * forwarding; addresses in 198.18.0.0/15 only), and in a struct uxdp_fib
 * with the same interfaces (ifindex and MAC read back from the kernel),
 * routes and neighbours. Then it runs fib_lookup.bpf.o over a list of
 * lookups (packet = 14 bytes, u32 flags, struct bpf_fib_lookup): in the
 * kernel with BPF_PROG_TEST_RUN, in uxdp from each compiled object given
 * (-O0, -O3), and compares the return code and every byte of the struct.
 *
 * usage: fib_lookup_test PROG.bpf.o PROG.aot.o...   exit 0, 1 (a
 * difference), 2 (setup error), 77 (no BPF or no privileges: skip)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <uxdp/driver.h>
#include <uxdp/fib.h>
#include <uxdp/map.h>
#include <uxdp/runtime.h>
#include <uxdp/worker.h>

#define FIB_OFF 18
#define PKT_LEN (FIB_OFF + sizeof(struct bpf_fib_lookup) + 2)

static const char *setup[] = {
	"ip link set lo up",
	"ip link add uxf0 type veth peer name uxf1",
	"ip link set uxf0 address 02:00:00:00:00:a0",
	"ip link set uxf1 address 02:00:00:00:00:a1",
	"ip addr add 198.18.0.1/24 dev uxf0",
	"ip addr add 198.18.1.1/24 dev uxf1",
	"ip link set uxf0 up",
	"ip link set uxf1 up",
	"ip route add 198.19.0.0/16 via 198.18.0.2 dev uxf0",
	"ip route add 198.19.5.0/24 via 198.18.1.2 dev uxf1 metric 100",
	"ip route add 198.19.6.0/24 via 198.18.0.3 dev uxf0 metric 20",
	"ip route add 198.19.6.0/24 via 198.18.1.3 dev uxf1 metric 10",
	"ip route add blackhole 198.19.9.0/24",
	"ip route add unreachable 198.19.10.0/24",
	"ip route add prohibit 198.19.11.0/24",
	"ip route add 198.19.12.0/24 via 198.18.0.2 dev uxf0 src 198.18.1.1",
	"ip neigh replace 198.18.0.2 lladdr 02:00:00:00:00:b2 dev uxf0 nud permanent",
	"ip neigh replace 198.18.1.3 lladdr 02:00:00:00:00:b3 dev uxf1 nud permanent",
	"sysctl -qw net.ipv4.conf.all.forwarding=1",
	"sysctl -qw net.ipv4.conf.uxf0.forwarding=1",
	"sysctl -qw net.ipv4.conf.uxf1.forwarding=0",
	NULL,
};

static uint32_t if0, if1;

static void ip4(uint8_t *dst, const char *s)
{
	inet_pton(AF_INET, s, dst);
}

static int get_mac(const char *name, uint8_t mac[6])
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), r;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	r = fd < 0 ? -1 : ioctl(fd, SIOCGIFHWADDR, &ifr);
	if (fd >= 0)
		close(fd);
	if (r)
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static void route(struct uxdp_fib *f, const char *dst, int plen, int type, const char *gw,
		  uint32_t oif, uint32_t metric, const char *prefsrc)
{
	struct uxdp_fib_route r = { .sz = sizeof(r), .family = AF_INET,
				    .prefix_len = (uint8_t)plen, .type = (uint8_t)type,
				    .oif = oif, .metric = metric };

	ip4(r.dst, dst);
	if (gw) {
		r.has_gw = 1;
		ip4(r.gw, gw);
	}
	if (prefsrc) {
		r.has_prefsrc = 1;
		ip4(r.prefsrc, prefsrc);
	}
	if (uxdp_fib_add_route(f, &r))
		fprintf(stderr, "fib_lookup_test: uxdp route %s/%d refused\n", dst, plen), exit(2);
}

static struct uxdp_fib *uxdp_topology(void)
{
	struct uxdp_fib *f = uxdp_fib_new();
	struct uxdp_fib_iface lo = { .sz = sizeof(lo), .ifindex = 1, .mtu = 65535,
				     .fwd_ipv4 = 1, .has_addr4 = 1 };
	struct uxdp_fib_iface a = { .sz = sizeof(a), .ifindex = if0, .mtu = 1500, .fwd_ipv4 = 1,
				    .has_addr4 = 1 };
	struct uxdp_fib_iface b = { .sz = sizeof(b), .ifindex = if1, .mtu = 1500, .fwd_ipv4 = 0,
				    .has_addr4 = 1 };
	struct uxdp_fib_neigh n1 = { .sz = sizeof(n1), .ifindex = if0, .family = AF_INET,
				     .mac = { 2, 0, 0, 0, 0, 0xb2 } };
	struct uxdp_fib_neigh n2 = { .sz = sizeof(n2), .ifindex = if1, .family = AF_INET,
				     .mac = { 2, 0, 0, 0, 0, 0xb3 } };

	if (!f)
		exit(2);
	ip4(lo.addr4, "127.0.0.1");
	ip4(a.addr4, "198.18.0.1");
	ip4(b.addr4, "198.18.1.1");
	if (get_mac("uxf0", a.mac) || get_mac("uxf1", b.mac))
		exit(2);
	uxdp_fib_set_iface(f, &lo);
	uxdp_fib_set_iface(f, &a);
	uxdp_fib_set_iface(f, &b);
	/* the kernel's connected routes, then those of setup[] */
	route(f, "198.18.0.0", 24, UXDP_RT_UNICAST, NULL, if0, 0, "198.18.0.1");
	route(f, "198.18.1.0", 24, UXDP_RT_UNICAST, NULL, if1, 0, "198.18.1.1");
	route(f, "127.0.0.0", 8, UXDP_RT_LOCAL, NULL, 1, 0, NULL);
	/* broadcast addresses live in the kernel's local table */
	route(f, "198.18.0.255", 32, UXDP_RT_LOCAL, NULL, if0, 0, NULL);
	route(f, "198.18.1.255", 32, UXDP_RT_LOCAL, NULL, if1, 0, NULL);
	route(f, "198.19.0.0", 16, UXDP_RT_UNICAST, "198.18.0.2", if0, 0, NULL);
	route(f, "198.19.5.0", 24, UXDP_RT_UNICAST, "198.18.1.2", if1, 100, NULL);
	route(f, "198.19.6.0", 24, UXDP_RT_UNICAST, "198.18.0.3", if0, 20, NULL);
	route(f, "198.19.6.0", 24, UXDP_RT_UNICAST, "198.18.1.3", if1, 10, NULL);
	route(f, "198.19.9.0", 24, UXDP_RT_BLACKHOLE, NULL, 0, 0, NULL);
	route(f, "198.19.10.0", 24, UXDP_RT_UNREACHABLE, NULL, 0, 0, NULL);
	route(f, "198.19.11.0", 24, UXDP_RT_PROHIBIT, NULL, 0, 0, NULL);
	route(f, "198.19.12.0", 24, UXDP_RT_UNICAST, "198.18.0.2", if0, 0, "198.18.1.1");
	ip4(n1.addr, "198.18.0.2");
	ip4(n2.addr, "198.18.1.3");
	uxdp_fib_set_neigh(f, &n1);
	uxdp_fib_set_neigh(f, &n2);
	return f;
}

struct fcase {
	const char *name;
	uint32_t flags;
	const char *dst;
	int in_if;          /* 0: uxf0, 1: uxf1, 2: lo, 3: an unknown ifindex */
	uint16_t tot_len;
	uint8_t family;     /* 0: AF_INET */
	uint32_t tbid;
};

static const struct fcase cases[] = {
	{ "gateway, neighbour known", 0, "198.19.1.1", 0, 100 },
	{ "gateway without neighbour", 0, "198.19.5.5", 0, 100 },
	{ "same, SKIP_NEIGH", BPF_FIB_LOOKUP_SKIP_NEIGH, "198.19.5.5", 0, 100 },
	{ "lowest metric wins", 0, "198.19.6.7", 0, 100 },
	{ "blackhole", 0, "198.19.9.1", 0, 100 },
	{ "unreachable", 0, "198.19.10.1", 0, 100 },
	{ "prohibit", 0, "198.19.11.1", 0, 100 },
	{ "local address", 0, "198.18.1.1", 0, 100 },
	{ "broadcast", 0, "198.18.0.255", 0, 100 },
	{ "loopback", 0, "127.0.0.1", 0, 100 },
	{ "on-link neighbour", 0, "198.18.0.2", 0, 100 },
	{ "on-link, no neighbour", 0, "198.18.0.77", 0, 100 },
	{ "no route", 0, "8.8.8.8", 0, 100 },
	{ "forwarding off on ingress", 0, "198.19.1.1", 1, 100 },
	{ "forwarding off, OUTPUT", BPF_FIB_LOOKUP_OUTPUT, "198.19.1.1", 1, 100 },
	{ "tot_len over MTU", 0, "198.19.1.1", 0, 1501 },
	{ "tot_len at MTU", 0, "198.19.1.1", 0, 1500 },
	{ "SRC from the interface", BPF_FIB_LOOKUP_SRC, "198.19.1.1", 0, 100 },
	{ "SRC from the route's src", BPF_FIB_LOOKUP_SRC, "198.19.12.1", 0, 100 },
	{ "DIRECT (main)", BPF_FIB_LOOKUP_DIRECT, "198.19.1.1", 0, 100 },
	{ "DIRECT, local address", BPF_FIB_LOOKUP_DIRECT, "198.18.1.1", 0, 100 },
	{ "DIRECT|TBID 254", BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_TBID, "198.19.1.1", 0, 100,
	  0, 254 },
	{ "DIRECT|TBID 77 (no table)", BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_TBID, "198.19.1.1",
	  0, 100, 0, 77 },
	{ "DIRECT|TBID 254, local address", BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_TBID,
	  "198.18.1.1", 0, 100, 0, 254 },
	{ "DIRECT|TBID 255 (local)", BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_TBID, "198.19.1.1",
	  0, 100, 0, 255 },
	{ "DIRECT|TBID 255, local address", BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_TBID,
	  "198.18.1.1", 0, 100, 0, 255 },
	{ "unknown flag", 1U << 7, "198.19.1.1", 0, 100 },
	{ "unknown ifindex", 0, "198.19.1.1", 3, 100 },
	{ "family 99", 0, "198.19.1.1", 0, 100, 99 },
	{ "ingress lo", 0, "198.19.1.1", 2, 100 },
};

static void make_packet(const struct fcase *c, uint8_t *pkt)
{
	struct bpf_fib_lookup p = { 0 };

	memset(pkt, 0, PKT_LEN);
	memset(pkt, 0xff, 6);
	pkt[12] = 0x08;
	p.family = c->family ? c->family : AF_INET;
	p.l4_protocol = 17;
	p.sport = htons(1234);
	p.dport = htons(53);
	p.tot_len = c->tot_len;
	p.ifindex = c->in_if == 0 ? if0 : c->in_if == 1 ? if1 : c->in_if == 2 ? 1 : 999;
	p.tos = 0;
	inet_pton(AF_INET, "198.18.0.10", &p.ipv4_src);
	inet_pton(AF_INET, c->dst, &p.ipv4_dst);
	if (c->tbid)
		p.tbid = c->tbid;
	memcpy(pkt + 14, &c->flags, 4);
	memcpy(pkt + FIB_OFF, &p, sizeof(p));
}

static void dump(const char *who, const uint8_t *b, size_t n)
{
	int32_t rc;

	memcpy(&rc, b + 14, 4);
	printf("  %s: rc %d, struct:", who, rc);
	for (size_t i = FIB_OFF; i < n; i++)
		printf("%s%02x", (i - FIB_OFF) % 16 ? " " : "\n    ", b[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	struct bpf_object *kobj;
	struct bpf_program *kprog;
	struct uxdp_fib *fib;
	struct uxdp_worker w;
	int failures = 0, i, a;

	if (argc < 3) {
		fprintf(stderr, "usage: fib_lookup_test PROG.bpf.o PROG.aot.o...\n");
		return 2;
	}
	for (i = 0; setup[i]; i++) {
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "%s >/dev/null", setup[i]);
		if (system(cmd)) {
			fprintf(stderr, "fib_lookup_test: '%s' failed\n", setup[i]);
			return getuid() ? 77 : 2;
		}
	}
	if0 = if_nametoindex("uxf0");
	if1 = if_nametoindex("uxf1");
	fib = uxdp_topology();
	uxdp_fib_set_default(fib);

	kobj = bpf_object__open_file(argv[1], NULL);
	if (!kobj || bpf_object__load(kobj)) {
		fprintf(stderr, "fib_lookup_test: cannot load %s in the kernel: %s\n", argv[1],
			strerror(errno));
		return errno == EPERM || errno == ENOSYS ? 77 : 2;
	}
	kprog = bpf_object__find_program_by_name(kobj, "diff_fib_lookup");
	uxdp_worker_init(&w, 0);
	uxdp_worker_set_current(&w);

	for (a = 2; a < argc; a++) {
		struct uxdp_object_opts o = { .sz = sizeof(o), .instance = "fibtest", .ncpus = 1,
					      .unlink_on_close = true };
		const struct uxdp_program *up;
		struct uxdp_object *uobj;
		char err[256];

		uxdp_map_unlink_instance("fibtest");
		if (uxdp_object_open(argv[a], &o, &uobj, err, sizeof(err))) {
			fprintf(stderr, "fib_lookup_test: %s\n", err);
			return 2;
		}
		up = uxdp_object_program(uobj, "diff_fib_lookup");
		if (!up) {
			fprintf(stderr, "fib_lookup_test: %s: no diff_fib_lookup\n", argv[a]);
			return 2;
		}
		for (i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++) {
			uint8_t pkt[PKT_LEN], kout[4096];
			static uint8_t frame[UXDP_FRAME_SIZE] __attribute__((aligned(64)));
			struct uxdp_ctx ctx = {
				.data_hard_start = frame,
				.data = frame + UXDP_HEADROOM,
				.data_meta = frame + UXDP_HEADROOM,
				.data_end = frame + UXDP_HEADROOM + PKT_LEN,
				.frame_end = frame + sizeof(frame),
				.ingress_ifindex = 1,
				.worker = &w,
			};
			LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = pkt, .data_size_in = PKT_LEN,
				    .data_out = kout, .data_size_out = sizeof(kout), .repeat = 1);
			uint32_t uv;

			make_packet(&cases[i], pkt);
			if (bpf_prog_test_run_opts(bpf_program__fd(kprog), &t)) {
				fprintf(stderr, "fib_lookup_test: test_run: %s\n", strerror(errno));
				return errno == EPERM ? 77 : 2;
			}
			memset(frame, 0, sizeof(frame));
			memcpy(ctx.data, pkt, PKT_LEN);
			uxdp_this_cpu = 0;
			uv = (uint32_t)up->fn(&ctx);
			if (t.retval != uv || t.data_size_out != PKT_LEN ||
			    memcmp(kout, ctx.data, PKT_LEN)) {
				printf("fib_lookup_test: %s: case '%s' differs (verdict kernel %u, uxdp %u)\n",
				       argv[a], cases[i].name, t.retval, uv);
				dump("kernel", kout, PKT_LEN);
				dump("uxdp  ", ctx.data, PKT_LEN);
				failures++;
			} else {
				int32_t rc;

				memcpy(&rc, kout + 14, 4);
				printf("ok   %-28s rc %d\n", cases[i].name, rc);
			}
		}
		uxdp_object_close(uobj);
	}
	printf("fib_lookup_test: %d difference(s)\n", failures);
	uxdp_fib_set_default(NULL);
	uxdp_fib_free(fib);
	bpf_object__close(kobj);
	return failures ? 1 : 0;
}
