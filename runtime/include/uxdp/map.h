/* SPDX-License-Identifier: MIT */
/*
 * map.h - BPF maps in shared memory, with the kernel's semantics.
 *
 * Every map is one POSIX shared-memory object, /dev/shm/uxdp.<instance>.<name>,
 * that starts with a self-describing header (magic, version, type, key and
 * value size, max_entries, flags, name, id).  Any process can open a map by
 * name and operate on it while workers run: the object holds no pointers,
 * only offsets, and every lock it needs lives inside it.  struct uxdp_map is
 * a process-local handle onto such an object.
 *
 * Two views of the same operations exist, as in the kernel:
 *
 *  - the program view (what helpers call): lookups return a pointer into map
 *    memory, so a program sees in-place updates made by others, and per-CPU
 *    maps show the slot of the calling worker (uxdp_this_cpu);
 *  - the control-plane view (what bpf(2) offers and uxdpctl uses): values are
 *    copied in and out, and a per-CPU value is round_up(value_size, 8) bytes
 *    for each of the map's CPUs, back to back.
 *
 * Array value layout (relied on by the compiler to inline array lookups):
 * the value of index i is at uxdp_map_array_data(map) + i * stride, where
 * stride = round_up(value_size, 8); for BPF_MAP_TYPE_PERCPU_ARRAY the value
 * of index i on CPU c is at data + c * UXDP_PERCPU_ARRAY_SPAN(max_entries,
 * stride) + i * stride (uxdp/object_format.h: each CPU's values apart, on
 * lines of their own).  The handle
 * starts with struct uxdp_map_fast, so generated code may read data,
 * max_entries, stride and ncpus straight from the handle; none of them
 * changes while the handle is open.
 *
 * Errors: functions return 0 or a negative errno (kernel values); functions
 * returning a pointer return NULL.  Nothing here exits or prints; the reason
 * for a refused or damaged segment, in words, is uxdp_map_last_error().
 *
 * Concurrency, as in the kernel: lookups take no lock, in programs or from
 * the control plane; updates and deletes lock as the kernel's do (a hash
 * map per bucket and per CPU, an LPM trie per trie).  Locks record their
 * holder, so one left by a killed process is taken over and what it guards
 * repaired by the next writer.  An element is reused only once every
 * reader that may hold it has passed: workers announce it by calling
 * uxdp_map_epoch_enter()/uxdp_map_epoch_exit() around each batch of
 * packets; the control-plane calls here do it by themselves.
 *
 * Ownership: segments are created exclusively, mode 0600 (or 0660 with a
 * group, uxdp_map_set_group()), and opened only when owned by the caller or
 * by root and not writable by others; headers are checked against their
 * own geometry and the file size before use.
 */
#ifndef UXDP_MAP_H
#define UXDP_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uxdp/opts.h>
#include <uxdp/ctx.h>

struct uxdp_map;

/*
 * The worker index ("CPU") of the calling thread, for per-CPU maps.
 * Initial-exec: in the static TLS block at one offset from every thread's
 * thread pointer, which is how uxdpc's inlined per-CPU lookups read it
 * (%fs:offset, patched in by the loader: percpu_cpu.c).
 */
extern __thread unsigned int uxdp_this_cpu __attribute__((tls_model("initial-exec")));

#define UXDP_MAP_NAME_LEN 64     /* including the terminating NUL */
#define UXDP_INSTANCE_LEN 32     /* including the terminating NUL */
#define UXDP_DEFAULT_INSTANCE "default"

/* The first fields of every handle, readable by generated code. */
struct uxdp_map_fast {
	void *data;            /* array: value of element 0 */
	uint32_t max_entries;
	uint32_t stride;       /* round_up(value_size, 8) */
	uint32_t ncpus;        /* per-CPU maps: CPUs (workers) with a value each */
};

/* struct uxdp_map_def.flags */
#define UXDP_MAP_DEF_SPIN_LOCK 0x1 /* the value holds a bpf_spin_lock at spin_lock_off */
#define UXDP_MAP_DEF_REUSE 0x2     /* open an existing, compatible map instead of -EEXIST */

/*
 * What to create; mirrors struct uxdp_meta_map and bpf(BPF_MAP_CREATE).
 * It grows at its end only: set sz (uxdp/opts.h, UXDP_OPTS()); inner too.
 */
