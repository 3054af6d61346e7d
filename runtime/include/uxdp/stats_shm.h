/* SPDX-License-Identifier: MIT */
/*
 * stats_shm.h - a running driver's verdict counters, published in shared
 * memory so that `uxdpctl stats` can read them from another process.
 *
 * The object is /dev/shm/uxdp-stats.<instance>: outside the uxdp.<instance>.
 * prefix of the instance's maps, so that a map called "stats" cannot collide
 * with it and map listings do not see it.  The driver counts straight into
 * ->stats (one writer); readers take each counter with a relaxed load, so a
 * snapshot is consistent per counter, not across counters.
 *
 * Errors: 0 or a negative errno; nothing here prints or exits.
 */
#ifndef UXDP_STATS_SHM_H
#define UXDP_STATS_SHM_H

#include <stdint.h>

#include <uxdp/driver.h>

#define UXDP_STATS_MAGIC 0x73647875u /* "uxds" */
#define UXDP_STATS_VERSION 1

enum uxdp_stats_state {
	UXDP_STATS_RUNNING = 1,
	UXDP_STATS_DONE = 2, /* the run ended (or was interrupted); counters are final */
};

struct uxdp_stats_shm {
	uint32_t magic;
	uint32_t version;
	int32_t pid;           /* of the publishing process */
	uint32_t state;        /* enum uxdp_stats_state */
	uint64_t start_ns;     /* CLOCK_REALTIME when the run started */
	uint64_t end_ns;       /* CLOCK_REALTIME when it ended, 0 while running */
	struct uxdp_stats stats;
};

/*
 * Create (or replace: a new run starts from zero) the object of instance and
 * map it; *out is zeroed except the header, state UXDP_STATS_RUNNING.
 */
int uxdp_stats_shm_create(const char *instance, struct uxdp_stats_shm **out);
/* Mark the run finished (state, end_ns) and unmap; the object stays.  NULL is allowed. */
void uxdp_stats_shm_finish(struct uxdp_stats_shm *s);
/* Map an existing object read-only.  -ENOENT if none, -EPROTO if foreign. */
int uxdp_stats_shm_open(const char *instance, const struct uxdp_stats_shm **out);
/* Copy the header and counters out of a mapped object. */
void uxdp_stats_shm_read(const struct uxdp_stats_shm *s, struct uxdp_stats_shm *copy);
/* Unmap a handle from uxdp_stats_shm_open().  NULL is allowed. */
void uxdp_stats_shm_close(const struct uxdp_stats_shm *s);
/* Remove the object of instance; -ENOENT if there is none. */
int uxdp_stats_shm_unlink(const char *instance);

#endif /* UXDP_STATS_SHM_H */
