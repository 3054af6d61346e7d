// SPDX-License-Identifier: MIT
/*
 * libbpf_test.c - a control plane written against Debian's libbpf.so.1,
 * unmodified: the same steps on kernel maps (`libbpf_test kernel`, maps made
 * here with bpf_map_create) and on uxdp's (`uxdp-run --instance T
 * libbpf_test uxdp`, maps found with bpf_map_get_next_id and
 * bpf_map_get_fd_by_id), one line per step: "step result", result 0 or an
 * errno name.  Good and bad inputs alike; the driver compares the two runs
 * with each other and with expected_steps.txt.
 *
 * Maps: flows (hash u32 -> u64, 64), counts (array u32 -> u64, 4), lengths
 * (queue of u32, 8), pcpu (per-CPU array u32 -> u32, 2), events (ring
 * buffer, 4096), as in maps.bpf.c.
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/libbpf.h>

static int failed;

/* Print "name result" and the value when asked. */
static void step(const char *name, int ret)
{
	int e = ret < 0 ? (errno ? errno : -ret) : 0;
	const char *en = e ? strerrorname_np(e) : "0";

	if (e && !en)
		printf("%s %d\n", name, e);
	else
		printf("%s %s\n", name, en);
}

static void step_val_(const char *name, int ret, unsigned long long v)
{
	if (ret < 0) {
		step(name, ret);
		return;
	}
	printf("%s 0 %llu\n", name, v);
}

/* The call first, then its output (argument order is unspecified in C). */
#define step_val(name, call, out)                                                                  \
	do {                                                                                       \
		int ret_ = (call);                                                                 \
		step_val_(name, ret_, (unsigned long long)(out));                                  \
	} while (0)

struct maps {
	int flows, counts, lengths, pcpu, events;
};

static int find_uxdp(struct maps *m)
{
	__u32 id = 0;

	memset(m, -1, sizeof(*m));
	while (!bpf_map_get_next_id(id, &id)) {
		struct bpf_map_info info = {0};
		__u32 len = sizeof(info);
		int fd = bpf_map_get_fd_by_id(id);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
			fprintf(stderr, "map id %u: %s\n", id, strerror(errno));
			return -1;
		}
		if (!strcmp(info.name, "flows"))
			m->flows = fd;
		else if (!strcmp(info.name, "counts"))
			m->counts = fd;
		else if (!strcmp(info.name, "lengths"))
			m->lengths = fd;
		else if (!strcmp(info.name, "pcpu"))
			m->pcpu = fd;
		else if (!strcmp(info.name, "events"))
			m->events = fd;
		else
			close(fd);
	}
	if (errno != ENOENT || m->flows < 0 || m->counts < 0 || m->lengths < 0 || m->pcpu < 0 ||
	    m->events < 0) {
		fprintf(stderr, "maps not found (errno %d)\n", errno);
		return -1;
	}
	return 0;
}

