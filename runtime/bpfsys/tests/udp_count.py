#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""udp_count.py - the sockets of the xdp-tools tests (bpfsys.xdp_loader,
bpfsys.xdp_filter): what the host stack received of the datagrams a test
sent, so that a dropped datagram is one no socket got.

  udp_count.py listen PORT... : bind UDP 0.0.0.0:PORT each, print "ready",
      count until stdin closes, then print "SRC PORT COUNT" lines, sorted.
  udp_count.py send DST SRC:PORT:COUNT... : COUNT datagrams from SRC to
      DST:PORT each, 2 ms apart.
"""
import select
import socket
import sys
import time


def listen(ports):
    socks = {}
    for p in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", int(p)))
        socks[s.fileno()] = (s, int(p))
    got = {}
    print("ready", flush=True)
    while True:
        r, _, _ = select.select(list(socks) + [sys.stdin.fileno()], [], [])
        if sys.stdin.fileno() in r and not sys.stdin.buffer.read1(64):
            break
        for fd in r:
            if fd in socks:
                s, port = socks[fd]
                _, (src, _) = s.recvfrom(2048)
                got[(src, port)] = got.get((src, port), 0) + 1
    for (src, port), n in sorted(got.items()):
        print(f"{src} {port} {n}")


def send(dst, specs):
    for spec in specs:
        src, port, count = spec.split(":")
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((src, 0))
        for i in range(int(count)):
            s.sendto(b"uxdp %d" % i, (dst, int(port)))
            time.sleep(0.002)
        s.close()


if __name__ == "__main__":
    if sys.argv[1] == "listen":
        listen(sys.argv[2:])
    else:
        send(sys.argv[2], sys.argv[3:])
