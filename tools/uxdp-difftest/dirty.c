// SPDX-License-Identifier: MIT
/*
 * dirty.c - which pages of uxdp's arrays a packet wrote.
 *
 * A large map cannot be compared in full after every packet (main.c), but
 * what the uxdp side wrote can: the array's pages in this process are
 * write-protected asynchronously through userfaultfd (the first write to a
 * page after a scan only marks it written, no handler runs), and
 * PAGEMAP_SCAN (Linux 6.7) returns the written pages and protects them
 * again in one call.  The elements on those pages are then compared with
 * the kernel's, so a wrong write on the uxdp side is found at its packet.
 * A write only the kernel makes leaves no trace a process can see: those
 * are found by the full comparisons.  Where the kernel lacks either
 * feature, nothing is tracked and nothing is claimed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dirty.h"

/* Linux 6.7 UAPI (linux/fs.h), newer than the build's headers. */
#define DT_PAGE_IS_WRITTEN (1 << 1)
#define DT_PM_SCAN_WP_MATCHING (1 << 0)
#define DT_PM_SCAN_CHECK_WPASYNC (1 << 1)
struct dt_pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define DT_PAGEMAP_SCAN _IOWR('f', 16, struct dt_pm_scan_arg)
#define DT_UFFD_FEATURE_WP_HUGETLBFS_SHMEM (1 << 12)
#define DT_UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#define DT_UFFD_FEATURE_WP_ASYNC (1 << 15)

static int uffd = -1, pagemap = -1;
static int open_err; /* 0 until tried; then 0 or the reason it cannot work */
static bool opened;

static int dirty_open(void)
{
	struct uffdio_api api = {
		.api = UFFD_API,
		.features = DT_UFFD_FEATURE_WP_ASYNC | DT_UFFD_FEATURE_WP_UNPOPULATED |
			    DT_UFFD_FEATURE_WP_HUGETLBFS_SHMEM,
	};

	if (opened)
		return open_err;
	opened = true;
	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api)) {
		open_err = -errno;
		return open_err;
	}
	pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pagemap < 0)
		open_err = -errno;
	return open_err;
}

int dt_dirty_track(struct dt_dirty *d, void *start, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t s = (uintptr_t)start & ~(uintptr_t)(page - 1);
	uintptr_t e = ((uintptr_t)start + len + page - 1) & ~(uintptr_t)(page - 1);
	struct uffdio_register reg = { .range = { s, e - s }, .mode = UFFDIO_REGISTER_MODE_WP };
	struct uffdio_writeprotect wp = { .range = { s, e - s }, .mode = UFFDIO_WRITEPROTECT_MODE_WP };
	int ret = dirty_open();

	memset(d, 0, sizeof(*d));
	if (ret)
		return ret;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg) || ioctl(uffd, UFFDIO_WRITEPROTECT, &wp))
		return -errno;
	d->start = s;
	d->end = e;
	d->on = true;
	return 0;
}

long dt_dirty_scan(struct dt_dirty *d, struct dt_page_range *v, size_t n, uint64_t *from)
{
	struct dt_pm_scan_arg a = {
		.size = sizeof(a),
		.flags = DT_PM_SCAN_WP_MATCHING | DT_PM_SCAN_CHECK_WPASYNC,
		.start = *from ? *from : d->start,
		.end = d->end,
		.vec = (uintptr_t)v,
		.vec_len = n,
		.category_mask = DT_PAGE_IS_WRITTEN,
		.return_mask = DT_PAGE_IS_WRITTEN,
	};
	long r;

	_Static_assert(sizeof(struct dt_page_range) == 24, "struct page_region");
	if (a.start >= a.end)
		return 0;
	r = ioctl(pagemap, DT_PAGEMAP_SCAN, &a);
	if (r < 0)
		return -errno;
	*from = a.walk_end;
	return r;
}
