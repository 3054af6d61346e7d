/* SPDX-License-Identifier: MIT */
/*
 * daemon_proto.h - the wire protocol of uxdpd's control socket, version 1.
 *
 * docs/daemon-protocol.md is the reference; this header is its C form.
 * Clients normally use uxdp/daemon_client.h rather than these structs.
 *
 * Transport: a Unix-domain SOCK_SEQPACKET socket (default
 * /run/uxdp/<instance>.sock).  Each request is one message and gets exactly
 * one reply message, in order; message boundaries are the transport's, so
 * there is no framing beyond the header.  A message is a struct
 * uxdp_dmsg_hdr followed by hdr.len bytes of payload, at most
 * UXDP_DMSG_MAX bytes in all.  Integers are in host byte order (both ends
 * are on one machine).  A request may carry one file descriptor
 * (SCM_RIGHTS): PROG_LOAD reads the object from it when path is empty,
 * PIN holds the pin's file by it.  A reply may carry one too: a link
 * reference (PROG_ATTACH with UXDP_ATTACH_F_LINK, LINK_OPEN) or a program
 * reference (PROG_LOAD with UXDP_LOAD_F_REF, PROG_OPEN), the connected end
 * of a socket pair whose other end the daemon polls: the link or program
 * lives while such a descriptor holds it, or a pin, or (a program) a port
 * or a link (revision 1.2).
 *
 * Replies: hdr.status is 0 and the payload is the op's reply struct, or
 * hdr.status is a negative errno and the payload is one line of text, NUL
 * terminated, saying what was refused and why.
 *
 * Compatibility: a field is never moved or resized within a version.  A
 * request whose hdr.version the daemon does not speak is answered with
 * -EPROTONOSUPPORT in the daemon's version; HELLO tells the client which
 * version that is.  Request payloads shorter than the op's struct are
 * zero-extended, so fields appended in a later minor revision default to 0.
 */
#ifndef UXDP_DAEMON_PROTO_H
#define UXDP_DAEMON_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define UXDP_DMSG_MAGIC 0x64647875u /* "uxdd" */
#define UXDP_DPROTO_VERSION 1
#define UXDP_DMSG_MAX 65536
#define UXDP_DAEMON_RUN_DIR "/run/uxdp"

enum uxdp_dmsg_op {
	UXDP_DOP_HELLO = 1,        /* - -> struct uxdp_dmsg_hello */
	UXDP_DOP_PROG_LOAD = 2,    /* struct uxdp_dmsg_load [+ fd] -> struct uxdp_dmsg_id */
	UXDP_DOP_PROG_UNLOAD = 3,  /* struct uxdp_dmsg_id -> - */
	UXDP_DOP_PROG_ATTACH = 4,  /* struct uxdp_dmsg_attach -> - */
	UXDP_DOP_PROG_DETACH = 5,  /* struct uxdp_dmsg_attach (prog_id: 0 or the expected one) -> - */
	UXDP_DOP_PROG_REPLACE = 6, /* struct uxdp_dmsg_attach -> - */
	UXDP_DOP_PROG_LIST = 7,    /* struct uxdp_dmsg_list -> uint32_t ids[] */
	UXDP_DOP_PROG_INFO = 8,    /* struct uxdp_dmsg_id -> struct uxdp_dmsg_prog_info */
	UXDP_DOP_PORT_LIST = 9,    /* - -> struct uxdp_dmsg_port[] */
	UXDP_DOP_PROG_OBJECT = 10, /* 1.2: struct uxdp_dmsg_id -> struct uxdp_dmsg_prog_object + fd */
	/* Revision 1.2 too: links as objects held by descriptors and pins. */
	UXDP_DOP_LINK_OPEN = 11,   /* struct uxdp_dmsg_id -> struct uxdp_dmsg_id + fd */
	UXDP_DOP_LINK_INFO = 12,   /* struct uxdp_dmsg_id -> struct uxdp_dmsg_link_info */
	UXDP_DOP_PIN = 13,         /* struct uxdp_dmsg_pin + fd -> - */
	/* 14: PROG_HOLD in development builds of 1.2, never released: PROG_OPEN took its place. */
	UXDP_DOP_LINK_LIST = 15,   /* - -> uint32_t ids[]: every link held, detached ones too */
	UXDP_DOP_PROG_OPEN = 16,   /* struct uxdp_dmsg_id -> struct uxdp_dmsg_id + fd */
};

