// SPDX-License-Identifier: MIT
/*
 * rb_consumer.c - a libbpf ring buffer consumer, unmodified, linked against
 * the system's libbpf.so.1: the same binary reads a kernel ring buffer and,
 * under uxdp-run, a uxdp one (rb_test.py compares the two).
 *
 *   rb_consumer consume ID COUNT [outer]   ring_buffer__new() on map ID, then
 *       ring_buffer__poll() with a 30 s timeout until COUNT records came:
 *       one line per record (rb.bpf.c's struct rec, its timestamp left out),
 *       flushed after each poll; a poll that times out is a missed wakeup
 *       (exit 1).  A poll that returns 0 early (epoll said ready, libbpf
 *       found no record) is counted: the kernel's epoll has those too.
 *       On stderr: how long records waited for the consumer.  With
 *       "outer", the program waits itself: poll() on ring_buffer__epoll_fd(),
 *       then ring_buffer__consume(), as an event loop of its own does.
 *   rb_consumer bad RB_ID OTHER_ID MM_ID PLAIN_ID  bad mmap()s and epoll_ctl()s,
 *       one "step: result" line each (rb_expected.txt is the kernel's
 *       output), and rb.bpf.c's BPF_F_MMAPABLE array read through mmap.
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

struct rec {
	uint64_t seq;
	uint64_t ns;
	uint32_t len;
	uint32_t how;
	uint8_t head[36];
};

struct state {
	long seen;
	bool first; /* the first record since the poll returned */
	long n_lat;
	double lat_us[100000];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct state *s = ctx;
	const struct rec *r = data;

	if (size != sizeof(*r)) {
		printf("record of %zu bytes\n", size);
		return 0;
	}
	if (s->first && s->n_lat < 100000)
		s->lat_us[s->n_lat++] = (double)(now_ns() - r->ns) / 1000.0;
	s->first = false;
	printf("seq=%llu how=%u len=%u head=", (unsigned long long)r->seq, r->how, r->len);
	for (int i = 0; i < 36; i++)
		printf("%02x", r->head[i]);
	printf("\n");
	s->seen++;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* ring_buffer__poll(), or the program's own poll() on the epoll fd. */
static int wait_and_consume(struct ring_buffer *rb, bool outer)
{
	struct pollfd p = { .fd = ring_buffer__epoll_fd(rb), .events = POLLIN };
	int n;

	if (!outer)
		return ring_buffer__poll(rb, 30000);
	n = poll(&p, 1, 30000);
	if (n <= 0)
		return n < 0 ? -errno : 0;
	return ring_buffer__consume(rb);
}

static int consume(uint32_t id, long count, bool outer)
{
	static struct state s;
	struct ring_buffer *rb;
	long empty = 0;
	int fd = bpf_map_get_fd_by_id(id), n;

	if (fd < 0 || !(rb = ring_buffer__new(fd, on_record, &s, NULL))) {
		fprintf(stderr, "rb_consumer: map %u: %s\n", id, strerror(errno));
		return 1;
	}
	if (ring_buffer__epoll_fd(rb) < 0)
		return 1;
	printf("ready\n");
	fflush(stdout);
	while (s.seen < count) {
		uint64_t t0 = now_ns();

		s.first = true;
		n = wait_and_consume(rb, outer);
		if (n < 0) {
			fprintf(stderr, "rb_consumer: ring_buffer__poll: %s\n", strerror(-n));
			return 1;
		}
		if (n == 0 && now_ns() - t0 < 29000000000ull) {
			empty++;
			continue;
		}
		if (n == 0) {
			fprintf(stderr, "rb_consumer: no wakeup in 30 s (%ld of %ld records)\n",
				s.seen, count);
			return 1;
		}
		fflush(stdout);
	}
	n = ring_buffer__consume(rb);
	printf("left after %ld records: %d\n", count, n);
	qsort(s.lat_us, (size_t)s.n_lat, sizeof(double), cmp_double);
	if (s.n_lat)
		fprintf(stderr, "polls with records %ld (first record to callback min %.0f us, "
			"median %.0f us, max %.0f us), early empty polls %ld\n", s.n_lat,
			s.lat_us[0], s.lat_us[s.n_lat / 2], s.lat_us[s.n_lat - 1], empty);
	ring_buffer__free(rb);
	close(fd);
	return 0;
}

/* ---- bad input ---- */

static void say(const char *step, int r)
{
	const char *name = strerrorname_np(errno);

	if (r >= 0)
		printf("%s: ok\n", step);
	else if (name)
		printf("%s: %s\n", step, name);
	else
		printf("%s: errno %d\n", step, errno); /* 524: the kernel's ENOTSUPP */
}

