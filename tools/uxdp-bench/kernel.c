// SPDX-License-Identifier: MIT
/*
 * kernel.c - the kernel JIT engine: the object loaded with libbpf, run with
 * BPF_PROG_TEST_RUN.
 *
 * The default method gives the program a fresh packet on every run: one
 * test_run call with repeat = 1 per run, rotating over the packet set, and
 * the figure is the mean of the kernel's own `duration` of those calls.
 * test_run's repeat loop (the other method, kept for comparison and
 * labelled as such) reruns the program on the buffer its previous run left:
 * a program that rewrites the packet (MAC swap, encapsulation, NAT) takes
 * another path from the second run on.  With repeat = 1 the kernel copies
 * data_in into a new buffer on every call, and data_out shows what that
 * run made of it; kernel_run_fresh() compares it, on every call, with the
 * bytes the program produced on its first call (or with bytes a test
 * supplies), so freshness is checked rather than assumed.
 *
 * `duration` with repeat = 1 is one run between two ktime_get_ns() reads,
 * in whole nanoseconds: it includes the clock read and the run's set-up
 * (bottom halves off, run context).  The same measured for the empty
 * program comes off in the "net" figure.  The wall clock around the call
 * (the syscall, copying the packet in and out: ~1.5 us) is reported apart,
 * never used as the figure.
 *
 * On a kernel that isolates its page tables without PCID each call also
 * starts with a cold TLB, which an XDP program in NAPI does not pay per
 * packet: --kernel-method veth (kernel_veth.c) measures it there.
 *
 * BPF_F_TEST_XDP_LIVE_FRAMES cannot replace this: live frames are recycled
 * from a page pool whose pages are initialised from data_in once, when the
 * page is first allocated; a recycled frame gets its data/data_end pointers
 * back but not the bytes the program wrote (tests/kernel_fresh_test.c shows
 * it), and the mode gives no data_out to check.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../uxdp-difftest/difftest.h"
#include "bench.h"

static char libbpf_msg[512];

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[512];

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = 0;
	if (*line)
		snprintf(libbpf_msg, sizeof(libbpf_msg), "%s", line);
	return 0;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int engine_open_kernel(struct engine *e, const char *bpf_obj, const char *prog)
{
	struct bpf_program *p, *chosen = NULL;
	struct bpf_map *m;
	int n = 0, ret;

	e->ok = true;
	e->prog_fd = -1;
	libbpf_set_print(libbpf_print);
	libbpf_msg[0] = 0;
	e->bobj = bpf_object__open_file(bpf_obj, NULL);
	if (!e->bobj) {
		e->ok = false;
		snprintf(e->why, sizeof(e->why), "libbpf cannot open it: %s", libbpf_msg);
		return -errno;
	}
	/* Maps a loader would pin by name (xdp-tools') stay private to this engine. */
	bpf_object__for_each_map(m, e->bobj)
		bpf_map__set_pin_path(m, NULL);
	bpf_object__for_each_program(p, e->bobj)
	{
		if (prog && *prog ? !strcmp(bpf_program__name(p), prog) : ++n == 1)
			chosen = p;
		else if (!e->all_programs || bpf_program__type(p) != BPF_PROG_TYPE_XDP)
			bpf_program__set_autoload(p, false); /* kept: tail call targets */
	}
	if (!chosen || (!(prog && *prog) && n > 1)) {
		e->ok = false;
		snprintf(e->why, sizeof(e->why), "no single program%s%s; choose one with -p",
			 prog ? " " : "", prog ? prog : "");
		return -ENOENT;
	}
	/* uxdpc treats any section as XDP; so does the kernel engine. */
	if (bpf_program__type(chosen) != BPF_PROG_TYPE_XDP)
		bpf_program__set_type(chosen, BPF_PROG_TYPE_XDP);
	ret = bpf_object__load(e->bobj);
	if (ret) {
		e->ok = false;
		snprintf(e->why, sizeof(e->why), "the kernel refused it: %s", libbpf_msg);
		return ret;
	}
	e->prog_fd = bpf_program__fd(chosen);
	return 0;
}

void kernel_close(struct engine *e)
{
	if (e->bobj)
		bpf_object__close(e->bobj);
	e->bobj = NULL;
	e->prog_fd = -1;
}

/* ---- --config ---- */

