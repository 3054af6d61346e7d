// SPDX-License-Identifier: MIT
/*
 * net.c - counters, stop flag, TAP and redirect targets shared by the AF_XDP
 * and DPDK drivers.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <uxdp/map.h>

#include "net.h"

volatile int uxdp_net_quit;

static void on_signal(int sig)
{
	__atomic_store_n(&uxdp_net_quit, 1, __ATOMIC_RELAXED);
}

int uxdp_net_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	return 0;
}

double uxdp_net_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void snapshot(struct uxdp_stats *to, const struct uxdp_stats *from)
{
	unsigned int v;

	for (v = 0; v < UXDP_N_VERDICTS; v++) {
		to->packets[v] = __atomic_load_n(&from->packets[v], __ATOMIC_RELAXED);
		to->bytes[v] = __atomic_load_n(&from->bytes[v], __ATOMIC_RELAXED);
	}
}

void uxdp_net_ticker_init(struct uxdp_net_ticker *t)
{
	memset(t, 0, sizeof(*t));
	t->start = t->last = uxdp_net_now();
}

static void header(FILE *f)
{
	unsigned int v;

	fprintf(f, "%-8s", "worker");
	for (v = 0; v < UXDP_N_VERDICTS; v++)
		fprintf(f, " %13s", uxdp_verdict_name(v));
	fputc('\n', f);
}

void uxdp_net_tick(struct uxdp_net_ticker *t, const struct uxdp_net_stats *s, unsigned int n)
{
	double now = uxdp_net_now(), dt = now - t->last;
	double total[UXDP_N_VERDICTS] = { 0 };
	struct uxdp_stats cur;
	unsigned int i, v;

	if (dt < 1.0)
		return;
	printf("--- %.0f s, packets/s\n", now - t->start);
	header(stdout);
	for (i = 0; i < n; i++) {
		snapshot(&cur, &s[i].v);
		printf("%-8u", i);
		for (v = 0; v < UXDP_N_VERDICTS; v++) {
			double pps = (cur.packets[v] - t->prev[i].packets[v]) / dt;

			printf(" %13.0f", pps);
			total[v] += pps;
		}
		putchar('\n');
		t->prev[i] = cur;
	}
	printf("%-8s", "total");
	for (v = 0; v < UXDP_N_VERDICTS; v++)
		printf(" %13.0f", total[v]);
	putchar('\n');
	fflush(stdout);
	t->last = now;
}

void uxdp_net_publish(struct uxdp_stats *to, const struct uxdp_net_stats *s, unsigned int n)
{
	struct uxdp_stats sum = { 0 }, cur;
	unsigned int i, v;

	if (!to)
		return;
	for (i = 0; i < n; i++) {
		snapshot(&cur, &s[i].v);
		for (v = 0; v < UXDP_N_VERDICTS; v++) {
			sum.packets[v] += cur.packets[v];
			sum.bytes[v] += cur.bytes[v];
		}
	}
	for (v = 0; v < UXDP_N_VERDICTS; v++) {
		__atomic_store_n(&to->packets[v], sum.packets[v], __ATOMIC_RELAXED);
		__atomic_store_n(&to->bytes[v], sum.bytes[v], __ATOMIC_RELAXED);
	}
}

void uxdp_net_print_final(FILE *f, const struct uxdp_net_stats *s, unsigned int n, double seconds)
{
	struct uxdp_stats sum = { 0 }, cur;
	uint64_t tx_drop = 0, tap_out = 0, rx_xsk = 0, xsk_drop = 0, rx_cpu = 0;
	unsigned int i, v;

	for (i = 0; i < n; i++) {
		snapshot(&cur, &s[i].v);
		for (v = 0; v < UXDP_N_VERDICTS; v++) {
			sum.packets[v] += cur.packets[v];
			sum.bytes[v] += cur.bytes[v];
		}
		tx_drop += __atomic_load_n(&s[i].tx_drop, __ATOMIC_RELAXED);
		tap_out += __atomic_load_n(&s[i].tap_out, __ATOMIC_RELAXED);
	}
	uxdp_stats_print(f, &sum, seconds);
	fprintf(f, "tx dropped (ring full or no target): %llu, from the TAP: %llu\n",
		(unsigned long long)tx_drop, (unsigned long long)tap_out);
	for (i = 0; i < n; i++) {
		rx_xsk += __atomic_load_n(&s[i].redirect_xsk, __ATOMIC_RELAXED);
		xsk_drop += __atomic_load_n(&s[i].xsk_drop, __ATOMIC_RELAXED);
		rx_cpu += __atomic_load_n(&s[i].redirect_cpu, __ATOMIC_RELAXED);
	}
	if (rx_xsk || rx_cpu)
		fprintf(f, "redirected to xskmap rings: %llu (dropped %llu), to cpumap (passed): %llu\n",
			(unsigned long long)rx_xsk, (unsigned long long)xsk_drop,
			(unsigned long long)rx_cpu);
	if (n > 1) {
		fprintf(f, "packets per worker\n");
		header(f);
		for (i = 0; i < n; i++) {
			snapshot(&cur, &s[i].v);
			fprintf(f, "%-8u", i);
			for (v = 0; v < UXDP_N_VERDICTS; v++)
				fprintf(f, " %13llu", (unsigned long long)cur.packets[v]);
			fputc('\n', f);
		}
	}
	fflush(f);
}

static int fail(char *err, size_t err_size, int ret, const char *name, const char *what)
{
	snprintf(err, err_size, "%s: %s: %s", name, what, strerror(-ret));
	return ret;
}

int uxdp_tap_open(const char *name, const uint8_t mac[6], char *err, size_t err_size)
{
	struct ifreq ifr = { 0 };
	int fd, s, ret;

	if (strlen(name) >= IFNAMSIZ) {
		snprintf(err, err_size, "%s: TAP name longer than %d characters", name,
			 IFNAMSIZ - 1);
		return -EINVAL;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return fail(err, err_size, -errno, "/dev/net/tun", "cannot open");
	/* No packet-info header: the kernel gets exactly the program's frame. */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		ret = fail(err, err_size, -errno, name, "cannot create TAP");
		close(fd);
		return ret;
	}
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		ret = fail(err, err_size, -errno, name, "socket");
		close(fd);
		return ret;
	}
	/*
	 * Passed frames carry the port's MAC as destination; with another MAC
	 * the stack would take them for someone else's and drop them.
	 */
	if (mac) {
		ifr.ifr_hwaddr.sa_family = 1; /* ARPHRD_ETHER */
		memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
		if (ioctl(s, SIOCSIFHWADDR, &ifr)) {
			ret = fail(err, err_size, -errno, name, "cannot set the TAP's MAC");
			goto fail;
		}
	}
	if (ioctl(s, SIOCGIFFLAGS, &ifr)) {
		ret = fail(err, err_size, -errno, name, "cannot read TAP flags");
		goto fail;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr)) {
		ret = fail(err, err_size, -errno, name, "cannot bring the TAP up");
		goto fail;
	}
	close(s);
	return fd;
