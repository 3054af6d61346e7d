// SPDX-License-Identifier: MIT
/*
 * xdp_loader.c - a user's XDP loader, written against libbpf only, run
 * unchanged on the kernel and under uxdp-run against uxdpd.
 *
 *   xdp_loader load OBJ IFNAME PIN BLOCK_IP MAX_ENTRIES [link|netlink|update]
 *	open, size `counts`, load, attach (bpf_program__attach_xdp, a link;
 *	or bpf_xdp_attach through rtnetlink, then bpf_xdp_query), pin
 *	`counts` at PIN, block BLOCK_IP; print "ready" and wait for a line on
 *	stdin; then print "verdict K V" and "count IP N" (sorted) and exit.
 *	update: a link; at the first line, load the object again on the same
 *	maps with count_step 100 and bpf_link__update_program() to it (after
 *	the bad updates), print "updated" and wait for another line.  A
 *	thread updates and looks up elements of `blocked` all along the
 *	updates (a control plane racing the replaces): no call may fail and
 *	no element go missing.
 *   xdp_loader bad IFINDEX_NOT_OURS [BPFFS]
 *	the bad-input cases, one "step: result" line each (with BPFFS, a
 *	program pinned there and opened again).
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <stdbool.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int die(const char *what, int err)
{
	fprintf(stderr, "xdp_loader: %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = ntohl(*(const uint32_t *)a), y = ntohl(*(const uint32_t *)b);

	return x < y ? -1 : x > y;
}

static void dump(int verdicts, int counts)
{
	uint32_t keys[64], k, *prev = NULL;
	size_t n = 0;
	uint64_t v;

	for (k = 0; k < 2; k++)
		if (!bpf_map_lookup_elem(verdicts, &k, &v))
			printf("verdict %u %llu\n", k, (unsigned long long)v);
	while (n < 64 && !bpf_map_get_next_key(counts, prev, &keys[n])) {
		prev = &keys[n];
		n++;
	}
	qsort(keys, n, sizeof(keys[0]), cmp_u32);
	for (size_t i = 0; i < n; i++) {
		char ip[INET_ADDRSTRLEN];

		bpf_map_lookup_elem(counts, &keys[i], &v);
		inet_ntop(AF_INET, &keys[i], ip, sizeof(ip));
		printf("count %s %llu\n", ip, (unsigned long long)v);
	}
}

/* What the program and link descriptors say of themselves, as tools read them. */
static void describe(int prog, int link)
{
	struct bpf_prog_info pi = { 0 };
	struct bpf_link_info li = { 0 };
	uint32_t len = sizeof(pi), ids[8];
	char path[64], target[64];
	ssize_t n;

	pi.nr_map_ids = 8;
	pi.map_ids = (uintptr_t)ids;
	if (!bpf_obj_get_info_by_fd(prog, &pi, &len))
		printf("prog %s type %u maps %u\n", pi.name, pi.type, pi.nr_map_ids);
	len = sizeof(li);
	if (link >= 0 && !bpf_obj_get_info_by_fd(link, &li, &len))
		printf("link type %u prog_id_matches %d\n", li.type, li.prog_id == pi.id);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", prog);
	n = readlink(path, target, sizeof(target) - 1);
	target[n < 0 ? 0 : n] = 0;
	printf("prog fd %s\n", target);
}

/* What rtnetlink says runs on ifindex: the program's id, or nothing. */
static void query(int ifindex, int prog)
{
	struct bpf_prog_info pi = { 0 };
	uint32_t len = sizeof(pi), id = 0;
	int err = bpf_obj_get_info_by_fd(prog, &pi, &len);

	err = err ?: bpf_xdp_query_id(ifindex, 0, &id);
	if (err)
		printf("bpf_xdp_query_id: %s\n", strerror(-err));
	else
		printf("bpf_xdp_query_id: %s\n", id == pi.id ? "the program" : id ? "another" : "none");
}

/* The object's global-data map whose name ends in suffix (libbpf: "srccoun.bss"). */
static struct bpf_map *global(struct bpf_object *obj, const char *suffix)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj)
		if (bpf_map__is_internal(m) && strstr(bpf_map__name(m), suffix))
			return m;
	return NULL;
}

/* count_step (.rodata) and frame_weight (.data), set before load. */
static int set_globals(struct bpf_object *obj, uint64_t step, uint64_t weight)
{
	struct bpf_map *ro = global(obj, ".rodata"), *data = global(obj, ".data");

	if (!ro || !data)
		return -ENOENT;
	return bpf_map__set_initial_value(ro, &step, sizeof(step))
		       ?: bpf_map__set_initial_value(data, &weight, sizeof(weight));
}

