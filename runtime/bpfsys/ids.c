// SPDX-License-Identifier: MIT
/*
 * ids.c - the map id space and map info: BPF_MAP_GET_NEXT_ID,
 * BPF_MAP_GET_FD_BY_ID, BPF_OBJ_GET_INFO_BY_FD; and the next-id answer the
 * program and link id walks share (progids.c, linkids.c).
 *
 * Under the wrapper, map ids are the ids of uxdp's instance (the ones
 * uxdpctl shows), and only its maps are listed: a kernel map id means
 * nothing here.  Kernel maps stay reachable through their pinned paths and
 * fds, which pass through.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "bpfsys.h"

struct next_id {
	uint32_t after, best;
	char name[UXDP_MAP_NAME_LEN];
};

static int next_id_cb(const struct uxdp_map_info *info, void *arg)
{
	struct next_id *n = arg;

	if (info->id > n->after && (!n->best || info->id < n->best)) {
		n->best = info->id;
		memcpy(n->name, info->name, sizeof(n->name));
	}
	return 0;
}

/* The map of the instance with the smallest id above after; -ENOENT if none. */
static int find_next(uint32_t after, struct next_id *n)
{
	int err;

	memset(n, 0, sizeof(*n));
	n->after = after;
	err = uxdp_map_list(bpfsys_instance(), next_id_cb, n);
	/*
	 * A segment we may not open (another user's, damaged) is left out of
	 * the walk, as the kernel lists only what exists: said once, the rest
	 * still listed.
	 */
	if (err && err != -ENOENT) {
		const char *why = uxdp_map_last_error();

		if (err == -EINVAL)
			why = "UXDP_INSTANCE is not an instance name ([A-Za-z0-9_-], < 32)";
		bpfsys_say_once(BPF_MAP_GET_NEXT_ID, why ? why : "a map segment was refused");
	}
	return n->best ? 0 : -ENOENT;
}

long bpfsys_next_id_out(const struct bpfsys_call *c, const uint32_t *ids, size_t n)
{
	uint32_t best = 0;

	for (size_t i = 0; i < n; i++)
		if (ids[i] > c->attr.start_id && (!best || ids[i] < best))
			best = ids[i];
	if (!best)
		return -ENOENT;
	return bpfsys_copy_out((uintptr_t)c->uattr + offsetof(union bpf_attr, next_id), &best,
			       sizeof(best));
}

long bpfsys_map_get_next_id(struct bpfsys_call *c)
{
	struct next_id n;
	int err;

	if (!bpfsys_attr_zero_from(c, ATTR_END(next_id)))
		return -EINVAL;
	err = find_next(c->attr.start_id, &n);
	err = err
		  ?: bpfsys_copy_out((uintptr_t)c->uattr + offsetof(union bpf_attr, next_id),
				     &n.best, sizeof(n.best));
	return err;
}

long bpfsys_map_get_fd_by_id(struct bpfsys_call *c)
{
	int mode = bpfsys_open_mode(c->attr.open_flags);
	struct next_id n;
	int err;

	if (!bpfsys_attr_zero_from(c, ATTR_END(open_flags)))
		return -EINVAL;
	if (mode < 0)
		return mode;
	if (c->attr.map_id == 0)
		return -ENOENT;
	err = find_next(c->attr.map_id - 1, &n);
	if (err || n.best != c->attr.map_id)
		return -ENOENT;
	return bpfsys_fd_open(bpfsys_instance(), n.name, mode);
}

static void fill_info(const struct bpfsys_map *m, struct bpf_map_info *k)
{
	const struct uxdp_map_info *u = &m->info;
	struct bpfsys_btf btf;

	bpfsys_map_btf(m, &btf);
	memset(k, 0, sizeof(*k));
	k->btf_id = btf.btf_id;
	k->btf_key_type_id = btf.key_type_id;
	k->btf_value_type_id = btf.value_type_id;
	k->type = u->type;
	k->id = u->id;
	k->key_size = u->key_size;
	k->value_size = u->value_size;
	k->max_entries = u->max_entries;
	k->map_flags = u->map_flags;
	/* The kernel keeps BPF_OBJ_NAME_LEN - 1 characters, as libbpf gives it. */
	memcpy(k->name, u->name, sizeof(k->name) - 1); /* k was zeroed: NUL at the end */
}

/* The kernel's bpf_check_uarg_tail_zero on the caller's info buffer. */
static int tail_zero(uint64_t uinfo, size_t expected, size_t actual)
{
	unsigned char buf[256];

	if (actual > (size_t)sysconf(_SC_PAGESIZE))
		return -E2BIG;
	for (size_t off = expected; off < actual; off += sizeof(buf)) {
		size_t n = actual - off < sizeof(buf) ? actual - off : sizeof(buf);
		int err = bpfsys_copy_in(buf, uinfo + off, n);

		if (err)
			return err;
		for (size_t i = 0; i < n; i++)
			if (buf[i])
				return -E2BIG;
	}
	return 0;
}

long bpfsys_obj_get_info_by_fd(struct bpfsys_call *c)
{
	struct bpf_map_info info;
	struct bpfsys_map m;
	uint32_t len = c->attr.info.info_len;
	int r;

	if (!bpfsys_attr_zero_from(c, ATTR_END(info.info)))
		return -EINVAL;
	r = bpfsys_fd_map((int)c->attr.info.bpf_fd, &m);
	if (r == 0) {
		bool ours;
		long pr = bpfsys_prog_info(c, &ours);

		return ours ? pr : bpfsys_kernel(c);
	}
	if (r < 0)
		return r;
	r = tail_zero(c->attr.info.info, sizeof(info), len);
	if (r)
		return r;
	if (len > sizeof(info))
		len = sizeof(info);
	fill_info(&m, &info);
	r = bpfsys_copy_out(c->attr.info.info, &info, len);
	r = r
		?: bpfsys_copy_out((uintptr_t)c->uattr + offsetof(union bpf_attr, info.info_len),
				   &len, sizeof(len));
	return r;
}
