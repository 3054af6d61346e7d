// SPDX-License-Identifier: MIT
/* Version B of the replacement tests' program (tag.h). */
#define TAG 'B'
#define PROG tag
#include "tag.h"
