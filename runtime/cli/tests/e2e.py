#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end test of the uxdp command with the pcap driver.

usage: e2e.py UXDP OBJECT WORKDIR

Writes an input capture, runs uxdp over it (twice through --repeat), and
checks the verdict table and both output captures byte for byte.
"""
import os
import struct
import subprocess
import sys

uxdp, obj, work = sys.argv[1:4]

# The pids of the runs this test starts: their private instances
# (uxdp.private-PID-START) must be gone when they exit.  Other tests run in
# parallel and have their own.
our_pids = []
_popen_init = subprocess.Popen.__init__


def _recording_init(self, *a, **kw):
    _popen_init(self, *a, **kw)
    our_pids.append(self.pid)


subprocess.Popen.__init__ = _recording_init
os.makedirs(work, exist_ok=True)
inp, out, passed = (os.path.join(work, n) for n in ("in.pcap", "out.pcap", "pass.pcap"))

MAC_A, MAC_B = bytes(range(1, 7)), bytes(range(0x11, 0x17))


def eth(proto, payload):
    return MAC_A + MAC_B + struct.pack(">H", proto) + payload


packets = [
    eth(0x0800, bytes([0x45, 0]) + bytes(46)),     # IPv4 -> TX
    eth(0x86DD, bytes([0x60]) + bytes(39)),       # IPv6 -> PASS, Ethernet stripped
    eth(0x0806, bytes(28)),                        # ARP -> invalid action -> ABORTED
    bytes(10),                                     # runt -> never run (the kernel never runs one)
    eth(0x0800, bytes([0x45, 0]) + bytes(1400)),   # IPv4 -> TX
    eth(0x88CC, bytes(30)),                        # LLDP -> PASS unchanged
]


def write_pcap(path, pkts):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(pkts):
            f.write(struct.pack("<IIII", 1000 + i, i, len(p), len(p)) + p)


def read_pcap(path):
    data = open(path, "rb").read()
    assert struct.unpack("<I", data[:4])[0] == 0xA1B2C3D4, path
    pos, pkts = 24, []
    while pos < len(data):
        sec, usec, cap, length = struct.unpack("<IIII", data[pos:pos + 16])
        pkts.append(((sec, usec), data[pos + 16:pos + 16 + cap]))
        pos += 16 + cap
    return pkts


write_pcap(inp, packets)
# A hand-built object records no confinement: refused unless trusted.
r = subprocess.run([uxdp, "--object", obj, "--pcap", inp], capture_output=True, text=True)
assert r.returncode == 1 and r.stderr.count("\n") == 1, r
assert "e2e_prog is not confined" in r.stderr and "--trust-unverified" in r.stderr, r
res = subprocess.run([uxdp, "--trust-unverified", "--pcap", inp, "--out", out, "--pass-out",
                      passed, "--repeat", "2"],
                     env=dict(os.environ, AOT_OBJECT=obj), capture_output=True, text=True)
print(res.stdout, res.stderr)
assert res.returncode == 0, res.returncode

rows = {l.split()[0]: tuple(map(int, l.split()[1:3])) for l in res.stdout.splitlines()[1:]}
L = [len(p) for p in packets]
want = {
    "XDP_ABORTED": (2, 2 * L[2]),
    "XDP_DROP": (0, 0),
    "XDP_PASS": (4, 2 * (L[1] + L[5])),
    "XDP_TX": (4, 2 * (L[0] + L[4])),
    "XDP_REDIRECT": (0, 0),
    "total": (10, 2 * (sum(L) - L[3])),
}
assert rows == want, (rows, want)
assert "uxdp: 1 runt frames" in res.stderr, res.stderr


def tx(p, n):
    p = bytearray(p)
    p[0:6], p[6:12] = p[6:12], p[0:6]
    p[15] = n
    return bytes(p)


want_out = [((1000, 0), tx(packets[0], 101)), ((1004, 4), tx(packets[4], 102)),
            ((1000, 0), tx(packets[0], 103)), ((1004, 4), tx(packets[4], 104))]
assert read_pcap(out) == want_out, read_pcap(out)
want_pass = [((1001, 1), packets[1][14:]), ((1005, 5), packets[5])] * 2
assert read_pcap(passed) == want_pass, read_pcap(passed)

# A capture cut inside its last record: the complete ones run, then a warning.
cut = os.path.join(work, "cut.pcap")
data = open(inp, "rb").read()
open(cut, "wb").write(data[:-5])
r = subprocess.run([uxdp, "--trust-unverified", "--pcap", cut], env=dict(os.environ, AOT_OBJECT=obj),
                   capture_output=True, text=True)
assert r.returncode == 0 and "uxdp: warning:" in r.stderr and "cut short" in r.stderr, r
rows = {l.split()[0]: int(l.split()[1]) for l in r.stdout.splitlines()[1:]}
assert rows["total"] == 4, rows  # six records, one a runt, the last one cut

# A capture of another link type (raw IP) is refused with one line.
raw = os.path.join(work, "raw.pcap")
open(raw, "wb").write(data[:20] + struct.pack("<I", 101) + data[24:])
r = subprocess.run([uxdp, "--trust-unverified", "--pcap", raw], env=dict(os.environ, AOT_OBJECT=obj),
                   capture_output=True, text=True)
assert r.returncode == 1 and r.stderr.count("\n") == 1 and "is not Ethernet" in r.stderr, r

# Errors: exit 2 on usage, 1 on a bad object, each with one line.
r = subprocess.run([uxdp, "--pcap", inp], env={}, capture_output=True, text=True)
assert r.returncode == 2 and "AOT_OBJECT" in r.stderr, r
r = subprocess.run([uxdp, "--object", inp, "--pcap", inp], capture_output=True, text=True)
assert r.returncode == 1 and r.stderr.count("\n") == 1 and "ELF" in r.stderr, r
r = subprocess.run([uxdp, "--trust-unverified", "--object", obj, "--pcap", inp, "-p", "nope"],
                   capture_output=True,
                   text=True)
assert r.returncode == 1 and "e2e_prog" in r.stderr, r
# The private map instance is gone after exit.
assert our_pids
left = [f for f in os.listdir("/dev/shm") for p in our_pids if f.startswith("uxdp.private-%d-" % p)]
assert not left, left
print("ok")
