// SPDX-License-Identifier: MIT
/*
 * dispatch.c - one bpf(2) call: the attr read as the kernel reads it, then
 * served, passed to the kernel, or refused.
 *
 *  - served: the map commands, on uxdp's maps (ids.c, elem.c, batch.c,
 *    pin.c), map creation (create.c), XDP programs loaded into and attached
 *    in uxdpd (prog.c, progids.c, link.c), their links (linkupd.c,
 *    linkids.c) and test runs of them (testrun.c); on a descriptor or path
 *    that is not uxdp's they pass to the kernel;
 *  - passed through: commands that only look at kernel objects the caller
 *    names (BTF), and BPF_BTF_LOAD (a BTF object is inert; a map made with
 *    one keeps a copy of its types, mapbtf.c);
 *  - refused (EOPNOTSUPP, one stderr line per command): everything else
 *    that would create or attach a kernel object, since the uxdp instance
 *    would not see it.
 */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfsys.h"

long bpfsys_bpf(int cmd, void *uattr, unsigned int size);

/*
 * The running kernel's sizeof(union bpf_attr), which may be larger than our
 * header's: a non-zero byte past it is E2BIG, one inside it but past a
 * command's fields EINVAL.  Found once by asking the kernel (its size check
 * runs before it looks at the command, so an invalid command number tells
 * "size accepted", EINVAL, from "tail not zero", E2BIG); our own size when
 * the kernel will not say (no bpf(2), or not allowed).
 */
