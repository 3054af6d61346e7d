#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""libbpf's ring buffer consumer, unmodified, on a uxdp ring buffer and on
the kernel's.

rb.bpf.c writes one record per packet (output, reserve + submit, reserve +
discard).  The same rb_consumer binary (linked against the system's
libbpf.so.1) runs ring_buffer__new() + ring_buffer__poll() with a 30 s
timeout on

 - uxdp: the instance's ring buffer, under uxdp-run, while the capture is
   run BATCHES times by `uxdp --pcap` (the maps stay between runs);
 - the kernel: the same object loaded by kload, the capture run BATCHES
   times with BPF_PROG_TEST_RUN.

The whole runs twice: with ring_buffer__poll(), and with the program's
own poll() on ring_buffer__epoll_fd() then ring_buffer__consume().  Each
batch starts after the consumer has read the previous one and gone back
to sleep, so every batch needs a wakeup; the ring
(16 KiB, 72-byte records) wraps several times, records straddling its end.
Both must deliver the same records in the same order, none lost, each
batch within seconds of being produced.  Then bad mmap()/epoll_ctl() input
must get the kernel's answers (rb_expected.txt, made from the kernel).
Perf buffers have their own test (pb_test.py).
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import check, compare  # noqa: E402

A = common.ring_test_args()
INST = "bpfsys-rb-%d" % os.getpid()
BATCHES = 20
os.makedirs(A.work, exist_ok=True)
PCAP = os.path.join(A.work, "rb.pcap")
PACKETS = common.RING_PACKETS


def kept(seq):
    """Whether rb.bpf.c submits the record of packet seq (else discards it)."""
    return seq % 3 == 0 or seq % 7 != 5


def batch_records(b):
    n = len(PACKETS)
    return sum(1 for s in range(b * n, (b + 1) * n) if kept(s))


TOTAL = sum(batch_records(b) for b in range(BATCHES))


def run_side(name, consumer_argv, produce):
    """Batch 0 is in the ring already; produce() runs one more batch."""
    c = common.Consumer(consumer_argv)
    if not check(c.lines(1, 20) == ["ready"], "%s: consumer did not start" % name):
        return None
    records = c.lines(batch_records(0), 20)
    got, delays = c.batches(name, range(1, BATCHES), batch_records, produce)
    records += got
    c.end(name, TOTAL, records, BATCHES, delays)
    seqs = [int(r.split()[0][4:]) for r in records if r.startswith("seq=")]
    check(seqs == [s for s in range(BATCHES * len(PACKETS)) if kept(s)],
          "%s: records out of order or lost: %r" % (name, seqs[:50]))
    return records


def uxdp_side(mode):
    common.run_uxdp(A.uxdp, A.obj, INST, PCAP)
    ids = common.map_ids(A.uxdpctl, INST)
    wrap = [A.run, "--instance", INST, A.consumer]
    recs = run_side("uxdp " + mode, wrap + ["consume", str(ids["events"]), str(TOTAL)] +
                    MODES[mode], lambda: common.run_uxdp(A.uxdp, A.obj, INST, PCAP))
    if mode != "poll":
        return recs
    bad = subprocess.run(wrap + ["bad"] + [str(ids[m]) for m in BAD_MAPS],
                         capture_output=True, text=True)
    check(bad.returncode == 0, "uxdp bad: exit %d: %s" % (bad.returncode, bad.stderr))
    compare("uxdp bad input", bad.stdout, open(A.expected).read())
    return recs


def kernel_side(mode):
    k, ids = common.kload(A.kload, A.bpf_obj, PCAP, 4)  # rb.bpf.c's maps
    if not ids:
        rc, msg = common.kload_gone(k, "kernel run")
        check(rc == 77, "kload failed: %s" % msg)
        return None

    def produce():
        common.kload_run(k, len(PACKETS))

    try:
        recs = run_side("kernel " + mode, [A.consumer, "consume", str(ids["events"]),
                                           str(TOTAL)] + MODES[mode], produce)
        if mode != "poll":
            return recs
        bad = subprocess.run([A.consumer, "bad"] + [str(ids[m]) for m in BAD_MAPS],
                             capture_output=True, text=True)
        with open(os.path.join(A.work, "kernel_bad.txt"), "w") as f:
            f.write(bad.stdout)
        compare("kernel bad input", bad.stdout, open(A.expected).read())
    finally:
        k.stdin.close()
        k.wait()
    return recs


MODES = {"poll": [], "outer": ["outer"]}
BAD_MAPS = ("events", "other", "mm", "counters")
try:
    common.write_pcap(PCAP, PACKETS)
    for mode in MODES:
        ours = uxdp_side(mode)
        common.delete_instance(A.uxdpctl, INST)
        theirs = kernel_side(mode)
        if ours is not None and theirs is not None:
            compare("uxdp %s records (kernel's expected)" % mode, "\n".join(ours) + "\n",
                    "\n".join(theirs) + "\n")
finally:
    common.delete_instance(A.uxdpctl, INST)
common.conclude(INST)
