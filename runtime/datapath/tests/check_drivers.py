#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The drivers only move frames: nothing of the datapath is done in them.

usage: check_drivers.py DRIVERS_DIR

Fails (exit 1, one line per finding: file:line: what) when a C file under
DRIVERS_DIR, comments left out,
  - fills a struct uxdp_ctx (names the type, or assigns one of its fields),
  - maps a verdict (XDP_TX, XDP_PASS, XDP_DROP, XDP_REDIRECT, XDP_ABORTED,
    or their UXDP_ names, in a `case`),
  - calls uxdp_verdict_of(), or resolves a redirect itself
    (uxdp_redirect_dest(), uxdp_redirect_ifindex(), uxdp_xsk_deliver()).
All of that is runtime/datapath's.  The rules are first run on snippets
that must and must not match, so that a rule that cannot match fails too.
"""
import os
import re
import sys

CTX_ONLY_FIELDS = ("data_hard_start|data_meta|data_end|frame_end|ingress_ifindex|"
                   "rx_queue_index|egress_ifindex|tail_call_cnt|tail_call_ret|tail_called")
RULES = [
    ("fills a struct uxdp_ctx", re.compile(r"\bstruct\s+uxdp_ctx\b")),
    ("assigns a ctx field",
     re.compile(r"(\.|->)\s*(%s)\s*=(?!=)" % CTX_ONLY_FIELDS)),
    ("assigns a ctx field", re.compile(r"\bctx\w*\s*(\.|->)\s*(data|worker)\s*=(?!=)")),
    ("maps a verdict", re.compile(r"\bcase\s+U?XDP_(TX|PASS|DROP|REDIRECT|ABORTED)\b")),
    ("calls uxdp_verdict_of()", re.compile(r"\buxdp_verdict_of\s*\(")),
    ("resolves a redirect",
     re.compile(r"\b(uxdp_redirect_dest|uxdp_redirect_ifindex|uxdp_xsk_deliver)\s*\(")),
]

MUST_MATCH = [
    "struct uxdp_ctx ctx = { 0 };",
    "ctx.data = frame + 256;",
    "lc->ctx.worker = &w;",
    "ctx->data_end = data + len;",
    "struct x c = { .data_hard_start = hard, };",
    "c.ingress_ifindex = 3;",
    "switch (v) { case UXDP_TX: break; }",
    "case XDP_REDIRECT:",
    "case  UXDP_ABORTED :",
    "v = uxdp_verdict_of(fn(&c));",
    "d = uxdp_redirect_dest(&w->redirect);",
]
MUST_NOT_MATCH = [
    "switch (uxdp_dp_run(dw, a, b, c, d)) { case UXDP_DP_TX: break; }",
    "if (ctx.data_end == end) x = 1;",
    "m->data_len = len;",
    "v[*n].data = malloc(1);",
    "d->addr = xp->out[i];",
]


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def findings(text):
    out = []
    for n, line in enumerate(strip_comments(text).splitlines(), 1):
        for what, rx in RULES:
            if rx.search(line):
                out.append((n, what, line.strip()))
    return out


def self_test():
    ok = True
    for s in MUST_MATCH:
        if not findings(s):
            print("self-test: no rule matches %r" % s)
            ok = False
    for s in MUST_NOT_MATCH:
        if findings(s):
            print("self-test: a rule matches %r" % s)
            ok = False
    return ok


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    ok = self_test()
    files = 0
    for root, _, names in os.walk(sys.argv[1]):
        for name in sorted(names):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(root, name)
            files += 1
            for n, what, line in findings(open(path, encoding="utf-8").read()):
                print("%s:%d: %s, which is the datapath's: %s" % (path, n, what, line))
                ok = False
    if files == 0:
        print("no C file under %s" % sys.argv[1])
        ok = False
    print("%d driver files checked: %s" % (files, "ok" if ok else "FAIL"))
    return 0 if ok else 1


sys.exit(main())
