# SPDX-License-Identifier: MIT
"""check.py - the replacement tests' helpers.

  check.py mkpcap OUT N                 N UDP frames of 64 bytes, each different
  check.py pcap IN OUT                  every output record is input record i % N
                                        with its MACs swapped and byte 42 'A' or 'B',
                                        nothing else changed; prints counts
  check.py rx IFACE EXPECTED TIMEOUT    receive on IFACE (frames sent to us) until
                                        EXPECTED frames or TIMEOUT s of silence;
                                        prints counts, duplicates, tags
  check.py object SOCK ID [FILE]        PROG_OBJECT (protocol 1.2) of program ID:
                                        with FILE, the descriptor must hold its
                                        bytes, sealed; without, the refusal's line
  check.py refs SOCK OBJ                program references (protocol 1.2): PROG_LOAD
                                        with REF and PROG_OPEN hand out descriptors
                                        named uxdp-prog:<instance>:<id>:...; the
                                        program stays while one is open (not held by
                                        the connection) and is released by the time
                                        the next request after the last close is
                                        answered; PROG_OPEN then ENOENT; REF with PIN
                                        EINVAL; op 14 (the unreleased PROG_HOLD) gone
Exit 1 with one line on any difference.
"""
import socket
import struct
import sys
import time

TAG_OFF = 42


def records(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack_from('<I', data)[0]
    assert magic in (0xa1b2c3d4, 0xa1b23c4d), f'{path}: not a pcap file'
    off, out = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack_from('<I', data, off + 8)[0]
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return out


def mkpcap(path, n):
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            ip = bytes([0x45, 0, 0, 50, 0, i & 0xff, 0, 0, 64, 17, 0, 0,
                        198, 18, 9, 1, 198, 18, 9, 2])
            udp = struct.pack('>HHHH', 10000 + i, 9, 30, 0)
            payload = bytes((i * 7 + k) & 0xff for k in range(22))
            r = bytes([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]) + b'\x08\x00' + ip + udp + payload
            f.write(struct.pack('<IIII', i, 0, len(r), len(r)) + r)


def expect(frame, tag):
    return frame[6:12] + frame[0:6] + frame[12:TAG_OFF] + tag + frame[TAG_OFF + 1:]


def check_pcap(inp, outp):
    ins, outs = records(inp), records(outp)
    want = {t: [expect(f, t) for f in ins] for t in (b'A', b'B')}
    tags = {b'A': 0, b'B': 0}
    switches, last = 0, None
    for i, o in enumerate(outs):
        t = o[TAG_OFF:TAG_OFF + 1]
        if t not in want or o != want[t][i % len(ins)]:
            sys.exit(f'FAIL: output record {i} is not input record {i % len(ins)} tagged A or B')
        tags[t] += 1
        switches += last is not None and t != last
        last = t
    print(f'records {len(outs)} A {tags[b"A"]} B {tags[b"B"]} switches {switches}')


def rx(iface, expected, timeout):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)  # SO_RCVBUFFORCE
    s.bind((iface, 0))
    s.settimeout(timeout)
    seen, dups, tags, other = set(), 0, {}, 0
    switches, last, n = 0, None, 0
    print('listening', flush=True)
    while n < expected:
        try:
            frame, addr = s.recvfrom(2048)
        except socket.timeout:
            break
        if addr[2] == socket.PACKET_OUTGOING or len(frame) <= TAG_OFF or frame[23] != 17:
            continue
        n += 1
        seq = struct.unpack_from('>H', frame, 18)[0]
        dups += seq in seen
        seen.add(seq)
        t = chr(frame[TAG_OFF])
        tags[t] = tags.get(t, 0) + 1
        if t not in 'AB':
            other += 1
        switches += last is not None and t != last
        last = t
    print(f'received {n} duplicates {dups} A {tags.get("A", 0)} B {tags.get("B", 0)} '
          f'untagged {other} switches {switches}')


