// SPDX-License-Identifier: MIT
/* Array-like maps: array, percpu_array, devmap, xskmap, cpumap, prog_array,
 * array_of_maps; creation checks, open by name, listing, freeze. */
#include <stdint.h>
#include <stdlib.h>

#include <uxdp/object_format.h>

#include "test.h"

static void test_array(void)
{
	struct uxdp_map *m = mk("arr", BPF_MAP_TYPE_ARRAY, 4, 12, 8, 0);
	uint32_t k, next, v[3] = { 1, 2, 3 }, out[3];
	uint8_t *data;

	if (!m)
		return;
	k = 3;
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_ANY), 0);
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_EXIST), 0);
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_NOEXIST), -EEXIST);
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, 7), -EINVAL);
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_F_LOCK), -EINVAL); /* no spin lock */
	CHECK_EQ(uxdp_map_lookup_elem_copy(m, &k, out), 0);
	CHECK(!memcmp(out, v, 12));
	/* the inlinable layout: base + idx * round_up(12, 8) */
	data = uxdp_map_array_data(m);
	CHECK(uxdp_map_lookup(m, &k) == data + 3 * 16);
	CHECK(((struct uxdp_map_fast *)m)->data == data);
	CHECK_EQ(((struct uxdp_map_fast *)m)->stride, 16);
	CHECK_EQ(((struct uxdp_map_fast *)m)->max_entries, 8);
	k = 8;
	CHECK(uxdp_map_lookup(m, &k) == NULL);
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_ANY), -E2BIG);
	CHECK_EQ(uxdp_map_lookup_elem_copy(m, &k, out), -ENOENT);
	CHECK_EQ(uxdp_map_delete_elem(m, &k), -EINVAL);
	k = 0;
	CHECK_EQ(uxdp_map_delete_elem(m, &k), -EINVAL);
	/* iteration: 0..7 then -ENOENT; NULL or out of range key gives 0 */
	CHECK_EQ(uxdp_map_get_next_key(m, NULL, &next), 0);
	CHECK_EQ(next, 0);
	k = 100;
	CHECK_EQ(uxdp_map_get_next_key(m, &k, &next), 0);
	CHECK_EQ(next, 0);
	for (k = 0; k < 7; k++) {
		CHECK_EQ(uxdp_map_get_next_key(m, &k, &next), 0);
		CHECK_EQ(next, k + 1);
	}
	CHECK_EQ(uxdp_map_get_next_key(m, &k, &next), -ENOENT);
	uxdp_map_close(m);
}

static void test_percpu_array(void)
{
	struct uxdp_map *m = mk("pcpu", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 4, 0);
	uint64_t all[4];
	uint32_t k = 2, v;
	uint32_t *p;

	if (!m)
		return;
	CHECK_EQ(uxdp_map_ncpus(m), 4);
	CHECK_EQ(uxdp_map_value_bytes(m), 32);
	for (unsigned int c = 0; c < 4; c++) {
		uxdp_this_cpu = c;
		v = 100 + c;
		CHECK_EQ(uxdp_map_update(m, &k, &v, BPF_ANY), 0);
		p = uxdp_map_lookup(m, &k);
		CHECK(p && *p == 100 + c);
		/* Each CPU's 4 values of 8 bytes on a line of their own (object_format.h). */
		CHECK(p == (uint32_t *)((uint8_t *)uxdp_map_array_data(m) + c * 64 + 2 * 8));
		CHECK_EQ(UXDP_PERCPU_ARRAY_SPAN(4, 8), 64);
		CHECK_EQ(UXDP_PERCPU_ARRAY_SPAN(5, 16), 128); /* 80 bytes: rounded up to a line */
	}
	uxdp_this_cpu = 0;
	p = uxdp_map_lookup_percpu(m, &k, 3);
	CHECK(p && *p == 103);
	CHECK(uxdp_map_lookup_percpu(m, &k, 4) == NULL);
	CHECK_EQ(uxdp_map_lookup_elem_copy(m, &k, all), 0);
	for (unsigned int c = 0; c < 4; c++)
		CHECK_EQ(all[c], 100 + c); /* u32 values, zero padding, little-endian */
	for (unsigned int c = 0; c < 4; c++)
		all[c] = 7 * c;
	CHECK_EQ(uxdp_map_update_elem(m, &k, all, BPF_ANY), 0);
	uxdp_this_cpu = 1;
	p = uxdp_map_lookup(m, &k);
	CHECK(p && *p == 7);
	uxdp_this_cpu = 0;
	CHECK_EQ(uxdp_map_update_elem(m, &k, all, BPF_F_LOCK), -EINVAL);
	uxdp_map_close(m);
}

