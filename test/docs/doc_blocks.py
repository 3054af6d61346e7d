#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run the shell blocks of a Markdown document, as a reader would type them.

usage: doc_blocks.py DOC --workdir DIR [--link NAME=PATH]... [--subst WORD=NEW]...
                     [--cleanup COMMAND]... [--list]

Every fenced block of DOC is one of:
  - a command block (```, ```sh or ```bash): run;
  - an output or source block (```text, ```console, ```c, ```json, ```conf):
    not a command, reported as such;
  - a command block after a marker line, which says why it is not run here:
      <!-- doc-test: skip REASON -->   never run by this test, REASON printed;
      <!-- doc-test: root -->          run only as root (network namespaces,
                                       AF_XDP); reported as skipped otherwise.
The command blocks run in order in ONE bash process (`set -e`), in DIR
(emptied first), as
one terminal session: a variable or background job of one block is there in
the next.  DIR gets the symlinks --link asks for (e.g. xdp_progs=SRC/xdp_progs
so that relative paths from the top of the source tree work).  --subst makes
names unique to this run (WORD, as a whole word, becomes NEW; "$$" in NEW is
this process's id), so that parallel runs do not share instances or network
namespaces.  --cleanup commands run at the end whatever happened.
Exit: 0 all run blocks passed; 1 a block failed or a marker is malformed;
the count of blocks run, skipped and not commands is printed.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

COMMAND_INFO = ("", "sh", "bash", "shell")
NOT_COMMAND_INFO = ("text", "console", "c", "json", "conf", "markdown", "diff")
MARKER = re.compile(r"^<!--\s*doc-test:\s*(\S+)\s*(.*?)\s*-->\s*$")


def blocks(path):
    """(line, info, marker, text) for every fenced block."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    out, i, marker = [], 0, None
    while i < len(lines):
        line = lines[i]
        m = MARKER.match(line.strip())
        if m:
            marker = (m.group(1), m.group(2), i + 1)
            i += 1
            continue
        if line.lstrip().startswith("```"):
            info = line.strip()[3:].strip()
            start, body = i + 1, []
            i += 1
            while i < len(lines) and not lines[i].lstrip().startswith("```"):
                body.append(lines[i])
                i += 1
            out.append((start, info, marker, "\n".join(body)))
            marker = None
        elif line.strip():
            if marker and not line.strip().startswith("<!--"):
                sys.exit("%s:%d: doc-test marker not followed by a code block" %
                         (path, marker[2]))
        i += 1
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("doc")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--link", action="append", default=[])
    ap.add_argument("--subst", action="append", default=[])
    ap.add_argument("--cleanup", action="append", default=[])
    ap.add_argument("--list", action="store_true", help="print the plan, run nothing")
    a = ap.parse_args()
    pid = str(os.getpid())
    substs = []
    for s in a.subst:
        word, new = s.split("=", 1)
        substs.append((re.compile(r"(?<![\w.-])" + re.escape(word) + r"(?![\w-])"),
                       new.replace("$$", pid)))
    root = os.geteuid() == 0

    script = ["set -e", "cd %s" % sh_quote(a.workdir)]
    ran = skipped = other = 0
    for line, info, marker, text in blocks(a.doc):
        where = "%s:%d" % (os.path.basename(a.doc), line)
        lang = info.split()[0] if info else ""
        if lang in NOT_COMMAND_INFO:
            print("not a command block (```%s): %s" % (lang, where))
            other += 1
            continue
        if lang not in COMMAND_INFO:
            print("FAIL: %s: code block ```%s: neither commands nor a known output kind" %
                  (where, lang))
            return 1
        if marker:
            kind, reason = marker[0], marker[1]
            if kind == "skip":
                if not reason:
                    print("FAIL: %s: doc-test skip without a reason" % where)
                    return 1
                print("SKIP %s: %s" % (where, reason))
                skipped += 1
                continue
            if kind == "root":
                if not root:
                    print("SKIP %s: needs root (network namespaces, AF_XDP)" % where)
                    skipped += 1
                    continue
            else:
                print("FAIL: %s: unknown doc-test marker '%s'" % (where, kind))
                return 1
        for rx, new in substs:
            text = rx.sub(new, text)
        print("RUN  %s" % where)
        script.append("echo %s" % sh_quote("### %s" % where))
        script.append(text)
        ran += 1
    if ran == 0:
        print("FAIL: no command block ran: the test would prove nothing")
        return 1
    if a.list:
        print("\n".join(script))
        return 0

    # A fresh directory: nothing a previous run left may stand in for a
    # file a block should have made.
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    for link in a.link:
        name, target = link.split("=", 1)
        path = os.path.join(a.workdir, name)
        if not os.path.lexists(path):
            os.symlink(target, path)
    cleanup = []
    for c in a.cleanup:
        for rx, new in substs:
            c = rx.sub(new, c)
        cleanup.append(c)
    # Cleanup in an EXIT trap: it runs when a block fails too, in this shell
    # (so that %1 is the blocks' job), keeps the blocks' exit status, and a
    # cleanup command that fails (nothing left to clean) does not count.
    trap = "trap %s EXIT" % sh_quote("rc=$?; set +e +x; " + "".join(
        "{ %s; } >/dev/null 2>&1; " % c for c in cleanup) + "exit $rc")
    full = "\n".join([trap, "set -x"] + script) + "\n"
    r = subprocess.run(["bash", "-c", full], stdin=subprocess.DEVNULL)
    print("%d blocks run, %d skipped, %d not commands" % (ran, skipped, other))
    if r.returncode:
        print("FAIL: a block of %s failed (exit %d): see the trace above" %
              (a.doc, r.returncode))
        return 1
    return 0


def sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


if __name__ == "__main__":
    sys.exit(main())