static int make_kernel(struct maps *m)
{
	m->flows = bpf_map_create(BPF_MAP_TYPE_HASH, "flows", 4, 8, 64, NULL);
	m->counts = bpf_map_create(BPF_MAP_TYPE_ARRAY, "counts", 4, 8, 4, NULL);
	m->lengths = bpf_map_create(BPF_MAP_TYPE_QUEUE, "lengths", 0, 4, 8, NULL);
	m->pcpu = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "pcpu", 4, 4, 2, NULL);
	m->events = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "events", 0, 0, 4096, NULL);
	if (m->flows < 0 || m->counts < 0 || m->lengths < 0 || m->pcpu < 0 || m->events < 0) {
		fprintf(stderr, "bpf_map_create: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* Start from empty maps whatever the program left. */
static void clear(const struct maps *m)
{
	__u32 k, v;
	__u64 zero = 0;

	while (!bpf_map_get_next_key(m->flows, NULL, &k))
		bpf_map_delete_elem(m->flows, &k);
	while (!bpf_map_lookup_and_delete_elem(m->lengths, NULL, &v))
		;
	for (k = 0; k < 4; k++)
		bpf_map_update_elem(m->counts, &k, &zero, BPF_ANY);
}

static void hash_steps(int fd)
{
	__u32 k = 1, k2 = 2, missing = 99, next = 0;
	__u64 v = 10, out = 0;

	step("hash.update.noexist", bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST));
	v = 11;
	step("hash.update.noexist.again", bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST));
	step("hash.update.exist.absent", bpf_map_update_elem(fd, &k2, &v, BPF_EXIST));
	v = 12;
	step("hash.update.exist", bpf_map_update_elem(fd, &k, &v, BPF_EXIST));
	step("hash.update.flags.lock", bpf_map_update_elem(fd, &k, &v, BPF_F_LOCK));
	step("hash.update.flags.8", bpf_map_update_elem(fd, &k, &v, 8));
	step("hash.update.null.key", bpf_map_update_elem(fd, NULL, &v, BPF_ANY));
	step("hash.update.bad.value", bpf_map_update_elem(fd, &k, (void *)8, BPF_ANY));
	step_val("hash.lookup", bpf_map_lookup_elem(fd, &k, &out), out);
	step("hash.lookup.absent", bpf_map_lookup_elem(fd, &k2, &out));
	step("hash.lookup.flags.1", bpf_map_lookup_elem_flags(fd, &k, &out, 1));
	step("hash.lookup.flags.lock", bpf_map_lookup_elem_flags(fd, &k, &out, BPF_F_LOCK));
	step("hash.lookup.bad.value", bpf_map_lookup_elem(fd, &k, (void *)8));
	step_val("hash.next.first", bpf_map_get_next_key(fd, NULL, &next), next);
	step("hash.next.last", bpf_map_get_next_key(fd, &k, &next));
	step_val("hash.next.missing", bpf_map_get_next_key(fd, &missing, &next), next);
	step_val("hash.lookup_and_delete", bpf_map_lookup_and_delete_elem(fd, &k, &out), out);
	step("hash.lookup_and_delete.again", bpf_map_lookup_and_delete_elem(fd, &k, &out));
	step("hash.lookup_and_delete.lock",
	     bpf_map_lookup_and_delete_elem_flags(fd, &k, &out, BPF_F_LOCK));
	step("hash.lookup_and_delete.null.key", bpf_map_lookup_and_delete_elem(fd, NULL, &out));
	step("hash.update.again", bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST));
	step("hash.delete", bpf_map_delete_elem(fd, &k));
	step("hash.delete.again", bpf_map_delete_elem(fd, &k));
	step("hash.next.empty", bpf_map_get_next_key(fd, NULL, &next));
}

static void array_steps(int fd)
{
	__u32 k = 1, big = 4, next = 0, last = 3, beyond = 7;
	__u64 v = 5, out = 0;

	step("array.update", bpf_map_update_elem(fd, &k, &v, BPF_ANY));
	step("array.update.noexist", bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST));
	step("array.update.exist", bpf_map_update_elem(fd, &k, &v, BPF_EXIST));
	step("array.update.index.max", bpf_map_update_elem(fd, &big, &v, BPF_ANY));
	step("array.update.flags.3", bpf_map_update_elem(fd, &k, &v, 3));
	step_val("array.lookup", bpf_map_lookup_elem(fd, &k, &out), out);
	step("array.lookup.index.max", bpf_map_lookup_elem(fd, &big, &out));
	step("array.delete", bpf_map_delete_elem(fd, &k));
	step_val("array.next.first", bpf_map_get_next_key(fd, NULL, &next), next);
	step_val("array.next.mid", bpf_map_get_next_key(fd, &k, &next), next);
	step("array.next.last", bpf_map_get_next_key(fd, &last, &next));
	step_val("array.next.beyond", bpf_map_get_next_key(fd, &beyond, &next), next);
	step("array.lookup_and_delete", bpf_map_lookup_and_delete_elem(fd, &k, &out));
}

static void queue_steps(int fd)
{
	__u32 v, out = 0, k = 0;
	int i, r = 0;

	for (i = 0, v = 100; i < 8; i++, v++)
		r = r ?: bpf_map_update_elem(fd, NULL, &v, BPF_ANY);
	step("queue.push.8", r);
	step("queue.push.full", bpf_map_update_elem(fd, NULL, &v, BPF_ANY));
	step("queue.push.full.exist", bpf_map_update_elem(fd, NULL, &v, BPF_EXIST));
	step("queue.push.key", bpf_map_update_elem(fd, &k, &v, BPF_ANY));
	step_val("queue.peek", bpf_map_lookup_elem(fd, NULL, &out), out);
	step_val("queue.pop", bpf_map_lookup_and_delete_elem(fd, NULL, &out), out);
	step("queue.pop.flags", bpf_map_lookup_and_delete_elem_flags(fd, NULL, &out, BPF_F_LOCK));
	step("queue.delete", bpf_map_delete_elem(fd, NULL));
	step("queue.next", bpf_map_get_next_key(fd, NULL, &k));
	while (!bpf_map_lookup_and_delete_elem(fd, NULL, &out))
		;
	step("queue.pop.empty", bpf_map_lookup_and_delete_elem(fd, NULL, &out));
}