static void test_spin_lock_value(void)
{
	struct uxdp_map_def d = {
		.sz = sizeof(d),
		.name = "locked", .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 16,
		.max_entries = 2, .flags = UXDP_MAP_DEF_SPIN_LOCK, .spin_lock_off = 0,
	};
	uint32_t k = 1, v[4] = { 0, 5, 6, 7 }, out[4];
	struct uxdp_map *m = NULL;
	uint32_t *p;

	CHECK_EQ(uxdp_map_create(test_instance, &d, &m), 0);
	if (!m)
		return;
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_F_LOCK), 0);
	p = uxdp_map_lookup(m, &k);
	CHECK(p && p[0] == 0 && p[1] == 5 && p[3] == 7);
	/* a held lock is neither overwritten by an update nor read back */
	p[0] = 1;
	v[0] = 0;
	v[1] = 9;
	CHECK_EQ(uxdp_map_update_elem(m, &k, v, BPF_ANY), 0);
	CHECK(p[0] == 1 && p[1] == 9);
	CHECK_EQ(uxdp_map_lookup_elem_copy(m, &k, out), 0);
	CHECK(out[0] == 0 && out[1] == 9);
	p[0] = 0;
	uxdp_map_close(m);
}

static void test_devmap_like(void)
{
	struct uxdp_map *dm = mk("dev", BPF_MAP_TYPE_DEVMAP, 4, 8, 4, 0);
	struct uxdp_map *xm = mk("xsk", BPF_MAP_TYPE_XSKMAP, 4, 4, 4, 0);
	struct uxdp_map *cm = mk("cpu", BPF_MAP_TYPE_CPUMAP, 4, 8, 4, 0);
	struct bpf_devmap_val dv = { .ifindex = 7 }, out;
	const struct bpf_devmap_val *t;
	uint32_t k = 1, xv = 3, cv[2] = { 128, 0 };

	if (!dm || !xm || !cm)
		return;
	CHECK(uxdp_map_lookup(dm, &k) == NULL);
	CHECK(uxdp_map_redirect_target(dm, 1) == NULL);
	CHECK_EQ(uxdp_map_lookup_elem_copy(dm, &k, &out), -ENOENT);
	CHECK_EQ(uxdp_map_update_elem(dm, &k, &dv, BPF_NOEXIST), -EEXIST);
	CHECK_EQ(uxdp_map_update_elem(dm, &k, &dv, BPF_ANY), 0);
	t = uxdp_map_redirect_target(dm, 1);
	CHECK(t && t->ifindex == 7);
	CHECK_EQ(uxdp_map_lookup_elem_copy(dm, &k, &out), 0);
	CHECK_EQ(out.ifindex, 7);
	dv.bpf_prog.fd = 3; /* devmap programs are not supported */
	CHECK_EQ(uxdp_map_update_elem(dm, &k, &dv, BPF_ANY), -EINVAL);
	CHECK_EQ(uxdp_map_delete_elem(dm, &k), 0);
	CHECK(uxdp_map_redirect_target(dm, 1) == NULL);
	k = 4;
	CHECK_EQ(uxdp_map_update_elem(dm, &k, &dv, BPF_ANY), -E2BIG);
	CHECK_EQ(uxdp_map_delete_elem(dm, &k), -EINVAL);

	k = 2;
	CHECK_EQ(uxdp_map_update_elem(xm, &k, &xv, BPF_EXIST), -ENOENT);
	CHECK_EQ(uxdp_map_update_elem(xm, &k, &xv, BPF_NOEXIST), 0);
	CHECK_EQ(uxdp_map_update_elem(xm, &k, &xv, BPF_NOEXIST), -EEXIST);
	CHECK(uxdp_map_redirect_target(xm, 2) != NULL);

	CHECK_EQ(uxdp_map_update_elem(cm, &k, cv, BPF_ANY), 0);
	CHECK(uxdp_map_redirect_target(cm, 2) != NULL);
	cv[0] = 0; /* qsize 0 removes the entry */
	CHECK_EQ(uxdp_map_update_elem(cm, &k, cv, BPF_ANY), 0);
	CHECK(uxdp_map_redirect_target(cm, 2) == NULL);
	uxdp_map_close(dm);
	uxdp_map_close(xm);
	uxdp_map_close(cm);
}

