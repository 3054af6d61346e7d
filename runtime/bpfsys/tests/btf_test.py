#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bpftool under uxdp-run formats uxdp maps by their BTF, as it does kernel maps.

A uxdp run of fmt.bpf.c leaves maps whose keys and values have BTF (structs,
an enum, a string, bitfields, a union, a per-CPU map, .bss/.data/.rodata).
The bpf() layer loads each map's BTF into the kernel and reports its
btf_id, so `bpftool -j map dump` must give "formatted" for every entry and
equal `uxdpctl -j map dump` (keys, values and formatted); when the kernel
takes BPF, the same object runs in the kernel on the same packets, gets the
same updates, and bpftool's JSON and plain text for each kernel map must
equal its output for the uxdp map.  A map's BTF is loaded once per process
(again if the program closed its descriptor: btf_reload.c), and a blob the
kernel refuses leaves hex output (said under
UXDP_BPFSYS_DEBUG only).  Exit 77 (skip) when there is no bpftool or the
kernel refuses BTF (no root).
"""
import argparse
import json
import os
import random
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import by_key, first_cpus  # noqa: E402

ap = argparse.ArgumentParser()
for a in ("uxdp", "uxdpctl", "run", "bpftool", "obj", "bpf-obj", "kload", "reload", "work"):
    ap.add_argument("--" + a, required=True)
A = ap.parse_args()
if not A.bpftool or not os.path.exists(A.bpftool):
    print("no bpftool: skipped")
    sys.exit(77)
INST = "bpfbtf-%d" % os.getpid()
os.makedirs(A.work, exist_ok=True)
PCAP = os.path.join(A.work, "in.pcap")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def bt(*args, wrap=True, env=None):
    """bpftool ARGS, under uxdp-run unless wrap=False; must succeed quietly."""
    cmd = ([A.run, "--instance", INST] if wrap else []) + [A.bpftool] + list(args)
    r = subprocess.run(cmd, capture_output=True, text=True,
                       env=dict(os.environ, **(env or {})))
    if r.returncode:
        raise AssertionError("bpftool %s: exit %d: %s" % (" ".join(args), r.returncode,
                                                           r.stderr))
    return r


def btj(*args, wrap=True):
    return json.loads(bt("-j", *args, wrap=wrap).stdout)


def ctlj(*args):
    r = subprocess.run([A.uxdpctl, "--instance", INST, "-j"] + list(args),
                       capture_output=True, text=True)
    if r.returncode:
        raise AssertionError("uxdpctl %s: %s" % (" ".join(args), r.stderr))
    return json.loads(r.stdout)


def fields(b):
    return [str(x) for x in b]


def flow_key(saddr, daddr, proto):
    return struct.pack("<IIB3x", saddr, daddr, proto)


def flow_val(packets, name, color, bits, ok, pair, word, rng):
    # bits: the byte holding flag:1 and neg:5; ok is the next byte
    v = struct.pack("<Q8siBBhh2xIHH4x", packets, name, color, bits, ok, *pair, word, *rng)
    assert len(v) == 40, len(v)
    return v


# The program counts packets on key {1, 2, 17} (the first); the others are set here.
FLOWS = [
    (flow_key(1, 2, 17), None),
    (flow_key(0xc6120001, 0xc6120002, 6),
     flow_val(5, b"hi", 5, 0x1b, 1, (252, -257), 0x64636261, (1, 2))),
    (flow_key(0, 0, 0), flow_val(2**64 - 1, b"abcdefgh", 77, 0x3f, 2, (-1, 0), 7, (0, 65535))),
]
MAPS = ("fflows", "ftags", ".bss", ".data", ".rodata")


def kernel_name(name):
    """libbpf names global-data maps "<object>.<section>" (fmt.bpf.o: "fmt")."""
    return "fmt" + name if name.startswith(".") else name


def update_flows(mid, wrap):
    for k, v in FLOWS[1:]:
        bt("map", "update", "id", str(mid), "key", *fields(k), "value", *fields(v), wrap=wrap)


def compare_ctl(ids):
    """bpftool under uxdp-run against uxdpctl; the dumps, for the kernel's turn."""
    dumps = {}
    for name in MAPS:
        d = btj("map", "dump", "id", str(ids[name]))
        check(len(d) >= 1 and all("formatted" in e for e in d),
              "map %s: bpftool dump not formatted: %r" % (name, d))
        c = ctlj("map", "dump", name)
        check(first_cpus(d, c) == by_key(c), "map %s dump:\n bpftool %r\n uxdpctl %r" %
              (name, d, c))
        dumps[name] = d
    check(len(dumps["fflows"]) == 3, "fflows has %d entries" % len(dumps["fflows"]))
    plain = bt("map", "dump", "id", str(ids["fflows"])).stdout
    check('"color": 77' in plain and '"color": "BLUE"' in plain and '"name": "up"' in plain
          and '"name": "abcdefgh"' not in plain and '"packets": 4' in plain,
          "plain dump of fflows:\n%s" % plain)
    return dumps