def prog_object(path, prog_id, expect_file):
    """One PROG_OBJECT request on the daemon's socket, its reply checked."""
    import errno
    import fcntl
    import os
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    # struct uxdp_dmsg_hdr: magic, version, op, seq, status, len, reserved; then struct uxdp_dmsg_id
    s.send(struct.pack('<IHHIiII', 0x64647875, 1, 10, 7, 0, 4, 0) + struct.pack('<I', prog_id))
    msg, fds, _, _ = socket.recv_fds(s, 65536, 4)
    magic, _, op, seq, status, plen, _ = struct.unpack_from('<IHHIiII', msg)
    if magic != 0x64647875 or op != 10 or seq != 7 or plen != len(msg) - 24:
        sys.exit('object: malformed reply')
    if expect_file is None:
        if status >= 0 or fds:
            sys.exit(f'object {prog_id}: served ({status}, {len(fds)} descriptors), not refused')
        print(f'refused: {errno.errorcode.get(-status, status)}: {msg[24:].rstrip(bytes(1)).decode()}')
        return
    if status != 0 or len(fds) != 1:
        sys.exit(f'object {prog_id}: status {status}, {len(fds)} descriptors: {msg[24:]!r}')
    rid, _, _, _, size = struct.unpack_from('<IIIIQ', msg, 24)
    name = msg[24 + 24:24 + 24 + 64].rstrip(bytes(1)).decode()
    fd = fds[0]
    want = open(expect_file, 'rb').read()
    got = os.pread(fd, size + 1, 0)
    if rid != prog_id or size != len(want) or got != want:
        sys.exit(f'object {prog_id}: id {rid}, {size} bytes: not the {len(want)} bytes loaded')
    seals = fcntl.fcntl(fd, 1034)  # F_GET_SEALS
    if seals & 0xf != 0xf:  # SEAL, SHRINK, GROW, WRITE
        sys.exit(f'object {prog_id}: seals {seals:#x}')
    try:
        os.pwrite(fd, b'x', 0)
        sys.exit(f'object {prog_id}: the descriptor is writable')
    except PermissionError:
        pass
    print(f'object {prog_id} ({name}): {size} bytes, the object loaded, sealed')


def call(s, op, payload, nfds=0):
    """One request; (status, payload, descriptors)."""
    s.send(struct.pack('<IHHIiII', 0x64647875, 1, op, 9, 0, len(payload), 0) + payload)
    msg, fds, _, _ = socket.recv_fds(s, 65536, 4)
    magic, _, rop, seq, status, plen, _ = struct.unpack_from('<IHHIiII', msg)
    if magic != 0x64647875 or rop != op or seq != 9 or plen != len(msg) - 24:
        sys.exit(f'op {op}: malformed reply')
    return status, msg[24:], fds


def prog_refs(path, obj):
    """PROG_LOAD with REF, PROG_OPEN, and what closing their descriptors does."""
    import os
    load_ref = struct.pack('<II', 32, 0xffffffff) + os.path.abspath(obj).encode().ljust(4096, b'\0') + bytes(64)

    def connect():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.connect(path)
        return s

    def ref(what, reply):
        status, payload, fds = reply
        if status != 0 or len(fds) != 1:
            sys.exit(f'{what}: status {status}, {len(fds)} descriptors: {payload!r}')
        pid = struct.unpack_from('<I', payload)[0]
        name = socket.socket(fileno=os.dup(fds[0])).getsockname()
        if not isinstance(name, bytes) or not name.startswith(b'\0uxdp-prog:') or \
                name.split(b':')[2] != str(pid).encode():
            sys.exit(f'{what}: the descriptor is named {name!r}')
        return pid, fds[0], name

    def loaded(s, pid):
        status, payload, _ = call(s, 8, struct.pack('<I', pid))
        if status != 0:
            sys.exit(f'PROG_INFO {pid}: {status}')
        return not struct.unpack_from('<II', payload)[1] & 2  # RELEASED

    s = connect()
    pid, fd1, n1 = ref('PROG_LOAD with REF', call(s, 2, load_ref))
    _, fd2, n2 = ref('PROG_OPEN', call(s, 16, struct.pack('<I', pid)))
    if n1 == n2:
        sys.exit('two references with one name')
    os.close(fd1)
    if not loaded(s, pid):
        sys.exit('released with a reference open')
    os.close(fd2)
    if loaded(s, pid):
        sys.exit('still loaded after its last reference was closed')
    status, _, fds = call(s, 16, struct.pack('<I', pid))
    if status != -2 or fds:
        sys.exit(f'PROG_OPEN of a released program: {status}')
    # The reference, not the connection that loaded, holds it.
    c = connect()
    pid2, fd3, _ = ref('PROG_LOAD with REF', call(c, 2, load_ref))
    c.close()
    time.sleep(0.2)  # the daemon reads the connection's end
    if not loaded(s, pid2):
        sys.exit('released with the connection that loaded it, its reference open')
    os.close(fd3)
    if loaded(s, pid2):
        sys.exit('still loaded after its reference was closed')
    status, _, _ = call(s, 2, struct.pack('<II', 33, 0xffffffff) + load_ref[8:])
    if status != -22:
        sys.exit(f'PROG_LOAD with REF and PIN: {status}')
    status, _, _ = call(s, 14, struct.pack('<I', pid))
    if status != -95:
        sys.exit(f'op 14: {status}')
    print(f'program references: {n1[1:].decode()} and another held {pid}; '
          f'released with the last; {pid2} outlived its loading connection')


if __name__ == '__main__':
    cmd = sys.argv[1]
    if cmd == 'mkpcap':
        mkpcap(sys.argv[2], int(sys.argv[3]))
    elif cmd == 'pcap':
        check_pcap(sys.argv[2], sys.argv[3])
    elif cmd == 'rx':
        rx(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    elif cmd == 'refs':
        prog_refs(sys.argv[2], sys.argv[3])
    elif cmd == 'object':
        prog_object(sys.argv[2], int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else None)
