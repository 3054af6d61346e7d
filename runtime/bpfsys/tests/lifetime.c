// SPDX-License-Identifier: MIT
/*
 * lifetime.c - how long XDP programs and links live, written against
 * libbpf only and run unchanged on the kernel and under uxdp-run against
 * uxdpd (lifetime_test.sh compares the two outputs line by line).  Every
 * program is the two-instruction "return XDP_PASS", loaded with
 * bpf_prog_load(); "attached"/"none" is what rtnetlink says runs on the
 * interface (bpf_xdp_query_id).
 *
 *   lifetime close IFNAME      a link; dup its fd; close the first: still
 *                              attached; close the dup: detached
 *   lifetime detach IFNAME     a link detached (BPF_LINK_DETACH) while its fd is
 *                              open: listed by id, its info; after close: not
 *   lifetime fork IFNAME       a link; fork; the parent closes its fd: still
 *                              attached; the child exits: detached
 *   lifetime hold IFNAME [IDFILE]  a link (its id in IDFILE); print "ready"
 *                              and sleep (to be killed)
 *   lifetime linkpin IFNAME PATH   a link pinned at PATH; exit
 *   lifetime linkget IFNAME PATH   the link from its pin: its info, an update
 *                              to a new program (and its info), then exit
 *   lifetime state IFNAME [wait]   attached or none (wait: up to 5 s for none)
 *   lifetime progpin PATH IDFILE   a program pinned at PATH (its id in IDFILE); exit
 *   lifetime progget PATH      the program from its pin: name, gpl_compatible
 *   lifetime proghold PATH     the program from its pin, its fd held until a
 *                              line comes on stdin
 *   lifetime progid IDFILE [wait]  the program of that id exists or is gone
 *                              (wait: up to 5 s for gone)
 *   lifetime license LICENSE...    gpl_compatible of a program under each
 *   lifetime globals OBJ IDFILE    OBJ loaded by libbpf (not attached), the
 *                              ids of its global-data maps (.rodata, .data,
 *                              .bss) in IDFILE; exit
 *   lifetime mapids IDFILE     each of those maps: gone (up to 5 s) or still there
 *
 * A program goes with the last fd that refers to it, unless something
 * else (a link, an attachment, a pin) holds it; "gone" is
 * bpf_prog_get_fd_by_id's ENOENT, asked right after the close:
 *   lifetime progfds           load and close: gone; dup, close one: there,
 *                              the other: gone; fork, the parent closes:
 *                              there, the child exits: gone; an fd passed by
 *                              SCM_RIGHTS; one inherited across exec
 *   lifetime progkeep IDFILE   a program (its id in IDFILE); "ready"; sleep
 *   lifetime progpinclose PATH a program pinned at PATH, its fd closed:
 *                              there; the pin removed: gone (up to 5 s)
 *   lifetime reload IFNAME N   v1 on a link; N times: load v2, update the
 *                              link to it, close v1's fd; the programs of
 *                              that name loaded (a bpf_prog_get_next_id
 *                              walk): 1; the link and fd closed: 0
 *   lifetime execd FD ID       (progfds' exec) whether FD is program ID
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int die(const char *what, int err)
{
	fprintf(stderr, "lifetime: %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

static int load(const char *name, const char *license)
{
	struct bpf_insn pass[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_XDP, name, license, pass, 2, NULL);
}

static uint32_t prog_id(int fd)
{
	struct bpf_prog_info pi = { 0 };
	uint32_t len = sizeof(pi);

	return bpf_obj_get_info_by_fd(fd, &pi, &len) ? 0 : pi.id;
}

static int attached(unsigned int ifindex)
{
	uint32_t id = 0;
	int err = bpf_xdp_query_id((int)ifindex, 0, &id);

	return err ? err : id != 0;
}

static void state(const char *when, unsigned int ifindex)
{
	int a = attached(ifindex);

	printf("%s: %s\n", when, a < 0 ? strerror(-a) : a ? "attached" : "none");
	fflush(stdout);
}

/* Up to 5 s for the interface to run nothing (the daemon learns of a close by polling). */
static void wait_none(const char *when, unsigned int ifindex)
{
	struct timespec t0, t1;
	int i = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (attached(ifindex) == 1 && i++ < 5000)
		usleep(1000);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* How long the detach took to show (stderr: the kernel's and uxdp's differ). */
	fprintf(stderr, "lifetime: %s: none after %ld us\n", when,
		(long)((t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000));
	state(when, ifindex);
}

/* A new program attached to ifindex by a link: the link's fd. */
static int link_up(unsigned int ifindex)
{
	int prog = load("lt_pass", "GPL"), link;

	if (prog < 0)
		return prog;
	link = bpf_link_create(prog, (int)ifindex, BPF_XDP, NULL);
	close(prog); /* the link holds it */
	return link < 0 ? -errno : link;
}

static int do_close(unsigned int ifindex)
{
	int link = link_up(ifindex), dup_fd;

	if (link < 0)
		return die("link", link);
	state("link made", ifindex);
	dup_fd = dup(link);
	close(link);
	state("first fd closed, its dup open", ifindex);
	close(dup_fd);
	wait_none("last fd closed", ifindex);
	return 0;
}

/* Whether BPF_LINK_GET_NEXT_ID walks past link id (up to 5 s for it to go, with wait). */
static const char *listed(uint32_t id, bool wait)
{
	for (int i = 0; i < 250; i++) {
		uint32_t next = 0;
		bool found = false;

		while (!found && !bpf_link_get_next_id(next, &next))
			found = next == id;
		if (found != wait)
			return found ? "listed" : "not listed";
		usleep(20000);
	}
	return wait ? "still listed" : "not listed";
}

static int do_detach(unsigned int ifindex)
{
	struct bpf_link_info li = { 0 };
	uint32_t len = sizeof(li);
	int link = link_up(ifindex);

	if (link < 0)
		return die("link", link);
	if (bpf_obj_get_info_by_fd(link, &li, &len))
		return die("bpf_obj_get_info_by_fd", errno);
	printf("link: %s\n", listed(li.id, false));
	printf("link_detach: %s\n", bpf_link_detach(link) ? strerror(errno) : "ok");
	state("detached, its fd open", ifindex);
	printf("detached link: %s\n", listed(li.id, false));
	memset(&li, 0, sizeof(li));
	len = sizeof(li);
	if (!bpf_obj_get_info_by_fd(link, &li, &len))
		printf("detached link: type %u, ifindex %u, runs %s\n", li.type, li.xdp.ifindex,
		       li.prog_id ? "its last program" : "nothing");
	close(link);
	printf("its fd closed: %s\n", listed(li.id, true));
	return 0;
}

static int do_fork(unsigned int ifindex)
{
	int link = link_up(ifindex), go[2], status;
	pid_t child;
	char c;

	if (link < 0)
		return die("link", link);
	if (pipe(go))
		return die("pipe", errno);
	fflush(stdout);
	child = fork();
	if (child < 0)
		return die("fork", errno);
	if (child == 0) { /* holds its copy of the link fd until told to go */
		close(go[1]);
		if (read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(go[0]);
	close(link);
	state("parent closed its fd, the child holds one", ifindex);
	close(go[1]);
	waitpid(child, &status, 0);
	wait_none("the child exited", ifindex);
	return 0;
}

static int do_hold(unsigned int ifindex, const char *idfile)
{
	struct bpf_link_info li = { 0 };
	uint32_t len = sizeof(li);
	int link = link_up(ifindex);
	FILE *f;

	if (link < 0)
		return die("link", link);
	if (idfile) {
		f = fopen(idfile, "w");
		if (!f || bpf_obj_get_info_by_fd(link, &li, &len))
			return die(idfile, errno);
		fprintf(f, "%u\n", li.id);
		fclose(f);
	}
	state("link made", ifindex);
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

static int do_linkpin(unsigned int ifindex, const char *path)
{
	int link = link_up(ifindex);

	if (link < 0)
		return die("link", link);
	if (bpf_obj_pin(link, path))
		return die("bpf_obj_pin of the link", errno);
	printf("link pinned\n");
	return 0;
}

static void link_info(const char *when, int link, unsigned int ifindex, int prog)
{
	struct bpf_link_info li = { 0 };
	uint32_t len = sizeof(li);

	if (bpf_obj_get_info_by_fd(link, &li, &len)) {
		printf("%s: info: %s\n", when, strerror(errno));
		return;
	}
	printf("%s: type %u, %s, %s\n", when, li.type,
	       li.xdp.ifindex == ifindex ? "on the interface" : "not on the interface",
	       prog < 0 ? "" : li.prog_id == prog_id(prog) ? "runs the new program"
							: "runs another program");
}

static int do_linkget(unsigned int ifindex, const char *path)
{
	int link = bpf_obj_get(path), prog;

	if (link < 0)
		return die("bpf_obj_get of the link pin", errno);
	link_info("link from its pin", link, ifindex, -1);
	prog = load("lt_pass2", "GPL");
	if (prog < 0)
		return die("prog load", prog);
	printf("link update: %s\n", bpf_link_update(link, prog, NULL) ? strerror(errno) : "ok");
	link_info("updated link", link, ifindex, prog);
	return 0;
}

static int do_progpin(const char *path, const char *idfile)
{
	int prog = load("lt_pinned", "Dual BSD/GPL");
	FILE *f;

	if (prog < 0)
		return die("prog load", prog);
	if (bpf_obj_pin(prog, path))
		return die("bpf_obj_pin of the program", errno);
	f = fopen(idfile, "w");
	if (!f)
		return die(idfile, errno);
	fprintf(f, "%u\n", prog_id(prog));
	fclose(f);
	printf("program pinned\n");
	return 0;
}

static int do_progget(const char *path)
{
	struct bpf_prog_info pi = { 0 };
	uint32_t len = sizeof(pi);
	int fd = bpf_obj_get(path);

	if (fd < 0) {
		printf("program from its pin: %s\n", strerror(errno));
		return 0;
	}
	if (bpf_obj_get_info_by_fd(fd, &pi, &len))
		return die("bpf_obj_get_info_by_fd", errno);
	printf("program from its pin: %s, type %u, gpl_compatible %u\n", pi.name, pi.type,
	       pi.gpl_compatible);
	return 0;
}

static int do_proghold(const char *path)
{
	char line[16];
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return die("bpf_obj_get of the program pin", errno);
	printf("holding the program by an fd from its pin\n");
	if (!fgets(line, sizeof(line), stdin))
		return die("stdin", EIO);
	close(fd);
	return 0;
}

static int exists(uint32_t id)
{
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 1 : -errno;
}

static int do_progid(const char *idfile, int wait)
{
	unsigned int id = 0;
	FILE *f = fopen(idfile, "r");
	int e;

	if (!f || fscanf(f, "%u", &id) != 1)
		return die(idfile, f ? EINVAL : errno);
	fclose(f);
	e = exists(id);
	for (int i = 0; wait && i < 250 && e == 1; i++) {
		usleep(20000);
		e = exists(id);
	}
	printf("program by id: %s\n", e == 1 ? "exists" : e == -ENOENT ? "gone" : strerror(-e));
	return 0;
}

static int do_license(char **lic)
{
	for (; *lic; lic++) {
		struct bpf_prog_info pi = { 0 };
		uint32_t len = sizeof(pi);
		int fd = load("lt_license", *lic);

		if (fd < 0)
			return die("prog load", fd);
		if (bpf_obj_get_info_by_fd(fd, &pi, &len))
			return die("bpf_obj_get_info_by_fd", errno);
		printf("license \"%s\": gpl_compatible %u\n", *lic, pi.gpl_compatible);
		close(fd);
	}
	return 0;
}

static int do_globals(const char *path, const char *idfile)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_map *m;
	struct bpf_map_info mi;
	uint32_t len;
	FILE *f;
	int err;

	if (!obj)
		return die("bpf_object__open_file", errno);
	err = bpf_object__load(obj);
	if (err)
		return die("bpf_object__load", err);
	f = fopen(idfile, "w");
	if (!f)
		return die(idfile, errno);
	bpf_object__for_each_map(m, obj) {
		const char *dot = strrchr(bpf_map__name(m), '.');

		if (!bpf_map__is_internal(m) || !dot)
			continue;
		memset(&mi, 0, sizeof(mi));
		len = sizeof(mi);
		if (bpf_obj_get_info_by_fd(bpf_map__fd(m), &mi, &len))
			return die("bpf_obj_get_info_by_fd", errno);
		fprintf(f, "%u %s\n", mi.id, dot);
	}
	fclose(f);
	printf("object loaded, not attached\n");
	bpf_object__close(obj);
	return 0;
}

static int map_exists(uint32_t id)
{
	int fd = bpf_map_get_fd_by_id(id);

	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 1 : -errno;
}

static int do_mapids(const char *idfile)
{
	FILE *f = fopen(idfile, "r");
	unsigned int id;
	char what[32];

	if (!f)
		return die(idfile, errno);
	while (fscanf(f, "%u %31s", &id, what) == 2) {
		int e = map_exists(id);

		for (int i = 0; i < 250 && e == 1; i++) {
			usleep(20000);
			e = map_exists(id);
		}
		printf("global data map %s: %s\n", what,
		       e == 1 ? "still there" : e == -ENOENT ? "gone" : strerror(-e));
	}
	fclose(f);
	return 0;
}

/* Whether program id is there right now: "there", "gone" (ENOENT), or why not. */
static const char *there(uint32_t id)
{
	int e = exists(id);

	return e == 1 ? "there" : e == -ENOENT ? "gone" : strerror(-e);
}

/* A program and its id (0 on failure). */
static int load_id(const char *name, uint32_t *id)
{
	int fd = load(name, "GPL");

	*id = fd < 0 ? 0 : prog_id(fd);
	return fd;
}

static int prog_dup(void)
{
	uint32_t id;
	int fd = load_id("lt_dup", &id), copy;

	if (fd < 0 || !id)
		return die("prog load", fd);
	copy = dup(fd);
	close(fd);
	printf("dup, the first fd closed: %s\n", there(id));
	close(copy);
	printf("dup, both closed: %s\n", there(id));
	return 0;
}

static int prog_fork(void)
{
	uint32_t id;
	int fd = load_id("lt_fork", &id), go[2], status;
	pid_t child;
	char c;

	if (fd < 0 || !id)
		return die("prog load", fd);
	if (pipe(go))
		return die("pipe", errno);
	fflush(stdout);
	child = fork();
	if (child < 0)
		return die("fork", errno);
	if (child == 0) { /* holds its copy until told to go */
		close(go[1]);
		_exit(read(go[0], &c, 1) < 0);
	}
	close(go[0]);
	close(fd);
	printf("fork, the parent closed its fd: %s\n", there(id));
	close(go[1]);
	waitpid(child, &status, 0);
	printf("fork, the child exited: %s\n", there(id));
	return 0;
}

/* fd sent over sock (SCM_RIGHTS), or received (fd < 0): the received one. */
static int pass_fd(int sock, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cb = { 0 };
	char byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb.buf,
			    .msg_controllen = sizeof(cb.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

	if (fd >= 0) {
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
		return sendmsg(sock, &m, 0) == 1 ? 0 : -errno;
	}
	if (recvmsg(sock, &m, 0) != 1 || !(cm = CMSG_FIRSTHDR(&m)) || cm->cmsg_type != SCM_RIGHTS)
		return -EBADMSG;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* A child that takes the fd over a socket pair (created before the program). */
static int prog_pass(void)
{
	int sv[2], fd, status;
	uint32_t id;
	pid_t child;
	char c;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return die("socketpair", errno);
	fflush(stdout);
	child = fork();
	if (child < 0)
		return die("fork", errno);
	if (child == 0) { /* takes the fd, says so, holds it until told to go */
		close(sv[0]);
		fd = pass_fd(sv[1], -1);
		if (fd < 0 || write(sv[1], "k", 1) != 1 || read(sv[1], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	close(sv[1]);
	fd = load_id("lt_pass_fd", &id);
	if (fd < 0 || !id)
		return die("prog load", fd);
	if (pass_fd(sv[0], fd) || read(sv[0], &c, 1) != 1)
		return die("passing the fd", EPROTO);
	close(fd);
	printf("SCM_RIGHTS, the sender closed its fd: %s\n", there(id));
	if (write(sv[0], "g", 1) != 1)
		return die("write", errno);
	waitpid(child, &status, 0);
	printf("SCM_RIGHTS, the receiver exited: %s\n", there(id));
	close(sv[0]);
	return 0;
}

/* The fd without O_CLOEXEC across an exec of this program ("execd"). */
static int prog_exec(const char *self)
{
	char fds[16], ids[16];
	uint32_t id;
	int fd = load_id("lt_exec", &id), status;
	pid_t child;

	if (fd < 0 || !id)
		return die("prog load", fd);
	if (fcntl(fd, F_SETFD, 0))
		return die("fcntl", errno);
	snprintf(fds, sizeof(fds), "%d", fd);
	snprintf(ids, sizeof(ids), "%u", id);
	fflush(stdout);
	child = fork();
	if (child < 0)
		return die("fork", errno);
	if (child == 0) {
		execl(self, self, "execd", fds, ids, (char *)NULL);
		_exit(127);
	}
	close(fd);
	waitpid(child, &status, 0);
	printf("exec, the child exited %d: %s\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
	       there(id));
	return 0;
}

static int do_execd(int fd, uint32_t id)
{
	printf("exec'd with the fd: %s, %s\n", prog_id(fd) == id ? "the program" : "not it",
	       there(id));
	return 0;
}

static int do_progfds(const char *self)
{
	uint32_t id;
	int fd = load_id("lt_close", &id);

	if (fd < 0 || !id)
		return die("prog load", fd);
	printf("loaded: %s\n", there(id));
	close(fd);
	printf("its fd closed: %s\n", there(id));
	return prog_dup() || prog_fork() || prog_pass() || prog_exec(self);
}

/* Load program name, write its id to idfile and say "ready": its fd, or -1 (said why). */
static int load_announced(const char *name, const char *idfile)
{
	uint32_t id;
	int fd = load_id(name, &id);
	FILE *f = fopen(idfile, "w");

	if (fd < 0 || !id || !f) {
		if (f)
			fclose(f);
		die("prog load", fd < 0 ? fd : EIO);
		return -1;
	}
	fprintf(f, "%u\n", id);
	fclose(f);
	printf("ready\n");
	fflush(stdout);
	return fd;
}

static int do_progkeep(const char *idfile)
{
	if (load_announced("lt_keep", idfile) < 0)
		return 1;
	for (;;)
		pause();
}

/*
 * Load a program, write its id, and after a line on stdin (the test has
 * restarted the daemon meanwhile, and the new one has a program of that
 * id) ask for the fd's info: a descriptor of the old daemon's program must
 * not name the new one's.
 */
static int do_stalekeep(const char *idfile)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	char line[16];
	int fd = load_announced("lt_stale", idfile);

	if (fd < 0)
		return 1;
	if (!fgets(line, sizeof(line), stdin))
		return die("stdin", EIO);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		printf("after the restart: the old fd: %s\n", strerror(errno));
	else
		printf("after the restart: the old fd names program %u '%s'\n", info.id, info.name);
	return 0;
}

static int do_progpinclose(const char *path)
{
	uint32_t id;
	int fd = load_id("lt_pinclose", &id);

	if (fd < 0 || !id)
		return die("prog load", fd);
	if (bpf_obj_pin(fd, path))
		return die("bpf_obj_pin", errno);
	close(fd);
	printf("pinned, its fd closed: %s\n", there(id));
	if (unlink(path))
		return die("unlink of the pin", errno);
	for (int i = 0; i < 250 && exists(id) == 1; i++)
		usleep(20000);
	printf("its pin removed: %s\n", there(id));
	return 0;
}

/* The programs called name loaded now (the whole id space, another's too). */
static int count_named(const char *name)
{
	uint32_t next = 0;
	int n = 0;

	while (!bpf_prog_get_next_id(next, &next)) {
		struct bpf_prog_info pi = { 0 };
		uint32_t len = sizeof(pi);
		int fd = bpf_prog_get_fd_by_id(next);

		if (fd < 0)
			continue; /* gone meanwhile */
		if (!bpf_obj_get_info_by_fd(fd, &pi, &len) && !strcmp(pi.name, name))
			n++;
		close(fd);
	}
	return n;
}

static int do_reload(unsigned int ifindex, int rounds)
{
	struct timespec t0, t1;
	int v1 = load("lt_reload", "GPL"), link, v2, most = 0, n;

	if (v1 < 0)
		return die("prog load", v1);
	link = bpf_link_create(v1, (int)ifindex, BPF_XDP, NULL);
	if (link < 0)
		return die("bpf_link_create", errno);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < rounds; i++) {
		v2 = load("lt_reload", "GPL");
		if (v2 < 0)
			return die("prog load", v2);
		if (bpf_link_update(link, v2, NULL))
			return die("bpf_link_update", errno);
		close(v1);
		v1 = v2;
		n = count_named("lt_reload");
		most = n > most ? n : most;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "lifetime: reload: %d rounds in %ld ms\n", rounds,
		(long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	printf("reloaded %d times: %d loaded (at most %d on the way), %s\n", rounds,
	       count_named("lt_reload"), most, attached(ifindex) == 1 ? "attached" : "not attached");
	close(v1);
	printf("old fd closed, the link holds it: %d loaded\n", count_named("lt_reload"));
	close(link);
	printf("the link closed: %d loaded\n", count_named("lt_reload"));
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	unsigned int ifindex = argc > 2 ? if_nametoindex(argv[2]) : 0;
	bool wait = argc > 3 && !strcmp(argv[3], "wait");

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "close") && ifindex)
		return do_close(ifindex);
	if (!strcmp(cmd, "detach") && ifindex)
		return do_detach(ifindex);
	if (!strcmp(cmd, "fork") && ifindex)
		return do_fork(ifindex);
	if (!strcmp(cmd, "hold") && ifindex)
		return do_hold(ifindex, argc > 3 ? argv[3] : NULL);
	if (!strcmp(cmd, "linkpin") && ifindex && argc == 4)
		return do_linkpin(ifindex, argv[3]);
	if (!strcmp(cmd, "linkget") && ifindex && argc == 4)
		return do_linkget(ifindex, argv[3]);
	if (!strcmp(cmd, "state") && ifindex) {
		if (wait)
			wait_none("state", ifindex);
		else
			state("state", ifindex);
		return 0;
	}
	if (!strcmp(cmd, "progpin") && argc == 4)
		return do_progpin(argv[2], argv[3]);
	if (!strcmp(cmd, "proghold") && argc == 3)
		return do_proghold(argv[2]);
	if (!strcmp(cmd, "progget") && argc == 3)
		return do_progget(argv[2]);
	if (!strcmp(cmd, "progid") && argc >= 3)
		return do_progid(argv[2], wait);
	if (!strcmp(cmd, "globals") && argc == 4)
		return do_globals(argv[2], argv[3]);
	if (!strcmp(cmd, "mapids") && argc == 3)
		return do_mapids(argv[2]);
	if (!strcmp(cmd, "license") && argc >= 3)
		return do_license(argv + 2);
	if (!strcmp(cmd, "progfds") && argc == 2)
		return do_progfds("/proc/self/exe");
	if (!strcmp(cmd, "execd") && argc == 4)
		return do_execd(atoi(argv[2]), (uint32_t)strtoul(argv[3], NULL, 10));
	if (!strcmp(cmd, "progkeep") && argc == 3)
		return do_progkeep(argv[2]);
	if (!strcmp(cmd, "stalekeep") && argc == 3)
		return do_stalekeep(argv[2]);
	if (!strcmp(cmd, "progpinclose") && argc == 3)
		return do_progpinclose(argv[2]);
	if (!strcmp(cmd, "reload") && ifindex && argc == 4)
		return do_reload(ifindex, atoi(argv[3]));
	fprintf(stderr, "usage: see lifetime.c\n");
	return 2;
}
