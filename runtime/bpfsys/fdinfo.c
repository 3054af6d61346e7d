// SPDX-License-Identifier: MIT
/*
 * fdinfo.c - /proc/self/fdinfo/N of a uxdp map fd, as the kernel writes it
 * for a map (map_type, key_size, ..., memlock, map_id, frozen), so that
 * tools reading it (bpftool's memlock and frozen, libbpf's fallback for
 * map info) see the map and not a plain file.  memlock is the segment's
 * size, which uxdpctl calls bytes_memlock too.  Only fopen() by this
 * process is served: that is how bpftool and libbpf read it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfsys.h"

typedef FILE *(*fopen_fn)(const char *, const char *);

/* The kernel's fields (bpf_map_show_fdinfo), for a read-only stream. */
static FILE *map_fdinfo(int fd, const struct bpfsys_map *m)
{
	FILE *f = fmemopen(NULL, 1024, "w+");
	int fl = fcntl(fd, F_GETFL);

	if (!f)
		return NULL;
	fprintf(f,
		"pos:\t0\nflags:\t0%o\nmap_type:\t%u\nkey_size:\t%u\nvalue_size:\t%u\n"
		"max_entries:\t%u\nmap_flags:\t%#x\nmap_extra:\t0x0\nmemlock:\t%llu\n"
		"map_id:\t%u\nfrozen:\t%d\n",
		fl < 0 ? 0 : fl, m->info.type, m->info.key_size, m->info.value_size,
		m->info.max_entries, m->info.map_flags, (unsigned long long)m->info.bytes,
		m->info.id, uxdp_map_frozen(m->map) ? 1 : 0);
	fflush(f);
	rewind(f);
	return f;
}

static FILE *serve(const char *path, const char *mode, const char *real)
{
	static fopen_fn next[2];
	int idx = strcmp(real, "fopen") ? 1 : 0, fd = path ? bpfsys_proc_self_fd(path, "fdinfo") : -1;
	struct bpfsys_map m;

	if (fd >= 0 && mode && mode[0] == 'r' && !strchr(mode, '+') && bpfsys_fd_map(fd, &m) == 1)
		return map_fdinfo(fd, &m);
	if (!next[idx])
		next[idx] = (fopen_fn)dlsym(RTLD_NEXT, real);
	return next[idx](path, mode);
}

BPFSYS_EXPORT FILE *fopen(const char *path, const char *mode)
{
	return serve(path, mode, "fopen");
}

BPFSYS_EXPORT FILE *fopen64(const char *path, const char *mode)
{
	return serve(path, mode, "fopen64");
}
