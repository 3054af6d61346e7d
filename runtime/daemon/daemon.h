/* SPDX-License-Identifier: MIT */
/*
 * daemon.h - uxdpd's parts, private to runtime/daemon.
 *
 *   registry.c   program versions: load, attach, detach, replace, release
 *   compile.c    BPF objects compiled on load by uxdpc, cached by content
 *   server.c     the control socket: one thread, one request at a time
 *   fdpass.c     a descriptor passed with a message (also the client's)
 *   license.c    whether a BPF object's license is GPL-compatible
 *   main.c       options, the instance claim, drivers, signals
 *
 * A program version is one load: its own id, object and counters.  It is
 * held by the ports it is attached to, by the links on them, by the
 * connection that loaded it (until that closes), by its references (a
 * socket pair's end per descriptor, server.c) or by a pin; when nothing
 * holds it any more and no worker can still run it, its object is
 * closed.  The version record
 * itself stays for the daemon's life, so that its counters can still be
 * read and a worker flushing late counts into valid memory.
 */
#ifndef UXDP_DAEMON_INTERNAL_H
#define UXDP_DAEMON_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <uxdp/daemon_proto.h>
#include <uxdp/datapath.h>
#include <uxdp/instance_owner.h>
#include <uxdp/runtime.h>
#include <uxdp/verdict.h>

#include "bpf_compile.h"

#define UXDPD_SYNC_TIMEOUT_MS 2000

struct prog_version {
	struct prog_version *next;
	uint32_t id;
	uint32_t info_flags;           /* UXDP_PROG_INFO_F_* */
	uint8_t tag[8];
	char name[UXDP_DNAME_LEN];
	char object[256];
	uint64_t load_ns, release_ns;
	struct uxdp_object *obj;       /* NULL once released */
	struct uxdp_program prog;      /* what ports point to; .counters = &counters */
	struct uxdp_stats counters;    /* this version's counts (the datapath adds them) */
	uint64_t *holders;             /* its loader's connection, its references */
	unsigned int n_holders;
	int src_fd;                    /* sealed memfd of the object as loaded (-1: none; progsrc.c) */
	uint32_t load_flags, opt_level; /* the PROG_LOAD's */
	unsigned int pins;             /* bpffs pins holding it (PIN) */
	bool pinned;
	bool own_data;                 /* UXDP_LOAD_F_OWN_DATA: its bound .data/.bss go with it */
	bool stuck;                    /* a worker did not leave it: never closed */
};

/*
 * A link (PROG_ATTACH with UXDP_ATTACH_F_LINK): held by references (the
 * server's socket pairs, whose user ends are the link's descriptors) and
 * pins; when the last goes it is detached and forgotten, as a kernel BPF
 * link is released with its last file.
 */
struct link_obj {
	struct link_obj *next;
	uint32_t id;
	uint32_t prog_id;              /* what it runs, or ran last */
	uint32_t ifindex;              /* its port; 0 once detached */
	unsigned int refs, pins;
};

struct uxdpd {
	struct uxdp_dp *dp;
	const char *instance;
	const char *driver;
	char port_name[UXDP_DP_MAX_PORTS][16];
	struct prog_version *port_prog[UXDP_DP_MAX_PORTS];
	uint32_t port_link[UXDP_DP_MAX_PORTS]; /* the link holding the port, 0: none */
	uint32_t next_link_id;
	struct link_obj *links;
	struct prog_version *versions; /* ascending ids */
	uint32_t next_id;
	struct compile_opts cc;
	struct uxdp_instance_owner *owner;
	pthread_mutex_t lock;          /* the registry: the server and the stats printers */
};

struct load_req {
	const char *path;              /* a path the daemon opens, or NULL */
	int fd;                        /* else this descriptor */
	const char *prog;              /* NULL: the only XDP program */
	uint32_t flags;                /* UXDP_LOAD_F_* */
	int opt_level;                 /* -1: default */
	uint64_t holder;               /* the loading connection, 0 for the command line */
};

/* registry.c; every function takes d->lock itself. */
void registry_init(struct uxdpd *d);
int registry_load(struct uxdpd *d, const struct load_req *r, uint32_t *id, char *err,
		  size_t err_size);
int registry_unload(struct uxdpd *d, uint32_t id, char *err, size_t err_size);
/* With UXDP_ATTACH_F_LINK, *link_id is the new link's (else 0; link_id may be NULL then). */
int registry_attach(struct uxdpd *d, const struct uxdp_dmsg_attach *a, uint32_t *link_id,
		    char *err, size_t err_size);
int registry_detach(struct uxdpd *d, const struct uxdp_dmsg_attach *a, char *err,
		    size_t err_size);
int registry_replace(struct uxdpd *d, const struct uxdp_dmsg_attach *a, char *err,
		     size_t err_size);
/* A reference more to link id (-ENOENT: none), or one less (the last ends it). */
int registry_link_get(struct uxdpd *d, uint32_t id, char *err, size_t err_size);
void registry_link_put(struct uxdpd *d, uint32_t id);
/* The links' ids, ascending, into ids (at most cap); their count returned. */
size_t registry_link_list(struct uxdpd *d, uint32_t *ids, size_t cap);
int registry_link_info(struct uxdpd *d, uint32_t id, struct uxdp_dmsg_link_info *out, char *err,
		       size_t err_size);
/* A bpffs pin of a program or link (UXDP_PIN_*) more, or one less. */
int registry_pin(struct uxdpd *d, uint32_t kind, uint32_t id, char *err, size_t err_size);
void registry_unpin(struct uxdpd *d, uint32_t kind, uint32_t id);
/* Ids into ids (at most cap), their count returned. */
size_t registry_list(struct uxdpd *d, uint32_t flags, uint32_t *ids, size_t cap);
int registry_info(struct uxdpd *d, uint32_t id, struct uxdp_dmsg_prog_info *out, char *err,
		  size_t err_size);
size_t registry_ports(struct uxdpd *d, struct uxdp_dmsg_port *out, size_t cap);
/* PROG_OBJECT: a duplicate of id's src_fd (caller closes) and how it was loaded. */
int registry_object(struct uxdpd *d, uint32_t id, struct uxdp_dmsg_prog_object *out, int *fd,
		    char *err, size_t err_size);
/* progsrc.c: a sealed memfd holding len bytes of data, or a negative errno. */
int progsrc_keep(const void *data, size_t len);
/* Connection holder holds loaded program id too (-ENOENT: not loaded). */
int registry_hold(struct uxdpd *d, uint32_t id, uint64_t holder, char *err, size_t err_size);
/* A connection closed: what it alone held is released. */
void registry_drop_holder(struct uxdpd *d, uint64_t holder);
/* One line per version that counted something or is loaded. */
void registry_print(struct uxdpd *d, FILE *f);
/* After the workers left: close every object. */
void registry_close(struct uxdpd *d);

/* license.c: the object's "license" section is one the kernel calls GPL-compatible. */
bool bpf_object_gpl_compatible(const uint8_t *elf, size_t len);

/* server.c */
struct server;
int server_start(struct uxdpd *d, const char *path, const char *group, struct server **out,
		 char *err, size_t err_size);
void server_stop(struct server *s);

#endif /* UXDP_DAEMON_INTERNAL_H */
