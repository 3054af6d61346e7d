/* SPDX-License-Identifier: MIT */
/*
 * helpers_impl.h - private to runtime/helpers: helper prototypes and the
 * kernel constants the helpers reproduce.
 */
#ifndef UXDP_HELPERS_IMPL_H
#define UXDP_HELPERS_IMPL_H

#include <stdint.h>
#include <time.h>

#include <uxdp/helpers.h>
#include <uxdp/jiffies.h>
#include <uxdp/kfuncs.h>

/* Prototypes of every helper in the table, NARGS uint64_t each. */
#define UXDP_HARGS_0 void
#define UXDP_HARGS_1 uint64_t
#define UXDP_HARGS_2 uint64_t, uint64_t
#define UXDP_HARGS_3 uint64_t, uint64_t, uint64_t
#define UXDP_HARGS_4 uint64_t, uint64_t, uint64_t, uint64_t
#define UXDP_HARGS_5 uint64_t, uint64_t, uint64_t, uint64_t, uint64_t
#define UXDP_HELPER_DECLARE(id, name, nargs) uint64_t uxdp_helper_##name(UXDP_HARGS_##nargs);
UXDP_HELPER_TABLE(UXDP_HELPER_DECLARE)
#undef UXDP_HELPER_DECLARE

/* Prototypes of the kfuncs (kfuncs.h), NARGS uint64_t each. */
#define UXDP_KFUNC_DECLARE(name, nargs, is_int) uint64_t uxdp_kfunc_##name(UXDP_HARGS_##nargs);
UXDP_KFUNC_TABLE(UXDP_KFUNC_DECLARE)
#undef UXDP_KFUNC_DECLARE

/* hash_lookup.c: what uxdpc calls for lookups in plain and LRU hash maps. */
#define UXDP_HASH_LOOKUP_DECLARE(n)                                       \
	uint64_t uxdp_hash_lookup_k##n(uint64_t map, uint64_t key);       \
	uint64_t uxdp_lru_hash_lookup_k##n(uint64_t map, uint64_t key);
UXDP_HASH_LOOKUP_SIZES(UXDP_HASH_LOOKUP_DECLARE)
#undef UXDP_HASH_LOOKUP_DECLARE
uint64_t uxdp_hash_lookup_any(uint64_t map, uint64_t key);
uint64_t uxdp_lru_hash_lookup_any(uint64_t map, uint64_t key);

/* map_helpers.c: redirect_map with the worker from ctx (passes/worker_arg.c). */
uint64_t uxdp_redirect_map_worker(uint64_t worker, uint64_t map, uint64_t key, uint64_t flags);

/* CLOCK_MONOTONIC_COARSE in ns: a vDSO read, no system call. */
static inline uint64_t uxdp_coarse_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A negative errno as the helper's r0: sign-extended, as BPF_CALL_x returns it. */
#define UXDP_ERR(e) ((uint64_t)(int64_t)-(e))

/* Kernel-internal errno values that userspace errno.h does not define. */
#define UXDP_ENOTSUPP 524

#define UXDP_ETH_HLEN 14

/* Helpers run once per packet: keep the error paths out of the way. */
#define uxdp_likely(x) __builtin_expect(!!(x), 1)
#define uxdp_unlikely(x) __builtin_expect(!!(x), 0)

#endif /* UXDP_HELPERS_IMPL_H */
