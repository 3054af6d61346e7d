#!/bin/bash
# SPDX-License-Identifier: MIT
#
# kfunc_test.sh - a program calling kfuncs, loaded through the bpf() layer:
# Debian's bpftool, unmodified, loads kfuncs.bpf.o (bpf_for's numbers
# iterator, a packet dynptr, bpf_xdp_pull_data, one call in a subprogram)
# and runs it on frames of three lengths, once on the kernel and once under
# uxdp-run against a uxdpd.  libbpf hands the kfuncs over as BTF ids of
# vmlinux; the layer names them for uxdpc.  Return values and data_out must
# be the same, and every run must have run.
#
# Instance, socket and bpffs mount are named after $$ and removed by the
# EXIT trap.  Environment (CMake): UXDPD RUN PYTHON OBJ.
# Exit: 0 pass, 1 fail, 77 skip.
. "$(dirname "$0")/daemon_lib.sh" uxkf kfunc
need_root "bpftool prog load on the kernel"
command -v bpftool >/dev/null || skip "no bpftool"
[ -r /sys/kernel/btf/vmlinux ] || skip "no kernel BTF: libbpf cannot resolve kfuncs"
mount_bpffs

runs() { # RUN-PREFIX PIN -> "len N: Return value R, data_out HEX" lines
	local len
	for len in 20 60 300; do
		"$PYTHON" -c 'import sys; n = int(sys.argv[1]); sys.stdout.buffer.write(bytes((i * 7 + 3) & 255 for i in range(n)))' \
			$len >$tmp/f$len.in
		prog_run "len $len" "$1" "pinned $2" $tmp/f$len.in
	done
}

bpftool prog load "$OBJ" $tmp/bpffs/k type xdp 2>$tmp/kload.log ||
	skip "the kernel refuses the object: $(tail -1 $tmp/kload.log)"
runs "" $tmp/bpffs/k >$tmp/kernel.out
rm $tmp/bpffs/k

start_pcap_uxdpd

"$RUN" --instance $inst bpftool prog load "$OBJ" $tmp/bpffs/u type xdp >$tmp/uload.log 2>&1 ||
	fail "bpftool prog load under uxdp-run: $(cat $tmp/uload.log)"
runs "$RUN --instance $inst" $tmp/bpffs/u >$tmp/uxdp.out
diff -u $tmp/kernel.out $tmp/uxdp.out || fail "the kernel and uxdp differ"
[ "$(grep -c 'Return value: [0-9]*, data_out [0-9a-f]\{40,\}$' $tmp/uxdp.out)" = 3 ] ||
	fail "not three runs with output"
echo "kernel and uxdp agree on 3 runs of a program calling 6 kfuncs, loaded by bpftool"
rm $tmp/bpffs/u
