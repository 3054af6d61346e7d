// SPDX-License-Identifier: MIT
/*
 * mkmaps.c - make the maps the uxdpctl CLI tests work on, through the map
 * API as a running uxdp would:  mkmaps INSTANCE.
 *
 *	hosts   hash          key 4  value 4   max 16, 10.0.0.1 -> 1
 *	cfg     array         key 4  value 8   max 4, cfg[1] = 42
 *	pcpu    percpu_array  key 4  value 4   max 2, 2 CPUs, [0] = 7 / 9
 *	routes  lpm_trie      key 8  value 4   max 16
 *	q       queue                value 4   max 4
 *	st      stack                value 4   max 4
 *	rb      ringbuf       4096 bytes, records "01 02 03" and "aa bb"
 *	perf    perf_event_array, 2 rings
 */
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>

#include <uxdp/map.h>

static int make(const char *inst, struct uxdp_map_def d, struct uxdp_map **m)
{
	int ret;

	*m = NULL;
	d.sz = sizeof(d);
	ret = uxdp_map_create(inst, &d, m);

	if (ret)
		fprintf(stderr, "mkmaps: %s: %s\n", d.name, strerror(-ret));
	return ret;
}

int main(int argc, char **argv)
{
	const char *inst = argc > 1 ? argv[1] : "ctltest";
	struct uxdp_map *m = NULL;
	uint32_t k = 0x0100000a, v = 1, pv[4] = { 7, 0, 9, 0 };
	uint64_t v64 = 42;
	int ret;

	uxdp_map_unlink_instance(inst);
	ret = make(inst, (struct uxdp_map_def){ .name = "hosts", .type = BPF_MAP_TYPE_HASH,
		       .key_size = 4, .value_size = 4, .max_entries = 16 }, &m);
	ret = ret ?: uxdp_map_update_elem(m, &k, &v, BPF_ANY);
	uxdp_map_close(m);
	m = NULL;
	k = 1;
	ret = ret ?: make(inst, (struct uxdp_map_def){ .name = "cfg", .type = BPF_MAP_TYPE_ARRAY,
			      .key_size = 4, .value_size = 8, .max_entries = 4 }, &m);
	ret = ret ?: uxdp_map_update_elem(m, &k, &v64, BPF_ANY);
	uxdp_map_close(m);
	m = NULL;
	k = 0;
	ret = ret ?: make(inst, (struct uxdp_map_def){ .name = "pcpu",
			      .type = BPF_MAP_TYPE_PERCPU_ARRAY, .key_size = 4, .value_size = 4,
			      .max_entries = 2, .ncpus = 2 }, &m);
	ret = ret ?: uxdp_map_update_elem(m, &k, pv, BPF_ANY);
	uxdp_map_close(m);
	m = NULL;
	ret = ret ?: make(inst, (struct uxdp_map_def){ .name = "routes",
			      .type = BPF_MAP_TYPE_LPM_TRIE, .key_size = 8, .value_size = 4,
			      .max_entries = 16, .map_flags = BPF_F_NO_PREALLOC }, &m);
	uxdp_map_close(m);
	m = NULL;
	ret = ret ?: make(inst, (struct uxdp_map_def){ .name = "q", .type = BPF_MAP_TYPE_QUEUE,
			      .value_size = 4, .max_entries = 4 }, &m);
	uxdp_map_close(m);
	m = NULL;
	ret = ret ?: make(inst, (struct uxdp_map_def){ .name = "st", .type = BPF_MAP_TYPE_STACK,
			      .value_size = 4, .max_entries = 4 }, &m);
	uxdp_map_close(m);
	m = NULL;
	ret = ret ?: make(inst, (struct uxdp_map_def){ .name = "rb", .type = BPF_MAP_TYPE_RINGBUF,
			      .max_entries = 4096 }, &m);
	ret = ret ?: uxdp_ringbuf_output(m, "\x01\x02\x03", 3, 0);
	ret = ret ?: uxdp_ringbuf_output(m, "\xaa\xbb", 2, 0);
	uxdp_map_close(m);
	m = NULL;
	ret = ret ?: make(inst, (struct uxdp_map_def){ .name = "perf",
			      .type = BPF_MAP_TYPE_PERF_EVENT_ARRAY, .key_size = 4,
			      .value_size = 4, .max_entries = 2 }, &m);
	uxdp_map_close(m);
	m = NULL;
	if (ret)
		fprintf(stderr, "mkmaps: %s\n", strerror(-ret));
	return ret ? 1 : 0;
}
