/* SPDX-License-Identifier: MIT */
/*
 * xsk_ring.h - where an XDP_REDIRECT into an xskmap goes: a per-slot packet
 * ring in shared memory, read by a consumer process.
 *
 * In the kernel an xskmap slot holds an AF_XDP socket, and a redirect into
 * it copies (or hands over) the frame to that socket's RX ring, for a
 * userspace consumer.  uxdp has no sockets: the consumer is another process
 * (`uxdpctl xsk read`, or anything using uxdp_xsk_ring_consume()), and the
 * RX ring is a shared-memory object per slot:
 *
 *	/dev/shm/uxdp-xsk.<instance>.<map>.<slot>
 *
 * outside the uxdp.<instance>. prefix of the maps, so map listings do not
 * see it.  The driver creates it on the first frame for that slot; it
 * outlives the run like the maps do, until uxdp_xsk_ring_unlink_instance()
 * (`uxdpctl instance delete`, `map cleanup`).
 *
 * What an xskmap value means in uxdp: the u32 written by the control plane
 * stands for the socket.  A slot that holds a non-zero value is "bound" and
 * receives frames; an empty slot makes bpf_redirect_map() return its
 * fallback action, as a slot without a socket does in the kernel; a slot
 * that holds 0 is a socket that is not bound (to this queue): the program
 * gets XDP_REDIRECT, and the driver drops the frame, as the kernel's
 * xsk_rcv() fails with -EINVAL and xdp_do_redirect() drops it.
 *
 * Each ring has UXDP_XSK_RING_SLOTS frames of at most UXDP_XSK_FRAME_MAX
 * bytes.  A frame that finds the ring full, or is too big, is dropped and
 * counted in the ring's "dropped" counter, as an AF_XDP RX ring overflow
 * (rx_ring_full / rx_dropped).  Producers (any worker of any process) take
 * the ring's lock; there is one consumer, which moves the tail.
 *
 * Errors: 0 or a negative errno; nothing here prints or exits.
 */
#ifndef UXDP_XSK_RING_H
#define UXDP_XSK_RING_H

#include <stdbool.h>
#include <stdint.h>

#include <uxdp/map.h>

#define UXDP_XSK_RING_SLOTS 256
#define UXDP_XSK_SLOT_SIZE 4096
#define UXDP_XSK_FRAME_MAX (UXDP_XSK_SLOT_SIZE - 16) /* a 16-byte record header per slot */

struct uxdp_xsk_ring;

/*
 * Open the ring of slot index of map in instance (NULL: "default").  With
 * create, a missing ring is created empty; without, -ENOENT.  -EPROTO if
 * the object is not a ring of this layout.
 */
int uxdp_xsk_ring_open(const char *instance, const char *map, uint32_t index, bool create,
		       struct uxdp_xsk_ring **out);
/* NULL is allowed. */
void uxdp_xsk_ring_close(struct uxdp_xsk_ring *r);
/* Remove one ring; -ENOENT if there is none. */
int uxdp_xsk_ring_unlink(const char *instance, const char *map, uint32_t index);
/* Remove every ring of instance (0 if there were none). */
int uxdp_xsk_ring_unlink_instance(const char *instance);

/*
 * Append one frame with its timestamp (ns since the epoch).  -ENOBUFS if the
 * ring is full, -EMSGSIZE if len > UXDP_XSK_FRAME_MAX; both count as dropped.
 */
int uxdp_xsk_ring_produce(struct uxdp_xsk_ring *r, const void *data, uint32_t len,
			  uint64_t ts_ns);

/*
 * Call cb for every frame in the ring, oldest first, and consume it.  A
 * negative return from cb stops after that frame (which stays consumed) and
 * is returned; otherwise the number of frames.  One consumer at a time.
 */
typedef int (*uxdp_xsk_cb)(void *arg, const void *data, uint32_t len, uint64_t ts_ns);
int uxdp_xsk_ring_consume(struct uxdp_xsk_ring *r, uxdp_xsk_cb cb, void *arg);

/* Frames ever delivered to the ring, and dropped at it (full, too big). */
void uxdp_xsk_ring_counters(const struct uxdp_xsk_ring *r, uint64_t *delivered,
			    uint64_t *dropped);

/*
 * What a redirect into an xskmap does with a frame (find the slot's ring,
 * produce into it) is the datapath's: uxdp_xsk_deliver() in uxdp/datapath.h.
 */

#endif /* UXDP_XSK_RING_H */
