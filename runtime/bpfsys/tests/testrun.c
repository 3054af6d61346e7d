// SPDX-License-Identifier: MIT
/*
 * testrun.c - a libbpf program, linked against Debian's libbpf.so.1 and
 * unmodified between the two runs of testrun_test.sh: load OBJ (testrun.bpf.o),
 * call bpf_prog_test_run_opts() on its XDP program with good and bad
 * arguments, and print what each call gave (its return, retval, the sizes,
 * data_out and ctx_out), then the maps' contents.  On the kernel and under
 * uxdp-run every line must be the same.  Durations go to stderr (they
 * differ).  usage: testrun OBJ [live|frags].  Exit 77 when the kernel refuses
 * BPF (no root).
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int prog;

/* An Ethernet frame of len bytes whose byte 12 is op. */
static void frame(uint8_t *f, size_t len, uint8_t op)
{
	for (size_t i = 0; i < len; i++)
		f[i] = (uint8_t)(i * 7 + 1);
	f[12] = op;
	f[13] = 0;
}

static void hex(const char *what, const void *p, size_t n)
{
	const uint8_t *b = p;

	printf(" %s=", what);
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
}

/* One call: its name, the opts as given, and what came back. */
static void run(const char *name, struct bpf_test_run_opts *o)
{
	uint8_t out[8192];
	struct xdp_md *ctx_out = (struct xdp_md *)o->ctx_out;
	uint32_t cap;
	int r;

	if (!o->data_out && o->data_size_out != 1) {
		o->data_out = out;
		o->data_size_out = sizeof(out);
	}
	if (o->data_size_out == 1)
		o->data_size_out = 0;
	cap = o->data_size_out;
	memset(out, 0xee, sizeof(out));
	r = bpf_prog_test_run_opts(prog, o);
	printf("%s: ret=%s", name, r == 0 ? "0" : strerrorname_np(-r));
	if (r == 0 || r == -ENOSPC) {
		printf(" retval=%u size_out=%u", o->retval, o->data_size_out);
		if (o->data_out) /* what was written: at most the buffer */
			hex("data", o->data_out, o->data_size_out < cap ? o->data_size_out : cap);
		if (ctx_out)
			printf(" ctx=%u,%u,%u,%u,%u,%u size=%u", ctx_out->data, ctx_out->data_end,
			       ctx_out->data_meta, ctx_out->ingress_ifindex,
			       ctx_out->rx_queue_index, ctx_out->egress_ifindex,
			       o->ctx_size_out);
	}
	printf("\n");
	fprintf(stderr, "%s: duration %u ns (repeat %d)\n", name, o->duration, o->repeat);
}

#define CASE(name, ...)                                                                            \
	do {                                                                                       \
		LIBBPF_OPTS(bpf_test_run_opts, o, __VA_ARGS__);                                    \
		run(name, &o);                                                                     \
	} while (0)

static void good(void)
{
	uint8_t f[128], m[4 + 60], small[20];
	struct xdp_md ci = { 0 }, co = { 0 };

	for (int op = 0; op <= 10; op++) {
		char name[32];

		frame(f, 60, (uint8_t)op);
		snprintf(name, sizeof(name), "op%d", op);
		CASE(name, .data_in = f, .data_size_in = 60);
	}
	frame(f, 60, 5);
	ci.data_end = 60;
	CASE("meta-out-ctx", .data_in = f, .data_size_in = 60, .ctx_in = &ci,
	     .ctx_size_in = sizeof(ci), .ctx_out = &co, .ctx_size_out = sizeof(co));
	frame(m + 4, 60, 6);
	m[0] = 0x78, m[1] = 0x56, m[2] = 0x34, m[3] = 0x12;
	ci = (struct xdp_md){ .data = 4, .data_end = 64 };
	CASE("meta-in", .data_in = m, .data_size_in = 64, .ctx_in = &ci, .ctx_size_in = sizeof(ci),
	     .ctx_out = &co, .ctx_size_out = sizeof(co));
	ci = (struct xdp_md){ .data_end = 60, .ingress_ifindex = 1 };
	frame(f, 60, 0);
	CASE("ifindex", .data_in = f, .data_size_in = 60, .ctx_in = &ci, .ctx_size_in = sizeof(ci),
	     .ctx_out = &co, .ctx_size_out = sizeof(co));
	CASE("ctx-in-short", .data_in = f, .data_size_in = 60, .ctx_in = &ci, .ctx_size_in = 8,
	     .ctx_out = &co, .ctx_size_out = sizeof(co));
	CASE("ctx-out-small", .data_in = f, .data_size_in = 60, .ctx_in = &ci,
	     .ctx_size_in = sizeof(ci), .ctx_out = &co, .ctx_size_out = 8);
	frame(f, 60, 9);
	CASE("swap-repeat3", .data_in = f, .data_size_in = 60, .repeat = 3);
	frame(f, 60, 0);
	f[13] = 42;
	CASE("repeat1000", .data_in = f, .data_size_in = 60, .repeat = 1000);
	frame(f, 14, 0);
	CASE("eth-only", .data_in = f, .data_size_in = 14);
	frame(f, 60, 0);
	CASE("size-out-small", .data_in = f, .data_size_in = 60, .data_out = small,
	     .data_size_out = sizeof(small));
	CASE("no-data-out", .data_in = f, .data_size_in = 60, .data_size_out = 1);
	{
		static uint8_t big[3520];

		frame(big, sizeof(big), 4);
		CASE("linear-max", .data_in = big, .data_size_in = sizeof(big));
	}

}

