// SPDX-License-Identifier: MIT
/*
 * kernel_veth.c - the kernel engine's veth method: the program attached in
 * native mode to one end of a veth pair, the packets sent into the other
 * end, the time from the kernel's own per-program statistics.
 *
 * Why: a test_run call is a system call, and on a machine whose kernel
 * isolates its page tables (PTI) without PCID every entry flushes the TLB,
 * so the fresh method's one call per packet runs every packet with a cold
 * TLB and caches the entry path has stirred.  An XDP program on a real
 * interface runs in NAPI, many packets between two entries.  Here each
 * sendmmsg() call carries BATCH packets; veth hands each to its peer's
 * NAPI, which runs the program on the same CPU before the call returns.
 * Every packet is a new frame (the bytes given, whatever the program wrote
 * to the last one).  BPF_ENABLE_STATS makes the kernel time each run
 * (run_time_ns, run_cnt of the program's bpf_prog_info; tail-called
 * programs included, they run inside the entry program's run); the figure
 * is run_time_ns / run_cnt over the packets sent, and the run count must
 * equal the packets sent (a check that fails when anything else reached
 * the program or a packet did not).  The empty program, measured the same
 * way, gives the fixed cost of the statistics' two clock reads.  Frames
 * veth cannot carry (shorter than an Ethernet header, longer than its MTU)
 * are left out of the rotation and counted (the report says how many).
 * Statistics are on only while a figure is taken: they cost every BPF
 * program of the machine two clock reads a run.
 *
 * The pair lives in a network namespace of its own, made by unshare() on
 * the calling thread, which stays in it: nothing there but the pair (IPv6
 * off, so no neighbour discovery reaches the program).  The namespace has
 * no name; it goes when the process ends, however it ends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"

#define BATCH 64 /* packets per sendmmsg() call: a NIC's NAPI budget */
#define TX_IF "uxbv0"
#define RX_IF "uxbv1" /* the program's */
#define MAX_FRAME (ETH_FRAME_LEN) /* veth's default MTU, with its Ethernet header */

static struct {
	int state;     /* 0: not tried; 1: open; -1: failed, why[] says how */
	char why[200];
	int sock;      /* AF_PACKET, bound to TX_IF */
	int rx_ifindex;
} veth = { .sock = -1 };

/* No IPv6 in the namespace: no neighbour discovery reaches the program. */
static void ipv6_off(void)
{
	static const char *const knobs[] = { "/proc/sys/net/ipv6/conf/all/disable_ipv6",
					     "/proc/sys/net/ipv6/conf/default/disable_ipv6" };

	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		int fd = open(knobs[i], O_WRONLY | O_CLOEXEC);

		if (fd >= 0) { /* absent with ipv6.disable=1: nothing to turn off */
			if (write(fd, "1", 1) != 1)
				perror(knobs[i]);
			close(fd);
		}
	}
}

/* The namespace, the pair and the socket: 0, or a negative errno with veth.why. */
static int veth_open(void)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET };
	int err;

	if (unshare(CLONE_NEWNET)) {
		err = errno;
		snprintf(veth.why, sizeof(veth.why), "unshare(CLONE_NEWNET): %s", strerror(err));
		return -err;
	}
	ipv6_off();
	if (system("ip link add " TX_IF " type veth peer name " RX_IF " &&"
		   " ip link set " TX_IF " up && ip link set " RX_IF " up")) {
		snprintf(veth.why, sizeof(veth.why), "making the veth pair failed (iproute2's ip)");
		return -EIO;
	}
	veth.rx_ifindex = (int)if_nametoindex(RX_IF);
	to.sll_ifindex = (int)if_nametoindex(TX_IF);
	/* protocol 0: sends, receives nothing */
	veth.sock = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (veth.sock < 0 || !veth.rx_ifindex || !to.sll_ifindex ||
	    bind(veth.sock, (struct sockaddr *)&to, sizeof(to))) {
		err = errno ? errno : ENODEV;
		snprintf(veth.why, sizeof(veth.why), "AF_PACKET socket on " TX_IF ": %s",
			 strerror(err));
		if (veth.sock >= 0)
			close(veth.sock);
		veth.sock = -1;
		return -err;
	}
	return 0;
}

static int prog_stats(int prog_fd, uint64_t *ns, uint64_t *cnt)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	*ns = info.run_time_ns;
	*cnt = info.run_cnt;
	return 0;
}