static uint64_t prog_a(struct uxdp_ctx *ctx)
{
	return 11;
}

static uint64_t prog_b(struct uxdp_ctx *ctx)
{
	return 22;
}

/*
 * devmap/cpumap updates as the kernel 6.18 answers them (dev_map_update_elem,
 * cpu_map_update_elem; found by test/diff/redirect_maps against the kernel):
 * BPF_NOEXIST is -EEXIST before anything else, ifindex 0 / qsize 0 empties
 * the slot, qsize > 16384 is -EOVERFLOW, a CPU past the possible ones
 * (ncpus, 4 here) is -ENODEV, and a program fd <= 0 means "no program".
 */
static void test_devmap_cpumap_kernel_rules(void)
{
	struct uxdp_map *dm = mk("dev2", BPF_MAP_TYPE_DEVMAP, 4, 8, 4, 0);
	struct uxdp_map *cm = mk("cpu2", BPF_MAP_TYPE_CPUMAP, 4, 8, 8, 0);
	uint32_t k = 1, v[2] = { 1, 0 }, out[2];

	if (!dm || !cm)
		return;
	CHECK_EQ(uxdp_map_update_elem(dm, &k, v, BPF_ANY), 0);
	v[0] = 0;
	CHECK_EQ(uxdp_map_update_elem(dm, &k, v, BPF_NOEXIST), -EEXIST);
	CHECK_EQ(uxdp_map_update_elem(dm, &k, v, BPF_ANY), 0); /* ifindex 0: emptied */
	CHECK_EQ(uxdp_map_lookup_elem_copy(dm, &k, out), -ENOENT);
	CHECK(uxdp_map_redirect_target(dm, 1) == NULL);
	v[0] = 0;
	v[1] = 5;
	CHECK_EQ(uxdp_map_update_elem(dm, &k, v, BPF_ANY), -EINVAL); /* fd with ifindex 0 */
	v[0] = 2;
	v[1] = (uint32_t)-1; /* fd -1: no program, reads back as 0 */
	CHECK_EQ(uxdp_map_update_elem(dm, &k, v, BPF_ANY), 0);
	CHECK_EQ(uxdp_map_lookup_elem_copy(dm, &k, out), 0);
	CHECK(out[0] == 2 && out[1] == 0);

	v[0] = 16385;
	v[1] = 0;
	CHECK_EQ(uxdp_map_update_elem(cm, &k, v, BPF_ANY), -EOVERFLOW);
	v[0] = 16384;
	CHECK_EQ(uxdp_map_update_elem(cm, &k, v, BPF_ANY), 0);
	v[0] = 0;
	CHECK_EQ(uxdp_map_update_elem(cm, &k, v, BPF_NOEXIST), -EEXIST);
	CHECK_EQ(uxdp_map_update_elem(cm, &k, v, BPF_ANY), 0); /* qsize 0: emptied */
	CHECK_EQ(uxdp_map_lookup_elem_copy(cm, &k, out), -ENOENT);
	k = 4; /* < max_entries 8, >= ncpus 4 */
	v[0] = 64;
	CHECK_EQ(uxdp_map_update_elem(cm, &k, v, BPF_ANY), -ENODEV);
	k = 8;
	CHECK_EQ(uxdp_map_update_elem(cm, &k, v, BPF_ANY), -E2BIG);
	uxdp_map_close(dm);
	uxdp_map_close(cm);
}

