/* SPDX-License-Identifier: MIT */
/*
 * core.h - the type rules of CO-RE (core_types.c), shared by core_relo.c.
 * Every function follows libbpf's relo_core.c; the int ones return 1 for
 * "compatible" / "matches", 0 for not, a negative errno for a malformed
 * BTF (a cycle, a chain of typedefs longer than UXDP_CORE_MAX_HOPS).
 */
#ifndef UXDPC_CORE_H
#define UXDPC_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct btf;
struct btf_type;

#define UXDP_CORE_MAX_HOPS 32 /* typedef/modifier chains longer than this are cycles */

/* The type behind typedefs and modifiers (its id in *res_id), or NULL. */
const struct btf_type *uxdp_core_skip_mods(const struct btf *btf, uint32_t id, uint32_t *res_id);
/* Length of name without its last "___flavour" suffix. */
size_t uxdp_core_essential_len(const char *name);
/* Equal up to flavours; an anonymous name matches only an anonymous one. */
bool uxdp_core_names_match(const char *a, const char *b);
/* Same kind, or both enums (enum and enum64 are one kind for CO-RE). */
bool uxdp_core_kinds_compat(const struct btf_type *a, const struct btf_type *b);
/* Type-based relocations (exists, size, id): compatible shapes. */
int uxdp_core_types_compat(const struct btf *lb, uint32_t lid, const struct btf *tb, uint32_t tid,
			   int level);
/* bpf_core_type_matches(): the stricter relation, member by member. */
int uxdp_core_types_match(const struct btf *lb, uint32_t lid, const struct btf *tb, uint32_t tid,
			  bool behind_ptr, int level);
/* The types of a field on the local and the target side of an access path. */
int uxdp_core_fields_compat(const struct btf *lb, uint32_t lid, const struct btf *tb, uint32_t tid);

#endif /* UXDPC_CORE_H */
