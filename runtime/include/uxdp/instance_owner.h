/* SPDX-License-Identifier: MIT */
/*
 * instance_owner.h - which data plane runs an instance, and whether it is
 * still alive.
 *
 * A data plane (uxdp, uxdpd) claims its instance before it makes any map:
 * it takes a write lock (an open file description lock, F_OFD_SETLK) on
 *
 *	/dev/shm/uxdp-run.<instance>
 *
 * and keeps it for its life, and writes there who it is: pid, start time,
 * kind, driver, control socket, object, programs, interfaces.  The kernel
 * drops the lock when the process dies however it dies, so:
 *
 *  - a second data plane on a live instance is refused (the lock is held),
 *    with the owner's pid and socket in the message;
 *  - a crashed one blocks nothing: the next claim gets the lock, and finds
 *    the record still saying "running" (the previous owner never released
 *    it), so it knows the instance is stale and may reclaim its segments;
 *  - readers (uxdpctl instance list) test the lock without taking it
 *    (F_OFD_GETLK): alive or dead, and since when, without signals or /proc.
 *
 * The same lock guards an interface (uxdp_port_claim()): two data planes in
 * one network namespace cannot both drive an interface.
 *
 * The record is written under a sequence counter; readers retry a torn copy.
 * The file is created 0644 (readable by uxdpctl of any user) and is refused
 * when owned by another user (unless root) or writable by others.
 *
 * Errors: 0 or a negative errno with one line in err; nothing prints or exits.
 */
#ifndef UXDP_INSTANCE_OWNER_H
#define UXDP_INSTANCE_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UXDP_RUN_PREFIX "uxdp-run."
#define UXDP_PORT_PREFIX "uxdp-port."

enum uxdp_owner_state {
	UXDP_OWNER_RUNNING = 1, /* claimed; if the lock is free, the owner crashed */
	UXDP_OWNER_EXITED = 2,  /* released by its owner */
};

enum uxdp_owner_field {
	UXDP_OWNER_DRIVER,     /* "afxdp", "dpdk", "pcap" */
	UXDP_OWNER_SOCKET,     /* the daemon's control socket, "" for uxdp */
	UXDP_OWNER_OBJECT,     /* the object(s) loaded */
	UXDP_OWNER_PROGRAMS,   /* "name#id@ifindex,..." */
	UXDP_OWNER_INTERFACES, /* "veth0,veth1" */
};

/* A copy of a record. */
struct uxdp_owner_info {
	bool alive;            /* the lock is held: the owner runs */
	uint32_t state;        /* enum uxdp_owner_state */
	int32_t pid;
	uint64_t start_ns;     /* CLOCK_REALTIME of the claim */
	uint64_t end_ns;       /* of the release, 0 if none */
	char kind[16];         /* "uxdp", "uxdpd" */
	char driver[16];
	char socket[108];
	char object[256];
	char programs[256];
	char interfaces[256];
	char instance[64];
};

struct uxdp_instance_owner;

/*
 * Claim instance for this process (kind: "uxdp" or "uxdpd").  -EBUSY if a
 * live process holds it (err names it).  On success *prev is the record the
 * last owner left (prev->pid 0 if none); prev->state UXDP_OWNER_RUNNING
 * means it died without releasing: its segments are stale.  The lock is
 * released by uxdp_instance_release() or at exit.
 */
int uxdp_instance_claim(const char *instance, const char *kind, struct uxdp_instance_owner **out,
			struct uxdp_owner_info *prev, char *err, size_t err_size);
/* Set one text field of the record (truncated to fit). */
void uxdp_instance_owner_set(struct uxdp_instance_owner *o, enum uxdp_owner_field f,
			     const char *value);
/* Mark the record exited and drop the lock.  NULL is allowed. */
void uxdp_instance_release(struct uxdp_instance_owner *o);
/* Read the record of instance; -ENOENT if none was ever written. */
int uxdp_instance_owner_read(const char *instance, struct uxdp_owner_info *out);

/*
 * Claim the interface ifindex of this network namespace for instance, as
 * uxdp_instance_claim() does (-EBUSY with the holder's instance and pid).
 */
int uxdp_port_claim(uint32_t ifindex, const char *instance, const char *kind,
		    struct uxdp_instance_owner **out, char *err, size_t err_size);

/*
 * uxdp_port_claim() for each interface of a comma-separated list of names
 * (names that do not resolve are skipped: the driver reports them).  The
 * claims last until uxdp_ports_release() or the process exits.
 */
int uxdp_port_claim_names(const char *names, const char *instance, const char *kind, char *err,
			  size_t err_size);

/*
 * Release every interface this process claimed and remove their records
 * (on every exit that runs code; a crash leaves a record that the next
 * claim of the same interface takes over).
 */
void uxdp_ports_release(void);

/*
 * Remove what a dead data plane left of instance: its maps (unless
 * keep_maps), xskmap rings and counters; the run record stays.
 */
void uxdp_instance_reclaim(const char *instance, bool keep_maps);

/*
 * Remove instance's run record (`uxdpctl instance delete`), unless a data
 * plane holds it: -EBUSY then, -ENOENT when there is none.
 */
int uxdp_instance_forget(const char *instance);

#endif /* UXDP_INSTANCE_OWNER_H */
