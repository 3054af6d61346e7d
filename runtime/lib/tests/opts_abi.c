// SPDX-License-Identifier: MIT
/*
 * opts_abi.c - unit.lib.opts: the structs a program passes into libuxdp.so
 * grow without breaking it (uxdp/opts.h).  Linked against the shared
 * library, as a program built with another header would be:
 *
 *   - a caller built with an older, smaller struct (sz short of the
 *     library's) works, and the library reads none of the bytes past sz
 *     (they are junk here);
 *   - a caller built with a newer, larger struct works if the bytes the
 *     library does not know are zero, and gets -E2BIG if one is not;
 *   - a caller that did not set sz gets -EINVAL.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/bpf.h>

#include <uxdp/datapath.h>
#include <uxdp/driver.h>
#include <uxdp/fib.h>
#include <uxdp/map.h>
#include <uxdp/opts.h>
#include <uxdp/runtime.h>

#include "test.h" /* runtime/maps/tests: CHECK_EQ, test_begin/test_end */

#define TAIL 16 /* fields a newer header would add */

/*
 * A caller's struct in a buffer of TAIL more bytes: the first `size` bytes
 * are proto (its sz set to size), the rest is fill.
 */
static void *as_caller(const void *proto, size_t proto_size, size_t size, uint8_t fill)
{
	uint8_t *buf = malloc(proto_size + TAIL);

	memset(buf, fill, proto_size + TAIL);
	memcpy(buf, proto, size < proto_size ? size : proto_size);
	memcpy(buf, &size, sizeof(size));
	return buf;
}

/* Create from a caller's def of `size` bytes, followed by fill; close what was made. */
static int create(const struct uxdp_map_def *proto, size_t size, uint8_t fill)
{
	struct uxdp_map_def *d = as_caller(proto, sizeof(*proto), size, fill);
	struct uxdp_map *m = NULL;
	int ret = uxdp_map_create(test_instance, d, &m);

	if (!ret) {
		struct uxdp_map_info info;

		CHECK_EQ(uxdp_map_get_info(m, &info), 0);
		CHECK_EQ(info.max_entries, 8);
		CHECK_EQ(info.value_size, 8);
		uxdp_map_close(m);
		uxdp_map_unlink(test_instance, proto->name);
	}
	free(d);
	return ret;
}

static void test_map_def(void)
{
	UXDP_OPTS(uxdp_map_def, def, .name = "abi", .type = BPF_MAP_TYPE_HASH, .key_size = 4,
		  .value_size = 8, .max_entries = 8);
	/* An older header's struct: no BTF fields (junk where they would be). */
	size_t old = offsetof(struct uxdp_map_def, btf);

	CHECK_EQ(def.sz, sizeof(struct uxdp_map_def));
	CHECK_EQ(create(&def, sizeof(def), 0), 0);
	CHECK_EQ(create(&def, old, 0xab), 0);
	CHECK_EQ(create(&def, sizeof(def) + TAIL, 0), 0);
	CHECK_EQ(create(&def, sizeof(def) + TAIL, 0x01), -E2BIG);
	CHECK_EQ(create(&def, 0, 0), -EINVAL);
	CHECK_EQ(create(&def, sizeof(size_t) - 1, 0), -EINVAL);
}

/* The map-in-map template is a caller's struct too. */
static void test_inner_def(void)
{
	UXDP_OPTS(uxdp_map_def, inner, .type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
		  .value_size = 4, .max_entries = 1);
	UXDP_OPTS(uxdp_map_def, outer, .name = "abi_outer", .type = BPF_MAP_TYPE_ARRAY_OF_MAPS,
		  .key_size = 4, .value_size = 4, .max_entries = 8);
	struct uxdp_map_def *in = as_caller(&inner, sizeof(inner), sizeof(inner) + TAIL, 0x01);
	struct uxdp_map *m = NULL;

	outer.inner = in;
	CHECK_EQ(uxdp_map_create(test_instance, &outer, &m), -E2BIG);
	free(in);
	in = as_caller(&inner, sizeof(inner), offsetof(struct uxdp_map_def, btf), 0xab);
	outer.inner = in;
	CHECK_EQ(uxdp_map_create(test_instance, &outer, &m), 0);
	uxdp_map_close(m);
	uxdp_map_unlink(test_instance, outer.name);
	free(in);
}

