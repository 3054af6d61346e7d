/* SPDX-License-Identifier: MIT */
/*
 * helpers.h - the BPF helpers uxdp provides, one table for compiler and runtime.
 *
 * A helper call `call N` in an XDP program becomes a call to the native
 * function `uxdp_helper_NAME`, which takes NARGS uint64_t arguments (r1..)
 * and returns uint64_t (r0).  The runtime defines each of them in C under
 * runtime/helpers/ with exactly that signature, so that the same definition
 * links as native code and, built to bitcode, inlines into a program.
 *
 * A helper id that is not in this table is rejected by uxdpc at compile time,
 * naming the program, the instruction and the helper.
 *
 * bpf_loop and bpf_for_each_map_elem are lowered by the compiler itself
 * (their callbacks are program code), and bpf_tail_call also reads
 * ctx->tail_called after the runtime returns.
 */
#ifndef UXDP_HELPERS_H
#define UXDP_HELPERS_H

/* UXDP_HELPER(kernel id, name, number of arguments) */
#define UXDP_HELPER_TABLE(UXDP_HELPER)                 \
	UXDP_HELPER(1, map_lookup_elem, 2)             \
	UXDP_HELPER(2, map_update_elem, 4)             \
	UXDP_HELPER(3, map_delete_elem, 2)             \
	UXDP_HELPER(5, ktime_get_ns, 0)                \
	UXDP_HELPER(6, trace_printk, 5)                \
	UXDP_HELPER(7, get_prandom_u32, 0)             \
	UXDP_HELPER(8, get_smp_processor_id, 0)        \
	UXDP_HELPER(12, tail_call, 3)                  \
	UXDP_HELPER(14, get_current_pid_tgid, 0)       \
	UXDP_HELPER(15, get_current_uid_gid, 0)        \
	UXDP_HELPER(16, get_current_comm, 2)           \
	UXDP_HELPER(23, redirect, 2)                   \
	UXDP_HELPER(25, perf_event_output, 5)          \
	UXDP_HELPER(28, csum_diff, 5)                  \
	UXDP_HELPER(42, get_numa_node_id, 0)           \
	UXDP_HELPER(44, xdp_adjust_head, 2)            \
	UXDP_HELPER(51, redirect_map, 3)               \
	UXDP_HELPER(54, xdp_adjust_meta, 2)            \
	UXDP_HELPER(65, xdp_adjust_tail, 2)            \
	UXDP_HELPER(69, fib_lookup, 4)                 \
	UXDP_HELPER(87, map_push_elem, 3)              \
	UXDP_HELPER(88, map_pop_elem, 2)               \
	UXDP_HELPER(89, map_peek_elem, 2)              \
	UXDP_HELPER(93, spin_lock, 1)                  \
	UXDP_HELPER(94, spin_unlock, 1)                \
	UXDP_HELPER(118, jiffies64, 0)                 \
	UXDP_HELPER(125, ktime_get_boot_ns, 0)         \
	UXDP_HELPER(130, ringbuf_output, 4)            \
	UXDP_HELPER(131, ringbuf_reserve, 3)           \
	UXDP_HELPER(132, ringbuf_submit, 2)            \
	UXDP_HELPER(133, ringbuf_discard, 2)           \
	UXDP_HELPER(134, ringbuf_query, 2)             \
	UXDP_HELPER(160, ktime_get_coarse_ns, 0)       \
	UXDP_HELPER(163, check_mtu, 5)                 \
	UXDP_HELPER(164, for_each_map_elem, 4)         \
	UXDP_HELPER(165, snprintf, 5)                  \
	UXDP_HELPER(181, loop, 4)                      \
	UXDP_HELPER(182, strncmp, 3)                   \
	UXDP_HELPER(188, xdp_get_buff_len, 1)          \
	UXDP_HELPER(189, xdp_load_bytes, 4)            \
	UXDP_HELPER(190, xdp_store_bytes, 4)           \
	UXDP_HELPER(195, map_lookup_percpu_elem, 3)    \
	UXDP_HELPER(197, dynptr_from_mem, 4)           \
	UXDP_HELPER(198, ringbuf_reserve_dynptr, 4)    \
	UXDP_HELPER(199, ringbuf_submit_dynptr, 2)     \
	UXDP_HELPER(200, ringbuf_discard_dynptr, 2)    \
	UXDP_HELPER(201, dynptr_read, 5)               \
	UXDP_HELPER(202, dynptr_write, 5)              \
	UXDP_HELPER(203, dynptr_data, 3)               \
	UXDP_HELPER(204, tcp_raw_gen_syncookie_ipv4, 3) \
	UXDP_HELPER(205, tcp_raw_gen_syncookie_ipv6, 3) \
	UXDP_HELPER(206, tcp_raw_check_syncookie_ipv4, 2) \
	UXDP_HELPER(207, tcp_raw_check_syncookie_ipv6, 2) \
	UXDP_HELPER(208, ktime_get_tai_ns, 0)