static void pcpu_steps(int fd)
{
	int n = libbpf_num_possible_cpus();
	__u64 *vals = calloc((size_t)n, 8);
	__u32 k = 1;
	int r;

	/* One 8-byte slot per possible CPU (value_size 4, rounded up). */
	for (int i = 0; i < n; i++)
		vals[i] = (__u64)i + 1;
	step("pcpu.update", bpf_map_update_elem(fd, &k, vals, BPF_ANY));
	memset(vals, 0xff, (size_t)n * 8);
	r = bpf_map_lookup_elem(fd, &k, vals);
	/* CPU 0 only: a uxdp pcap run has one worker, the other slots read 0. */
	step_val("pcpu.lookup.cpu0", r, vals[0]);
	free(vals);
}

/* Print "name result count" for a batch call. */
static void step_count_(const char *name, int ret, __u32 count)
{
	int e = ret < 0 ? errno : 0;

	if (e && e != ENOENT) {
		step(name, ret);
		return;
	}
	printf("%s %s %u\n", name, e ? "ENOENT" : "0", count);
}

/* The call first, then the count it wrote back. */
#define step_count(name, call, count)                                                              \
	do {                                                                                       \
		int ret_ = (call);                                                                 \
		step_count_(name, ret_, count);                                                    \
	} while (0)

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/*
 * Batches: the walk of a hash in steps of 2 until ENOENT (how many per call
 * depends on the kernel's buckets, so the keys are printed sorted, once all
 * are in), an array's in steps of 3 (the kernel's generic walk, exact),
 * updates and deletes stopping at the first error.
 */
static void batch_steps(const struct maps *m)
{
	__u32 keys[16], out_tok = 0, n, total = 0, k3[3] = {5, 6, 7}, dk[3] = {5, 99, 6};
	__u64 vals[16], v3[3] = {50, 60, 70};
	int r;
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	LIBBPF_OPTS(bpf_map_batch_opts, lock, .elem_flags = BPF_F_LOCK);

	n = 3;
	step_count("batch.update.hash", bpf_map_update_batch(m->flows, k3, v3, &n, &o), n);
	n = 3;
	step_count("batch.update.hash.lock", bpf_map_update_batch(m->flows, k3, v3, &n, &lock), n);
	/* walk the hash 2 at a time */
	do {
		n = 2;
		r = bpf_map_lookup_batch(m->flows, total ? &out_tok : NULL, &out_tok, keys + total,
					 vals + total, &n, &o);
		total += n;
	} while (!r && total < 12);
	step("batch.lookup.hash.end", r);
	qsort(keys, total, sizeof(keys[0]), cmp_u32);
	printf("batch.lookup.hash.keys %u:", total);
	for (__u32 i = 0; i < total; i++)
		printf(" %u", keys[i]);
	printf("\n");
	n = 3;
	step_count("batch.delete.hash.missing", bpf_map_delete_batch(m->flows, dk, &n, &o), n);
	/* lookup-and-delete drains what is left (key 7) */
	total = 0;
	do {
		n = 2;
		r = bpf_map_lookup_and_delete_batch(m->flows, total ? &out_tok : NULL, &out_tok,
						    keys + total, vals + total, &n, &o);
		total += n;
	} while (!r && total < 12);
	step("batch.lookup_and_delete.hash.end", r);
	qsort(keys, total, sizeof(keys[0]), cmp_u32);
	printf("batch.lookup_and_delete.hash.got %u:", total);
	for (__u32 i = 0; i < total; i++)
		printf(" %u", keys[i]);
	printf("\n");
	step("batch.lookup_and_delete.hash.empty", bpf_map_get_next_key(m->flows, NULL, &n));
	/* an array: the generic walk, the last key as the token */
	n = 3;
	r = bpf_map_lookup_batch(m->counts, NULL, &out_tok, keys, vals, &n, &o);
	step_count("batch.lookup.array.1", r, n);
	printf("batch.lookup.array.1.token %u\n", out_tok);
	n = 3;
	r = bpf_map_lookup_batch(m->counts, &out_tok, &out_tok, keys, vals, &n, &o);
	step_count("batch.lookup.array.2", r, n);
	n = 2;
	step_count("batch.delete.array", bpf_map_delete_batch(m->counts, keys, &n, &o), n);
	n = 2;
	step_count("batch.lookup.queue",
		   bpf_map_lookup_batch(m->lengths, NULL, &out_tok, keys, vals, &n, &o), n);
	n = 0;
	step_count("batch.lookup.count.0",
		   bpf_map_lookup_batch(m->counts, NULL, &out_tok, keys, vals, &n, &o), n);
	n = 2;
	step_count("batch.lookup.bad.values",
		   bpf_map_lookup_batch(m->counts, NULL, &out_tok, keys, (void *)8, &n, &o), n);
}

