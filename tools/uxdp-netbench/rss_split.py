#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""rss_split.py IN.pcap N OUT0.pcap ... OUTN-1.pcap - a capture split as a NIC's RSS would.

scaling.sh gives each DPDK queue a capture of its own.  A NIC spreads
connections over queues by hashing each frame's addresses and ports
(RSS): every frame of one connection arrives on one queue, so one worker
owns that connection's per-flow state.  This spreads a capture the same
way: the Toeplitz hash with the key NICs default to (Microsoft's RSS
verification key), over source and destination IPv4 addresses and, for
TCP and UDP, ports, as NICs hash IPv4 TCP/UDP; its low 7 bits index a
128-entry indirection table filled round robin (queue = entry % N).
Frames that are not IPv4 (after at most one VLAN tag) go to queue 0.
Prints each output's frame and distinct-flow counts.
"""
import struct
import sys

KEY = bytes.fromhex('6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c'
                    '6a42b73bbeac01fa')


def toeplitz(data):
    key = int.from_bytes(KEY, 'big')
    klen = len(KEY) * 8
    h = 0
    for i, byte in enumerate(data):
        for b in range(8):
            if byte & (0x80 >> b):
                bit = i * 8 + b
                h ^= (key >> (klen - 32 - bit)) & 0xffffffff
    return h


def flow_of(frame):
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
    if proto in (6, 17) and not frag and len(frame) >= l4 + 4:
        return addrs + frame[l4:l4 + 4], proto
    return addrs, proto


def main():
    if len(sys.argv) < 4 or len(sys.argv) != 3 + int(sys.argv[2]):
        sys.exit(__doc__.splitlines()[0])
    n = int(sys.argv[2])
    data = open(sys.argv[1], 'rb').read()
    if len(data) < 24 or struct.unpack_from('<I', data)[0] != 0xa1b2c3d4:
        sys.exit('rss_split.py: %s: not a little-endian microsecond pcap' % sys.argv[1])
    outs = [open(p, 'wb') for p in sys.argv[3:]]
    for o in outs:
        o.write(data[:24])
    frames, flows = [0] * n, [set() for _ in range(n)]
    pos = 24
    while pos + 16 <= len(data):
        incl = struct.unpack_from('<I', data, pos + 8)[0]
        frame = data[pos + 16:pos + 16 + incl]
        f = flow_of(frame)
        q = (toeplitz(f[0]) & 127) % n if f else 0
        outs[q].write(data[pos:pos + 16 + incl])
        frames[q] += 1
        if f:
            flows[q].add(f)
        pos += 16 + incl
    for o in outs:
        o.close()
    for q in range(n):
        print('%s: %d frames, %d flows' % (sys.argv[3 + q], frames[q], len(flows[q])))


if __name__ == '__main__':
    main()