static int open_obj(const struct uxdp_object_opts *proto, size_t size, uint8_t fill)
{
	struct uxdp_object_opts *o = as_caller(proto, sizeof(*proto), size, fill);
	struct uxdp_object *obj = NULL;
	char err[256];
	int ret = uxdp_object_open("/nonexistent/opts_abi.aot.o", o, &obj, err, sizeof(err));

	uxdp_object_close(obj);
	free(o);
	return ret;
}

/* The options are read before the file: a good one gets as far as -ENOENT. */
static void test_object_opts(void)
{
	UXDP_OPTS(uxdp_object_opts, o, .instance = test_instance, .ncpus = 1);

	CHECK_EQ(open_obj(&o, sizeof(o), 0), -ENOENT);
	CHECK_EQ(open_obj(&o, offsetof(struct uxdp_object_opts, trust_unverified), 0xab),
		 -ENOENT);
	CHECK_EQ(open_obj(&o, sizeof(o) + TAIL, 0), -ENOENT);
	CHECK_EQ(open_obj(&o, sizeof(o) + TAIL, 0x01), -E2BIG);
	CHECK_EQ(open_obj(&o, 0, 0), -EINVAL);
}

static int make_dp(const struct uxdp_dp_opts *proto, size_t size, uint8_t fill)
{
	struct uxdp_dp_opts *o = as_caller(proto, sizeof(*proto), size, fill);
	struct uxdp_dp *dp = NULL;
	int ret = uxdp_dp_create(o, &dp);

	uxdp_dp_destroy(dp);
	free(o);
	return ret;
}

static void test_dp_opts(void)
{
	UXDP_OPTS(uxdp_dp_opts, o, .stop_timeout_ms = 200);
	struct uxdp_dp *dp = NULL;

	CHECK_EQ(uxdp_dp_create(NULL, &dp), 0); /* no options: all defaults */
	uxdp_dp_destroy(dp);

	CHECK_EQ(make_dp(&o, sizeof(o), 0), 0);
	CHECK_EQ(make_dp(&o, offsetof(struct uxdp_dp_opts, redirect_any_ifindex), 0xab), 0);
	CHECK_EQ(make_dp(&o, sizeof(o) + TAIL, 0), 0);
	CHECK_EQ(make_dp(&o, sizeof(o) + TAIL, 0x01), -E2BIG);
	CHECK_EQ(make_dp(&o, 0, 0), -EINVAL);
}

/* uxdp_pcap_run reads its options first: a bad one never reaches the data plane. */
static void test_pcap_opts(void)
{
	UXDP_OPTS(uxdp_pcap_opts, o, .in = "/nonexistent.pcap");
	struct uxdp_pcap_opts *big = as_caller(&o, sizeof(o), sizeof(o) + TAIL, 0x01);
	struct uxdp_pcap_opts *none = as_caller(&o, sizeof(o), 0, 0);
	char err[256];

	CHECK_EQ(uxdp_pcap_run(NULL, big, err, sizeof(err)), -E2BIG);
	CHECK_EQ(uxdp_pcap_run(NULL, none, err, sizeof(err)), -EINVAL);
	free(big);
	free(none);
}

/* One FIB call with a caller's struct of `size` bytes, followed by fill. */
#define FIB_CALL(fn, fib, proto, size, fill)                                          \
	({                                                                            \
		__typeof__(proto) *c_ = as_caller(&(proto), sizeof(proto), (size), (fill)); \
		int r_ = fn((fib), c_);                                               \
		free(c_);                                                             \
		r_;                                                                   \
	})

/*
 * 10.1.2.3 from interface 7, 1600 bytes: FRAG_NEEDED at the interface's
 * MTU unless the route's own mtu (its last field) lets it through.
 */
