/* SPDX-License-Identifier: MIT */
/*
 * map_types.c - the compiler's name for a BPF map type (include/uxdp/map_types.h).
 */
#include <uxdp/map_types.h>

#include "uxdpc.h"

const char *uxdp_map_type_name(uint32_t type)
{
	return uxdp_map_type_str(type);
}
