// SPDX-License-Identifier: MIT
/*
 * cpu.c - bpf_get_smp_processor_id: the worker index, which is also the
 * slot per-CPU maps use, so that a program indexing its own per-CPU data by
 * this id sees what the map helpers see.
 */
#include <stdint.h>

#include <uxdp/worker.h>

#include "helpers_impl.h"

uint64_t uxdp_helper_get_smp_processor_id(void)
{
	return uxdp_worker_cpu();
}
