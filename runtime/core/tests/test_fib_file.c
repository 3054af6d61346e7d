// SPDX-License-Identifier: MIT
/*
 * test_fib_file - uxdp_fib_load_file(): a valid file answers lookups as
 * its lines say, and every kind of bad line is one "PATH:LINE: ..." error.
 *
 *	test_fib_file WORKDIR
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <uxdp/fib.h>

static int failures;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			failures++;                                        \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
		}                                                          \
	} while (0)

static char dir[512];

static const char *write_file(const char *name, const char *text)
{
	static char path[700];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	return path;
}

static const char good[] =
	"# two links and a router-ish setup\n"
	"\n"
	"iface 1 mac 02:00:00:00:00:01 addr 198.18.0.1/24\n"
	"iface\t2  mac 02:00:00:00:00:02 addr 198.18.200.254/24 addr 2001:db8:200::fe/64 mtu 1400\n"
	"iface 3 mac 02:00:00:00:00:03 forwarding off   # a host-facing link\n"
	"route 198.18.100.0/24 via 198.18.200.1 dev 2 metric 10 src 198.18.200.254\n"
	"route 198.18.100.0/24 via 198.18.200.9 dev 2 metric 20\n"
	"route 10.9.0.0/16 type blackhole\n"
	"route 10.10.0.0/16 type unreachable\n"
	"route 10.11.0.0/16 type prohibit\n"
	"route 192.0.2.7 dev 2\n"
	"route 2001:db8:1::/48 via 2001:db8:200::1 dev 2\n"
	"route ::/0 type unreachable\n"
	"neigh 198.18.200.1 lladdr 02:aa:00:00:00:01 dev 2\n"
	"neigh 192.0.2.7 lladdr 02:aa:00:00:00:07 dev 2\n"
	"neigh 2001:db8:200::1 lladdr 02:aa:00:00:00:61 dev 2\n";

static int lookup4(struct uxdp_fib *fib, uint32_t in, const char *dst, uint16_t tot_len,
		   struct bpf_fib_lookup *p)
{
	memset(p, 0, sizeof(*p));
	p->family = AF_INET;
	p->ifindex = in;
	p->tot_len = tot_len;
	inet_pton(AF_INET, "198.18.0.9", &p->ipv4_src);
	inet_pton(AF_INET, dst, &p->ipv4_dst);
	return uxdp_fib_lookup(fib, p, 0);
}

static int lookup6(struct uxdp_fib *fib, uint32_t in, const char *dst, struct bpf_fib_lookup *p)
{
	memset(p, 0, sizeof(*p));
	p->family = AF_INET6;
	p->ifindex = in;
	p->tot_len = 100;
	inet_pton(AF_INET6, "2001:db8::9", p->ipv6_src);
	inet_pton(AF_INET6, dst, p->ipv6_dst);
	return uxdp_fib_lookup(fib, p, 0);
}

static void test_good(void)
{
	static const uint8_t gw1[6] = { 2, 0xaa, 0, 0, 0, 1 }, h7[6] = { 2, 0xaa, 0, 0, 0, 7 };
	static const uint8_t gw6[6] = { 2, 0xaa, 0, 0, 0, 0x61 }, if2[6] = { 2, 0, 0, 0, 0, 2 };
	struct uxdp_fib *fib = uxdp_fib_new();
	struct bpf_fib_lookup p;
	char err[256] = "";
	int ret;

	ret = uxdp_fib_load_file(fib, write_file("good.fib", good), err, sizeof(err));
	CHECK(ret == 0, "good.fib: %d %s", ret, err);

	/* via a gateway: its neighbour's MAC, the egress interface's MAC */
	ret = lookup4(fib, 1, "198.18.100.7", 100, &p);
	CHECK(ret == BPF_FIB_LKUP_RET_SUCCESS, "v4 via: %d", ret);
	CHECK(p.ifindex == 2, "v4 via: ifindex %u", p.ifindex);
	CHECK(!memcmp(p.dmac, gw1, 6) && !memcmp(p.smac, if2, 6), "v4 via: MACs");
	CHECK(p.rt_metric == 10, "v4 via: metric %u (lowest wins)", p.rt_metric);
	/* mtu 1400 of iface 2 */
	ret = lookup4(fib, 1, "198.18.100.7", 1401, &p);
	CHECK(ret == BPF_FIB_LKUP_RET_FRAG_NEEDED, "v4 mtu: %d", ret);
	/* a host route without /LEN, on-link */
	ret = lookup4(fib, 1, "192.0.2.7", 100, &p);
	CHECK(ret == BPF_FIB_LKUP_RET_SUCCESS && !memcmp(p.dmac, h7, 6), "v4 host: %d", ret);
	CHECK(lookup4(fib, 1, "192.0.2.8", 100, &p) == BPF_FIB_LKUP_RET_NOT_FWDED, "no route");
	/* the connected route that addr 198.18.200.254/24 made, with no neighbour */
	ret = lookup4(fib, 1, "198.18.200.5", 100, &p);
	CHECK(ret == BPF_FIB_LKUP_RET_NO_NEIGH, "v4 connected: %d", ret);
	CHECK(lookup4(fib, 1, "10.9.1.1", 100, &p) == BPF_FIB_LKUP_RET_BLACKHOLE, "blackhole");
	CHECK(lookup4(fib, 1, "10.10.1.1", 100, &p) == BPF_FIB_LKUP_RET_UNREACHABLE, "unreach");
	CHECK(lookup4(fib, 1, "10.11.1.1", 100, &p) == BPF_FIB_LKUP_RET_PROHIBIT, "prohibit");
	/* our own address is local */
	CHECK(lookup4(fib, 1, "198.18.200.254", 100, &p) == BPF_FIB_LKUP_RET_NOT_FWDED, "local");
	/* forwarding off on the ingress interface */
	ret = lookup4(fib, 3, "198.18.100.7", 100, &p);
	CHECK(ret == BPF_FIB_LKUP_RET_FWD_DISABLED, "fwd off: %d", ret);
	ret = lookup6(fib, 3, "2001:db8:1::5", &p);
	CHECK(ret == BPF_FIB_LKUP_RET_FWD_DISABLED, "v6 fwd off: %d", ret);
	CHECK(lookup4(fib, 7, "198.18.100.7", 100, &p) == -ENODEV, "no iface 7");

	ret = lookup6(fib, 1, "2001:db8:1::5", &p);
	CHECK(ret == BPF_FIB_LKUP_RET_SUCCESS, "v6 via: %d", ret);
	CHECK(p.ifindex == 2 && !memcmp(p.dmac, gw6, 6) && !memcmp(p.smac, if2, 6), "v6 via");
	CHECK(p.rt_metric == 1024, "v6 default metric %u", p.rt_metric);
	ret = lookup6(fib, 1, "2001:db8:200::33", &p);
	CHECK(ret == BPF_FIB_LKUP_RET_NO_NEIGH, "v6 connected: %d", ret);
	ret = lookup6(fib, 1, "2001:db8:9::1", &p);
	CHECK(ret == BPF_FIB_LKUP_RET_UNREACHABLE, "v6 default unreachable: %d", ret);
	uxdp_fib_free(fib);
}

