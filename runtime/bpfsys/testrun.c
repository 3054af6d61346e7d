// SPDX-License-Identifier: MIT
/*
 * testrun.c - BPF_PROG_TEST_RUN of a uxdp XDP program, with the kernel's
 * semantics for XDP test runs (bpf_prog_test_run_xdp), run in this process
 * through the datapath on the program compiled from the object the daemon
 * runs, bound to the same maps (progobj.c).
 *
 * The frame is laid out as the kernel lays it out: one 4096-byte page,
 * XDP_PACKET_HEADROOM (256) before data, the metadata the caller gave in
 * ctx_in (xdp_md.data bytes at the start of data_in) just before data, and
 * the last 320 bytes (skb_shared_info) off limits, so that
 * bpf_xdp_adjust_head/tail/meta succeed and fail at the same bytes.  The
 * program sees ingress_ifindex and rx_queue_index as in the kernel: ctx_in's,
 * else the loopback device's queue 0.  `repeat` runs reuse the frame as the
 * previous run left it, as the kernel's do; duration is the mean in ns.
 *
 * Not served: BPF_F_TEST_XDP_LIVE_FRAMES (frames sent out for real: uxdp's
 * data plane is in uxdpd) and data longer than the linear part of a page
 * (the kernel puts the rest in fragments; uxdp frames have none): both
 * refused with EOPNOTSUPP and a line on stderr.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uxdp/ctx.h>
#include <uxdp/datapath.h>
#include <uxdp/worker.h>

#include "bpfsys.h"

#define PAGE 4096u
#define ETH_HLEN_ 14u
#define MAX_FRAGS 17u	       /* MAX_SKB_FRAGS: pages for data past the linear part */
#define MAX_LIVE_BATCH 256u    /* TEST_XDP_MAX_BATCH */
#define LOOPBACK_IFINDEX 1u    /* the loopback device of every network namespace */
/* Metadata comes out of the headroom, less the xdp_frame the kernel keeps there. */
#define MAX_META (UXDP_HEADROOM - UXDP_XDP_FRAME_SIZE)

struct run {
	struct xdp_md ctx;
	bool has_ctx;
	uint32_t size;	   /* data_size_in: metadata and packet */
	uint32_t linear;   /* of which in the page (the rest: the kernel's fragments) */
	uint32_t headroom; /* before the metadata */
	uint8_t *page;
	uint8_t *meta, *data, *data_end;
	uint32_t retval, duration;
};

static long refuse(struct bpfsys_call *c, const char *why)
{
	bpfsys_say_once(c->cmd, why);
	return -EOPNOTSUPP;
}

/* bpf_ctx_init(): a user struct larger than xdp_md must be zero past it. */
static int read_ctx(const struct bpfsys_call *c, struct run *r)
{
	const union bpf_attr *a = &c->attr;
	uint8_t tail[256];
	uint32_t size = a->test.ctx_size_in;

	if (!a->test.ctx_in && !a->test.ctx_out)
		return 0;
	r->has_ctx = true;
	if (!a->test.ctx_in)
		return 0;
	if (size > PAGE)
		return -E2BIG;
	for (uint32_t off = sizeof(r->ctx); off < size; off += sizeof(tail)) {
		uint32_t n = size - off < sizeof(tail) ? size - off : sizeof(tail);

		if (bpfsys_copy_in(tail, a->test.ctx_in + off, n))
			return -EFAULT;
		for (uint32_t i = 0; i < n; i++)
			if (tail[i])
				return -E2BIG;
	}
	return bpfsys_copy_in(&r->ctx, a->test.ctx_in,
			      size < sizeof(r->ctx) ? size : sizeof(r->ctx));
}

/* The number of receive queues of a device of this network namespace. */
static uint32_t rx_queues(const char *name)
{
	char path[IF_NAMESIZE + 40];
	struct dirent *e;
	uint32_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", name);
	d = opendir(path);
	if (!d)
		return 1;
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, "rx-", 3);
	closedir(d);
	return n ? n : 1;
}

