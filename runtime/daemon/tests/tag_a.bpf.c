// SPDX-License-Identifier: MIT
/* Version A of the replacement tests' program (tag.h). */
#define TAG 'A'
#define PROG tag
#include "tag.h"
