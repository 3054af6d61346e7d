// SPDX-License-Identifier: MIT
/*
 * prog_array_refused.c - under uxdp-run, an unmodified libbpf control
 * plane that writes a program descriptor into a prog_array is refused with
 * EOPNOTSUPP (uxdp's slots hold program indexes, and tail calls to programs
 * loaded by descriptor are not provided), where writing it as it is would
 * have made tail calls run whatever program has that index.  The map itself
 * is served: created, read, and its slots deleted.  Exit 0 when so.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>

int main(void)
{
	__u32 key = 0, value = 3;
	int fd = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "jt", 4, 4, 4, NULL);

	if (fd < 0) {
		fprintf(stderr, "prog_array_refused: create: %s\n", strerror(errno));
		return 1;
	}
	if (!bpf_map_update_elem(fd, &key, &value, BPF_ANY) || errno != EOPNOTSUPP) {
		fprintf(stderr, "prog_array_refused: update: %s, wanted EOPNOTSUPP\n",
			strerror(errno));
		return 1;
	}
	if (!bpf_map_delete_elem(fd, &key) || errno != ENOENT) {
		fprintf(stderr, "prog_array_refused: delete of an empty slot: %s, wanted ENOENT\n",
			strerror(errno));
		return 1;
	}
	printf("prog_array update refused with EOPNOTSUPP\n");
	return 0;
}