#define UXDP_HELPER_ID_LOOP 181
#define UXDP_HELPER_ID_FOR_EACH_MAP_ELEM 164
#define UXDP_HELPER_ID_TAIL_CALL 12

/*
 * bpf_for_each_map_elem(map, callback, ctx, flags) becomes a loop: void
 * *uxdp_map_iter_next(struct uxdp_map *, struct uxdp_map_iter *) gives each
 * element's value (NULL after the last), then the callback is called with
 * (map, key, value, ctx).  The iterator is UXDP_MAP_ITER_WORDS zeroed
 * 64-bit words in the caller's frame; word UXDP_MAP_ITER_KEY_WORD is the
 * element's key pointer (uxdp/map.h, struct uxdp_map_iter).
 */
#define UXDP_MAP_ITER_NEXT_SYMBOL "uxdp_map_iter_next"
#define UXDP_MAP_ITER_WORDS 4
#define UXDP_MAP_ITER_KEY_WORD 3

/* Symbol prefix of every helper; "uxdp_helper_" "map_lookup_elem". */
#define UXDP_HELPER_PREFIX "uxdp_helper_"

/*
 * Lookups in a BPF_MAP_TYPE_HASH specialised for the map's key size, which
 * uxdpc's map-inline pass calls instead of uxdp_helper_map_lookup_elem when
 * it knows the map: uxdp_hash_lookup_k<N>(map, key) for each N below,
 * uxdp_hash_lookup_any(map, key) for other sizes.  Same signature and
 * result as the helper; defined in runtime/helpers/hash_lookup.c, natively
 * (the loader resolves them) and in the bitcode (so that they inline).
 * uxdp_lru_hash_lookup_k<N> and uxdp_lru_hash_lookup_any are the same for a
 * BPF_MAP_TYPE_LRU_HASH (they mark the element referenced, as the helper
 * does).  6 is a MAC address (xdp-filter's filter_ethernet); 12 an IPv4
 * 4-tuple; 20, 24, 32, 36 and 40 the IPv4/IPv6 flow and service keys
 * programs pad to (tx_ip_tunnel's vip_key is 20, an IPv6 5-tuple with its
 * padding 40).  With the size a constant the hash is a few multiplies and
 * the key compare a few loads, where the "any" lookup loops and calls
 * memcmp (tx_ip_tunnel: 174 instructions a packet before).
 */
#define UXDP_HASH_LOOKUP_SIZES(X) X(4) X(6) X(8) X(12) X(16) X(20) X(24) X(32) X(36) X(40)
#define UXDP_HASH_LOOKUP_PREFIX "uxdp_hash_lookup_"
#define UXDP_LRU_HASH_LOOKUP_PREFIX "uxdp_lru_hash_lookup_"
/*
 * The same for BPF_MAP_TYPE_PERCPU_HASH and BPF_MAP_TYPE_LRU_PERCPU_HASH,
 * with a third argument: the CPU (worker) slot, which the pass computes
 * inline as for per-CPU arrays: uxdp_percpu_hash_lookup_k<N>(map, key, cpu).
 */
#define UXDP_PERCPU_HASH_LOOKUP_PREFIX "uxdp_percpu_hash_lookup_"
#define UXDP_LRU_PERCPU_HASH_LOOKUP_PREFIX "uxdp_lru_percpu_hash_lookup_"
/*
 * And for BPF_MAP_TYPE_LPM_TRIE, by key size (4 bytes of prefix length and
 * the data: IPv4 and IPv6): uxdp_lpm_lookup_k<N>(map, key), _any otherwise
 * (runtime/helpers/lpm_lookup.c).
 */
#define UXDP_LPM_LOOKUP_SIZES(X) X(8) X(20)
#define UXDP_LPM_LOOKUP_PREFIX "uxdp_lpm_lookup_"

/*
 * A program compiled with `uxdpc --raw` (not XDP) has no helper set: its
 * `call N` and `call %rN` both become uxdp_raw_helper(N, r1, ..., r5), which
 * whoever links the program provides (the conformance runner does).
 */
#define UXDP_RAW_HELPER_SYMBOL "uxdp_raw_helper"

#endif /* UXDP_HELPERS_H */
