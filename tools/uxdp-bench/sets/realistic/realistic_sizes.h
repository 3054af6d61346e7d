/* SPDX-License-Identifier: MIT */
/*
 * realistic_sizes.h - the realistic-state set's programs are the shipped
 * sources with larger tables: libbpf's __uint(name, val) declares
 * int (*name)[val], and this redefinition passes every field through
 * except max_entries of 1024 or more, which becomes at least
 * REALISTIC_MIN_ENTRIES.  Works with libbpf's bpf_helpers.h and with
 * uxdp-bench's native stand-in (both define __uint that way).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define REALISTIC_MIN_ENTRIES 65536
#define __realistic_type(v) v
#define __realistic_map_flags(v) v
#define __realistic_key_size(v) v
#define __realistic_value_size(v) v
#define __realistic_pinning(v) v
#define __realistic_max_entries(v)                                                                 \
	((v) >= 1024 && (v) < REALISTIC_MIN_ENTRIES ? REALISTIC_MIN_ENTRIES : (v))
#undef __uint
#define __uint(name, val) int(*name)[__realistic_##name(val)]
