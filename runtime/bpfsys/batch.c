// SPDX-License-Identifier: MIT
/*
 * batch.c - BPF_MAP_LOOKUP_BATCH, _LOOKUP_AND_DELETE_BATCH, _UPDATE_BATCH
 * and _DELETE_BATCH on uxdp maps, with the kernel's operations per type:
 *
 *  - arrays and LPM tries have the kernel's generic ones: a lookup walks
 *    with get-next-key from the key in in_batch and leaves the last key
 *    returned in out_batch; update and delete go key by key and stop at the
 *    first error, count saying how many were done.  Arrays have no delete
 *    or lookup-and-delete batch (ENOTSUPP), as in the kernel.
 *  - the hash types have all four.  The kernel's token is a bucket number,
 *    opaque to callers; ours is a u32 too, the number of keys of the walk
 *    already returned (a lookup-and-delete removes what it returns, so its
 *    token stays where it was).  As in the kernel, the call that reaches the
 *    end says ENOENT, with the elements it found counted.
 *  - other types: ENOTSUPP (the kernel has batches for a few more, e.g.
 *    hash-of-maps lookups; not served here yet).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfsys.h"

#define COUNT_OFF offsetof(union bpf_attr, batch.count)
#define LOOKUP_RETRIES 3 /* the kernel's MAP_LOOKUP_RETRIES: a key deleted under the walk */

