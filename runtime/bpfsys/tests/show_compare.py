#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""show_compare.py KERNEL_PREFIX UXDP_PREFIX IFNAME

Debian's bpftool, unmodified: `-j prog show`, `link show`, `net show` and
`map show` (PREFIX.{prog,link,net,map}.json, and PREFIX.pin.json: `map show
pinned` of the loader's `counts`) taken on the kernel and under
uxdp-run while the same loader runs the same object, its link updated, on
the same veth.  Compares what must agree: the loader's programs (those
using its `counts`: name,
type, their maps by name with type, key/value size, max_entries,
flags), the XDP link (type, program, interface) and what `net show` says
runs on IFNAME.  Ids, tags, load times, memlock, pids and BTF ids are
each side's own and are not compared; nor is gpl_compatible, which uxdpd
does not know of a program another process loaded (docs/control-plane.md).  Exit 0 when they agree, else 1
with the differences.
"""
import json
import re
import sys

PROG = "srccount"


def load(prefix, what):
    with open(f"{prefix}.{what}.json") as f:
        return json.load(f)


def rodata(view):
    """The loader's .rodata, as the two sides name and flag it.

    uxdp copies a frozen .rodata's bytes into the compiled object: the
    daemon's map is the object's constant section `.rodata.<n>`, made
    without BPF_F_MMAPABLE (nobody maps it: the loader's own `<obj>.rodata`
    keeps its mapping); the kernel's is libbpf's `<obj>.rodata`, mmapable.
    """
    name = view.get("name") or ""
    if re.fullmatch(r"\.rodata\.[0-9]+", name) or name.endswith(".rodata"):
        view = dict(view, name="<obj>.rodata", flags=(view.get("flags") or 0) & ~1024)
    return view


def side(prefix, ifname):
    counts = load(prefix, "pin")["id"]
    progs = {p["id"]: p for p in load(prefix, "prog")
             if p.get("name") == PROG and counts in p.get("map_ids", [])}
    maps = {m["id"]: m for m in load(prefix, "map")}

    def map_view(mid):
        m = maps.get(mid)
        if m is None:
            return {"id_missing_from_map_show": True}
        return rodata({k: m.get(k) for k in ("name", "type", "bytes_key", "bytes_value",
                                             "max_entries", "flags")})

    def prog_view(p):
        return {
            "name": p.get("name"),
            "type": p.get("type"),
            "maps": sorted((map_view(i) for i in p.get("map_ids", [])),
                           key=lambda v: json.dumps(v, sort_keys=True)),
        }

    links = [l for l in load(prefix, "link") if l.get("prog_id") in progs]
    net = [x for n in load(prefix, "net") for x in n.get("xdp", [])
           if x.get("devname") == ifname]
    own = ("id", "prog_id", "pids")
    return {
        # Every program of the loader by name and type; the maps of the one
        # its link runs.  The one it replaced has its global data under
        # names the second load took again (uxdp: a name is one map).
        "progs": sorted(({"name": p.get("name"), "type": p.get("type")}
                         for p in progs.values()), key=lambda v: json.dumps(v, sort_keys=True)),
        "links": [dict({k: v for k, v in l.items() if k not in own},
                       prog=prog_view(progs[l["prog_id"]])) for l in links],
        "net": [{"devname": x.get("devname"), "ifindex": x.get("ifindex"),
                 "mode": x.get("mode"),
                 "prog": prog_view(progs[x["id"]]) if x.get("id") in progs else None}
                for x in net],
    }


def main():
    kernel, uxdp, ifname = sys.argv[1:4]
    k, u = side(kernel, ifname), side(uxdp, ifname)
    bad = False
    for what in ("progs", "links", "net"):
        if k[what] != u[what]:
            bad = True
            print(f"{what} differ:\n kernel {json.dumps(k[what], sort_keys=True)}\n"
                  f" uxdp   {json.dumps(u[what], sort_keys=True)}")
    if not k["links"] or not k["net"] or len(k["progs"]) != 2:
        bad = True
        print(f"the kernel's side is not what the loader made: {json.dumps(k)}")
    if bad:
        return 1
    print(f"bpftool prog/link/net/map show agree: {len(u['progs'])} programs, "
          f"{len(u['links'])} link, {len(u['net'])} xdp attachment")
    return 0


if __name__ == "__main__":
    sys.exit(main())