def compare_kernel(ids, dumps):
    """The object in the kernel on the same packets, with the same updates."""
    k, kids = common.kload(A.kload, A.bpf_obj, PCAP, len(MAPS))
    try:
        if not kids:
            rc, msg = common.kload_gone(k, "kernel comparison")
            check(rc == 77, "kload failed: %s" % msg)
            return 0
        update_flows(kids["fflows"], wrap=False)
        for name in MAPS:
            kid = str(kids[kernel_name(name)])
            kd = btj("map", "dump", "id", kid, wrap=False)
            check(by_key(kd) == by_key(dumps[name]), "map %s -j dump:\n kernel %r\n uxdp %r" %
                  (name, kd, dumps[name]))
            if name == "fflows":  # hash order differs: entry by entry
                for key, _ in FLOWS:
                    kl = bt("map", "lookup", "id", kid, "key", *fields(key), wrap=False).stdout
                    ul = bt("map", "lookup", "id", str(ids[name]), "key", *fields(key)).stdout
                    check(kl == ul, "map %s lookup:\n kernel %s\n uxdp %s" % (name, kl, ul))
            else:
                kp = bt("map", "dump", "id", kid, wrap=False).stdout
                up = bt("map", "dump", "id", str(ids[name])).stdout
                check(kp == up, "map %s plain dump:\n kernel %s\n uxdp %s" % (name, kp, up))
        return len(MAPS)
    finally:
        if k.poll() is None:
            k.stdin.close()
            k.wait(timeout=20)


def btf_ids_in_one_process(mid):
    """btf_id of map mid, asked three times by one bpftool (batch mode)."""
    batch = os.path.join(A.work, "batch")
    with open(batch, "w") as f:
        f.write("map show id %d\n" % mid * 3)
    out = bt("-j", "batch", "file", batch).stdout
    return [m["output"].get("btf_id") for m in json.loads(out)]  # -j batch: one array


def unformatted(dump):
    return sorted((e["key"], e["value"]) for e in dump)


def damaged_blob(mid, good):
    """The BTF in the segment damaged: the magic (the kernel refuses it: hex,
    said under UXDP_BPFSYS_DEBUG only), then random bytes (hex or formatted,
    the bytes unchanged, never a crash: the kernel checks the blob, we the
    sizes its ids give)."""
    seg = "/dev/shm/uxdp.%s.fflows" % INST
    with open(seg, "r+b") as f:
        page = f.read(4096)
        at = page.find(b"\x9f\xeb\x01")
        if not check(at >= 0, "no BTF blob in the header page of %s" % seg):
            return
        f.seek(at)
        f.write(b"\x00")
        f.flush()
        try:
            r = bt("-j", "map", "dump", "id", str(mid))
            d = json.loads(r.stdout)
            check(len(d) == 3 and not any("formatted" in e for e in d) and not r.stderr,
                  "damaged BTF: %r, stderr %r" % (d, r.stderr))
            r = bt("map", "show", "id", str(mid), env={"UXDP_BPFSYS_DEBUG": "1"})
            check(r.stderr.count("uxdp-bpfsys: map fflows: no BTF") == 1 and
                  "BPF_BTF_LOAD" in r.stderr, "debug note: %r" % r.stderr)
            # A blob the kernel takes, but the value id names the key's type.
            ids_at = next((o for o in range(0, at, 64)
                           if struct.unpack_from("<I", page, o)[0] == at), None)
            if check(ids_at is not None, "no btf_off in the header of %s" % seg):
                bad = bytearray(page)
                bad[ids_at + 12:ids_at + 16] = bad[ids_at + 8:ids_at + 12]
                f.seek(0)
                f.write(bad)
                f.flush()
                r = bt("-j", "map", "dump", "id", str(mid), env={"UXDP_BPFSYS_DEBUG": "1"})
                d = json.loads(r.stdout)
                check(unformatted(d) == unformatted(good) and
                      not any("formatted" in e for e in d) and
                      "do not name types of the map's sizes" in r.stderr,
                      "value type id of the key's type: %r, stderr %r" % (d, r.stderr))
            rnd, formatted = random.Random(11), 0
            for trial in range(60):
                bad = bytearray(page)
                for _ in range(rnd.choice((1, 2, 4))):
                    bad[at + rnd.randrange(4, 24 + 300)] = rnd.randrange(256)
                f.seek(0)
                f.write(bad)
                f.flush()
                d = btj("map", "dump", "id", str(mid))
                check(unformatted(d) == unformatted(good), "damaged BTF, trial %d: %r" %
                      (trial, d))
                formatted += all("formatted" in e for e in d)
            print("damaged BTF: %d of 60 trials still formatted" % formatted)
        finally:
            f.seek(0)
            f.write(page)