fail:
	close(s);
	close(fd);
	return ret;
}

void uxdp_net_warn_pass_once(void)
{
	static int warned;

	if (!__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED))
		fprintf(stderr, "uxdp: warning: XDP_PASS frames are counted and dropped: "
				"pass --pass-tap NAME to give them to the kernel\n");
}

void uxdp_net_pass(struct uxdp_net_stats *s, int tap_fd, const void *data, uint32_t len)
{
	if (tap_fd < 0) {
		uxdp_net_warn_pass_once();
		return;
	}
	if (write(tap_fd, data, len) != (ssize_t)len)
		uxdp_net_add(&s->tx_drop, 1);
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool uxdp_net_redirect_local(struct uxdp_net_stats *s, struct uxdp_xsk_cache *xsk, int tap_fd,
			     const struct uxdp_redirect *r, const void *data, uint32_t len)
{
	switch (uxdp_redirect_dest(r)) {
	case UXDP_DEST_XSK:
		uxdp_net_add(&s->redirect_xsk, 1);
		/* Copy mode: the frame goes back to our pool, a copy to the consumer. */
		if (uxdp_xsk_deliver(xsk, r, data, len, realtime_ns()))
			uxdp_net_add(&s->xsk_drop, 1);
		return true;
	case UXDP_DEST_CPU:
		uxdp_net_add(&s->redirect_cpu, 1);
		uxdp_net_pass(s, tap_fd, data, len);
		return true;
	default:
		return false;
	}
}

int uxdp_net_redirect_ifindex(const struct uxdp_redirect *r, uint32_t *ifindex)
{
	switch (r->kind) {
	case UXDP_REDIRECT_IFINDEX:
		*ifindex = r->index;
		return 0;
	case UXDP_REDIRECT_MAP:
		if (!r->map || !r->value)
			return -ENOENT;
		switch (uxdp_map_type(r->map)) {
		case BPF_MAP_TYPE_DEVMAP:
		case BPF_MAP_TYPE_DEVMAP_HASH:
			/* u32 ifindex, or struct bpf_devmap_val that starts with it */
			memcpy(ifindex, r->value, sizeof(*ifindex));
			return 0;
		default:
			return -EOPNOTSUPP;
		}
	default:
		return -ENOENT;
	}
}

int uxdp_net_parse_list(const char *s, uint32_t *out, unsigned int max)
{
	unsigned int n = 0;
	unsigned long a, b;
	char *end;

	if (!s || !*s)
		return -EINVAL;
	for (;;) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		a = b = strtoul(s, &end, 10);
		if (*end == '-') {
			s = end + 1;
			if (*s < '0' || *s > '9')
				return -EINVAL;
			b = strtoul(s, &end, 10);
		}
		if (b < a || b > UINT32_MAX)
			return -EINVAL;
		for (; a <= b; a++) {
			if (n == max)
				return -E2BIG;
			out[n++] = a;
		}
		if (!*end)
			return n;
		if (*end != ',')
			return -EINVAL;
		s = end + 1;
	}
}
