// SPDX-License-Identifier: MIT
/*
 * dynptr.c - dynamic pointers: the helpers bpf_dynptr_from_mem,
 * bpf_ringbuf_reserve_dynptr / submit_dynptr / discard_dynptr,
 * bpf_dynptr_read / write / data, and the kfuncs bpf_dynptr_from_xdp,
 * bpf_dynptr_slice / slice_rdwr, adjust, is_null, is_rdonly, size, clone,
 * copy and memset, with Linux 6.18's checks in its order and its errno
 * (kernel/bpf/helpers.c, net/core/filter.c, kernel/bpf/ringbuf.c).
 *
 * A dynptr is the program's 16-byte struct bpf_dynptr on its stack, laid
 * out as the kernel's struct bpf_dynptr_kern: the memory, the size (low 24
 * bits, the type in bits 28-30, read-only in bit 31) and an offset that
 * bpf_dynptr_adjust moves.  A null dynptr is all zeroes.  The verifier
 * keeps the program from writing it any other way, so the helpers trust
 * what they find there (confinement without the kernel refuses dynptrs).
 *
 * A packet dynptr holds the ctx, not the packet: as the kernel's holds the
 * xdp_buff, every access is an offset from the packet's data at the time
 * of the access, checked against the frame as it is then, while its size
 * is the frame's length when it was made.  After bpf_xdp_adjust_head or
 * _tail it keeps its old size, and accesses past the moved frame fail as
 * they fail in the kernel.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <uxdp/ctx.h>
#include <uxdp/map.h>

#include "helpers_impl.h"
#include "xdp_buf.h"

struct dynptr {
	uint8_t *data; /* the memory; the ctx for a packet dynptr; NULL: null */
	uint32_t size; /* DYNPTR_SIZE_MASK | type << DYNPTR_TYPE_SHIFT | DYNPTR_RDONLY_BIT */
	uint32_t offset;
};
_Static_assert(sizeof(struct dynptr) == 16, "struct bpf_dynptr is 16 bytes");

#define DYNPTR_MAX_SIZE ((1u << 24) - 1)
#define DYNPTR_SIZE_MASK 0xffffffu
#define DYNPTR_TYPE_SHIFT 28
#define DYNPTR_RDONLY_BIT (1u << 31)
/* Buffer of bpf_dynptr_copy and _memset when no slice reaches (the kernel's 256). */
#define DYNPTR_CHUNK 256

enum dynptr_type { DYNPTR_INVALID, DYNPTR_LOCAL, DYNPTR_RINGBUF, DYNPTR_SKB, DYNPTR_XDP };

#define DP(x) ((struct dynptr *)(uintptr_t)(x))

static inline uint32_t dp_size(const struct dynptr *p)
{
	return p->size & DYNPTR_SIZE_MASK;
}

static inline enum dynptr_type dp_type(const struct dynptr *p)
{
	return (enum dynptr_type)((p->size & ~DYNPTR_RDONLY_BIT) >> DYNPTR_TYPE_SHIFT);
}

static inline bool dp_rdonly(const struct dynptr *p)
{
	return p->size & DYNPTR_RDONLY_BIT;
}

static inline void dp_init(struct dynptr *p, void *data, enum dynptr_type type, uint32_t size)
{
	p->data = data;
	p->offset = 0;
	p->size = size | (uint32_t)type << DYNPTR_TYPE_SHIFT;
}

static inline void dp_set_null(struct dynptr *p)
{
	memset(p, 0, sizeof(*p));
}

/* bpf_dynptr_check_off_len(): against the size the dynptr holds, without overflow. */
static inline int dp_check_off_len(const struct dynptr *p, uint32_t off, uint32_t len)
{
	uint32_t size = dp_size(p);

	return len > size || off > size - len ? -E2BIG : 0;
}

static inline const struct uxdp_ctx *dp_ctx(const struct dynptr *p)
{
	return (const struct uxdp_ctx *)p->data;
}