static void test_prog_array(void)
{
	struct uxdp_map *m = mk("progs", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0);
	uint32_t k = 1, v = 5, out;

	if (!m)
		return;
	CHECK(uxdp_prog_array_get_fn(m, 1) == NULL);
	CHECK_EQ(uxdp_map_update_elem(m, &k, &v, BPF_NOEXIST), -EINVAL); /* fd arrays: BPF_ANY */
	CHECK_EQ(uxdp_map_update_elem(m, &k, &v, BPF_ANY), 0);
	CHECK(uxdp_prog_array_get_fn(m, 1) == NULL); /* program 5 unknown here */
	CHECK_EQ(uxdp_prog_register(5, prog_a), 0);
	CHECK(uxdp_prog_array_get_fn(m, 1) == prog_a);
	CHECK_EQ(uxdp_prog_array_set_fn(m, 1, prog_b), 0);
	CHECK(uxdp_prog_array_get_fn(m, 1) == prog_b);
	CHECK_EQ(uxdp_map_lookup_elem_copy(m, &k, &out), 0);
	CHECK_EQ(out, 5);
	CHECK_EQ(uxdp_map_delete_elem(m, &k), 0);
	CHECK(uxdp_prog_array_get_fn(m, 1) == NULL);
	CHECK_EQ(uxdp_map_delete_elem(m, &k), -ENOENT);
	k = 9;
	CHECK_EQ(uxdp_map_delete_elem(m, &k), -E2BIG);
	CHECK_EQ(uxdp_prog_array_set_fn(m, 9, prog_a), -E2BIG);
	uxdp_map_close(m);
}

static void test_array_of_maps(void)
{
	struct uxdp_map_def inner = {
		.sz = sizeof(inner),
		.name = "inner", .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8,
		.max_entries = 2,
	};
	struct uxdp_map_def outer = {
		.sz = sizeof(outer),
		.name = "outer", .type = BPF_MAP_TYPE_ARRAY_OF_MAPS, .key_size = 4,
		.value_size = 4, .max_entries = 3, .inner = &inner,
	};
	struct uxdp_map_def bad = inner;
	struct uxdp_map *in = NULL, *out = NULL, *other = NULL;
	uint32_t k = 0, id, got;

	CHECK_EQ(uxdp_map_create(test_instance, &inner, &in), 0);
	CHECK_EQ(uxdp_map_create(test_instance, &outer, &out), 0);
	bad.name = "other";
	bad.max_entries = 5;
	CHECK_EQ(uxdp_map_create(test_instance, &bad, &other), 0);
	if (!in || !out || !other)
		return;
	id = uxdp_map_id(in);
	CHECK(id != 0 && id != uxdp_map_id(out));
	CHECK(uxdp_map_lookup(out, &k) == NULL);
	CHECK_EQ(uxdp_map_update_elem(out, &k, &id, BPF_ANY), 0);
	CHECK(uxdp_map_lookup(out, &k) == in);
	CHECK_EQ(uxdp_map_lookup_elem_copy(out, &k, &got), 0);
	CHECK_EQ(got, id);
	id = uxdp_map_id(other); /* max_entries differs, no BPF_F_INNER_MAP */
	CHECK_EQ(uxdp_map_update_elem(out, &k, &id, BPF_ANY), -EINVAL);
	id = 999999;
	CHECK_EQ(uxdp_map_update_elem(out, &k, &id, BPF_ANY), -EBADF);
	outer.inner = NULL;
	outer.name = "noinner";
	CHECK_EQ(uxdp_map_create(test_instance, &outer, &other), -EINVAL);
	uxdp_map_close(in);
	uxdp_map_close(out);
}

static int count_cb(const struct uxdp_map_info *info, void *arg)
{
	if (!strcmp(info->name, "arr") && info->type == BPF_MAP_TYPE_ARRAY &&
	    info->value_size == 12 && info->max_entries == 8)
		++*(int *)arg;
	return 0;
}

static void test_open_list(void)
{
	struct uxdp_map_def d = {
		.sz = sizeof(d),
		.name = "arr", .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 12,
		.max_entries = 8, .ncpus = 4,
	};
	struct uxdp_map *a = NULL, *b = NULL;
	uint32_t k = 3, v[3];
	int found = 0;

	CHECK_EQ(uxdp_map_open(test_instance, "arr", &a), 0);
	if (!a)
		return;
	CHECK_EQ(uxdp_map_lookup_elem_copy(a, &k, v), 0);
	CHECK(v[0] == 1 && v[2] == 3); /* written by test_array through another handle */
	CHECK_EQ(uxdp_map_open(test_instance, "nope", &b), -ENOENT);
	CHECK_EQ(uxdp_map_create(test_instance, &d, &b), -EEXIST);
	d.flags = UXDP_MAP_DEF_REUSE;
	CHECK_EQ(uxdp_map_create(test_instance, &d, &b), 0);
	uxdp_map_close(b);
	/* BPF_F_MMAPABLE changes nothing a program sees: the same map either way. */
	d.map_flags = BPF_F_MMAPABLE;
	CHECK_EQ(uxdp_map_create(test_instance, &d, &b), 0);
	uxdp_map_close(b);
	d.map_flags = BPF_F_RDONLY_PROG;
	CHECK_EQ(uxdp_map_create(test_instance, &d, &b), -EEXIST);
	d.map_flags = 0;
	d.value_size = 16;
	CHECK_EQ(uxdp_map_create(test_instance, &d, &b), -EEXIST);
	CHECK_EQ(uxdp_map_list(test_instance, count_cb, &found), 0);
	CHECK_EQ(found, 1);
	CHECK_EQ(uxdp_map_create("bad.inst", &d, &b), -EINVAL);
	uxdp_map_close(a);
}

