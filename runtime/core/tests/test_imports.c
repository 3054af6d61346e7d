// SPDX-License-Identifier: MIT
/*
 * test_imports.c - every symbol the helpers' bitcode imports is one the
 * runtime provides to loaded programs (uxdp_runtime_resolve).  At -O2/-O3
 * a program inlines the helpers and imports what they call; a symbol missing
 * here would make such objects fail to load.  The lookups uxdpc's
 * map-inline pass calls directly (without helper inlining) must resolve too.
 *
 *	test_imports LLVM_NM uxdp_helpers.bc
 */
#include <stdio.h>
#include <string.h>

#include <uxdp/helpers.h>
#include <uxdp/runtime.h>

#define HASH_LOOKUP_NAME(n) UXDP_HASH_LOOKUP_PREFIX "k" #n, UXDP_LRU_HASH_LOOKUP_PREFIX "k" #n,
static const char *const compiler_calls[] = {
	UXDP_HASH_LOOKUP_SIZES(HASH_LOOKUP_NAME) UXDP_HASH_LOOKUP_PREFIX "any",
	UXDP_LRU_HASH_LOOKUP_PREFIX "any",
};

int main(int argc, char **argv)
{
	char cmd[4096], line[512];
	int n = 0, missing = 0;
	FILE *p;

	if (argc != 3) {
		fprintf(stderr, "usage: test_imports LLVM_NM BITCODE\n");
		return 2;
	}
	snprintf(cmd, sizeof(cmd), "%s --undefined-only --format=just-symbols '%s'", argv[1],
		 argv[2]);
	p = popen(cmd, "r");
	if (!p)
		return 1;
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0])
			continue;
		n++;
		if (!uxdp_runtime_resolve(line, NULL)) {
			printf("FAIL: the helpers import '%s', which the runtime does not provide\n",
			       line);
			missing++;
		}
	}
	for (size_t i = 0; i < sizeof(compiler_calls) / sizeof(compiler_calls[0]); i++) {
		n++;
		if (!uxdp_runtime_resolve(compiler_calls[i], NULL)) {
			printf("FAIL: uxdpc may call '%s', which the runtime does not provide\n",
			       compiler_calls[i]);
			missing++;
		}
	}
	if (pclose(p) != 0 || n == 0) {
		printf("FAIL: '%s' gave no symbols\n", cmd);
		return 1;
	}
	printf("%d passed, %d failed\n", n - missing, missing);
	return missing ? 1 : 0;
}
