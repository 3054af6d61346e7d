/* SPDX-License-Identifier: MIT */
/*
 * map_internal.h - layout of a map's shared-memory object and the per-type
 * operations.  Private to runtime/maps.
 *
 * Object layout: one page of struct uxdp_shm_hdr, then the type's storage at
 * data_off (page aligned, so that a ring buffer's data can be mapped twice).
 * Everything past the header is addressed by offsets from the header, since
 * each process maps the object at its own address.
 */
#ifndef UXDP_MAP_INTERNAL_H
#define UXDP_MAP_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <linux/bpf.h>

#include <uxdp/map.h>

#define UXDP_SHM_MAGIC 0x3150414d50445855ull /* "UXDPMAP1" little-endian */
/*
 * The segment layout's version.  6: hash elements padded to whole cache
 * lines (hash.c elem_size()); 7: LRU maps with per-CPU lists locked per CPU
 * and per bucket (lru.h); 8: hash maps locked per bucket, free elements per
 * CPU (hash_free.h); 9: a bucket's lock beside its head (hash_internal.h);
 * 10: LRU maps with the common lists locked per CPU, globally and per
 * bucket (lru.h).
 */
#define UXDP_SHM_VERSION 10
#define UXDP_SHM_HDR_SIZE 4096
/* Most CPU slots a per-CPU map may have (workers past it share slots). */
#define UXDP_MAP_MAX_NCPUS 65536

/*
 * The header of a map segment.  The description and the geometry are
 * written once by the creator; an opener checks them against each other
 * and against the file's size, then copies what it needs into its handle
 * (struct uxdp_map) and never reads them from shared memory again, so a
 * header scribbled later cannot send a walk outside the segment.
 */
struct uxdp_shm_hdr {
	uint64_t magic;
	uint32_t version;
	uint32_t ready;          /* set (release) once the creator has initialised */
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t ncpus;
	uint32_t id;
	uint32_t def_flags;      /* UXDP_MAP_DEF_SPIN_LOCK only */
	uint32_t spin_lock_off;
	uint32_t stride;         /* round_up(value_size, 8) */
	/* map-in-map: the inner template */
	uint32_t inner_type;
	uint32_t inner_key_size;
	uint32_t inner_value_size;
	uint32_t inner_max_entries;
	uint32_t inner_map_flags;
	uint32_t hash_seed;      /* hash: random unless BPF_F_ZERO_SEED */
	uint64_t total_size;     /* bytes of the object */
	uint64_t data_off;
	uint64_t data_size;
	uint64_t inst_uuid;      /* the instance segment it belongs to (instance.h) */
	char name[UXDP_MAP_NAME_LEN];
	char instance[UXDP_INSTANCE_LEN];

	/* Type-specific geometry, fixed at creation. */
	uint64_t aux_off;        /* hash: buckets; slot arrays: present flags; perf: rings;
				    ringbuf: the consumer and producer pages */
	uint32_t elem_size;      /* hash, lpm: bytes per element / node */
	uint32_t n_elems;        /* hash: elements a map may use (LRU: the kernel's count) */
	uint32_t n_buckets;      /* hash: a power of two */
	uint32_t ring_size;      /* perf: bytes per ring */
	uint32_t n_pool;         /* hash, lpm: elements in the pool, spares included */
	uint32_t _geometry_pad;

	/* Mutable state shared by all users. */
	_Alignas(64) uint32_t lock;  /* the writer lock (rlock.h), owner's token */
	uint32_t free_head;      /* hash, lpm: the pool's free FIFO (pool.h), links */
	uint32_t free_tail;
	uint32_t count;          /* lpm: nodes in use (hash maps keep no count) */
	uint32_t frozen;         /* BPF_MAP_FREEZE: bpf() callers may not write (bpfsys) */
	uint32_t _state_pad;
	uint64_t lpm_root;       /* lpm: the link to the root node (lpm_internal.h) */
	uint64_t q_state;        /* queue/stack: oldest slot | count << 32, one store */
	uint64_t forced_reuse;   /* elements reused before every reader had passed */
	uint64_t recoveries;     /* locks (any of the map's) taken over from a dead holder */

