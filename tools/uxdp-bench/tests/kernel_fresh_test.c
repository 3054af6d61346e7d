// SPDX-License-Identifier: MIT
/*
 * kernel_fresh_test - uxdp-bench's kernel method gives the program a fresh
 * packet on every run; test_run's repeat loop does not.  ctest bench.kernel_fresh.
 *
 *	kernel_fresh_test XDP_TX.bpf.o XDP_LB.bpf.o XDP_LB.conf FRESH_PROBE.bpf.o
 *
 * 1. xdp_tx (MAC swap): the expected bytes are computed here, independently
 *    of any engine; every one of the timed calls' data_out must equal them.
 *    The same check against the unswapped bytes must fail on every call (the
 *    comparison can fail), and test_run with repeat = 2 hands back the frame
 *    swapped twice (why the repeat loop is wrong for packet writers).
 * 2. xdp_lb (IPIP encapsulation, its shipped config): every call's data_out
 *    and verdict equal the first call's, that first output is the packet
 *    encapsulated (20 bytes longer, outer protocol IPIP), and lb_stats counts
 *    one forwarded packet per call.  With repeat = 2 the second run sees the
 *    encapsulated packet and passes it: the last verdict is XDP_PASS.
 * 3. BPF_F_TEST_XDP_LIVE_FRAMES (fresh_probe: counts the first byte it sees,
 *    then increments it): shows that recycled live frames keep the bytes an
 *    earlier run wrote, the reason docs/benchmarks.md gives for not using
 *    the mode.  If a kernel restores them, this fails, and that reason must
 *    be revisited.
 *
 * Exit 0 pass, 1 fail, 77 skip (no usable BPF).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "../../uxdp-difftest/difftest.h"
#include "../bench.h"

#define NPKTS 8
#define CALLS 4096
#define LEN 64
#define LB_ST_TX 1 /* xdp_lb.bpf.c: ST_TX */

static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

static uint8_t bufs[NPKTS][LEN], swapped[NPKTS][LEN];

/* Ethernet + IPv4 + TCP, 198.18.0.(10+i):(40000+i) -> dst:dport, MACs per packet. */
static void make_tcp(uint8_t *b, int i, const uint8_t dst[4], uint16_t dport)
{
	static const uint8_t ip[20] = {0x45, 0, 0, LEN - 14, 0, 1, 0x40, 0, 64, 6};

	memset(b, 0, LEN);
	memcpy(b, (uint8_t[]){0x02, 0, 0, 0, 0xaa, (uint8_t)i}, 6);
	memcpy(b + 6, (uint8_t[]){0x02, 0, 0, 0, 0xbb, (uint8_t)i}, 6);
	b[12] = 0x08;
	memcpy(b + 14, ip, sizeof(ip));
	memcpy(b + 26, (uint8_t[]){198, 18, 0, (uint8_t)(10 + i)}, 4);
	memcpy(b + 30, dst, 4);
	b[34] = (40000 + i) >> 8;
	b[35] = (40000 + i) & 0xff;
	b[36] = dport >> 8;
	b[37] = dport & 0xff;
	b[46] = 0x50;
	b[47] = 0x02; /* SYN */
}

