// SPDX-License-Identifier: MIT
/*
 * state.c - uxdp-bench-state: map entries for the benchmark sets, as
 * uxdp-bench --config / uxdpctl apply lines on stdout.
 *
 *	uxdp-bench-state lb PCAP [N]       xdp_lb: VIPs for the corpus' servers, a ring,
 *	                                   N flows in lb_conns (the pcap's, then others)
 *	uxdp-bench-state fw PCAP [N]       xdp_firewall: N blocklist rules (exact and
 *	                                   prefixes, a few hitting), conntrack entries
 *	uxdp-bench-state acl PCAP [N]      xdp_acl: N IPv4 prefixes (+ N/8 IPv6)
 *	uxdp-bench-state xdpfilt PCAP MAPS [N]   xdp-filter's maps (MAPS: a comma list of
 *	                                   ports, ipv4, ipv6, ethernet), N entries each
 *	uxdp-bench-state lookup16 KIND hit|miss [N]   the micro set (KIND: hash, lpm)
 *
 * "Realistic" means: thousands of entries, most of which the traffic never
 * touches, and some it does (hits and misses), keyed like the control plane
 * of each program keys them.  Everything comes from a fixed seed: the same
 * pcap gives the same lines.  Flows are read from the pcap (untagged and
 * VLAN-tagged IPv4/IPv6, TCP/UDP ports) so that the entries that should hit
 * do.  Addresses outside the corpus' ranges are drawn from 100.64.0.0/10,
 * 203.0.113.0/24-like space and 2001:db8:f000::/36, which the corpus never
 * uses (it sends from 198.18.0.0/15 and 2001:db8::/48).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FLOWS 65536

struct flow {
	uint8_t smac[6], dmac[6];
	int ipv; /* 4 or 6 */
	uint8_t saddr[16], daddr[16];
	uint8_t proto;
	uint16_t sport, dport; /* host order; 0 without ports */
};

static struct flow flows[MAX_FLOWS];
static size_t nflows;
static uint64_t rng = 0x75786470626e6368ull;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* One frame's flow, if it is IPv4/IPv6 (after up to two VLAN tags). */
static bool parse(const uint8_t *b, size_t len, struct flow *f)
{
	size_t o = 14, l4;
	uint16_t type;

	if (len < 14)
		return false;
	memset(f, 0, sizeof(*f));
	memcpy(f->dmac, b, 6);
	memcpy(f->smac, b + 6, 6);
	type = get16(b + 12);
	for (int i = 0; i < 2 && (type == 0x8100 || type == 0x88a8) && o + 4 <= len; i++) {
		type = get16(b + o + 2);
		o += 4;
	}
	if (type == 0x0800 && o + 20 <= len && (b[o] >> 4) == 4) {
		f->ipv = 4;
		memcpy(f->saddr, b + o + 12, 4);
		memcpy(f->daddr, b + o + 16, 4);
		f->proto = b[o + 9];
		l4 = o + (b[o] & 15) * 4;
		if (get16(b + o + 6) & 0x1fff)
			return true; /* a later fragment: no ports */
	} else if (type == 0x86dd && o + 40 <= len) {
		f->ipv = 6;
		memcpy(f->saddr, b + o + 8, 16);
		memcpy(f->daddr, b + o + 24, 16);
		f->proto = b[o + 6];
		l4 = o + 40;
	} else {
		return false;
	}
	if ((f->proto == 6 || f->proto == 17) && l4 + 4 <= len) {
		f->sport = get16(b + l4);
		f->dport = get16(b + l4 + 2);
	}
	return true;
}

static int read_flows(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p = pcap_open_offline(path, err);

	if (!p) {
		fprintf(stderr, "uxdp-bench-state: %s: %s\n", path, err);
		return -ENOENT;
	}
	while (nflows < MAX_FLOWS && pcap_next_ex(p, &h, &d) == 1) {
		struct flow f;
		size_t i;

		if (!parse(d, h->caplen, &f))
			continue;
		for (i = 0; i < nflows; i++)
			if (!memcmp(&flows[i], &f, sizeof(f)))
				break;
		if (i == nflows)
			flows[nflows++] = f;
	}
	pcap_close(p);
	return 0;
}