	/*
	 * Written once by the creator, read only by the control plane: the
	 * key/value BTF (uxdp_map_def.btf) at btf_off in this header page.
	 * Segments from before these fields have zeros here: no BTF.
	 */
	_Alignas(64) uint32_t btf_off;
	uint32_t btf_size;
	uint32_t btf_key_type_id;
	uint32_t btf_value_type_id;
};

_Static_assert(sizeof(struct uxdp_shm_hdr) <= UXDP_SHM_HDR_SIZE, "shm header fits a page");

struct uxdp_map_ops;
struct uxdp_inst;

/*
 * The process-local handle.  Starts with struct uxdp_map_fast (see map.h).
 * Everything below hdr is copied from a validated header: the walks of
 * every map type (inlined into programs too) bound themselves by these
 * copies, never by values read from shared memory.
 */
struct uxdp_map {
	void *data;              /* base + data_off */
	uint32_t max_entries;
	uint32_t stride;
	uint32_t ncpus;
	/* cached from the header */
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t map_flags;
	uint32_t id;
	uint32_t def_flags;
	uint32_t spin_lock_off;
	/* hash, lpm */
	uint8_t *pool;           /* element (link) l is at pool + (l - 1) * elem_size */
	uint32_t *buckets;       /* hash: n_buckets buckets, head and lock (hash_internal.h) */
	void *lru_area;          /* LRU hash: the lists (lru.c); other hash maps: the
				    free shards (hash_free.c) */
	uint8_t *pcpu_values;    /* per-CPU hash: CPU c's value of element l at
				    pcpu_values + c * pcpu_span + (l - 1) * stride */
	uint64_t pcpu_span;
	uint32_t bucket_mask;
	uint32_t elem_size;
	uint32_t n_pool;
	uint32_t n_elems;
	uint32_t hash_seed;
	uint32_t elem_shift;     /* log2(elem_size) when a power of two, else 0 */
	uint16_t pool_next_off;  /* pool.h: where a free element keeps its links */
	uint16_t pool_stamp_off;
	uint32_t _pad2;
	struct uxdp_shm_hdr *hdr; /* the mapping starts here */
	size_t map_len;
	struct uxdp_inst *inst;  /* the instance's epochs and participants */
	const struct uxdp_map_ops *ops;
	uxdp_prog_fn *fns;       /* prog_array: slot entries pinned in this process */
	bool registered;         /* in the id registry */
	bool registry_owned;     /* opened by the registry, never closed */
};

_Static_assert(offsetof(struct uxdp_map, data) == offsetof(struct uxdp_map_fast, data), "fast");
_Static_assert(offsetof(struct uxdp_map, max_entries) ==
	       offsetof(struct uxdp_map_fast, max_entries), "fast");
_Static_assert(offsetof(struct uxdp_map, stride) == offsetof(struct uxdp_map_fast, stride),
	       "fast");
_Static_assert(offsetof(struct uxdp_map, ncpus) == offsetof(struct uxdp_map_fast, ncpus),
	       "fast");

/* Per-type operations.  cpu < 0 means "all CPUs" (control-plane layout). */
struct uxdp_map_ops {
	/* Validate def (types already matched); 0 or -EINVAL. */
	int (*check)(const struct uxdp_map_def *def);
	/* Fill the type's geometry in hdr and return the bytes of storage. */
	uint64_t (*layout)(struct uxdp_shm_hdr *hdr);
	/* Initialise the storage of a fresh object (zeroed already). */
	void (*init)(struct uxdp_map *map);
	void *(*lookup)(struct uxdp_map *map, const void *key, int cpu);
	int (*lookup_copy)(struct uxdp_map *map, const void *key, void *value);
	int (*update)(struct uxdp_map *map, const void *key, const void *value, uint64_t flags,
		      int cpu);
	int (*delete)(struct uxdp_map *map, const void *key);
	int (*get_next_key)(struct uxdp_map *map, const void *key, void *next);
	/*
	 * The writer lock was taken over from a dead holder: make the
	 * structure consistent again (whatever the holder was doing is then
	 * either complete or undone).  NULL: nothing can be half done.
	 */
	void (*repair)(struct uxdp_map *map);
};

