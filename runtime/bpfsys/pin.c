// SPDX-License-Identifier: MIT
/*
 * pin.c - pinned paths: BPF_OBJ_GET and BPF_OBJ_PIN.
 *
 * Every uxdp map is pinned, virtually, at /sys/fs/bpf/uxdp/<instance>/<map>:
 * BPF_OBJ_GET on such a path opens the map (nothing exists on disk, so no
 * mount and no cleanup are needed, and the path lives exactly as long as the
 * map).  BPF_OBJ_PIN of a uxdp map elsewhere makes a real symbolic link at
 * that path, on a bpf file system as the kernel requires, pointing at the
 * map's segment in /dev/shm; BPF_OBJ_GET follows it back.  Unlike a kernel
 * pin it does not keep the map alive: removing the instance leaves it
 * dangling (ENOENT).  Paths that are neither pass to the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "bpfsys.h"

#define OBJ_ATTR_END 20	     /* pathname, bpf_fd, file_flags, path_fd (Linux 6.5) */
#define F_PATH_FD (1U << 14) /* BPF_F_PATH_FD, newer than our uapi header */
#define BPF_FS_MAGIC_NR 0xcafe4a11
#define SEG_PREFIX "/dev/shm/uxdp."

/* A NUL-terminated string from the caller, read page by page (-EFAULT, -ENAMETOOLONG). */
static int path_in(char *dst, size_t size, uint64_t src)
{
	size_t got = 0, page = (size_t)sysconf(_SC_PAGESIZE);

	while (got < size) {
		size_t n = page - ((src + got) % page);
		int err;

		if (n > size - got)
			n = size - got;
		err = bpfsys_copy_in(dst + got, src + got, n);
		if (err)
			return err;
		if (memchr(dst + got, 0, n))
			return 0;
		got += n;
	}
	return -ENAMETOOLONG;
}

/* "<instance>/<map>" of a virtual path, or -ENOENT. */
static int split_virtual(const char *path, char *inst, char *name)
{
	const char *p = path + strlen(BPFSYS_PIN_ROOT), *slash = strchr(p, '/');
	size_t ilen;

	if (!slash || strchr(slash + 1, '/'))
		return -ENOENT;
	ilen = (size_t)(slash - p);
	if (ilen == 0 || ilen >= UXDP_INSTANCE_LEN || !slash[1] ||
	    strlen(slash + 1) >= UXDP_MAP_NAME_LEN)
		return -ENOENT;
	memcpy(inst, p, ilen);
	inst[ilen] = 0;
	strcpy(name, slash + 1);
	return 0;
}

/* A pin link's target, "/dev/shm/uxdp.<instance>.<map>", split; -ENOENT otherwise. */
static int split_segment(const char *real, char *inst, char *name)
{
	const char *p = real + strlen(SEG_PREFIX), *dot = strchr(p, '.');
	size_t ilen;

	if (strncmp(real, SEG_PREFIX, strlen(SEG_PREFIX)) || !dot)
		return -ENOENT;
	ilen = (size_t)(dot - p);
	if (ilen == 0 || ilen >= UXDP_INSTANCE_LEN || !dot[1] ||
	    strlen(dot + 1) >= UXDP_MAP_NAME_LEN)
		return -ENOENT;
	memcpy(inst, p, ilen);
	inst[ilen] = 0;
	strcpy(name, dot + 1);
	return 0;
}

long bpfsys_obj_get(struct bpfsys_call *c)
{
	char path[PATH_MAX], real[PATH_MAX], inst[UXDP_INSTANCE_LEN], name[UXDP_MAP_NAME_LEN];
	uint32_t flags = c->attr.file_flags;
	int mode, err;

	if (!bpfsys_attr_zero_from(c, OBJ_ATTR_END) || c->attr.bpf_fd ||
	    (flags & ~(uint32_t)(BPF_F_RDONLY | BPF_F_WRONLY | F_PATH_FD)))
		return -EINVAL;
	if (flags & F_PATH_FD)
		return bpfsys_kernel(c); /* relative to a directory fd: the kernel's pins only */
	mode = bpfsys_open_mode(flags);
	if (mode < 0)
		return mode;
	err = path_in(path, sizeof(path), c->attr.pathname);
	if (err)
		return err;
	if (!strncmp(path, BPFSYS_PIN_ROOT, strlen(BPFSYS_PIN_ROOT))) {
		err = split_virtual(path, inst, name);
		return err ?: bpfsys_fd_open(inst, name, mode);
	}
	if (realpath(path, real) && !split_segment(real, inst, name))
		return bpfsys_fd_open(inst, name, mode);
	err = bpfsys_prog_pin_get(c->cmd, path);
	return err == -ENOENT ? bpfsys_kernel(c) : err;
}

int bpfsys_pin_symlink(const char *target, const char *path)
{
	char dir[PATH_MAX], *slash;
	struct statfs fs;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = 0;
	else if (slash)
		*slash = 0;
	else
		strcpy(dir, ".");
	if (statfs(dir, &fs))
		return -errno;
	if ((unsigned long)fs.f_type != BPF_FS_MAGIC_NR)
		return -EPERM; /* the kernel pins only on a bpf file system */
	return symlink(target, path) ? -errno : 0;
}

static int pin_link(const struct bpfsys_map *m, const char *path)
{
	char target[256];

	snprintf(target, sizeof(target), SEG_PREFIX "%s.%s", m->info.instance, m->info.name);
	return bpfsys_pin_symlink(target, path);
}

long bpfsys_obj_pin(struct bpfsys_call *c)
{
	char path[PATH_MAX], inst[UXDP_INSTANCE_LEN], name[UXDP_MAP_NAME_LEN];
	struct bpfsys_map m;
	int r, prog = 0;

	if (!bpfsys_attr_zero_from(c, OBJ_ATTR_END) || (c->attr.file_flags & ~F_PATH_FD))
		return -EINVAL;
	r = bpfsys_fd_map((int)c->attr.bpf_fd, &m);
	if (r == 0) {
		prog = bpfsys_prog_pin_kind((int)c->attr.bpf_fd);
		if (prog <= 0)
			return prog < 0 ? prog : bpfsys_kernel(c);
	} else if (r < 0) {
		return r;
	}
	if (c->attr.file_flags & F_PATH_FD) {
		bpfsys_say_once(c->cmd,
				"BPF_F_PATH_FD is not served for uxdp objects; pin by path");
		return -EOPNOTSUPP;
	}
	r = path_in(path, sizeof(path), c->attr.pathname);
	if (r)
		return r;
	if (prog) {
		if (!strncmp(path, BPFSYS_PIN_ROOT, strlen(BPFSYS_PIN_ROOT))) {
			bpfsys_say_once(c->cmd,
					"only the maps themselves live under " BPFSYS_PIN_ROOT);
			return -EPERM;
		}
		return bpfsys_prog_pin(c->cmd, (int)c->attr.bpf_fd, path);
	}
	if (!strncmp(path, BPFSYS_PIN_ROOT, strlen(BPFSYS_PIN_ROOT))) {
		/* Every map is there already; nothing else can be made there. */
		if (!split_virtual(path, inst, name)) {
			int fd = bpfsys_fd_open(inst, name, O_RDONLY);

			if (fd >= 0) {
				close(fd);
				return -EEXIST;
			}
		}
		bpfsys_say_once(c->cmd, "only the maps themselves live under " BPFSYS_PIN_ROOT);
		return -EPERM;
	}
	r = pin_link(&m, path);
	/* A pinned map outlives this process, as in the kernel (create.c). */
	if (!r)
		bpfsys_map_mark_used(m.info.name);
	return r;
}
