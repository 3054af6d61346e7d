#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A map segment truncated under a running uxdp (by its owner): the data
plane stops with exit 1 and a message naming the segment, not a SIGBUS.

usage: truncate.py UXDP OBJECT WORKDIR
"""
import os
import struct
import subprocess
import sys
import time

uxdp, obj, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
inst = "trunc%d" % os.getpid()
pcap = os.path.join(work, "in.pcap")
with open(pcap, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i in range(8):
        p = bytes(12) + b"\x08\x00" + bytes(50)  # IPv4: the program counts it in its map
        f.write(struct.pack("<IIII", 1000 + i, i, len(p), len(p)) + p)


def maps():
    pre = "uxdp.%s." % inst
    return [f for f in os.listdir("/dev/shm") if f.startswith(pre)]


p = subprocess.Popen([uxdp, "--trust-unverified", "--object", obj, "--pcap", pcap, "--repeat", "100000000",
                      "--instance", inst], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                     text=True)
try:
    for _ in range(100):
        if maps() or p.poll() is not None:
            break
        time.sleep(0.05)
    segs = maps()
    assert segs, "uxdp did not create its maps: %s" % (p.communicate(),)
    time.sleep(0.3)
    for s in segs:
        os.truncate(os.path.join("/dev/shm", s), 0)
    out, err = p.communicate(timeout=10)
    assert p.returncode == 1, (p.returncode, err)
    assert "shrank under the running data plane" in err and segs[0] in err, err
    print("ok:", err.strip().splitlines()[-1])
finally:
    if p.poll() is None:
        p.kill()
    for f in os.listdir("/dev/shm"):
        if f.split(".")[:2] in (["uxdp", inst], ["uxdp-stats", inst], ["uxdp-run", inst]):
            os.unlink(os.path.join("/dev/shm", f))
