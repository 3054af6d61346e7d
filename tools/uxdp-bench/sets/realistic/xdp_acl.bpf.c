// SPDX-License-Identifier: MIT
/*
 * xdp_acl as shipped (xdp_progs/xdp_acl), with every table of 1024 entries or more
 * sized for realistic state (65536 entries): the code is the same, only
 * max_entries changes.  __uint(max_entries, N) is the only __uint whose
 * value this redefinition touches.
 */
#include "realistic_sizes.h"
#include "../../../../xdp_progs/xdp_acl/xdp_acl.bpf.c"
