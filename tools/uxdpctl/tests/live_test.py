#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""uxdpctl against a real uxdp run of live.bpf.c (compiled by uxdpc).

usage: live_test.py live|ringbuf UXDPCTL UXDP LIVE.AOT.O WORKDIR

live:    uxdp --instance loops over a capture while uxdpctl adds and then
         removes a blocklist entry; the shared counters must show drops
         start and stop.  SIGINT must end the run with final counters.
ringbuf: a finished run's drop events are read back with `ringbuf read`.
"""
import json
import os
import signal
import struct
import subprocess
import sys
import time

mode, ctl, uxdp, obj, work = sys.argv[1:6]
INST = "ctl%s-%d" % (mode, os.getpid())
os.makedirs(work, exist_ok=True)
pcap = os.path.join(work, "in.pcap")


def ipv4(src, dst):
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 28, 0, 0, 64, 17, 0, bytes(src), bytes(dst))
    udp = struct.pack(">HHHH", 1000, 2000, 8, 0)
    return bytes(range(1, 7)) + bytes(range(0x11, 0x17)) + b"\x08\x00" + ip + udp


with open(pcap, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, p in enumerate([ipv4([198, 18, 0, 1], [10, 0, 0, 1]),
                           ipv4([10, 0, 0, 2], [10, 0, 0, 1])]):
        f.write(struct.pack("<IIII", 1000 + i, 0, len(p), len(p)) + p)


def ctl_run(*args, check=True):
    r = subprocess.run([ctl, "--instance", INST] + list(args), capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError("uxdpctl %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr))
    return r.stdout


def stats():
    s = json.loads(ctl_run("-j", "stats"))
    return s, s["verdicts"]["XDP_DROP"]["packets"], s["verdicts"]["XDP_PASS"]["packets"]


def wait_for(what, cond, timeout=20.0):
    end = time.time() + timeout
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


def leftovers():
    return [n for n in os.listdir("/dev/shm")
            if n.startswith("uxdp.%s." % INST) or n in ("uxdp.%s" % INST, "uxdp-stats." + INST)]


EV = "c6 12 00 01 %02x 00 00 00"  # saddr 198.18.0.1 (network order), tag (u32)
env = dict(os.environ, AOT_OBJECT=obj)
proc = None
try:
    if mode == "live":
        log = open(os.path.join(work, "uxdp.out"), "w+")
        proc = subprocess.Popen([uxdp, "--instance", INST, "--pcap", pcap, "--repeat",
                                 "1000000000000", "--stats"], env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        wait_for("the shared counters", lambda: os.path.exists("/dev/shm/uxdp-stats." + INST))
        wait_for("packets to flow", lambda: stats()[2] > 10000)
        s, drop, _ = stats()
        assert s["running"] and drop == 0, s

        ctl_run("map", "update", "blocklist", "key", "ipv4", "198.18.0.1", "value", "u32", "7")
        wait_for("drops after the update", lambda: stats()[1] > 1000)
        _, d1, p1 = stats()
        time.sleep(0.2)
        _, d2, p2 = stats()
        assert d2 > d1 and p2 > p1, (d1, d2, p1, p2)  # one source dropped, the other passes

        assert ctl_run("map", "delete", "blocklist", "key", "ipv4", "198.18.0.1") == ""
        time.sleep(0.1)  # the packet in flight at the delete may still drop
        _, d1, p1 = stats()
        wait_for("packets after the delete", lambda: stats()[2] > p1 + 10000)
        _, d2, p2 = stats()
        assert d2 == d1, ("drops went on after the delete", d1, d2)
        # Events were written while the entry was there (the ring keeps the first ones).
        first = ctl_run("ringbuf", "read", "events", "--count", "2", "--timeout", "2000")
        assert first == (EV % 7 + "\n") * 2, first

        proc.send_signal(signal.SIGINT)
        rc = proc.wait(timeout=20)
        log.seek(0)
        out = log.read()
        assert rc == 0, (rc, out)
        final = out[out.rindex("verdict "):].splitlines()
        rows = {l.split()[0]: int(l.split()[1]) for l in final[1:]}
        s, drop, passed = stats()
        assert not s["running"], s
        assert rows["XDP_DROP"] == drop == d2 and rows["XDP_PASS"] == passed, (rows, s)
        assert rows["total"] == s["packets"] > 0, (rows, s)
        proc = None
    else:
        r = subprocess.run([uxdp, "--instance", INST, "--pcap", pcap], env=env,
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        ctl_run("map", "update", "blocklist", "key", "hex", "c6", "12", "00", "01", "value",
                "u32", "5", "noexist")
        r = subprocess.run([uxdp, "--instance", INST, "--pcap", pcap, "--repeat", "3"], env=env,
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        rows = {l.split()[0]: int(l.split()[1]) for l in r.stdout.splitlines()[1:]}
        assert rows["XDP_DROP"] == 3 and rows["XDP_PASS"] == 3, r.stdout
        s, drop, passed = stats()
        assert not s["running"] and drop == 3 and passed == 3, s
        assert ctl_run("ringbuf", "read", "events") == (EV % 5 + "\n") * 3
        assert ctl_run("-j", "ringbuf", "read", "events") == ""
        # The maps outlive the run: a dump shows the entry, formatted by its
        # BTF (__u32 key and value) as bpftool prints it.
        assert ctl_run("map", "dump", "blocklist") == \
            '[{\n        "key": %d,\n        "value": 5\n    }\n]\n' % 0x010012c6
finally:
    if proc:
        proc.kill()
        proc.wait()
    subprocess.run([ctl, "instance", "delete", INST], capture_output=True)
assert not leftovers(), leftovers()
print("ok")