static bool is_percpu(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH || t == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

/*
 * A per-CPU map takes one value per possible CPU, each padded to 8 bytes.
 * A config line gives one value (as uxdpctl's does): every CPU gets it, as
 * xdp-filter and most control planes set per-CPU entries.
 */
static int update_percpu(int fd, const struct cfg_entry *c, uint32_t value_size)
{
	int ncpus = libbpf_num_possible_cpus(), i, ret;
	size_t stride = (value_size + 7) & ~(size_t)7;
	uint8_t *v;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	v = calloc(ncpus, stride);
	if (!v)
		return -ENOMEM;
	for (i = 0; i < ncpus; i++)
		memcpy(v + i * stride, c->value, value_size);
	ret = bpf_map_update_elem(fd, c->key, v, c->flags) ? -errno : 0;
	free(v);
	return ret;
}

int kernel_apply(struct engine *e, const struct cfg_entry *c)
{
	struct bpf_map *m = bpf_object__find_map_by_name(e->bobj, c->map), *inner;
	struct bpf_program *p;
	uint32_t key;
	int fd;

	if (!m)
		return -ENOENT;
	if (c->kind == CFG_PROG_ARRAY) {
		p = bpf_object__find_program_by_name(e->bobj, c->prog);
		fd = p ? bpf_program__fd(p) : -1;
		if (fd < 0)
			return -ENOENT;
		key = c->index;
		return bpf_map_update_elem(bpf_map__fd(m), &key, &fd, BPF_ANY) ? -errno : 0;
	}
	if (c->value_map[0]) {
		inner = bpf_object__find_map_by_name(e->bobj, c->value_map);
		if (!inner)
			return -ENOENT;
		fd = bpf_map__fd(inner);
		return bpf_map_update_elem(bpf_map__fd(m), c->key, &fd, c->flags) ? -errno : 0;
	}
	if (c->key_len != bpf_map__key_size(m) || c->value_len != bpf_map__value_size(m))
		return -EINVAL;
	if (is_percpu(bpf_map__type(m)))
		return update_percpu(bpf_map__fd(m), c, bpf_map__value_size(m));
	return bpf_map_update_elem(bpf_map__fd(m), c->key, c->value, c->flags) ? -errno : 0;
}

/* ---- running ---- */

/* Room for what a program can make of a packet: adjust_head/tail grow it. */
static size_t out_room(const struct pkt *pkts, size_t npkts)
{
	size_t i, max = 0;

	for (i = 0; i < npkts; i++)
		if (pkts[i].len > max)
			max = pkts[i].len;
	return max + 4096;
}

int kernel_probe(struct engine *e, const struct pkt *pkts, size_t npkts)
{
	size_t i, room = out_room(pkts, npkts);
	uint8_t *out = malloc(room);

	e->verdicts = calloc(npkts, sizeof(*e->verdicts));
	e->expect = calloc(npkts, sizeof(*e->expect));
	if (!out || !e->verdicts || !e->expect) {
		free(out);
		return -ENOMEM;
	}
	e->kernel_refused = 0;
	for (i = 0; i < npkts; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = pkts[i].data,
			    .data_size_in = pkts[i].len, .data_out = out,
			    .data_size_out = (uint32_t)room, .repeat = 1);

		if (bpf_prog_test_run_opts(e->prog_fd, &t)) {
			/* The kernel refuses frames shorter than an Ethernet header. */
			e->verdicts[i] = UINT32_MAX;
			e->kernel_refused++;
			continue;
		}
		e->verdicts[i] = t.retval;
		e->expect[i].data = malloc(t.data_size_out ? t.data_size_out : 1);
		if (!e->expect[i].data) {
			free(out);
			return -ENOMEM;
		}
		memcpy(e->expect[i].data, out, t.data_size_out);
		e->expect[i].len = t.data_size_out;
	}
	free(out);
	return 0;
}

