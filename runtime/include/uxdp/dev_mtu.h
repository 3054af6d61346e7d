/* SPDX-License-Identifier: MIT */
/*
 * dev_mtu.h - the MTU of a device, as bpf_check_mtu sees it
 * (runtime/helpers/check_mtu.c; docs/compatibility.md, helper 163).
 *
 * The kernel reads dev->mtu of the device with that ifindex in the
 * program's network namespace.  uxdp asks, in this order:
 *  1. the FIB the control plane describes (uxdp/fib.h), whose interface
 *     MTUs bpf_fib_lookup checks against too: the two helpers agree;
 *  2. the driver, for a port that is not a kernel device (a DPDK port's
 *     MTU, registered with uxdp_dev_mtu_set());
 *  3. the kernel, for a device of its own with that index (AF_XDP ports,
 *     loopback, which test_run and pcap runs name as ingress): SIOCGIFMTU,
 *     remembered for a second so that a packet costs no system call, so an
 *     `ip link set mtu` shows within a second.
 * No answer: -ENODEV, as the kernel's for an ifindex with no device.
 */
#ifndef UXDP_DEV_MTU_H
#define UXDP_DEV_MTU_H

#include <stdint.h>

struct uxdp_fib;

/* The MTU of ifindex (fib: the worker's, NULL the default), or -ENODEV. */
int uxdp_dev_mtu(struct uxdp_fib *fib, uint32_t ifindex, uint32_t *mtu);

/*
 * A driver's port that is no kernel device has this MTU (0: forget it).
 * -ENOSPC when the table's 64 slots hold other ports and devices whose
 * MTU is still fresh; -EINVAL for ifindex 0 or an MTU of 2^31 or more.
 */
int uxdp_dev_mtu_set(uint32_t ifindex, uint32_t mtu);

#endif /* UXDP_DEV_MTU_H */
