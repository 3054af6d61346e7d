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
import argparse
import difflib
import json
import os
import queue
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

ap = argparse.ArgumentParser()
for a in ("uxdp", "uxdpctl", "run", "obj", "bpf-obj", "kload", "consumer", "expected",
          "work"):
    ap.add_argument("--" + a, required=True)
A = ap.parse_args()
INST = "bpfsys-rb-%d" % os.getpid()
BATCHES = 20
os.makedirs(A.work, exist_ok=True)
PCAP = os.path.join(A.work, "rb.pcap")
PACKETS = [common.ipv4([198, 18, 0, 1 + i % 5], [198, 18, 1, 2], 17 if i % 2 else 6, i)
           for i in range(37)] + [b"\x02" * 14, b"\x03" * 20, b"\x04" * 60]
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
    return ok


def write_pcap():
    import struct
    with open(PCAP, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(PACKETS):
            f.write(struct.pack("<IIII", 1000 + i, 0, len(p), len(p)) + p)


def kept(seq):
    """Whether rb.bpf.c submits the record of packet seq (else discards it)."""
    return seq % 3 == 0 or seq % 7 != 5


def batch_records(b):
    n = len(PACKETS)
    return sum(1 for s in range(b * n, (b + 1) * n) if kept(s))


TOTAL = sum(batch_records(b) for b in range(BATCHES))


class Consumer:
    """rb_consumer consume ID TOTAL, its lines read by a thread."""

    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        self.q = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            self.q.put(line.rstrip("\n"))
        self.q.put(None)

    def lines(self, n, timeout):
        out, end = [], time.monotonic() + timeout
        while len(out) < n:
            try:
                line = self.q.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            out.append(line)
        return out

    def finish(self):
        rest = self.lines(1, 10)
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        return rest, self.p.returncode, self.p.stderr.read()


def run_side(name, consumer_argv, produce):
    """Batch 0 is in the ring already; produce() runs one more batch."""
    c = Consumer(consumer_argv)
    if not check(c.lines(1, 20) == ["ready"], "%s: consumer did not start" % name):
        return None
    records, delays = c.lines(batch_records(0), 20), []
    for b in range(1, BATCHES):
        time.sleep(0.05)  # the consumer is back in epoll_wait
        produce()
        t0 = time.monotonic()
        got = c.lines(batch_records(b), 25)
        delays.append(time.monotonic() - t0)
        records += got
        if not check(len(got) == batch_records(b), "%s: batch %d: %d of %d records" %
                     (name, b, len(got), batch_records(b))):
            break
    check(max(delays) < 5, "%s: a batch took %.1f s to reach the consumer (poll timeout 30 s)"
          % (name, max(delays)))
    rest, rc, err = c.finish()
    check(rc == 0, "%s: consumer exit %s: %s" % (name, rc, err))
    check(rest == ["left after %d records: 0" % TOTAL], "%s: after the records: %r" %
          (name, rest))
    print("%s: %d records in %d batches; last record of a batch read %.1f ms (median), "
          "%.1f ms (max) after the batch was produced; %s" %
          (name, len(records), BATCHES, 1000 * statistics.median(delays),
           1000 * max(delays), err.strip()))
    seqs = [int(r.split()[0][4:]) for r in records if r.startswith("seq=")]
    check(seqs == [s for s in range(BATCHES * len(PACKETS)) if kept(s)],
          "%s: records out of order or lost: %r" % (name, seqs[:50]))
    return records


def compare(name, got, want):
    if got != want:
        failures.append("%s differs:\n%s" % (name, "".join(difflib.unified_diff(
            want.splitlines(True), got.splitlines(True), "expected", name))))


def uxdp_side(mode):
    common.run_uxdp(A.uxdp, A.obj, INST, PCAP)
    maps = json.loads(subprocess.run([A.uxdpctl, "--instance", INST, "-j", "map", "list"],
                                     capture_output=True, text=True, check=True).stdout)
    ids = {m["name"]: m["id"] for m in maps}
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
    k = subprocess.Popen([A.kload, A.bpf_obj, PCAP], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ids = {}
    for _ in range(4):  # rb.bpf.c's maps
        line = k.stdout.readline()
        if not line:
            break
        name, kid = line.split()
        ids[name] = int(kid)
    if not ids:
        k.stdin.close()
        rc = k.wait()
        msg = k.stderr.read().strip()
        print("kernel run skipped: kload exit %d: %s" % (rc, msg))
        check(rc == 77, "kload failed: %s" % msg)
        return None

    def produce():
        k.stdin.write("run\n")
        k.stdin.flush()
        check(k.stdout.readline() == "ran %d\n" % len(PACKETS), "kernel: a batch failed")

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
    write_pcap()
    for mode in MODES:
        ours = uxdp_side(mode)
        common.delete_instance(A.uxdpctl, INST)
        theirs = kernel_side(mode)
        if ours is not None and theirs is not None:
            compare("uxdp %s records (kernel's expected)" % mode, "\n".join(ours) + "\n",
                    "\n".join(theirs) + "\n")
finally:
    common.delete_instance(A.uxdpctl, INST)
if common.leftovers(INST):
    failures.append("leftovers %r" % common.leftovers(INST))
for f in failures:
    print("FAIL:", f)
print("%d passed, %d failed" % (0 if failures else 1, len(failures)))
sys.exit(1 if failures else 0)