struct uxdp_map_def {
	size_t sz;             /* sizeof(struct uxdp_map_def) (uxdp/opts.h): set by the caller */
	const char *name;      /* <= UXDP_MAP_NAME_LEN - 1 bytes, no '/' */
	uint32_t type;         /* BPF_MAP_TYPE_* */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;  /* perf_event_array: 0 means ncpus, as libbpf does */
	uint32_t map_flags;    /* BPF_F_* */
	uint32_t ncpus;        /* per-CPU maps and perf rings: 0 means online CPUs */
	uint32_t flags;        /* UXDP_MAP_DEF_* */
	uint32_t spin_lock_off; /* with UXDP_MAP_DEF_SPIN_LOCK (BTF tells the compiler) */
	uint32_t perf_ring_size; /* perf_event_array: bytes per ring at most, power of 2; 0: 1 MiB
				    (a ring enabled by a plain update uses up to 64 KiB of it) */
	const struct uxdp_map_def *inner; /* map-in-map: the inner map template */
	/*
	 * BTF of the key and value (object_format.h: a blob with only their
	 * types), kept in the segment's header page for uxdpctl when it fits
	 * there; btf_size 0 or a blob too large: none, entries print as hex.
	 */
	const void *btf;
	uint32_t btf_size;
	uint32_t btf_key_type_id;
	uint32_t btf_value_type_id;
};

/* What uxdp_map_get_info() and uxdp_map_list() report. */
struct uxdp_map_info {
	char name[UXDP_MAP_NAME_LEN];
	char instance[UXDP_INSTANCE_LEN];
	uint32_t id;           /* unique within the instance, used by map-in-map values */
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t ncpus;
	uint64_t bytes;        /* size of the shared-memory object */
};

/* ---- lifetime ---- */

/*
 * Create a map in instance (NULL: "default"; [A-Za-z0-9_-] only) from def.
 * -EINVAL when the description is invalid for its type (as the kernel's
 * map_alloc_check), -EEXIST when the name is taken (unless
 * UXDP_MAP_DEF_REUSE and the existing map has the same shape).  On success
 * *out is a handle the caller closes with uxdp_map_close().
 */
int uxdp_map_create(const char *instance, const struct uxdp_map_def *def, struct uxdp_map **out);
/* Open an existing map by name.  -ENOENT if there is none, -EPROTO if foreign. */
int uxdp_map_open(const char *instance, const char *name, struct uxdp_map **out);
/* Drop the handle (the map stays until unlinked).  NULL is allowed. */
void uxdp_map_close(struct uxdp_map *map);
/* Remove the shared-memory object; handles stay valid until closed. */
int uxdp_map_unlink(const char *instance, const char *name);
/* Unlink every map of instance and its id counter (tests, `uxdpctl` cleanup). */
int uxdp_map_unlink_instance(const char *instance);
/*
 * Call cb for every map of instance, in no particular order.  A non-zero
 * return from cb stops the walk and is returned.
 */
int uxdp_map_list(const char *instance, int (*cb)(const struct uxdp_map_info *info, void *arg),
		  void *arg);
int uxdp_map_get_info(const struct uxdp_map *map, struct uxdp_map_info *info);
/* Number of CPUs (workers) of a per-CPU map; 1 for the others. */
unsigned int uxdp_map_ncpus(const struct uxdp_map *map);
/* Bytes of a control-plane value: value_size, or round_up(value_size, 8) * ncpus. */
size_t uxdp_map_value_bytes(const struct uxdp_map *map);
/* Value of element 0 of an array map (see the layout above); NULL for others. */
void *uxdp_map_array_data(struct uxdp_map *map);
/*
 * Where that value is in the map's segment (a page-aligned file offset),
 * for a BPF_MAP_TYPE_ARRAY mapped the kernel's way (BPF_F_MMAPABLE: the
 * values from offset 0, round_up(value_size, 8) apart); 0 for others.
 */
uint64_t uxdp_map_array_data_off(const struct uxdp_map *map);
uint32_t uxdp_map_id(const struct uxdp_map *map);
uint32_t uxdp_map_type(const struct uxdp_map *map);
/*
 * The handle of map id in instance, opening it if this process has not yet.
 * The handle belongs to the registry: do not close it.  NULL if none.
 */
struct uxdp_map *uxdp_map_by_id(const char *instance, uint32_t id);

/*
 * The BTF the map was created with (struct uxdp_map_def.btf): copies the
 * blob into buf (buf_size bytes) and sets *size and the type ids.  The blob
 * comes from shared memory: parse it as untrusted (libbpf's btf__new checks
 * it).  -ENOENT when the map has none, -ENOSPC when buf is too small (*size
 * says how large it must be).
 */
