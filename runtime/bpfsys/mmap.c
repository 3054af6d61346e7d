// SPDX-License-Identifier: MIT
/*
 * mmap.c - mmap() of a uxdp map descriptor, as the kernel's bpf_map_mmap().
 *
 * libbpf's ring_buffer__new() maps a ring buffer map fd at the kernel's
 * offsets: offset 0, one page, read-write (consumer_pos); offset page,
 * page + 2 * size, read-only (producer_pos, then the data twice).  A uxdp
 * ring buffer segment holds, from uxdp_ringbuf_layout()'s pos_off on,
 * exactly the consumer page, the producer page and the data, so a
 * mapping at kernel offset o is the segment at pos_off + o, except for the
 * data's second copy, which is the data again: that part is mapped with
 * MAP_FIXED over a reservation, so the caller gets one contiguous range
 * (munmap() of it works as on the kernel's), shared with the producers,
 * nothing copied.  Read-only parts are mapped through a read-only
 * descriptor, so that mprotect(PROT_WRITE) fails as on the kernel's (which
 * clears VM_MAYWRITE).
 *
 * A BPF_F_MMAPABLE array (libbpf's global data, a skeleton's .bss) is its
 * values from offset 0, round_up(value_size, 8) apart, as in the kernel;
 * so is a uxdp array from uxdp_map_array_data_off() on: a mapping at
 * offset o is the segment at that offset + o.  Other uxdp map types are
 * refused with the kernel's errno (524 ENOTSUPP for a type that cannot be
 * mapped, EINVAL for an array without BPF_F_MMAPABLE).  Every other mmap()
 * goes to libc untouched, but for a BPF output perf event's (perf.c), which
 * the kernel maps and perf.c remembers.
 *
 * The runtime linked into this library maps segments itself: the library is
 * linked with --wrap=mmap, so its own calls reach __wrap_mmap (libc's mmap),
 * never the interposer below.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bpfsys.h"

typedef void *(*mmap_fn)(void *, size_t, int, int, int, off_t);

static mmap_fn real_mmap_fn;

static void *real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (!real_mmap_fn)
		real_mmap_fn = (mmap_fn)dlsym(RTLD_NEXT, "mmap");
	return real_mmap_fn(addr, len, prot, flags, fd, off);
}

__attribute__((constructor)) static void resolve_mmap(void)
{
	real_mmap(NULL, 0, 0, 0, -1, 0); /* resolves; fails EINVAL, harmlessly */
}

/* The runtime's own mappings (the library is linked with --wrap=mmap). */
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return real_mmap(addr, len, prot, flags, fd, off);
}

