#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Debian's bpftool, unmodified, on uxdp's maps through uxdp-run.

A uxdp run of maps.bpf.c over a small capture leaves an instance with a map
of each kind.  bpftool under the wrapper must show and dump them as uxdpctl
does ("formatted" by the maps' BTF included), change them (update/delete
with their flags and errors), reach them by pinned path, and refuse what is
not served with one line.  When the kernel takes BPF (root), the same object
runs in the kernel on the same packets and bpftool's JSON for each kernel
map ("formatted" included) is compared field by field with its JSON for the
uxdp map.  Exit 77 (skip) when there is no bpftool.
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import by_key, first_cpus  # noqa: E402

ap = argparse.ArgumentParser()
for a in ("uxdp", "uxdpctl", "run", "bpftool", "obj", "bpf-obj", "kload", "work"):
    ap.add_argument("--" + a, required=True)
A = ap.parse_args()
if not A.bpftool or not os.path.exists(A.bpftool):
    print("no bpftool: skipped")
    sys.exit(77)
INST = "bpfsys-%d" % os.getpid()
os.makedirs(A.work, exist_ok=True)
PCAP = os.path.join(A.work, "in.pcap")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def bt(*args, rc=0, wrap=True, err=None):
    """bpftool ARGS (under uxdp-run unless wrap=False); JSON in, stdout out."""
    cmd = ([A.run, "--instance", INST] if wrap else []) + [A.bpftool] + list(args)
    r = subprocess.run(cmd, capture_output=True, text=True)
    name = " ".join(args)
    ok = rc is None or (r.returncode == 0 if rc == 0 else r.returncode != 0)
    check(ok, "bpftool %s: exit %d, stderr %r" % (name, r.returncode, r.stderr))
    if err is not None:
        check(err in r.stderr, "bpftool %s: stderr %r lacks %r" % (name, r.stderr, err))
    if rc == 0 and wrap:
        check("uxdp-bpfsys" not in r.stderr, "bpftool %s said %r" % (name, r.stderr))
    return r


def btj(*args, wrap=True):
    r = bt("-j", *args, wrap=wrap)
    return json.loads(r.stdout) if r.returncode == 0 and r.stdout.strip() else None


def ctl(*args, check_rc=True):
    r = subprocess.run([A.uxdpctl, "--instance", INST] + list(args), capture_output=True,
                       text=True)
    if check_rc and r.returncode:
        raise AssertionError("uxdpctl %s: %s" % (" ".join(args), r.stderr))
    return r


def ctlj(*args):
    return json.loads(ctl("-j", *args).stdout)


SHOWN = ("type", "flags", "bytes_key", "bytes_value", "max_entries")
ZERO = ["0x00"]


def norm_dump(entries, ncpus=None):
    """bpftool/uxdpctl dump JSON as sorted (key, values) pairs; per-CPU
    values padded with zeros to ncpus slots (uxdp has one per worker, the
    ABI one per possible CPU)."""
    out = []
    for e in entries or []:
        if "values" in e:
            vals = [v["value"] for v in sorted(e["values"], key=lambda v: v["cpu"])]
            if ncpus:
                width = len(vals[0]) if vals else 0
                vals += [ZERO * width] * (ncpus - len(vals))
            out.append((tuple(e["key"]), tuple(tuple(v) for v in vals)))
        else:
            out.append((tuple(e["key"]), tuple(e["value"])))
    return sorted(out)


def possible_cpus():
    n = 0
    for part in open("/sys/devices/system/cpu/possible").read().strip().split(","):
        a, _, b = part.partition("-")
        n += int(b or a) - int(a) + 1
    return n