static int fib_probe(struct uxdp_fib *fib, uint16_t *mtu_result)
{
	struct bpf_fib_lookup p = { .family = AF_INET, .ifindex = 7, .tot_len = 1600 };
	int ret;

	inet_pton(AF_INET, "10.1.2.3", &p.ipv4_dst);
	ret = uxdp_fib_lookup(fib, &p, BPF_FIB_LOOKUP_SKIP_NEIGH);
	*mtu_result = p.mtu_result;
	return ret;
}

/* The FIB's interface, route and neighbour are callers' structs too. */
static void test_fib(void)
{
	UXDP_OPTS(uxdp_fib_iface, ifc, .ifindex = 7, .mac = { 2, 0, 0, 0, 0, 7 }, .mtu = 1500,
		  .fwd_ipv4 = 1);
	UXDP_OPTS(uxdp_fib_route, rt, .family = AF_INET, .prefix_len = 8, .oif = 7,
		  .dst = { 10 });
	UXDP_OPTS(uxdp_fib_neigh, nb, .ifindex = 7, .family = AF_INET,
		  .addr = { 10, 1, 2, 3 }, .mac = { 2, 0, 0, 0, 0, 9 });
	/* An older header's route: no mtu (junk where it would be). */
	size_t old_rt = offsetof(struct uxdp_fib_route, mtu);
	struct uxdp_fib *fib = uxdp_fib_new();
	uint16_t mtu = 0;

	CHECK_EQ(rt.sz, sizeof(struct uxdp_fib_route));
	CHECK_EQ(FIB_CALL(uxdp_fib_set_iface, fib, ifc, sizeof(ifc) + TAIL, 0x01), -E2BIG);
	CHECK_EQ(FIB_CALL(uxdp_fib_set_iface, fib, ifc, 0, 0), -EINVAL);
	CHECK_EQ(FIB_CALL(uxdp_fib_set_iface, fib, ifc, sizeof(ifc) + TAIL, 0), 0);

	CHECK_EQ(FIB_CALL(uxdp_fib_add_route, fib, rt, sizeof(rt) + TAIL, 0x01), -E2BIG);
	CHECK_EQ(FIB_CALL(uxdp_fib_add_route, fib, rt, sizeof(size_t) - 1, 0), -EINVAL);
	CHECK_EQ(FIB_CALL(uxdp_fib_add_route, fib, rt, old_rt, 0xab), 0);
	/* The junk was not read as the route's mtu: the interface's 1500 holds. */
	CHECK_EQ(fib_probe(fib, &mtu), BPF_FIB_LKUP_RET_FRAG_NEEDED);
	CHECK_EQ(mtu, 1500);
	CHECK_EQ(FIB_CALL(uxdp_fib_del_route, fib, rt, sizeof(rt) + TAIL, 0x01), -E2BIG);
	CHECK_EQ(FIB_CALL(uxdp_fib_del_route, fib, rt, sizeof(rt) + TAIL, 0), 0);
	rt.mtu = 9000;
	CHECK_EQ(FIB_CALL(uxdp_fib_add_route, fib, rt, sizeof(rt), 0), 0);
	CHECK_EQ(fib_probe(fib, &mtu), BPF_FIB_LKUP_RET_SUCCESS);

	CHECK_EQ(FIB_CALL(uxdp_fib_set_neigh, fib, nb, sizeof(nb) + TAIL, 0x01), -E2BIG);
	CHECK_EQ(FIB_CALL(uxdp_fib_set_neigh, fib, nb, 0, 0), -EINVAL);
	CHECK_EQ(FIB_CALL(uxdp_fib_set_neigh, fib, nb, sizeof(nb), 0), 0);
	CHECK_EQ(FIB_CALL(uxdp_fib_del_neigh, fib, nb, 0, 0), -EINVAL);
	CHECK_EQ(FIB_CALL(uxdp_fib_del_neigh, fib, nb, sizeof(nb) + TAIL, 0), 0);
	CHECK_EQ(FIB_CALL(uxdp_fib_del_neigh, fib, nb, sizeof(nb), 0), -ENOENT);
	uxdp_fib_free(fib);
}

int main(void)
{
	test_begin("optsabi");
	test_map_def();
	test_inner_def();
	test_object_opts();
	test_dp_opts();
	test_pcap_opts();
	test_fib();
	return test_end();
}
