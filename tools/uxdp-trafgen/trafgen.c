// SPDX-License-Identifier: MIT
/*
 * uxdp-trafgen - send test traffic out of one interface with an AF_PACKET
 * raw socket: IPv4 UDP or ICMP echo, at a set rate, size and flow count.
 *
 *	uxdp-trafgen -i veth0 --dst-mac 02:00:00:00:00:02 --src-ip 198.18.0.1 \
 *		--dst-ip 198.18.0.2 [--proto udp|icmp] [--count N] [--rate PPS] \
 *		[--size BYTES] [--flows N] [--duration SECONDS]
 *
 * Bounded: it stops after --count packets (default 1000) or --duration
 * seconds (default 10), whichever comes first, and prints "sent N".
 * Destinations are limited to the benchmarking range 198.18.0.0/15 and
 * loopback, so that a typo cannot spray someone else's network.
 * Exit status: 0 when every packet was sent, 1 on a failure, 2 on a usage error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH 64
#define MAX_FLOWS 65536
#define MIN_FRAME 60     /* Ethernet minimum without FCS */
#define MAX_FRAME 1514
#define HDRS 42          /* Ethernet + IPv4 + UDP/ICMP echo header */

struct opts {
	const char *iface;
	uint8_t src_mac[6], dst_mac[6];
	bool have_src_mac, have_dst_mac;
	struct in_addr src_ip, dst_ip;
	bool icmp;
	uint64_t count, rate, flows;
	uint32_t size;
	double duration;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: uxdp-trafgen -i IFACE --dst-mac MAC --src-ip IP --dst-ip IP [options]\n"
		   "  --src-mac MAC     source MAC (default: the interface's)\n"
		   "  --proto udp|icmp  UDP datagrams or ICMP echo requests (default udp)\n"
		   "  --count N         packets to send (default 1000)\n"
		   "  --rate PPS        packets per second, 0 for as fast as possible (default 1000)\n"
		   "  --size BYTES      frame size without FCS, 60..1514 (default 64)\n"
		   "  --flows N         distinct UDP source ports / ICMP ids (default 1)\n"
		   "  --duration S      stop after S seconds even if packets remain (default 10)\n");
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (b[i] > 255)
			return -1;
		mac[i] = b[i];
	}
	return 0;
}