def without_caps(mid, good):
    """No CAP_BPF (every capability dropped): the kernel refuses the BTF, hex."""
    if not shutil.which("setpriv"):
        print("no setpriv: the refused BPF_BTF_LOAD is not tested")
        return
    r = subprocess.run(["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--", A.run,
                        "--instance", INST, A.bpftool, "-j", "map", "dump", "id", str(mid)],
                       capture_output=True, text=True, env=dict(os.environ, UXDP_BPFSYS_DEBUG="1"))
    d = json.loads(r.stdout) if r.returncode == 0 else None
    check(d is not None and unformatted(d) == unformatted(good) and
          not any("formatted" in e for e in d) and
          r.stderr.count("BPF_BTF_LOAD: Operation not permitted") == 1,
          "without capabilities: exit %d, %r, stderr %r" % (r.returncode, d, r.stderr))


try:
    common.write_pcap(PCAP)
    common.run_uxdp(A.uxdp, A.obj, INST, PCAP)
    ids = {m["name"]: m["id"] for m in ctlj("map", "list")}
    check(all(n in ids for n in MAPS), "uxdpctl lists %r" % list(ids))
    shown = btj("map", "show", "id", str(ids["fflows"]))
    if not shown.get("btf_id"):
        r = bt("map", "show", "id", str(ids["fflows"]), env={"UXDP_BPFSYS_DEBUG": "1"})
        if "BPF_BTF_LOAD: Operation not permitted" in r.stderr:
            print("the kernel does not take BTF from us (no CAP_BPF): skipped: %s" % r.stderr)
            common.delete_instance(A.uxdpctl, INST)
            sys.exit(77)
        check(False, "no btf_id for fflows: %s" % r.stderr)
    update_flows(ids["fflows"], wrap=True)
    dumps = compare_ctl(ids)
    print("kernel comparison: %d maps" % compare_kernel(ids, dumps))
    seen = btf_ids_in_one_process(ids["fflows"])
    check(len(seen) == 3 and seen[0] and len(set(seen)) == 1,
          "btf_id in one process: %r (the BTF must be loaded once)" % seen)
    # A libbpf program that closes the layer's BTF descriptor (btf_reload.c).
    r = subprocess.run([A.run, "--instance", INST, A.reload, str(ids["fflows"])],
                       capture_output=True, text=True)
    check(r.returncode == 0 and r.stdout == "ok\n", "btf_reload: exit %d: %s%s" %
          (r.returncode, r.stdout, r.stderr))
    without_caps(ids["fflows"], dumps["fflows"])
    damaged_blob(ids["fflows"], dumps["fflows"])
except AssertionError as e:
    failures.append(str(e))
finally:
    common.delete_instance(A.uxdpctl, INST)
check(not common.leftovers(INST), "leftovers %r" % common.leftovers(INST))
for f in failures:
    print("FAIL:", f)
print("%d passed, %d failed" % (0 if failures else 1, 1 if failures else 0))
sys.exit(1 if failures else 0)
