# A run of packet checks with reads between them and the same failure
# (return XDP_PASS) becomes one guard on the largest length: the reads are
# side-effect free, so skipping them on a short packet changes nothing.
# LLVM's simplifycfg already does this when the reads can sink past the
# checks; bounds_elim.c's merge covers the runs it leaves.  Either way one
# check must be left.
# RUN: %uxdp-as %s -o %t.bin
# RUN: %uxdpc --raw --xdp -p merge %t.bin -O2 --remarks --emit-llvm -o %t.ll 2> %t.remarks
# RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
# RUN: %FileCheck %s < %t.ll
# REMARK: bounds-elim: 3 packet checks rewritten, {{[0-9]+}} merged into an earlier guard, 0 dropped (unsafe); {{[1-3]}} before LLVM, 1 left after
# CHECK-LABEL: define {{.*}}@merge(
# CHECK: %pkt.len = sub i64
# CHECK: icmp ult i64 %pkt.len, 54
# CHECK-NOT: icmp {{.*}} %pkt.len
# CHECK: ret i64
ldxw %r2, [%r1]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 14
jgt %r4, %r3, pass
ldxh %r5, [%r2+12]
mov %r4, %r2
add %r4, 34
jgt %r4, %r3, pass
ldxb %r6, [%r2+23]
xor %r5, %r6
mov %r4, %r2
add %r4, 54
jgt %r4, %r3, pass
ldxb %r6, [%r2+47]
xor %r5, %r6
and %r5, 1
mov %r0, %r5
exit
pass:
mov %r0, 2
exit