extern const struct uxdp_map_ops uxdp_array_ops;
extern const struct uxdp_map_ops uxdp_slot_array_ops; /* prog/devmap/xsk/cpu/perf/maps */
extern const struct uxdp_map_ops uxdp_hash_ops;
extern const struct uxdp_map_ops uxdp_lpm_ops;
extern const struct uxdp_map_ops uxdp_queue_ops;
extern const struct uxdp_map_ops uxdp_ringbuf_ops;

/* ---- small shared utilities ---- */

static inline uint64_t uxdp_round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

static inline void *uxdp_off(const struct uxdp_map *map, uint64_t off)
{
	return (uint8_t *)map->hdr + off;
}

static inline void uxdp_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/*
 * Test-and-test-and-set, for locks that are not map locks (the xsk rings).
 * Map locks are robust locks (rlock.h) taken through uxdp_map_wlock().
 */
static inline void uxdp_lock(uint32_t *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(l, __ATOMIC_RELAXED))
			uxdp_cpu_relax();
}

static inline void uxdp_unlock(uint32_t *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

static inline bool uxdp_map_is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* The slot a program on this thread uses: workers past ncpus share slots. */
static inline unsigned int uxdp_cur_cpu(const struct uxdp_map *map)
{
	return uxdp_this_cpu < map->ncpus ? uxdp_this_cpu : uxdp_this_cpu % map->ncpus;
}

/* Flags of an update, as bpf_map_update_value() checks them. */
static inline int uxdp_check_update_flags(uint64_t flags)
{
	if ((flags & ~(uint64_t)BPF_F_LOCK) > BPF_EXIST)
		return -EINVAL;
	return 0;
}

/*
 * Copy a value, skipping the bpf_spin_lock when the map has one: the lock
 * word belongs to whoever holds it, never to the data (copy_map_value()).
 */
void uxdp_copy_value(const struct uxdp_map *map, void *dst, const void *src);
/* Copy a value out to the control plane, with the lock word zeroed. */
void uxdp_copy_value_out(const struct uxdp_map *map, void *dst, const void *src);
/* Copy a value under its own spin lock (BPF_F_LOCK); -EINVAL without one. */
int uxdp_copy_value_locked(const struct uxdp_map *map, void *dst, const void *src,
			   void *locked_val);
/*
 * One of map's robust locks (rlock.h) at word: the writer lock, a bucket's,
 * a CPU's.  0; 1 when taken over from a dead holder (counted in the map's
 * recoveries; the caller repairs what the lock guards, then holds it); or
 * a negative errno of rlock.h.
 */
int uxdp_map_lock(struct uxdp_map *map, uint32_t *word);
/*
 * The same without waiting: 0, 1 (a dead holder's taken over, counted, as
 * above), -EBUSY while a live thread holds it (a read of /proc then), or a
 * negative errno of rlock.h.
 */
int uxdp_map_try_lock_checked(struct uxdp_map *map, uint32_t *word);
/*
 * The map's writer lock (robust; repaired after a dead holder).  0 or a
 * negative errno; uxdp_map_wunlock() after 0 only.
 */
int uxdp_map_wlock(struct uxdp_map *map);
void uxdp_map_wunlock(struct uxdp_map *map);
/* A read-side section of the map's instance (nests); see instance.h. */
void uxdp_map_renter(struct uxdp_map *map);
void uxdp_map_rexit(struct uxdp_map *map);
/* Map-in-map: the inner id is usable as a value of map; 0 or -EINVAL / -EBADF. */
/* hash.c: lookup-and-delete of the four hash types (uxdp_map_lookup_and_delete_elem). */
int uxdp_hash_lookup_and_delete(struct uxdp_map *map, const void *key, void *value);
int uxdp_check_inner(struct uxdp_map *map, uint32_t id);
/* Map-in-map: the handle of inner id for a program lookup. */
struct uxdp_map *uxdp_inner_map(struct uxdp_map *outer, uint32_t id);
/*
 * ringbuf.c: announce (join) or withdraw a consumer waiting on a ring's
 * wakeups, for ring buffers and perf rings alike; 0, or -ENOSYS after a
 * join without membarrier (the caller must look again later).
 */
int uxdp_ring_waiter(uint32_t *waiters, bool join);

static inline bool uxdp_map_is_of_maps(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

#endif /* UXDP_MAP_INTERNAL_H */
