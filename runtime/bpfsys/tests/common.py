# SPDX-License-Identifier: MIT
"""What the bpf() layer's tests share: a capture, a uxdp run that leaves an
instance with maps.bpf.c's maps, and clean-up."""
import os
import struct
import subprocess


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


def write_pcap(path):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(PACKETS):
            f.write(struct.pack("<IIII", 1000 + i, 0, len(p), len(p)) + p)


def run_uxdp(uxdp, obj, inst, pcap):
    """One pass over the capture; the instance's maps stay after the run."""
    r = subprocess.run([uxdp, "--instance", inst, "--pcap", pcap], capture_output=True,
                       text=True, env=dict(os.environ, AOT_OBJECT=obj))
    if r.returncode != 0:
        raise AssertionError("uxdp: %s" % r.stderr)


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
