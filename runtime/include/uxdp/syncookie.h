/* SPDX-License-Identifier: MIT */
/*
 * syncookie.h - the process's SYN cookie secret, for the syncookie helpers
 * (runtime/helpers/syncookie.c): key 0 and key 1 of the kernel's
 * syncookie_secret[2], each two 64-bit SipHash key words.
 */
#ifndef UXDP_SYNCOOKIE_H
#define UXDP_SYNCOOKIE_H

#include <stdint.h>

const uint64_t *uxdp_syncookie_key(int which);

#endif /* UXDP_SYNCOOKIE_H */
