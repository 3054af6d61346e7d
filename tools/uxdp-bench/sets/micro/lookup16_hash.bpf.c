// SPDX-License-Identifier: MIT
/* 16 lookups per packet in a BPF_MAP_TYPE_HASH (lookup16.h). */
#define LOOKUP16_TYPE BPF_MAP_TYPE_HASH
#include "lookup16.h"
