// SPDX-License-Identifier: MIT
/* 16 lookups per packet in a BPF_MAP_TYPE_LPM_TRIE (lookup16.h). */
#define LOOKUP16_TYPE BPF_MAP_TYPE_LPM_TRIE
#define LOOKUP16_LPM 1
#include "lookup16.h"