def compare_kernel(ours, dumps, raw):
    """Load maps.bpf.o in the kernel, run it on the capture, compare."""
    k, ids = common.kload(A.kload, A.bpf_obj, PCAP, len(ours))
    try:
        if not ids:
            rc, msg = common.kload_gone(k, "kernel comparison")
            check(rc == 77, "kload failed: %s" % msg)
            return 0
        compared = 0
        for m in ours:
            kname = m["name"]
            kid = ids.get(kname)
            if not check(kid is not None, "kernel has no map %s (%s)" % (kname, ids)):
                continue
            ks = btj("map", "show", "id", str(kid), wrap=False)
            for f in SHOWN + ("name", "frozen"):
                check(ks.get(f) == m.get(f), "map %s: %s kernel %r, uxdp %r" %
                      (kname, f, ks.get(f), m.get(f)))
            if m["type"] == "ringbuf":
                pass
            elif m["type"] == "queue":
                kp = btj("map", "peek", "id", str(kid), wrap=False)
                check(kp == dumps[m["id"]], "queue peek: kernel %r uxdp %r" %
                      (kp, dumps[m["id"]]))
            else:
                kd = norm_dump(btj("map", "dump", "id", str(kid), wrap=False))
                check(kd == dumps[m["id"]], "map %s dump: kernel %r\nuxdp %r" %
                      (kname, kd, dumps[m["id"]]))
                # BTF: the kernel's "formatted" too, per-CPU slots and all
                kraw = btj("map", "dump", "id", str(kid), wrap=False)
                check(by_key(kraw) == by_key(raw[m["id"]]),
                      "map %s -j dump: kernel %r\nuxdp %r" % (kname, kraw, raw[m["id"]]))
            compared += 1
        return compared
    finally:
        if k.poll() is None:
            k.stdin.close()
            k.wait(timeout=20)


