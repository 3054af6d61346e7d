// SPDX-License-Identifier: MIT
/*
 * dev_mtu.c - device MTUs for bpf_check_mtu (uxdp/dev_mtu.h says where
 * each comes from).  Native only: the table is process-wide.
 *
 * Workers read the table without a lock: a slot's ifindex, MTU and expiry
 * are each one atomic word, written under the mutex by whoever refreshes
 * them.  A reader that sees a slot mid-refresh gets the old MTU or the new
 * one, both of which the device had within the second.
 */
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <uxdp/dev_mtu.h>
#include <uxdp/fib.h>

#define DEV_MTU_SLOTS 64
#define KERNEL_MTU_TTL_NS 1000000000ull /* how long a kernel device's MTU is trusted */

struct dev_slot {
	uint32_t ifindex; /* 0: free */
	uint32_t mtu;     /* 0: the kernel has no such device */
	uint64_t expires; /* CLOCK_MONOTONIC_COARSE ns; 0: a driver's port, never */
};

static struct dev_slot slots[DEV_MTU_SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t coarse_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct dev_slot *slot_of(uint32_t ifindex)
{
	for (int i = 0; i < DEV_MTU_SLOTS; i++)
		if (__atomic_load_n(&slots[i].ifindex, __ATOMIC_ACQUIRE) == ifindex)
			return &slots[i];
	return NULL;
}

/* Under the lock: ifindex's slot, a free one, or NULL when all are taken. */
static struct dev_slot *slot_for(uint32_t ifindex)
{
	struct dev_slot *s = slot_of(ifindex);

	return s ? s : slot_of(0);
}

/* The kernel's MTU of device ifindex in this network namespace, or -ENODEV. */
static int kernel_mtu(uint32_t ifindex, uint32_t *mtu)
{
	struct ifreq ifr;
	int fd, ret = -ENODEV;

	memset(&ifr, 0, sizeof(ifr));
	if (!if_indextoname(ifindex, ifr.ifr_name))
		return -ENODEV;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (!ioctl(fd, SIOCGIFMTU, &ifr) && ifr.ifr_mtu > 0) {
		*mtu = (uint32_t)ifr.ifr_mtu;
		ret = 0;
	}
	close(fd);
	return ret;
}

static void slot_store(struct dev_slot *s, uint32_t ifindex, uint32_t mtu, uint64_t expires)
{
	__atomic_store_n(&s->mtu, mtu, __ATOMIC_RELAXED);
	__atomic_store_n(&s->expires, expires, __ATOMIC_RELAXED);
	__atomic_store_n(&s->ifindex, ifindex, __ATOMIC_RELEASE);
}

/* Ask the kernel again, and remember the answer (no device too) for a second. */
static int refresh(uint32_t ifindex, uint32_t *mtu)
{
	struct dev_slot *s;
	uint32_t m = 0;
	int ret;

	pthread_mutex_lock(&lock);
	ret = kernel_mtu(ifindex, &m);
	s = slot_for(ifindex);
	if (s && (ret == 0 || ret == -ENODEV) &&
	    (s->ifindex != ifindex || __atomic_load_n(&s->expires, __ATOMIC_RELAXED)))
		slot_store(s, ifindex, ret ? 0 : m, coarse_ns() + KERNEL_MTU_TTL_NS);
	pthread_mutex_unlock(&lock);
	if (!ret)
		*mtu = m;
	return ret < 0 && ret != -ENODEV ? -ENODEV : ret;
}

int uxdp_dev_mtu(struct uxdp_fib *fib, uint32_t ifindex, uint32_t *mtu)
{
	const struct dev_slot *s = ifindex ? slot_of(ifindex) : NULL;
	uint64_t expires = s ? __atomic_load_n(&s->expires, __ATOMIC_RELAXED) : 0;
	uint32_t m = s ? __atomic_load_n(&s->mtu, __ATOMIC_RELAXED) : 0;

	if (!ifindex)
		return -ENODEV;
	if (s && !expires && m) { /* a driver's port */
		*mtu = m;
		return 0;
	}
	if (!uxdp_fib_iface_mtu(fib, ifindex, mtu))
		return 0;
	if (s && expires && coarse_ns() < expires) {
		if (!m)
			return -ENODEV;
		*mtu = m;
		return 0;
	}
	return refresh(ifindex, mtu);
}

int uxdp_dev_mtu_set(uint32_t ifindex, uint32_t mtu)
{
	struct dev_slot *s;
	int ret = 0;

	if (!ifindex)
		return -EINVAL;
	pthread_mutex_lock(&lock);
	s = mtu ? slot_for(ifindex) : slot_of(ifindex);
	if (s)
		slot_store(s, mtu ? ifindex : 0, mtu, 0);
	else if (mtu)
		ret = -ENOSPC;
	pthread_mutex_unlock(&lock);
	return ret;
}