#define UXDP_MAP_BTF_MAX 4096
int uxdp_map_btf(const struct uxdp_map *map, void *buf, size_t buf_size, uint32_t *size,
		 uint32_t *key_type_id, uint32_t *value_type_id);

/* ---- concurrency, ownership, damage ---- */

/*
 * A worker's batch: between enter and exit, elements the calling thread
 * may hold pointers to (from lookups) are not reused.  Nests.  Cheap: one
 * load and one store per instance the process uses.
 */
void uxdp_map_epoch_enter(void);
void uxdp_map_epoch_exit(void);
/*
 * Create segments from now on for sharing with group (a name or a number):
 * mode 0660 and that group, instead of 0600.  NULL: back to 0600.
 */
int uxdp_map_set_group(const char *group);
/* Why the last refused or damaged segment was refused (this thread), or NULL. */
const char *uxdp_map_last_error(void);
/*
 * Handle SIGBUS on map segments that shrank under the process (truncated by
 * their owner): the mapping becomes zero pages and uxdp_map_broken_segment()
 * names it, so the caller can stop with an error instead of dying.
 */
int uxdp_map_sigbus_guard(void);
const char *uxdp_map_broken_segment(void);
/*
 * BPF_MAP_FREEZE, kept in the segment so every process sees it: 0, or
 * -EBUSY if the map was frozen already.  The map API itself does not refuse
 * writes to a frozen map (programs may still write, as in the kernel); the
 * bpf() layer (libuxdp-bpfsys) refuses its callers' writes with -EPERM.
 */
int uxdp_map_freeze(struct uxdp_map *map);
bool uxdp_map_frozen(const struct uxdp_map *map);
/* bpf_spin_lock()/bpf_spin_unlock() on a lock word inside a map value. */
int uxdp_map_spin_lock(uint32_t *word);
void uxdp_map_spin_unlock(uint32_t *word);
/*
 * Elements reused before every reader had passed (a reader stalled past the
 * spares), and locks (any of the map's) taken over from dead holders, since
 * creation.
 */
void uxdp_map_health(const struct uxdp_map *map, uint64_t *forced_reuse, uint64_t *recoveries);

/* ---- control-plane view, like bpf(2) ---- */

/* -ENOENT if absent; map-in-map values read back as the inner map id. */
int uxdp_map_lookup_elem_copy(struct uxdp_map *map, const void *key, void *value);
/* flags: BPF_ANY, BPF_NOEXIST, BPF_EXIST, optionally | BPF_F_LOCK. */
int uxdp_map_update_elem(struct uxdp_map *map, const void *key, const void *value,
			 uint64_t flags);
int uxdp_map_delete_elem(struct uxdp_map *map, const void *key);
/* key NULL or absent: the first key.  -ENOENT after the last. */
int uxdp_map_get_next_key(struct uxdp_map *map, const void *key, void *next_key);
/*
 * Queue/stack: pop into value (key must be NULL); -ENOENT when empty.
 * Hash, per-CPU hash, LRU and LRU per-CPU hash: copy key's value out and
 * delete it atomically with respect to other updates; -ENOENT if absent.
 * Other types: -EOPNOTSUPP.
 */
int uxdp_map_lookup_and_delete_elem(struct uxdp_map *map, const void *key, void *value);

/* ---- program view, used by the helpers ---- */

/* bpf_map_lookup_elem: pointer into the map (this worker's slot), or NULL. */
void *uxdp_map_lookup(struct uxdp_map *map, const void *key);
/* bpf_map_lookup_percpu_elem: the slot of cpu; NULL if cpu >= ncpus. */
void *uxdp_map_lookup_percpu(struct uxdp_map *map, const void *key, uint32_t cpu);
/* bpf_map_update_elem: per-CPU maps write this worker's slot only. */
int uxdp_map_update(struct uxdp_map *map, const void *key, const void *value, uint64_t flags);
/*
 * bpf_for_each_map_elem's walk (uxdpc lowers the helper to a loop around
 * this and a direct call of the callback).  Start from a zeroed iterator;
 * each call gives the next element's value as a program sees it (this
 * worker's slot of a per-CPU map) and sets it->key to its key, or NULL
 * after the last.  Arrays go by index, with the index (a u32) as key, as
 * the kernel's; hash maps (plain, per-CPU, LRU, LRU per-CPU) bucket by
 * bucket, the next element read after the callback ran on the last, as the
 * kernel's walk reads it (a callback may delete the element it is given; one
 * it deletes further on is not visited).  A walk never marks LRU elements
 * referenced.  Other types give NULL at once
 * (the compiler and the kernel refuse them before).  Call it inside the
 * reader's epoch (a worker's batch): elements are read in place.
 */