/*
 * A per-CPU map with a slot per possible CPU (the bpf() layer's) serves a
 * run with fewer workers; one with fewer slots than the run's workers does
 * not, and for other maps the count must be the same.
 */
static void test_reuse_percpu_slots(void)
{
	struct uxdp_map_def d = {
		.sz = sizeof(d),
		.name = "pcpu_slots", .type = BPF_MAP_TYPE_PERCPU_ARRAY, .key_size = 4,
		.value_size = 8, .max_entries = 4, .ncpus = 4,
	};
	struct uxdp_map *m = NULL;

	CHECK_EQ(uxdp_map_create(test_instance, &d, &m), 0);
	uxdp_map_close(m);
	d.flags = UXDP_MAP_DEF_REUSE;
	d.ncpus = 2;
	CHECK_EQ(uxdp_map_create(test_instance, &d, &m), 0);
	if (m)
		CHECK_EQ(uxdp_map_ncpus(m), 4);
	uxdp_map_close(m);
	d.ncpus = 5;
	CHECK_EQ(uxdp_map_create(test_instance, &d, &m), -EEXIST);
	CHECK_EQ(uxdp_map_unlink(test_instance, "pcpu_slots"), 0);

	d.name = "plain_slots";
	d.type = BPF_MAP_TYPE_ARRAY;
	d.flags = 0;
	d.ncpus = 4;
	CHECK_EQ(uxdp_map_create(test_instance, &d, &m), 0);
	uxdp_map_close(m);
	d.flags = UXDP_MAP_DEF_REUSE;
	d.ncpus = 2;
	CHECK_EQ(uxdp_map_create(test_instance, &d, &m), -EEXIST);
	CHECK_EQ(uxdp_map_unlink(test_instance, "plain_slots"), 0);
}

/*
 * An object compiled for a value with its bpf_spin_lock at one offset, or
 * for inner maps of one template, must not adopt a map laid out otherwise:
 * its code locks and reads at the offsets it was built for.
 */
static void test_reuse_layout(void)
{
	struct uxdp_map_def inner = {
		.sz = sizeof(inner),
		.name = "tmpl", .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8,
		.max_entries = 2,
	};
	struct uxdp_map_def d = {
		.sz = sizeof(d),
		.name = "lock_at", .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 16,
		.max_entries = 2, .flags = UXDP_MAP_DEF_SPIN_LOCK, .spin_lock_off = 0,
	};
	struct uxdp_map *m = NULL, *again = NULL;

	CHECK_EQ(uxdp_map_create(test_instance, &d, &m), 0);
	d.flags |= UXDP_MAP_DEF_REUSE;
	CHECK_EQ(uxdp_map_create(test_instance, &d, &again), 0);
	uxdp_map_close(again);
	d.spin_lock_off = 8;
	CHECK_EQ(uxdp_map_create(test_instance, &d, &again), -EEXIST);
	/* a side that knows no lock (a map the bpf() layer made) adopts or is adopted */
	d.flags = UXDP_MAP_DEF_REUSE;
	CHECK_EQ(uxdp_map_create(test_instance, &d, &again), 0);
	uxdp_map_close(again);
	uxdp_map_close(m);
	d.flags = 0;
	CHECK_EQ(uxdp_map_create(test_instance, &d, &m), -EEXIST);
	CHECK_EQ(uxdp_map_unlink(test_instance, "lock_at"), 0);
	CHECK_EQ(uxdp_map_create(test_instance, &d, &m), 0);
	d.flags = UXDP_MAP_DEF_REUSE | UXDP_MAP_DEF_SPIN_LOCK;
	CHECK_EQ(uxdp_map_create(test_instance, &d, &again), 0);
	uxdp_map_close(again);
	uxdp_map_close(m);
	CHECK_EQ(uxdp_map_unlink(test_instance, "lock_at"), 0);

	d = (struct uxdp_map_def){
		.sz = sizeof(d),
		.name = "of_tmpl", .type = BPF_MAP_TYPE_ARRAY_OF_MAPS, .key_size = 4,
		.value_size = 4, .max_entries = 2, .inner = &inner,
	};
	CHECK_EQ(uxdp_map_create(test_instance, &d, &m), 0);
	d.flags = UXDP_MAP_DEF_REUSE;
	CHECK_EQ(uxdp_map_create(test_instance, &d, &again), 0);
	uxdp_map_close(again);
	inner.value_size = 64;
	CHECK_EQ(uxdp_map_create(test_instance, &d, &again), -EEXIST);
	inner.value_size = 8;
	inner.max_entries = 3;
	CHECK_EQ(uxdp_map_create(test_instance, &d, &again), -EEXIST);
	uxdp_map_close(m);
	CHECK_EQ(uxdp_map_unlink(test_instance, "of_tmpl"), 0);
	/* BPF_F_INNER_MAP: inner maps of any size, so the template's does not count */
	inner.map_flags = BPF_F_INNER_MAP;
	d.flags = 0;
	CHECK_EQ(uxdp_map_create(test_instance, &d, &m), 0);
	inner.max_entries = 9;
	d.flags = UXDP_MAP_DEF_REUSE;
	CHECK_EQ(uxdp_map_create(test_instance, &d, &again), 0);
	uxdp_map_close(again);
	uxdp_map_close(m);
	CHECK_EQ(uxdp_map_unlink(test_instance, "of_tmpl"), 0);
}

