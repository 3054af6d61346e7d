// SPDX-License-Identifier: MIT
/*
 * dev_mtu.c - device MTUs for bpf_check_mtu (uxdp/dev_mtu.h says where
 * each comes from).  Native only: the table is process-wide.
 *
 * A slot is an ifindex and one 64-bit state word: the MTU (0: the kernel
 * has no such device), a bit for "a driver's port", and for a kernel
 * device when the entry expires.  Writers hold the mutex; workers read
 * without it: ifindex, then the state, then ifindex again, so that a slot
 * handed to another device in between is not taken for this one.  The
 * kernel is asked outside the mutex (a system call under it would stall
 * every worker whose entry expired), and its answer is stored only if the
 * slot was not made a driver's meanwhile.  Expired kernel entries are
 * reused when the table is full.
 */
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <uxdp/dev_mtu.h>
#include <uxdp/fib.h>

#include "helpers_impl.h"

#define DEV_MTU_SLOTS 64
#define KERNEL_MTU_TTL_MS 1000 /* how long a kernel device's MTU is trusted */
#define MTU_MASK 0x7fffffffu
#define DRIVER_BIT 0x80000000u

struct dev_slot {
	uint32_t ifindex; /* 0: free */
	uint64_t state;   /* mtu | DRIVER_BIT, or mtu | expiry (coarse ms, wrapping) << 32 */
};

static struct dev_slot slots[DEV_MTU_SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t now_ms(void)
{
	return (uint32_t)(uxdp_coarse_ns() / 1000000u);
}

static bool expired(uint64_t state, uint32_t now)
{
	return !((uint32_t)state & DRIVER_BIT) && (int32_t)(now - (uint32_t)(state >> 32)) >= 0;
}

/* ifindex's state word as one consistent reading, or false if no slot has it. */
static bool slot_state(uint32_t ifindex, uint64_t *state)
{
	for (int i = 0; i < DEV_MTU_SLOTS; i++) {
		struct dev_slot *s = &slots[i];

		if (__atomic_load_n(&s->ifindex, __ATOMIC_ACQUIRE) != ifindex)
			continue;
		*state = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
		if (__atomic_load_n(&s->ifindex, __ATOMIC_ACQUIRE) == ifindex)
			return true;
	}
	return false;
}

/* What a state word answers: its MTU, or -ENODEV (the kernel has no such device). */
static int state_mtu(uint64_t state, uint32_t *mtu)
{
	uint32_t m = (uint32_t)state & MTU_MASK;

	if (!m)
		return -ENODEV;
	*mtu = m;
	return 0;
}

/* Under the mutex: ifindex's slot, a free one, an expired one, or NULL. */
static struct dev_slot *slot_for(uint32_t ifindex)
{
	struct dev_slot *spare = NULL;
	uint32_t now = now_ms();

	for (int i = 0; i < DEV_MTU_SLOTS; i++) {
		if (slots[i].ifindex == ifindex)
			return &slots[i];
		if (!spare && (!slots[i].ifindex || expired(slots[i].state, now)))
			spare = &slots[i];
	}
	return spare;
}

/* Under the mutex: a reader that matched the old ifindex re-checks it after the state. */
static void slot_store(struct dev_slot *s, uint32_t ifindex, uint64_t state)
{
	if (s->ifindex != ifindex)
		__atomic_store_n(&s->ifindex, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&s->state, state, __ATOMIC_RELEASE);
	__atomic_store_n(&s->ifindex, ifindex, __ATOMIC_RELEASE);
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
		return -ENODEV; /* no socket to ask with: the helper has no other answer */
	if (!ioctl(fd, SIOCGIFMTU, &ifr) && ifr.ifr_mtu > 0) {
		*mtu = (uint32_t)ifr.ifr_mtu & MTU_MASK;
		ret = 0;
	}
	close(fd);
	return ret;
}

/* Ask the kernel, and remember the answer (no device too) for a second. */
static int refresh(uint32_t ifindex, uint32_t *mtu)
{
	uint32_t m = 0;
	uint64_t state;
	struct dev_slot *s;

	if (kernel_mtu(ifindex, &m))
		m = 0;
	state = m | (uint64_t)(now_ms() + KERNEL_MTU_TTL_MS) << 32;
	pthread_mutex_lock(&lock);
	s = slot_for(ifindex);
	if (s && s->ifindex == ifindex && ((uint32_t)s->state & DRIVER_BIT))
		state = s->state; /* registered by a driver meanwhile: its word wins */
	else if (s)
		slot_store(s, ifindex, state);
	pthread_mutex_unlock(&lock);
	return state_mtu(state, mtu);
}

int uxdp_dev_mtu(struct uxdp_fib *fib, uint32_t ifindex, uint32_t *mtu)
{
	uint64_t state;

	if (!ifindex)
		return -ENODEV;
	if (!uxdp_fib_iface_mtu(fib, ifindex, mtu))
		return 0;
	if (!slot_state(ifindex, &state) || expired(state, now_ms()))
		return refresh(ifindex, mtu);
	return state_mtu(state, mtu);
}

int uxdp_dev_mtu_set(uint32_t ifindex, uint32_t mtu)
{
	struct dev_slot *s;
	int ret = 0;

	if (!ifindex || mtu > MTU_MASK)
		return -EINVAL;
	pthread_mutex_lock(&lock);
	s = slot_for(ifindex);
	if (mtu && s)
		slot_store(s, ifindex, mtu | DRIVER_BIT);
	else if (!mtu && s && s->ifindex == ifindex)
		slot_store(s, 0, 0);
	else if (mtu)
		ret = -ENOSPC;
	pthread_mutex_unlock(&lock);
	return ret;
}
