/* SPDX-License-Identifier: MIT */
/*
 * instance.h - what the maps of one instance share across processes: the
 * instance segment /dev/shm/uxdp.<instance>.  Private to runtime/maps.
 *
 * The segment holds the map id counter, the global epoch and a table of
 * participants: every thread of every process that reads or writes the
 * instance's maps claims a slot (its thread id, process id and start time,
 * so that a dead owner is recognised even after its id was reused).  A slot
 * serves two purposes:
 *
 *  - Reclamation.  Readers never lock.  A thread announces the epoch it
 *    entered (uxdp_inst_enter(), at each batch start of a worker, around
 *    each control-plane operation) and 0 when quiescent.  A writer that
 *    unlinks an element stamps it with uxdp_inst_stamp(), which also
 *    advances the epoch; the element may be reused once every active slot
 *    announced a later epoch (uxdp_inst_safe_below()).  A slot whose owner
 *    died is cleared by whoever finds it blocking.
 *  - Lock ownership.  A lock word holds the owner's token (slot and claim
 *    generation, uxdp_inst_token()), so a waiter can tell that the holder
 *    died (uxdp_inst_token_dead()) and take the lock over (rlock.h).
 *
 * Memory ordering: the announcement is a sequentially consistent store and
 * the stamp a sequentially consistent read-modify-write after the unlink,
 * so a writer that sees a slot quiescent or past its stamp knows that slot's
 * next walk cannot reach the unlinked element (see instance.c).
 */
#ifndef UXDP_MAPS_INSTANCE_H
#define UXDP_MAPS_INSTANCE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <uxdp/map.h>

#define UXDP_INST_SLOTS 1024u        /* participants per instance (10 bits of a token) */
#define UXDP_INST_SLOT_BITS 10
#define UXDP_INST_GEN_MASK 0x3fffffu /* 22 bits of claim generation in a token */

struct uxdp_inst_slot {
	uint32_t tid;         /* owning thread, 0: free */
	uint32_t gen;         /* bumped at every claim */
	int32_t pid;          /* its process */
	uint32_t _pad;
	uint64_t start_time;  /* the thread's start time (/proc stat field 22); 0 while claiming */
	uint64_t epoch;       /* 0: quiescent; else the epoch the thread entered */
	uint8_t _line[32];    /* one slot per cache line: announcing never bounces a neighbour */
};

_Static_assert(sizeof(struct uxdp_inst_slot) == 64, "a slot is a cache line");

struct uxdp_inst_shm {
	uint64_t magic;
	uint32_t version;
	uint32_t ready;       /* release-set once initialised */
	uint64_t uuid;        /* random: maps record it, so a recreated instance is noticed */
	uint32_t next_id;     /* map ids */
	uint32_t slots_hi;    /* slots ever claimed: scans stop there */
	char name[UXDP_INSTANCE_LEN];
	_Alignas(64) uint64_t epoch; /* global epoch, starts at 1 */
	_Alignas(64) struct uxdp_inst_slot slots[UXDP_INST_SLOTS];
};

/* map.c: this process's handles of the instance's maps, by id. */
struct uxdp_id_table {
	struct uxdp_id_table *retired; /* the tables it replaced: readers may be on them */
	uint32_t cap;
	struct uxdp_map *maps[];
};

/* The process-local view of one instance; lives as long as the process. */
struct uxdp_inst {
	struct uxdp_inst *next;
	struct uxdp_id_table *by_id; /* read without a lock; replaced whole when it grows */
	struct uxdp_inst_shm *shm;
	unsigned int index;   /* process-local index: the per-thread state of this instance */
	unsigned int handles; /* map handles this process has open on it (map.c) */
	uint64_t uuid;
	char name[UXDP_INSTANCE_LEN];
};

/*
 * The instance called name, its segment created if create and absent.
 * Cached per process; a cached view whose uuid is not want_uuid (when
 * non-zero: the segment was removed and made again) is replaced.  0 or a
 * negative errno (-ENOENT without create, -EPERM for a foreign or
 * world-writable segment, -EPROTO for a damaged one).
 */
int uxdp_inst_get(const char *name, bool create, uint64_t want_uuid, struct uxdp_inst **out);
/* A fresh map id, unique within the instance. */
uint32_t uxdp_inst_alloc_id(struct uxdp_inst *in);

/*
 * The calling thread's token in the instance (claiming a slot the first
 * time): a non-zero lock-word value naming this thread.  0 when every slot
 * is taken by a live thread.
 */
uint32_t uxdp_inst_token(struct uxdp_inst *in);
/* Whether the thread that token named is gone (exited, killed, slot reused). */
bool uxdp_inst_token_dead(struct uxdp_inst *in, uint32_t token);

/* Announce (nested: only the outermost counts) / end a read-side section. */
void uxdp_inst_enter(struct uxdp_inst *in);
void uxdp_inst_exit(struct uxdp_inst *in);
/* Whether the calling thread is inside a read-side section of in. */
bool uxdp_inst_active(struct uxdp_inst *in);

/* The stamp of an element unlinked now (call after the unlink's stores). */
uint64_t uxdp_inst_stamp(struct uxdp_inst *in);
/*
 * Every element stamped below the returned value may be reused: no other
 * thread can still hold it.  The calling thread's own announcement is left
 * out (a writer may reuse what it unlinked itself, as the kernel's
 * preallocated maps do).  With check_dead, the owners of announcements that
 * hold the value back are checked (a read of /proc each) and the slots of
 * dead ones cleared.
 */
uint64_t uxdp_inst_safe_below(struct uxdp_inst *in, bool check_dead);
/* The last value uxdp_inst_safe_below() gave this thread (still true: it only grows). */
uint64_t uxdp_inst_safe_cached(struct uxdp_inst *in);

/* The start time of thread tid of process pid (clock ticks since boot), 0 if none. */
uint64_t uxdp_thread_start_time(pid_t pid, pid_t tid);

#endif /* UXDP_MAPS_INSTANCE_H */