static void test_create_checks(void)
{
	long page = sysconf(_SC_PAGESIZE);

	CHECK_EQ(try_create(BPF_MAP_TYPE_ARRAY, 8, 4, 4, 0), -EINVAL);
	CHECK_EQ(try_create(BPF_MAP_TYPE_ARRAY, 4, 0, 4, 0), -EINVAL);
	CHECK_EQ(try_create(BPF_MAP_TYPE_ARRAY, 4, 4, 0, 0), -EINVAL);
	CHECK_EQ(try_create(BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_NO_PREALLOC), -EINVAL);
	CHECK_EQ(try_create(BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_MMAPABLE), 0);
	CHECK_EQ(try_create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 4, BPF_F_MMAPABLE), -EINVAL);
	CHECK_EQ(try_create(BPF_MAP_TYPE_HASH, 0, 4, 4, 0), -EINVAL);
	CHECK_EQ(try_create(BPF_MAP_TYPE_HASH, 4, 0, 4, 0), -EINVAL);
	CHECK_EQ(try_create(BPF_MAP_TYPE_HASH, 4, 4, 4, BPF_F_NO_PREALLOC), 0);
	CHECK_EQ(try_create(BPF_MAP_TYPE_LRU_HASH, 4, 4, 4, BPF_F_NO_PREALLOC), -EINVAL);
	CHECK_EQ(try_create(BPF_MAP_TYPE_LPM_TRIE, 8, 4, 4, 0), -EINVAL);
	CHECK_EQ(try_create(BPF_MAP_TYPE_LPM_TRIE, 8, 4, 4, BPF_F_NO_PREALLOC), 0);
	CHECK_EQ(try_create(BPF_MAP_TYPE_LPM_TRIE, 4, 4, 4, BPF_F_NO_PREALLOC), -EINVAL);
	CHECK_EQ(try_create(BPF_MAP_TYPE_LPM_TRIE, 4 + 257, 4, 4, BPF_F_NO_PREALLOC), -EINVAL);
	CHECK_EQ(try_create(BPF_MAP_TYPE_QUEUE, 4, 4, 4, 0), -EINVAL);
	CHECK_EQ(try_create(BPF_MAP_TYPE_STACK, 0, 4, 4, 0), 0);
	CHECK_EQ(try_create(BPF_MAP_TYPE_RINGBUF, 0, 0, (uint32_t)page * 4, 0), 0);
	CHECK_EQ(try_create(BPF_MAP_TYPE_RINGBUF, 0, 0, (uint32_t)page * 3, 0), -EINVAL);
	CHECK_EQ(try_create(BPF_MAP_TYPE_RINGBUF, 0, 0, 512, 0), -EINVAL);
	CHECK_EQ(try_create(BPF_MAP_TYPE_RINGBUF, 4, 0, (uint32_t)page, 0), -EINVAL);
	CHECK_EQ(try_create(BPF_MAP_TYPE_DEVMAP, 4, 12, 4, 0), -EINVAL);
	CHECK_EQ(try_create(BPF_MAP_TYPE_DEVMAP_HASH, 4, 8, 4, 0), 0);
	CHECK_EQ(try_create(BPF_MAP_TYPE_PROG_ARRAY, 4, 8, 4, 0), -EINVAL);
	CHECK_EQ(try_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 0, 0), 0);
	CHECK_EQ(try_create(BPF_MAP_TYPE_SOCKMAP, 4, 4, 4, 0), -EINVAL);
}

