/* SPDX-License-Identifier: MIT */
/*
 * Host stand-in for <linux/bpf.h>: the real header, with its 32-bit struct
 * xdp_md renamed out of the way so that ../bpf_compat.h can define the
 * 64-bit one the native engine runs with.
 */
#ifndef UXDP_NATIVE_LINUX_BPF_H
#define UXDP_NATIVE_LINUX_BPF_H
#define xdp_md __uxdp_kernel_xdp_md
#include_next <linux/bpf.h>
#undef xdp_md
#include "../bpf_compat.h"
#endif