struct uxdp_dmsg_hdr {
	uint32_t magic;   /* UXDP_DMSG_MAGIC */
	uint16_t version; /* UXDP_DPROTO_VERSION */
	uint16_t op;      /* enum uxdp_dmsg_op; the reply repeats it */
	uint32_t seq;     /* the client's; the reply repeats it */
	int32_t status;   /* reply: 0 or a negative errno; request: 0 */
	uint32_t len;     /* payload bytes after this header */
	uint32_t reserved;
};

#define UXDP_DNAME_LEN 64
#define UXDP_DPATH_LEN 4096
#define UXDP_DMAX_ATTACH 16 /* ports a program can be attached to (UXDP_DP_MAX_PORTS) */
#define UXDP_DN_VERDICTS 5  /* XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT */
#define UXDP_DMAX_MAP_IDS 64 /* map ids a prog_info carries */

struct uxdp_dmsg_hello {
	uint32_t version;                 /* the daemon's protocol version */
	int32_t pid;                      /* the daemon's process id */
	char instance[UXDP_DNAME_LEN];    /* the map namespace its programs use */
	char driver[16];                  /* "afxdp", "dpdk" or "pcap" */
	uint32_t n_ports;
	uint32_t n_workers;
	/*
	 * Revision 1.2: random at the daemon's start, so that what names its
	 * objects by id outside it (bpffs pins) can tell this daemon from the
	 * next one, whose ids start again at 1 (0 from an older daemon).
	 */
	uint64_t boot_nonce;
};

/* PROG_LOAD flags. */
#define UXDP_LOAD_F_PIN (1u << 0)              /* keep after this connection closes, until PROG_UNLOAD */
#define UXDP_LOAD_F_RECREATE_MAPS (1u << 1)    /* a map of another shape is made anew (contents lost) */
#define UXDP_LOAD_F_TRUST_UNVERIFIED (1u << 2) /* compiling: uxdpc --trust-unverified */
#define UXDP_LOAD_F_NO_CACHE (1u << 3)         /* compiling: do not use or fill the cache */
#define UXDP_LOAD_F_OWN_DATA (1u << 4)         /* 1.2: the writable global data it binds goes with it */
/* 1.2: held by a program reference in the reply (+ fd), not by this connection */
#define UXDP_LOAD_F_REF (1u << 5)
#define UXDP_LOAD_F_ALL (UXDP_LOAD_F_PIN | UXDP_LOAD_F_RECREATE_MAPS | \
			 UXDP_LOAD_F_TRUST_UNVERIFIED | UXDP_LOAD_F_NO_CACHE | \
			 UXDP_LOAD_F_OWN_DATA | UXDP_LOAD_F_REF)

struct uxdp_dmsg_load {
	uint32_t flags;                /* UXDP_LOAD_F_* */
	uint32_t opt_level;            /* uxdpc -O for a BPF object: 0..3; 0xffffffff: default (2) */
	char path[UXDP_DPATH_LEN];     /* absolute path the daemon opens; "": the passed fd */
	char prog[UXDP_DNAME_LEN];     /* program name; "": the object's only XDP program */
};

struct uxdp_dmsg_id {
	uint32_t id;
};

/* ATTACH flags. */
#define UXDP_ATTACH_F_REPLACE (1u << 0) /* a port with a program gets this one (else -EBUSY) */
#define UXDP_ATTACH_F_LINK (1u << 1)    /* ATTACH as a link (one port, free): reply struct uxdp_dmsg_id */
#define UXDP_ATTACH_F_ALL (UXDP_ATTACH_F_REPLACE | UXDP_ATTACH_F_LINK)

/*
 * ATTACH: prog_id on port ifindex (0: every port).  DETACH: ifindex (0:
 * every port running prog_id); prog_id 0 or the program expected there.
 * REPLACE: prog_id replaces old_prog_id (0: whatever runs) on ifindex (0:
 * every port that runs old_prog_id, or every port with a program).
 * A port attached with UXDP_ATTACH_F_LINK is held by that link: REPLACE
 * (and ATTACH with UXDP_ATTACH_F_REPLACE) there is -EBUSY unless link_id
 * names the link, and REPLACE or DETACH naming a link that no longer holds
 * ifindex is -ENOLINK.  A DETACH without link_id ends the link (uxdpctl).
 */
struct uxdp_dmsg_attach {
	uint32_t prog_id;
	uint32_t ifindex;
	uint32_t old_prog_id;
	uint32_t flags;   /* UXDP_ATTACH_F_* */
	uint32_t link_id; /* revision 1.1: REPLACE/DETACH through this link (0: none) */
};

/*
 * LINK_INFO: the program a link runs (its last one once detached) and its
 * port's ifindex (0: detached).  A link exists while a descriptor (a
 * reference from PROG_ATTACH or LINK_OPEN) or a pin holds it.
 */