static void step(const char *name, long r);

/*
 * A control plane working on `blocked` while the link's program is
 * replaced: each round writes keys 198.19.0.1..6 with the round's number
 * and reads them back, and reads the blocked address the loader put there.
 */
#define RACE_KEYS 6
struct race {
	int map;
	uint32_t block;
	volatile int stop;
	unsigned long rounds; /* atomic */
	unsigned long errors, lost;
	pthread_t thread;
};

static void *race_main(void *arg)
{
	struct race *r = arg;

	for (uint32_t round = 1; !r->stop; round++) {
		for (uint32_t i = 0; i < RACE_KEYS; i++) {
			uint32_t key = htonl(0xc6130001u + i), v = 0; /* 198.19.0.1 + i */

			if (bpf_map_update_elem(r->map, &key, &round, BPF_ANY))
				r->errors++;
			else if (bpf_map_lookup_elem(r->map, &key, &v) || v != round)
				r->lost++;
		}
		{
			uint32_t v = 0;

			if (bpf_map_lookup_elem(r->map, &r->block, &v) || v != 1)
				r->lost++;
		}
		__atomic_add_fetch(&r->rounds, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* Until the thread has done n more rounds: it runs across what the caller did meanwhile. */
static void race_wait(struct race *r, unsigned long n)
{
	unsigned long start = __atomic_load_n(&r->rounds, __ATOMIC_RELAXED);

	while (__atomic_load_n(&r->rounds, __ATOMIC_RELAXED) < start + n)
		usleep(100);
}

/* The thread stopped; every key there with its last value, then taken out again. */
static void race_end(struct race *r)
{
	uint32_t last = 0;

	r->stop = 1;
	pthread_join(r->thread, NULL);
	last = (uint32_t)r->rounds;
	for (uint32_t i = 0; i < RACE_KEYS; i++) {
		uint32_t key = htonl(0xc6130001u + i), v = 0;

		if (bpf_map_lookup_elem(r->map, &key, &v) || v != last)
			r->lost++;
		if (bpf_map_delete_elem(r->map, &key))
			r->errors++;
	}
	printf("map ops racing the updates: %s, %s\n", r->errors ? "errors" : "no error",
	       r->lost ? "elements lost" : "no element lost");
	fprintf(stderr, "xdp_loader: map ops racing the updates: %lu rounds, %lu errors, %lu lost\n",
		r->rounds, r->errors, r->lost);
}

/*
 * The object loaded again on the first one's maps (global data its own,
 * count_step 100), and the link moved to it: first the updates the kernel
 * refuses, each with its errno.  The new program in *prog2.
 */
static int update(const char *path, struct bpf_object *obj, struct bpf_link *link,
		  struct bpf_object **out, struct bpf_program **prog2)
{
	struct bpf_object *o2 = bpf_object__open_file(path, NULL);
	const char *shared[] = { "counts", "blocked", "verdicts" };
	int link_fd = bpf_link__fd(link), old_fd, new_fd, err;
	struct bpf_program *p1 = bpf_object__find_program_by_name(obj, "srccount");
	LIBBPF_OPTS(bpf_link_update_opts, o);

	if (!o2)
		return -errno;
	*out = o2;
	for (size_t i = 0; i < sizeof(shared) / sizeof(shared[0]); i++) {
		err = bpf_map__reuse_fd(bpf_object__find_map_by_name(o2, shared[i]),
					bpf_object__find_map_fd_by_name(obj, shared[i]));
		if (err)
			return err;
	}
	err = set_globals(o2, 100, 2) ?: bpf_object__load(o2);
	if (err)
		return err;
	*prog2 = bpf_object__find_program_by_name(o2, "srccount");
	old_fd = bpf_program__fd(p1);
	new_fd = bpf_program__fd(*prog2);
	o.old_prog_fd = old_fd;
	step("link_update old_prog_fd without BPF_F_REPLACE", bpf_link_update(link_fd, new_fd, &o));
	o.flags = BPF_F_REPLACE;
	o.old_prog_fd = new_fd;
	step("link_update BPF_F_REPLACE, not the link's program", bpf_link_update(link_fd, new_fd, &o));
	o.flags = 1u << 5;
	o.old_prog_fd = 0;
	step("link_update unknown flag", bpf_link_update(link_fd, new_fd, &o));
	step("link_update of a program fd", bpf_link_update(old_fd, new_fd, NULL));
	step("link_update to the program it runs", bpf_link_update(link_fd, old_fd, NULL));
	o.flags = BPF_F_REPLACE;
	o.old_prog_fd = old_fd;
	step("link_update BPF_F_REPLACE", bpf_link_update(link_fd, new_fd, &o));
	/* libbpf's own call, back and forth: the link ends on the new program. */
	step("bpf_link__update_program old", bpf_link__update_program(link, p1));
	{
		/* How long a replace takes (stderr: the kernel's and uxdp's differ). */
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		err = bpf_link__update_program(link, *prog2);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		step("bpf_link__update_program", err);
		fprintf(stderr, "xdp_loader: bpf_link__update_program took %ld us\n",
			(long)((t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000));
	}
	return 0;
}

static int load(char **argv)
{
	struct bpf_object *obj = bpf_object__open_file(argv[2], NULL);
	struct bpf_program *prog;
	struct bpf_map *counts;
	struct bpf_link *link = NULL;
	bool netlink = argv[7] && !strcmp(argv[7], "netlink");
	bool upd = argv[7] && !strcmp(argv[7], "update");
	struct bpf_object *obj2 = NULL;
	struct bpf_program *prog2 = NULL;
	unsigned int ifindex = if_nametoindex(argv[3]);
	uint32_t block, one = 1;
	char line[16];
	int err;

	if (!obj)
		return die("bpf_object__open_file", errno);
	if (!ifindex || inet_pton(AF_INET, argv[5], &block) != 1)
		return die("arguments", EINVAL);
	counts = bpf_object__find_map_by_name(obj, "counts");
	prog = bpf_object__find_program_by_name(obj, "srccount");
	if (!counts || !prog)
		return die("the object's map and program", ENOENT);
	err = bpf_map__set_max_entries(counts, (uint32_t)atoi(argv[6]));
	if (err)
		return die("bpf_map__set_max_entries", err);
	err = set_globals(obj, 1, 2);
	if (err)
		return die("bpf_map__set_initial_value", err);
	err = bpf_object__load(obj);
	if (err)
		return die("bpf_object__load", err);
	if (netlink) {
		err = bpf_xdp_attach((int)ifindex, bpf_program__fd(prog), XDP_FLAGS_UPDATE_IF_NOEXIST,
				     NULL);
		if (err)
			return die("bpf_xdp_attach", err);
	} else {
		link = bpf_program__attach_xdp(prog, (int)ifindex);
		if (!link)
			return die("bpf_program__attach_xdp", errno);
	}
	if (bpf_obj_pin(bpf_map__fd(counts), argv[4]))
		return die("bpf_obj_pin", errno);
	if (bpf_map_update_elem(bpf_object__find_map_fd_by_name(obj, "blocked"), &block, &one,
				BPF_NOEXIST))
		return die("bpf_map_update_elem", errno);
	printf("ready max_entries %u\n", bpf_map__max_entries(counts));
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return die("stdin", EIO);
	if (upd) {
		struct race r = { .map = bpf_object__find_map_fd_by_name(obj, "blocked"),
				  .block = block };

		if (pthread_create(&r.thread, NULL, race_main, &r))
			return die("pthread_create", EAGAIN);
		race_wait(&r, 2);
		err = update(argv[2], obj, link, &obj2, &prog2);
		race_wait(&r, 2);
		race_end(&r);
		if (err)
			return die("update", err);
		printf("updated\n");
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			return die("stdin", EIO);
	}
	dump(bpf_object__find_map_fd_by_name(obj, "verdicts"), bpf_map__fd(counts));
	{
		uint64_t bss[2] = { 0 };
		uint32_t zero = 0;

		if (!bpf_map_lookup_elem(bpf_map__fd(global(obj, ".bss")), &zero, bss))
			printf(".bss weighted_frames %llu\n", (unsigned long long)bss[0]);
	}
	describe(bpf_program__fd(prog2 ? prog2 : prog), link ? bpf_link__fd(link) : -1);
	if (upd) {
		/* A detached link: updates are ENOLINK, its info has no interface. */
		struct bpf_link_info li = { 0 };
		uint32_t len = sizeof(li);

		step("link_detach", bpf_link_detach(bpf_link__fd(link)));
		step("link_detach again", bpf_link_detach(bpf_link__fd(link)));
		step("link_update of a detached link",
		     bpf_link_update(bpf_link__fd(link), bpf_program__fd(prog2), NULL));
		if (!bpf_obj_get_info_by_fd(bpf_link__fd(link), &li, &len))
			printf("detached link: type %u ifindex %u\n", li.type, li.xdp.ifindex);
	}
	if (netlink) {
		query((int)ifindex, bpf_program__fd(prog));
		err = bpf_xdp_detach((int)ifindex, 0, NULL);
		printf("bpf_xdp_detach: %s\n", err ? strerror(-err) : "ok");
		query((int)ifindex, bpf_program__fd(prog));
	}
	bpf_link__destroy(link);
	bpf_object__close(obj2);
	bpf_object__close(obj);
	return 0;
}

static void step(const char *name, long r)
{
	if (r < 0 && r != -1)
		errno = (int)-r; /* libbpf's calls return -errno */
	printf("%s: %s\n", name, r < 0 ? strerror(errno) : "ok");
}

/* A program pinned (on bpffs only) and opened again by its pin, as xdp-filter does. */
static void pins(int prog, const char *bpffs)
{
	struct bpf_prog_info a = { 0 }, b = { 0 };
	uint32_t la = sizeof(a), lb = sizeof(b);
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "/tmp/uxdp-xdp-loader-pin.%d", (int)getpid());
	step("obj_pin prog outside bpffs", bpf_obj_pin(prog, path));
	snprintf(path, sizeof(path), "%s/prog", bpffs);
	step("obj_pin prog", bpf_obj_pin(prog, path));
	step("obj_pin prog again", bpf_obj_pin(prog, path));
	fd = bpf_obj_get(path);
	step("obj_get prog", fd);
	if (fd >= 0 && !bpf_obj_get_info_by_fd(prog, &a, &la) &&
	    !bpf_obj_get_info_by_fd(fd, &b, &lb))
		printf("obj_get prog: the same program: %s\n",
		       a.id == b.id && !strcmp(a.name, b.name) ? "yes" : "no");
	snprintf(path, sizeof(path), "%s/nothing", bpffs);
	step("obj_get of no pin", bpf_obj_get(path));
}

/* The refusals a loader meets: each must be a clear errno, not a crash. */
static int bad(char **argv)
{
	struct bpf_insn ret0[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_insn with_map[] = {
		{ .code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = 1, .src_reg = BPF_PSEUDO_MAP_FD },
		{ 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 2 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr big[2];
	int map = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bad_arr", 4, 8, 1, NULL);
	int prog;

	step("map_create bad key size", bpf_map_create(BPF_MAP_TYPE_HASH, "h", 0, 8, 4, NULL));
	step("map_create bad flags", bpf_map_create(BPF_MAP_TYPE_ARRAY, "a", 4, 8, 4,
						    &(struct bpf_map_create_opts){
							    .sz = sizeof(struct bpf_map_create_opts),
							    .map_flags = 1u << 30 }));
	step("map_create sockmap", bpf_map_create(BPF_MAP_TYPE_SOCKMAP, "s", 4, 4, 4, NULL));
	step("map_create", map);
	with_map[0].imm = map;
	step("prog_load socket filter naming a map",
	     bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "sf", "GPL", with_map, 4, NULL));
	step("prog_load ext", bpf_prog_load(BPF_PROG_TYPE_EXT, "ext", "GPL", ret0, 2, NULL));
	prog = bpf_prog_load(BPF_PROG_TYPE_XDP, "xdp_map", "GPL", with_map, 4, NULL);
	step("prog_load xdp", prog);
	step("prog_load xdp without instructions",
	     bpf_prog_load(BPF_PROG_TYPE_XDP, "none", "GPL", ret0, 0, NULL));
	step("attach to an interface not ours",
	     bpf_link_create(prog, atoi(argv[2]), BPF_XDP, NULL));
	step("link_create of another attach type",
	     bpf_link_create(prog, atoi(argv[2]), BPF_CGROUP_INET_INGRESS, NULL));
	step("netlink attach to an interface not ours",
	     bpf_xdp_attach(atoi(argv[2]), prog, 0, NULL));
	memset(big, 0, sizeof(big));
	big[0].prog_type = BPF_PROG_TYPE_XDP;
	((char *)big)[sizeof(big) - 1] = 1;
	step("prog_load attr with a non-zero tail",
	     syscall(__NR_bpf, BPF_PROG_LOAD, big, sizeof(big)));
	if (argv[3])
		pins(prog, argv[3]);
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 7 || argc == 8) && !strcmp(argv[1], "load"))
		return load(argv);
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "bad"))
		return bad(argv);
	fprintf(stderr, "usage: xdp_loader load OBJ IFNAME PIN BLOCK_IP MAX_ENTRIES [link|netlink|update] | bad IFINDEX [BPFFS]\n");
	return 2;
}
