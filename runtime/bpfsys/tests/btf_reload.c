// SPDX-License-Identifier: MIT
/*
 * btf_reload.c - a libbpf program, under uxdp-run, that closes the BTF
 * descriptor the bpf() layer keeps for a map (as a program closing all its
 * descriptors would): the next map info must load the BTF again and give
 * a new btf_id that libbpf resolves, and a successful info call must leave
 * errno alone.  usage: btf_reload MAP_ID.  Prints "ok" and exits 0.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int info_of(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	errno = 4242;
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		return -1;
	if (errno != 4242) {
		fprintf(stderr, "errno changed to %d by a successful info call\n", errno);
		return -1;
	}
	return 0;
}

/* Close every BTF descriptor of the process; how many were closed. */
static int close_btf_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d))) {
		char path[300], link[64];
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = 0;
		if (!strcmp(link, "anon_inode:btf") && atoi(e->d_name) != dirfd(d)) {
			close(atoi(e->d_name));
			n++;
		}
	}
	if (d)
		closedir(d);
	return n;
}

/* The value type of info resolves to value_size bytes in the kernel's BTF. */
static int resolves(const struct bpf_map_info *info)
{
	struct btf *btf = btf__load_from_kernel_by_id(info->btf_id);
	long long size = btf ? btf__resolve_size(btf, info->btf_value_type_id) : -1;

	btf__free(btf);
	return size == info->value_size;
}

int main(int argc, char **argv)
{
	struct bpf_map_info a, b;
	int fd = argc == 2 ? bpf_map_get_fd_by_id((__u32)atoi(argv[1])) : -1;

	if (fd < 0 || info_of(fd, &a) || !a.btf_id || !resolves(&a)) {
		fprintf(stderr, "first info: fd %d, btf_id %u\n", fd, fd < 0 ? 0 : a.btf_id);
		return 1;
	}
	if (info_of(fd, &b) || b.btf_id != a.btf_id) {
		fprintf(stderr, "second info: btf_id %u, first %u (not reused)\n", b.btf_id,
			a.btf_id);
		return 1;
	}
	if (close_btf_fds() != 1) {
		fprintf(stderr, "expected the layer's one BTF descriptor\n");
		return 1;
	}
	if (info_of(fd, &b) || !b.btf_id || b.btf_id == a.btf_id || !resolves(&b)) {
		fprintf(stderr, "after close: btf_id %u, before %u\n", b.btf_id, a.btf_id);
		return 1;
	}
	printf("ok\n");
	return 0;
}
