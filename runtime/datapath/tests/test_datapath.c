// SPDX-License-Identifier: MIT
/*
 * test_datapath.c - the datapath without a driver: the ctx a program sees,
 * verdicts and their counters, redirect targets, the stop flag where
 * compiled code reads it, program replacement between batches, and a
 * worker stuck in a program reported.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uxdp/datapath.h>
#include <uxdp/helpers.h>
#include <uxdp/map.h>

uint64_t uxdp_helper_redirect(uint64_t ifindex, uint64_t flags);
uint64_t uxdp_helper_redirect_map(uint64_t map, uint64_t key, uint64_t flags);

static int failures;

#define CHECK(cond)                                                                       \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
			failures++;                                                       \
		}                                                                         \
	} while (0)

static struct uxdp_ctx seen;
static struct uxdp_map *devmap;

/*
 * The first byte picks what to do: 0 DROP, 1 PASS, 2 TX, 3 redirect to
 * ifindex 7, 4 to ifindex 99 (no port), 5 REDIRECT without a target, 6 an
 * unknown action, 7 through devmap slot 0, 8 TX after moving data by 4.
 */
static uint64_t prog_table(struct uxdp_ctx *ctx)
{
	seen = *ctx;
	switch (ctx->data[0]) {
	case 0: return XDP_DROP;
	case 1: return XDP_PASS;
	case 2: return XDP_TX;
	case 3: return uxdp_helper_redirect(7, 0);
	case 4: return uxdp_helper_redirect(99, 0);
	case 5: return XDP_REDIRECT;
	case 6: return 77;
	case 7: return uxdp_helper_redirect_map((uint64_t)(uintptr_t)devmap, 0, XDP_DROP);
	default:
		ctx->data += 4;
		return XDP_TX;
	}
}

static const struct uxdp_program table = { .name = "table", .section = "xdp", .object = "t.o",
					   .type = UXDP_PROG_XDP, .fn = prog_table };

static uint8_t frame[4096];

static enum uxdp_dp_action one(struct uxdp_dp_worker *w, uint8_t first, uint32_t len)
{
	memset(frame, 0, sizeof(frame));
	frame[UXDP_HEADROOM] = first;
	return uxdp_dp_run(w, frame, frame + UXDP_HEADROOM, len, frame + sizeof(frame));
}

