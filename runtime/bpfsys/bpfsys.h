/* SPDX-License-Identifier: MIT */
/*
 * bpfsys.h - uxdp's bpf() syscall layer (libuxdp-bpfsys.so), private header.
 *
 * The library is preloaded (uxdp-run) into an unmodified libbpf program or
 * bpftool.  It interposes libc's syscall(), through which libbpf issues
 * every bpf(2) call, and serves the map commands on uxdp's shared-memory
 * maps of one instance (UXDP_INSTANCE, else "default"), and the creation
 * of maps and the loading and attaching of XDP programs into the
 * instance's uxdpd (create.c, prog.c, link.c, linkupd.c, linkids.c,
 * netlink.c for rtnetlink's IFLA_XDP).  Everything else goes to the kernel or is refused; the table
 * is in docs/control-plane.md.
 * It also interposes readlink() and fopen() so that a map fd's
 * /proc/self/fd link and fdinfo read as a kernel map's (interpose.c,
 * fdinfo.c), and hands out a map's key/value BTF the kernel's way: loaded
 * into the kernel, its btf_id in the map's info (btf.c).
 *
 * A map descriptor handed out is a real file descriptor: the map's segment
 * /dev/shm/uxdp.<instance>.<map> opened with the access mode the caller
 * asked for (O_RDWR, or O_RDONLY / O_WRONLY for BPF_F_RDONLY / BPF_F_WRONLY)
 * and O_CLOEXEC, as the kernel's map fds are.  So close, dup, fork and exec
 * behave as with kernel fds, and the fd itself says which map it is (its
 * device and inode, its /proc/self/fd link) and what it may do (its mode).
 *
 * Every function here returns 0 (or a descriptor) or a negative errno, with
 * the kernel's values for the kernel's cases.
 */
#ifndef UXDP_BPFSYS_H
#define UXDP_BPFSYS_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <uxdp/daemon_client.h>
#include <uxdp/map.h>

#define BPFSYS_EXPORT __attribute__((visibility("default")))

/* The attr as the kernel sees it: the caller's bytes, zero-extended. */
struct bpfsys_call {
	int cmd;
	union bpf_attr attr;
	void *uattr;	   /* the caller's attr: some commands write back into it */
	unsigned int size; /* the caller's size */
};

/* ---- interpose.c: the real libc, and messages ---- */

long bpfsys_real_syscall(long nr, long a, long b, long c, long d, long e, long f);
long bpfsys_real_readlink(const char *path, char *buf, size_t len);
/* What fd's /proc/self/fd link names, NUL-terminated in buf: 0, or -EBADF. */
int bpfsys_fd_target(int fd, char *buf, size_t size);
/* N of "/proc/self/DIR/N" or "/proc/<our pid>/DIR/N" (DIR "fd", "fdinfo"), else -1. */
int bpfsys_proc_self_fd(const char *path, const char *dir);
/* The kernel's answer to a call: pass it through unchanged (-errno or result). */
long bpfsys_kernel(const struct bpfsys_call *c);
/* One stderr line per command and process: "uxdp-bpfsys: <cmd name>: <why>". */
void bpfsys_say_once(int cmd, const char *why);
const char *bpfsys_cmd_name(int cmd);
/* The instance this process serves (UXDP_INSTANCE, else "default"). */
const char *bpfsys_instance(void);

/* ---- user_mem.c: copies that fail with -EFAULT, as copy_from_user does ---- */

int bpfsys_copy_in(void *dst, uint64_t src, size_t n);
int bpfsys_copy_out(uint64_t dst, const void *src, size_t n);
/* Whether bytes [from, to) of the attr are all zero (the kernel's CHECK_ATTR). */
bool bpfsys_attr_zero_from(const struct bpfsys_call *c, size_t from);
/* Where union bpf_attr's field ends: a command's attr is zero from there on. */
#define ATTR_END(field) (offsetof(union bpf_attr, field) + sizeof(((union bpf_attr *)0)->field))

/* ---- fdmap.c: descriptors ---- */

struct bpfsys_map {
	struct uxdp_map *map; /* owned by fdmap.c, kept for the process's life */
	struct uxdp_map_info info;
	unsigned int fd_mode; /* O_RDONLY, O_WRONLY or O_RDWR of the descriptor */
};

/*
 * The uxdp map behind fd, in *out.  1 when fd is one of ours, 0 when it is
 * not (the caller passes the call to the kernel), -EBADF for a closed fd or
 * a uxdp segment that cannot be served (removed, damaged).
 */