/* A ring buffer has no elements to reach through bpf(2). */
static void ringbuf_steps(int fd)
{
	__u32 k = 0, v = 0;

	step("ringbuf.lookup", bpf_map_lookup_elem(fd, NULL, &v));
	step("ringbuf.update", bpf_map_update_elem(fd, NULL, &v, BPF_ANY));
	step("ringbuf.delete", bpf_map_delete_elem(fd, NULL));
	step("ringbuf.next", bpf_map_get_next_key(fd, NULL, &k));
	step("ringbuf.pop", bpf_map_lookup_and_delete_elem(fd, NULL, &v));
}

/* The attr itself: sizes and fields that libbpf would never send. */
static void attr_steps(int fd)
{
	union bpf_attr a;
	char big[sizeof(a) + 16];
	__u32 k = 0;
	__u64 v;

	memset(big, 0, sizeof(big));
	memcpy(big,
	       &(union bpf_attr){.map_fd = fd,
				 .key = (__u64)(unsigned long)&k,
				 .value = (__u64)(unsigned long)&v},
	       sizeof(a));
	step("attr.size.long.zero", (int)syscall(__NR_bpf, BPF_MAP_LOOKUP_ELEM, big, sizeof(big)));
	big[sizeof(a) + 3] = 1;
	step("attr.size.long.tail", (int)syscall(__NR_bpf, BPF_MAP_LOOKUP_ELEM, big, sizeof(big)));
	step("attr.size.page", (int)syscall(__NR_bpf, BPF_MAP_LOOKUP_ELEM, big, 8192));
	{
		static char huge[2048];

		memcpy(huge, big, sizeof(a));
		huge[2000] = 1; /* past any kernel's attr */
		step("attr.size.far.tail",
		     (int)syscall(__NR_bpf, BPF_MAP_LOOKUP_ELEM, huge, sizeof(huge)));
	}
	step("attr.bad.pointer", (int)syscall(__NR_bpf, BPF_MAP_LOOKUP_ELEM, (void *)8, 32));
	memset(&a, 0, sizeof(a));
	a.map_fd = (__u32)fd;
	a.key = (__u64)(unsigned long)&k;
	a.value = (__u64)(unsigned long)&v;
	((char *)&a)[40] = 1; /* past BPF_MAP_LOOKUP_ELEM's last field */
	step("attr.field.past.last", (int)syscall(__NR_bpf, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)));
}