static void test_verdicts(void)
{
	struct uxdp_dp_opts o = { .sz = sizeof(o) };
	struct uxdp_dp_counters c;
	struct uxdp_dp_worker *w;
	struct uxdp_dp *dp;
	struct uxdp_map_def def = { .sz = sizeof(def), .name = "ports", .type = BPF_MAP_TYPE_DEVMAP,
				    .key_size = 4, .value_size = 4, .max_entries = 4 };
	char inst[UXDP_INSTANCE_LEN];
	uint32_t k = 0, v = 7;

	snprintf(inst, sizeof(inst), "dptest-%d", (int)getpid());
	CHECK(uxdp_map_create(inst, &def, &devmap) == 0);
	CHECK(uxdp_map_update(devmap, &k, &v, 0) == 0);
	CHECK(uxdp_dp_create(&o, &dp) == 0);
	CHECK(uxdp_dp_add_port(dp, 5) == 0);
	CHECK(uxdp_dp_add_port(dp, 7) == 1);
	CHECK(uxdp_dp_set_workers(dp, 2) == 0);
	w = uxdp_dp_worker(dp, 1);
	uxdp_dp_worker_set_queue(w, 3);
	CHECK(uxdp_dp_attach(dp, 0, &table) == NULL);
	CHECK(uxdp_dp_attach(dp, 1, &table) == NULL);
	uxdp_dp_worker_enter(w);

	uxdp_dp_batch_begin(w, 0);
	CHECK(one(w, 0, 60) == UXDP_DP_RECYCLE);
	/* The ctx: this frame, the batch's port, the worker's queue and state. */
	CHECK(seen.data == frame + UXDP_HEADROOM && seen.data_end == seen.data + 60);
	CHECK(seen.data_meta == seen.data && seen.data_hard_start == frame);
	CHECK(seen.frame_end == frame + sizeof(frame));
	CHECK(seen.ingress_ifindex == 5 && seen.rx_queue_index == 3);
	CHECK(seen.worker == &w->uw && uxdp_worker_current() == &w->uw);
	CHECK(one(w, 1, 61) == UXDP_DP_PASS);
	CHECK(one(w, 2, 62) == UXDP_DP_TX && uxdp_dp_out_port(w) == 0);
	CHECK(one(w, 3, 63) == UXDP_DP_TX && uxdp_dp_out_port(w) == 1);
	CHECK(one(w, 4, 64) == UXDP_DP_RECYCLE);
	CHECK(w->uw.redirect.kind == UXDP_REDIRECT_NONE);
	CHECK(one(w, 5, 65) == UXDP_DP_RECYCLE);
	CHECK(one(w, 6, 66) == UXDP_DP_RECYCLE);
	CHECK(one(w, 7, 67) == UXDP_DP_TX && uxdp_dp_out_port(w) == 1);
	CHECK(one(w, 8, 68) == UXDP_DP_TX && uxdp_dp_len(w) == 64 &&
	      uxdp_dp_data(w) == frame + UXDP_HEADROOM + 4);
	/* Counters reach the shared ones when the worker idles (or every 16 batches). */
	uxdp_dp_batch_end(w);
	uxdp_dp_sum(dp, &c);
	CHECK(c.v.packets[UXDP_DROP] == 0);
	uxdp_dp_idle(w);
	uxdp_dp_sum(dp, &c);
	CHECK(c.v.packets[UXDP_DROP] == 1 && c.v.bytes[UXDP_DROP] == 60);
	CHECK(c.v.packets[UXDP_PASS] == 1 && c.v.bytes[UXDP_PASS] == 61);
	CHECK(c.v.packets[UXDP_TX] == 2 && c.v.bytes[UXDP_TX] == 62 + 68);
	CHECK(c.v.packets[UXDP_REDIRECT] == 4);
	CHECK(c.v.packets[UXDP_ABORTED] == 1 && c.v.bytes[UXDP_ABORTED] == 66);
	CHECK(c.tx_drop == 2); /* ifindex 99, and no target */

	/* The second port's batch: its ifindex. */
	uxdp_dp_batch_begin(w, 1);
	CHECK(one(w, 2, 60) == UXDP_DP_TX && uxdp_dp_out_port(w) == 1);
	CHECK(seen.ingress_ifindex == 7);
	uxdp_dp_batch_end(w);
	uxdp_dp_idle(w);

	/* Busy: flushed every UXDP_DP_FLUSH_BATCHES batches without idling. */
	for (int i = 0; i < UXDP_DP_FLUSH_BATCHES; i++) {
		uxdp_dp_batch_begin(w, 0);
		one(w, 0, 10);
		uxdp_dp_batch_end(w);
	}
	uxdp_dp_sum(dp, &c);
	CHECK(c.v.packets[UXDP_DROP] == 1 + UXDP_DP_FLUSH_BATCHES);

	/* The stop flag, where compiled code reads it: ctx->worker + 4. */
	CHECK(!uxdp_dp_stopping(w) && !uxdp_dp_stop_requested(dp));
	uxdp_dp_stop(dp);
	CHECK(uxdp_dp_stopping(w) && uxdp_dp_stop_requested(dp));
	CHECK(*(volatile uint32_t *)((uint8_t *)seen.worker + UXDP_WORKER_OFF_STOP) == 1);
	CHECK(*(void **)((uint8_t *)&w->ctx + UXDP_CTX_OFF_WORKER) == &w->uw);
	CHECK(uxdp_dp_stopping(uxdp_dp_worker(dp, 0)));
	uxdp_dp_worker_leave(w);
	CHECK(uxdp_worker_current() != &w->uw);
	uxdp_dp_finish(dp);
	uxdp_dp_destroy(dp);

	/* A stop before the workers exist still reaches them. */
	CHECK(uxdp_dp_create(NULL, &dp) == 0);
	uxdp_dp_stop(dp);
	CHECK(uxdp_dp_set_workers(dp, 1) == 0);
	CHECK(uxdp_dp_stopping(uxdp_dp_worker(dp, 0)));
	uxdp_dp_destroy(dp);

	/* Offline: every port redirect goes out of port 0. */
	o.redirect_any_ifindex = true;
	CHECK(uxdp_dp_create(&o, &dp) == 0);
	CHECK(uxdp_dp_add_port(dp, 1) == 0 && uxdp_dp_set_workers(dp, 1) == 0);
	uxdp_dp_attach(dp, 0, &table);
	w = uxdp_dp_worker(dp, 0);
	uxdp_dp_worker_enter(w);
	uxdp_dp_batch_begin(w, 0);
	CHECK(one(w, 4, 60) == UXDP_DP_TX && uxdp_dp_out_port(w) == 0);
	uxdp_dp_batch_end(w);
	uxdp_dp_worker_leave(w);
	uxdp_dp_destroy(dp);
	uxdp_map_close(devmap);
	uxdp_map_unlink_instance(inst);
}

