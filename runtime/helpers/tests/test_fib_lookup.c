// SPDX-License-Identifier: MIT
/* Unit tests of fib_lookup against a small userspace FIB. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>

#include <uxdp/ctx.h>
#include <uxdp/fib.h>
#include <uxdp/worker.h>

#include "../helpers_impl.h"
#include "test.h"

#define P(x) ((uint64_t)(uintptr_t)(x))

static struct uxdp_ctx ctx;

static const uint8_t mac1[6] = { 2, 0, 0, 0, 0, 1 }, mac2[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t gw_mac[6] = { 2, 0xaa, 0, 0, 0, 9 };

static int64_t lookup(struct bpf_fib_lookup *p, uint32_t flags)
{
	return (int64_t)uxdp_helper_fib_lookup(P(&ctx), P(p), sizeof(*p), flags);
}

static void v4(struct bpf_fib_lookup *p, uint32_t ifindex, const char *dst, uint16_t tot_len)
{
	memset(p, 0, sizeof(*p));
	p->family = AF_INET;
	p->ifindex = ifindex;
	p->tot_len = tot_len;
	inet_pton(AF_INET, "10.0.0.5", &p->ipv4_src);
	inet_pton(AF_INET, dst, &p->ipv4_dst);
}

static void route4(struct uxdp_fib *fib, const char *pfx, uint8_t len, const char *gw,
		   uint32_t oif, uint32_t metric, uint8_t type)
{
	struct uxdp_fib_route r = { .sz = sizeof(r), .family = AF_INET, .prefix_len = len,
				    .oif = oif, .metric = metric, .type = type };

	inet_pton(AF_INET, pfx, r.dst);
	if (gw) {
		r.has_gw = 1;
		inet_pton(AF_INET, gw, r.gw);
	}
	CHECK_EQ(uxdp_fib_add_route(fib, &r), 0);
}

static void neigh(struct uxdp_fib *fib, uint32_t ifindex, int family, const char *a,
		  const uint8_t *mac)
{
	struct uxdp_fib_neigh n = { .sz = sizeof(n), .ifindex = ifindex,
				    .family = (uint8_t)family };

	inet_pton(family, a, n.addr);
	memcpy(n.mac, mac, 6);
	CHECK_EQ(uxdp_fib_set_neigh(fib, &n), 0);
}

int main(void)
{
	struct uxdp_fib *fib = uxdp_fib_new();
	struct uxdp_fib_iface if1 = { .sz = sizeof(if1), .ifindex = 1, .mtu = 1500,
				      .fwd_ipv4 = 1, .fwd_ipv6 = 1, .has_addr4 = 1,
				      .has_addr6 = 1 };
	struct uxdp_fib_iface if2 = { .sz = sizeof(if2), .ifindex = 2, .mtu = 9000,
				      .fwd_ipv4 = 1, .fwd_ipv6 = 1, .has_addr4 = 1 };
	struct uxdp_fib_iface if3 = { .sz = sizeof(if3), .ifindex = 3, .mtu = 1500 };
	struct uxdp_fib_route r6 = { .sz = sizeof(r6), .family = AF_INET6, .prefix_len = 32,
				     .oif = 2, .has_gw = 1, .metric = 1024 };
	struct bpf_fib_lookup p;
	struct uxdp_worker w;
	char s[64];
	uint8_t a6[16];

	/* No FIB at all: no interface, -ENODEV; unknown family first. */
	uxdp_worker_init(&w, 0);
	ctx.worker = &w;
	v4(&p, 1, "10.1.0.1", 100);
	CHECK_EQ(lookup(&p, 0), -ENODEV);
	p.family = 99;
	CHECK_EQ(lookup(&p, 0), -EAFNOSUPPORT);

	memcpy(if1.mac, mac1, 6);
	memcpy(if2.mac, mac2, 6);
	inet_pton(AF_INET, "10.0.0.1", if1.addr4);
	inet_pton(AF_INET6, "2001:db8::1", if1.addr6);
	inet_pton(AF_INET, "192.168.0.1", if2.addr4);
	CHECK_EQ(uxdp_fib_set_iface(fib, &if1), 0);
	CHECK_EQ(uxdp_fib_set_iface(fib, &if2), 0);
	CHECK_EQ(uxdp_fib_set_iface(fib, &if3), 0);
	route4(fib, "10.0.0.0", 24, NULL, 1, 0, UXDP_RT_UNICAST);
	route4(fib, "0.0.0.0", 0, "192.168.0.254", 2, 100, UXDP_RT_UNICAST);
	route4(fib, "10.9.0.0", 16, NULL, 0, 0, UXDP_RT_BLACKHOLE);
	route4(fib, "10.8.0.0", 16, NULL, 0, 0, UXDP_RT_UNREACHABLE);
	route4(fib, "10.7.0.0", 16, NULL, 0, 0, UXDP_RT_PROHIBIT);
	route4(fib, "10.6.0.0", 16, NULL, 1, 0, UXDP_RT_LOCAL);
	neigh(fib, 2, AF_INET, "192.168.0.254", gw_mac);
	w.fib = fib;

	/* Argument checks: plen, flags. */
	CHECK_EQ((int64_t)uxdp_helper_fib_lookup(P(&ctx), P(&p), sizeof(p) - 1, 0), -EINVAL);
	CHECK_EQ(lookup(&p, 1u << 6), -EINVAL);

	/* Default route through a gateway with a neighbour: SUCCESS. */
	v4(&p, 1, "8.8.8.8", 1000);
	CHECK_EQ(lookup(&p, 0), BPF_FIB_LKUP_RET_SUCCESS);
	CHECK(p.ifindex == 2 && p.rt_metric == 100);
	CHECK(!memcmp(p.smac, mac2, 6) && !memcmp(p.dmac, gw_mac, 6));
	CHECK(!strcmp(inet_ntop(AF_INET, &p.ipv4_dst, s, sizeof(s)), "192.168.0.254"));
	CHECK_EQ(p.mtu_result, 9000);
	CHECK(p.h_vlan_proto == 0 && p.h_vlan_TCI == 0);

	/* On-link destination without a neighbour: NO_NEIGH, dst unchanged. */
	v4(&p, 2, "10.0.0.77", 100);
	CHECK_EQ(lookup(&p, 0), BPF_FIB_LKUP_RET_NO_NEIGH);
	CHECK(!strcmp(inet_ntop(AF_INET, &p.ipv4_dst, s, sizeof(s)), "10.0.0.77"));
	CHECK(p.ifindex == 1);
	/* SKIP_NEIGH succeeds without MACs. */
	v4(&p, 2, "10.0.0.77", 100);
	CHECK_EQ(lookup(&p, BPF_FIB_LOOKUP_SKIP_NEIGH), 0);
	neigh(fib, 1, AF_INET, "10.0.0.77", gw_mac);
	v4(&p, 2, "10.0.0.77", 100);
	CHECK_EQ(lookup(&p, 0), 0);
	CHECK(!memcmp(p.smac, mac1, 6));

	/* Longest prefix wins over the default. */
	v4(&p, 1, "10.9.1.1", 100);
	CHECK_EQ(lookup(&p, 0), BPF_FIB_LKUP_RET_BLACKHOLE);
	v4(&p, 1, "10.8.1.1", 100);
	CHECK_EQ(lookup(&p, 0), BPF_FIB_LKUP_RET_UNREACHABLE);
	v4(&p, 1, "10.7.1.1", 100);
	CHECK_EQ(lookup(&p, 0), BPF_FIB_LKUP_RET_PROHIBIT);
	v4(&p, 1, "10.6.1.1", 100);
	CHECK_EQ(lookup(&p, 0), BPF_FIB_LKUP_RET_NOT_FWDED);

	/* Our own address is local, also for a DIRECT lookup in main: without
	 * policy rules IPv4's local table is merged into main (kernel 6.18,
	 * measured by test/diff diff.fib_lookup). */
	v4(&p, 2, "10.0.0.1", 100);
	CHECK_EQ(lookup(&p, 0), BPF_FIB_LKUP_RET_NOT_FWDED);
	v4(&p, 2, "10.0.0.1", 100);
	CHECK_EQ(lookup(&p, BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_SKIP_NEIGH),
		 BPF_FIB_LKUP_RET_NOT_FWDED);

	/* Forwarding off on the ingress interface; unknown ifindex. */
	v4(&p, 3, "8.8.8.8", 100);
	CHECK_EQ(lookup(&p, 0), BPF_FIB_LKUP_RET_FWD_DISABLED);
	v4(&p, 42, "8.8.8.8", 100);
	CHECK_EQ(lookup(&p, 0), -ENODEV);

	/* MTU: tot_len above the egress MTU is FRAG_NEEDED with the MTU. */
	v4(&p, 2, "10.0.0.77", 1501);
	CHECK_EQ(lookup(&p, 0), BPF_FIB_LKUP_RET_FRAG_NEEDED);
	CHECK_EQ(p.mtu_result, 1500);
	v4(&p, 2, "10.0.0.77", 1500);
	CHECK_EQ(lookup(&p, 0), 0);

	/* SRC: the interface address, since the route has no prefsrc. */
	v4(&p, 2, "8.8.8.8", 100);
	CHECK_EQ(lookup(&p, BPF_FIB_LOOKUP_SRC), 0);
	CHECK(!strcmp(inet_ntop(AF_INET, &p.ipv4_src, s, sizeof(s)), "192.168.0.1"));

	/* TBID: a table without routes does not exist; tbid is zeroed. */
	v4(&p, 1, "8.8.8.8", 100);
	p.tbid = 100;
	CHECK_EQ(lookup(&p, BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_TBID),
		 BPF_FIB_LKUP_RET_NOT_FWDED);
	CHECK(p.tbid == 0);
	v4(&p, 1, "8.8.8.8", 100);
	p.tbid = 254;
	CHECK_EQ(lookup(&p, BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_TBID), 0);

	/* OUTPUT: only routes out of params->ifindex qualify (IPv4). */
	v4(&p, 1, "8.8.8.8", 100);
	CHECK_EQ(lookup(&p, BPF_FIB_LOOKUP_OUTPUT), BPF_FIB_LKUP_RET_NOT_FWDED);
	v4(&p, 2, "8.8.8.8", 100);
	CHECK_EQ(lookup(&p, BPF_FIB_LOOKUP_OUTPUT), 0);

	/* Lower metric wins among equal prefixes; replace and delete. */
	route4(fib, "0.0.0.0", 0, "10.0.0.254", 1, 50, UXDP_RT_UNICAST);
	v4(&p, 2, "8.8.8.8", 100);
	CHECK_EQ(lookup(&p, BPF_FIB_LOOKUP_SKIP_NEIGH), 0);
	CHECK(p.ifindex == 1 && p.rt_metric == 50);
	{
		struct uxdp_fib_route del = { .sz = sizeof(del), .family = AF_INET,
					      .prefix_len = 0, .metric = 50 };

		CHECK_EQ(uxdp_fib_del_route(fib, &del), 0);
		CHECK_EQ(uxdp_fib_del_route(fib, &del), -ENOENT);
	}
	v4(&p, 2, "8.8.8.8", 100);
	CHECK_EQ(lookup(&p, BPF_FIB_LOOKUP_SKIP_NEIGH), 0);
	CHECK(p.ifindex == 2);

	/* IPv6: link-local is never forwarded; a gateway route with its neighbour. */
	inet_pton(AF_INET6, "2001:db8::", r6.dst);
	inet_pton(AF_INET6, "fe80::1", r6.gw);
	CHECK_EQ(uxdp_fib_add_route(fib, &r6), 0);
	memset(&p, 0, sizeof(p));
	p.family = AF_INET6;
	p.ifindex = 1;
	inet_pton(AF_INET6, "2001:db8:1::5", p.ipv6_dst);
	CHECK_EQ(lookup(&p, 0), BPF_FIB_LKUP_RET_NO_NEIGH);
	inet_pton(AF_INET6, "fe80::1", a6);
	CHECK(!memcmp(p.ipv6_dst, a6, 16)); /* dst became the gateway */
	CHECK(p.ifindex == 2 && p.rt_metric == 1024);
	neigh(fib, 2, AF_INET6, "fe80::1", gw_mac);
	inet_pton(AF_INET6, "2001:db8:1::5", p.ipv6_dst);
	p.ifindex = 1;
	CHECK_EQ(lookup(&p, 0), 0);
	CHECK(!memcmp(p.dmac, gw_mac, 6) && !memcmp(p.smac, mac2, 6));
	/* SRC with no IPv6 address on the egress interface. */
	inet_pton(AF_INET6, "2001:db8:1::5", p.ipv6_dst);
	p.ifindex = 1;
	CHECK_EQ(lookup(&p, BPF_FIB_LOOKUP_SRC), BPF_FIB_LKUP_RET_NO_SRC_ADDR);
	memset(&p, 0, sizeof(p));
	p.family = AF_INET6;
	p.ifindex = 1;
	inet_pton(AF_INET6, "fe80::7", p.ipv6_dst);
	CHECK_EQ(lookup(&p, 0), BPF_FIB_LKUP_RET_NOT_FWDED);
	inet_pton(AF_INET6, "2001:db9::1", p.ipv6_dst); /* no route */
	CHECK_EQ(lookup(&p, 0), BPF_FIB_LKUP_RET_NOT_FWDED);

	/* The process default FIB serves workers without one. */
	w.fib = NULL;
	uxdp_fib_set_default(fib);
	v4(&p, 1, "8.8.8.8", 100);
	CHECK_EQ(lookup(&p, 0), 0);
	uxdp_fib_set_default(NULL);
	uxdp_fib_free(fib);
	return test_result("unit.helpers.fib_lookup");
}
