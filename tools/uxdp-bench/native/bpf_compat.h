/* SPDX-License-Identifier: MIT */
/*
 * bpf_compat.h - compile kernel-style XDP C as host C, for uxdp-bench's
 * "native" engine.
 *
 * The native engine answers "how fast would this program be if it had been
 * written for the host in the first place?".  The same source file that
 * clang -target bpf compiles is compiled with clang -O3 -march=native against
 * this directory (-I before the system headers), which shadows
 * <linux/bpf.h>, <bpf/bpf_helpers.h> and <bpf/bpf_endian.h>:
 *
 *  - struct xdp_md gets 64-bit data, data_end and data_meta, so that
 *    (void *)(long)ctx->data is a real pointer.  The layout is exactly the
 *    start of struct uxdp_ctx (uxdp/ctx.h), so the harness passes the same
 *    ctx to native and compiled programs, and ctx-taking helpers work.
 *  - SEC() is dropped; map definitions (__uint, __type, __array) stay the
 *    BTF-style structs they are, which are plain host C.  uxdp-bench stores
 *    the runtime's struct uxdp_map * in the first 8 bytes of each such struct
 *    (every BTF map field is a pointer, so there are always 8 bytes), and
 *    map helpers read it back: one load, as uxdpc's map slots.
 *  - helpers call the runtime's uxdp_helper_* functions (uxdp/helpers.h),
 *    the same code uxdpc's programs call.
 *
 * Not expressible in host C: bpf_tail_call (a tail call does not return to
 * the caller), kfuncs and CO-RE reads of kernel types.  They are declared
 * unavailable so that compiling such a program fails with a clear reason.
 */
#ifndef UXDP_BPF_COMPAT_H
#define UXDP_BPF_COMPAT_H

#include <linux/types.h>
#include <stddef.h>

#ifndef UXDP_NATIVE_XDP_MD
#define UXDP_NATIVE_XDP_MD
struct xdp_md {
	__u64 data;
	__u64 data_end;
	__u64 data_meta;
	__u32 ingress_ifindex;
	__u32 rx_queue_index;
	__u32 egress_ifindex;
};
/* Offsets of struct uxdp_ctx (UXDP_CTX_OFF_*): the harness relies on them. */
_Static_assert(offsetof(struct xdp_md, data_end) == 8, "uxdp_ctx layout");
_Static_assert(offsetof(struct xdp_md, data_meta) == 16, "uxdp_ctx layout");
_Static_assert(offsetof(struct xdp_md, ingress_ifindex) == 24, "uxdp_ctx layout");
_Static_assert(offsetof(struct xdp_md, rx_queue_index) == 28, "uxdp_ctx layout");
_Static_assert(offsetof(struct xdp_md, egress_ifindex) == 32, "uxdp_ctx layout");
#endif

/* ---- libbpf's bpf_helpers.h vocabulary ---- */

#define SEC(name)
#define __uint(name, val) int(*name)[val]
#define __type(name, val) typeof(val) *name
#define __array(name, val) typeof(val) *name[]
#define __ulong(name, val) enum { ___uxdp_##name = val } __attribute__((unused)) * name

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#ifndef __noinline
#define __noinline __attribute__((noinline))
#endif
#ifndef __weak
#define __weak __attribute__((weak))
#endif
#ifndef __hidden
#define __hidden __attribute__((visibility("hidden")))
#endif
#define __ksym __attribute__((unavailable("kfuncs and ksyms do not exist on the host")))
#define __kconfig __attribute__((unavailable("kconfig externs do not exist on the host")))
#define barrier() __asm__ __volatile__("" ::: "memory")
#define barrier_var(var) __asm__ __volatile__("" : "+r"(var))
#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif
#ifndef NULL
#define NULL ((void *)0)
#endif

/* ---- helpers: the runtime's implementations ---- */

/*
 * Prototypes as in uxdp/helpers.h: every helper takes and returns uint64_t.
 * Spelled out here rather than generated from UXDP_HELPER_TABLE so that
 * this header needs nothing from the uxdp tree; the harness' loader refuses
 * any name the runtime does not export, so a drift cannot go unnoticed.
 */
