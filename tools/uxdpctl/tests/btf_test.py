#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""uxdpctl formats map entries by BTF as bpftool does.

The same object goes into the kernel (bpftool prog loadall, in a private
mount namespace with a bpffs of its own, so nothing is left pinned) and,
compiled by uxdpc, into a uxdp instance (uxdp --pcap --instance); the same
entries go into both maps (bpftool map update, uxdpctl map update), and
`uxdpctl -j map dump` must equal `bpftool -j map dump` (keys, values and
"formatted"), and the plain outputs of dump and lookup must be the same text.

usage: btf_test.py UXDPCTL UXDP BPF_OBJECT AOT_OBJECT WORKDIR
Exit 77 (skip) without root or bpftool.
"""
import json
import os
import random
import shutil
import struct
import subprocess
import sys

SKIP = 77

if len(sys.argv) > 1 and sys.argv[1] == "--inner":
    inner = True
    del sys.argv[1]
else:
    inner = False
ctl, uxdp, bpf_obj, aot_obj, work = sys.argv[1:6]

if not inner:
    if os.geteuid() != 0 or not shutil.which("bpftool") or not shutil.which("unshare"):
        print("SKIP: needs root, bpftool and unshare")
        sys.exit(SKIP)
    # A mount namespace of our own: the bpffs and its pins vanish with us.
    r = subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable,
                        sys.argv[0], "--inner"] + sys.argv[1:])
    sys.exit(r.returncode)

INST = "ctlbtf-%d" % os.getpid()
PIN = "/sys/fs/bpf/uxdpctl-btf-%d" % os.getpid()
os.makedirs(work, exist_ok=True)
failures = []


def run(cmd, rc=0):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != rc:
        raise RuntimeError("%s: exit %d\n%s%s" % (" ".join(cmd), r.returncode, r.stdout,
                                                   r.stderr))
    return r.stdout


def ctl_(*args, rc=0):
    return run([ctl, "--instance", INST] + list(args), rc=rc)


def bpftool(*args):
    return run(["bpftool"] + list(args))


def hexwords(b):
    return ["0x%02x" % x for x in b]


def flow_key(saddr, daddr, sport, dport, proto):
    return struct.pack("<IIHHB3x", saddr, daddr, sport, dport, proto)


def flow_val(packets, delta, name, color, bits, ok, c, s8, pair, word, rng):
    # bits: the 4 bytes holding flag:1 level:3 neg:5 (and ok, c after them)
    v = struct.pack("<Qq8si", packets, delta, name, color)
    v += struct.pack("<H", bits) + bytes([ok, c & 0xff]) + struct.pack("<bxhh2x", s8, *pair)
    v += struct.pack("<I", word) + struct.pack("<HH", *rng)
    assert len(v) == 48, len(v)
    return v


FLOWS = [
    (flow_key(0x0a000001, 0x0a000002, 53, 80, 6),
     flow_val(5, -2, b"hi", 5, 0x1b, 1, 0x41, -3, (252, -257), 0x64636261, (1, 2))),
    (flow_key(0xc6120001, 0xc6120002, 1, 65535, 17),
     flow_val(2**64 - 1, -2**63, b"\x01\x02", 77, 0x1ff, 0, 0x7, 127, (-1, 0), 0, (0, 65535))),
    (flow_key(0, 0, 0, 0, 0),
     flow_val(0, 0, b"abcdefgh", 0, 0, 1, 0x22, 0, (0, 0), 0x00ff00ff, (7, 7))),
]
COUNTERS = [(struct.pack("<I", i), struct.pack("<Q", v))
            for i, v in enumerate([0, 7, 2**64 - 1, 1 << 40])]


# Per-CPU: the kernel has a value per possible CPU, a uxdp --pcap run one
# (its one worker).  One value goes to every CPU (bpftool's update, and
# uxdpctl's), so the kernel's first CPUs must equal uxdp's.
TAGS = [(struct.pack("<I", 1), b"xyz"), (struct.pack("<I", 9), b"a\0\0"),
        (struct.pack("<I", 3), b"\x01b\0")]


def first_cpus(kernel, ours):
    """The kernel's entry cut to the CPUs uxdp has."""
    if "values" not in kernel or "values" not in ours:
        return kernel
    n = len(ours["values"])
    k = dict(kernel, values=kernel["values"][:n])
    if "formatted" in k:
        k["formatted"] = dict(k["formatted"], values=k["formatted"]["values"][:n])
    return k


MAPS = [("flows", FLOWS), ("counters", COUNTERS), ("tags", TAGS)]


def fields(b):
    return [str(x) for x in b]


def by_key(dump):
    return sorted(dump, key=lambda e: e["key"])


pcap = os.path.join(work, "in.pcap")
with open(pcap, "wb") as f:
    pkt = bytes(range(1, 7)) + bytes(range(0x11, 0x17)) + b"\x08\x00" + bytes(46)
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    f.write(struct.pack("<IIII", 1, 0, len(pkt), len(pkt)) + pkt)