try:
    common.write_pcap(PCAP)
    common.run_uxdp(A.uxdp, A.obj, INST, PCAP)
    ncpu = possible_cpus()

    # ---- show: every uxdp map, as uxdpctl lists it ----
    ctl_list = {m["id"]: m for m in ctlj("map", "list")}
    shown = btj("map", "show")
    check(len(ctl_list) == 9, "uxdpctl lists %d maps" % len(ctl_list))
    check(sorted(m["id"] for m in shown) == sorted(ctl_list),
          "ids: bpftool %r uxdpctl %r" % ([m["id"] for m in shown], list(ctl_list)))
    for m in shown:
        c = ctl_list.get(m["id"], {})
        check(m["name"] == c.get("name", "")[:15], "name %r vs %r" % (m["name"], c.get("name")))
        for f in SHOWN + ("bytes_memlock",):  # memlock: from our /proc/self/fdinfo
            check(m.get(f) == c.get(f), "map %s: %s bpftool %r uxdpctl %r" %
                  (m["name"], f, m.get(f), c.get(f)))
    plain = bt("map", "show").stdout
    check("name a_rather_long_m " in plain, "long name not cut to 15 characters: %r" % plain)
    by_name = {c["name"]: c for c in ctl_list.values()}

    # ---- dump: the same entries as uxdpctl's, per-CPU slots per possible CPU ----
    # BTF: formatted when the kernel takes the maps' BTF from the library (root)
    btf = bool(btj("map", "show", "id", str(by_name["flows"]["id"])).get("btf_id"))
    if not btf:
        why = subprocess.run([A.run, "--instance", INST, A.bpftool, "map", "show"],
                             capture_output=True, text=True,
                             env=dict(os.environ, UXDP_BPFSYS_DEBUG="1")).stderr
        print("the kernel took no BTF from us: \"formatted\" not compared: %s" % why)
        check("BPF_BTF_LOAD: Operation not permitted" in why, "flows has no btf_id: %s" % why)
    dumps, raw = {}, {}
    for m in shown:
        if m["type"] == "queue":
            dumps[m["id"]] = btj("map", "peek", "id", str(m["id"]))
            continue
        if m["type"] == "ringbuf":  # no elements through bpf(2): an error, as in the kernel
            bt("map", "dump", "id", str(m["id"]), rc=1)
            continue
        d = btj("map", "dump", "id", str(m["id"]))
        percpu = m["type"].startswith("percpu") or m["type"] == "lru_percpu_hash"
        cd = ctlj("map", "dump", ctl_list[m["id"]]["name"])
        check(norm_dump(d) == norm_dump(cd, ncpu if percpu else None),
              "map %s dump: bpftool %r\nuxdpctl %r" % (m["name"], d, cd))
        # BTF: bpftool formats uxdp maps as uxdpctl does (key, value, formatted)
        check(not btf or all("formatted" in e for e in d) and first_cpus(d, cd) == by_key(cd),
              "map %s -j dump: bpftool %r\nuxdpctl %r" % (m["name"], d, cd))
        raw[m["id"]] = d
        if percpu:
            check(all(len(e["values"]) == ncpu for e in d),
                  "per-CPU values are not one per possible CPU: %r" % d)
        dumps[m["id"]] = norm_dump(d)
    check(sum(len(d) for d in raw.values()) >= 8, "entries: %r" % raw)
    flows = dumps[by_name["flows"]["id"]]
    check(len(flows) == 2, "flows has %d entries" % len(flows))
    check(dumps[by_name["counts"]["id"]][0][1][0] == "0x03", "IPv4 count")

    # ---- the same object in the kernel, the same packets ----
    ncmp = compare_kernel(shown, dumps, raw)
    print("kernel comparison: %d maps" % ncmp)

    # ---- element commands, checked with uxdpctl ----
    fid = str(by_name["flows"]["id"])
    key = ["hex", "01", "02", "03", "04"]
    val = ["hex", "2a", "00", "00", "00", "00", "00", "00", "00"]
    bt("map", "update", "id", fid, "key", *key, "value", *val, "noexist")
    got = ctlj("map", "lookup", "flows", "key", *key)
    check(got["value"][0] == "0x2a", "uxdpctl after bpftool update: %r" % got)
    bt("map", "update", "id", fid, "key", *key, "value", *val, "noexist", rc=1,
       err="File exists")
    bt("map", "update", "id", fid, "key", "hex", "09", "09", "09", "09", "value", *val,
       "exist", rc=1, err="No such file or directory")
    ctl("map", "update", "flows", "key", *key, "value", "u64", "7")
    look = btj("map", "lookup", "id", fid, "key", *key)
    check(look and look["value"][0] == "0x07", "bpftool lookup after uxdpctl update: %r" % look)
    # getnext from no key to the last, which has none (an error, as in the kernel)
    seen, k = [], None
    while len(seen) <= 10:
        r = bt("-j", "map", "getnext", "id", fid,
               *(["key", "hex"] + [b[2:] for b in k] if k else []), rc=None)
        if r.returncode:
            check("No such file or directory" in r.stdout + r.stderr, "getnext end: %r" % r.stdout)
            break
        k = json.loads(r.stdout)["next_key"]
        seen.append(tuple(k))
    check(sorted(seen) == sorted(e[0] for e in norm_dump(ctlj("map", "dump", "flows"))),
          "getnext walk %r" % seen)
    bt("map", "delete", "id", fid, "key", *key)
    check(ctl("map", "lookup", "flows", "key", *key, check_rc=False).returncode != 0,
          "entry still there after bpftool delete")
    bt("map", "delete", "id", fid, "key", *key, rc=1, err="No such file or directory")
    # bpftool sizes keys from the map's info: a short key is its own error
    bt("map", "lookup", "id", fid, "key", "1", "2", "3", rc=1, err="expected 4 bytes got 3")
    cid = str(by_name["counts"]["id"])
    bt("map", "update", "id", cid, "key", "4", "0", "0", "0", "value", *val, rc=1,
       err="Argument list too long")
    # per-CPU: one slot per possible CPU in, the worker's slot seen by uxdpctl
    pid_ = str(by_name["pcpu"]["id"])
    bt("map", "update", "id", pid_, "key", "1", "0", "0", "0", "value", "5", "0", "0", "0")
    pl = ctlj("map", "lookup", "pcpu", "key", "u32", "1")
    check(pl["values"][0]["value"] == ["0x05", "0x00", "0x00", "0x00"], "pcpu: %r" % pl)

    # queue: push, peek, pop in order
    qid = str(by_name["lengths"]["id"])
    while bt("map", "pop", "id", qid, rc=None).returncode == 0:
        pass
    bt("map", "push", "id", qid, "value", "11", "0", "0", "0")
    bt("map", "push", "id", qid, "value", "12", "0", "0", "0")
    check(btj("map", "peek", "id", qid)["value"][0] == "0x0b", "queue peek")
    check(btj("map", "pop", "id", qid)["value"][0] == "0x0b", "queue pop 1")
    check(btj("map", "pop", "id", qid)["value"][0] == "0x0c", "queue pop 2")

    # ---- pinned paths: virtual ones, and a pin made on a bpf file system ----
    vp = "/sys/fs/bpf/uxdp/%s/counts" % INST
    check(norm_dump(btj("map", "dump", "pinned", vp)) == norm_dump(btj("map", "dump", "id", cid)),
          "dump by virtual pin")
    check(btj("map", "show", "pinned", vp)["name"] == "counts", "show by virtual pin")
    bt("map", "dump", "pinned", "/sys/fs/bpf/uxdp/%s/nosuch" % INST, rc=1)
    mnt = os.path.join(A.work, "bpffs")
    os.makedirs(mnt, exist_ok=True)
    if subprocess.run(["mount", "-t", "bpf", "bpf", mnt], capture_output=True).returncode == 0:
        try:
            pin = os.path.join(mnt, "counts")
            bt("map", "pin", "id", cid, pin)
            check(os.readlink(pin) == "/dev/shm/uxdp.%s.counts" % INST, "pin link")
            check(norm_dump(btj("map", "dump", "pinned", pin)) ==
                  norm_dump(btj("map", "dump", "id", cid)), "dump by real pin")
            bt("map", "pin", "id", cid, pin, rc=1, err="File exists")
            os.unlink(pin)
            # map create: a new map in the instance, pinned, so it outlives bpftool
            made = os.path.join(mnt, "made")
            bt("map", "create", made, "type", "hash", "key", "4", "value", "8",
               "entries", "16", "name", "made_by_bpftool")
            check(os.readlink(made) == "/dev/shm/uxdp.%s.made_by_bpftool" % INST,
                  "created map pinned")
            mi = [m for m in ctlj("map", "list") if m["name"] == "made_by_bpftool"]
            check(len(mi) == 1 and mi[0]["type"] == "hash" and mi[0]["bytes_value"] == 8,
                  "created map in the instance: %r" % mi)
            bt("map", "update", "pinned", made, "key", "1", "0", "0", "0",
               "value", *(["7"] + ["0"] * 7))
            check(norm_dump(btj("map", "dump", "pinned", made)) ==
                  norm_dump(btj("map", "dump", "name", "made_by_bpftool")), "dump of created")
            os.unlink(made)
        finally:
            subprocess.run(["umount", mnt])
    else:
        print("no bpf file system mount here: real pins not tested")

    # ---- refused, with one line naming the command ----
    r = bt("map", "create", "/sys/fs/bpf/x", "type", "sockmap", "key", "4", "value", "4",
           "entries", "4", "name", "x", rc=1, err="uxdp-bpfsys: BPF_MAP_CREATE:")
    check(r.stderr.count("uxdp-bpfsys: BPF_MAP_CREATE") == 1, "one line: %r" % r.stderr)
    # freeze: bpf(2) writes refused from then on, in every process; uxdpctl reads on
    bt("map", "freeze", "id", cid)
    check(btj("map", "show", "id", cid)["frozen"] == 1, "frozen not shown")
    bt("map", "update", "id", cid, "key", "0", "0", "0", "0", "value", *val, rc=1,
       err="Operation not permitted")
    check(ctlj("map", "lookup", "counts", "key", "u32", "0")["key"] == ["0x00"] * 4, "lookup")
    bt("map", "show", "id", "999", rc=1)
finally:
    common.delete_instance(A.uxdpctl, INST)
check(not common.leftovers(INST), "leftovers %r" % common.leftovers(INST))
for f in failures:
    print("FAIL:", f)
print("%d passed, %d failed" % (0 if failures else 1, 1 if failures else 0))
sys.exit(1 if failures else 0)