static void bad(void)
{
	uint8_t f[64], ctxbig[40] = { 0 };
	struct xdp_md ci;

	frame(f, 60, 0);
	CASE("runt", .data_in = f, .data_size_in = 13);
	CASE("empty", .data_size_in = 0);
#define BADCTX(name, ...)                                                                          \
	ci = (struct xdp_md){ .data_end = 60, __VA_ARGS__ };                                       \
	CASE(name, .data_in = f, .data_size_in = 60, .ctx_in = &ci, .ctx_size_in = sizeof(ci))
	BADCTX("ctx-data-meta", .data_meta = 4);
	BADCTX("ctx-meta-unaligned", .data = 3);
	BADCTX("ctx-meta-36", .data = 36);
	{
		static uint8_t big[300];

		frame(big, sizeof(big), 0);
		for (uint32_t meta = 212; meta <= 256; meta += 4) {
			char name[32];

			ci = (struct xdp_md){ .data = meta, .data_end = sizeof(big) };
			snprintf(name, sizeof(name), "ctx-meta-%u", meta);
			CASE(name, .data_in = big, .data_size_in = sizeof(big), .ctx_in = &ci,
			     .ctx_size_in = sizeof(ci));
		}
	}
	BADCTX("ctx-data-past-end", .data = 64);
	BADCTX("ctx-queue-no-dev", .rx_queue_index = 1);
	BADCTX("ctx-queue-past", .ingress_ifindex = 1, .rx_queue_index = 5);
	BADCTX("ctx-no-dev", .ingress_ifindex = 999999);
	BADCTX("ctx-egress", .egress_ifindex = 1);
	ci = (struct xdp_md){ .data_end = 60 };
	memcpy(ctxbig, &ci, sizeof(ci));
	ctxbig[30] = 1;
	CASE("ctx-tail", .data_in = f, .data_size_in = 60, .ctx_in = ctxbig,
	     .ctx_size_in = sizeof(ctxbig));
	ctxbig[30] = 0;
	CASE("ctx-tail-zero", .data_in = f, .data_size_in = 60, .ctx_in = ctxbig,
	     .ctx_size_in = sizeof(ctxbig));
	CASE("flags", .data_in = f, .data_size_in = 60, .flags = 4);
	CASE("batch-not-live", .data_in = f, .data_size_in = 60, .batch_size = 4);
	CASE("live-batch-big", .data_in = f, .data_size_in = 60,
	     .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = 1000);
}

/*
 * Data past the linear part: the kernel puts it in fragments (a frame over
 * 3520 bytes, or ctx_in's data_end short of data_size_in, 0 when ctx_out
 * comes alone), uxdp refuses it.  Not compared: run on its own ("frags").
 */
static void frags(void)
{
	static uint8_t big[4000];
	struct xdp_md ci = { .data_end = 50 }, co;

	frame(big, sizeof(big), 0);
	CASE("frags-big", .data_in = big, .data_size_in = sizeof(big));
	CASE("frags-ctx-data-end", .data_in = big, .data_size_in = 60, .ctx_in = &ci,
	     .ctx_size_in = sizeof(ci));
	CASE("frags-ctx-out-only", .data_in = big, .data_size_in = 60, .ctx_out = &co,
	     .ctx_size_out = sizeof(co));
}

/* Every map's keys and values, keys in order. */
static void dump(struct bpf_object *obj)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj) {
		uint32_t key, next, keys[64];
		uint64_t val;
		int n = 0, fd = bpf_map__fd(m);
		uint32_t *prev = NULL;

		while (n < 64 && !bpf_map_get_next_key(fd, prev, &next)) {
			keys[n++] = next;
			key = next;
			prev = &key;
		}
		for (int i = 0; i < n; i++)
			for (int j = i + 1; j < n; j++)
				if (keys[j] < keys[i]) {
					uint32_t t = keys[i];
					keys[i] = keys[j];
					keys[j] = t;
				}
		printf("map %s:", bpf_map__name(m));
		for (int i = 0; i < n; i++)
			if (!bpf_map_lookup_elem(fd, &keys[i], &val))
				printf(" %u=%lld", keys[i], (long long)val);
		printf("\n");
	}
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *p;

	if (argc < 2) {
		fprintf(stderr, "usage: testrun OBJ [live|frags]\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "testrun: cannot load %s: %s\n", argv[1], strerror(errno));
		return errno == EPERM ? 77 : 1;
	}
	p = bpf_object__find_program_by_name(obj, "xdp_tr");
	prog = p ? bpf_program__fd(p) : -1;
	if (prog < 0)
		return 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2 && !strcmp(argv[2], "live")) {
		uint8_t f[64];

		frame(f, 60, 0);
		CASE("live", .data_in = f, .data_size_in = 60, .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
		     .data_size_out = 1);
		return 0;
	}
	if (argc > 2 && !strcmp(argv[2], "frags")) {
		frags();
		return 0;
	}
	good();
	bad();
	dump(obj);
	return 0;
}
