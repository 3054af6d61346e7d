// SPDX-License-Identifier: MIT
/*
 * pb_consumer.c - a libbpf perf buffer consumer, unmodified, linked against
 * the system's libbpf.so.1: the same binary reads a kernel perf event array
 * and, under uxdp-run, a uxdp one (pb_test.py compares the two).
 *
 *   pb_consumer consume ID COUNT PAGES [outer]   perf_buffer__new() of PAGES
 *       pages per CPU on map ID, then perf_buffer__poll() with a 30 s
 *       timeout until COUNT records came: one line per record (its CPU, the
 *       raw size and bytes libbpf hands over), one per lost-records report,
 *       flushed after each poll; a poll that times out is a missed wakeup
 *       (exit 1).  With "outer", the program waits itself: poll() on
 *       perf_buffer__epoll_fd(), then perf_buffer__consume().
 *   pb_consumer lost ID PAGES   perf_buffer__new(), "ready", then for each
 *       line read on stdin perf_buffer__consume() and its records, then
 *       "consumed N"; the test fills the ring in between (lost records).
 *   pb_consumer bad ID   perf_event_open(), mmap() and map updates that are
 *       not libbpf's, one "step: result" line each (pb_expected.txt is the
 *       kernel's output); lines "differs: ..." are where uxdp is not the
 *       kernel (docs/control-plane.md), checked by the test on each side.
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct state {
	long seen;
};

static void on_sample(void *ctx, int cpu, void *data, __u32 size)
{
	struct state *s = ctx;
	const uint8_t *d = data;

	printf("cpu=%d size=%u", cpu, size);
	if (size >= 8)
		printf(" seq=%llu", (unsigned long long)*(const uint64_t *)data);
	printf(" data=");
	for (__u32 i = 0; i < size; i++)
		printf("%02x", d[i]);
	printf("\n");
	s->seen++;
}

static void on_lost(void *ctx, int cpu, __u64 n)
{
	printf("lost cpu=%d n=%llu\n", cpu, (unsigned long long)n);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct perf_buffer *open_pb(uint32_t id, size_t pages, struct state *s)
{
	int fd = bpf_map_get_fd_by_id(id);
	struct perf_buffer *pb;

	if (fd < 0) {
		fprintf(stderr, "pb_consumer: map %u: %s\n", id, strerror(errno));
		return NULL;
	}
	pb = perf_buffer__new(fd, pages, on_sample, on_lost, s, NULL);
	if (!pb)
		fprintf(stderr, "pb_consumer: perf_buffer__new: %s\n", strerrorname_np(errno));
	return pb;
}

static int wait_and_consume(struct perf_buffer *pb, bool outer)
{
	struct pollfd p = {.fd = perf_buffer__epoll_fd(pb), .events = POLLIN};
	int n;

	if (!outer)
		return perf_buffer__poll(pb, 30000);
	n = poll(&p, 1, 30000);
	if (n <= 0)
		return n < 0 ? -errno : 0;
	return perf_buffer__consume(pb) ?: 1;
}

static int consume(uint32_t id, long count, size_t pages, bool outer)
{
	static struct state s;
	struct perf_buffer *pb = open_pb(id, pages, &s);
	long empty = 0;
	int n;

	if (!pb || perf_buffer__epoll_fd(pb) < 0)
		return 1;
	printf("ready\n");
	fflush(stdout);
	while (s.seen < count) {
		uint64_t t0 = now_ns();

		n = wait_and_consume(pb, outer);
		if (n < 0) {
			fprintf(stderr, "pb_consumer: perf_buffer__poll: %s\n", strerror(-n));
			return 1;
		}
		if (n == 0 && now_ns() - t0 < 29000000000ull) {
			empty++;
			continue;
		}
		if (n == 0) {
			fprintf(stderr, "pb_consumer: no wakeup in 30 s (%ld of %ld records)\n",
				s.seen, count);
			return 1;
		}
		fflush(stdout);
	}
	n = perf_buffer__consume(pb);
	printf("left after %ld records: %d\n", count, n);
	fprintf(stderr, "early empty polls %ld\n", empty);
	perf_buffer__free(pb);
	return 0;
}

static int lost(uint32_t id, size_t pages)
{
	static struct state s;
	struct perf_buffer *pb = open_pb(id, pages, &s);
	char line[64];

	if (!pb)
		return 1;
	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		int n = perf_buffer__consume(pb);

		printf("consumed %d\n", n);
		fflush(stdout);
	}
	perf_buffer__free(pb);
	return 0;
}

/* ---- bad input ---- */

static void say(const char *step, long r)
{
	const char *name = strerrorname_np(errno);

	if (r >= 0)
		printf("%s: ok\n", step);
	else
		printf("%s: %s\n", step, name ? name : "?");
}