try:
    # The kernel side.
    run(["mount", "-t", "bpf", "bpf", "/sys/fs/bpf"])
    os.makedirs(PIN)
    bpftool("prog", "loadall", bpf_obj, PIN + "/p", "pinmaps", PIN + "/m")
    # The uxdp side: a finished run that keeps its maps.
    env = dict(os.environ, AOT_OBJECT=aot_obj)
    r = subprocess.run([uxdp, "--instance", INST, "--pcap", pcap], env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    for name, entries in MAPS:
        for k, v in entries:
            bpftool("map", "update", "pinned", "%s/m/%s" % (PIN, name), "key", *fields(k),
                    "value", *fields(v))
            ctl_("map", "update", name, "key", *fields(k), "value", *fields(v))

    for name, entries in MAPS:
        want = json.loads(bpftool("-j", "map", "dump", "pinned", "%s/m/%s" % (PIN, name)))
        have = json.loads(ctl_("-j", "map", "dump", name))
        n = len(entries)
        if len(want) != n or any("formatted" not in e for e in want):
            failures.append("bpftool's %s dump is not what the test expects: %r" % (name, want))
        if name == "tags":
            want = [first_cpus(w, h) for w, h in zip(by_key(want), by_key(have))]
        if by_key(have) != by_key(want):
            failures.append("-j map dump %s:\n uxdpctl %r\n bpftool %r" % (name, have, want))
        # Plain text, entry by entry (hash order differs between the two).
        for k, _ in entries:
            w = bpftool("map", "lookup", "pinned", "%s/m/%s" % (PIN, name), "key", *fields(k))
            h = ctl_("map", "lookup", name, "key", *fields(k))
            if h != w and name != "tags":  # per-CPU: other CPU counts, text differs
                failures.append("map lookup %s %s:\n%s\nbpftool:\n%s" % (name, k.hex(), h, w))
            w = json.loads(bpftool("-j", "map", "lookup", "pinned", "%s/m/%s" % (PIN, name),
                                   "key", *fields(k)))
            h = json.loads(ctl_("map", "lookup", name, "key", *fields(k), "-j"))
            if name == "tags":
                w = first_cpus(w, h)
            if h != w:
                failures.append("-j map lookup %s %s:\n %r\n %r" % (name, k.hex(), h, w))
    # Global data: the kernel's maps are "<object>.<section>", pinned with
    # the dot as '_'; the program wrote .bss in the uxdp run, so set it in both.
    bss = [str(x) for x in struct.pack("<I", 0x01020304)]
    bpftool("map", "update", "pinned", PIN + "/m/btf_bss", "key", "0", "0", "0", "0",
            "value", *bss)
    ctl_("map", "update", ".bss", "key", "u32", "0", "value", *bss)
    for sec in ("bss", "data", "rodata"):
        want = json.loads(bpftool("-j", "map", "dump", "pinned", PIN + "/m/btf_" + sec))
        have = json.loads(ctl_("-j", "map", "dump", "." + sec))
        if len(want) != 1 or "formatted" not in want[0] or have != want:
            failures.append("-j map dump .%s:\n %r\n %r" % (sec, have, want))
        w = bpftool("map", "dump", "pinned", PIN + "/m/btf_" + sec)
        h = ctl_("map", "dump", "." + sec)
        if h != w:
            failures.append("map dump .%s:\n%s\nbpftool:\n%s" % (sec, h, w))

    # The array's order is its index: the whole plain dump is the same text.
    w = bpftool("map", "dump", "pinned", PIN + "/m/counters")
    h = ctl_("map", "dump", "counters")
    if h != w:
        failures.append("map dump counters:\n%s\nbpftool:\n%s" % (h, w))
    if '"value": 18446744073709551615' not in h:
        failures.append("plain dump lacks the u64 maximum: %s" % h)
    # Abbreviated, with options after the command: the same document.
    if json.loads(ctl_("m", "d", "flows", "-j")) != json.loads(ctl_("-j", "map", "dump", "flows")):
        failures.append("m d flows -j differs from -j map dump flows")
    # A hash dump holds every entry once, formatted.
    h = ctl_("map", "dump", "flows")
    if h.count('"key": {') != 3 or '"name": "abcdefgh"' in h or '"color": 77' not in h:
        failures.append("plain dump of flows:\n%s" % h)
    h = ctl_("map", "lookup", "tags", "key", "9", "0", "0", "0")
    if h != ('{\n    "key": 9,\n    "values": [{\n            "cpu": 0,\n            "value": {\n'
             '                "name": "a"\n            }\n        }\n    ]\n}\n'):
        failures.append("plain per-CPU lookup:\n%s" % h)

    # The BTF lives in the segment's header page: damaged, it must give hex
    # or an error, never a crash or a read past the key and value.
    seg = "/dev/shm/uxdp.%s.flows" % INST
    with open(seg, "r+b") as f:
        page = bytearray(f.read(4096))
        at = page.find(b"\x9f\xeb\x01")  # the BTF header's magic and version
        if at < 0:
            failures.append("no BTF blob in the header page of %s" % seg)
        else:
            rnd = random.Random(7)
            for trial in range(200):
                bad = bytearray(page)
                for _ in range(rnd.choice((1, 2, 8))):
                    bad[at + rnd.randrange(24, 400)] = rnd.randrange(256)
                f.seek(0)
                f.write(bad)
                f.flush()
                for args in (["-j", "map", "dump", "flows"], ["map", "dump", "flows"]):
                    r = subprocess.run([ctl, "--instance", INST] + args, capture_output=True)
                    if r.returncode not in (0, 1):
                        failures.append("damaged BTF, trial %d: %s exit %d" %
                                        (trial, " ".join(args), r.returncode))
            f.seek(0)
            f.write(page)
except (RuntimeError, AssertionError) as e:
    failures.append(str(e))
finally:
    subprocess.run([ctl, "instance", "delete", INST], capture_output=True)
    subprocess.run(["umount", "/sys/fs/bpf"], capture_output=True)

for f in failures:
    print("FAIL:", f)
print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