/* xdp_convert_md_to_buff(): the device and queue the caller names must exist. */
static int check_rxq(const struct run *r)
{
	char name[IF_NAMESIZE];

	if (r->ctx.egress_ifindex)
		return -EINVAL;
	if (!r->ctx.ingress_ifindex)
		return r->ctx.rx_queue_index ? -EINVAL : 0;
	if (!if_indextoname(r->ctx.ingress_ifindex, name))
		return -ENODEV;
	return r->ctx.rx_queue_index < rx_queues(name) ? 0 : -EINVAL;
}

/* The kernel's checks of flags, ctx and sizes, in its order; the frame built. */
static long prepare(struct bpfsys_call *c, struct run *r)
{
	const union bpf_attr *a = &c->attr;
	uint32_t max_data;
	long err;

	if (a->test.flags & ~BPF_F_TEST_XDP_LIVE_FRAMES)
		return -EINVAL;
	if (a->test.flags & BPF_F_TEST_XDP_LIVE_FRAMES) {
		if (a->test.batch_size > MAX_LIVE_BATCH)
			return -E2BIG;
		return refuse(c, "BPF_F_TEST_XDP_LIVE_FRAMES on a uxdp program is not served: "
				 "its frames would have to leave through uxdpd's ports");
	}
	if (a->test.batch_size)
		return -EINVAL;
	err = read_ctx(c, r);
	if (err)
		return err;
	r->size = a->test.data_size_in;
	r->linear = r->size;
	r->headroom = UXDP_HEADROOM;
	if (r->has_ctx) {
		/*
		 * No user data before the metadata, which must be whole words
		 * and leave room for the xdp_frame (at most 216 bytes, as
		 * Linux 6.18 checks); data_end may stop short of the data, the
		 * rest then goes to fragments.
		 */
		if (r->ctx.data_meta || r->ctx.data_end > r->size || r->ctx.data > r->ctx.data_end ||
		    (r->ctx.data & 3) || r->ctx.data > MAX_META)
			return -EINVAL;
		r->headroom -= r->ctx.data;
		r->linear = r->ctx.data_end;
	}
	max_data = PAGE - r->headroom - UXDP_XDP_TAILROOM;
	if (r->linear > max_data)
		r->linear = max_data;
	if (r->size < ETH_HLEN_)
		return -EINVAL;
	r->page = aligned_alloc(PAGE, PAGE);
	if (!r->page)
		return -ENOMEM;
	memset(r->page, 0, PAGE);
	r->meta = r->page + r->headroom;
	if (bpfsys_copy_in(r->meta, a->test.data_in, r->linear))
		return -EFAULT;
	err = check_rxq(r);
	if (err)
		return err;
	if (r->size > r->linear) {
		if (r->size - r->linear > MAX_FRAGS * PAGE)
			return -ENOMEM;
		return refuse(c, "data past the frame's linear part (ctx_in's data_end, at most "
				 "3520 bytes) is not served on a uxdp program: the kernel puts it in "
				 "fragments, which uxdp frames do not have");
	}
	r->data = r->meta + (r->has_ctx ? r->ctx.data : 0);
	r->data_end = r->meta + r->linear;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * repeat runs on the frame, in the datapath's batches, on a worker of this
 * thread: the one of this CPU if the daemon has that many, else 0, so
 * per-CPU maps and bpf_get_smp_processor_id() read as on the kernel pinned
 * to that CPU.
 */
static int run_prog(struct run *r, const struct uxdp_program *prog, unsigned int ncpus,
		    uint32_t repeat)
{
	unsigned int saved_cpu = uxdp_this_cpu;
	struct uxdp_dp_worker *w;
	struct uxdp_dp *dp;
	int cpu = sched_getcpu(), port, err;
	uint64_t t0, total;

	if (!ncpus)
		ncpus = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpus > UXDP_DP_MAX_WORKERS)
		ncpus = UXDP_DP_MAX_WORKERS;
	err = uxdp_dp_create(NULL, &dp);
	if (err)
		return err;
	err = uxdp_dp_set_workers(dp, ncpus);
	port = err ? err : uxdp_dp_add_port(dp, r->ctx.ingress_ifindex ? r->ctx.ingress_ifindex
								       : LOOPBACK_IFINDEX);
	if (port < 0) {
		uxdp_dp_destroy(dp);
		return port;
	}
	uxdp_dp_attach(dp, port, prog);
	w = uxdp_dp_worker(dp, cpu >= 0 && (unsigned int)cpu < ncpus ? (unsigned int)cpu : 0);
	uxdp_dp_worker_set_queue(w, r->ctx.rx_queue_index);
	uxdp_dp_worker_enter(w);
	t0 = now_ns();
	for (uint32_t done = 0; done < repeat;) {
		uxdp_dp_batch_begin(w, port);
		for (uint32_t i = 0; i < UXDP_DP_BATCH && done < repeat; i++, done++) {
			/* Each run starts from the frame the last one left. */
			r->retval = uxdp_dp_call(w, r->page, r->meta, r->data,
						 (uint32_t)(r->data_end - r->data), r->page + PAGE);
			r->meta = w->ctx.data_meta;
			r->data = w->ctx.data;
			r->data_end = w->ctx.data_end;
			uxdp_redirect_clear(&w->uw.redirect);
		}
		uxdp_dp_batch_end(w);
	}
	total = (now_ns() - t0) / repeat;
	uxdp_dp_worker_leave(w);
	uxdp_this_cpu = saved_cpu;
	uxdp_dp_destroy(dp);
	r->duration = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
	return 0;
}

