#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A libbpf control plane, unmodified, on uxdp's maps and on the kernel's.

libbpf_test runs the same steps (good and bad inputs, one "step result"
line each) on uxdp's maps under uxdp-run and, when the kernel takes BPF, on
kernel maps of the same shapes.  Both runs must print expected_steps.txt,
which was made from the kernel (so the file stays the kernel's word).
"""
import argparse
import difflib
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

ap = argparse.ArgumentParser()
for a in ("uxdp", "uxdpctl", "run", "obj", "test", "expected", "work"):
    ap.add_argument("--" + a, required=True)
A = ap.parse_args()
INST = "bpfsys-lb-%d" % os.getpid()
os.makedirs(A.work, exist_ok=True)
pcap = os.path.join(A.work, "in.pcap")
expected = open(A.expected).read()
failures = []


def compare(what, r):
    if r.returncode != 0:
        failures.append("%s: exit %d: %s" % (what, r.returncode, r.stderr))
    if r.stdout != expected:
        failures.append("%s differs from %s:\n%s" % (what, A.expected, "".join(
            difflib.unified_diff(expected.splitlines(True), r.stdout.splitlines(True),
                                 "expected", what))))
    if r.stderr:
        failures.append("%s wrote to stderr: %r" % (what, r.stderr))


try:
    common.write_pcap(pcap)
    common.run_uxdp(A.uxdp, A.obj, INST, pcap)
    r = subprocess.run([A.run, "--instance", INST, A.test, "uxdp"], capture_output=True,
                       text=True)
    compare("uxdp", r)
    k = subprocess.run([A.test, "kernel"], capture_output=True, text=True)
    if k.returncode == 1 and "Operation not permitted" in k.stderr:
        print("kernel run skipped: %s" % k.stderr.strip())
    else:
        compare("kernel", k)
finally:
    common.delete_instance(A.uxdpctl, INST)
if common.leftovers(INST):
    failures.append("leftovers %r" % common.leftovers(INST))
steps = expected.count("\n")
for f in failures:
    print("FAIL:", f)
print("%d passed, %d failed" % (0 if failures else steps, len(failures)))
sys.exit(1 if failures else 0)
