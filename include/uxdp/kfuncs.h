/* SPDX-License-Identifier: MIT */
/*
 * kfuncs.h - the kernel functions (kfuncs) uxdp provides to XDP programs.
 *
 * A program calls a kfunc through an extern declared __ksym; clang emits
 * `call -1` with a relocation against its name.  uxdpc's front end keeps
 * the name (uxdp_object.kfuncs) and the call becomes a call to the native
 * function uxdp_kfunc_NAME with NARGS uint64_t arguments, defined in
 * runtime/helpers/ like the helpers (and inlined from their bitcode).  Any
 * other kfunc is refused at compile time, naming the program, the
 * instruction and the kfunc (docs/compatibility.md lists them all).
 */
#ifndef UXDP_KFUNCS_H
#define UXDP_KFUNCS_H

/*
 * UXDP_KFUNC(name, number of arguments, returns int: sign-extend r0 from 32
 * bits).  The numbers iterator (runtime/helpers/iter_num.c), the dynptr
 * kfuncs XDP programs may call (runtime/helpers/dynptr.c) and
 * bpf_xdp_pull_data (runtime/helpers/xdp_bytes.c).
 */
#define UXDP_KFUNC_TABLE(UXDP_KFUNC)                \
	UXDP_KFUNC(bpf_iter_num_new, 3, 1)          \
	UXDP_KFUNC(bpf_iter_num_next, 1, 0)         \
	UXDP_KFUNC(bpf_iter_num_destroy, 1, 0)      \
	UXDP_KFUNC(bpf_dynptr_from_xdp, 3, 1)       \
	UXDP_KFUNC(bpf_dynptr_slice, 4, 0)          \
	UXDP_KFUNC(bpf_dynptr_slice_rdwr, 4, 0)     \
	UXDP_KFUNC(bpf_dynptr_adjust, 3, 1)         \
	UXDP_KFUNC(bpf_dynptr_is_null, 1, 0)        \
	UXDP_KFUNC(bpf_dynptr_is_rdonly, 1, 0)      \
	UXDP_KFUNC(bpf_dynptr_size, 1, 0)           \
	UXDP_KFUNC(bpf_dynptr_clone, 2, 1)          \
	UXDP_KFUNC(bpf_dynptr_copy, 5, 1)           \
	UXDP_KFUNC(bpf_dynptr_memset, 4, 1)         \
	UXDP_KFUNC(bpf_xdp_pull_data, 2, 1)

#define UXDP_KFUNC_PREFIX "uxdp_kfunc_"

#endif /* UXDP_KFUNCS_H */