struct uxdp_map_iter {
	uint64_t pos;      /* array: the next index; hash: bucket << 32 | the link last given (0: none) */
	uint64_t steps;    /* hash: elements walked in this bucket (a bound on cycles) */
	uint64_t key_buf;  /* array: the current index, as a u32 */
	const void *key;   /* the current element's key */
};
void *uxdp_map_iter_next(struct uxdp_map *map, struct uxdp_map_iter *it);
/* Queue/stack from a program.  push flags: BPF_ANY or BPF_EXIST (overwrite oldest). */
int uxdp_map_push(struct uxdp_map *map, const void *value, uint64_t flags);
int uxdp_map_pop(struct uxdp_map *map, void *value);
int uxdp_map_peek(struct uxdp_map *map, void *value);

/* ---- ring buffer (BPF_MAP_TYPE_RINGBUF) ---- */

void *uxdp_ringbuf_reserve(struct uxdp_map *map, uint64_t size, uint64_t flags);
void uxdp_ringbuf_submit(void *data, uint64_t flags);
void uxdp_ringbuf_discard(void *data, uint64_t flags);
/* 0, -EINVAL (flags) or -EAGAIN (no room). */
int uxdp_ringbuf_output(struct uxdp_map *map, const void *data, uint64_t size, uint64_t flags);
/* BPF_RB_AVAIL_DATA, BPF_RB_RING_SIZE, BPF_RB_CONS_POS, BPF_RB_PROD_POS; else 0. */
uint64_t uxdp_ringbuf_query(struct uxdp_map *map, uint64_t flags);
/*
 * Consume every committed record, in order, from any process (one consumer
 * at a time per ring).  cb returns 0 to go on; a negative value stops, leaves
 * that record consumed and is returned.  Returns the number of records
 * delivered (discarded ones are skipped, not counted).
 */
typedef int (*uxdp_ringbuf_cb)(void *ctx, void *data, size_t size);
int uxdp_ringbuf_consume(struct uxdp_map *map, uxdp_ringbuf_cb cb, void *ctx);

/*
 * Where a ring buffer's parts are in its segment: from pos_off on, the
 * kernel's mmap layout (consumer page, producer page, data).  -EINVAL if
 * map is not a ring buffer.
 */
struct uxdp_ringbuf_layout {
	uint64_t pos_off;  /* consumer_pos page; producer_pos page at pos_off + page */
	uint64_t data_off; /* the data area, size bytes */
	uint64_t size;
	size_t page;
};
int uxdp_ringbuf_layout(struct uxdp_map *map, struct uxdp_ringbuf_layout *out);
/*
 * Wakeups for a consumer in any process.  A commit wakes when the consumer
 * had caught up with the record, or with BPF_RB_FORCE_WAKEUP (never with
 * BPF_RB_NO_WAKEUP), but only while some waiter has joined: join, read the
 * positions, then wait for the counter to move past the value read before.
 * Joining costs a barrier on every CPU (membarrier), so that commits need
 * none while nobody waits; -ENOSYS where the kernel refuses it (then a
 * record committed while joining may not wake: look again after a while).
 * uxdp_ringbuf_wait(): 0 (moved, or woken), -ETIMEDOUT, -EINTR; timeout_ms
 * < 0 waits for ever.  uxdp_ringbuf_kick() makes waiters return without a
 * wakeup (to stop one).
 */
int uxdp_ringbuf_waiter(struct uxdp_map *map, bool join);
uint32_t uxdp_ringbuf_wakeups(struct uxdp_map *map);
int uxdp_ringbuf_wait(struct uxdp_map *map, uint32_t seen, int timeout_ms);
void uxdp_ringbuf_kick(struct uxdp_map *map);
/*
 * For a consumer that is not uxdp_ringbuf_consume() (libbpf's, through
 * mmap): mark the record at the consumer position discarded if it is busy
 * and its reserver died, so that the consumer goes on.  Whether it did.
 */
bool uxdp_ringbuf_unstick(struct uxdp_map *map);

