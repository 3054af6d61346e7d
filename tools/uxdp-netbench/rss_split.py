#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""rss_split.py [--src|--symmetric] IN.pcap N OUT0.pcap ... OUTN-1.pcap - a capture split as a NIC's RSS would.

scaling.sh gives each DPDK queue a capture of its own.  A NIC spreads
connections over queues by hashing each frame's addresses and ports
(RSS): every frame of one connection arrives on one queue, so one worker
owns that connection's per-flow state.  This spreads a capture the same
way: the Toeplitz hash with the key NICs default to (Microsoft's RSS
verification key), over source and destination IPv4 addresses and, for
TCP and UDP, ports, as NICs hash IPv4 TCP/UDP; its low 7 bits index a
128-entry indirection table filled round robin (queue = entry % N).
Frames that are not IPv4 (after at most one VLAN tag) go to queue 0.
With --src the hash covers the source address only (ethtool's
rx-flow-hash field "s", on NICs that allow it): every frame of one source
on one queue, so per-source state has one writer.  With --symmetric the
key is 0x6d5a repeated, which hashes both directions of a connection
alike (the key stateful DPDK applications configure): a connection's
replies on the queue of its requests, so per-connection state kept for
both directions has one writer.
Prints each output's frame and distinct-flow counts.
"""
import struct
import sys

SYMMETRIC_KEY = bytes.fromhex('6d5a' * 20)
KEY = bytes.fromhex('6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c'
                    '6a42b73bbeac01fa')


def toeplitz(data, key_bytes=KEY):
    key = int.from_bytes(key_bytes, 'big')
    klen = len(key_bytes) * 8
    h = 0
    for i, byte in enumerate(data):
        for b in range(8):
            if byte & (0x80 >> b):
                bit = i * 8 + b
                h ^= (key >> (klen - 32 - bit)) & 0xffffffff
    return h


def flow_of(frame, src_only=False):
    off, eth = 14, struct.unpack_from('!H', frame, 12)[0] if len(frame) >= 14 else 0
    if eth == 0x8100 and len(frame) >= 18:
        eth, off = struct.unpack_from('!H', frame, 16)[0], 18
    if eth != 0x0800 or len(frame) < off + 20:
        return None
    ihl = (frame[off] & 0xf) * 4
    proto = frame[off + 9]
    addrs = frame[off + 12:off + 20]
    frag = struct.unpack_from('!H', frame, off + 6)[0] & 0x3fff
    l4 = off + ihl
    if src_only:
        return addrs[:4], proto
    if proto in (6, 17) and not frag and len(frame) >= l4 + 4:
        return addrs + frame[l4:l4 + 4], proto
    return addrs, proto


def main():
    args = sys.argv[1:]
    mode = args[0] if args and args[0] in ('--src', '--symmetric') else ''
    if mode:
        args = args[1:]
    src_only, key = mode == '--src', SYMMETRIC_KEY if mode == '--symmetric' else KEY
    if len(args) < 3 or not args[1].isdigit() or len(args) != 2 + int(args[1]):
        sys.exit(__doc__.splitlines()[0])
    n = int(args[1])
    data = open(args[0], 'rb').read()
    if len(data) < 24 or struct.unpack_from('<I', data)[0] != 0xa1b2c3d4:
        sys.exit('rss_split.py: %s: not a little-endian microsecond pcap' % args[0])
    outs = [open(p, 'wb') for p in args[2:]]
    for o in outs:
        o.write(data[:24])
    frames, flows = [0] * n, [set() for _ in range(n)]
    pos = 24
    while pos + 16 <= len(data):
        incl = struct.unpack_from('<I', data, pos + 8)[0]
        frame = data[pos + 16:pos + 16 + incl]
        f = flow_of(frame)
        h = flow_of(frame, src_only) if src_only else f
        q = (toeplitz(h[0], key) & 127) % n if h else 0
        outs[q].write(data[pos:pos + 16 + incl])
        frames[q] += 1
        if f:
            flows[q].add(f)
        pos += 16 + incl
    for o in outs:
        o.close()
    for q in range(n):
        print('%s: %d frames, %d flows' % (args[2 + q], frames[q], len(flows[q])))


if __name__ == '__main__':
    main()
