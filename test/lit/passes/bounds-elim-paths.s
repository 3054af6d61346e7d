# A check on a phi cursor (the IPv4 header after an optional VLAN tag) is
# implied on one incoming path only: the entry guard is widened to 34 bytes,
# which covers the untagged frame's IPv4 header but not the tagged one's (38).
# The tag check (18) goes; the IPv4 check gets an i1 phi saying on which edge
# it is still needed.
# RUN: %uxdp-as %s -o %t.bin
# RUN: %uxdpc --raw --xdp -p paths %t.bin -O2 --remarks --emit-llvm -o %t.ll 2> %t.remarks
# RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
# RUN: %FileCheck %s < %t.ll
# REMARK: bounds-elim: 3 packet checks, 2 guards widened, 1 checks removed, 1 removed on some paths, 0 dropped (unsafe); 2 left after LLVM
# CHECK-LABEL: define {{.*}}@paths(
# CHECK: %pkt.guard.end{{[0-9]*}} = add i64 %{{[0-9]+}}, 34
# CHECK-NEXT: icmp ugt i64 %pkt.guard.end
# CHECK: icmp ugt i64
# CHECK-NEXT: %pkt.check.gated = and i1
# CHECK-NOT: icmp ugt
ldxw %r2, [%r1]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 14
jgt %r4, %r3, pass
ldxh %r5, [%r2+12]
mov %r6, %r2
add %r6, 14
jne %r5, 0x81, l3
mov %r4, %r2
add %r4, 18
jgt %r4, %r3, pass
ldxh %r5, [%r2+16]
mov %r6, %r2
add %r6, 18
l3:
jne %r5, 8, pass
mov %r4, %r6
add %r4, 20
jgt %r4, %r3, pass
ldxb %r0, [%r6+9]
and %r0, 1
exit
pass:
mov %r0, 2
exit
