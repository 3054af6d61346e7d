#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""uxdpctl against maps made through the map API (mkmaps), plain and JSON.

usage: cli_test.py UXDPCTL MKMAPS WORKDIR
"""
import json
import os
import subprocess
import sys

ctl, mkmaps, work = sys.argv[1:4]
INST = "ctltest-%d" % os.getpid()
os.makedirs(work, exist_ok=True)
failures = []


def run(*args, rc=0, out=None, err=None, inst=INST):
    """Run uxdpctl; check the exit code, and stdout/stderr when given."""
    cmd = [ctl] + (["--instance", inst] if inst else []) + list(args)
    r = subprocess.run(cmd, capture_output=True, text=True)
    name = " ".join(args)
    if r.returncode != rc:
        failures.append("%s: exit %d, expected %d\n%s%s" % (name, r.returncode, rc, r.stdout,
                                                            r.stderr))
    if out is not None and r.stdout != out:
        failures.append("%s: stdout\n%r\nexpected\n%r" % (name, r.stdout, out))
    if err is not None and err not in r.stderr:
        failures.append("%s: stderr %r lacks %r" % (name, r.stderr, err))
    if rc != 0 and r.stderr.count("\n") != 1:
        failures.append("%s: error is not one line: %r" % (name, r.stderr))
    return r.stdout


def js(*args):
    return json.loads(run("-j", *args))


def hexs(*b):
    return ["0x%02x" % x for x in b]


try:
    subprocess.run([mkmaps, INST], check=True)

    # list / show
    lst = js("map", "list")
    assert [m["name"] for m in lst] == ["hosts", "cfg", "pcpu", "routes", "q", "st", "rb",
                                        "perf"], lst
    assert lst[0] == {"id": 1, "type": "hash", "name": "hosts", "flags": 0, "bytes_key": 4,
                      "bytes_value": 4, "max_entries": 16,
                      "bytes_memlock": lst[0]["bytes_memlock"]}, lst[0]
    assert lst[2]["type"] == "percpu_array" and lst[2]["ncpus"] == 2, lst[2]
    assert lst[3]["type"] == "lpm_trie" and lst[3]["flags"] == 1, lst[3]
    show = run("map", "show", "hosts")
    assert show.startswith("1: hash  name hosts  flags 0x0\n\tkey 4B  value 4B  max_entries 16"), show
    assert run("map", "show", "id", "2").startswith("2: array  name cfg"), "show id"
    assert js("map", "show", "name", "pcpu")["ncpus"] == 2
    # map show (not list) tells reuses under readers and locks taken over
    assert "\tforced_reuse 0  lock_takeovers 0\n" in show, show
    assert js("map", "show", "hosts")["forced_reuse"] == 0
    assert "forced_reuse" not in run("map", "list")

    # dump, plain and JSON (bpftool's shapes)
    run("map", "dump", "hosts", out="key: 0a 00 00 01  value: 01 00 00 00\nFound 1 element\n")
    assert js("map", "dump", "hosts") == [{"key": hexs(10, 0, 0, 1), "value": hexs(1, 0, 0, 0)}]
    run("map", "dump", "pcpu", out="key:\n00 00 00 00\nvalue (CPU 00): 07 00 00 00\n"
        "value (CPU 01): 09 00 00 00\nkey:\n01 00 00 00\nvalue (CPU 00): 00 00 00 00\n"
        "value (CPU 01): 00 00 00 00\nFound 2 elements\n")
    d = js("map", "dump", "pcpu")
    assert d[0] == {"key": hexs(0, 0, 0, 0), "values": [{"cpu": 0, "value": hexs(7, 0, 0, 0)},
                                                       {"cpu": 1, "value": hexs(9, 0, 0, 0)}]}, d
    pretty = run("-p", "map", "dump", "hosts")
    assert pretty.startswith('[\n    {\n        "key": [\n            "0x0a",'), pretty
    assert json.loads(pretty) == js("map", "dump", "hosts")

    # lookup in every key syntax
    for key in (["hex", "0a", "00", "00", "01"], ["10", "0", "0", "1"], ["0x0a", "0", "0", "1"],
                ["ipv4", "10.0.0.1"], ["hex", "0a000001"], ["be32", "0x0a000001"],
                ["u32", str(0x0100000a)]):
        run("map", "lookup", "hosts", "key", *key,
            out="key: 0a 00 00 01  value: 01 00 00 00\n")
    assert js("map", "lookup", "cfg", "key", "u32", "1") == {"key": hexs(1, 0, 0, 0),
                                                            "value": hexs(42, 0, 0, 0, 0, 0, 0, 0)}
    run("map", "lookup", "hosts", "key", "ipv4", "10.0.0.9", rc=1, err="no such entry")

    # update with flags, delete, getnext
    run("map", "update", "hosts", "key", "ipv4", "10.0.0.2", "value", "u32", "7", "noexist")
    run("map", "update", "hosts", "key", "ipv4", "10.0.0.2", "value", "u32", "8", "noexist",
        rc=1, err="entry exists")
    run("map", "update", "hosts", "key", "ipv4", "10.0.0.3", "value", "u32", "8", "exist",
        rc=1, err="no such entry")
    run("map", "update", "hosts", "key", "ipv4", "10.0.0.2", "value", "u32", "9", "exist")
    run("map", "lookup", "hosts", "key", "ipv4", "10.0.0.2",
        out="key: 0a 00 00 02  value: 09 00 00 00\n")
    keys = sorted(tuple(e["key"]) for e in js("map", "dump", "hosts"))
    assert keys == [tuple(hexs(10, 0, 0, 1)), tuple(hexs(10, 0, 0, 2))], keys
    first = js("map", "getnext", "hosts")
    assert first["key"] is None and first["next_key"] in [list(k) for k in keys], first
    second = js("map", "getnext", "hosts", "key", "hex", *[x[2:] for x in first["next_key"]])
    assert second["next_key"] != first["next_key"], second
    run("map", "getnext", "hosts", "key", "hex", *[x[2:] for x in second["next_key"]], rc=1,
        err="no next key")
    run("map", "getnext", "cfg", "key", "u32", "1",
        out="key:\n01 00 00 00\nnext key:\n02 00 00 00\n")
    assert run("-j", "map", "delete", "hosts", "key", "ipv4", "10.0.0.2") == "null\n"
    run("map", "delete", "hosts", "key", "ipv4", "10.0.0.2", rc=1, err="no such entry")
    run("map", "dump", "hosts", out="key: 0a 00 00 01  value: 01 00 00 00\nFound 1 element\n")

    # per-CPU: one value goes to every CPU; a full value sets each
    run("map", "update", "pcpu", "key", "u32", "1", "value", "u32", "5")
    assert js("map", "lookup", "pcpu", "key", "u32", "1")["values"] == [
        {"cpu": 0, "value": hexs(5, 0, 0, 0)}, {"cpu": 1, "value": hexs(5, 0, 0, 0)}]
    run("map", "update", "pcpu", "key", "u32", "1", "value", "u64", "3", "u64", "4")
    assert js("map", "lookup", "pcpu", "key", "u32", "1")["values"] == [
        {"cpu": 0, "value": hexs(3, 0, 0, 0)}, {"cpu": 1, "value": hexs(4, 0, 0, 0)}]

    # LPM trie keys
    run("map", "update", "routes", "key", "prefix", "198.18.0.0/15", "value", "u32", "1")
    run("map", "dump", "routes", out="key: 0f 00 00 00 c6 12 00 00  value: 01 00 00 00\n"
        "Found 1 element\n")
    run("map", "lookup", "routes", "key", "prefix", "198.19.1.1/32",
        out="key: 20 00 00 00 c6 13 01 01  value: 01 00 00 00\n")

    # queue and stack
    for v in ("1", "2"):
        run("map", "push", "q", "value", "u32", v)
        run("map", "push", "st", "value", "u32", v)
    run("map", "peek", "q", out="value: 01 00 00 00\n")
    assert js("map", "pop", "q") == {"value": hexs(1, 0, 0, 0)}
    run("map", "pop", "q", out="value: 02 00 00 00\n")
    run("map", "pop", "q", rc=1, err="empty")
    run("map", "pop", "st", out="value: 02 00 00 00\n")
    run("map", "dump", "q", rc=1, err="peek or pop")

    # ring buffer records written by mkmaps
    run("ringbuf", "read", "rb", "--count", "1", out="01 02 03\n")
    assert run("-j", "ringbuf", "read", "rb") == '{"size":2,"data":["0xaa","0xbb"]}\n'
    run("ringbuf", "read", "rb", "--timeout", "50", out="")
    run("perf", "read", "perf", out="")
    run("ringbuf", "read", "hosts", rc=1, err="not ringbuf")

    # apply: the config format uxdp-difftest --config reads
    conf = os.path.join(work, "maps.conf")
    with open(conf, "w") as f:
        f.write("# comment\n\nmap hosts key ip4 10.1.1.1 value u32 3   # trailing\n"
                "map cfg key u32 2 value u64 77 flags exist\n"
                "map q value be32 0x01020304\n"
                "map routes key prefix 10.0.0.0/8 value hex 0b000000 any\n")
    run("apply", conf, out="")
    run("map", "lookup", "hosts", "key", "ip4", "10.1.1.1",
        out="key: 0a 01 01 01  value: 03 00 00 00\n")
    run("map", "lookup", "cfg", "key", "u32", "2", out="key: 02 00 00 00  value: 4d 00 00 00 00 00 00 00\n")
    run("map", "pop", "q", out="value: 01 02 03 04\n")
    with open(conf, "w") as f:
        f.write("map hosts key ip4 10.1.1.2 value u32 3\nmap hosts key u16 1 value u32 3\n")
    run("apply", conf, rc=1, err="maps.conf:2: map hosts: key is 2 bytes, the map's key size is 4")
    with open(conf, "w") as f:
        f.write("map hosts key ip4 10.1.1.2 value bogus\n")
    run("apply", conf, rc=1, err="maps.conf:1:")

    # errors: one line, exit 1; usage: exit 2
    run("map", "dump", "nosuch", rc=1, err="map nosuch: no such map in instance " + INST)
    run("map", "lookup", "hosts", "key", "u16", "1", rc=1,
        err="key is 2 bytes, the map's key size is 4")
    run("map", "update", "cfg", "key", "u32", "0", "value", "u32", "1", rc=1,
        err="value is 4 bytes, the map's value size is 8")
    run("map", "update", "cfg", "key", "u32", "9", "value", "u64", "1", rc=1,
        err="index out of range")
    run("map", "lookup", "hosts", "key", "300", rc=1, err="neither a byte")
    run("map", "lookup", "hosts", rc=2)
    run("map", "frob", rc=2)
    run(rc=2)
    run("--bogus", "map", "list", rc=2)
    run("stats", rc=1, err="no counters")
    # An instance that does not exist is an error that names the ones that do.
    run("map", "list", inst="no-such-instance", rc=1,
        err="instance no-such-instance does not exist (existing: ")
    run("map", "dump", "hosts", inst="no-such-instance", rc=1, err=INST)
    h = subprocess.run([ctl, "-h"], capture_output=True, text=True)
    assert h.returncode == 0 and "Examples:" in h.stdout, h
    v = subprocess.run([ctl, "--version"], capture_output=True, text=True)
    assert v.returncode == 0 and v.stdout.startswith("uxdpctl ") and \
        v.stdout.count("\n") == 1, v

    # bpftool's prefixes (first word of the table that matches), OBJECT help,
    # global options after the command.
    assert run("m", "s", "hosts") == run("map", "show", "hosts")
    assert run("ma", "sh", "id", "1") == run("map", "show", "hosts")
    assert run("m", "d", "hosts") == run("map", "dump", "hosts")    # d: dump, as bpftool
    assert run("m", "lo", "hosts", "key", "u32", "0x0100000a") == \
        run("map", "lookup", "hosts", "key", "u32", "0x0100000a")
    assert js("m", "l") == js("map", "list")                          # l: list
    assert run("map", "dump", "hosts", "-j") == run("-j", "map", "dump", "hosts")
    assert run("map", "dump", "hosts", "--json") == run("-j", "map", "dump", "hosts")
    assert run("map", "dump", "hosts", "-p") == run("-p", "map", "dump", "hosts")
    assert run("map", "show", "hosts", "--instance", INST, inst=None) == \
        run("map", "show", "hosts")
    assert run("map", "show", "hosts", "--instance=" + INST, inst=None) == \
        run("map", "show", "hosts")
    r = subprocess.run([ctl, "--instance", INST, "map", "lookup", "hosts", "key", "u32", "1",
                        "-j"], capture_output=True, text=True)
    assert r.returncode == 1 and "error" in json.loads(r.stdout) and not r.stderr, r
    for obj, word in (("map", "map dump MAP"), ("prog", "prog load OBJECT"),
                      ("instance", "instance delete NAME"), ("ringbuf", "ringbuf read MAP")):
        h = run(obj, "help", inst=None)
        assert word in h and h.startswith("usage: uxdpctl"), (obj, h)
        assert run(obj[0:2], "h", inst=None) == h, obj
    assert "map dump MAP" not in run("prog", "help", inst=None)
    assert run("help", inst=None) == subprocess.run([ctl, "-h"], capture_output=True,
                                                    text=True).stdout
    run("zz", rc=2, err="unknown command 'zz'")
    run("map", "zz", rc=2, err="map: unknown command 'zz'")

    # -j: errors are bpftool's {"error": ...} on stdout, nothing on stderr.
    for args, rc in ((["map", "lookup", "hosts", "key", "u32", "99"], 1),
                     (["map", "frob"], 2)):
        r = subprocess.run([ctl, "--instance", INST, "-j"] + args, capture_output=True,
                           text=True)
        assert r.returncode == rc and r.stderr == "", (args, r)
        e = json.loads(r.stdout)
        assert list(e) == ["error"] and e["error"], (args, e)

    # instance delete removes everything
    assert INST in run("instance", "list", inst=None).split()
    run("instance", "delete", INST, inst=None)
    run("map", "list", rc=1, err="instance %s does not exist" % INST)
    assert INST not in run("instance", "list", inst=None).split()
    left = [f for f in os.listdir("/dev/shm") if INST in f.split(".")]
    assert not left, left  # run record, maps, rings, counters: all gone
finally:
    subprocess.run([ctl, "instance", "delete", INST], capture_output=True)

for f in failures:
    print("FAIL:", f)
print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
