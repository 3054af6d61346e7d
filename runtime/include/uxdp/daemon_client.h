/* SPDX-License-Identifier: MIT */
/*
 * daemon_client.h - talk to uxdpd, the data-plane daemon, over its control
 * socket: load a compiled (.aot.o) or BPF (.bpf.o) object, attach its
 * program to an interface, detach, replace atomically, list programs and
 * read their counters.  The protocol is docs/daemon-protocol.md
 * (uxdp/daemon_proto.h).
 *
 *	struct uxdp_daemon *d;
 *	struct uxdp_daemon_load_opts lo = { .path = "/srv/fw.bpf.o" };
 *	uint32_t id;
 *	char err[512];
 *
 *	if (uxdp_daemon_connect(NULL, &d, err, sizeof(err)) ||
 *	    uxdp_daemon_prog_load(d, &lo, &id, err, sizeof(err)) ||
 *	    uxdp_daemon_prog_replace(d, ifindex, 0, id, err, sizeof(err)))
 *		fprintf(stderr, "%s\n", err);
 *	uxdp_daemon_close(d);
 *
 * Made to be used from anywhere, a preloaded library included: no global
 * state, no signal handlers (sends use MSG_NOSIGNAL), every descriptor is
 * close-on-exec, and one connection may be shared by threads (requests on
 * it are serialised by a lock inside).  Programs a connection loaded
 * without UXDP_LOAD_F_PIN belong to it, as a BPF program belongs to its
 * file descriptors: the daemon releases them when the connection closes,
 * unless they are attached to a port by then.
 *
 * Errors: 0 or a negative errno, with one line in err (the daemon's own
 * words when it refused).  Nothing here prints or exits.
 */
#ifndef UXDP_DAEMON_CLIENT_H
#define UXDP_DAEMON_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uxdp/daemon_proto.h>

struct uxdp_daemon;

/*
 * The default socket of instance (NULL: "default"): /run/uxdp/<instance>.sock,
 * or $UXDP_DAEMON_SOCKET when set.  -ENAMETOOLONG, -EINVAL for a bad name.
 */
int uxdp_daemon_default_path(const char *instance, char *buf, size_t size);

/*
 * Connect to the daemon at path (NULL: the default instance's socket) and
 * check that it speaks our protocol.  *out is closed by uxdp_daemon_close().
 * -ENOENT / -ECONNREFUSED when no daemon listens there, -EACCES without
 * permission on the socket.
 */
int uxdp_daemon_connect(const char *path, struct uxdp_daemon **out, char *err, size_t err_size);
/* NULL is allowed. */
void uxdp_daemon_close(struct uxdp_daemon *d);
/* Timeout for each reply, in ms (default 120000: compiling on load can take a while). */
void uxdp_daemon_set_timeout(struct uxdp_daemon *d, unsigned int timeout_ms);

/* The daemon's answer to HELLO at connect time: version, pid, instance, driver. */
const struct uxdp_dmsg_hello *uxdp_daemon_hello(const struct uxdp_daemon *d);

struct uxdp_daemon_load_opts {
	const char *path;      /* the object; made absolute before it is sent */
	int fd;                /* or, when path is NULL, an open descriptor of it (passed) */
	const char *prog;      /* program name; NULL: the object's only XDP program */
	uint32_t flags;        /* UXDP_LOAD_F_* */
	int opt_level;         /* uxdpc -O level (0..3) for a BPF object, if set_opt_level */
	bool set_opt_level;    /* false: the daemon's default, -O2 */
};

/*
 * Load an object into the daemon: a uxdpc-compiled object as it is, a BPF
 * object compiled on load (cached by content and options).  Its maps bind
 * to the instance's maps of the same name and shape; a map of another shape
 * is refused unless UXDP_LOAD_F_RECREATE_MAPS.  *id names the program.
 */
int uxdp_daemon_prog_load(struct uxdp_daemon *d, const struct uxdp_daemon_load_opts *o,
			  uint32_t *id, char *err, size_t err_size);
/*
 * The same, held not by this connection but by a program reference,
 * *ref_fd (close-on-exec): the program is released when every copy of it
 * is closed, unless something else holds it (UXDP_LOAD_F_REF, 1.2).
 */
int uxdp_daemon_prog_load_ref(struct uxdp_daemon *d, const struct uxdp_daemon_load_opts *o,
			      uint32_t *id, int *ref_fd, char *err, size_t err_size);
/* Release a loaded program; -EBUSY while it is attached. */
int uxdp_daemon_prog_unload(struct uxdp_daemon *d, uint32_t id, char *err, size_t err_size);
/*
 * Attach program id to the port of ifindex (0: every port).  A port that
 * runs a program already is -EBUSY unless flags has UXDP_ATTACH_F_REPLACE.
 */
