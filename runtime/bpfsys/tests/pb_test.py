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
import argparse
import difflib
import json
import os
import queue
import statistics
import struct
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
INST = "bpfsys-pb-%d" % os.getpid()
BATCHES = 12
os.makedirs(A.work, exist_ok=True)
PCAP = os.path.join(A.work, "pb.pcap")
PACKETS = [common.ipv4([198, 18, 0, 1 + i % 5], [198, 18, 1, 2], 17 if i % 2 else 6, i)
           for i in range(37)] + [b"\x02" * 14, b"\x03" * 20, b"\x04" * 60]
N = len(PACKETS)
TOTAL = (BATCHES - 1) * N
failures = []
# The kernel's answers where uxdp's differ (docs/control-plane.md).
DIFFERS = {"uxdp": ["differs: update with the cpu-clock event: EOPNOTSUPP",
                    "differs: update with a 512-page event: EINVAL",
                    "differs: delete after the event's close: ENOENT"],
           "kernel": ["differs: update with the cpu-clock event: ok",
                      "differs: update with a 512-page event: ok",
                      "differs: delete after the event's close: ok"]}


def check(ok, what):
    if not ok:
        failures.append(what)
    return ok


def write_pcap():
    with open(PCAP, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(PACKETS):
            f.write(struct.pack("<IIII", 1000 + i, 0, len(p), len(p)) + p)


class Consumer:
    """A pb_consumer, its lines read by a thread."""

    def __init__(self, argv, stdin=None):
        self.p = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.q = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            self.q.put(line.rstrip("\n"))
        self.q.put(None)

    def lines(self, n, timeout, until=None):
        out, end = [], time.monotonic() + timeout
        while len(out) < n:
            try:
                line = self.q.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            out.append(line)
            if until and line.startswith(until):
                break
        return out

    def finish(self):
        rest = self.lines(1, 10)
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        return rest, self.p.returncode, self.p.stderr.read()


def samples(lines):
    return [ln for ln in lines if ln.startswith("cpu=")]


def run_side(name, argv, produce):
    c = Consumer(argv)
    if not check(c.lines(1, 20) == ["ready"], "%s: consumer did not start" % name):
        rest, rc, err = c.finish()
        failures.append("%s: %r exit %s: %s" % (name, rest, rc, err))
        return None
    records, delays = [], []
    for b in range(1, BATCHES):
        time.sleep(0.05)  # the consumer is back in epoll_wait
        produce()
        t0 = time.monotonic()
        got = c.lines(N, 25)
        delays.append(time.monotonic() - t0)
        records += got
        if not check(len(samples(got)) == N, "%s: batch %d: %d of %d records: %r" %
                     (name, b, len(samples(got)), N, got[-3:])):
            break
    check(max(delays) < 5, "%s: a batch took %.1f s to reach the consumer (poll timeout 30 s)"
          % (name, max(delays)))
    rest, rc, err = c.finish()
    check(rc == 0, "%s: consumer exit %s: %s" % (name, rc, err))
    check(rest == ["left after %d records: 0" % TOTAL], "%s: after the records: %r" %
          (name, rest))
    print("%s: %d records in %d batches; last record of a batch read %.1f ms (median), "
          "%.1f ms (max) after the batch was produced; %s" %
          (name, len(records), BATCHES - 1, 1000 * statistics.median(delays),
           1000 * max(delays), err.strip()))
    seqs = [int(r.split()[2][4:]) for r in samples(records)]
    check(seqs and seqs == list(range(seqs[0], seqs[0] + TOTAL)),
          "%s: records out of order or lost: %r" % (name, seqs[:50]))
    return records


def run_lost(name, argv, produce):
    """A 1-page buffer: 3 batches, consume, 1 batch, consume."""
    c = Consumer(argv, stdin=subprocess.PIPE)
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


def compare(name, got, want):
    if got != want:
        failures.append("%s differs:\n%s" % (name, "".join(difflib.unified_diff(
            want.splitlines(True), got.splitlines(True), "expected", name))))


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
    maps = json.loads(subprocess.run([A.uxdpctl, "--instance", INST, "-j", "map", "list"],
                                     capture_output=True, text=True, check=True).stdout)
    eid = str({m["name"]: m["id"] for m in maps}["events"])
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
    k = subprocess.Popen([A.kload, A.bpf_obj, PCAP], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ids = {}
    for _ in range(2):  # pb.bpf.c's maps
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
        check(k.stdout.readline() == "ran %d\n" % N, "kernel: a batch failed")

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
    write_pcap()
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
if common.leftovers(INST):
    failures.append("leftovers %r" % common.leftovers(INST))
for f in failures:
    print("FAIL:", f)
print("%d passed, %d failed" % (0 if failures else 1, len(failures)))
sys.exit(1 if failures else 0)
