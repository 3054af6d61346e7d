// SPDX-License-Identifier: MIT
/*
 * fdmap.c - from a descriptor to the uxdp map it stands for.
 *
 * A map descriptor is the map's segment, /dev/shm/uxdp.<instance>.<map>,
 * opened by us.  The descriptor is identified by what it is, not by a table
 * of numbers we handed out: fstat gives its inode, and a segment inode we
 * have met before maps to the handle opened then; a new one is named by its
 * /proc/self/fd link and opened by that name, and kept only if the name
 * still leads to the same inode.  So a descriptor dup'ed, inherited over
 * fork or exec, or received over a socket works, and a number reused for
 * another file is not mistaken for the map it once was.
 *
 * Handles are kept for the life of the process (a control plane touches a
 * few maps): a handle stays valid after its segment is unlinked, as a
 * kernel map lives while an fd holds it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpfsys.h"

struct known {
	struct known *next;
	dev_t dev;
	ino_t ino;
	struct uxdp_map *map;
	struct uxdp_map_info info;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct known *known;

/* A fork while another thread held the lock must not leave the child stuck. */
static void reset_lock(void)
{
	pthread_mutex_init(&lock, NULL);
}

__attribute__((constructor)) static void register_reset(void)
{
	pthread_atfork(NULL, NULL, reset_lock);
}

#define SHM_DIR "/dev/shm"
#define SEG_PREFIX "/dev/shm/uxdp."

static struct known *find(dev_t dev, ino_t ino)
{
	for (struct known *k = known; k; k = k->next)
		if (k->dev == dev && k->ino == ino)
			return k;
	return NULL;
}

/* "/dev/shm/uxdp.<instance>.<map>" into its two names; -EBADF if not a map's. */
static int split_path(const char *path, char *inst, char *name)
{
	const char *p = path + strlen(SEG_PREFIX), *dot = strchr(p, '.');
	size_t ilen, nlen;

	if (strncmp(path, SEG_PREFIX, strlen(SEG_PREFIX)) || !dot)
		return -EBADF;
	ilen = (size_t)(dot - p);
	nlen = strlen(dot + 1);
	if (ilen == 0 || ilen >= UXDP_INSTANCE_LEN || nlen == 0 || nlen >= UXDP_MAP_NAME_LEN)
		return -EBADF;
	memcpy(inst, p, ilen);
	inst[ilen] = 0;
	memcpy(name, dot + 1, nlen + 1);
	return 0;
}

/* Open the map the segment behind fd is, and remember it by inode. */
static int learn(int fd, const struct stat *st, struct known **out)
{
	char path[256], inst[UXDP_INSTANCE_LEN], name[UXDP_MAP_NAME_LEN];
	struct uxdp_map *map = NULL;
	struct known *k;
	struct stat now;
	int err;

	if (bpfsys_fd_target(fd, path, sizeof(path)))
		return -EBADF;
	/* A removed segment ("... (deleted)") has no name left to open it by. */
	err = split_path(path, inst, name);
	err = err ?: uxdp_map_open(inst, name, &map);
	if (err)
		return -EBADF;
	if (stat(path, &now) || now.st_ino != st->st_ino || now.st_dev != st->st_dev) {
		uxdp_map_close(map); /* replaced between the two looks */
		return -EBADF;
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		uxdp_map_close(map);
		return -ENOMEM;
	}
	k->dev = st->st_dev;
	k->ino = st->st_ino;
	k->map = map;
	uxdp_map_get_info(map, &k->info);
	k->next = known;
	known = k;
	*out = k;
	return 0;
}

static bool is_shm_file(const struct stat *st)
{
	static dev_t shm_dev;
	static bool have;
	struct stat d;

	if (!S_ISREG(st->st_mode))
		return false;
	if (!__atomic_load_n(&have, __ATOMIC_ACQUIRE)) {
		if (stat(SHM_DIR, &d))
			return false;
		shm_dev = d.st_dev;
		__atomic_store_n(&have, true, __ATOMIC_RELEASE);
	}
	return st->st_dev == shm_dev;
}

int bpfsys_fd_map(int fd, struct bpfsys_map *out)
{
	struct known *k;
	struct stat st;
	int err = 0, fl;

	if (fd < 0 || fstat(fd, &st))
		return -EBADF;
	if (!is_shm_file(&st))
		return 0;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -EBADF;
	pthread_mutex_lock(&lock);
	k = find(st.st_dev, st.st_ino);
	if (!k)
		err = learn(fd, &st, &k);
	if (!err) {
		out->map = k->map;
		out->info = k->info;
		out->fd_mode = (unsigned int)(fl & O_ACCMODE);
	}
	pthread_mutex_unlock(&lock);
	/* Some other file in /dev/shm: not ours, the kernel answers for it. */
	if (err == -EBADF && !k) {
		char path[256];

		if (bpfsys_fd_target(fd, path, sizeof(path)))
			return -EBADF;
		if (strncmp(path, SEG_PREFIX, strlen(SEG_PREFIX)))
			return 0;
	}
	return err ?: 1;
}

bool bpfsys_fd_maps_seen(void)
{
	return __atomic_load_n(&known, __ATOMIC_RELAXED) != NULL;
}

int bpfsys_open_mode(uint32_t bpf_flags)
{
	if (bpf_flags & ~(uint32_t)(BPF_F_RDONLY | BPF_F_WRONLY))
		return -EINVAL;
	if ((bpf_flags & BPF_F_RDONLY) && (bpf_flags & BPF_F_WRONLY))
		return -EINVAL;
	if (bpf_flags & BPF_F_RDONLY)
		return O_RDONLY;
	if (bpf_flags & BPF_F_WRONLY)
		return O_WRONLY;
	return O_RDWR;
}

int bpfsys_fd_open(const char *instance, const char *name, int oflag)
{
	char path[256];
	struct bpfsys_map m;
	int fd, r;

	snprintf(path, sizeof(path), SEG_PREFIX "%s.%s", instance, name);
	fd = open(path, oflag | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	/* Validate now (owner, header) so that a bad segment fails here, not later. */
	r = bpfsys_fd_map(fd, &m);
	if (r != 1) {
		close(fd);
		return r < 0 ? (r == -EBADF ? -ENOENT : r) : -ENOENT;
	}
	return fd;
}
