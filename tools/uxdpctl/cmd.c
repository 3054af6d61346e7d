// SPDX-License-Identifier: MIT
/* cmd.c - prefixes of command words (cmd.h). */
#include <string.h>

#include "cmd.h"

const char *uxdpctl_match(const char *word, const char *const *table)
{
	size_t n = strlen(word);

	if (!n)
		return NULL;
	for (const char *const *t = table; *t; t++)
		if (!strcmp(word, *t))
			return *t;
	for (const char *const *t = table; *t; t++)
		if (!strncmp(word, *t, n))
			return *t;
	return NULL;
}