int kernel_run_fresh(int prog_fd, const struct pkt *pkts, size_t npkts, uint64_t calls,
		     const struct pkt *expect, const uint32_t *verdicts, struct fresh_result *r)
{
	size_t room = out_room(pkts, npkts), i = 0;
	uint8_t *out = malloc(room);
	double t0;

	size_t accepted = 0;

	memset(r, 0, sizeof(*r));
	r->first_mismatch = UINT64_MAX;
	for (size_t k = 0; k < npkts; k++)
		accepted += !(verdicts && verdicts[k] == UINT32_MAX);
	if (!out || !accepted) {
		free(out);
		return out ? -EINVAL : -ENOMEM;
	}
	t0 = now_ns();
	while (r->calls < calls) {
		LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = pkts[i].data,
			    .data_size_in = pkts[i].len, .data_out = out,
			    .data_size_out = (uint32_t)room, .repeat = 1);
		const struct pkt *x = expect ? &expect[i] : NULL;

		/* Packets the kernel refused in the probe are left out of the rotation. */
		if (!(verdicts && verdicts[i] == UINT32_MAX)) {
			if (bpf_prog_test_run_opts(prog_fd, &t)) {
				free(out);
				return -errno;
			}
			r->duration += t.duration;
			if (x && x->data) {
				r->checked++;
				if (t.data_size_out != x->len || memcmp(out, x->data, x->len) ||
				    (verdicts && t.retval != verdicts[i])) {
					if (!r->mismatches)
						r->first_mismatch = r->calls;
					r->mismatches++;
				}
			}
			r->calls++;
		}
		if (++i == npkts)
			i = 0;
	}
	r->wall = now_ns() - t0;
	free(out);
	return r->calls ? 0 : -EINVAL;
}

bool kernel_flushes_tlb_per_call(void)
{
	static int known = -1; /* the report asks for every program */
	char line[4096];
	bool pti = false, pcid = false, flags = false;
	FILE *f;

	if (known >= 0)
		return known;
	f = fopen("/sys/devices/system/cpu/vulnerabilities/meltdown", "r");
	if (f) {
		pti = fgets(line, sizeof(line), f) && strstr(line, "PTI");
		fclose(f);
	}
	f = pti ? fopen("/proc/cpuinfo", "r") : NULL;
	while (f && !flags && fgets(line, sizeof(line), f)) {
		flags = !strncmp(line, "flags", 5); /* x86's list (arm64 has none, and ASIDs) */
		pcid = flags && strstr(line, " pcid");
	}
	if (f)
		fclose(f);
	known = pti && flags && !pcid;
	return known;
}

/* The default: a fresh packet every run. */
static double kernel_time_fresh(struct engine *e, const struct pkt *pkts, size_t npkts,
				uint64_t calls)
{
	struct fresh_result r;

	if (kernel_run_fresh(e->prog_fd, pkts, npkts, calls, e->expect, e->verdicts, &r))
		return -1;
	e->kernel_duration = (double)r.duration / r.calls;
	e->kernel_wall = r.wall / r.calls;
	e->fresh_checked += r.checked;
	e->fresh_mismatches += r.mismatches;
	return e->kernel_duration;
}

/*
 * The old method, only with --kernel-method repeat: test_run's repeat loop
 * on each packet, which reruns the program on its own output.  With repeat
 * > 1 test_run also switches the XDP dispatcher to the program and back
 * around the loop (bpf_prog_change_xdp, ~20 ms per call here), so only the
 * kernel's own duration is usable, never the wall clock.
 */
static double kernel_time_repeat(struct engine *e, const struct pkt *pkts, size_t npkts,
				 uint64_t iters)
{
	uint64_t per = iters / npkts ? iters / npkts : 1, runs = 0;
	double wall = 0, dur = 0, t0;
	size_t i;

	if (per > UINT32_MAX)
		per = UINT32_MAX;
	for (i = 0; i < npkts; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = pkts[i].data,
			    .data_size_in = pkts[i].len, .repeat = (uint32_t)per);

		t0 = now_ns();
		if (bpf_prog_test_run_opts(e->prog_fd, &t))
			continue;
		wall += now_ns() - t0;
		dur += (double)t.duration * per;
		runs += per;
	}
	if (!runs)
		return -1;
	e->kernel_duration = dur / runs;
	e->kernel_wall = wall / runs;
	return e->kernel_duration;
}

double kernel_time(struct engine *e, const struct bench_opts *o, const struct pkt *pkts,
		   size_t npkts, uint64_t iters)
{
	uint64_t calls = o->kernel_calls < iters ? o->kernel_calls : iters;
	double ns;

	if (o->kernel_method == KERNEL_REPEAT)
		return kernel_time_repeat(e, pkts, npkts, iters);
	if (o->kernel_method == KERNEL_VETH) {
		ns = kernel_time_veth(e, pkts, npkts, calls);
		if (ns < 0)
			e->ok = false; /* the report says why */
		return ns;
	}
	return kernel_time_fresh(e, pkts, npkts, calls);
}
