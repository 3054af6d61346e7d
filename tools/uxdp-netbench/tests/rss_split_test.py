#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""rss_split_test.py CORPUS - rss_split.py hashes as NICs do and splits by connection.

The Toeplitz hash against Microsoft's RSS verification vectors (IPv4 with
and without ports); then a uxdp-corpus capture split over 2 and 3 queues:
every frame in exactly one output, in order, each connection (addresses
and ports) on one queue only, and no queue empty; with --src, each source
address on one queue only; with --symmetric, both directions of each
connection on one queue.
"""
import os
import socket
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import rss_split  # noqa: E402

VECTORS = [  # source, destination, source port, destination port, with ports, without
    ('66.9.149.187', '161.142.100.80', 2794, 1766, 0x51ccc178, 0x323e8fc2),
    ('199.92.111.2', '65.69.140.83', 14230, 4739, 0xc626b0ea, 0xd718262a),
    ('24.19.198.95', '12.22.207.184', 12898, 38024, 0x5c2b394a, 0xd2d0a5de),
    ('38.27.205.30', '209.142.163.6', 48228, 2217, 0xafc7327f, 0x82989176),
    ('153.39.163.191', '202.188.127.2', 44251, 1303, 0x10e828a2, 0x5d1809c5),
]


def records(path):
    data = open(path, 'rb').read()
    pos, out = 24, []
    while pos + 16 <= len(data):
        n = struct.unpack_from('<I', data, pos + 8)[0]
        out.append(data[pos + 16:pos + 16 + n])
        pos += 16 + n
    return out


def main():
    for src, dst, sp, dp, with_ports, without in VECTORS:
        a = socket.inet_aton(src) + socket.inet_aton(dst)
        got = (rss_split.toeplitz(a + struct.pack('!HH', sp, dp)), rss_split.toeplitz(a))
        if got != (with_ports, without):
            sys.exit('toeplitz %s:%d -> %s:%d: %#x %#x, want %#x %#x' %
                     (src, sp, dst, dp, got[0], got[1], with_ports, without))
    with tempfile.TemporaryDirectory() as d:
        inp = os.path.join(d, 'in.pcap')
        subprocess.run([sys.argv[1], '-n', '3000', '-s', '5', '-f', '512', '-o', inp], check=True)
        frames = records(inp)
        for n in (2, 3):
            outs = [os.path.join(d, 'q%d.pcap' % q) for q in range(n)]
            subprocess.run([sys.executable, rss_split.__file__, inp, str(n)] + outs, check=True,
                           stdout=subprocess.DEVNULL)
            parts = [records(o) for o in outs]
            if sum(len(p) for p in parts) != len(frames) or any(not p for p in parts):
                sys.exit('%d queues: %s frames of %d' % (n, [len(p) for p in parts], len(frames)))
            # Order kept within a queue: each output is a subsequence of the input.
            for p in parts:
                it = iter(frames)
                if not all(any(f == g for g in it) for f in p):
                    sys.exit('%d queues: a queue is not in input order' % n)
            owner = {}
            for q, p in enumerate(parts):
                for f in p:
                    k = rss_split.flow_of(f)
                    if k and owner.setdefault(k, q) != q:
                        sys.exit('%d queues: a connection on queues %d and %d' % (n, owner[k], q))
            print('%d queues: %s frames, %d connections, each on one queue' %
                  (n, [len(p) for p in parts], len(owner)))
        outs = [os.path.join(d, 'src%d.pcap' % q) for q in range(2)]
        subprocess.run([sys.executable, rss_split.__file__, '--src', inp, '2'] + outs, check=True,
                       stdout=subprocess.DEVNULL)
        parts = [records(o) for o in outs]
        if sum(len(p) for p in parts) != len(frames) or any(not p for p in parts):
            sys.exit('--src: %s frames of %d' % ([len(p) for p in parts], len(frames)))
        owner = {}
        for q, p in enumerate(parts):
            for f in p:
                k = rss_split.flow_of(f, True)
                if k and owner.setdefault(k[0], q) != q:
                    sys.exit('--src: a source on queues %d and %d' % (owner[k], q))
        print('--src: %s frames, %d sources, each on one queue' % ([len(p) for p in parts], len(owner)))
        subprocess.run([sys.executable, rss_split.__file__, '--symmetric', inp, '2'] + outs,
                       check=True, stdout=subprocess.DEVNULL)
        parts = [records(o) for o in outs]
        if sum(len(p) for p in parts) != len(frames) or any(not p for p in parts):
            sys.exit('--symmetric: %s frames of %d' % ([len(p) for p in parts], len(frames)))
        owner, ways = {}, {}
        for q, p in enumerate(parts):
            for f in p:
                k = rss_split.flow_of(f)
                if not k:
                    continue
                a, ports = k[0][:8], k[0][8:]
                # the connection, whichever way: lower (address, port) first
                ends = sorted([(a[:4], ports[:2]), (a[4:], ports[2:])])
                conn = (ends[0][0] + ends[1][0] + ends[0][1] + ends[1][1], k[1])
                if owner.setdefault(conn, q) != q:
                    sys.exit('--symmetric: a connection on queues %d and %d' % (owner[conn], q))
                ways.setdefault(conn, set()).add(ends[0] == (a[:4], ports[:2]))
        both = sum(len(w) == 2 for w in ways.values())
        if not both:
            sys.exit('--symmetric: no connection in the capture is seen both ways')
        print('--symmetric: %s frames, %d connections (%d seen both ways), each on one queue' %
              ([len(p) for p in parts], len(owner), both))
    print('PASS')


if __name__ == '__main__':
    main()
