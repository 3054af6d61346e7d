#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""scaling_chart.py RESULTS OUT.png [TITLE] - scaling.sh's runs as a picture.

RESULTS holds one line per run, as scaling.sh writes them: program, lcores
("0" or "0-1"), Mpps, LRU hit, load average, line transfer ns.  The chart:
per program, the median Mpps with one lcore and with two (a min-max whisker
over the rounds on each bar), the two-to-one ratio of the medians under the
program's name, and a dashed mark at 1.8x the one-lcore median (issue 10's
target).  Drawn with gnuplot, which uxdp-bench's charts use too.
"""
import os
import statistics
import subprocess
import sys
import tempfile


def runs(path):
    out = {}
    for line in open(path):
        f = line.split()
        if len(f) < 3:
            continue
        out.setdefault(f[0], {}).setdefault(f[1], []).append(float(f[2]))
    return out


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.splitlines()[0])
    res, png = sys.argv[1], sys.argv[2]
    title = sys.argv[3] if len(sys.argv) == 4 else 'two lcores against one (DPDK net_pcap)'
    data = runs(res)
    rows = []
    for prog, by in data.items():
        if '0' not in by or '0-1' not in by:
            continue
        one, two = statistics.median(by['0']), statistics.median(by['0-1'])
        rows.append((prog, one, min(by['0']), max(by['0']), two, min(by['0-1']), max(by['0-1'])))
    if not rows:
        sys.exit('scaling_chart.py: %s: no program with both lcore counts' % res)
    with tempfile.TemporaryDirectory() as d:
        dat = os.path.join(d, 'scaling.dat')
        with open(dat, 'w') as f:
            for i, (prog, one, lo1, hi1, two, lo2, hi2) in enumerate(rows):
                label = '%s\\n%.2fx' % (prog, two / one if one > 0 else 0)
                f.write('%d "%s" %f %f %f %f %f %f %f\n' % (i, label, one, lo1, hi1, two, lo2, hi2, 1.8 * one))
        plt = os.path.join(d, 'scaling.gp')
        with open(plt, 'w') as f:
            f.write('''set terminal pngcairo size 1100,560 font ",10" noenhanced
set output "%s"
set bmargin 4
set title "%s"
set ylabel "Mpps (median of the rounds; whiskers: min-max)"
set style fill solid 0.85 border -1
set boxwidth 0.34
set yrange [0:*]
set xrange [-0.6:%f]
set grid ytics
set key top right
set xtics nomirror
plot "%s" using ($1-0.18):3:xtic(2) with boxes lc rgb "#6baed6" title "1 lcore", \\
     "" using ($1-0.18):3:4:5 with yerrorbars lc rgb "#000000" pt 0 notitle, \\
     "" using ($1+0.18):6 with boxes lc rgb "#08306b" title "2 lcores", \\
     "" using ($1+0.18):6:7:8 with yerrorbars lc rgb "#000000" pt 0 notitle, \\
     "" using ($1+0.01):9:(0.34):(0) with vectors nohead dt 2 lw 2 lc rgb "#de2d26" title "1.8x one lcore"
''' % (png, title, len(rows) - 0.4, dat))
        r = subprocess.run(['gnuplot', plt], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit('scaling_chart.py: gnuplot: %s' % r.stderr.strip())
    print('scaling_chart.py: %s' % png)


if __name__ == '__main__':
    main()
