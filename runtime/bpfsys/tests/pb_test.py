#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""libbpf's perf buffer consumer, unmodified, on a uxdp perf event array
and on the kernel's.

pb.bpf.c writes one bpf_perf_event_output record per packet on the current
CPU's ring (CPU 0 on both sides: uxdp's one pcap worker, kload's
BPF_PROG_TEST_RUN pinned there).  The same pb_consumer binary (linked
against the system's libbpf.so.1) runs perf_buffer__new() of 4 pages per
CPU and perf_buffer__poll() with a 30 s timeout on

 - uxdp: the instance's map, under uxdp-run, while the capture is run
   BATCHES times by `uxdp --pcap` (the maps stay between runs);
 - the kernel: the same object loaded by kload, the capture run BATCHES
   times with BPF_PROG_TEST_RUN.

The first run is before the consumer binds (no record: -ENOENT on both).
Each batch starts after the consumer has read the previous one, so every
batch needs a wakeup; the 16 KiB ring wraps, records straddling its end.
Both runs (perf_buffer__poll(), then the program's own poll() on
perf_buffer__epoll_fd() and perf_buffer__consume(), with 64 pages per CPU)
must deliver the same
records (CPU, raw size with the kernel's padding, bytes) in the same order,
none lost.  Then a 1-page buffer is filled past its end before it is
consumed: the same records, and the same lost-records reports with the same
counts.  Then bad input must get the kernel's answers (pb_expected.txt),
but for the lines marked "differs" (docs/control-plane.md).
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import check, compare, failures  # noqa: E402

A = common.ring_test_args()
INST = "bpfsys-pb-%d" % os.getpid()
BATCHES = 12
os.makedirs(A.work, exist_ok=True)
PCAP = os.path.join(A.work, "pb.pcap")
PACKETS = common.RING_PACKETS
N = len(PACKETS)
TOTAL = (BATCHES - 1) * N
# The kernel's answers where uxdp's differ (docs/control-plane.md).
DIFFERS = {"uxdp": ["differs: update with the cpu-clock event: EOPNOTSUPP",
                    "differs: update with a 512-page event: EINVAL",
                    "differs: delete after the event's close: ENOENT"],
           "kernel": ["differs: update with the cpu-clock event: ok",
                      "differs: update with a 512-page event: ok",
                      "differs: delete after the event's close: ok"]}


def samples(lines):
    return [ln for ln in lines if ln.startswith("cpu=")]


def run_side(name, argv, produce):
    c = common.Consumer(argv)
    if not check(c.lines(1, 20) == ["ready"], "%s: consumer did not start" % name):
        rest, rc, err = c.finish()
        failures.append("%s: %r exit %s: %s" % (name, rest, rc, err))
        return None
    records, delays = c.batches(name, range(1, BATCHES), lambda b: N, produce,
                                lambda got: len(samples(got)))
    c.end(name, TOTAL, records, BATCHES - 1, delays)
    seqs = [int(r.split()[2][4:]) for r in samples(records)]
    check(seqs and seqs == list(range(seqs[0], seqs[0] + TOTAL)),
          "%s: records out of order or lost: %r" % (name, seqs[:50]))
    return records


def run_lost(name, argv, produce):
    """A 1-page buffer: 3 batches, consume, 1 batch, consume."""
    c = common.Consumer(argv, stdin=subprocess.PIPE)
    out = c.lines(1, 20)
    if not check(out == ["ready"], "%s lost: consumer did not start: %r" % (name, out)):
        return None
    for batches in (3, 1):
        for _ in range(batches):
            produce()
        c.p.stdin.write("consume\n")
        c.p.stdin.flush()
        out += c.lines(10000, 20, until="consumed")
    c.p.stdin.close()
    rest, rc, err = c.finish()
    check(rc == 0 and rest == [], "%s lost: exit %s, %r: %s" % (name, rc, rest, err))
    lost = [ln for ln in out if ln.startswith("lost")]
    print("%s lost: %d records, %s" % (name, len(samples(out)), lost))
    check(lost, "%s lost: no lost-records report: %r" % (name, out[-5:]))
    return out


def bad_input(side, argv):
    bad = subprocess.run(argv, capture_output=True, text=True)
    check(bad.returncode == 0, "%s bad: exit %d: %s" % (side, bad.returncode, bad.stderr))
    lines = bad.stdout.splitlines()
    differs = [ln for ln in lines if ln.startswith("differs:")]
    check(differs == DIFFERS[side], "%s bad: %r" % (side, differs))
    same = "".join(ln + "\n" for ln in lines if not ln.startswith("differs:"))
    compare("%s bad input" % side, same, open(A.expected).read())
    if side == "uxdp":
        check("uxdp-bpfsys: BPF_MAP_UPDATE_ELEM:" in bad.stderr, "uxdp bad: %r" % bad.stderr)
    else:
        with open(os.path.join(A.work, "kernel_bad.txt"), "w") as f:
            f.write(same)


def uxdp_side():
    common.run_uxdp(A.uxdp, A.obj, INST, PCAP)
    eid = str(common.map_ids(A.uxdpctl, INST)["events"])
    wrap = [A.run, "--instance", INST, A.consumer]
    def produce():
        common.run_uxdp(A.uxdp, A.obj, INST, PCAP)
    out = {}
    for mode, extra in MODES.items():
        out[mode] = run_side("uxdp " + mode, wrap + ["consume", eid, str(TOTAL)] + extra,
                             produce)
    out["lost"] = run_lost("uxdp", wrap + ["lost", eid, "1"], produce)
    bad_input("uxdp", wrap + ["bad", eid])
    return out


def kernel_side():
    k, ids = common.kload(A.kload, A.bpf_obj, PCAP, 2)  # pb.bpf.c's maps
    if not ids:
        rc, msg = common.kload_gone(k, "kernel run")
        check(rc == 77, "kload failed: %s" % msg)
        return None

    def produce():
        common.kload_run(k, N)

    eid = str(ids["events"])
    out = {}
    try:
        for mode, extra in MODES.items():
            out[mode] = run_side("kernel " + mode, [A.consumer, "consume", eid, str(TOTAL)] +
                                 extra, produce)
        out["lost"] = run_lost("kernel", [A.consumer, "lost", eid, "1"], produce)
        bad_input("kernel", [A.consumer, "bad", eid])
    finally:
        k.stdin.close()
        k.wait()
    return out


# 4 pages: the ring wraps; 64 (libbpf-tools' usual): a ring of more than 16 pages.
MODES = {"poll": ["4"], "outer": ["64", "outer"]}
try:
    common.write_pcap(PCAP, PACKETS)
    ours = uxdp_side()
    common.delete_instance(A.uxdpctl, INST)
    theirs = kernel_side()
    if theirs is not None:
        for part in ours:
            if ours[part] is not None and theirs[part] is not None:
                compare("uxdp %s (kernel's expected)" % part, "\n".join(ours[part]) + "\n",
                        "\n".join(theirs[part]) + "\n")
finally:
    common.delete_instance(A.uxdpctl, INST)
common.conclude(INST)