static int open_event(uint64_t config, int cpu)
{
	struct perf_event_attr a = {
	    .size = sizeof(a),
	    .type = PERF_TYPE_SOFTWARE,
	    .config = config,
	    .sample_type = PERF_SAMPLE_RAW,
	    .sample_period = 1,
	    .wakeup_events = 1,
	};

	return (int)syscall(__NR_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

static void *try_mmap(const char *step, int fd, size_t len, off_t off)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);

	say(step, p == MAP_FAILED ? -1 : 0);
	return p == MAP_FAILED ? NULL : p;
}

static void other_event(int map)
{
	uint32_t k = 0;
	int fd = open_event(PERF_COUNT_SW_CPU_CLOCK, 0);
	char link[64], target[64] = "";
	ssize_t n;

	say("perf_event_open cpu-clock", fd);
	if (fd < 0)
		return;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	printf("its link: %s\n", n > 0 ? target : "?");
	say("ioctl enable cpu-clock", ioctl(fd, PERF_EVENT_IOC_ENABLE, 0));
	printf("differs: ");
	say("update with the cpu-clock event", bpf_map_update_elem(map, &k, &fd, BPF_ANY));
	bpf_map_delete_elem(map, &k);
	close(fd);
}

static void bad_updates(int map, size_t page)
{
	uint32_t k = 0, far = 100000;
	int p[2], fd = open_event(PERF_COUNT_SW_BPF_OUTPUT, 0);
	void *m;

	say("perf_event_open bpf-output", fd);
	if (fd < 0 || pipe(p))
		return;
	say("update with a pipe", bpf_map_update_elem(map, &k, &p[0], BPF_ANY));
	say("update with a closed fd", bpf_map_update_elem(map, &k, &(int){999}, BPF_ANY));
	say("update index out of range", bpf_map_update_elem(map, &far, &fd, BPF_ANY));
	say("update BPF_NOEXIST", bpf_map_update_elem(map, &k, &fd, BPF_NOEXIST));
	m = try_mmap("mmap 1 + 3 pages", fd, 4 * page, 0);
	if (m)
		munmap(m, 4 * page);
	m = try_mmap("mmap at offset page", fd, 2 * page, (off_t)page);
	if (m)
		munmap(m, 2 * page);
	m = try_mmap("mmap 1 + 2 pages", fd, 3 * page, 0);
	if (m)
		munmap(m, 3 * page);
	m = try_mmap("mmap 1 + 4 pages", fd, 5 * page, 0);
	say("update with a mapped bpf-output event", bpf_map_update_elem(map, &k, &fd, BPF_ANY));
	if (m)
		printf("data_head %llu data_tail %llu\n",
		       (unsigned long long)((struct perf_event_mmap_page *)m)->data_head,
		       (unsigned long long)((struct perf_event_mmap_page *)m)->data_tail);
	say("update it again", bpf_map_update_elem(map, &k, &fd, BPF_ANY));
	say("delete it", bpf_map_delete_elem(map, &k));
	say("delete it again", bpf_map_delete_elem(map, &k));
	if (m)
		munmap(m, 5 * page);
	close(fd);
	fd = open_event(PERF_COUNT_SW_BPF_OUTPUT, 0);
	m = try_mmap("mmap 1 + 512 pages", fd, 513 * page, 0);
	printf("differs: ");
	say("update with a 512-page event", bpf_map_update_elem(map, &k, &fd, BPF_ANY));
	bpf_map_delete_elem(map, &k);
	if (m)
		munmap(m, 513 * page);
	close(fd);
	fd = open_event(PERF_COUNT_SW_BPF_OUTPUT, 0);
	m = try_mmap("mmap another 1 + 2 pages", fd, 3 * page, 0);
	say("update with it", bpf_map_update_elem(map, &k, &fd, BPF_ANY));
	if (m)
		munmap(m, 3 * page);
	close(fd);
	printf("differs: ");
	say("delete after the event's close", bpf_map_delete_elem(map, &k));
	close(p[0]);
	close(p[1]);
}

static int bad(uint32_t id)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	int map = bpf_map_get_fd_by_id(id);

	if (map < 0) {
		fprintf(stderr, "pb_consumer: map %u: %s\n", id, strerror(errno));
		return 1;
	}
	other_event(map);
	bad_updates(map, page);
	close(map);
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 5 || (argc == 6 && !strcmp(argv[5], "outer"))) && !strcmp(argv[1], "consume"))
		return consume((uint32_t)atol(argv[2]), atol(argv[3]), (size_t)atol(argv[4]),
			       argc == 6);
	if (argc == 4 && !strcmp(argv[1], "lost"))
		return lost((uint32_t)atol(argv[2]), (size_t)atol(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "bad"))
		return bad((uint32_t)atol(argv[2]));
	fprintf(stderr, "usage: pb_consumer consume ID COUNT PAGES [outer] | lost ID PAGES | "
			"bad ID\n");
	return 2;
}