int bpfsys_fd_map(int fd, struct bpfsys_map *out);
/* A new descriptor on map name of instance (oflag: O_RDONLY/O_WRONLY/O_RDWR). */
int bpfsys_fd_open(const char *instance, const char *name, int oflag);
/* BPF_F_RDONLY / BPF_F_WRONLY (or 0) as an open(2) access mode; -EINVAL if both/other bits. */
int bpfsys_open_mode(uint32_t bpf_flags);

/* ---- elem.c: keys and values across the boundary ---- */

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's internal "not supported", which bpf(2) returns */
#endif

/* A value buffer in uxdp's layout and one in the caller's (the same one if equal). */
struct values {
	void *ux, *user;
	size_t ux_bytes, user_bytes;
};

int bpfsys_values_alloc(struct bpfsys_map *m, struct values *v);
void bpfsys_values_free(struct values *v);
/* v->ux to the caller's layout (per-CPU: a slot per possible CPU) at uptr. */
int bpfsys_value_out(struct bpfsys_map *m, struct values *v, uint64_t uptr);
/* The caller's value at uptr into v->ux. */
int bpfsys_value_in(struct bpfsys_map *m, struct values *v, uint64_t uptr);
/* key_size bytes from ukey into a new *key (NULL for keyless maps); caller frees. */
int bpfsys_key_in(const struct bpfsys_map *m, uint64_t ukey, void **key);
/* The runtime's -EOPNOTSUPP as bpf(2)'s -ENOTSUPP. */
int bpfsys_kernel_errno(int err);
bool bpfsys_can_read(const struct bpfsys_map *m);
bool bpfsys_can_write(const struct bpfsys_map *m);

/* ---- btf.c: a map's BTF as a kernel BTF object ---- */

struct bpfsys_btf {
	uint32_t btf_id; /* the kernel's id of the loaded BTF; 0: none */
	uint32_t key_type_id;
	uint32_t value_type_id;
};

/* m's BTF for its bpf_map_info, loaded once per process; all 0 when there is none. */
void bpfsys_map_btf(const struct bpfsys_map *m, struct bpfsys_btf *out);
/* Bytes of kind-specific data after a struct btf_type; -1 for a kind it does not know. */
struct btf_type;
long bpfsys_btf_extra_bytes(const struct btf_type *t);

/* ---- the served commands (ids.c, elem.c, batch.c, pin.c) ---- */

long bpfsys_map_get_next_id(struct bpfsys_call *c);
long bpfsys_map_get_fd_by_id(struct bpfsys_call *c);
long bpfsys_obj_get_info_by_fd(struct bpfsys_call *c);
long bpfsys_map_lookup_elem(struct bpfsys_call *c);
long bpfsys_map_update_elem(struct bpfsys_call *c);
long bpfsys_map_delete_elem(struct bpfsys_call *c);
long bpfsys_map_get_next_key(struct bpfsys_call *c);
long bpfsys_map_lookup_and_delete_elem(struct bpfsys_call *c);
long bpfsys_map_batch(struct bpfsys_call *c);
long bpfsys_obj_get(struct bpfsys_call *c);
long bpfsys_obj_pin(struct bpfsys_call *c);
long bpfsys_map_freeze(struct bpfsys_call *c);

/* ---- daemon.c, create.c, prog.c, link.c: maps and programs made for uxdpd ---- */

/* This process's connection to its instance's uxdpd (opened once); err says why not. */
int bpfsys_daemon(struct uxdp_daemon **out, char *err, size_t err_size);
/* The daemon, or NULL when none answers (the program and link id commands then go to the kernel). */
struct uxdp_daemon *bpfsys_daemon_or_null(void);
/* BPF_{PROG,LINK}_GET_NEXT_ID's answer from the daemon's ids (ids.c): the smallest above start_id. */
long bpfsys_next_id_out(const struct bpfsys_call *c, const uint32_t *ids, size_t n);
/* The daemon's workers, 0 when none answers (per-CPU maps then get a slot per CPU). */
unsigned int bpfsys_daemon_workers(void);
/* CPUs in /sys/devices/system/cpu/possible: the kernel's per-CPU slots. */
unsigned int bpfsys_possible_cpus(void);
/* The map types whose values are per CPU (a slot per possible CPU through bpf(2)). */
bool bpfsys_is_percpu(uint32_t type);
/* A map made by BPF_MAP_CREATE that a loaded program uses: kept at exit. */
void bpfsys_map_mark_used(const char *name);

