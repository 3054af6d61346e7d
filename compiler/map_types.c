/* SPDX-License-Identifier: MIT */
/*
 * map_types.c - the compiler's name for a BPF map type: bpftool's, as
 * libbpf spells it, so that `uxdpc --list` reads like the tools users know.
 */
#include <bpf/libbpf.h>

#include "uxdpc.h"

const char *uxdp_map_type_name(uint32_t type)
{
	const char *name = libbpf_bpf_map_type_str((enum bpf_map_type)type);

	return name ? name : "unknown";
}