/* Two programs that count their runs; the replacement test. */
static uint64_t runs_a, runs_b;
static volatile int release;

static uint64_t prog_a(struct uxdp_ctx *ctx)
{
	__atomic_add_fetch(&runs_a, 1, __ATOMIC_RELAXED);
	return XDP_DROP;
}

static uint64_t prog_b(struct uxdp_ctx *ctx)
{
	__atomic_add_fetch(&runs_b, 1, __ATOMIC_RELAXED);
	return XDP_DROP;
}

static const struct uxdp_program a = { .name = "a", .fn = prog_a, .type = UXDP_PROG_XDP };
static const struct uxdp_program b = { .name = "b", .fn = prog_b, .type = UXDP_PROG_XDP };

static void *worker_loop(void *arg)
{
	struct uxdp_dp_worker *w = arg;
	uint8_t buf[512] = { 0 };
	int i;

	uxdp_dp_worker_enter(w);
	while (!uxdp_dp_stopping(w)) {
		uxdp_dp_batch_begin(w, 0);
		for (i = 0; i < 8; i++)
			uxdp_dp_run(w, buf, buf + UXDP_HEADROOM, 60, buf + sizeof(buf));
		uxdp_dp_batch_end(w);
	}
	uxdp_dp_worker_leave(w);
	return NULL;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void test_replace(void)
{
	struct uxdp_dp_counters c;
	struct uxdp_dp *dp;
	pthread_t t[2];
	uint64_t after;
	int ret, i;

	CHECK(uxdp_dp_create(NULL, &dp) == 0);
	CHECK(uxdp_dp_add_port(dp, 1) == 0 && uxdp_dp_set_workers(dp, 2) == 0);
	uxdp_dp_attach(dp, 0, &a);
	CHECK(uxdp_dp_start(dp) == 0);
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, worker_loop, uxdp_dp_worker(dp, i));
	while (__atomic_load_n(&runs_a, __ATOMIC_RELAXED) < 10000)
		sleep_ms(1);
	CHECK(uxdp_dp_attach(dp, 0, &b) == &a);
	ret = uxdp_dp_synchronize(dp, 2000);
	if (ret == -ENOSYS) {
		fprintf(stderr, "note: no membarrier(2); replacement not checked\n");
	} else {
		CHECK(ret == 0);
		/* After synchronize, a is never run again. */
		after = __atomic_load_n(&runs_a, __ATOMIC_RELAXED);
		sleep_ms(50);
		CHECK(__atomic_load_n(&runs_a, __ATOMIC_RELAXED) == after);
		CHECK(__atomic_load_n(&runs_b, __ATOMIC_RELAXED) > 0);
	}
	uxdp_dp_stop(dp);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	uxdp_dp_finish(dp);
	/* Every run was counted, whichever program it was. */
	uxdp_dp_sum(dp, &c);
	CHECK(c.v.packets[UXDP_DROP] == runs_a + runs_b);
	uxdp_dp_destroy(dp);
}

