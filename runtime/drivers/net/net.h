/* SPDX-License-Identifier: MIT */
/*
 * net.h - the I/O the AF_XDP and DPDK drivers share: the TAP exception
 * interface that XDP_PASS frames go to, and list parsing.  Internal to the
 * drivers; what happens to a packet is the datapath's (uxdp/datapath.h).
 */
#ifndef UXDP_DRIVERS_NET_H
#define UXDP_DRIVERS_NET_H

#include <stddef.h>
#include <stdint.h>

#include <uxdp/datapath.h>
#include <uxdp/net_driver.h>

/*
 * Create (or attach to a persistent) TAP interface name, give it mac if
 * not NULL and bring it up.  Returns a non-blocking fd or -errno, with err
 * set.
 */
int uxdp_tap_open(const char *name, const uint8_t mac[6], char *err, size_t err_size);

/*
 * UXDP_DP_PASS: the frame to the TAP if there is one (tap_fd >= 0; a
 * failed write counts as tx_drop), else counted and dropped, with a
 * warning the first time.
 */
void uxdp_net_pass(struct uxdp_dp_worker *w, int tap_fd, const void *data, uint32_t len);

/* "0-3,5" into out[] (ascending as written); returns the count or -EINVAL/-E2BIG. */
int uxdp_net_parse_list(const char *s, uint32_t *out, unsigned int max);

#endif /* UXDP_DRIVERS_NET_H */
