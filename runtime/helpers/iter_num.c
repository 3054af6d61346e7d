// SPDX-License-Identifier: MIT
/*
 * iter_num.c - the numbers iterator kfuncs behind bpf_for() and
 * bpf_repeat(): bpf_iter_num_new, bpf_iter_num_next, bpf_iter_num_destroy,
 * with the kernel's semantics (kernel/bpf/bpf_iter.c).  The iterator is 8
 * bytes on the program's stack: the current value (inclusive) and the end
 * (exclusive), both int.
 *
 *   new(it, start, end): -EINVAL when start > end, -E2BIG when the range
 *     is longer than BPF_MAX_LOOPS (8M); either leaves an empty iterator;
 *     otherwise cur = start - 1, so that the first next() gives start;
 *   next(it): a pointer to the next value, or NULL (and an emptied
 *     iterator) at the end;
 *   destroy(it): empties it.
 */
#include <errno.h>
#include <stdint.h>

#include "helpers_impl.h"

#define BPF_MAX_LOOPS (8 * 1024 * 1024)

struct iter_num {
	int32_t cur;
	int32_t end;
};

uint64_t uxdp_kfunc_bpf_iter_num_new(uint64_t it, uint64_t start64, uint64_t end64)
{
	struct iter_num *s = (struct iter_num *)(uintptr_t)it;
	int32_t start = (int32_t)start64, end = (int32_t)end64;

	if (start > end) {
		s->cur = s->end = 0;
		return UXDP_ERR(EINVAL);
	}
	if ((int64_t)end - (int64_t)start > BPF_MAX_LOOPS) {
		s->cur = s->end = 0;
		return UXDP_ERR(E2BIG);
	}
	s->cur = start - 1; /* start > INT_MIN - 1 here: start == INT_MIN needs end - start <= 8M */
	s->end = end;
	return 0;
}

uint64_t uxdp_kfunc_bpf_iter_num_next(uint64_t it)
{
	struct iter_num *s = (struct iter_num *)(uintptr_t)it;

	if ((int64_t)s->cur + 1 >= s->end) {
		s->cur = s->end = 0;
		return 0;
	}
	s->cur++;
	return (uint64_t)(uintptr_t)&s->cur;
}

uint64_t uxdp_kfunc_bpf_iter_num_destroy(uint64_t it)
{
	struct iter_num *s = (struct iter_num *)(uintptr_t)it;

	s->cur = s->end = 0;
	return 0;
}