/* __bpf_xdp_load_bytes / __bpf_xdp_store_bytes: bpf_xdp_pointer's errors, else a copy. */
static int xdp_bytes(const struct dynptr *p, uint32_t off, uint8_t *buf, uint32_t len,
		     bool to_frame)
{
	int err = 0;
	uint8_t *at = uxdp_xdp_pointer(dp_ctx(p), p->offset + off, len, &err);

	if (!at)
		return -err;
	if (to_frame)
		memmove(at, buf, len);
	else
		memmove(buf, at, len);
	return 0;
}

/* __bpf_dynptr_read(): dst is left as it was on every error. */
static int dp_read(uint8_t *dst, uint32_t len, const struct dynptr *src, uint32_t off,
		   uint64_t flags)
{
	int err;

	if (!src->data || flags)
		return -EINVAL;
	err = dp_check_off_len(src, off, len);
	if (err)
		return err;
	switch (dp_type(src)) {
	case DYNPTR_LOCAL:
	case DYNPTR_RINGBUF:
		memmove(dst, src->data + src->offset + off, len);
		return 0;
	case DYNPTR_XDP:
		return xdp_bytes(src, off, dst, len, false);
	default:
		return -EFAULT;
	}
}

/* __bpf_dynptr_write(): the bounds before the flags, as the kernel checks them. */
static int dp_write(const struct dynptr *dst, uint32_t off, const uint8_t *src, uint32_t len,
		    uint64_t flags)
{
	int err;

	if (!dst->data || dp_rdonly(dst))
		return -EINVAL;
	err = dp_check_off_len(dst, off, len);
	if (err)
		return err;
	if (flags)
		return -EINVAL; /* only the kernel's skb dynptrs take flags */
	switch (dp_type(dst)) {
	case DYNPTR_LOCAL:
	case DYNPTR_RINGBUF:
		memmove(dst->data + dst->offset + off, src, len);
		return 0;
	case DYNPTR_XDP:
		return xdp_bytes(dst, off, (uint8_t *)src, len, true);
	default:
		return -EFAULT;
	}
}

/*
 * bpf_dynptr_slice(): memory the program may read len bytes at, or NULL.
 * In a packet: the packet itself; a range bpf_xdp_pointer refuses (past
 * the frame as it is now, or above 0xffff) goes through the buffer, with
 * what of it the frame has.
 */
static uint8_t *dp_slice(const struct dynptr *p, uint32_t off, uint8_t *buf, uint32_t len)
{
	uint8_t *at;
	int err = 0;

	if (!p->data || dp_check_off_len(p, off, len))
		return NULL;
	switch (dp_type(p)) {
	case DYNPTR_LOCAL:
	case DYNPTR_RINGBUF:
		return p->data + p->offset + off;
	case DYNPTR_XDP:
		at = uxdp_xdp_pointer(dp_ctx(p), p->offset + off, len, &err);
		if (at || !buf)
			return at;
		uxdp_xdp_copy_buf(dp_ctx(p), p->offset + off, buf, len, false);
		return buf;
	default:
		return NULL;
	}
}

static uint8_t *dp_slice_rdwr(const struct dynptr *p, uint32_t off, uint8_t *buf, uint32_t len)
{
	if (!p->data || dp_rdonly(p))
		return NULL;
	return dp_slice(p, off, buf, len);
}

uint64_t uxdp_helper_dynptr_from_mem(uint64_t data, uint64_t size64, uint64_t flags, uint64_t ptr)
{
	uint32_t size = (uint32_t)size64;

	if (size > DYNPTR_MAX_SIZE) {
		dp_set_null(DP(ptr));
		return UXDP_ERR(E2BIG);
	}
	if (flags) {
		dp_set_null(DP(ptr));
		return UXDP_ERR(EINVAL);
	}
	dp_init(DP(ptr), (void *)(uintptr_t)data, DYNPTR_LOCAL, size);
	return 0;
}

