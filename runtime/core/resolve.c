// SPDX-License-Identifier: MIT
/*
 * resolve.c - the symbols a compiled program may import from the runtime.
 *
 * The table is generated from UXDP_HELPER_TABLE, so that every helper the
 * compiler may call must be defined by runtime/helpers (a missing one is a
 * link error, not a load-time surprise), and an object importing anything
 * else is refused by the loader with the symbol's name.
 *
 * At -O2/-O3 the helpers are inlined from their bitcode, and the program
 * then calls what the helpers call: the map, worker and FIB functions of
 * the runtime and a few libc functions.  Those are listed below too; the
 * test unit.helpers.imports checks that the list covers every symbol the
 * bitcode imports, so that a new call in a helper cannot break loading.
 */
#define _GNU_SOURCE /* gettid */
#include <ctype.h>
#include <sched.h> /* getcpu */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h> /* bcmp */
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <uxdp/dev_mtu.h>
#include <uxdp/fib.h>
#include <uxdp/helpers.h>
#include <uxdp/jiffies.h>
#include <uxdp/kfuncs.h>
#include <uxdp/map.h>
#include <uxdp/runtime.h>
#include <uxdp/syncookie.h>
#include <uxdp/worker.h>

#define UXDP_ARGS_0 void
#define UXDP_ARGS_1 uint64_t
#define UXDP_ARGS_2 uint64_t, uint64_t
#define UXDP_ARGS_3 uint64_t, uint64_t, uint64_t
#define UXDP_ARGS_4 uint64_t, uint64_t, uint64_t, uint64_t
#define UXDP_ARGS_5 uint64_t, uint64_t, uint64_t, uint64_t, uint64_t

#define DECLARE_HELPER(id, name, nargs) uint64_t uxdp_helper_##name(UXDP_ARGS_##nargs);
UXDP_HELPER_TABLE(DECLARE_HELPER)
#define DECLARE_KFUNC(name, nargs, is_int) uint64_t uxdp_kfunc_##name(UXDP_ARGS_##nargs);
UXDP_KFUNC_TABLE(DECLARE_KFUNC)
#define DECLARE_HASH_LOOKUP(n) uint64_t uxdp_hash_lookup_k##n(uint64_t, uint64_t);
UXDP_HASH_LOOKUP_SIZES(DECLARE_HASH_LOOKUP)
uint64_t uxdp_hash_lookup_any(uint64_t, uint64_t);
#define DECLARE_LRU_HASH_LOOKUP(n) uint64_t uxdp_lru_hash_lookup_k##n(uint64_t, uint64_t);
UXDP_HASH_LOOKUP_SIZES(DECLARE_LRU_HASH_LOOKUP)
uint64_t uxdp_lru_hash_lookup_any(uint64_t, uint64_t);
#define DECLARE_PERCPU_HASH_LOOKUP(n)                                              \
	uint64_t uxdp_percpu_hash_lookup_k##n(uint64_t, uint64_t, uint64_t);       \
	uint64_t uxdp_lru_percpu_hash_lookup_k##n(uint64_t, uint64_t, uint64_t);
UXDP_HASH_LOOKUP_SIZES(DECLARE_PERCPU_HASH_LOOKUP)
uint64_t uxdp_percpu_hash_lookup_any(uint64_t, uint64_t, uint64_t);
uint64_t uxdp_lru_percpu_hash_lookup_any(uint64_t, uint64_t, uint64_t);
#define DECLARE_LPM_LOOKUP(n) uint64_t uxdp_lpm_lookup_k##n(uint64_t, uint64_t);
UXDP_LPM_LOOKUP_SIZES(DECLARE_LPM_LOOKUP)
uint64_t uxdp_lpm_lookup_any(uint64_t, uint64_t);

/* Called by the helpers' bitcode (llvm-nm --undefined-only uxdp_helpers.bc). */
#define UXDP_RUNTIME_IMPORTS(X)                                                    \
	X(uxdp_map_lookup) X(uxdp_map_lookup_percpu) X(uxdp_map_update)             \
	X(uxdp_map_delete_elem) X(uxdp_map_push) X(uxdp_map_pop) X(uxdp_map_peek)  \
	X(uxdp_map_type) X(uxdp_map_redirect_target) X(uxdp_prog_array_get_fn)      \
	X(uxdp_perf_output) X(uxdp_ringbuf_reserve) X(uxdp_ringbuf_submit)          \
	X(uxdp_ringbuf_discard) X(uxdp_ringbuf_output) X(uxdp_ringbuf_query)        \
	X(uxdp_worker_current) X(uxdp_worker_cpu) X(uxdp_trace_get_fd)              \
	X(uxdp_fib_lookup) X(uxdp_map_spin_lock) X(uxdp_map_spin_unlock)             \
	X(uxdp_syncookie_key) X(uxdp_jiffies_clock) X(uxdp_dev_mtu)                 \
	X(uxdp_read_nofault) X(uxdp_map_iter_next)                                  \
	X(clock_gettime) X(gettid) X(getcpu) X(prctl) X(snprintf)                   \
	X(strnlen) X(memchr) X(write) X(__ctype_b_loc)