/* Each bad line, after a valid first line, and the start of its error. */
static const struct {
	const char *line, *err;
} bad[] = {
	{ "bogus 1", "unknown item 'bogus'" },
	{ "iface", "iface: needs an ifindex > 0 first" },
	{ "iface 0 mac 02:00:00:00:00:09", "iface: needs an ifindex > 0 first, not '0'" },
	{ "iface x mac 02:00:00:00:00:09", "iface: needs an ifindex > 0 first, not 'x'" },
	{ "iface 9", "iface 9: needs mac" },
	{ "iface 9 mac", "iface: 'mac' needs a value" },
	{ "iface 9 mac 02:00:00:00:00", "iface: bad MAC '02:00:00:00:00'" },
	{ "iface 9 mac 02:00:00:00:00:0g", "iface: bad MAC" },
	{ "iface 9 mac 02-00-00-00-00-09", "iface: bad MAC" },
	{ "iface 9 mac 02:00:00:00:00:09 addr 10.0.0.300/8", "iface: bad address '10.0.0.300/8'" },
	{ "iface 9 mac 02:00:00:00:00:09 addr 10.0.0.1/33", "iface: bad address" },
	{ "iface 9 mac 02:00:00:00:00:09 addr 10.0.0.1/24 addr 10.0.0.2/24",
	  "iface: a second IPv4 address" },
	{ "iface 9 mac 02:00:00:00:00:09 mtu 67", "iface: mtu must be 68..65535, not '67'" },
	{ "iface 9 mac 02:00:00:00:00:09 mtu 65536", "iface: mtu must be" },
	{ "iface 9 mac 02:00:00:00:00:09 forwarding yes", "iface: forwarding is on or off" },
	{ "iface 9 mac 02:00:00:00:00:09 speed 10", "iface: unknown word 'speed'" },
	{ "route", "route: needs a prefix first" },
	{ "route 10.0.0.0/40 dev 1", "route: needs a prefix first (A/LEN), not '10.0.0.0/40'" },
	{ "route 2001:db8::/129 dev 1", "route: needs a prefix first" },
	{ "route 10.0.0.0/8", "route 10.0.0.0/8: a unicast route needs dev" },
	{ "route 10.0.0.0/8 dev 5", "route: dev 5 is not an interface" },
	{ "route 10.0.0.0/8 dev 0", "route: dev needs an ifindex > 0" },
	{ "route 10.0.0.0/8 via 10.0.0.256 dev 1", "route: bad via address '10.0.0.256'" },
	{ "route 10.0.0.0/8 via 2001:db8::1 dev 1", "route: via 2001:db8::1 is not IPv4" },
	{ "route 2001:db8::/32 via 10.0.0.1 dev 1", "route: via 10.0.0.1 is not IPv6" },
	{ "route 10.0.0.0/8 dev 1 src 2001:db8::1", "route: src 2001:db8::1 is not IPv4" },
	{ "route 10.0.0.0/8 dev 1 metric -1", "route: bad metric '-1'" },
	{ "route 10.0.0.0/8 dev 1 metric 4294967296", "route: bad metric" },
	{ "route 10.0.0.0/8 dev 1 table 0", "route: bad table '0'" },
	{ "route 10.0.0.0/8 dev 1 mtu 1", "route: mtu must be 68..65535" },
	{ "route 10.0.0.0/8 type anycast", "route: unknown type 'anycast'" },
	{ "route 10.0.0.0/8 dev 1 metric", "route: 'metric' needs a value" },
	{ "route 10.0.0.0/8 dev 1 proto static", "route: unknown word 'proto'" },
	{ "neigh", "neigh: needs an address first" },
	{ "neigh 10.0.0.x lladdr 02:00:00:00:00:09 dev 1", "neigh: needs an address first" },
	{ "neigh 10.0.0.2 dev 1", "neigh 10.0.0.2: needs lladdr and dev" },
	{ "neigh 10.0.0.2 lladdr 02:00:00:00:00:09", "neigh 10.0.0.2: needs lladdr and dev" },
	{ "neigh 10.0.0.2 lladdr 02:00:00:00:00 dev 1", "neigh: bad MAC" },
	{ "neigh 10.0.0.2 lladdr 02:00:00:00:00:09 dev 4", "neigh: dev 4 is not an interface" },
	{ "neigh 10.0.0.2 lladdr 02:00:00:00:00:09 dev 1 state reachable",
	  "neigh: unknown word 'state'" },
	{ "iface 9 mac 02:00:00:00:00:09 a b c d e f g h i j k l m n o p q r s t u v w x y z "
	  "1 2 3 4",
	  "more than 32 words" },
};