static size_t kernel_attr_size(void)
{
	static size_t size;
	unsigned char buf[4096] = {0};
	size_t lo = sizeof(union bpf_attr), hi = sizeof(buf);

	if (__atomic_load_n(&size, __ATOMIC_RELAXED))
		return size;
	/* Invariant: a non-zero byte at lo - 1 is accepted, one at hi is not. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		long r;

		buf[mid] = 1;
		r = bpfsys_real_syscall(__NR_bpf, -1, (long)buf, (long)(mid + 1), 0, 0, 0);
		buf[mid] = 0;
		if (r < 0 && errno == E2BIG) {
			hi = mid;
		} else if (r < 0 && errno == EINVAL) {
			lo = mid + 1;
		} else {
			lo = hi = sizeof(union bpf_attr);
		}
	}
	__atomic_store_n(&size, lo, __ATOMIC_RELAXED);
	return lo;
}

/*
 * The kernel's bpf_check_uarg_tail_zero + copy_from_user of the attr.  A
 * non-zero byte past our attr but inside the kernel's is a field of a newer
 * kernel, past the last field of every command served here: EINVAL.
 */
static int read_attr(struct bpfsys_call *c, int cmd, void *uattr, unsigned int size)
{
	unsigned char tail[256];
	size_t have = size < sizeof(c->attr) ? size : sizeof(c->attr);
	size_t kernel = 0;
	bool past_fields = false;

	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	c->uattr = uattr;
	c->size = size;
	if (size > (unsigned int)sysconf(_SC_PAGESIZE))
		return -E2BIG;
	for (size_t off = sizeof(c->attr); off < size; off += sizeof(tail)) {
		size_t n = size - off < sizeof(tail) ? size - off : sizeof(tail);
		int err = bpfsys_copy_in(tail, (uintptr_t)uattr + off, n);

		if (err)
			return err;
		for (size_t i = 0; i < n; i++) {
			if (!tail[i])
				continue;
			if (!kernel)
				kernel = kernel_attr_size();
			if (off + i >= kernel)
				return -E2BIG;
			past_fields = true;
		}
	}
	if (bpfsys_copy_in(&c->attr, (uintptr_t)uattr, have))
		return -EFAULT;
	return past_fields ? 1 : 0;
}

static long refuse(struct bpfsys_call *c, const char *why)
{
	bpfsys_say_once(c->cmd, why);
	return -EOPNOTSUPP;
}

/* The commands whose last field is in our attr (so a later byte is EINVAL). */
static bool bpfsys_served(int cmd)
{
	switch (cmd) {
	case BPF_MAP_LOOKUP_ELEM:
	case BPF_MAP_UPDATE_ELEM:
	case BPF_MAP_DELETE_ELEM:
	case BPF_MAP_GET_NEXT_KEY:
	case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
	case BPF_MAP_GET_NEXT_ID:
	case BPF_MAP_GET_FD_BY_ID:
	case BPF_OBJ_GET_INFO_BY_FD:
	case BPF_OBJ_GET:
	case BPF_OBJ_PIN:
	case BPF_MAP_LOOKUP_BATCH:
	case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
	case BPF_MAP_UPDATE_BATCH:
	case BPF_MAP_DELETE_BATCH:
	case BPF_MAP_FREEZE:
	case BPF_MAP_CREATE:
	case BPF_PROG_LOAD:
	case BPF_LINK_CREATE:
	case BPF_LINK_DETACH:
	case BPF_LINK_UPDATE:
	case BPF_PROG_BIND_MAP:
		return true;
	default:
		return false;
	}
}

#define NOT_SERVED                                                                                 \
	"not served by uxdp's bpf() layer, which serves maps and XDP programs "                                \
	"(see docs/control-plane.md)"

long bpfsys_bpf(int cmd, void *uattr, unsigned int size)
{
	struct bpfsys_call c;
	int err = read_attr(&c, cmd, uattr, size);

	if (err < 0)
		return err;
	/* A newer kernel's field set: the kernel has the command, or none does. */
	if (err > 0)
		return bpfsys_served(cmd) ? -EINVAL : bpfsys_kernel(&c);
	switch (cmd) {
	case BPF_MAP_LOOKUP_ELEM:
		return bpfsys_map_lookup_elem(&c);
	case BPF_MAP_UPDATE_ELEM:
		return bpfsys_map_update_elem(&c);
	case BPF_MAP_DELETE_ELEM:
		return bpfsys_map_delete_elem(&c);
	case BPF_MAP_GET_NEXT_KEY:
		return bpfsys_map_get_next_key(&c);
	case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
		return bpfsys_map_lookup_and_delete_elem(&c);
	case BPF_MAP_GET_NEXT_ID:
		return bpfsys_map_get_next_id(&c);
	case BPF_MAP_GET_FD_BY_ID:
		return bpfsys_map_get_fd_by_id(&c);
	case BPF_OBJ_GET_INFO_BY_FD:
		return bpfsys_obj_get_info_by_fd(&c);
	case BPF_OBJ_GET:
		return bpfsys_obj_get(&c);
	case BPF_OBJ_PIN:
		return bpfsys_obj_pin(&c);
	case BPF_MAP_FREEZE:
		return bpfsys_map_freeze(&c);
	case BPF_MAP_LOOKUP_BATCH:
	case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
	case BPF_MAP_UPDATE_BATCH:
	case BPF_MAP_DELETE_BATCH:
		return bpfsys_map_batch(&c);
	case BPF_PROG_GET_NEXT_ID:
		return bpfsys_prog_get_next_id(&c);
	case BPF_PROG_GET_FD_BY_ID:
		return bpfsys_prog_get_fd_by_id(&c);
	case BPF_PROG_TEST_RUN:
		return bpfsys_prog_test_run(&c);
	case BPF_BTF_LOAD: /* inert: types only; maps keep copies (mapbtf.c) */
	case BPF_PROG_QUERY:
	case BPF_BTF_GET_FD_BY_ID:
	case BPF_BTF_GET_NEXT_ID:
	case BPF_TASK_FD_QUERY:
		return bpfsys_kernel(&c);
	case BPF_LINK_GET_NEXT_ID:
		return bpfsys_link_get_next_id(&c);
	case BPF_LINK_GET_FD_BY_ID:
		return bpfsys_link_get_fd_by_id(&c);
	case BPF_LINK_UPDATE:
		return bpfsys_link_update(&c);
	case BPF_MAP_CREATE:
		return bpfsys_map_create(&c);
	case BPF_PROG_LOAD:
		return bpfsys_prog_load(&c);
	case BPF_LINK_CREATE:
		return bpfsys_link_create(&c);
	case BPF_LINK_DETACH:
		return bpfsys_link_detach(&c);
	case BPF_PROG_ATTACH:
	case BPF_PROG_DETACH:
	case BPF_RAW_TRACEPOINT_OPEN:
	case BPF_ITER_CREATE:
	case BPF_ENABLE_STATS:
		return refuse(&c, NOT_SERVED);
	case BPF_PROG_BIND_MAP:
		return bpfsys_prog_bind_map(&c);
	default:
		bpfsys_say_once(cmd, "unknown to uxdp's bpf() layer");
		return -EINVAL;
	}
}