/* A record the ring cannot hold is -EINVAL, not -EAGAIN, as in the kernel. */
uint64_t uxdp_helper_ringbuf_reserve_dynptr(uint64_t map, uint64_t size64, uint64_t flags,
					    uint64_t ptr)
{
	uint32_t size = (uint32_t)size64;
	void *rec;

	if (flags) {
		dp_set_null(DP(ptr));
		return UXDP_ERR(EINVAL);
	}
	if (size > DYNPTR_MAX_SIZE) {
		dp_set_null(DP(ptr));
		return UXDP_ERR(E2BIG);
	}
	rec = uxdp_ringbuf_reserve((struct uxdp_map *)(uintptr_t)map, size, 0);
	if (!rec) {
		dp_set_null(DP(ptr));
		return UXDP_ERR(EINVAL);
	}
	dp_init(DP(ptr), rec, DYNPTR_RINGBUF, size);
	return 0;
}

/* submit and discard: nothing for a null dynptr (a failed reserve); the dynptr ends null. */
uint64_t uxdp_helper_ringbuf_submit_dynptr(uint64_t ptr, uint64_t flags)
{
	if (DP(ptr)->data)
		uxdp_ringbuf_submit(DP(ptr)->data, flags);
	dp_set_null(DP(ptr));
	return 0;
}

uint64_t uxdp_helper_ringbuf_discard_dynptr(uint64_t ptr, uint64_t flags)
{
	if (DP(ptr)->data)
		uxdp_ringbuf_discard(DP(ptr)->data, flags);
	dp_set_null(DP(ptr));
	return 0;
}

uint64_t uxdp_helper_dynptr_read(uint64_t dst, uint64_t len, uint64_t src, uint64_t off,
				 uint64_t flags)
{
	return (uint64_t)(int64_t)dp_read((uint8_t *)(uintptr_t)dst, (uint32_t)len, DP(src),
					  (uint32_t)off, flags);
}

uint64_t uxdp_helper_dynptr_write(uint64_t dst, uint64_t off, uint64_t src, uint64_t len,
				  uint64_t flags)
{
	return (uint64_t)(int64_t)dp_write(DP(dst), (uint32_t)off,
					   (const uint8_t *)(uintptr_t)src, (uint32_t)len, flags);
}

/* bpf_dynptr_data(): memory dynptrs only; the packet is reached through slices. */
uint64_t uxdp_helper_dynptr_data(uint64_t ptr, uint64_t off64, uint64_t len64)
{
	const struct dynptr *p = DP(ptr);
	uint32_t off = (uint32_t)off64;

	if (!p->data || dp_check_off_len(p, off, (uint32_t)len64) || dp_rdonly(p))
		return 0;
	if (dp_type(p) != DYNPTR_LOCAL && dp_type(p) != DYNPTR_RINGBUF)
		return 0;
	return (uint64_t)(uintptr_t)(p->data + p->offset + off);
}

uint64_t uxdp_kfunc_bpf_dynptr_from_xdp(uint64_t ctx, uint64_t flags, uint64_t ptr)
{
	if (flags) {
		dp_set_null(DP(ptr));
		return UXDP_ERR(EINVAL);
	}
	dp_init(DP(ptr), (void *)(uintptr_t)ctx, DYNPTR_XDP,
		uxdp_xdp_len((const struct uxdp_ctx *)(uintptr_t)ctx));
	return 0;
}

uint64_t uxdp_kfunc_bpf_dynptr_slice(uint64_t ptr, uint64_t off, uint64_t buf, uint64_t len)
{
	return (uint64_t)(uintptr_t)dp_slice(DP(ptr), (uint32_t)off, (uint8_t *)(uintptr_t)buf,
					     (uint32_t)len);
}

uint64_t uxdp_kfunc_bpf_dynptr_slice_rdwr(uint64_t ptr, uint64_t off, uint64_t buf, uint64_t len)
{
	return (uint64_t)(uintptr_t)dp_slice_rdwr(DP(ptr), (uint32_t)off,
						  (uint8_t *)(uintptr_t)buf, (uint32_t)len);
}