static void try_mmap(const char *step, int fd, size_t len, int prot, int flags, off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	say(step, p == MAP_FAILED ? -1 : 0);
	if (p != MAP_FAILED)
		munmap(p, len);
}

static void try_mprotect(const char *step, int fd, size_t len, off_t off)
{
	void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, off);

	if (p == MAP_FAILED) {
		say(step, -1);
		return;
	}
	say(step, mprotect(p, len, PROT_READ | PROT_WRITE));
	munmap(p, len);
}

/* The whole ring read-only: the data's second copy is the first. */
static void whole(int fd, size_t page, size_t size)
{
	size_t len = 2 * page + 2 * size;
	uint8_t *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED) {
		say("mmap whole ring read-only", -1);
		return;
	}
	say("mmap whole ring read-only", 0);
	printf("second copy equals first: %s\n",
	       memcmp(p + 2 * page, p + 2 * page + size, size) ? "no" : "yes");
	printf("consumer_pos <= producer_pos: %s\n",
	       *(uint64_t *)p <= *(uint64_t *)(p + page) ? "yes" : "no");
	munmap(p, len);
}

static void epoll_steps(int rb, int other)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 7 }, out[4];
	int ep = epoll_create1(EPOLL_CLOEXEC), n;

	say("epoll_ctl ADD ringbuf", epoll_ctl(ep, EPOLL_CTL_ADD, rb, &ev));
	say("epoll_ctl ADD ringbuf again", epoll_ctl(ep, EPOLL_CTL_ADD, rb, &ev));
	ev.events = EPOLLIN | EPOLLET;
	say("epoll_ctl MOD ringbuf", epoll_ctl(ep, EPOLL_CTL_MOD, rb, &ev));
	say("epoll_ctl DEL ringbuf", epoll_ctl(ep, EPOLL_CTL_DEL, rb, NULL));
	say("epoll_ctl DEL ringbuf again", epoll_ctl(ep, EPOLL_CTL_DEL, rb, NULL));
	say("epoll_ctl MOD ringbuf not added", epoll_ctl(ep, EPOLL_CTL_MOD, rb, &ev));
	say("epoll_ctl ADD ringbuf NULL event", epoll_ctl(ep, EPOLL_CTL_ADD, rb, NULL));
	say("epoll_ctl ADD ringbuf to itself", epoll_ctl(rb, EPOLL_CTL_ADD, rb, &ev));
	ev.events = EPOLLIN;
	ev.data.u64 = 9;
	say("epoll_ctl ADD hash map", n = epoll_ctl(ep, EPOLL_CTL_ADD, other, &ev));
	if (n == 0) {
		n = epoll_wait(ep, out, 4, 0);
		printf("epoll_wait on hash map: %d", n);
		for (int i = 0; i < n; i++)
			printf(" events=%#x data=%llu", out[i].events,
			       (unsigned long long)out[i].data.u64);
		printf("\n");
		say("epoll_ctl DEL hash map", epoll_ctl(ep, EPOLL_CTL_DEL, other, NULL));
	}
	close(ep);
}

/* The kernel asks the map's file at each poll: no data, or EPOLLERR. */
static void poll_steps(int rb, int other)
{
	struct pollfd p[2] = { { .fd = rb, .events = POLLIN | POLLOUT },
			       { .fd = other, .events = POLLIN } };
	struct timeval tv = { 0, 0 };
	fd_set r, w;
	int n;

	n = poll(p, 2, 0);
	printf("poll ringbuf (empty) and hash map: %d revents %#x %#x\n", n, p[0].revents,
	       p[1].revents);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(rb, &r);
	FD_SET(rb, &w);
	FD_SET(other, &r);
	FD_SET(other, &w);
	n = select((rb > other ? rb : other) + 1, &r, &w, NULL, &tv);
	printf("select ringbuf (empty) and hash map: %d ringbuf %d%d hash map %d%d\n", n,
	       FD_ISSET(rb, &r), FD_ISSET(rb, &w), FD_ISSET(other, &r), FD_ISSET(other, &w));
}

static int no_record(void *ctx, void *data, size_t size)
{
	return 0;
}

/* ring_buffer__free() closes its epoll fd: a new ring buffer on the same fd works. */
static void again(int fd)
{
	for (int i = 0; i < 2; i++) {
		struct ring_buffer *rb = ring_buffer__new(fd, no_record, NULL, NULL);

		say(i ? "ring_buffer__new after free" : "ring_buffer__new", rb ? 0 : -1);
		if (rb)
			printf("ring_buffer__poll empty: %d\n", ring_buffer__poll(rb, 0));
		ring_buffer__free(rb);
	}
}