/*
 * The key/value BTF a map is created with (uxdp_map_def.btf) reads back
 * from the segment, also through another handle; a map without one, or
 * with one too large for the header page, has none.
 */
static void test_btf(void)
{
	static uint8_t blob[200], big[UXDP_MAP_BTF_MAX], out[UXDP_MAP_BTF_MAX];
	struct uxdp_map_def d = {
		.sz = sizeof(d),
		.name = "withbtf", .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8,
		.max_entries = 2, .btf = blob, .btf_size = sizeof(blob), .btf_key_type_id = 3,
		.btf_value_type_id = 7,
	};
	struct uxdp_map *m = NULL, *o = NULL;
	uint32_t size = 0, kid = 0, vid = 0;

	for (size_t i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)(i * 7 + 1);
	CHECK_EQ(uxdp_map_create(test_instance, &d, &m), 0);
	CHECK_EQ(uxdp_map_open(test_instance, "withbtf", &o), 0);
	if (!m || !o)
		goto out;
	CHECK_EQ(uxdp_map_btf(o, out, sizeof(out), &size, &kid, &vid), 0);
	CHECK_EQ(size, sizeof(blob));
	CHECK(!memcmp(out, blob, sizeof(blob)));
	CHECK_EQ(kid, 3);
	CHECK_EQ(vid, 7);
	CHECK_EQ(uxdp_map_btf(o, out, 10, &size, &kid, &vid), -ENOSPC);
	CHECK_EQ(size, sizeof(blob));
	uxdp_map_close(o);
	o = mk("nobtf", BPF_MAP_TYPE_ARRAY, 4, 8, 2, 0);
	CHECK(o && uxdp_map_btf(o, out, sizeof(out), &size, &kid, &vid) == -ENOENT);
	uxdp_map_close(o);
	d.name = "bigbtf";
	d.btf = big;
	d.btf_size = sizeof(big); /* the header itself takes part of the page */
	o = NULL;
	CHECK_EQ(uxdp_map_create(test_instance, &d, &o), 0);
	CHECK(o && uxdp_map_btf(o, out, sizeof(out), &size, &kid, &vid) == -ENOENT);
out:
	uxdp_map_close(o);
	uxdp_map_close(m);
}

/* BPF_MAP_FREEZE's flag: set once, seen by another handle of the same map. */
static void test_freeze(void)
{
	struct uxdp_map *m = mk("frz", BPF_MAP_TYPE_ARRAY, 4, 8, 2, 0), *other = NULL;
	uint32_t k = 0;
	uint64_t v = 1;

	if (!m)
		return;
	CHECK(!uxdp_map_frozen(m));
	CHECK_EQ(uxdp_map_freeze(m), 0);
	CHECK_EQ(uxdp_map_freeze(m), -EBUSY);
	CHECK_EQ(uxdp_map_open(test_instance, "frz", &other), 0);
	CHECK(other && uxdp_map_frozen(other));
	/* the map API leaves writes to its callers' judgement (programs still write) */
	CHECK_EQ(uxdp_map_update_elem(m, &k, &v, BPF_ANY), 0);
	uxdp_map_close(other);
	uxdp_map_close(m);
}

int main(void)
{
	test_begin("arr");
	test_btf();
	test_create_checks();
	test_freeze();
	test_array();
	test_percpu_array();
	test_spin_lock_value();
	test_devmap_like();
	test_devmap_cpumap_kernel_rules();
	test_prog_array();
	test_array_of_maps();
	test_open_list();
	test_reuse_percpu_slots();
	test_reuse_layout();
	return test_end();
}
