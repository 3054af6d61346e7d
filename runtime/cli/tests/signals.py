#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Signals and private instances of the uxdp command (pcap driver).

usage: signals.py UXDP SPIN_OBJECT WORKDIR

- SIGHUP, SIGQUIT, SIGTERM and SIGINT each end a long run with exit 0, the
  final counters printed and the private instance's segments gone.
- A program that never returns (spin) on SIGTERM: exit 1 about a second
  later, naming the program, segments gone.
- A program that polls the worker's stop flag (spin_polls): SIGTERM ends
  its loop, XDP_ABORTED counted, exit 0.
- A run killed with SIGKILL leaves its segments; the next run removes them,
  but never those of a run that is alive.
"""
import os
import signal
import struct
import subprocess
import sys
import time

uxdp, obj, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
normal, spinning = os.path.join(work, "normal.pcap"), os.path.join(work, "spin.pcap")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def write_pcap(path, pkts):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(pkts):
            f.write(struct.pack("<IIII", 1000 + i, i, len(p), len(p)) + p)


write_pcap(normal, [bytes([0]) + bytes(63)] * 8)
write_pcap(spinning, [bytes([0]) + bytes(63), bytes([0x11]) + bytes(63)])


def segments(pid):
    pre = "private-%d-" % pid
    return [f for f in os.listdir("/dev/shm")
            if f.startswith("uxdp." + pre) or f.startswith("uxdp-xsk." + pre)]


def start(prog, pcap, repeat):
    p = subprocess.Popen([uxdp, "--trust-unverified", "--object", obj, "-p", prog, "--pcap", pcap, "--repeat",
                          str(repeat)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(100):
        if segments(p.pid):
            return p
        if p.poll() is not None:
            break
        time.sleep(0.05)
    out, err = p.communicate()
    sys.exit("uxdp did not start: %s %s" % (out, err))


def finish(p, timeout=6):
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        check(False, "uxdp %d did not exit within %d s" % (p.pid, timeout))
    return p.returncode, out, err


def count(out, verdict):
    for line in out.splitlines():
        w = line.split()
        if w and w[0] == verdict:
            return int(w[1])
    return None


# Clean stops, with counters, for every signal that asks for one.
for sig in (signal.SIGHUP, signal.SIGQUIT, signal.SIGTERM, signal.SIGINT):
    p = start("spin", normal, 10 ** 12)
    time.sleep(0.3)
    p.send_signal(sig)
    rc, out, err = finish(p)
    name = signal.Signals(sig).name
    check(rc == 0, "%s: exit %s, stderr %r" % (name, rc, err))
    check((count(out, "XDP_DROP") or 0) > 0, "%s: no counters printed: %r" % (name, out))
    check(not segments(p.pid), "%s: segments left: %s" % (name, segments(p.pid)))

# A program that never returns: named, exit 1, within about a second.
p = start("spin", spinning, 1)
time.sleep(0.3)
t0 = time.monotonic()
p.send_signal(signal.SIGTERM)
rc, out, err = finish(p)
dt = time.monotonic() - t0
check(rc == 1, "stuck: exit %s (want 1), stderr %r" % (rc, err))
check("stuck in program spin " in err, "stuck: program not named: %r" % err)
check(0.9 <= dt <= 4, "stuck: exited %.2f s after SIGTERM" % dt)
check(count(out, "XDP_DROP") == 1, "stuck: counters so far not printed: %r" % out)
check(not segments(p.pid), "stuck: segments left: %s" % segments(p.pid))

# A program that polls the stop flag ends its packet with XDP_ABORTED.
p = start("spin_polls", spinning, 1)
time.sleep(0.3)
t0 = time.monotonic()
p.send_signal(signal.SIGINT)
rc, out, err = finish(p)
dt = time.monotonic() - t0
check(rc == 0, "polling: exit %s, stderr %r" % (rc, err))
check(count(out, "XDP_ABORTED") == 1, "polling: XDP_ABORTED not 1: %r" % out)
check(dt < 0.9, "polling: took %.2f s, as if the flag had not been seen" % dt)

# SIGKILL leaves segments; the next run reclaims them but keeps a live run's.
dead = start("spin", normal, 10 ** 12)
dead.kill()
dead.wait()
dead.stdout.close()
dead.stderr.close()
check(segments(dead.pid), "SIGKILL: no segments left to reclaim (test cannot tell)")
live = start("spin", normal, 10 ** 12)
r = subprocess.run([uxdp, "--trust-unverified", "--object", obj, "-p", "spin", "--pcap", normal], capture_output=True,
                   text=True)
check(r.returncode == 0, "reclaiming run: exit %s %r" % (r.returncode, r.stderr))
check(not segments(dead.pid), "dead run's segments not reclaimed: %s" % segments(dead.pid))
check(segments(live.pid), "a live run's segments were removed")
live.send_signal(signal.SIGTERM)
rc, out, err = finish(live)
check(rc == 0 and not segments(live.pid), "live run: exit %s, segments %s" % (rc, segments(live.pid)))

print("%d failed" % len(failures) if failures else "ok")
sys.exit(1 if failures else 0)
