#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""perf_shares.py PERF.DATA MAPS OBJECT [TOP] - where a uxdp run's workers spent their time.

For `perf record -e cpu-clock -p PID` of a running uxdp (scaling.sh --perf
saves PERF.DATA and MAPS, a copy of /proc/PID/maps): per thread, the share
of its samples in the program's code, in net_pcap and in the functions of
uxdp, and the TOP instructions of the program with the most samples.  The
program's code is the loader's anonymous executable mapping, which perf
cannot name; its offsets are those of the .text of OBJECT (the uxdpc .o the
run loaded), so each is shown with its instruction from objdump.  A cpu-clock
sample lands on the instruction after the one that waited (after a
`lock incq`, a load that missed).  Shares are of a thread's own running
time, so they hold when other processes take the CPU; hardware counters
(perf stat -e cache-misses, perf c2c) are not available in a VM without a
virtual PMU.
"""
import collections
import re
import subprocess
import sys


def program_base(maps):
    for line in open(maps):
        f = line.split()
        if len(f) == 5 and f[1] == 'r-xp':  # anonymous, executable: the loaded object
            return int(f[0].split('-')[0], 16)
    sys.exit('perf_shares.py: %s: no anonymous executable mapping' % maps)


def instructions(obj):
    out = subprocess.run(['objdump', '-d', '--no-show-raw-insn', obj], capture_output=True,
                         text=True, check=True).stdout
    insn, func, prev = {}, '?', None
    for line in out.splitlines():
        m = re.match(r'^[0-9a-f]+ <(.*)>:$', line)
        if m:
            func, prev = m.group(1), None
            continue
        m = re.match(r'^\s*([0-9a-f]+):\s*(.*)$', line)
        if m:
            text = ' '.join(m.group(2).split())
            # Shown with the instruction before it: the one a sample here waited on.
            insn[int(m.group(1), 16)] = '%s: %s   (after: %s)' % (func, text, prev)
            prev = text
    return insn


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__.split('\n')[0])
    data, maps, obj = sys.argv[1:4]
    top = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    base, insn = program_base(maps), instructions(obj)
    out = subprocess.run(['perf', 'script', '-i', data, '-F', 'comm,tid,ip,sym,dso'],
                         capture_output=True, text=True, check=True).stdout
    total, where, at = collections.Counter(), collections.Counter(), collections.Counter()
    for line in out.splitlines():
        f = line.split()
        if len(f) < 4:
            continue
        thread, ip, dso = '%s/%s' % (f[0], f[1]), int(f[2], 16), f[-1].strip('()')
        total[thread] += 1
        if 0 <= ip - base < 1 << 20 and 'perf-' in dso:
            where[thread, 'program'] += 1
            at[thread, ip - base] += 1
        elif 'net_pcap' in dso:
            where[thread, 'net_pcap (infinite_rx copy)'] += 1
        else:
            where[thread, '%s:%s' % (dso.split('/')[-1], ' '.join(f[3:-1]))] += 1
    for t in sorted(total):
        print('%s: %d samples' % (t, total[t]))
        parts = sorted(((n, k) for (tt, k), n in where.items() if tt == t), reverse=True)
        for n, k in parts[:6]:
            print('  %5.1f%%  %s' % (100 * n / total[t], k))
        hot = sorted(((n, o) for (tt, o), n in at.items() if tt == t), reverse=True)
        for n, o in hot[:top]:
            print('  %5.1f%%  +%#x  %s' % (100 * n / total[t], o, insn.get(o, '?')))


if __name__ == '__main__':
    main()