/* bpf_dynptr_adjust(): a failed adjust leaves the dynptr as it was. */
uint64_t uxdp_kfunc_bpf_dynptr_adjust(uint64_t ptr, uint64_t start64, uint64_t end64)
{
	struct dynptr *p = DP(ptr);
	uint32_t start = (uint32_t)start64, end = (uint32_t)end64;

	if (!p->data || start > end)
		return UXDP_ERR(EINVAL);
	if (start > dp_size(p) || end > dp_size(p))
		return UXDP_ERR(ERANGE);
	p->offset += start;
	p->size = (end - start) | (p->size & ~DYNPTR_SIZE_MASK);
	return 0;
}

uint64_t uxdp_kfunc_bpf_dynptr_is_null(uint64_t ptr)
{
	return !DP(ptr)->data;
}

uint64_t uxdp_kfunc_bpf_dynptr_is_rdonly(uint64_t ptr)
{
	return DP(ptr)->data && dp_rdonly(DP(ptr));
}

/* bpf_dynptr_size(): a null dynptr's is -EINVAL as a u32, as the kernel returns it. */
uint64_t uxdp_kfunc_bpf_dynptr_size(uint64_t ptr)
{
	return DP(ptr)->data ? dp_size(DP(ptr)) : (uint32_t)-EINVAL;
}

uint64_t uxdp_kfunc_bpf_dynptr_clone(uint64_t ptr, uint64_t clone)
{
	if (!DP(ptr)->data) {
		dp_set_null(DP(clone));
		return UXDP_ERR(EINVAL);
	}
	*DP(clone) = *DP(ptr);
	return 0;
}

/*
 * bpf_dynptr_copy(): through slices where both sides have one, else
 * through one side's slice, else in chunks of a buffer; a failing chunk
 * leaves the ones before it copied, as in the kernel.
 */
uint64_t uxdp_kfunc_bpf_dynptr_copy(uint64_t dst64, uint64_t doff64, uint64_t src64,
				    uint64_t soff64, uint64_t size64)
{
	struct dynptr *dst = DP(dst64), *src = DP(src64);
	uint32_t doff = (uint32_t)doff64, soff = (uint32_t)soff64, n = (uint32_t)size64;
	uint8_t *s = dp_slice(src, soff, NULL, n), *d = dp_slice_rdwr(dst, doff, NULL, n);
	uint8_t buf[DYNPTR_CHUNK];
	int err = 0;

	if (s && d) {
		memmove(d, s, n);
		return 0;
	}
	if (s)
		return (uint64_t)(int64_t)dp_write(dst, doff, s, n, 0);
	if (d)
		return (uint64_t)(int64_t)dp_read(d, n, src, soff, 0);
	if (dp_check_off_len(dst, doff, n) || dp_check_off_len(src, soff, n))
		return UXDP_ERR(E2BIG);
	for (uint32_t o = 0; o < n && !err; o += DYNPTR_CHUNK) {
		uint32_t chunk = n - o < DYNPTR_CHUNK ? n - o : DYNPTR_CHUNK;

		err = dp_read(buf, chunk, src, soff + o, 0);
		if (!err)
			err = dp_write(dst, doff + o, buf, chunk, 0);
	}
	return (uint64_t)(int64_t)err;
}

/* bpf_dynptr_memset(): as copy, through a slice or in chunks of a filled buffer. */
uint64_t uxdp_kfunc_bpf_dynptr_memset(uint64_t ptr, uint64_t off64, uint64_t size64,
				      uint64_t val)
{
	struct dynptr *p = DP(ptr);
	uint32_t off = (uint32_t)off64, n = (uint32_t)size64;
	uint8_t *s = dp_slice_rdwr(p, off, NULL, n), buf[DYNPTR_CHUNK];
	int err;

	if (s) {
		memset(s, (uint8_t)val, n);
		return 0;
	}
	if (dp_rdonly(p))
		return UXDP_ERR(EINVAL);
	err = dp_check_off_len(p, off, n);
	memset(buf, (uint8_t)val, n < DYNPTR_CHUNK ? n : DYNPTR_CHUNK);
	for (uint32_t o = 0; o < n && !err; o += DYNPTR_CHUNK)
		err = dp_write(p, off + o, buf, n - o < DYNPTR_CHUNK ? n - o : DYNPTR_CHUNK, 0);
	return (uint64_t)(int64_t)err;
}
