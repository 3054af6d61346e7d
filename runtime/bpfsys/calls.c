// SPDX-License-Identifier: MIT
/*
 * calls.c - BPF-to-BPF calls in a program loaded through prog.c.  libbpf
 * appends the subprograms a program calls after it and points each call
 * (BPF_PSEUDO_CALL) and callback address (BPF_PSEUDO_FUNC) at them by
 * relative offset; uxdpc's front end takes subprograms as .text functions
 * called through relocations, as clang emits them (elfobj.c lays them
 * out).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "bpfsys.h"
#include "elfobj.h"
#include "progload.h"

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static bool is_call(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL;
}

static bool is_func(const struct bpf_insn *in)
{
	return in->code == LDDW && in->src_reg == BPF_PSEUDO_FUNC;
}

/* The subprograms' starts: targets of BPF_PSEUDO_CALL and BPF_PSEUDO_FUNC. */
int bpfsys_find_subprogs(struct load *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++) {
		const struct bpf_insn *in = &l->insns[i];
		int64_t t = (int64_t)i + in->imm + 1;

		if (!is_call(in) && !is_func(in))
			continue;
		if (t <= 0 || t >= (int64_t)l->n)
			return -EINVAL; /* the kernel: a call out of the program, or into its entry */
		if (n == l->cap_subprogs) {
			size_t cap = n ? n * 2 : 8, *p = realloc(l->subprogs, cap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			l->subprogs = p;
			l->cap_subprogs = cap;
		}
		l->subprogs[n++] = (size_t)t;
	}
	qsort(l->subprogs, n, sizeof(*l->subprogs), cmp_size);
	l->n_subprogs = 0;
	for (size_t i = 0; i < n; i++)
		if (!l->n_subprogs || l->subprogs[l->n_subprogs - 1] != l->subprogs[i])
			l->subprogs[l->n_subprogs++] = l->subprogs[i];
	return 0;
}

/* Calls and function addresses as relocations against .text (elfobj.c). */
int bpfsys_relocate_calls(struct load *l)
{
	size_t text = l->n_subprogs ? l->subprogs[0] : l->n;
	int err = 0;

	for (size_t i = 0; i < l->n && !err; i++) {
		struct bpf_insn *in = &l->insns[i];
		size_t t = (size_t)((int64_t)i + in->imm + 1);

		if (is_call(in)) {
			in->imm = (int32_t)(t - text) - 1;
			err = bpfsys_load_add_reloc(l, i, 0, ELFOBJ_REL_CALL);
		} else if (is_func(in)) {
			in->src_reg = 0;
			in->imm = (int32_t)((t - text) * sizeof(*in));
			err = bpfsys_load_add_reloc(l, i, 0, ELFOBJ_REL_FUNC);
		}
		if (in->code == LDDW)
			i++;
	}
	return err;
}
