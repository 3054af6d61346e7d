// SPDX-License-Identifier: MIT
/* A version whose map has another shape: replacing with it is refused (tag.h). */
#define TAG 'C'
#define BAD 1
#define PROG tag
#include "tag.h"
