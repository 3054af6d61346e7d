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
 * way, gives the fixed cost of the statistics' two clock reads.
 *
 * The pair lives in a network namespace of its own, made by unshare() on
 * the calling thread, which stays in it: nothing there but the pair (IPv6
 * off, so no neighbour discovery reaches the program).  The namespace has
 * no name; it goes when the process ends, however it ends.
 */
#define _GNU_SOURCE
#include <errno.h>
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
	bool open;
	int sock;      /* AF_PACKET, bound to TX_IF */
	int stats_fd;  /* BPF_ENABLE_STATS: statistics on while open */
	int rx_ifindex;
} veth = { .sock = -1, .stats_fd = -1 };

static int sh(const char *cmd)
{
	int st = system(cmd);

	return st == 0 ? 0 : -EIO;
}

/* The namespace, the pair and the socket; 0 or a negative errno, with why. */
static int veth_open(char *why, size_t why_size)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET };
	int err;

	if (unshare(CLONE_NEWNET)) {
		err = -errno;
		snprintf(why, why_size, "veth method: unshare(CLONE_NEWNET): %s", strerror(errno));
		return err;
	}
	if (sh("ip link add " TX_IF " type veth peer name " RX_IF " &&"
	       " sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 &&"
	       " ip link set " TX_IF " up && ip link set " RX_IF " up")) {
		snprintf(why, why_size, "veth method: making the veth pair failed (iproute2)");
		return -EIO;
	}
	veth.rx_ifindex = (int)if_nametoindex(RX_IF);
	to.sll_ifindex = (int)if_nametoindex(TX_IF);
	veth.sock = socket(AF_PACKET, SOCK_RAW, 0); /* protocol 0: sends, receives nothing */
	if (veth.sock < 0 || !veth.rx_ifindex || !to.sll_ifindex ||
	    bind(veth.sock, (struct sockaddr *)&to, sizeof(to))) {
		snprintf(why, why_size, "veth method: AF_PACKET socket on " TX_IF ": %s",
			 strerror(errno));
		return -errno;
	}
	veth.stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (veth.stats_fd < 0) {
		snprintf(why, why_size, "veth method: BPF_ENABLE_STATS: %s", strerror(-veth.stats_fd));
		return veth.stats_fd;
	}
	veth.open = true;
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

/* Sends n packets, rotating over those veth can carry; how many went, or -errno. */
static int64_t send_packets(const struct pkt *pkts, size_t npkts, uint64_t n)
{
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	uint64_t sent = 0;
	size_t i = 0, skipped = 0;

	while (sent < n) {
		unsigned int k = 0;
		int r;

		while (k < BATCH && sent + k < n) {
			const struct pkt *p = &pkts[i];

			i = i + 1 == npkts ? 0 : i + 1;
			if (p->len < ETH_HLEN || p->len > MAX_FRAME) {
				if (++skipped > npkts)
					return -EINVAL; /* not one packet veth can carry */
				continue;
			}
			skipped = 0;
			iov[k] = (struct iovec){ .iov_base = p->data, .iov_len = p->len };
			msgs[k] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[k], .msg_iovlen = 1 } };
			k++;
		}
		r = sendmmsg(veth.sock, msgs, k, 0);
		if (r < 0) {
			if (errno == ENOBUFS || errno == EAGAIN)
				continue;
			return -errno;
		}
		sent += (uint64_t)r;
	}
	return (int64_t)sent;
}

double kernel_time_veth(struct engine *e, const struct pkt *pkts, size_t npkts, uint64_t runs)
{
	uint64_t ns0, cnt0, ns1 = 0, cnt1 = 0;
	int64_t sent;
	int err;

	if (!veth.open && veth_open(e->why, sizeof(e->why)))
		return -1;
	err = bpf_xdp_attach(veth.rx_ifindex, e->prog_fd, XDP_FLAGS_DRV_MODE, NULL);
	if (err) {
		snprintf(e->why, sizeof(e->why), "veth method: attaching to " RX_IF ": %s",
			 strerror(-err));
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
	bpf_xdp_detach(veth.rx_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	if (sent <= 0 || err) {
		snprintf(e->why, sizeof(e->why), "veth method: sending: %s",
			 strerror(-(sent < 0 ? (int)sent : err ? err : EINVAL)));
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