static int parse_num(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end || *s == '-' || v < min || v > max) {
		fprintf(stderr, "uxdp-trafgen: %s: '%s' is not a number in %llu..%llu\n", opt, s,
			(unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

static bool allowed_dst(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return (h & 0xfffe0000u) == 0xc6120000u || (h >> 24) == 127;
}

static uint16_t csum(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;

	for (; len > 1; len -= 2, b += 2)
		sum += (uint32_t)b[0] << 8 | b[1];
	if (len)
		sum += (uint32_t)b[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/* One frame of flow f, sequence seq: Ethernet, IPv4, then UDP or ICMP echo. */
static void build(const struct opts *o, uint8_t *f, uint64_t flow, uint64_t seq)
{
	uint8_t *ip = f + 14, *l4 = ip + 20;
	uint32_t len = o->size, l4len = len - 34;

	memset(f, 0, len);
	memcpy(f, o->dst_mac, 6);
	memcpy(f + 6, o->src_mac, 6);
	put16(f + 12, ETHERTYPE_IP);
	ip[0] = 0x45;
	put16(ip + 2, len - 14);
	put16(ip + 4, seq);
	ip[8] = 64;
	ip[9] = o->icmp ? IPPROTO_ICMP : IPPROTO_UDP;
	memcpy(ip + 12, &o->src_ip, 4);
	memcpy(ip + 16, &o->dst_ip, 4);
	memcpy(ip + 10, &(uint16_t){ csum(ip, 20, 0) }, 2);
	if (o->icmp) {
		l4[0] = 8; /* echo request */
		put16(l4 + 4, flow);
		put16(l4 + 6, seq);
		memcpy(l4 + 2, &(uint16_t){ csum(l4, l4len, 0) }, 2);
	} else {
		put16(l4, 10000 + flow);
		put16(l4 + 2, 9);  /* discard */
		put16(l4 + 4, l4len);
		/* checksum 0: none, which IPv4 allows */
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int if_mac(int fd, const char *iface, uint8_t mac[6])
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		return -errno;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	enum { O_DMAC = 256, O_SMAC, O_SIP, O_DIP, O_PROTO, O_COUNT, O_RATE, O_SIZE, O_FLOWS,
	       O_DUR };
	static const struct option lo[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "dst-mac", required_argument, NULL, O_DMAC },
		{ "src-mac", required_argument, NULL, O_SMAC },
		{ "src-ip", required_argument, NULL, O_SIP },
		{ "dst-ip", required_argument, NULL, O_DIP },
		{ "proto", required_argument, NULL, O_PROTO },
		{ "count", required_argument, NULL, O_COUNT },
		{ "rate", required_argument, NULL, O_RATE },
		{ "size", required_argument, NULL, O_SIZE },
		{ "flows", required_argument, NULL, O_FLOWS },
		{ "duration", required_argument, NULL, O_DUR },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool have_src = false, have_dst = false;
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "i:h", lo, NULL)) != -1) {
		switch (c) {
		case 'i': o->iface = optarg; break;
		case O_DMAC:
		case O_SMAC:
			if (parse_mac(optarg, c == O_DMAC ? o->dst_mac : o->src_mac)) {
				fprintf(stderr, "uxdp-trafgen: bad MAC '%s'\n", optarg);
				return -1;
			}
			*(c == O_DMAC ? &o->have_dst_mac : &o->have_src_mac) = true;
			break;
		case O_SIP:
		case O_DIP:
			if (!inet_aton(optarg, c == O_SIP ? &o->src_ip : &o->dst_ip)) {
				fprintf(stderr, "uxdp-trafgen: bad IPv4 address '%s'\n", optarg);
				return -1;
			}
			*(c == O_SIP ? &have_src : &have_dst) = true;
			break;
		case O_PROTO:
			if (strcmp(optarg, "udp") && strcmp(optarg, "icmp")) {
				fprintf(stderr, "uxdp-trafgen: --proto is udp or icmp\n");
				return -1;
			}
			o->icmp = !strcmp(optarg, "icmp");
			break;
		case O_COUNT:
			if (parse_num("--count", optarg, 1, UINT64_MAX, &o->count))
				return -1;
			break;
		case O_RATE:
			if (parse_num("--rate", optarg, 0, 100000000, &o->rate))
				return -1;
			break;
		case O_SIZE:
			if (parse_num("--size", optarg, MIN_FRAME, MAX_FRAME, &v))
				return -1;
			o->size = v;
			break;
		case O_FLOWS:
			if (parse_num("--flows", optarg, 1, MAX_FLOWS, &o->flows))
				return -1;
			break;
		case O_DUR:
			if (parse_num("--duration", optarg, 1, 3600, &v))
				return -1;
			o->duration = v;
			break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (optind < argc || !o->iface || !o->have_dst_mac || !have_src || !have_dst) {
		fprintf(stderr, "uxdp-trafgen: need -i, --dst-mac, --src-ip and --dst-ip\n");
		return -1;
	}
	if (!allowed_dst(o->dst_ip)) {
		fprintf(stderr, "uxdp-trafgen: %s: only 198.18.0.0/15 and 127.0.0.0/8 are allowed\n",
			inet_ntoa(o->dst_ip));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .count = 1000, .rate = 1000, .size = 64, .flows = 1, .duration = 10 };
	static uint8_t frames[MAX_BATCH][MAX_FRAME];
	struct mmsghdr msgs[MAX_BATCH];
	struct iovec iov[MAX_BATCH];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	uint64_t sent = 0, batch, i;
	double start, deadline;
	int fd, n;

	if (parse(argc, argv, &o)) {
		usage(stderr);
		return 2;
	}
	/* Protocol 0: this socket only sends, so the kernel queues nothing to it. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "uxdp-trafgen: AF_PACKET socket: %s%s\n", strerror(errno),
			errno == EPERM ? " (needs root or CAP_NET_RAW)" : "");
		return 1;
	}
	sll.sll_ifindex = if_nametoindex(o.iface);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "uxdp-trafgen: %s: no such interface\n", o.iface);
		return 1;
	}
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "uxdp-trafgen: %s: bind: %s\n", o.iface, strerror(errno));
		return 1;
	}
	if (!o.have_src_mac && if_mac(fd, o.iface, o.src_mac)) {
		fprintf(stderr, "uxdp-trafgen: %s: no MAC address\n", o.iface);
		return 1;
	}
	/* Batches of about a millisecond's worth keep the rate smooth and the syscalls few. */
	batch = o.rate ? o.rate / 1000 : MAX_BATCH;
	batch = batch < 1 ? 1 : batch > MAX_BATCH ? MAX_BATCH : batch;
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < MAX_BATCH; i++) {
		iov[i].iov_base = frames[i];
		iov[i].iov_len = o.size;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	start = now();
	deadline = start + o.duration;
	while (sent < o.count) {
		uint64_t k = o.count - sent < batch ? o.count - sent : batch;
		double t = now();

		if (t >= deadline)
			break;
		if (o.rate) {
			double due = start + (double)sent / o.rate;

			if (due > t) {
				struct timespec ts = { 0, (long)((due - t) * 1e9) };

				nanosleep(&ts, NULL);
			}
		}
		for (i = 0; i < k; i++)
			build(&o, frames[i], (sent + i) % o.flows, sent + i);
		n = sendmmsg(fd, msgs, k, 0);
		if (n < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
				usleep(100);
				continue;
			}
			fprintf(stderr, "uxdp-trafgen: %s: send: %s\n", o.iface, strerror(errno));
			break;
		}
		sent += n;
	}
	printf("sent %llu\n", (unsigned long long)sent);
	close(fd);
	return sent == o.count ? 0 : 1;
}
