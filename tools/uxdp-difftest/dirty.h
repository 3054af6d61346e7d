/* SPDX-License-Identifier: MIT */
/*
 * dirty.h - pages of this process that were written since the last scan
 * (userfaultfd asynchronous write protection and PAGEMAP_SCAN; dirty.c).
 */
#ifndef UXDP_DIFFTEST_DIRTY_H
#define UXDP_DIFFTEST_DIRTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dt_dirty {
	uintptr_t start, end; /* page-aligned range watched */
	bool on;
};

/* A written range, as the kernel's struct page_region. */
struct dt_page_range {
	uint64_t start, end, categories;
};

/*
 * Watch the pages holding [start, start + len).  0, or a negative errno when
 * this kernel or mapping cannot (d->on stays false: nothing is tracked).
 */
int dt_dirty_track(struct dt_dirty *d, void *start, size_t len);
/*
 * Up to n ranges written since the last scan, protected again.  *from is
 * where to go on (0 the first time); a call that fills all n ranges may have
 * more: call again with the same *from until it returns fewer.  Returns the
 * number of ranges or a negative errno.
 */
long dt_dirty_scan(struct dt_dirty *d, struct dt_page_range *v, size_t n, uint64_t *from);

#endif /* UXDP_DIFFTEST_DIRTY_H */