int uxdp_daemon_prog_attach(struct uxdp_daemon *d, uint32_t id, uint32_t ifindex,
			    uint32_t flags, char *err, size_t err_size);
/*
 * Detach from ifindex (0: every port running expected_id); expected_id 0
 * detaches whatever runs there, else it must be what runs (-ESTALE).
 */
int uxdp_daemon_prog_detach(struct uxdp_daemon *d, uint32_t ifindex, uint32_t expected_id,
			    char *err, size_t err_size);
/*
 * Atomically replace old_id (0: whatever runs) by new_id on ifindex (0:
 * every port that runs old_id; with old_id 0, every port with a program).
 * Returns once no worker runs the old program any more; a program held by
 * nothing else then is released.  -ESTALE if old_id does not run there.
 */
int uxdp_daemon_prog_replace(struct uxdp_daemon *d, uint32_t ifindex, uint32_t old_id,
			     uint32_t new_id, char *err, size_t err_size);
/*
 * Links (UXDP_ATTACH_F_LINK): attach id to the free port of ifindex as a
 * link, *link_id its id (-EBUSY if the port runs a program); update it to
 * new_id (old_id 0, or what it must run now: -ESTALE); detach it.  A link
 * that no longer holds the port (detached, or taken off by uxdpctl) is
 * -ENOLINK.  A port a link holds is -EBUSY for replacing otherwise.
 * ifindex 0 in an update or detach: the link's own port.
 * *ref_fd is the link's first reference (close-on-exec; the caller owns
 * it): the daemon detaches and forgets the link when every reference is
 * closed and no pin holds it (revision 1.2).
 */
int uxdp_daemon_link_attach(struct uxdp_daemon *d, uint32_t id, uint32_t ifindex,
			    uint32_t *link_id, int *ref_fd, char *err, size_t err_size);
int uxdp_daemon_link_update(struct uxdp_daemon *d, uint32_t link_id, uint32_t ifindex,
			    uint32_t old_id, uint32_t new_id, char *err, size_t err_size);
int uxdp_daemon_link_detach(struct uxdp_daemon *d, uint32_t link_id, uint32_t ifindex, char *err,
			    size_t err_size);
/* A new reference (*ref_fd) to link_id: -ENOENT when the daemon has no such link. */
int uxdp_daemon_link_open(struct uxdp_daemon *d, uint32_t link_id, int *ref_fd, char *err,
			  size_t err_size);
/* Ids of the daemon's links (attached, or detached and still held), ascending. */
int uxdp_daemon_link_list(struct uxdp_daemon *d, uint32_t *ids, size_t cap, size_t *n, char *err,
			  size_t err_size);
int uxdp_daemon_link_info(struct uxdp_daemon *d, uint32_t link_id,
			  struct uxdp_dmsg_link_info *info, char *err, size_t err_size);
/*
 * A new program reference (*ref_fd, close-on-exec) to loaded program id:
 * it holds the program until every copy of it is closed (revision 1.2);
 * -ENOENT when it is not loaded.
 */
int uxdp_daemon_prog_open(struct uxdp_daemon *d, uint32_t id, int *ref_fd, char *err,
			  size_t err_size);
/* Hold program or link id (kind UXDP_PIN_*) while the file behind path_fd has a name. */
int uxdp_daemon_pin(struct uxdp_daemon *d, uint32_t kind, uint32_t id, int path_fd, char *err,
		    size_t err_size);
/*
 * Ids of the loaded programs (flags UXDP_LIST_F_RELEASED: and of released
 * versions), ascending; *n is how many there are, at most cap are stored.
 */
int uxdp_daemon_prog_list(struct uxdp_daemon *d, uint32_t flags, uint32_t *ids, size_t cap,
			  size_t *n, char *err, size_t err_size);
/* What program id is, where it runs, and its counters. -ENOENT if unknown. */
int uxdp_daemon_prog_info(struct uxdp_daemon *d, uint32_t id, struct uxdp_dmsg_prog_info *info,
			  char *err, size_t err_size);
/* The daemon's ports and what runs on each; as prog_list for cap and *n. */
/*
 * The object program id was loaded from (a BPF object or a uxdpc-compiled
 * one, as the loader gave it) in *fd, a sealed memfd the caller closes,
 * and how it was loaded (protocol 1.2; an older daemon: -EOPNOTSUPP).
 */
int uxdp_daemon_prog_object(struct uxdp_daemon *d, uint32_t id, struct uxdp_dmsg_prog_object *o,
			    int *fd, char *err, size_t err_size);
int uxdp_daemon_port_list(struct uxdp_daemon *d, struct uxdp_dmsg_port *ports, size_t cap,
			  size_t *n, char *err, size_t err_size);

#endif /* UXDP_DAEMON_CLIENT_H */
