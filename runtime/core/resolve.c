// SPDX-License-Identifier: MIT
/*
 * resolve.c - the symbols a compiled program may import from the runtime.
 *
 * The table is generated from UXDP_HELPER_TABLE, so that every helper the
 * compiler may call must be defined by runtime/helpers (a missing one is a
 * link error, not a load-time surprise), and an object importing anything
 * else is refused by the loader with the symbol's name.
 */
#include <stdint.h>
#include <string.h>

#include <uxdp/helpers.h>
#include <uxdp/runtime.h>

#define UXDP_ARGS_0 void
#define UXDP_ARGS_1 uint64_t
#define UXDP_ARGS_2 uint64_t, uint64_t
#define UXDP_ARGS_3 uint64_t, uint64_t, uint64_t
#define UXDP_ARGS_4 uint64_t, uint64_t, uint64_t, uint64_t
#define UXDP_ARGS_5 uint64_t, uint64_t, uint64_t, uint64_t, uint64_t

#define DECLARE_HELPER(id, name, nargs) uint64_t uxdp_helper_##name(UXDP_ARGS_##nargs);
UXDP_HELPER_TABLE(DECLARE_HELPER)

struct sym {
	const char *name;
	void *addr;
};

#define HELPER_ENTRY(id, name, nargs) { UXDP_HELPER_PREFIX #name, (void *)uxdp_helper_##name },

static const struct sym symbols[] = {
	UXDP_HELPER_TABLE(HELPER_ENTRY)
	/* LLVM turns large struct copies and zeroing into these calls. */
	{ "memcpy", (void *)memcpy },
	{ "memmove", (void *)memmove },
	{ "memset", (void *)memset },
	{ "memcmp", (void *)memcmp },
};

void *uxdp_runtime_resolve(const char *name, void *arg)
{
	size_t i;

	for (i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++)
		if (strcmp(symbols[i].name, name) == 0)
			return symbols[i].addr;
	return NULL;
}