/* A read-only descriptor of the same segment (closed by the caller). */
static int ro_fd(int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* Map [off, off + len) of the kernel's layout at addr (MAP_FIXED). */
static int map_piece(uint8_t *addr, size_t len, int prot, int flags, int fd, off_t seg_off)
{
	void *p = real_mmap(addr, len, prot, (flags & ~MAP_FIXED_NOREPLACE) | MAP_FIXED, fd,
			    seg_off);

	return p == MAP_FAILED ? -errno : 0;
}

/*
 * The kernel's checks after bpf_map_mmap()'s: a writable mapping only of
 * the consumer page (EPERM), then the range (EINVAL).
 */
static int ringbuf_check(const struct uxdp_ringbuf_layout *l, size_t len, int prot, int flags,
			 off_t off)
{
	uint64_t span = 2 * l->page + 2 * l->size, end;

	len = (len + l->page - 1) / l->page * l->page;
	if ((prot & PROT_WRITE) && (off != 0 || len != l->page))
		return -EPERM;
	if (__builtin_add_overflow((uint64_t)off, (uint64_t)len, &end) || end > span)
		return -EINVAL;
	return 0;
}

/*
 * Compose the mapping: the part before the data's second copy is the
 * segment at pos_off + off; the second copy is the data again.
 */
static void *ringbuf_mmap(struct bpfsys_map *m, void *addr, size_t len, int prot, int flags,
			  int fd, off_t off)
{
	struct uxdp_ringbuf_layout l;
	uint64_t first_end, end;
	int err, src = fd, ro = -1;
	uint8_t *base;

	uxdp_ringbuf_layout(m->map, &l);
	err = ringbuf_check(&l, len, prot, flags, off);
	if (err) {
		errno = -err;
		return MAP_FAILED;
	}
	len = (len + l.page - 1) / l.page * l.page;
	end = (uint64_t)off + len;
	first_end = 2 * l.page + l.size; /* where the second copy starts */
	if (!(prot & PROT_WRITE)) {
		ro = ro_fd(fd);
		src = ro >= 0 ? ro : fd;
	}
	base = real_mmap(addr, len, PROT_NONE, (flags & ~MAP_TYPE) | MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	if (base == MAP_FAILED) {
		err = -errno;
		goto out;
	}
	if ((uint64_t)off < first_end)
		err = map_piece(base, (size_t)((end < first_end ? end : first_end) - (uint64_t)off),
				prot, flags, src,
				(off_t)(l.pos_off + (uint64_t)off));
	if (!err && end > first_end) {
		uint64_t from = (uint64_t)off > first_end ? (uint64_t)off : first_end;

		err = map_piece(base + (from - (uint64_t)off), (size_t)(end - from), prot, flags,
				src, (off_t)(l.data_off + (from - first_end)));
	}
	if (err && !(flags & MAP_FIXED))
		munmap(base, len);
out:
	if (ro >= 0)
		close(ro);
	if (err) {
		errno = -err;
		return MAP_FAILED;
	}
	return base;
}

static void *fail(int err)
{
	errno = err;
	return MAP_FAILED;
}

/*
 * The kernel's bpf_map_mmap() then array_map_mmap(): a writable mapping of
 * a frozen map is EPERM, of one programs may not write EACCES; then the
 * flag, then the range (EINVAL).
 */
static void *array_mmap(struct bpfsys_map *m, void *addr, size_t len, int prot, int flags,
			int fd, off_t off)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uint64_t limit = (uint64_t)m->info.max_entries * ((m->info.value_size + 7) & ~7u), end;
	int ro = -1;
	void *p;

	if ((prot & PROT_WRITE) && uxdp_map_frozen(m->map))
		return fail(EPERM);
	if ((prot & PROT_WRITE) && (m->info.map_flags & BPF_F_RDONLY_PROG))
		return fail(EACCES);
	if (!(m->info.map_flags & BPF_F_MMAPABLE))
		return fail(EINVAL);
	len = (len + page - 1) / page * page;
	limit = (limit + page - 1) / page * page;
	if (__builtin_add_overflow((uint64_t)off, (uint64_t)len, &end) || end > limit)
		return fail(EINVAL);
	if (!(prot & PROT_WRITE))
		ro = ro_fd(fd);
	p = real_mmap(addr, len, prot, flags, ro >= 0 ? ro : fd,
		      (off_t)(uxdp_map_array_data_off(m->map) + (uint64_t)off));
	if (ro >= 0) {
		int err = errno;

		close(ro);
		errno = err;
	}
	return p;
}

static void *map_mmap(struct bpfsys_map *m, void *addr, size_t len, int prot, int flags, int fd,
		      off_t off)
{
	/* The file checks come first in the kernel: a write-only fd maps nothing. */
	if (m->fd_mode == O_WRONLY || ((prot & PROT_WRITE) && m->fd_mode == O_RDONLY &&
				       (flags & MAP_TYPE) != MAP_PRIVATE))
		return fail(EACCES);
	if (m->info.type != BPF_MAP_TYPE_RINGBUF && m->info.type != BPF_MAP_TYPE_ARRAY)
		return fail(ENOTSUPP);
	/* mm makes a shared mapping of a read-only file not VM_SHARED: EINVAL. */
	if (m->fd_mode == O_RDONLY || ((flags & MAP_TYPE) != MAP_SHARED &&
				       (flags & MAP_TYPE) != MAP_SHARED_VALIDATE))
		return fail(EINVAL);
	if (m->info.type == BPF_MAP_TYPE_RINGBUF)
		return ringbuf_mmap(m, addr, len, prot, flags, fd, off);
	return array_mmap(m, addr, len, prot, flags, fd, off);
}

static void *bpfsys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct bpfsys_map m;

	if (fd >= 0 && !(flags & MAP_ANONYMOUS) && bpfsys_perf_is_event(fd))
		return bpfsys_perf_mmap(addr, len, prot, flags, fd, off);
	if (fd < 0 || (flags & MAP_ANONYMOUS) || len == 0 || off % sysconf(_SC_PAGESIZE) ||
	    bpfsys_fd_map(fd, &m) != 1)
		return real_mmap(addr, len, prot, flags, fd, off);
	return map_mmap(&m, addr, len, prot, flags, fd, off);
}

BPFSYS_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return bpfsys_mmap(addr, len, prot, flags, fd, off);
}

BPFSYS_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return bpfsys_mmap(addr, len, prot, flags, fd, off);
}