/* ---- perf event array ---- */

/*
 * bpf_perf_event_output: flags & BPF_F_INDEX_MASK selects the ring
 * (BPF_F_CURRENT_CPU: this worker's), and (flags & BPF_F_CTXLEN_MASK) >> 32
 * bytes of packet are appended, from pkt.  The ring must have been enabled by
 * a control-plane update of its slot (any value, as libbpf stores a perf fd):
 * -ENOENT otherwise, -E2BIG for an index out of range (or a record over a
 * perf record's 64 KiB), -ENOSPC when full (the record is counted as lost and
 * reported by a PERF_RECORD_LOST before the next one, as by the kernel).
 * The rings hold kernel perf records (perfring.c).
 */
int uxdp_perf_output(struct uxdp_map *map, uint64_t flags, const void *data, uint64_t size,
		     const void *pkt, uint64_t pkt_len);
/*
 * Deliver the samples of ring idx to cb (like uxdp_ringbuf_consume), with
 * the kernel's raw size (the data padded so that size + 4 is a multiple of 8).
 */
int uxdp_perf_consume(struct uxdp_map *map, uint32_t idx, uxdp_ringbuf_cb cb, void *ctx);
/* Records of ring idx dropped because it was full, since it was bound. */
uint64_t uxdp_perf_lost(struct uxdp_map *map, uint32_t idx);
/*
 * Ring idx in the segment: at off, a struct perf_event_mmap_page page, then
 * up to capacity bytes of data; the kernel's perf mmap layout from off on.
 */
struct uxdp_perf_layout {
	uint64_t off;
	uint64_t capacity;
	size_t page;
};
int uxdp_perf_layout(struct uxdp_map *map, uint32_t idx, struct uxdp_perf_layout *out);
/*
 * Empty ring idx and make data_size bytes of it the ring (a power of two,
 * at most the capacity; 0: no ring, records are dropped uncounted until it
 * is bound again, as for a kernel event not mapped yet).  id is what its
 * PERF_RECORD_LOST records carry.  -EINVAL for a bad size.
 */
int uxdp_perf_bind(struct uxdp_map *map, uint32_t idx, uint64_t data_size, uint64_t id);
/* The id of ring idx's last bind (0: none). */
uint64_t uxdp_perf_bound_id(struct uxdp_map *map, uint32_t idx);
/* Wakeups of ring idx, as uxdp_ringbuf_waiter() and the rest do for a ring buffer. */
bool uxdp_perf_has_data(struct uxdp_map *map, uint32_t idx);
int uxdp_perf_waiter(struct uxdp_map *map, uint32_t idx, bool join);
uint32_t uxdp_perf_wakeups(struct uxdp_map *map, uint32_t idx);
int uxdp_perf_wait(struct uxdp_map *map, uint32_t idx, uint32_t seen, int timeout_ms);
void uxdp_perf_kick(struct uxdp_map *map, uint32_t idx);

/* ---- program arrays and redirect targets ---- */

/*
 * A prog_array slot holds a program index (the value written by update).
 * Each process knows its programs' native entry points: uxdp_prog_register()
 * gives the process-wide index -> entry table, and uxdp_prog_array_set_fn()
 * pins an entry for one slot of one map.  A tail call uses the slot's entry
 * if pinned, else the registered entry of the slot's program index.  Neither
 * table is shared: each process fills its own.
 */
int uxdp_prog_register(uint32_t prog_index, uxdp_prog_fn fn);
int uxdp_prog_array_set_fn(struct uxdp_map *map, uint32_t idx, uxdp_prog_fn fn);
/* The entry a tail call through slot idx runs now, or NULL. */
uxdp_prog_fn uxdp_prog_array_get_fn(struct uxdp_map *map, uint32_t idx);

/*
 * devmap, devmap_hash, xskmap, cpumap: the value of slot key (struct
 * bpf_devmap_val / bpf_cpumap_val when value_size is 8, else a u32), or NULL.
 *
 * An xskmap value is uxdp's stand-in for an AF_XDP socket: non-zero binds
 * the slot (frames redirected there go to the slot's shared-memory ring,
 * uxdp/xsk_ring.h), 0 is a socket that is not bound (frames are dropped),
 * and an empty slot makes bpf_redirect_map() return its fallback action.
 */
const void *uxdp_map_redirect_target(struct uxdp_map *map, uint32_t key);

#endif /* UXDP_MAP_H */