#define OUT(c, field, val)                                                                         \
	bpfsys_copy_out((uintptr_t)(c)->uattr + offsetof(union bpf_attr, field), &(val),           \
			sizeof(val))

/* bpf_test_finish(): metadata and packet out, clamped with ENOSPC; sizes, retval, duration. */
static long finish_data(struct bpfsys_call *c, const struct run *r)
{
	const union bpf_attr *a = &c->attr;
	uint32_t size = (uint32_t)(r->data_end - r->meta), copy = size;
	long err = 0;

	if (a->test.data_size_out && copy > a->test.data_size_out) {
		copy = a->test.data_size_out;
		err = -ENOSPC;
	}
	if (a->test.data_out && bpfsys_copy_out(a->test.data_out, r->meta, copy))
		return -EFAULT;
	if (OUT(c, test.data_size_out, size) || OUT(c, test.retval, r->retval) ||
	    OUT(c, test.duration, r->duration))
		return -EFAULT;
	return err;
}

/* bpf_ctx_finish(): xdp_md with data and data_end relative to the metadata. */
static long finish_ctx(struct bpfsys_call *c, struct run *r)
{
	const union bpf_attr *a = &c->attr;
	uint32_t size = sizeof(r->ctx), copy = size;
	long err = 0;

	if (!r->has_ctx || !a->test.ctx_out)
		return 0;
	r->ctx.data = (uint32_t)(r->data - r->meta);
	r->ctx.data_end = (uint32_t)(r->data_end - r->meta);
	if (copy > a->test.ctx_size_out) {
		copy = a->test.ctx_size_out;
		err = -ENOSPC;
	}
	if (bpfsys_copy_out(a->test.ctx_out, &r->ctx, copy) || OUT(c, test.ctx_size_out, size))
		return -EFAULT;
	return err;
}

long bpfsys_prog_test_run(struct bpfsys_call *c)
{
	const union bpf_attr *a = &c->attr;
	const struct uxdp_program *prog;
	struct run r = { 0 };
	struct bpfsys_prog p;
	unsigned int ncpus;
	char why[512] = "";
	long err;

	/* Not ours (a kernel program, or no descriptor): the kernel's. */
	if (bpfsys_prog_fd((int)a->test.prog_fd, &p) != 1)
		return bpfsys_kernel(c);
	if (!bpfsys_attr_zero_from(c, ATTR_END(test.batch_size)) ||
	    !a->test.ctx_size_in != !a->test.ctx_in || !a->test.ctx_size_out != !a->test.ctx_out)
		return -EINVAL;
	err = bpfsys_prog_describe(&p);
	err = err ?: prepare(c, &r);
	if (!err) {
		err = bpfsys_prog_runnable(&p, &prog, &ncpus, why, sizeof(why));
		if (err)
			fprintf(stderr, "uxdp-bpfsys: BPF_PROG_TEST_RUN: %s\n", why);
	}
	err = err ?: run_prog(&r, prog, ncpus, a->test.repeat ? a->test.repeat : 1);
	err = err ?: finish_data(c, &r);
	err = err ?: finish_ctx(c, &r);
	free(r.page);
	return err;
}
