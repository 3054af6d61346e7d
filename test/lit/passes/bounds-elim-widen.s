# Widening: a check whose success leads, through reads and compares only, to
# the same failure (return XDP_PASS) or to a later check on a longer length
# may test that length at once; the later checks it then implies go.  Here
# the ethertype and protocol compares between the checks fail to the same
# XDP_PASS, so a frame shorter than 54 bytes passes whichever path it takes,
# and one guard on 54 bytes is left.
# RUN: %uxdp-as %s -o %t.bin
# RUN: %uxdpc --raw --xdp -p widen %t.bin -O2 --remarks --emit-llvm -o %t.ll 2> %t.remarks
# RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
# RUN: %FileCheck %s < %t.ll
# RUN: %uxdpc --raw --xdp -p widen %t.bin -O2 -fno-bounds-elim --emit-llvm -o - | %FileCheck --check-prefix=OFF %s
# REMARK: bounds-elim: 3 packet checks, 2 guards widened, 2 checks removed, 0 removed on some paths, 0 dropped (unsafe); 1 left after LLVM
# CHECK-LABEL: define {{.*}}@widen(
# CHECK: %pkt.guard.end{{[0-9]*}} = add i64 %{{[0-9]+}}, 54
# CHECK: icmp ugt i64 %pkt.guard.end
# CHECK-NOT: icmp ugt
# CHECK: ret i64
# OFF-COUNT-3: icmp ugt
ldxw %r2, [%r1]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 14
jgt %r4, %r3, pass
ldxh %r5, [%r2+12]
jne %r5, 8, pass
mov %r4, %r2
add %r4, 34
jgt %r4, %r3, pass
ldxb %r6, [%r2+23]
jne %r6, 6, pass
mov %r4, %r2
add %r4, 54
jgt %r4, %r3, pass
ldxb %r0, [%r2+47]
and %r0, 1
exit
pass:
mov %r0, 2
exit
