// SPDX-License-Identifier: MIT
/*
 * perf.c - libbpf's perf_buffer__new() on a uxdp BPF_MAP_TYPE_PERF_EVENT_ARRAY
 * is refused.
 *
 * perf_buffer__new() opens a kernel perf event per CPU (perf_event_open),
 * maps its ring and stores its fd into the map's slot: the consumer then
 * reads the kernel's perf rings, which uxdp's producers never write (they
 * write the rings in the map's segment).  That would be a consumer that
 * never sees a record; so the store of a perf fd through bpf(2), the first
 * step that is the perf buffer's own, fails with a line.  uxdp's perf rings
 * are read with `uxdpctl perf read MAP`; BPF_MAP_TYPE_RINGBUF is served.
 */
#include <errno.h>

#include "bpfsys.h"

long bpfsys_perf_refuse(struct bpfsys_call *c)
{
	bpfsys_say_once(c->cmd, "a uxdp BPF_MAP_TYPE_PERF_EVENT_ARRAY does not take perf event "
				"fds (libbpf's perf_buffer__new() is not served): read it with "
				"uxdpctl perf read MAP, or use a BPF_MAP_TYPE_RINGBUF");
	return -EOPNOTSUPP;
}
