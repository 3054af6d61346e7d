/* SPDX-License-Identifier: MIT */
/*
 * map_types.h - names of BPF map types, spelled as bpftool prints them, so
 * that `uxdpc --list`, `uxdpctl` and error messages read like the tools
 * users know.  One table for all of them.
 */
#ifndef UXDP_MAP_TYPES_H
#define UXDP_MAP_TYPES_H

#include <stdint.h>

#include <linux/bpf.h>

/* "hash", "lru_percpu_hash", ...; "unknown" for a type we do not know. */
static inline const char *uxdp_map_type_str(uint32_t type)
{
	/*
	 * Indexed by the kernel's numbering.  The two newest types are written as
	 * numbers because the installed UAPI header may predate them; their values
	 * are fixed by the kernel ABI.
	 */
	static const char *const names[] = {
		[BPF_MAP_TYPE_UNSPEC] = "unspec",
		[BPF_MAP_TYPE_HASH] = "hash",
		[BPF_MAP_TYPE_ARRAY] = "array",
		[BPF_MAP_TYPE_PROG_ARRAY] = "prog_array",
		[BPF_MAP_TYPE_PERF_EVENT_ARRAY] = "perf_event_array",
		[BPF_MAP_TYPE_PERCPU_HASH] = "percpu_hash",
		[BPF_MAP_TYPE_PERCPU_ARRAY] = "percpu_array",
		[BPF_MAP_TYPE_STACK_TRACE] = "stack_trace",
		[BPF_MAP_TYPE_CGROUP_ARRAY] = "cgroup_array",
		[BPF_MAP_TYPE_LRU_HASH] = "lru_hash",
		[BPF_MAP_TYPE_LRU_PERCPU_HASH] = "lru_percpu_hash",
		[BPF_MAP_TYPE_LPM_TRIE] = "lpm_trie",
		[BPF_MAP_TYPE_ARRAY_OF_MAPS] = "array_of_maps",
		[BPF_MAP_TYPE_HASH_OF_MAPS] = "hash_of_maps",
		[BPF_MAP_TYPE_DEVMAP] = "devmap",
		[BPF_MAP_TYPE_SOCKMAP] = "sockmap",
		[BPF_MAP_TYPE_CPUMAP] = "cpumap",
		[BPF_MAP_TYPE_XSKMAP] = "xskmap",
		[BPF_MAP_TYPE_SOCKHASH] = "sockhash",
		[BPF_MAP_TYPE_CGROUP_STORAGE] = "cgroup_storage",
		[BPF_MAP_TYPE_REUSEPORT_SOCKARRAY] = "reuseport_sockarray",
		[BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE] = "percpu_cgroup_storage",
		[BPF_MAP_TYPE_QUEUE] = "queue",
		[BPF_MAP_TYPE_STACK] = "stack",
		[BPF_MAP_TYPE_SK_STORAGE] = "sk_storage",
		[BPF_MAP_TYPE_DEVMAP_HASH] = "devmap_hash",
		[BPF_MAP_TYPE_STRUCT_OPS] = "struct_ops",
		[BPF_MAP_TYPE_RINGBUF] = "ringbuf",
		[BPF_MAP_TYPE_INODE_STORAGE] = "inode_storage",
		[BPF_MAP_TYPE_TASK_STORAGE] = "task_storage",
		[BPF_MAP_TYPE_BLOOM_FILTER] = "bloom_filter",
		[BPF_MAP_TYPE_USER_RINGBUF] = "user_ringbuf",
		[32] = "cgrp_storage", /* BPF_MAP_TYPE_CGRP_STORAGE */
		[33] = "arena",        /* BPF_MAP_TYPE_ARENA */
	};

	if (type >= sizeof(names) / sizeof(names[0]) || !names[type])
		return "unknown";
	return names[type];
}

#endif /* UXDP_MAP_TYPES_H */