static bool carried(const struct pkt *p)
{
	return p->len >= ETH_HLEN && p->len <= MAX_FRAME;
}

/*
 * Sends n packets, rotating over those veth can carry, in order (what a
 * call did not send goes first in the next); how many went, or -errno.
 */
static int64_t send_packets(const struct pkt *pkts, size_t npkts, uint64_t n)
{
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	uint64_t sent = 0;
	size_t i = 0;
	unsigned int k = 0, busy = 0;

	while (sent < n) {
		int r;

		for (; k < BATCH && sent + k < n; i = i + 1 == npkts ? 0 : i + 1) {
			if (!carried(&pkts[i]))
				continue;
			iov[k] = (struct iovec){ .iov_base = pkts[i].data, .iov_len = pkts[i].len };
			msgs[k] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[k], .msg_iovlen = 1 } };
			k++;
		}
		r = sendmmsg(veth.sock, msgs, k, 0);
		if (r < 0) {
			/* the peer's ring full: let its NAPI drain it, 1 s at most */
			if ((errno == ENOBUFS || errno == EAGAIN) && ++busy < 1000) {
				usleep(1000);
				continue;
			}
			return -errno;
		}
		busy = 0;
		sent += (uint64_t)r;
		k -= (unsigned int)r; /* the unsent ones move to the front, in order */
		memmove(iov, iov + r, k * sizeof(iov[0]));
		for (unsigned int j = 0; j < k; j++)
			msgs[j].msg_hdr.msg_iov = &iov[j];
	}
	return (int64_t)sent;
}

double kernel_time_veth(struct engine *e, const struct pkt *pkts, size_t npkts, uint64_t runs)
{
	uint64_t ns0, cnt0, ns1 = 0, cnt1 = 0;
	int64_t sent;
	int err, stats_fd;
	unsigned int left_out = 0;

	for (size_t j = 0; j < npkts; j++)
		left_out += !carried(&pkts[j]);
	e->kernel_refused = left_out;
	if (left_out == npkts) {
		snprintf(e->why, sizeof(e->why), "veth method: no packet veth can carry (%d-%d bytes)",
			 ETH_HLEN, MAX_FRAME);
		return -1;
	}
	if (!veth.state)
		veth.state = veth_open() ? -1 : 1;
	if (veth.state < 0) { /* tried once: the same reason for every engine */
		snprintf(e->why, sizeof(e->why), "veth method: %s", veth.why);
		return -1;
	}
	err = bpf_xdp_attach(veth.rx_ifindex, e->prog_fd, XDP_FLAGS_DRV_MODE, NULL);
	if (err) {
		snprintf(e->why, sizeof(e->why), "veth method: attaching to " RX_IF ": %s",
			 strerror(-err));
		return -1;
	}
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		bpf_xdp_detach(veth.rx_ifindex, XDP_FLAGS_DRV_MODE, NULL);
		snprintf(e->why, sizeof(e->why), "veth method: BPF_ENABLE_STATS: %s",
			 strerror(-stats_fd));
		return -1;
	}
	err = prog_stats(e->prog_fd, &ns0, &cnt0);
	sent = err ? err : send_packets(pkts, npkts, runs);
	/* NAPI may finish a batch in ksoftirqd: wait for the count (1 s at most) */
	for (int w = 0; sent > 0 && w < 1000; w++) {
		err = prog_stats(e->prog_fd, &ns1, &cnt1);
		if (err || cnt1 - cnt0 >= (uint64_t)sent)
			break;
		usleep(1000);
	}
	close(stats_fd);
	bpf_xdp_detach(veth.rx_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	if (sent <= 0 || err) {
		snprintf(e->why, sizeof(e->why), "veth method: sending: %s",
			 strerror(sent < 0 ? (int)-sent : err ? -err : EINVAL));
		return -1;
	}
	if (cnt1 - cnt0 != (uint64_t)sent) {
		snprintf(e->why, sizeof(e->why),
			 "veth method: %llu packets sent, the program ran %llu times",
			 (unsigned long long)sent, (unsigned long long)(cnt1 - cnt0));
		return -1;
	}
	e->kernel_duration = (double)(ns1 - ns0) / (double)(cnt1 - cnt0);
	e->kernel_wall = 0;
	e->veth_runs += cnt1 - cnt0;
	return e->kernel_duration;
}
