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
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	fprintf(stderr, "usage: see lifetime.c\n");
	return 2;
}