/* Can this process load XDP programs at all?  (Skip only when it cannot.) */
static bool bpf_usable(void)
{
	struct bpf_insn insns[] = {
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = XDP_PASS},
	    {.code = BPF_JMP | BPF_EXIT},
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "probe", "GPL", insns, 2, NULL);

	if (fd < 0) {
		printf("kernel_fresh_test: the kernel does not load XDP programs here (%s): skipped\n",
		       strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

static void open_prog(struct engine *e, const char *path, const char *what)
{
	memset(e, 0, sizeof(*e));
	if (engine_open_kernel(e, path, NULL)) {
		fprintf(stderr, "FAIL kernel_fresh_test: %s: %s\n", what, e->why);
		exit(1);
	}
}

static void test_mac_swap(const char *obj)
{
	struct pkt pkts[NPKTS], good[NPKTS], stale[NPKTS];
	const uint8_t dst[4] = {198, 19, 0, 1};
	struct fresh_result r;
	struct engine e;
	uint8_t out[LEN + 64];
	int i;

	open_prog(&e, obj, "xdp_tx");
	for (i = 0; i < NPKTS; i++) {
		make_tcp(bufs[i], i, dst, 80);
		memcpy(swapped[i], bufs[i], LEN);
		memcpy(swapped[i], bufs[i] + 6, 6);
		memcpy(swapped[i] + 6, bufs[i], 6);
		pkts[i] = (struct pkt){bufs[i], LEN};
		good[i] = (struct pkt){swapped[i], LEN};
		stale[i] = (struct pkt){bufs[i], LEN};
	}
	CHECK(!kernel_run_fresh(e.prog_fd, pkts, NPKTS, CALLS, good, NULL, &r), "test_run failed");
	CHECK(r.calls == CALLS && r.checked == CALLS, "%llu calls, %llu checked",
	      (unsigned long long)r.calls, (unsigned long long)r.checked);
	CHECK(r.mismatches == 0, "%llu of %llu calls returned other bytes (first: call %llu)",
	      (unsigned long long)r.mismatches, (unsigned long long)r.calls,
	      (unsigned long long)r.first_mismatch);
	printf("xdp_tx fresh: %llu calls, every data_out the packet swapped once\n",
	       (unsigned long long)r.calls);

	/* The comparison can fail: the unswapped bytes are wrong on every call. */
	kernel_run_fresh(e.prog_fd, pkts, NPKTS, CALLS, stale, NULL, &r);
	CHECK(r.mismatches == CALLS, "only %llu of %d calls differ from the unswapped bytes",
	      (unsigned long long)r.mismatches, CALLS);

	/* repeat = 2: the second run swaps the first run's output back. */
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = bufs[0], .data_size_in = LEN,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 2);
	CHECK(!bpf_prog_test_run_opts(e.prog_fd, &t), "repeat = 2: %s", strerror(errno));
	CHECK(t.data_size_out == LEN && !memcmp(out, bufs[0], LEN),
	      "repeat = 2 no longer reruns on its own output: docs/benchmarks.md needs updating");
	printf("xdp_tx repeat=2: data_out is the packet swapped twice (the original)\n");
	kernel_close(&e);
}

/* lb_stats is per CPU: the sum of every possible CPU's count. */
static uint64_t lb_tx_count(struct engine *e)
{
	struct bpf_map *m = bpf_object__find_map_by_name(e->bobj, "lb_stats");
	int ncpus = libbpf_num_possible_cpus();
	uint32_t key = LB_ST_TX;
	uint64_t *v, sum = 0;

	if (!m || ncpus <= 0 || !(v = calloc((size_t)ncpus, sizeof(*v))))
		return UINT64_MAX;
	if (bpf_map_lookup_elem(bpf_map__fd(m), &key, v)) {
		free(v);
		return UINT64_MAX;
	}
	for (int c = 0; c < ncpus; c++)
		sum += v[c];
	free(v);
	return sum;
}

static void test_encap(const char *obj, const char *conf)
{
	const uint8_t vip[4] = {198, 18, 250, 1};
	struct pkt pkts[NPKTS];
	struct fresh_result r;
	struct cfg c = {0};
	struct engine e;
	uint8_t out[LEN + 64];
	uint64_t before;
	char err[512];
	size_t k;
	int i;

	open_prog(&e, obj, "xdp_lb");
	CHECK(!cfg_parse(conf, &c, err, sizeof(err)), "%s", err);
	for (k = 0; k < c.n; k++)
		CHECK(!kernel_apply(&e, &c.v[k]), "%s:%d: map %s", conf, c.v[k].line, c.v[k].map);
	cfg_free(&c);
	for (i = 0; i < NPKTS; i++) {
		make_tcp(bufs[i], i, vip, 80);
		pkts[i] = (struct pkt){bufs[i], LEN};
	}
	CHECK(!kernel_probe(&e, pkts, NPKTS), "probe");
	for (i = 0; i < NPKTS; i++) {
		const struct pkt *x = &e.expect[i];

		CHECK(e.verdicts[i] == XDP_TX, "packet %d: verdict %u", i, e.verdicts[i]);
		CHECK(x->len == LEN + 20 && x->data[14 + 9] == 4 && !memcmp(x->data + 34, bufs[i] + 14, 20),
		      "packet %d: not encapsulated (%u bytes)", i, x->len);
	}
	before = lb_tx_count(&e);
	CHECK(!kernel_run_fresh(e.prog_fd, pkts, NPKTS, CALLS, e.expect, e.verdicts, &r),
	      "test_run failed");
	CHECK(r.checked == CALLS && r.mismatches == 0,
	      "%llu of %llu calls differ from the first call's output (first: %llu)",
	      (unsigned long long)r.mismatches, (unsigned long long)r.checked,
	      (unsigned long long)r.first_mismatch);
	CHECK(lb_tx_count(&e) - before == CALLS, "lb_stats counted %llu forwarded, want %d",
	      (unsigned long long)(lb_tx_count(&e) - before), CALLS);
	printf("xdp_lb fresh: %llu calls, each encapsulated the packet as sent (lb_stats +%d)\n",
	       (unsigned long long)r.calls, CALLS);

	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = bufs[0], .data_size_in = LEN,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 2);
	CHECK(!bpf_prog_test_run_opts(e.prog_fd, &t), "repeat = 2: %s", strerror(errno));
	CHECK(t.retval == XDP_PASS,
	      "repeat = 2 returned %u: the second run no longer sees its own output", t.retval);
	printf("xdp_lb repeat=2: the second run passes the encapsulated packet (verdict %u)\n",
	       t.retval);
	for (i = 0; i < NPKTS; i++)
		free(e.expect[i].data);
	free(e.expect);
	free(e.verdicts);
	kernel_close(&e);
}