struct sym {
	const char *name;
	void *addr;
};

#define HELPER_ENTRY(id, name, nargs) { UXDP_HELPER_PREFIX #name, (void *)uxdp_helper_##name },

static const struct sym symbols[] = {
	UXDP_HELPER_TABLE(HELPER_ENTRY)
#define KFUNC_ENTRY(name, nargs, is_int) { UXDP_KFUNC_PREFIX #name, (void *)uxdp_kfunc_##name },
	UXDP_KFUNC_TABLE(KFUNC_ENTRY)
	/* What map-inline calls for hash, LRU and LPM lookups when helpers are not inlined. */
#define HASH_LOOKUP_ENTRY(n) { UXDP_HASH_LOOKUP_PREFIX "k" #n, (void *)uxdp_hash_lookup_k##n },
	UXDP_HASH_LOOKUP_SIZES(HASH_LOOKUP_ENTRY)
	{ UXDP_HASH_LOOKUP_PREFIX "any", (void *)uxdp_hash_lookup_any },
#define LRU_HASH_LOOKUP_ENTRY(n)                                                  \
	{ UXDP_LRU_HASH_LOOKUP_PREFIX "k" #n, (void *)uxdp_lru_hash_lookup_k##n },
	UXDP_HASH_LOOKUP_SIZES(LRU_HASH_LOOKUP_ENTRY)
	{ UXDP_LRU_HASH_LOOKUP_PREFIX "any", (void *)uxdp_lru_hash_lookup_any },
#define PERCPU_HASH_LOOKUP_ENTRY(n)                                                     \
	{ UXDP_PERCPU_HASH_LOOKUP_PREFIX "k" #n, (void *)uxdp_percpu_hash_lookup_k##n },  \
	{ UXDP_LRU_PERCPU_HASH_LOOKUP_PREFIX "k" #n, (void *)uxdp_lru_percpu_hash_lookup_k##n },
	UXDP_HASH_LOOKUP_SIZES(PERCPU_HASH_LOOKUP_ENTRY)
	{ UXDP_PERCPU_HASH_LOOKUP_PREFIX "any", (void *)uxdp_percpu_hash_lookup_any },
	{ UXDP_LRU_PERCPU_HASH_LOOKUP_PREFIX "any", (void *)uxdp_lru_percpu_hash_lookup_any },
#define LPM_LOOKUP_ENTRY(n) { UXDP_LPM_LOOKUP_PREFIX "k" #n, (void *)uxdp_lpm_lookup_k##n },
	UXDP_LPM_LOOKUP_SIZES(LPM_LOOKUP_ENTRY)
	{ UXDP_LPM_LOOKUP_PREFIX "any", (void *)uxdp_lpm_lookup_any },
	/* LLVM turns large struct copies and zeroing into these calls. */
	{ UXDP_CONFINE_ABORT_SYMBOL, (void *)uxdp_confine_abort },
	{ UXDP_CONFINE_POLL_SYMBOL, (void *)uxdp_confine_poll },
	{ "memcpy", (void *)memcpy },
	{ "memmove", (void *)memmove },
	{ "memset", (void *)memset },
	{ "memcmp", (void *)memcmp },
	/* memcmp() == 0 becomes bcmp (the hash lookups' key compare). */
	{ "bcmp", (void *)bcmp },
	/* What the inlined helpers call in the runtime. */
#define RUNTIME_ENTRY(fn) { #fn, (void *)fn },
	UXDP_RUNTIME_IMPORTS(RUNTIME_ENTRY)
};

void *uxdp_runtime_resolve(const char *name, void *arg)
{
	size_t i;

	/*
	 * The one thread-local an object reads (inlined per-CPU lookups): an
	 * address per thread, so no entry of the table; the loader keeps its
	 * offset from the thread pointer.
	 */
	if (strcmp(name, UXDP_THIS_CPU_SYMBOL) == 0)
		return &uxdp_this_cpu;
	/*
	 * bpf_jiffies64 calibrates once per process by reading the kernel's
	 * counter (milliseconds): at load, not on the first packet.
	 */
	if (!strcmp(name, "uxdp_jiffies_clock") || !strcmp(name, UXDP_HELPER_PREFIX "jiffies64"))
		(void)uxdp_jiffies_clock();
	for (i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++)
		if (strcmp(symbols[i].name, name) == 0)
			return symbols[i].addr;
	return NULL;
}
