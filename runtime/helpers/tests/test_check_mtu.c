// SPDX-License-Identifier: MIT
/*
 * Unit tests of bpf_check_mtu's devices (uxdp/dev_mtu.h): the FIB wins
 * over a driver's port, a driver's port over the kernel, and a kernel device's MTU
 * is re-read within a second of a change (and a device that did not exist
 * is looked for again after a second).  The kernel's side is a network
 * namespace of the test's own (unshare; it goes with the process), whose
 * loopback's MTU the test sets; skipped (77) without the right to make
 * one.  The helper's arithmetic is compared with the kernel's in
 * objects.diff.check_mtu.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <uxdp/ctx.h>
#include <uxdp/dev_mtu.h>
#include <uxdp/fib.h>
#include <uxdp/worker.h>

#include "../helpers_impl.h"
#include "test.h"

#define P(x) ((uint64_t)(uintptr_t)(x))
#define ERR(e) ((uint64_t)(int64_t) - (e))
#define DPDK_PORT 0x10000u /* how the DPDK driver numbers a port with no kernel device */
#define NO_DEVICE 0x7ffffff0u
#define NEW_DEVICE 4242u /* made by test_new_device() */

static uint8_t frame[1000];
static struct uxdp_ctx ctx = { .data = frame, .data_end = frame + sizeof(frame) };

static uint64_t check(uint32_t ifindex, uint32_t *mtu_len, int32_t diff)
{
	return uxdp_helper_check_mtu(P(&ctx), ifindex, P(mtu_len), (uint64_t)(int64_t)diff, 0);
}

static int set_lo_mtu(int mtu)
{
	struct ifreq ifr = { .ifr_mtu = mtu };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret;

	strcpy(ifr.ifr_name, "lo");
	ret = fd < 0 ? -1 : ioctl(fd, SIOCSIFMTU, &ifr);
	if (fd >= 0)
		close(fd);
	return ret;
}

static void test_kernel_device(uint32_t lo)
{
	struct timespec second = { 1, 100 * 1000 * 1000 };
	uint32_t m = 0;

	CHECK(set_lo_mtu(9000) == 0);
	CHECK_EQ(check(lo, &m, 0), 0);
	CHECK_EQ(m, 9000);
	ctx.ingress_ifindex = lo;
	m = 0;
	CHECK_EQ(check(0, &m, 9014 - (int32_t)sizeof(frame) + 1), 1); /* one over */
	CHECK_EQ(m, 9000);
	/* remembered for a second, then read again */
	CHECK(set_lo_mtu(1280) == 0);
	nanosleep(&second, NULL);
	m = 0;
	CHECK_EQ(check(lo, &m, 0), 0);
	CHECK_EQ(m, 1280);
	m = 5;
	CHECK_EQ(check(NO_DEVICE, &m, 0), ERR(ENODEV));
	CHECK_EQ(m, 5);
}

/*
 * "No such device" is remembered for a second too: a device made with
 * that index in the meantime shows after it, not at once.
 */
static void test_new_device(void)
{
	struct timespec second = { 1, 100 * 1000 * 1000 };
	uint32_t m = 5;

	CHECK_EQ(check(NEW_DEVICE, &m, 0), ERR(ENODEV));
	CHECK(system("ip link add name uxmtu0 index 4242 mtu 1400 type veth peer name uxmtu1") == 0);
	CHECK_EQ(check(NEW_DEVICE, &m, 0), ERR(ENODEV));
	nanosleep(&second, NULL);
	CHECK_EQ(check(NEW_DEVICE, &m, 0), 0);
	CHECK_EQ(m, 1400);
}

static void test_fib_and_driver(uint32_t lo)
{
	struct uxdp_fib *fib = uxdp_fib_new();
	struct uxdp_fib_iface i = { .sz = sizeof(i), .ifindex = lo, .mtu = 1400 };
	struct uxdp_fib_iface other = { .sz = sizeof(other), .ifindex = 77 };
	struct uxdp_worker w = { .fib = fib };
	uint32_t m = 0;

	CHECK(fib && uxdp_fib_set_iface(fib, &i) == 0 && uxdp_fib_set_iface(fib, &other) == 0);
	ctx.worker = &w;
	CHECK_EQ(check(lo, &m, 0), 0);
	CHECK_EQ(m, 1400); /* the FIB's word over the kernel's */
	m = 0;
	CHECK_EQ(check(77, &m, 0), 0);
	CHECK_EQ(m, 1500); /* a FIB interface without an MTU: 1500, as for fib_lookup */
	CHECK_EQ(uxdp_dev_mtu_set(lo, 2000), 0);
	m = 0;
	CHECK_EQ(check(lo, &m, 0), 0);
	CHECK_EQ(m, 1400); /* the FIB's over the driver's: fib_lookup's MTU too */
	CHECK_EQ(uxdp_fib_del_iface(fib, lo), 0);
	m = 0;
	CHECK_EQ(check(lo, &m, 0), 0);
	CHECK_EQ(m, 2000); /* the driver's over the kernel's */
	CHECK_EQ(uxdp_dev_mtu_set(lo, 0), 0);
	m = 0;
	CHECK_EQ(check(lo, &m, 0), 0);
	CHECK_EQ(m, 1280); /* the kernel's again (test_kernel_device's last MTU) */
	ctx.worker = NULL;
	uxdp_fib_free(fib);

	/* a DPDK port: no kernel device, its driver's MTU; unknown ingress: 1500 */
	CHECK_EQ(uxdp_dev_mtu_set(DPDK_PORT, 9702), 0);
	ctx.ingress_ifindex = DPDK_PORT;
	m = 0;
	CHECK_EQ(check(0, &m, 0), 0);
	CHECK_EQ(m, 9702);
	ctx.ingress_ifindex = NO_DEVICE;
	m = 0;
	CHECK_EQ(check(0, &m, 0), 0);
	CHECK_EQ(m, 1500);
	CHECK_EQ(uxdp_dev_mtu_set(0, 1500), ERR(EINVAL));
	CHECK_EQ(uxdp_helper_check_mtu(P(&ctx), 0, P(&m), 0, 1), ERR(EINVAL));
}

int main(void)
{
	uint32_t lo;

	if (unshare(CLONE_NEWNET)) {
		printf("check_mtu: skipped (no network namespace of its own: %s)\n", strerror(errno));
		return 77;
	}
	lo = if_nametoindex("lo");
	CHECK(lo != 0);
	test_kernel_device(lo);
	test_new_device();
	test_fib_and_driver(lo);
	return test_result("check_mtu");
}