static uint64_t prog_spin(struct uxdp_ctx *ctx)
{
	while (!release)
		;
	return XDP_DROP;
}

static const struct uxdp_program spinner = { .name = "spinner", .section = "xdp",
					     .object = "spin.o", .fn = prog_spin,
					     .type = UXDP_PROG_XDP };
static volatile int stuck_called;

static void on_stuck(struct uxdp_dp *dp, void *arg)
{
	stuck_called = 1;
}

static void test_stuck(void)
{
	struct uxdp_dp_opts o = { .sz = sizeof(o), .on_stuck = on_stuck, .stop_timeout_ms = 200 };
	struct uxdp_dp *dp;
	pthread_t t;
	char *text = NULL;
	size_t len;
	FILE *f;
	int i;

	CHECK(uxdp_dp_create(&o, &dp) == 0);
	CHECK(uxdp_dp_add_port(dp, 4) == 0 && uxdp_dp_set_workers(dp, 1) == 0);
	uxdp_dp_attach(dp, 0, &spinner);
	CHECK(uxdp_dp_start(dp) == 0);
	pthread_create(&t, NULL, worker_loop, uxdp_dp_worker(dp, 0));
	sleep_ms(50);
	uxdp_dp_stop(dp);
	for (i = 0; i < 300 && !stuck_called; i++)
		sleep_ms(10);
	CHECK(stuck_called);
	f = open_memstream(&text, &len);
	uxdp_dp_print_stuck(dp, f);
	fclose(f);
	CHECK(strstr(text, "worker 0") && strstr(text, "stuck in program spinner") &&
	      strstr(text, "spin.o") && strstr(text, "ifindex 4"));
	free(text);
	release = 1;
	pthread_join(t, NULL);
	uxdp_dp_finish(dp);
	uxdp_dp_destroy(dp);
}

static void check_text(char *got, const char *want)
{
	CHECK(!strcmp(got, want));
	if (strcmp(got, want))
		fprintf(stderr, "want: %sgot:  %s", want, got);
	free(got);
}

/* The --stats line: one line, SI-scaled rates over dt, idle verdicts as 0. */
static void test_rate_line(void)
{
	struct uxdp_stats d = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	/* 2 s of 28.96M packets: 6.38M dropped, 22.58M passed, 1.5 kB each */
	d.packets[UXDP_DROP] = 6380000;
	d.packets[UXDP_PASS] = 22580000;
	d.bytes[UXDP_DROP] = 6380000ull * 102;
	d.bytes[UXDP_PASS] = 22580000ull * 102;
	d.packets[UXDP_ABORTED] = 3;
	f = open_memstream(&text, &len);
	uxdp_stats_print_rate(f, 3.04, &d, 2.0);
	uxdp_stats_print_rate(f, 3.04, &d, 0); /* no time passed: no line */
	fclose(f);
	check_text(text, "   3.0 s  14.48 Mpps   11.8 Gb/s  drop 3.19M/s pass 11.29M/s tx 0 "
			 "redirect 0 aborted 2/s\n");

	memset(&d, 0, sizeof(d));
	f = open_memstream(&text, &len);
	uxdp_stats_print_rate(f, 1, &d, 1);
	fclose(f);
	check_text(text, "   1.0 s       0 pps       0 b/s  drop 0 pass 0 tx 0 redirect 0 aborted 0\n");
}

int main(void)
{
	test_rate_line();
	test_verdicts();
	test_replace();
	test_stuck();
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("ok\n");
	return 0;
}