/* What a uxdp program descriptor stands for (the daemon's reference to it: objfd.c). */
struct bpfsys_prog {
	char instance[UXDP_INSTANCE_LEN];
	uint32_t id;			 /* the daemon's program id */
	uint32_t type;			 /* BPF_PROG_TYPE_XDP */
	/* bpfsys_prog_describe()'s: */
	char name[BPF_OBJ_NAME_LEN];
	uint8_t tag[8];
	uint32_t n_maps;
	uint32_t map_ids[64];
};

/* A uxdp link descriptor: the daemon's reference to the link (linkfd.c). */
struct bpfsys_link {
	char instance[UXDP_INSTANCE_LEN];
	uint32_t link_id;
};
/*
 * 1, the instance and the id when fd is a daemon's reference whose name
 * starts with prefix (UXDP_LINK_REF_PREFIX, UXDP_PROG_REF_PREFIX); 0 when
 * it is something else; -EBADF closed.
 */
int bpfsys_ref_fd(int fd, const char *prefix, char *instance, size_t instance_size, uint32_t *id);
/* 1 and *l when fd is a uxdp link, 0 when it is something else, -EBADF closed. */
int bpfsys_link_fd(int fd, struct bpfsys_link *l);

/*
 * 1 and p's instance, id and type when fd is a uxdp program of this
 * process's instance; 0 something else (another instance's too); -EBADF closed.
 */
int bpfsys_prog_fd(int fd, struct bpfsys_prog *p);
/* p's name, tag and map ids (the loader's record, else the daemon's); -EBADF: not loaded. */
int bpfsys_prog_describe(struct bpfsys_prog *p);
/* A descriptor for program reference ref_fd numbered as the kernel's (the lowest free). */
int bpfsys_prog_fd_lowest(int ref_fd);

/* true, and p's name, tag and map ids, if this process loaded program p->id. */
bool bpfsys_prog_known(struct bpfsys_prog *p);

/* ---- progobj.c, testrun.c: a uxdp program run in this process ---- */

struct uxdp_program;
/*
 * p compiled and opened on the instance's maps (once per process, kept);
 * *ncpus its per-CPU slots (0: online CPUs).  -EOPNOTSUPP for a program
 * this process did not load; the reason in why.
 */
int bpfsys_prog_runnable(const struct bpfsys_prog *p, const struct uxdp_program **prog,
			 unsigned int *ncpus, char *why, size_t why_size);
/* BPF_PROG_TEST_RUN: on a uxdp program fd served, else the kernel's. */
long bpfsys_prog_test_run(struct bpfsys_call *c);

long bpfsys_map_create(struct bpfsys_call *c);

/* mapbtf.c: a map's key/value BTF, from BPF_MAP_CREATE's btf_fd and type ids. */
struct bpfsys_blob {
	uint8_t *data; /* NULL: none; else the caller frees */
	uint32_t size;
	uint32_t key_type_id, value_type_id; /* ids in data */
};
/* The blob for attr a (none if it names no type); -EBADF/-EINVAL as the kernel's checks. */
int bpfsys_create_btf(const union bpf_attr *a, struct bpfsys_blob *out);
long bpfsys_prog_get_next_id(struct bpfsys_call *c);
long bpfsys_prog_get_fd_by_id(struct bpfsys_call *c);
/* A new descriptor for the instance's program id in its uxdpd (-ENOENT: not loaded). */
int bpfsys_prog_open_id(uint32_t id);

/* ---- pin.c, progpin.c: pins on a bpf file system (symbolic links) ---- */
/* A symbolic link at path (on a bpf file system, else -EPERM) to target. */
int bpfsys_pin_symlink(const char *target, const char *path);
/* fd a uxdp program or link (1), neither (0), closed (-EBADF). */
int bpfsys_prog_pin_kind(int fd);
/* BPF_OBJ_PIN of the uxdp program or link fd at path: held by the daemon until rm. */
int bpfsys_prog_pin(int cmd, int fd, const char *path);
/* BPF_OBJ_GET of a program or link pin: a new fd; -ENOENT if path is none. */
int bpfsys_prog_pin_get(int cmd, const char *path);
long bpfsys_prog_load(struct bpfsys_call *c);
long bpfsys_prog_bind_map(struct bpfsys_call *c);
long bpfsys_link_create(struct bpfsys_call *c);
long bpfsys_link_detach(struct bpfsys_call *c);
/* linkupd.c: BPF_LINK_UPDATE of a uxdp XDP link. */
long bpfsys_link_update(struct bpfsys_call *c);
/* linkids.c: the link id space, the instance's uxdpd's. */
long bpfsys_link_get_next_id(struct bpfsys_call *c);
long bpfsys_link_get_fd_by_id(struct bpfsys_call *c);
/* BPF_OBJ_GET_INFO_BY_FD on a uxdp program or link fd: 0 if fd is neither. */
long bpfsys_prog_info(struct bpfsys_call *c, bool *handled);

