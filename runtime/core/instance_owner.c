// SPDX-License-Identifier: MIT
/*
 * instance_owner.c - the run record and lock of an instance or interface
 * (uxdp/instance_owner.h).
 *
 * The lock is an open file description lock: it belongs to the descriptor
 * we keep open (close-on-exec, so a compiler we spawn does not inherit it),
 * not to a thread or a pid, and the kernel drops it when the process dies.
 * The record is read and written with pread/pwrite (not mapped), so a file
 * someone truncates cannot fault us; a sequence number, odd while a write
 * is in progress, lets readers retry a torn copy.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <uxdp/clock.h>
#include <uxdp/errmsg.h>
#include <uxdp/instance_owner.h>
#include <uxdp/map.h>
#include <uxdp/stats_shm.h>
#include <uxdp/xsk_ring.h>

#define REC_MAGIC 0x6e757275u /* "urun" */
#define REC_VERSION 1

struct rec {
	uint32_t magic;
	uint32_t version;
	uint32_t seq;       /* odd while being written */
	uint32_t state;
	int32_t pid;
	uint32_t _pad;
	uint64_t start_ns;
	uint64_t end_ns;
	char kind[16];
	char driver[16];
	char socket[108];
	char object[256];
	char programs[256];
	char interfaces[256];
	char instance[64];
};

struct uxdp_instance_owner {
	int fd;
	struct rec r;
	char name[128];
	struct uxdp_instance_owner *next_port; /* the ports this process holds */
};

/*
 * Interface records this process holds, removed by uxdp_ports_release():
 * each is named by its network namespace, so a record left behind would
 * never be claimed again once the namespace is gone (a test's veth).
 */
static struct uxdp_instance_owner *held_ports;

