# SPDX-License-Identifier: MIT
"""What the bpf() layer's tests share: a capture, a uxdp run that leaves an
instance with maps.bpf.c's maps, the same object in the kernel (kload), a
libbpf consumer fed batch by batch, failures and clean-up."""
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

# What went wrong, for check(), compare() and conclude().
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
    return ok


def compare(name, got, want):
    if got != want:
        failures.append("%s differs:\n%s" % (name, "".join(difflib.unified_diff(
            want.splitlines(True), got.splitlines(True), "expected", name))))


def ipv4(src, dst, proto=17, pad=0):
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 28 + pad, 0, 0, 64, proto, 0, bytes(src),
                     bytes(dst))
    udp = struct.pack(">HHHH", 1000, 2000, 8 + pad, 0)
    return bytes(range(1, 7)) + bytes(range(0x11, 0x17)) + b"\x08\x00" + ip + udp + \
        b"\0" * pad


PACKETS = [ipv4([198, 18, 0, 1], [198, 18, 0, 2]),
           ipv4([198, 18, 0, 3], [198, 18, 0, 2], 6, 10),
           ipv4([198, 18, 0, 1], [198, 18, 0, 2], 17, 20),
           bytes(range(1, 7)) + bytes(range(0x11, 0x17)) + b"\x86\xdd" + b"\0" * 40]


# The ring tests' capture (rb_test.py, pb_test.py): 40 packets of 14 to 78 bytes.
RING_PACKETS = [ipv4([198, 18, 0, 1 + i % 5], [198, 18, 1, 2], 17 if i % 2 else 6, i)
                for i in range(37)] + [b"\x02" * 14, b"\x03" * 20, b"\x04" * 60]


def ring_test_args():
    """The command line of the ring tests (rb_test.py, pb_test.py)."""
    ap = argparse.ArgumentParser()
    for a in ("uxdp", "uxdpctl", "run", "obj", "bpf-obj", "kload", "consumer", "expected",
              "work"):
        ap.add_argument("--" + a, required=True)
    return ap.parse_args()


def write_pcap(path, packets=PACKETS):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(packets):
            f.write(struct.pack("<IIII", 1000 + i, 0, len(p), len(p)) + p)


def run_uxdp(uxdp, obj, inst, pcap):
    """One pass over the capture; the instance's maps stay after the run."""
    r = subprocess.run([uxdp, "--instance", inst, "--pcap", pcap], capture_output=True,
                       text=True, env=dict(os.environ, AOT_OBJECT=obj))
    if r.returncode != 0:
        raise AssertionError("uxdp: %s" % r.stderr)


def map_ids(uxdpctl, inst):
    """The instance's maps' ids by name, as uxdpctl lists them."""
    maps = json.loads(subprocess.run([uxdpctl, "--instance", inst, "-j", "map", "list"],
                                     capture_output=True, text=True, check=True).stdout)
    return {m["name"]: m["id"] for m in maps}


def kload(path, bpf_obj, pcap, nmaps):
    """The object loaded in the kernel by kload, which runs the capture once
    per "run" line: the process and the ids of its first nmaps maps by
    name ({} when kload could not load it: see kload_gone())."""
    k = subprocess.Popen([path, bpf_obj, pcap], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ids = {}
    for _ in range(nmaps):
        line = k.stdout.readline()
        if not line:
            break
        name, kid = line.split()
        ids[name] = int(kid)
    return k, ids


def kload_gone(k, what):
    """kload gave no ids: its exit code (77: the kernel takes no BPF from
    us, a skip) and why, said as what is skipped."""
    k.stdin.close()
    rc = k.wait()
    msg = k.stderr.read().strip()
    print("%s skipped: kload exit %d: %s" % (what, rc, msg))
    return rc, msg


def kload_run(k, n):
    """One run of the capture (n packets) in the kernel."""
    k.stdin.write("run\n")
    k.stdin.flush()
    check(k.stdout.readline() == "ran %d\n" % n, "kernel: a batch failed")


class Consumer:
    """A libbpf consumer (pb_consumer, rb_consumer), its lines read by a thread."""

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

    def batches(self, name, batches, want, produce, count=len):
        """produce() each batch once the consumer has read the one before and
        gone back to sleep, so that every batch needs a wakeup; want(b)
        lines of batch b, count(lines) of them records.  The lines, and how
        long each batch took to reach the consumer."""
        records, delays = [], []
        for b in batches:
            time.sleep(0.05)  # the consumer is back in epoll_wait
            produce()
            t0 = time.monotonic()
            got = self.lines(want(b), 25)
            delays.append(time.monotonic() - t0)
            records += got
            if not check(count(got) == want(b), "%s: batch %d: %d of %d records: %r" %
                         (name, b, count(got), want(b), got[-3:])):
                break
        check(max(delays) < 5, "%s: a batch took %.1f s to reach the consumer (poll timeout "
              "30 s)" % (name, max(delays)))
        return records, delays

    def end(self, name, total, records, nbatches, delays):
        """The consumer's exit after total records, none left, and the figures."""
        rest, rc, err = self.finish()
        check(rc == 0, "%s: consumer exit %s: %s" % (name, rc, err))
        check(rest == ["left after %d records: 0" % total], "%s: after the records: %r" %
              (name, rest))
        print("%s: %d records in %d batches; last record of a batch read %.1f ms (median), "
              "%.1f ms (max) after the batch was produced; %s" %
              (name, len(records), nbatches, 1000 * statistics.median(delays),
               1000 * max(delays), err.strip()))


def conclude(inst):
    """Fail on the instance's leftovers; say the failures and exit."""
    if leftovers(inst):
        failures.append("leftovers %r" % leftovers(inst))
    for f in failures:
        print("FAIL:", f)
    print("%d passed, %d failed" % (0 if failures else 1, len(failures)))
    sys.exit(1 if failures else 0)


def delete_instance(uxdpctl, inst):
    subprocess.run([uxdpctl, "instance", "delete", inst], capture_output=True)


def leftovers(inst):
    return [n for n in os.listdir("/dev/shm")
            if n.startswith("uxdp.%s." % inst) or n in ("uxdp.%s" % inst,
                                                        "uxdp-stats." + inst)]


def by_key(entries):
    """A map dump (bpftool's or uxdpctl's JSON entries) in key order."""
    return sorted(entries or [], key=lambda e: e["key"])


def first_cpus(full, ours):
    """bpftool's per-CPU entries (a slot per possible CPU) cut to uxdpctl's
    (one per worker), "formatted" included."""
    out = []
    for f, o in zip(by_key(full), by_key(ours)):
        if "values" in f:
            n = len(o["values"])
            f = dict(f, values=f["values"][:n])
            if "formatted" in f:
                f["formatted"] = dict(f["formatted"], values=f["formatted"]["values"][:n])
        out.append(f)
    return out