/* ---- netlink.c, nlquery.c, nlqueue.c: rtnetlink's IFLA_XDP for uxdp ---- */

struct msghdr;
struct uxdp_dmsg_port;
/* An answer for the netlink socket fd, which its next recv*() returns. */
void bpfsys_nl_enqueue(int fd, const void *data, size_t len);
long bpfsys_nl_real_sendmsg(int fd, const struct msghdr *msg, int flags);
long bpfsys_nl_real_recvmsg(int fd, struct msghdr *msg, int flags);
/* The daemon's ports (at most cap; 0 when no daemon answers), and what runs on one. */
size_t bpfsys_nl_daemon_ports(struct uxdp_dmsg_port *ports, size_t cap);
uint32_t bpfsys_nl_port_prog(const struct uxdp_dmsg_port *ports, size_t n, uint32_t ifindex,
			     bool *found);
/* An RTM_GETLINK sent and its answer queued, rewritten for the daemon's ports: 1; 0 not taken. */
int bpfsys_nl_getlink(int fd, const struct msghdr *msg, int flags, long *sent);

/* ---- ready.c: when a ring buffer fd is ready (stand-ins to wait on) ---- */

struct bpfsys_ring;

/*
 * The readiness of ring buffer map (idx -1) or of ring idx of a perf event
 * array, made once per process; NULL with *err.
 */
struct bpfsys_ring *bpfsys_ring_of(struct uxdp_map *map, int64_t idx, int *err);
/* The eventfd poll()/select() wait on for r, made readable now iff r has data. */
int bpfsys_ring_poll_fd(struct bpfsys_ring *r);
/* Its eventfd, readable while the ring is ready (kept by ready.c). */
int bpfsys_ring_efd(const struct bpfsys_ring *r);
/* A user (an epoll registration) more, or less: a waker thread runs while there is one. */
int bpfsys_ring_hold(struct bpfsys_ring *r);
void bpfsys_ring_release(struct bpfsys_ring *r);
/* Ready now if the ring has data (epoll ADD and MOD). */
void bpfsys_ring_ready_if_data(struct bpfsys_ring *r);
/* Before a wait: an empty ring stops being ready (and a waker lost in a fork restarts). */
void bpfsys_ring_before_wait(struct bpfsys_ring *r);
/* A new descriptor that always reports an error (EPOLLERR), as a map without poll. */
int bpfsys_error_stand_in(void);
/*
 * The descriptor poll()/select() wait on in place of m's: a ring buffer's
 * eventfd, readable iff it has data now or gets a wakeup; for another type,
 * one that always reports POLLERR.  Kept by ready.c.  -errno on failure.
 */
int bpfsys_poll_stand_in(const struct bpfsys_map *m);

/* ---- epoll.c: uxdp map fds in epoll sets ---- */

/* Whether any uxdp map fd is registered in an epoll set. */
bool bpfsys_epoll_in_use(void);
/* Before a wait on epfd (or on a poll set holding it): its empty rings stop being ready. */
void bpfsys_epoll_before_wait(int epfd);
/* fdmap.c: whether this process has met a uxdp map fd. */
bool bpfsys_fd_maps_seen(void);

/* ---- perf.c: libbpf's perf buffers on a uxdp perf event array ---- */

/* Whether this process has a BPF output perf event open (the fast paths). */
bool bpfsys_perf_any(void);
/* perf_event_open() gave fd for the attr at uattr: remembered if a BPF output event. */
void bpfsys_perf_opened(int fd, const void *uattr);
/* BPF_MAP_UPDATE_ELEM on the uxdp perf event array m: binds a perf event's fd. */
long bpfsys_perf_update(struct bpfsys_call *c, struct bpfsys_map *m);
/* BPF_MAP_DELETE_ELEM of (map, idx) succeeded. */
void bpfsys_perf_deleted(uint32_t map_id, uint32_t idx);
/* close(fd) is coming: a perf event leaves its slot and the table. */
void bpfsys_perf_closed(int fd);
/* Whether fd is a BPF output event of ours, and mmap() of one. */
bool bpfsys_perf_is_event(int fd);
void *bpfsys_perf_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
/* The readiness of a bound event's ring; NULL if fd is not one. */
struct bpfsys_ring *bpfsys_perf_ring(int fd);

/* The virtual pin directory: /sys/fs/bpf/uxdp/<instance>/<map>. */
#define BPFSYS_PIN_ROOT "/sys/fs/bpf/uxdp/"

#endif /* UXDP_BPFSYS_H */