typedef __u64 __uxdp_u64;
__uxdp_u64 uxdp_helper_map_lookup_elem(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_helper_map_update_elem(__uxdp_u64, __uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_helper_map_delete_elem(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_helper_ktime_get_ns(void);
__uxdp_u64 uxdp_helper_trace_printk(__uxdp_u64, __uxdp_u64, __uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_helper_get_prandom_u32(void);
__uxdp_u64 uxdp_helper_get_smp_processor_id(void);
__uxdp_u64 uxdp_helper_redirect(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_helper_perf_event_output(__uxdp_u64, __uxdp_u64, __uxdp_u64, __uxdp_u64,
					 __uxdp_u64);
__uxdp_u64 uxdp_helper_csum_diff(__uxdp_u64, __uxdp_u64, __uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_helper_xdp_adjust_head(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_helper_redirect_map(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_helper_xdp_adjust_meta(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_helper_xdp_adjust_tail(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_helper_fib_lookup(__uxdp_u64, __uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_helper_map_push_elem(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_helper_map_pop_elem(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_helper_map_peek_elem(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_helper_spin_lock(__uxdp_u64);
__uxdp_u64 uxdp_helper_spin_unlock(__uxdp_u64);
__uxdp_u64 uxdp_helper_ktime_get_boot_ns(void);
__uxdp_u64 uxdp_helper_ringbuf_output(__uxdp_u64, __uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_helper_ringbuf_reserve(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_helper_ringbuf_submit(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_helper_ringbuf_discard(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_helper_ringbuf_query(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_helper_strncmp(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_helper_xdp_get_buff_len(__uxdp_u64);
__uxdp_u64 uxdp_helper_xdp_load_bytes(__uxdp_u64, __uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_helper_xdp_store_bytes(__uxdp_u64, __uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_helper_map_lookup_percpu_elem(__uxdp_u64, __uxdp_u64, __uxdp_u64);

/* Casts for arguments; M() is the runtime map handle stored in a map struct. */
#define __UXDP_P(x) ((__uxdp_u64)(unsigned long)(x))
#define __UXDP_M(map) (*(const __uxdp_u64 *)(const void *)(map))

/*
 * Map lookups as uxdpc compiles them (passes/map_inline.c), so that "native"
 * is a baseline with the same map code, not one slowed by calls uxdp does
 * not make.  The map's type, key size, value size and max_entries are
 * compile-time constants of its BTF-style struct (__uint(type, T) is
 * int (*type)[T]), so the choice folds away:
 *
 *  - ARRAY: index < max_entries ? data + index * round_up(value, 8) : NULL,
 *    data read from the handle (uxdpc reads it from its map slot);
 *  - PERCPU_ARRAY: the same at cpu * span + index * stride (span: each
 *    CPU's array rounded up to 64 bytes, UXDP_PERCPU_ARRAY_SPAN); uxdpc's code
 *    reads cpu from the runtime's thread-local uxdp_this_cpu, whose offset
 *    its loader patches in; the harness instead stores the worker's index
 *    in __uxdp_native_cpu (it runs one worker) and the lookup reads it: a
 *    load, as uxdpc's;
 *  - HASH, LRU_HASH, PERCPU_HASH, LRU_PERCPU_HASH, LPM_TRIE: the runtime's
 *    lookup specialised for the key size (runtime/helpers/hash_lookup.c,
 *    lpm_lookup.c; per-CPU ones with the worker's slot), which uxdp-bench
 *    links in as bitcode with the rest of the helpers and inlines, as uxdpc
 *    does;
 *  - any other type: the runtime's generic lookup, out of line (uxdpc calls
 *    it too).
 *
 * A map named through a plain pointer, a legacy struct bpf_map_def, or a
 * struct with key_size instead of a key type has no such constants: the
 * compile fails, and uxdp-bench builds the program again with
 * UXDP_NATIVE_OUT_OF_LINE, every lookup through the generic helper, and
 * says so beside its figures.
 */
/* The key sizes of UXDP_HASH_LOOKUP_SIZES (include/uxdp/helpers.h): keep in step. */
__uxdp_u64 uxdp_hash_lookup_k4(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_hash_lookup_k6(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_hash_lookup_k8(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_hash_lookup_k12(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_hash_lookup_k16(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_hash_lookup_k20(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_hash_lookup_k24(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_hash_lookup_k32(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_hash_lookup_k36(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_hash_lookup_k40(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_hash_lookup_any(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lru_hash_lookup_k4(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lru_hash_lookup_k6(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lru_hash_lookup_k8(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lru_hash_lookup_k12(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lru_hash_lookup_k16(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lru_hash_lookup_k20(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lru_hash_lookup_k24(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lru_hash_lookup_k32(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lru_hash_lookup_k36(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lru_hash_lookup_k40(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lru_hash_lookup_any(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_percpu_hash_lookup_k4(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_percpu_hash_lookup_k6(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_percpu_hash_lookup_k8(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_percpu_hash_lookup_k12(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_percpu_hash_lookup_k16(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_percpu_hash_lookup_k20(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_percpu_hash_lookup_k24(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_percpu_hash_lookup_k32(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_percpu_hash_lookup_k36(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_percpu_hash_lookup_k40(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_percpu_hash_lookup_any(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lru_percpu_hash_lookup_k4(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lru_percpu_hash_lookup_k6(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lru_percpu_hash_lookup_k8(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lru_percpu_hash_lookup_k12(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lru_percpu_hash_lookup_k16(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lru_percpu_hash_lookup_k20(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lru_percpu_hash_lookup_k24(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lru_percpu_hash_lookup_k32(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lru_percpu_hash_lookup_k36(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lru_percpu_hash_lookup_k40(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lru_percpu_hash_lookup_any(__uxdp_u64, __uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lpm_lookup_k8(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lpm_lookup_k20(__uxdp_u64, __uxdp_u64);
__uxdp_u64 uxdp_lpm_lookup_any(__uxdp_u64, __uxdp_u64);
/* The running worker's index, set by uxdp-bench (one worker per process). */
__u32 __uxdp_native_cpu;

/* The first fields of a runtime map handle (uxdp/map.h, struct uxdp_map_fast). */
struct __uxdp_map_fast {
	void *data;
	__u32 max_entries;
	__u32 stride;
	__u32 ncpus;
};

static __always_inline void *__uxdp_lookup_generic(void *map, const void *key)
{
	return (void *)(unsigned long)uxdp_helper_map_lookup_elem(__UXDP_M(map), __UXDP_P(key));
}

#define __UXDP_SIZED_LOOKUP(prefix, h, key, ksize) \
	((ksize) == 4 ? prefix##k4(h, key) \
	 : (ksize) == 6 ? prefix##k6(h, key) \
	 : (ksize) == 8 ? prefix##k8(h, key) \
	 : (ksize) == 12 ? prefix##k12(h, key) \
	 : (ksize) == 16 ? prefix##k16(h, key) \
	 : (ksize) == 20 ? prefix##k20(h, key) \
	 : (ksize) == 24 ? prefix##k24(h, key) \
	 : (ksize) == 32 ? prefix##k32(h, key) \
	 : (ksize) == 36 ? prefix##k36(h, key) \
	 : (ksize) == 40 ? prefix##k40(h, key) \
	 : prefix##any(h, key))
#define __UXDP_SIZED_LOOKUP_CPU(prefix, h, key, ksize, cpu) \
	((ksize) == 4 ? prefix##k4(h, key, cpu) \
	 : (ksize) == 6 ? prefix##k6(h, key, cpu) \
	 : (ksize) == 8 ? prefix##k8(h, key, cpu) \
	 : (ksize) == 12 ? prefix##k12(h, key, cpu) \
	 : (ksize) == 16 ? prefix##k16(h, key, cpu) \
	 : (ksize) == 20 ? prefix##k20(h, key, cpu) \
	 : (ksize) == 24 ? prefix##k24(h, key, cpu) \
	 : (ksize) == 32 ? prefix##k32(h, key, cpu) \
	 : (ksize) == 36 ? prefix##k36(h, key, cpu) \
	 : (ksize) == 40 ? prefix##k40(h, key, cpu) \
	 : prefix##any(h, key, cpu))

static __always_inline void *__uxdp_lookup(void *map, const void *key, __u32 type, __u32 ksize,
					   __u32 vsize, __u32 max_entries)
{
	const struct __uxdp_map_fast *f = (const struct __uxdp_map_fast *)__UXDP_M(map);
	__uxdp_u64 h = __UXDP_M(map), k = __UXDP_P(key), stride = (vsize + 7) & ~7u;
	__u32 index, cpu, ncpus;

	switch (type) {
	case BPF_MAP_TYPE_ARRAY:
		__builtin_memcpy(&index, key, 4);
		return index < max_entries ? (char *)f->data + index * stride : NULL;
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		__builtin_memcpy(&index, key, 4);
		ncpus = f->ncpus;
		cpu = __uxdp_native_cpu;
		if (cpu >= ncpus)
			cpu %= ncpus;
		return index < max_entries
			   ? (char *)f->data +
				     cpu * (((__uxdp_u64)max_entries * stride + 63) & ~63ull) +
				     (__uxdp_u64)index * stride
			   : NULL;
	case BPF_MAP_TYPE_HASH:
		return (void *)(unsigned long)__UXDP_SIZED_LOOKUP(uxdp_hash_lookup_, h, k, ksize);
	case BPF_MAP_TYPE_LRU_HASH:
		return (void *)(unsigned long)__UXDP_SIZED_LOOKUP(uxdp_lru_hash_lookup_, h, k, ksize);
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		ncpus = f->ncpus;
		cpu = __uxdp_native_cpu;
		if (cpu >= ncpus)
			cpu %= ncpus;
		if (type == BPF_MAP_TYPE_PERCPU_HASH)
			return (void *)(unsigned long)__UXDP_SIZED_LOOKUP_CPU(
				uxdp_percpu_hash_lookup_, h, k, ksize, cpu);
		return (void *)(unsigned long)__UXDP_SIZED_LOOKUP_CPU(uxdp_lru_percpu_hash_lookup_, h,
								      k, ksize, cpu);
	case BPF_MAP_TYPE_LPM_TRIE:
		return (void *)(unsigned long)(ksize == 8    ? uxdp_lpm_lookup_k8(h, k)
					       : ksize == 20 ? uxdp_lpm_lookup_k20(h, k)
							     : uxdp_lpm_lookup_any(h, k));
	}
	return __uxdp_lookup_generic(map, key);
}

#ifdef UXDP_NATIVE_OUT_OF_LINE
#define bpf_map_lookup_elem(__m, __k) __uxdp_lookup_generic((void *)(__m), (__k))
#else
#define __UXDP_NELEMS(__m, __field) ((__u32)(sizeof(*(__m)->__field) / sizeof(int)))
#define bpf_map_lookup_elem(__m, __k)                                                              \
	__uxdp_lookup((void *)(__m), (__k), __UXDP_NELEMS(__m, type),                              \
		      (__u32)sizeof(*(__m)->key), (__u32)sizeof(*(__m)->value),                    \
		      __UXDP_NELEMS(__m, max_entries))
#endif

static __always_inline long bpf_map_update_elem(void *map, const void *key, const void *value,
						__u64 flags)
{
	return (long)uxdp_helper_map_update_elem(__UXDP_M(map), __UXDP_P(key), __UXDP_P(value),
						 flags);
}

static __always_inline long bpf_map_delete_elem(void *map, const void *key)
{
	return (long)uxdp_helper_map_delete_elem(__UXDP_M(map), __UXDP_P(key));
}

static __always_inline long bpf_map_push_elem(void *map, const void *value, __u64 flags)
{
	return (long)uxdp_helper_map_push_elem(__UXDP_M(map), __UXDP_P(value), flags);
}

static __always_inline long bpf_map_pop_elem(void *map, void *value)
{
	return (long)uxdp_helper_map_pop_elem(__UXDP_M(map), __UXDP_P(value));
}

static __always_inline long bpf_map_peek_elem(void *map, void *value)
{
	return (long)uxdp_helper_map_peek_elem(__UXDP_M(map), __UXDP_P(value));
}

static __always_inline void *bpf_map_lookup_percpu_elem(void *map, const void *key, __u32 cpu)
{
	return (void *)(unsigned long)uxdp_helper_map_lookup_percpu_elem(__UXDP_M(map),
									 __UXDP_P(key), cpu);
}

static __always_inline __u64 bpf_ktime_get_ns(void)
{
	return uxdp_helper_ktime_get_ns();
}

static __always_inline __u64 bpf_ktime_get_boot_ns(void)
{
	return uxdp_helper_ktime_get_boot_ns();
}

static __always_inline __u32 bpf_get_prandom_u32(void)
{
	return (__u32)uxdp_helper_get_prandom_u32();
}

static __always_inline __u32 bpf_get_smp_processor_id(void)
{
	return (__u32)uxdp_helper_get_smp_processor_id();
}

static __always_inline long bpf_redirect(__u32 ifindex, __u64 flags)
{
	return (long)uxdp_helper_redirect(ifindex, flags);
}

static __always_inline long bpf_redirect_map(void *map, __u64 key, __u64 flags)
{
	return (long)uxdp_helper_redirect_map(__UXDP_M(map), key, flags);
}

static __always_inline long bpf_perf_event_output(void *ctx, void *map, __u64 flags, void *data,
						  __u64 size)
{
	return (long)uxdp_helper_perf_event_output(__UXDP_P(ctx), __UXDP_M(map), flags,
						   __UXDP_P(data), size);
}

static __always_inline __s64 bpf_csum_diff(__be32 *from, __u32 from_size, __be32 *to, __u32 to_size,
					   __wsum seed)
{
	return (__s64)uxdp_helper_csum_diff(__UXDP_P(from), from_size, __UXDP_P(to), to_size, seed);
}

static __always_inline long bpf_xdp_adjust_head(struct xdp_md *ctx, int delta)
{
	return (long)uxdp_helper_xdp_adjust_head(__UXDP_P(ctx), (__uxdp_u64)(__s64)delta);
}

static __always_inline long bpf_xdp_adjust_meta(struct xdp_md *ctx, int delta)
{
	return (long)uxdp_helper_xdp_adjust_meta(__UXDP_P(ctx), (__uxdp_u64)(__s64)delta);
}

static __always_inline long bpf_xdp_adjust_tail(struct xdp_md *ctx, int delta)
{
	return (long)uxdp_helper_xdp_adjust_tail(__UXDP_P(ctx), (__uxdp_u64)(__s64)delta);
}

static __always_inline long bpf_fib_lookup(void *ctx, void *params, int plen, __u32 flags)
{
	return (long)uxdp_helper_fib_lookup(__UXDP_P(ctx), __UXDP_P(params),
					    (__uxdp_u64)(__s64)plen, flags);
}

static __always_inline long bpf_spin_lock(void *lock)
{
	return (long)uxdp_helper_spin_lock(__UXDP_P(lock));
}

static __always_inline long bpf_spin_unlock(void *lock)
{
	return (long)uxdp_helper_spin_unlock(__UXDP_P(lock));
}

static __always_inline long bpf_ringbuf_output(void *ringbuf, void *data, __u64 size, __u64 flags)
{
	return (long)uxdp_helper_ringbuf_output(__UXDP_M(ringbuf), __UXDP_P(data), size, flags);
}

static __always_inline void *bpf_ringbuf_reserve(void *ringbuf, __u64 size, __u64 flags)
{
	return (void *)(unsigned long)uxdp_helper_ringbuf_reserve(__UXDP_M(ringbuf), size, flags);
}

static __always_inline void bpf_ringbuf_submit(void *data, __u64 flags)
{
	uxdp_helper_ringbuf_submit(__UXDP_P(data), flags);
}

static __always_inline void bpf_ringbuf_discard(void *data, __u64 flags)
{
	uxdp_helper_ringbuf_discard(__UXDP_P(data), flags);
}

static __always_inline __u64 bpf_ringbuf_query(void *ringbuf, __u64 flags)
{
	return uxdp_helper_ringbuf_query(__UXDP_M(ringbuf), flags);
}

static __always_inline long bpf_strncmp(const char *s1, __u32 s1_sz, const char *s2)
{
	return (long)uxdp_helper_strncmp(__UXDP_P(s1), s1_sz, __UXDP_P(s2));
}

static __always_inline __u64 bpf_xdp_get_buff_len(struct xdp_md *ctx)
{
	return uxdp_helper_xdp_get_buff_len(__UXDP_P(ctx));
}

static __always_inline long bpf_xdp_load_bytes(struct xdp_md *ctx, __u32 off, void *buf, __u32 len)
{
	return (long)uxdp_helper_xdp_load_bytes(__UXDP_P(ctx), off, __UXDP_P(buf), len);
}

static __always_inline long bpf_xdp_store_bytes(struct xdp_md *ctx, __u32 off, void *buf, __u32 len)
{
	return (long)uxdp_helper_xdp_store_bytes(__UXDP_P(ctx), off, __UXDP_P(buf), len);
}

static __always_inline long bpf_trace_printk(const char *fmt, __u32 fmt_size, ...)
    __attribute__((unavailable("use bpf_printk; varargs differ on the host")));

#define ___uxdp_printk(f, s, a, b, c, ...)                                                         \
	uxdp_helper_trace_printk(__UXDP_P(f), (s), (__uxdp_u64)(a), (__uxdp_u64)(b),               \
				 (__uxdp_u64)(c))
#define bpf_printk(fmt, ...)                                                                       \
	({                                                                                         \
		static const char ____fmt[] = fmt;                                                 \
		(long)___uxdp_printk(____fmt, sizeof(____fmt), ##__VA_ARGS__, 0, 0, 0);            \
	})

long bpf_tail_call(void *ctx, void *prog_array_map, __u32 index)
    __attribute__((unavailable("a tail call does not return to its caller; no host C equivalent")));
#define bpf_tail_call_static(ctx, map, slot) bpf_tail_call(ctx, map, slot)

static __always_inline long bpf_loop(__u32 nr_loops, void *callback_fn, void *callback_ctx,
				     __u64 flags)
{
	long (*cb)(__u32, void *) = (long (*)(__u32, void *))callback_fn;
	__u32 i;

	/* bpf_loop's semantics: at most 1 << 23 iterations, stop when cb returns 1. */
	if (flags || nr_loops > (1u << 23))
		return -22; /* -EINVAL */
	for (i = 0; i < nr_loops; i++)
		if (cb(i, callback_ctx))
			return i + 1;
	return i;
}

#endif /* UXDP_BPF_COMPAT_H */
