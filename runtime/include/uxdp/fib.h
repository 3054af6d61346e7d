/* SPDX-License-Identifier: MIT */
/*
 * fib.h - the userspace FIB that bpf_fib_lookup() consults.
 *
 * A uxdp process has no kernel routing table of its own to ask, so the
 * control plane describes one: interfaces (ifindex, MAC, MTU, forwarding,
 * one address per family), routes (IPv4/IPv6 prefixes in numbered tables)
 * and neighbours (IP to MAC per interface).  bpf_fib_lookup() answers from
 * it with the kernel's result codes (see runtime/helpers/fib_lookup.c).
 *
 * What is modelled, and what is not:
 *  - longest-prefix match within one table; among routes of equal prefix,
 *    the lowest metric wins (the kernel's fib alias order);
 *  - route types unicast, blackhole, unreachable, prohibit, and "local"
 *    (any other non-unicast type: the packet is not forwarded);
 *  - a lookup without BPF_FIB_LOOKUP_DIRECT first treats a destination that
 *    is one of the interfaces' addresses as local (the kernel's local
 *    table), then uses table main (254); there are no policy rules, so
 *    BPF_FIB_LOOKUP_MARK and l4 fields change nothing;
 *  - one nexthop per route (no multipath), no lightweight tunnels, no VLANs;
 *  - a neighbour that is present is valid (NUD_VALID); remove it to model
 *    an unresolved one.
 *
 * Addresses are in network byte order, IPv4 in the first 4 bytes of a
 * 16-byte array.  All functions return 0 or a negative errno and are safe
 * to call while workers look up (a reader-writer lock inside).
 */
#ifndef UXDP_FIB_H
#define UXDP_FIB_H

#include <stddef.h>
#include <stdint.h>

struct uxdp_fib;

#define UXDP_FIB_TABLE_MAIN 254 /* RT_TABLE_MAIN */

/*
 * The three structs below are passed into libuxdp by pointer: each starts
 * with size_t sz, set to sizeof(the struct) (uxdp/opts.h: declare them with
 * UXDP_OPTS(), which also zeroes the rest), and grows only at its end.  A
 * call with sz unset fails with -EINVAL; one with bytes the library does
 * not know that are not zero, with -E2BIG.
 */
struct uxdp_fib_iface {
	size_t sz;             /* sizeof(struct uxdp_fib_iface) */
	uint32_t ifindex;      /* > 0 */
	uint8_t mac[6];        /* becomes smac */
	uint16_t mtu;          /* 0: 1500 */
	uint8_t fwd_ipv4;      /* net.ipv4.conf.<if>.forwarding */
	uint8_t fwd_ipv6;      /* net.ipv6.conf.<if>.forwarding */
	uint8_t has_addr4;
	uint8_t has_addr6;
	uint8_t addr4[4];      /* source for BPF_FIB_LOOKUP_SRC, and local */
	uint8_t addr6[16];
};

enum uxdp_fib_route_type {
	UXDP_RT_UNICAST = 0,
	UXDP_RT_BLACKHOLE,     /* BPF_FIB_LKUP_RET_BLACKHOLE */
	UXDP_RT_UNREACHABLE,   /* BPF_FIB_LKUP_RET_UNREACHABLE */
	UXDP_RT_PROHIBIT,      /* BPF_FIB_LKUP_RET_PROHIBIT */
	UXDP_RT_LOCAL,         /* local, broadcast, ...: BPF_FIB_LKUP_RET_NOT_FWDED */
};

struct uxdp_fib_route {
	size_t sz;             /* sizeof(struct uxdp_fib_route) */
	uint8_t family;        /* AF_INET or AF_INET6 */
	uint8_t prefix_len;    /* 0..32 or 0..128 */
	uint8_t type;          /* enum uxdp_fib_route_type */
	uint8_t has_gw;        /* else the destination is on-link */
	uint8_t has_prefsrc;
	uint32_t table;        /* 0: UXDP_FIB_TABLE_MAIN */
	uint8_t dst[16];       /* the prefix; bits past prefix_len are ignored */
	uint8_t gw[16];        /* same family as dst */
	uint8_t prefsrc[16];   /* "src" of the route, for BPF_FIB_LOOKUP_SRC */
	uint32_t oif;          /* egress ifindex (unicast routes) */
	uint32_t metric;       /* priority; lower wins; reported as rt_metric */
	uint32_t mtu;          /* 0: the egress interface's MTU */
};

struct uxdp_fib_neigh {
	size_t sz;             /* sizeof(struct uxdp_fib_neigh) */
	uint32_t ifindex;
	uint8_t family;        /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t mac[6];        /* becomes dmac */
};

/* An empty FIB.  NULL on allocation failure. */
struct uxdp_fib *uxdp_fib_new(void);
void uxdp_fib_free(struct uxdp_fib *fib);

/*
 * The FIB that bpf_fib_lookup() uses when the worker has none
 * (struct uxdp_worker.fib == NULL).  NULL, the default, means no interface
 * exists: every lookup returns -ENODEV, as for an unknown ifindex.
 */
void uxdp_fib_set_default(struct uxdp_fib *fib);
struct uxdp_fib *uxdp_fib_get_default(void);

/* Add, or replace the one with the same ifindex. */
int uxdp_fib_set_iface(struct uxdp_fib *fib, const struct uxdp_fib_iface *ifc);
int uxdp_fib_del_iface(struct uxdp_fib *fib, uint32_t ifindex);
/* Add, or replace the one with the same family, table, prefix and metric. */
int uxdp_fib_add_route(struct uxdp_fib *fib, const struct uxdp_fib_route *rt);
int uxdp_fib_del_route(struct uxdp_fib *fib, const struct uxdp_fib_route *rt);
/* Add, or replace the one with the same ifindex, family and address. */
int uxdp_fib_set_neigh(struct uxdp_fib *fib, const struct uxdp_fib_neigh *nb);
int uxdp_fib_del_neigh(struct uxdp_fib *fib, const struct uxdp_fib_neigh *nb);

/*
 * Add the interfaces, routes and neighbours of a FIB file (docs/fib.md) to
 * fib.  On error, stops there (what came before stays in fib) and puts one
 * line in err, "PATH:LINE: what is wrong" for a bad line; -EINVAL for a bad
 * line, else the -errno of opening or reading the file.
 */
int uxdp_fib_load_file(struct uxdp_fib *fib, const char *path, char *err, size_t err_size);

/*
 * The MTU fib (NULL: the default) gives interface ifindex (its mtu, 0 being
 * 1500), for bpf_check_mtu (uxdp/dev_mtu.h); -ENOENT when it does not
 * describe that interface.
 */
int uxdp_fib_iface_mtu(struct uxdp_fib *fib, uint32_t ifindex, uint32_t *mtu);

struct bpf_fib_lookup;
/*
 * What bpf_fib_lookup() does once its arguments passed the helper's checks:
 * look params up in fib (NULL: the default) and return 0 or a
 * BPF_FIB_LKUP_RET_* code with params updated as the kernel updates them,
 * -EAFNOSUPPORT for a family other than AF_INET/AF_INET6, -ENODEV when
 * params->ifindex is not an interface.  Also useful as "ip route get".
 */
int uxdp_fib_lookup(struct uxdp_fib *fib, struct bpf_fib_lookup *params, uint32_t flags);

#endif /* UXDP_FIB_H */