static void ip4(const uint8_t *a)
{
	printf("ip4 %u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

static void ip6(const uint8_t *a)
{
	char s[INET6_ADDRSTRLEN];

	printf("ip6 %s", inet_ntop(AF_INET6, a, s, sizeof(s)));
}

/* An IPv4 address the corpus never sends from or to: 100.64.0.0/10. */
static void other4(uint8_t *a)
{
	uint32_t v = 0x64400000u | (uint32_t)(rnd() & 0x3fffff);

	a[0] = v >> 24, a[1] = v >> 16, a[2] = v >> 8, a[3] = v;
}

/* An IPv6 address the corpus never uses: 2001:db8:f000::/36. */
static void other6(uint8_t *a)
{
	uint64_t r = rnd(), s = rnd();

	memcpy(a, (uint8_t[]){0x20, 0x01, 0x0d, 0xb8, 0xf0}, 5);
	a[5] = r >> 8, a[6] = r >> 16, a[7] = r >> 24;
	memcpy(a + 8, &s, 8);
	a[4] |= (r & 0x0f);
}

/* ---- xdp_lb ---- */

static void lb(unsigned int n)
{
	static const uint16_t tcp[] = {22, 80, 443, 8080, 9000}, udp[] = {123, 443, 4789, 5000, 9000};
	unsigned int k, s, written = 0;

	printf("# xdp_lb realistic state: 40 VIPs (the corpus' 4 servers x 5 TCP and 5 UDP "
	       "ports), 4 backends, the 256-slot ring, %u flows in lb_conns\n",
	       n);
	printf("map lb_cfg key u32 0 value ip4 198.18.0.253\n");
	for (s = 1; s <= 4; s++)
		for (k = 0; k < 5; k++) {
			printf("map lb_vips key ip4 198.19.0.%u be16 %u u8 6 u8 0 value u32 %u\n", s,
			       tcp[k], (s * 10 + k) * 13 % 256);
			printf("map lb_vips key ip4 198.19.0.%u be16 %u u8 17 u8 0 value u32 %u\n", s,
			       udp[k], (s * 10 + k) * 29 % 256);
		}
	for (k = 0; k < 4; k++)
		printf("map lb_backends key u32 %u value ip4 198.18.2.%u mac 02:00:5e:00:02:%02x "
		       "u16 0\n",
		       k, k + 1, k + 1);
	for (k = 0; k < 256; k++)
		printf("map lb_ring key u32 %u value u32 %u\n", k * 37 % 256, k % 4);
	/* The pcap's IPv4 TCP/UDP flows first (they hit), then others (they do not). */
	for (size_t i = 0; i < nflows && written < n; i++) {
		const struct flow *f = &flows[i];

		if (f->ipv != 4 || !(f->proto == 6 || f->proto == 17))
			continue;
		printf("map lb_conns key ");
		ip4(f->saddr);
		printf(" ");
		ip4(f->daddr);
		printf(" be16 %u be16 %u u8 %u u8 0 u8 0 u8 0 value u32 %u\n", f->sport, f->dport,
		       f->proto, (unsigned int)(i % 4));
		written++;
	}
	while (written < n) {
		uint8_t a[4], b[4];

		other4(a);
		other4(b);
		printf("map lb_conns key ");
		ip4(a);
		printf(" ");
		ip4(b);
		printf(" be16 %u be16 %u u8 6 u8 0 u8 0 u8 0 value u32 %u\n",
		       (unsigned int)(1024 + rnd() % 60000), tcp[rnd() % 5], written % 4);
		written++;
	}
}

/* ---- xdp_firewall ---- */

static bool less4(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, 4) < 0; /* network order compares as bpf_ntohl() does */
}

static void fw(unsigned int n)
{
	unsigned int exact = n * 4 / 5, prefixes = n - exact, k, hits = 0;
	size_t i;

	printf("# xdp_firewall realistic state: %u rules (%u exact, %u prefixes; a few hit the "
	       "corpus' sources), no rate limit, the corpus' connections established\n",
	       n, exact, prefixes);
	printf("prog_array fw_stages 1 fw_stage_rate\nprog_array fw_stages 2 fw_stage_conn\n");
	printf("map fw_cfg key u32 0 value u64 0\n");
	/* One blocked source in 64 of the pcap's IPv4 sources: hits. */
	for (i = 0; i < nflows && hits < exact / 64; i += 64)
		if (flows[i].ipv == 4) {
			printf("map fw_block4 key ");
			ip4(flows[i].saddr);
			printf(" value u64 0\n");
			hits++;
		}
	for (k = hits; k < exact; k++) {
		uint8_t a[4];

		other4(a);
		printf("map fw_block4 key ");
		ip4(a);
		printf(" value u64 0\n");
	}
	printf("map fw_block_lpm key u32 28 ip4 198.18.0.240 value u64 0\n");
	for (k = 1; k < prefixes; k++) {
		uint8_t a[4];
		unsigned int len = 16 + rnd() % 17;

		other4(a);
		printf("map fw_block_lpm key u32 %u ", len);
		ip4(a);
		printf(" value u64 0\n");
	}
	/* Established connections for the pcap's IPv4 TCP/UDP flows. */
	for (i = 0; i < nflows; i++) {
		const struct flow *f = &flows[i];
		bool fwd;

		if (f->ipv != 4 || !(f->proto == 6 || f->proto == 17))
			continue;
		fwd = less4(f->saddr, f->daddr) ||
		      (!memcmp(f->saddr, f->daddr, 4) && f->sport <= f->dport);
		printf("map fw_conns key ");
		ip4(fwd ? f->saddr : f->daddr);
		printf(" ");
		ip4(fwd ? f->daddr : f->saddr);
		printf(" be16 %u be16 %u u8 %u u8 0 u8 0 u8 0 value u64 1 u32 2 u32 0\n",
		       fwd ? f->sport : f->dport, fwd ? f->dport : f->sport, f->proto);
	}
}

/* ---- xdp_acl ---- */

static void acl(unsigned int n)
{
	unsigned int k, n6 = n / 8;

	printf("# xdp_acl realistic state: %u IPv4 and %u IPv6 prefixes; the corpus' clients "
	       "match a /16 (pass), /24s (some drop) and /32 exceptions\n",
	       n, n6);
	printf("map acl_v4 key u32 16 ip4 198.18.0.0 value u32 2 u32 1\n");
	printf("map acl_v4 key u32 16 ip4 198.19.0.0 value u32 2 u32 2\n");
	for (k = 0; k < 64; k++)
		printf("map acl_v4 key u32 24 ip4 198.18.%u.0 value u32 %u u32 %u\n", k * 4,
		       k % 2 ? 1 : 2, 10 + k);
	for (k = 0; k < 64; k++)
		printf("map acl_v4 key u32 32 ip4 198.18.%u.%u value u32 2 u32 100\n", k * 4,
		       (unsigned int)(1 + rnd() % 254));
	for (k = 130; k < n; k++) {
		uint8_t a[4];
		unsigned int len = 8 + rnd() % 25;

		other4(a);
		printf("map acl_v4 key u32 %u ", len < 10 ? 10 : len);
		ip4(a);
		printf(" value u32 %u u32 %u\n", (unsigned int)(1 + rnd() % 2),
		       (unsigned int)(rnd() % 256));
	}
	printf("map acl_v6 key u32 48 ip6 2001:db8:: value u32 2 u32 3\n");
	for (k = 1; k < n6; k++) {
		uint8_t a[16];

		other6(a);
		printf("map acl_v6 key u32 %u ", (unsigned int)(36 + rnd() % 93));
		ip6(a);
		printf(" value u32 1 u32 %u\n", (unsigned int)(rnd() % 256));
	}
}

/* ---- xdp-filter (xdp-tools): values are flag words, per CPU ---- */

#define XF_SRC 1
#define XF_DST 2
#define XF_TCP 4
#define XF_UDP 8

static void xdpfilt(const char *maps, unsigned int n)
{
	unsigned int k;
	size_t i;

	printf("# xdp-filter rules as xdp-filter sets them (flags: 1 src, 2 dst, 4 tcp, 8 udp; "
	       "the same in every CPU's slot): %u per map; some match the corpus\n",
	       n);
	if (strstr(maps, "ports")) {
		/* Key: the port as the program reads it, network order in a u32. */
		printf("map filter_ports key u32 %u value u64 %u\n", htons(22), XF_DST | XF_TCP);
		printf("map filter_ports key u32 %u value u64 %u\n", htons(53), XF_DST | XF_UDP);
		printf("map filter_ports key u32 %u value u64 %u\n", htons(80),
		       XF_SRC | XF_DST | XF_TCP);
		for (k = 3; k < n; k++)
			printf("map filter_ports key u32 %u value u64 %u\n",
			       htons((uint16_t)(10000 + rnd() % 50000)),
			       (unsigned int)(1 + rnd() % 15));
	}
	if (strstr(maps, "ipv4")) {
		for (i = 0, k = 0; i < nflows && k < n / 16; i += 16)
			if (flows[i].ipv == 4) {
				printf("map filter_ipv4 key ");
				ip4(flows[i].saddr);
				printf(" value u64 %u\n", XF_SRC);
				k++;
			}
		printf("map filter_ipv4 key ip4 198.19.0.1 value u64 %u\n", XF_DST);
		for (k++; k < n; k++) {
			uint8_t a[4];

			other4(a);
			printf("map filter_ipv4 key ");
			ip4(a);
			printf(" value u64 %u\n", (unsigned int)(1 + rnd() % 3));
		}
	}
	if (strstr(maps, "ipv6")) {
		for (i = 0, k = 0; i < nflows && k < n / 16; i += 16)
			if (flows[i].ipv == 6) {
				printf("map filter_ipv6 key ");
				ip6(flows[i].saddr);
				printf(" value u64 %u\n", XF_SRC);
				k++;
			}
		for (; k < n; k++) {
			uint8_t a[16];

			other6(a);
			printf("map filter_ipv6 key ");
			ip6(a);
			printf(" value u64 %u\n", (unsigned int)(1 + rnd() % 3));
		}
	}
	if (strstr(maps, "ethernet")) {
		for (i = 0, k = 0; i < nflows && k < n / 16; i += 16, k++)
			printf("map filter_ethernet key mac %02x:%02x:%02x:%02x:%02x:%02x value u64 "
			       "%u\n",
			       flows[i].smac[0], flows[i].smac[1], flows[i].smac[2],
			       flows[i].smac[3], flows[i].smac[4], flows[i].smac[5], XF_SRC);
		for (; k < n; k++) {
			uint64_t r = rnd();

			printf("map filter_ethernet key mac 06:%02x:%02x:%02x:%02x:%02x value u64 %u\n",
			       (unsigned int)(r & 255), (unsigned int)(r >> 8 & 255),
			       (unsigned int)(r >> 16 & 255), (unsigned int)(r >> 24 & 255),
			       (unsigned int)(r >> 32 & 255), (unsigned int)(1 + (r >> 40) % 3));
		}
	}
}

/* ---- the micro set: keys around uxdp-bench's built-in packet (10.0.0.1) ---- */

#define L16_BASE 0x0a000001u

static void lookup16(const char *kind, bool hit, unsigned int n)
{
	bool lpm = !strcmp(kind, "lpm");
	unsigned int k;

	printf("# lookup16 (%s): the 16 keys from 10.0.0.1 %s, among %u entries\n", kind,
	       hit ? "all present (hits)" : "absent (misses)", n);
	for (k = 0; k < n; k++) {
		uint32_t key = hit && k < 16 ? L16_BASE + k : 0x64400000u | (uint32_t)(rnd() & 0x3fffff);

		if (lpm)
			printf("map table key u32 %u ip4 %u.%u.%u.%u value u64 %u\n",
			       hit && k < 16 ? 32 : (unsigned int)(12 + rnd() % 21), key >> 24,
			       key >> 16 & 255, key >> 8 & 255, key & 255, 2 * k);
		else
			printf("map table key u32 %u value u64 %u\n", key, 2 * k);
	}
}

static unsigned int count_arg(int argc, char **argv, int i, unsigned int dflt)
{
	return argc > i ? (unsigned int)strtoul(argv[i], NULL, 0) : dflt;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "lookup16") && argc >= 4) {
		lookup16(argv[2], !strcmp(argv[3], "hit"), count_arg(argc, argv, 4, 4096));
		return 0;
	}
	if (argc < 3) {
		fprintf(stderr,
			"usage: uxdp-bench-state lb|fw|acl PCAP [N]\n"
			"       uxdp-bench-state xdpfilt PCAP ports,ipv4,ipv6,ethernet [N]\n"
			"       uxdp-bench-state lookup16 hash|lpm hit|miss [N]\n");
		return 2;
	}
	if (read_flows(argv[2]))
		return 1;
	if (!nflows) {
		fprintf(stderr, "uxdp-bench-state: %s: no IP flows\n", argv[2]);
		return 1;
	}
	if (!strcmp(cmd, "lb"))
		lb(count_arg(argc, argv, 3, 16384));
	else if (!strcmp(cmd, "fw"))
		fw(count_arg(argc, argv, 3, 12288));
	else if (!strcmp(cmd, "acl"))
		acl(count_arg(argc, argv, 3, 12288));
	else if (!strcmp(cmd, "xdpfilt") && argc >= 4)
		xdpfilt(argv[3], count_arg(argc, argv, 4, 4096));
	else {
		fprintf(stderr, "uxdp-bench-state: unknown command '%s'\n", cmd);
		return 2;
	}
	return fflush(stdout) ? 1 : 0;
}