struct uxdp_dmsg_link_info {
	uint32_t id;
	uint32_t prog_id;
	uint32_t ifindex;
	uint32_t flags;                /* UXDP_LINK_INFO_F_* */
};
#define UXDP_LINK_INFO_F_PINNED (1u << 0)

/*
 * PIN: the descriptor passed with the request (O_PATH of the pin's file,
 * a symbolic link on a bpf file system) holds the program or link while
 * that file has a name (st_nlink > 0): rm of the pin unpins, as the
 * kernel's bpffs.
 */
#define UXDP_PIN_PROG 1
#define UXDP_PIN_LINK 2
struct uxdp_dmsg_pin {
	uint32_t kind;                 /* UXDP_PIN_PROG or UXDP_PIN_LINK */
	uint32_t id;                   /* the program's or link's id */
};

/* The abstract socket name of a link reference: "uxdp-link:<instance>:<link id>:<nonce>". */
#define UXDP_LINK_REF_PREFIX "uxdp-link:"
/* And of a program reference: "uxdp-prog:<instance>:<program id>:<nonce>". */
#define UXDP_PROG_REF_PREFIX "uxdp-prog:"

/* LIST flags. */
#define UXDP_LIST_F_RELEASED (1u << 0) /* also versions that were released (their counters stay) */

struct uxdp_dmsg_list {
	uint32_t flags;
};

/* prog_info flags. */
#define UXDP_PROG_INFO_F_PINNED (1u << 0)
#define UXDP_PROG_INFO_F_RELEASED (1u << 1) /* no longer loaded: an old version */
#define UXDP_PROG_INFO_F_COMPILED (1u << 2) /* loaded from a BPF object, compiled on load */
#define UXDP_PROG_INFO_F_CACHED (1u << 3)   /* ... and the compiled object came from the cache */
#define UXDP_PROG_INFO_F_GPL (1u << 4)      /* revision 1.2: its BPF object's license is GPL-compatible */

struct uxdp_dmsg_prog_info {
	uint32_t id;                   /* unique in the daemon's life: a program version */
	uint32_t flags;                /* UXDP_PROG_INFO_F_* */
	uint8_t tag[8];                /* hash of the compiled object and the program's name */
	char name[UXDP_DNAME_LEN];     /* the program's function name */
	char object[256];              /* the file it was loaded from (last 255 bytes of the path) */
	uint64_t load_time_ns;         /* CLOCK_REALTIME */
	uint64_t release_time_ns;      /* CLOCK_REALTIME, 0 while loaded */
	uint32_t n_attached;
	uint32_t attached[UXDP_DMAX_ATTACH]; /* ifindexes of the ports that run it */
	uint32_t confinement;          /* UXDP_CONFINE_* of the compiled program (0: unconfined) */
	uint64_t packets[UXDP_DN_VERDICTS];  /* frames this version returned each verdict for */
	uint64_t bytes[UXDP_DN_VERDICTS];
	/* Revision 1.1 (a daemon of revision 1.0 sends the reply without these). */
	uint32_t attached_link[UXDP_DMAX_ATTACH]; /* the link holding attached[i], 0: none */
	uint32_t n_map_ids;            /* the instance's ids of the object's maps */
	uint32_t map_ids[UXDP_DMAX_MAP_IDS];
};
/* The reply's size in revision 1.0, the shortest a client accepts. */
#define UXDP_DMSG_PROG_INFO_V1_0 offsetof(struct uxdp_dmsg_prog_info, attached_link)

/*
 * PROG_OBJECT (revision 1.2): the object a loaded version came from, as the
 * loader gave it (a BPF object, or one uxdpc compiled), in a sealed memfd
 * passed with the reply, and how it was loaded, so that a client can run
 * the same program itself on the instance's maps (the bpf() layer's
 * BPF_PROG_TEST_RUN of a program another process loaded).
 */
struct uxdp_dmsg_prog_object {
	uint32_t id;
	uint32_t load_flags;           /* the PROG_LOAD's UXDP_LOAD_F_* */
	uint32_t opt_level;            /* the PROG_LOAD's (0xffffffff: default) */
	uint32_t reserved;
	uint64_t size;                 /* bytes in the memfd */
	char name[UXDP_DNAME_LEN];     /* the program's function name */
};

struct uxdp_dmsg_port {
	uint32_t ifindex;
	uint32_t prog_id;              /* 0: nothing attached (frames pass) */
	char name[16];                 /* interface name, "" if none (DPDK vdevs, pcap) */
};

#endif /* UXDP_DAEMON_PROTO_H */