static void test_bad(void)
{
	char text[512], want[1024], err[512], name[32];
	const char *path;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct uxdp_fib *fib = uxdp_fib_new();

		/* The bad line is line 3: a comment and a valid line before it. */
		snprintf(text, sizeof(text), "# test\niface 1 mac 02:00:00:00:00:01\n%s\n"
			 "iface 2 mac 02:00:00:00:00:02\n", bad[i].line);
		snprintf(name, sizeof(name), "bad%zu.fib", i);
		path = write_file(name, text);
		snprintf(want, sizeof(want), "%s:3: %s", path, bad[i].err);
		err[0] = '\0';
		ret = uxdp_fib_load_file(fib, path, err, sizeof(err));
		CHECK(ret == -EINVAL, "'%s': returned %d", bad[i].line, ret);
		CHECK(!strncmp(err, want, strlen(want)), "'%s': error '%s', want '%s...'",
		      bad[i].line, err, want);
		CHECK(!strchr(err, '\n'), "'%s': more than one line", bad[i].line);
		uxdp_fib_free(fib);
	}
}

static void test_missing(void)
{
	struct uxdp_fib *fib = uxdp_fib_new();
	char err[256], path[600], want[1024];
	int ret;

	snprintf(path, sizeof(path), "%s/no-such.fib", dir);
	ret = uxdp_fib_load_file(fib, path, err, sizeof(err));
	snprintf(want, sizeof(want), "%s: %s", path, strerror(ENOENT));
	CHECK(ret == -ENOENT && !strcmp(err, want), "missing file: %d '%s'", ret, err);
	uxdp_fib_free(fib);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_fib_file WORKDIR\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s", argv[1]);
	mkdir(dir, 0755);
	test_good();
	test_bad();
	test_missing();
	if (failures) {
		fprintf(stderr, "%d failures\n", failures);
		return 1;
	}
	printf("fib_file: ok (%zu bad lines)\n", sizeof(bad) / sizeof(bad[0]));
	return 0;
}