static bool is_hash(uint32_t type)
{
	return type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static bool is_generic(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LPM_TRIE;
}

static bool has_op(uint32_t type, int cmd)
{
	switch (cmd) {
	case BPF_MAP_LOOKUP_BATCH:
	case BPF_MAP_UPDATE_BATCH:
		return is_hash(type) || is_generic(type);
	case BPF_MAP_DELETE_BATCH:
		return is_hash(type) || type == BPF_MAP_TYPE_LPM_TRIE;
	case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
		return is_hash(type);
	}
	return false;
}

/* Working buffers of one call. */
struct batch {
	struct bpfsys_call *c;
	struct bpfsys_map m;
	struct values v;
	void *key, *prev;
	uint32_t ks, max;
};

static int put_count(struct batch *b, uint32_t n)
{
	return bpfsys_copy_out((uintptr_t)b->c->uattr + COUNT_OFF, &n, sizeof(n));
}

/* Element i of the caller's keys/values arrays. */
static uint64_t ukey(struct batch *b, uint32_t i)
{
	return b->c->attr.batch.keys + (uint64_t)i * b->ks;
}

static uint64_t uvalue(struct batch *b, uint32_t i)
{
	return b->c->attr.batch.values + (uint64_t)i * b->v.user_bytes;
}

/* Key and value of element i out to the caller. */
static int put_elem(struct batch *b, uint32_t i)
{
	int err = bpfsys_copy_out(ukey(b, i), b->key, b->ks);

	return err ?: bpfsys_value_out(&b->m, &b->v, uvalue(b, i));
}

/* The kernel's generic_map_lookup_batch. */
static int generic_lookup(struct batch *b)
{
	uint64_t in = b->c->attr.batch.in_batch;
	uint32_t cp = 0, retry = LOOKUP_RETRIES;
	bool have_prev = false;
	int err = 0;

	if (in) {
		err = bpfsys_copy_in(b->prev, in, b->ks);
		if (err)
			return err;
		have_prev = true;
	}
	while (cp < b->max) {
		err = bpfsys_kernel_errno(
		    uxdp_map_get_next_key(b->m.map, have_prev ? b->prev : NULL, b->key));
		if (err)
			break;
		err = bpfsys_kernel_errno(uxdp_map_lookup_elem_copy(b->m.map, b->key, b->v.ux));
		if (err == -ENOENT) {
			if (retry--)
				continue;
			err = -EINTR;
			break;
		}
		err = err ?: put_elem(b, cp);
		if (err)
			return err;
		memcpy(b->prev, b->key, b->ks);
		have_prev = true;
		retry = LOOKUP_RETRIES;
		cp++;
	}
	if (put_count(b, cp) || (cp && bpfsys_copy_out(b->c->attr.batch.out_batch, b->prev, b->ks)))
		return -EFAULT;
	return err;
}

/* Hash lookup (and delete): the first max keys after skipping *token of them. */
static int hash_lookup(struct batch *b, bool delete)
{
	uint64_t in = b->c->attr.batch.in_batch;
	uint32_t token = 0, skip, cp = 0;
	bool have_prev = false;
	int err = 0;

	if (in && bpfsys_copy_in(&token, in, sizeof(token)))
		return -EFAULT;
	for (skip = token; !err && skip > 0; skip--) {
		err = uxdp_map_get_next_key(b->m.map, have_prev ? b->prev : NULL, b->key);
		memcpy(b->prev, b->key, b->ks);
		have_prev = true;
	}
	while (!err && cp < b->max) {
		err = uxdp_map_get_next_key(b->m.map, have_prev ? b->prev : NULL, b->key);
		if (err)
			break;
		memcpy(b->prev, b->key, b->ks);
		have_prev = true;
		err = delete ? uxdp_map_lookup_and_delete_elem(b->m.map, b->key, b->v.ux)
			     : uxdp_map_lookup_elem_copy(b->m.map, b->key, b->v.ux);
		if (err == -ENOENT) { /* gone under the walk: not counted, go on */
			err = 0;
			continue;
		}
		err = err ?: put_elem(b, cp);
		if (err)
			return bpfsys_kernel_errno(err);
		cp++;
	}
	/* After a delete the walk restarts from the front: what it returned is gone. */
	token = delete ? token : token + cp;
	if (put_count(b, cp) || bpfsys_copy_out(b->c->attr.batch.out_batch, &token, sizeof(token)))
		return -EFAULT;
	return bpfsys_kernel_errno(err);
}

/* The kernel's generic_map_update_batch / generic_map_delete_batch. */
static int generic_write(struct batch *b, bool delete)
{
	uint32_t cp;
	int err = 0;

	for (cp = 0; cp < b->max; cp++) {
		err = bpfsys_copy_in(b->key, ukey(b, cp), b->ks);
		if (!err && !delete)
			err = bpfsys_value_in(&b->m, &b->v, uvalue(b, cp));
		if (err)
			break;
		err = delete ? uxdp_map_delete_elem(b->m.map, b->key)
			     : uxdp_map_update_elem(b->m.map, b->key, b->v.ux,
						    b->c->attr.batch.elem_flags);
		err = bpfsys_kernel_errno(err);
		if (err)
			break;
	}
	return put_count(b, cp) ? -EFAULT : err;
}

static int run(struct batch *b)
{
	switch (b->c->cmd) {
	case BPF_MAP_LOOKUP_BATCH:
		return is_hash(b->m.info.type) ? hash_lookup(b, false) : generic_lookup(b);
	case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
		return hash_lookup(b, true);
	case BPF_MAP_UPDATE_BATCH:
		return generic_write(b, false);
	default:
		return generic_write(b, true);
	}
}

long bpfsys_map_batch(struct bpfsys_call *c)
{
	bool reads = c->cmd == BPF_MAP_LOOKUP_BATCH || c->cmd == BPF_MAP_LOOKUP_AND_DELETE_BATCH;
	bool writes = c->cmd != BPF_MAP_LOOKUP_BATCH;
	struct batch b = {.c = c};
	int r;

	if (!bpfsys_attr_zero_from(c, ATTR_END(batch.flags)))
		return -EINVAL;
	r = bpfsys_fd_map((int)c->attr.batch.map_fd, &b.m);
	if (r <= 0)
		return r < 0 ? r : bpfsys_kernel(c);
	if ((reads && !bpfsys_can_read(&b.m)) || (writes && !bpfsys_can_write(&b.m)))
		return -EPERM;
	if (!has_op(b.m.info.type, c->cmd))
		return -ENOTSUPP;
	/*
	 * elem_flags: BPF_F_LOCK or nothing, and BPF_F_LOCK needs a
	 * bpf_spin_lock in the value, which uxdp does not report here.  The
	 * hash lookups take no flags.
	 */
	if (c->attr.batch.elem_flags)
		return -EINVAL;
	if (c->attr.batch.flags && is_hash(b.m.info.type) && reads)
		return -EINVAL;
	b.max = c->attr.batch.count;
	if (!b.max)
		return 0;
	if (put_count(&b, 0))
		return -EFAULT;
	b.ks = b.m.info.key_size;
	b.key = malloc(b.ks);
	b.prev = malloc(b.ks);
	r = b.key && b.prev ? bpfsys_values_alloc(&b.m, &b.v) : -ENOMEM;
	if (!r) {
		r = run(&b);
		bpfsys_values_free(&b.v);
	}
	free(b.key);
	free(b.prev);
	return r;
}