/* A BPF_F_MMAPABLE array: its values at offset 0, shared with the programs. */
static void mmapable(uint32_t id, uint32_t plain_id)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	int fd = bpf_map_get_fd_by_id(id), plain = bpf_map_get_fd_by_id(plain_id);
	uint64_t *v, got = 0;
	uint32_t k = 2;

	v = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, fd, 0);
	say("mmap mmapable array ro", v == MAP_FAILED ? -1 : 0);
	if (v != MAP_FAILED) {
		printf("packets %llu, bytes %llu\n", (unsigned long long)v[0],
		       (unsigned long long)v[1]);
		say("mprotect mmapable array ro to rw", mprotect(v, page, PROT_READ | PROT_WRITE));
		munmap(v, 2 * page);
	}
	v = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	say("mmap mmapable array rw", v == MAP_FAILED ? -1 : 0);
	if (v != MAP_FAILED) {
		v[2] = 0x1234;
		bpf_map_lookup_elem(fd, &k, &got);
		printf("written through mmap, looked up: %#llx\n", (unsigned long long)got);
		munmap(v, page);
	}
	try_mmap("mmap mmapable array second page", fd, page, PROT_READ, MAP_SHARED, (off_t)page);
	try_mmap("mmap mmapable array past the end", fd, page, PROT_READ, MAP_SHARED,
		 (off_t)(2 * page));
	try_mmap("mmap mmapable array private", fd, page, PROT_READ, MAP_PRIVATE, 0);
	try_mmap("mmap plain array", plain, page, PROT_READ, MAP_SHARED, 0);
	close(plain);
	close(fd);
}

static int bad(uint32_t rb_id, uint32_t other_id, uint32_t mm_id, uint32_t plain_id)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), size;
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info);
	LIBBPF_OPTS(bpf_get_fd_by_id_opts, ro, .open_flags = BPF_F_RDONLY);
	int fd = bpf_map_get_fd_by_id(rb_id), other = bpf_map_get_fd_by_id(other_id), rofd;

	if (fd < 0 || other < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		fprintf(stderr, "rb_consumer: maps %u, %u: %s\n", rb_id, other_id, strerror(errno));
		return 1;
	}
	size = info.max_entries;
	try_mmap("mmap consumer page rw", fd, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	try_mmap("mmap producer part ro", fd, page + 2 * size, PROT_READ, MAP_SHARED, page);
	try_mmap("mmap producer page rw", fd, page, PROT_READ | PROT_WRITE, MAP_SHARED, page);
	try_mmap("mmap two pages rw", fd, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	try_mmap("mmap consumer page private", fd, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	try_mmap("mmap consumer page private ro", fd, page, PROT_READ, MAP_PRIVATE, 0);
	try_mmap("mmap one page too long", fd, 2 * page + 2 * size, PROT_READ, MAP_SHARED, page);
	try_mmap("mmap past the end", fd, page, PROT_READ, MAP_SHARED, (off_t)(2 * page + 2 * size));
	try_mmap("mmap last data page", fd, page, PROT_READ, MAP_SHARED,
		 (off_t)(page + 2 * size));
	try_mmap("mmap unaligned offset", fd, page, PROT_READ, MAP_SHARED, 8);
	try_mmap("mmap short length", fd, 100, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	try_mmap("mmap zero length", fd, 0, PROT_READ, MAP_SHARED, 0);
	try_mprotect("mprotect consumer page ro to rw", fd, page, 0);
	try_mprotect("mprotect producer part ro to rw", fd, page + 2 * size, (off_t)page);
	whole(fd, page, size);
	rofd = bpf_map_get_fd_by_id_opts(rb_id, &ro);
	try_mmap("mmap rdonly fd consumer page rw", rofd, page, PROT_READ | PROT_WRITE, MAP_SHARED,
		 0);
	try_mmap("mmap rdonly fd producer part ro", rofd, page + 2 * size, PROT_READ, MAP_SHARED,
		 page);
	close(rofd);
	try_mmap("mmap hash map", other, page, PROT_READ, MAP_SHARED, 0);
	mmapable(mm_id, plain_id);
	epoll_steps(fd, other);
	poll_steps(fd, other);
	again(fd);
	close(fd);
	close(other);
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 4 || (argc == 5 && !strcmp(argv[4], "outer"))) &&
	    !strcmp(argv[1], "consume"))
		return consume((uint32_t)atol(argv[2]), atol(argv[3]), argc == 5);
	if (argc == 6 && !strcmp(argv[1], "bad"))
		return bad((uint32_t)atol(argv[2]), (uint32_t)atol(argv[3]), (uint32_t)atol(argv[4]),
			   (uint32_t)atol(argv[5]));
	fprintf(stderr, "usage: rb_consumer consume ID COUNT [outer] | bad RB_ID OTHER_ID MM_ID PLAIN_ID\n");
	return 2;
}