/* Same rule as the maps' instance names: [A-Za-z0-9_-], so the name is a safe path. */
static int rec_name(char *buf, size_t size, const char *prefix, const char *instance)
{
	const char *c;

	if (!*instance || strlen(instance) >= UXDP_INSTANCE_LEN)
		return -EINVAL;
	for (c = instance; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'))
			return -EINVAL;
	return snprintf(buf, size, "/%s%s", prefix, instance) < (int)size ? 0 : -ENAMETOOLONG;
}

/* Ours or root's, a regular file, not writable by others. */
static int check_file(int fd, const char *name, char *err, size_t err_size)
{
	struct stat st;

	if (fstat(fd, &st))
		return uxdp_errmsg(err, err_size, -errno, "/dev/shm%s: %s", name, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return uxdp_errmsg(err, err_size, -EPERM, "/dev/shm%s is not a regular file", name);
	if (st.st_uid != geteuid() && st.st_uid != 0)
		return uxdp_errmsg(err, err_size, -EPERM,
				   "/dev/shm%s belongs to uid %u: refusing it", name,
				   (unsigned int)st.st_uid);
	if (st.st_mode & S_IWOTH)
		return uxdp_errmsg(err, err_size, -EPERM,
				   "/dev/shm%s is writable by anyone: refusing it", name);
	return 0;
}

/* A consistent copy of the record, retried while a writer is in the middle. */
static int read_rec(int fd, struct rec *r)
{
	uint32_t seq;
	int tries;

	for (tries = 0; tries < 100; tries++) {
		if (pread(fd, r, sizeof(*r), 0) != (ssize_t)sizeof(*r))
			return -ENOENT;
		if (r->magic != REC_MAGIC || r->version != REC_VERSION)
			return -EPROTO;
		if (pread(fd, &seq, sizeof(seq), offsetof(struct rec, seq)) != sizeof(seq))
			return -ENOENT;
		if (!(seq & 1) && seq == r->seq) {
			r->kind[sizeof(r->kind) - 1] = 0;
			r->driver[sizeof(r->driver) - 1] = 0;
			r->socket[sizeof(r->socket) - 1] = 0;
			r->object[sizeof(r->object) - 1] = 0;
			r->programs[sizeof(r->programs) - 1] = 0;
			r->interfaces[sizeof(r->interfaces) - 1] = 0;
			r->instance[sizeof(r->instance) - 1] = 0;
			return 0;
		}
		usleep(1000);
	}
	return -EAGAIN;
}

/* Odd sequence, the body, even sequence: a reader sees a whole record or retries. */
static void write_rec(struct uxdp_instance_owner *o)
{
	o->r.seq |= 1;
	if (pwrite(o->fd, &o->r.seq, sizeof(o->r.seq), offsetof(struct rec, seq)) < 0)
		return;
	if (pwrite(o->fd, &o->r, sizeof(o->r), 0) < 0)
		return;
	o->r.seq++;
	(void)pwrite(o->fd, &o->r.seq, sizeof(o->r.seq), offsetof(struct rec, seq));
}

static void info_from(struct uxdp_owner_info *out, const struct rec *r, bool alive)
{
	memset(out, 0, sizeof(*out));
	out->alive = alive;
	out->state = r->state;
	out->pid = r->pid;
	out->start_ns = r->start_ns;
	out->end_ns = r->end_ns;
	memcpy(out->kind, r->kind, sizeof(out->kind));
	memcpy(out->driver, r->driver, sizeof(out->driver));
	memcpy(out->socket, r->socket, sizeof(out->socket));
	memcpy(out->object, r->object, sizeof(out->object));
	memcpy(out->programs, r->programs, sizeof(out->programs));
	memcpy(out->interfaces, r->interfaces, sizeof(out->interfaces));
	memcpy(out->instance, r->instance, sizeof(out->instance));
}

/* Whether another open file description holds a lock on fd's file. */
static bool locked(int fd)
{
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	if (fcntl(fd, F_OFD_GETLK, &l))
		return false;
	return l.l_type != F_UNLCK;
}

static void describe_holder(int fd, const char *what, char *err, size_t err_size)
{
	struct rec r;

	if (read_rec(fd, &r) == 0 && r.pid)
		uxdp_errmsg(err, err_size, -EBUSY, "%s is in use by %s (pid %d%s%s%s%s)", what,
			    r.kind, r.pid, r.instance[0] ? ", instance " : "", r.instance,
			    r.socket[0] ? ", socket " : "", r.socket);
	else
		uxdp_errmsg(err, err_size, -EBUSY, "%s is in use by another data plane", what);
}

/* Does name still lead to the file fd has open (not unlinked and made anew)? */
static bool same_file(int fd, const char *name)
{
	char path[160];
	struct stat a, b;

	snprintf(path, sizeof(path), "/dev/shm%s", name);
	return !fstat(fd, &a) && !stat(path, &b) && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static int claim_once(const char *name, const char *what, const char *instance, const char *kind,
		      struct uxdp_instance_owner **out, struct uxdp_owner_info *prev, char *err,
		      size_t err_size)
{
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct uxdp_instance_owner *o;
	struct rec old;
	int ret;

	*out = NULL;
	if (prev)
		memset(prev, 0, sizeof(*prev));
	o = calloc(1, sizeof(*o));
	if (!o)
		return uxdp_errmsg(err, err_size, -ENOMEM, "out of memory");
	o->fd = shm_open(name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (o->fd < 0) {
		ret = uxdp_errmsg(err, err_size, -errno, "/dev/shm%s: %s", name, strerror(errno));
		free(o);
		return ret;
	}
	ret = check_file(o->fd, name, err, err_size);
	if (ret)
		goto fail;
	if (fcntl(o->fd, F_OFD_SETLK, &l)) {
		ret = -errno;
		if (ret == -EAGAIN || ret == -EACCES) {
			describe_holder(o->fd, what, err, err_size);
			ret = -EBUSY;
		} else {
			uxdp_errmsg(err, err_size, ret, "/dev/shm%s: lock: %s", name,
				    strerror(-ret));
		}
		goto fail;
	}
	if (!same_file(o->fd, name)) {
		/* Its releasing owner unlinked it after we opened it: open the new one. */
		close(o->fd);
		free(o);
		return -EAGAIN;
	}
	if (prev && read_rec(o->fd, &old) == 0)
		info_from(prev, &old, false);
	o->r.magic = REC_MAGIC;
	o->r.version = REC_VERSION;
	o->r.state = UXDP_OWNER_RUNNING;
	o->r.pid = (int32_t)getpid();
	o->r.start_ns = uxdp_realtime_ns();
	snprintf(o->r.kind, sizeof(o->r.kind), "%s", kind);
	snprintf(o->r.instance, sizeof(o->r.instance), "%s", instance);
	if (ftruncate(o->fd, sizeof(o->r))) {
		ret = uxdp_errmsg(err, err_size, -errno, "/dev/shm%s: %s", name, strerror(errno));
		goto fail;
	}
	snprintf(o->name, sizeof(o->name), "%s", name);
	write_rec(o);
	*out = o;
	return 0;
fail:
	close(o->fd);
	free(o);
	return ret;
}

static int claim(const char *name, const char *what, const char *instance, const char *kind,
		 struct uxdp_instance_owner **out, struct uxdp_owner_info *prev, char *err,
		 size_t err_size)
{
	int ret, tries = 0;

	do
		ret = claim_once(name, what, instance, kind, out, prev, err, err_size);
	while (ret == -EAGAIN && ++tries < 8);
	if (ret == -EAGAIN)
		ret = uxdp_errmsg(err, err_size, -EBUSY, "%s: its record keeps being replaced", what);
	return ret;
}

int uxdp_instance_claim(const char *instance, const char *kind, struct uxdp_instance_owner **out,
			struct uxdp_owner_info *prev, char *err, size_t err_size)
{
	char name[128], what[128];
	int ret = rec_name(name, sizeof(name), UXDP_RUN_PREFIX, instance);

	if (ret)
		return uxdp_errmsg(err, err_size, ret, "bad instance name '%s'", instance);
	snprintf(what, sizeof(what), "instance %s", instance);
	return claim(name, what, instance, kind, out, prev, err, err_size);
}

int uxdp_port_claim(uint32_t ifindex, const char *instance, const char *kind,
		    struct uxdp_instance_owner **out, char *err, size_t err_size)
{
	char name[128], what[128], id[64];
	struct stat ns;
	int ret;

	/* Interface numbers are per network namespace: the namespace is part of the name. */
	if (stat("/proc/self/ns/net", &ns))
		ns.st_ino = 0;
	snprintf(id, sizeof(id), "%llu-%u", (unsigned long long)ns.st_ino, ifindex);
	ret = rec_name(name, sizeof(name), UXDP_PORT_PREFIX, id);
	if (ret)
		return uxdp_errmsg(err, err_size, ret, "interface %u: %s", ifindex, strerror(-ret));
	snprintf(what, sizeof(what), "interface %u", ifindex);
	ret = claim(name, what, instance, kind, out, NULL, err, err_size);
	if (!ret) {
		(*out)->next_port = held_ports;
		held_ports = *out;
	}
	return ret;
}

void uxdp_ports_release(void)
{
	struct uxdp_instance_owner *o;

	while ((o = held_ports)) {
		held_ports = o->next_port;
		/* Unlinked while locked: a claimer that opened it sees the name gone and retries. */
		shm_unlink(o->name);
		close(o->fd);
		free(o);
	}
}

int uxdp_port_claim_names(const char *names, const char *instance, const char *kind, char *err,
			  size_t err_size)
{
	char buf[512], *save = NULL, *name;
	struct uxdp_instance_owner *o;
	unsigned int ifx;
	size_t n;
	int ret;

	snprintf(buf, sizeof(buf), "%s", names);
	for (name = strtok_r(buf, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		ifx = if_nametoindex(name);
		if (!ifx)
			continue;
		ret = uxdp_port_claim(ifx, instance, kind, &o, err, err_size);
		if (ret) {
			n = err ? strlen(err) : 0;
			if (n < err_size)
				snprintf(err + n, err_size - n, " (%s)", name);
			return ret;
		}
	}
	return 0;
}

void uxdp_instance_owner_set(struct uxdp_instance_owner *o, enum uxdp_owner_field f,
			     const char *value)
{
	char *dst;
	size_t size;

	if (!o)
		return;
	switch (f) {
	case UXDP_OWNER_DRIVER: dst = o->r.driver; size = sizeof(o->r.driver); break;
	case UXDP_OWNER_SOCKET: dst = o->r.socket; size = sizeof(o->r.socket); break;
	case UXDP_OWNER_OBJECT: dst = o->r.object; size = sizeof(o->r.object); break;
	case UXDP_OWNER_PROGRAMS: dst = o->r.programs; size = sizeof(o->r.programs); break;
	case UXDP_OWNER_INTERFACES: dst = o->r.interfaces; size = sizeof(o->r.interfaces); break;
	default: return;
	}
	snprintf(dst, size, "%s", value ? value : "");
	write_rec(o);
}

void uxdp_instance_release(struct uxdp_instance_owner *o)
{
	if (!o)
		return;
	o->r.state = UXDP_OWNER_EXITED;
	o->r.end_ns = uxdp_realtime_ns();
	write_rec(o);
	close(o->fd); /* drops the lock */
	free(o);
}

int uxdp_instance_owner_read(const char *instance, struct uxdp_owner_info *out)
{
	char name[128];
	struct rec r;
	int fd, ret = rec_name(name, sizeof(name), UXDP_RUN_PREFIX, instance);

	if (ret)
		return ret;
	fd = shm_open(name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = check_file(fd, name, NULL, 0);
	if (!ret)
		ret = read_rec(fd, &r);
	if (!ret)
		info_from(out, &r, locked(fd));
	close(fd);
	return ret;
}

void uxdp_instance_reclaim(const char *instance, bool keep_maps)
{
	if (!keep_maps)
		uxdp_map_unlink_instance(instance);
	uxdp_xsk_ring_unlink_instance(instance);
	uxdp_stats_shm_unlink(instance);
}

int uxdp_instance_forget(const char *instance)
{
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char name[128];
	int fd, ret = rec_name(name, sizeof(name), UXDP_RUN_PREFIX, instance);

	if (ret)
		return ret;
	fd = shm_open(name, O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = check_file(fd, name, NULL, 0);
	/* Unlinked under the lock: a data plane claiming now waits for none. */
	if (!ret && fcntl(fd, F_OFD_SETLK, &l))
		ret = errno == EAGAIN || errno == EACCES ? -EBUSY : -errno;
	if (!ret && shm_unlink(name))
		ret = -errno;
	close(fd);
	return ret;
}