static void test_live_frames(const char *obj)
{
	struct engine e;
	struct bpf_map *m;
	uint64_t fresh = 0, stale = 0, v;
	uint32_t key;
	int err;

	open_prog(&e, obj, "fresh_probe");
	make_tcp(bufs[0], 0, (uint8_t[]){198, 19, 0, 1}, 80);
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = bufs[0], .data_size_in = LEN,
		    .repeat = CALLS, .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	err = bpf_prog_test_run_opts(e.prog_fd, &t);
	if (err) {
		printf("live frames: not available here (%s): nothing to show\n", strerror(errno));
		kernel_close(&e);
		return;
	}
	m = bpf_object__find_map_by_name(e.bobj, "seen");
	for (key = 0; m && key < 256; key++)
		if (!bpf_map_lookup_elem(bpf_map__fd(m), &key, &v))
			*(key == bufs[0][0] ? &fresh : &stale) += v;
	printf("live frames: %llu of %llu runs saw the first byte as sent, %llu saw an earlier "
	       "run's write\n",
	       (unsigned long long)fresh, (unsigned long long)(fresh + stale),
	       (unsigned long long)stale);
	CHECK(fresh + stale == CALLS, "the probe ran %llu times, want %d",
	      (unsigned long long)(fresh + stale), CALLS);
	CHECK(stale > 0, "live frames restored the bytes on every run: docs/benchmarks.md's reason "
			 "for not using BPF_F_TEST_XDP_LIVE_FRAMES no longer holds");
	kernel_close(&e);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: kernel_fresh_test XDP_TX.bpf.o XDP_LB.bpf.o XDP_LB.conf "
				"FRESH_PROBE.bpf.o\n");
		return 2;
	}
	if (!bpf_usable())
		return 77;
	test_mac_swap(argv[1]);
	test_encap(argv[2], argv[3]);
	test_live_frames(argv[4]);
	printf("%d failed\n", failures);
	return failures ? 1 : 0;
}
