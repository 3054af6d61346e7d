/* SPDX-License-Identifier: MIT */
/* Host stand-in for libbpf's bpf_helpers.h: see ../bpf_compat.h. */
#ifndef __BPF_HELPERS__
#define __BPF_HELPERS__
#include "../bpf_compat.h"
#endif