static void fd_steps(const struct maps *m)
{
	struct bpf_map_info info;
	__u32 len, k = 1, id;
	__u64 v = 1;
	int ro, nul, closed;
	LIBBPF_OPTS(bpf_get_fd_by_id_opts, rdonly, .open_flags = BPF_F_RDONLY);
	LIBBPF_OPTS(bpf_get_fd_by_id_opts, both, .open_flags = BPF_F_RDONLY | BPF_F_WRONLY);

	memset(&info, 0, sizeof(info));
	len = sizeof(info);
	step("info", bpf_obj_get_info_by_fd(m->counts, &info, &len));
	printf("info.fields %u %u %u %u %u %s len %u\n", info.type, info.key_size, info.value_size,
	       info.max_entries, info.map_flags, info.name, len);
	id = info.id;
	len = 8;
	memset(&info, 0, sizeof(info));
	step("info.short", bpf_obj_get_info_by_fd(m->counts, &info, &len));
	printf("info.short.fields %u %u len %u\n", info.type, info.key_size, len);
	{
		/* Longer than any kernel's struct bpf_map_info: zeros are fine, others E2BIG. */
		char buf[512] = {0};

		len = sizeof(buf);
		step("info.long.zero", bpf_obj_get_info_by_fd(m->counts, buf, &len));
		printf("info.long.len %s\n",
		       len >= sizeof(info) && len < sizeof(buf) ? "ok" : "bad");
		buf[400] = 1;
		len = sizeof(buf);
		step("info.long.tail", bpf_obj_get_info_by_fd(m->counts, buf, &len));
	}
	ro = bpf_map_get_fd_by_id_opts(id, &rdonly);
	step("fd.rdonly", ro < 0 ? ro : 0);
	step("fd.rdonly.update", bpf_map_update_elem(ro, &k, &v, BPF_ANY));
	step("fd.rdonly.lookup", bpf_map_lookup_elem(ro, &k, &v));
	step("fd.both.flags", bpf_map_get_fd_by_id_opts(id, &both));
	step("fd.id.absent", bpf_map_get_fd_by_id(0x7ffffff0));
	close(ro);
	closed = dup(m->counts);
	close(closed);
	step("fd.closed.lookup", bpf_map_lookup_elem(closed, &k, &v));
	nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	step("fd.not.map.lookup", bpf_map_lookup_elem(nul, &k, &v));
	close(nul);
	{
		char path[64];

		snprintf(path, sizeof(path), "/tmp/bpfsys-pin-%d", (int)getpid());
		step("pin.not.bpffs", bpf_obj_pin(m->counts, path));
		unlink(path);
	}
	{
		/* The descriptor works in a child, as a kernel map fd does. */
		pid_t pid = fork();
		int st = 0;

		if (pid == 0)
			_exit(bpf_map_lookup_elem(m->counts, &k, &v) ? errno : 0);
		waitpid(pid, &st, 0);
		step("fd.fork.lookup", WIFEXITED(st) ? -WEXITSTATUS(st) : -EINTR);
	}
	{
		/* Across exec, on an fd number the new program never saw handed out. */
		pid_t pid = fork();
		int st = 0;

		if (pid == 0) {
			dup2(m->counts, 100); /* dup2 clears FD_CLOEXEC */
			execl("/proc/self/exe", "libbpf_test", "child", "100", (char *)NULL);
			_exit(127);
		}
		waitpid(pid, &st, 0);
		step("fd.exec.lookup", WIFEXITED(st) ? -WEXITSTATUS(st) : -EINTR);
	}
	{
		int d = dup(m->counts);

		v = 0;
		step_val("fd.dup.lookup", bpf_map_lookup_elem(d, &k, &v), v);
		close(d);
	}
}

/* Last: a frozen map is read-only to bpf(2) callers, for good. */
static void freeze_steps(const struct maps *m)
{
	struct bpf_map_info info = {0};
	__u32 len = sizeof(info), k = 1;
	__u64 v = 9;
	int ro;
	LIBBPF_OPTS(bpf_get_fd_by_id_opts, rdonly, .open_flags = BPF_F_RDONLY);

	bpf_obj_get_info_by_fd(m->counts, &info, &len);
	ro = bpf_map_get_fd_by_id_opts(info.id, &rdonly);
	step("freeze.rdonly", bpf_map_freeze(ro));
	close(ro);
	step("freeze", bpf_map_freeze(m->counts));
	step("freeze.again", bpf_map_freeze(m->counts));
	step("freeze.update", bpf_map_update_elem(m->counts, &k, &v, BPF_ANY));
	step_val("freeze.lookup", bpf_map_lookup_elem(m->counts, &k, &v), v);
}

int main(int argc, char **argv)
{
	struct maps m;

	if (argc == 3 && !strcmp(argv[1], "child")) {
		__u32 k = 1;
		__u64 v;

		return bpf_map_lookup_elem(atoi(argv[2]), &k, &v) ? errno : 0;
	}
	if (argc != 2 || (strcmp(argv[1], "kernel") && strcmp(argv[1], "uxdp"))) {
		fprintf(stderr, "usage: libbpf_test kernel|uxdp\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "uxdp") ? find_uxdp(&m) : make_kernel(&m))
		return 1;
	clear(&m);
	hash_steps(m.flows);
	array_steps(m.counts);
	queue_steps(m.lengths);
	pcpu_steps(m.pcpu);
	ringbuf_steps(m.events);
	batch_steps(&m);
	attr_steps(m.counts);
	fd_steps(&m);
	freeze_steps(&m);
	return failed;
}
