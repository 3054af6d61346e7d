// SPDX-License-Identifier: MIT
/*
 * numa.c - bpf_get_numa_node_id (helper 42): the kernel returns
 * numa_node_id(), the node of the CPU the program runs on; so does
 * getcpu(2) for the worker's thread (0 on a machine without NUMA).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>

#include "helpers_impl.h"

uint64_t uxdp_helper_get_numa_node_id(void)
{
	unsigned int cpu, node = 0;

	if (getcpu(&cpu, &node))
		node = 0;
	return node;
}
