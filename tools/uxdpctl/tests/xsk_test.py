#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""XDP_REDIRECT to an xskmap and a cpumap through the pcap driver (xsk.bpf.c).

A first run over an empty capture creates the maps; uxdpctl then binds
xskmap slot 0 (value 1), puts an unbound socket in slot 2 (value 0), leaves
slot 1 empty and fills cpumap entry 0.  The second run must leave exactly
the slot-0 frames in slot 0's ring (read back with `uxdpctl xsk read`, plain,
JSON and --pcap), the cpumap frames in --pass-out with the passed ones, the
bpf_redirect frame in --out, and count every redirect as XDP_REDIRECT.  A
long run then overflows the ring: it keeps UXDP_XSK_RING_SLOTS frames and
counts the rest as dropped.

usage: xsk_test.py UXDPCTL UXDP OBJECT WORKDIR
"""
import json
import os
import struct
import subprocess
import sys

ctl, uxdp, obj, work = sys.argv[1:5]
INST = "ctlxsk-%d" % os.getpid()
RING_SLOTS = 256
os.makedirs(work, exist_ok=True)
env = dict(os.environ, AOT_OBJECT=obj)


def frame(tag, n):
    """Ethernet header, then the tag byte the program switches on, then filler."""
    return bytes(range(1, 7)) + bytes(range(0x11, 0x17)) + b"\x08\x00" + \
        bytes([tag, 0x40 + n]) + bytes((n * 7 + i) & 0xff for i in range(30 + n))


def write_pcap(path, pkts):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(pkts):
            f.write(struct.pack("<IIII", 2000 + i, 10 * i, len(p), len(p)) + p)


def read_pcap(path):
    with open(path, "rb") as f:
        b = f.read()
    assert struct.unpack("<I", b[:4])[0] == 0xA1B2C3D4, path
    out, off = [], 24
    while off < len(b):
        sec, usec, caplen, length = struct.unpack("<IIII", b[off:off + 16])
        out.append(((sec, usec), b[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return out


def ctl_run(*args, rc=0):
    r = subprocess.run([ctl, "--instance", INST] + list(args), capture_output=True, text=True)
    if r.returncode != rc:
        raise AssertionError("uxdpctl %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr))
    return r


def uxdp_run(pcap, *extra):
    r = subprocess.run([uxdp, "--instance", INST, "--pcap", pcap] + list(extra), env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return {l.split()[0]: int(l.split()[1]) for l in r.stdout.splitlines()[1:]}


def leftovers():
    return [n for n in os.listdir("/dev/shm")
            if n.startswith("uxdp.%s." % INST) or n.startswith("uxdp-xsk.%s." % INST) or
            n in ("uxdp.%s" % INST, "uxdp-stats." + INST)]


def marked(p):
    return p[:15] + b"\xee" + p[16:]


tags = [0, 1, 2, 3, 4, 5, 0, 3, 2, 0]
pkts = [frame(t, i) for i, t in enumerate(tags)]
empty, inp = os.path.join(work, "empty.pcap"), os.path.join(work, "in.pcap")
out, passed, xsk = (os.path.join(work, n) for n in ("out.pcap", "pass.pcap", "xsk.pcap"))
write_pcap(empty, [])
write_pcap(inp, pkts)
try:
    uxdp_run(empty)
    ctl_run("map", "update", "xsks", "key", "u32", "0", "value", "u32", "1")
    ctl_run("map", "update", "xsks", "key", "u32", "2", "value", "u32", "0")
    ctl_run("map", "update", "cpus", "key", "u32", "0", "value", "u32", "192", "u32", "0")

    rows = uxdp_run(inp, "--out", out, "--pass-out", passed)
    # slot 1 is empty: its fallback XDP_DROP; slot 2 holds an unbound socket: redirected, dropped
    assert rows["XDP_REDIRECT"] == 8 and rows["XDP_DROP"] == 1 and rows["XDP_PASS"] == 1, rows
    s = json.loads(ctl_run("-j", "stats").stdout)["verdicts"]
    assert s["XDP_REDIRECT"]["packets"] == 8, s

    want = [marked(pkts[i]) for i, t in enumerate(tags) if t == 0]
    got = ctl_run("xsk", "read", "xsks", "0", "--count", "1").stdout
    assert got == " ".join("%02x" % b for b in want[0]) + "\n", got
    got = [json.loads(l) for l in ctl_run("-j", "xsk", "read", "xsks", "0").stdout.splitlines()]
    assert [bytes(int(x, 16) for x in g["data"]) for g in got] == want[1:], got
    assert [g["index"] for g in got] == [0, 0] and got[0]["ts_ns"] == 2006 * 10**9 + 60000, got
    assert ctl_run("xsk", "read", "xsks", "0").stdout == "", "ring not consumed"
    for slot in ("1", "2", "3"):
        assert ctl_run("xsk", "read", "xsks", slot).stdout == "", slot
    assert not [n for n in os.listdir("/dev/shm")
                if n.startswith("uxdp-xsk.%s.xsks." % INST) and not n.endswith(".0")]

    assert [p for _, p in read_pcap(passed)] == \
        [pkts[i] for i, t in enumerate(tags) if t in (3, 4)], "pass-out"
    assert [p for _, p in read_pcap(out)] == [pkts[5]], "out"

    # --pcap: the frames with their capture timestamps
    uxdp_run(inp)
    ctl_run("xsk", "read", "xsks", "0", "--pcap", xsk)
    assert read_pcap(xsk) == [((2000 + i, 10 * i), marked(pkts[i]))
                              for i, t in enumerate(tags) if t == 0], read_pcap(xsk)

    # Bounded: 3 frames a run, nobody reading; the ring keeps the first RING_SLOTS.
    runs = RING_SLOTS // 3 + 10
    rows = uxdp_run(inp, "--repeat", str(runs))
    assert rows["XDP_REDIRECT"] == 8 * runs, rows
    r = ctl_run("xsk", "read", "xsks", "0")
    assert len(r.stdout.splitlines()) == RING_SLOTS, len(r.stdout.splitlines())
    assert "dropped %d frames" % (3 * runs - RING_SLOTS) in r.stderr, r.stderr

    # errors
    ctl_run("xsk", "read", "cpus", "0", rc=1)
    ctl_run("xsk", "read", "xsks", "4", rc=1)
    ctl_run("xsk", "read", "xsks", rc=2)
    ctl_run("xsk", "read", "xsks", "0", "--bogus", rc=2)
finally:
    subprocess.run([ctl, "instance", "delete", INST], capture_output=True)
assert not leftovers(), leftovers()
print("ok")
