// SPDX-License-Identifier: MIT
/*
 * net.c - the TAP exception interface and list parsing, shared by the
 * AF_XDP and DPDK drivers.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"

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

/*
 * Warn once, from whichever worker sees the first XDP_PASS without a TAP.
 * Every later XDP_PASS only reads the flag: an exchange is a write, and one
 * per frame from every worker bounced this line between their cores (most
 * frames of xdp_acl and xdp_firewall pass).
 */
static void warn_pass_once(void)
{
	static int warned;

	if (__atomic_load_n(&warned, __ATOMIC_RELAXED))
		return;
	if (!__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED))
		fprintf(stderr, "uxdp: warning: XDP_PASS frames are counted and dropped: "
				"pass --pass-tap NAME to give them to the kernel\n");
}

void uxdp_net_pass(struct uxdp_dp_worker *w, int tap_fd, const void *data, uint32_t len)
{
	if (tap_fd < 0) {
		warn_pass_once();
		return;
	}
	if (write(tap_fd, data, len) != (ssize_t)len)
		uxdp_dp_count_tx_drop(w, 1);
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
