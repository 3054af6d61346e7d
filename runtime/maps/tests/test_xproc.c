// SPDX-License-Identifier: MIT
/*
 * Maps shared between processes: a forked child opens the parent's maps by
 * name and writes them (hash updates, ring buffer records, an array through
 * its mapped value), creates a map of its own, and both processes update
 * one hash at the same time; the parent then checks all of it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "test.h"

#define N 500

static int child(void)
{
	struct uxdp_map *h = NULL, *rb = NULL, *arr = NULL, *own = NULL;
	struct uxdp_map_def d = {
		.sz = sizeof(d),
		.name = "from_child", .type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
		.value_size = 4, .max_entries = 1,
	};
	uint32_t k = 0, v;
	uint64_t *p;

	if (uxdp_map_open(test_instance, "h", &h) || uxdp_map_open(test_instance, "rb", &rb) ||
	    uxdp_map_open(test_instance, "arr", &arr))
		return 1;
	for (k = 0; k < N; k++) {
		v = k * 2;
		if (uxdp_map_update_elem(h, &k, &v, BPF_ANY))
			return 2;
	}
	for (k = 0; k < 10; k++)
		if (uxdp_ringbuf_output(rb, &k, sizeof(k), 0))
			return 3;
	k = 0;
	p = uxdp_map_lookup(arr, &k);
	if (!p)
		return 4;
	__atomic_add_fetch(p, 1000, __ATOMIC_RELAXED);
	v = 31337;
	if (uxdp_map_create(test_instance, &d, &own) || uxdp_map_update_elem(own, &k, &v, 0))
		return 5;
	for (int i = 0; i < 20000; i++)
		__atomic_add_fetch(p, 1, __ATOMIC_RELAXED);
	return 0;
}

static int sum_cb(void *ctx, void *data, size_t size)
{
	*(uint32_t *)ctx += *(uint32_t *)data + 1;
	return 0;
}

int main(void)
{
	struct uxdp_map *h, *rb, *arr, *own = NULL;
	uint32_t k, v, sum = 0;
	uint64_t *p;
	int status;
	pid_t pid;

	test_begin("xproc");
	h = mk("h", BPF_MAP_TYPE_HASH, 4, 4, N, 0);
	rb = mk("rb", BPF_MAP_TYPE_RINGBUF, 0, 0, 16384, 0);
	arr = mk("arr", BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0);
	if (!h || !rb || !arr)
		return test_end();
	pid = fork();
	if (pid == 0)
		_exit(child());
	k = 0;
	p = uxdp_map_lookup(arr, &k);
	for (int i = 0; i < 20000; i++)
		__atomic_add_fetch(p, 1, __ATOMIC_RELAXED);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
	for (k = 0; k < N; k++) {
		CHECK_EQ(uxdp_map_lookup_elem_copy(h, &k, &v), 0);
		CHECK_EQ(v, k * 2);
	}
	CHECK_EQ(uxdp_ringbuf_consume(rb, sum_cb, &sum), 10);
	CHECK_EQ(sum, 55);
	CHECK_EQ(*p, 41000);
	CHECK_EQ(uxdp_map_open(test_instance, "from_child", &own), 0);
	if (own) {
		k = 0;
		CHECK_EQ(uxdp_map_lookup_elem_copy(own, &k, &v), 0);
		CHECK_EQ(v, 31337);
		uxdp_map_close(own);
	}
	uxdp_map_close(h);
	uxdp_map_close(rb);
	uxdp_map_close(arr);
	return test_end();
}
