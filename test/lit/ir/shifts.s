# Shift counts are masked to the width (RFC 9669 4.1): LLVM would give poison.
# RUN: %uxdp-as %s -o %t.bin
# RUN: %uxdpc --raw -p shifts -O0 --emit-llvm -o - %t.bin | %FileCheck %s
# CHECK-LABEL: define i64 @shifts(
# CHECK: [[C1:%[0-9]+]] = and i64 %{{[0-9]+}}, 63
# CHECK: shl i64 %{{[0-9]+}}, [[C1]]
# An immediate count is masked at compile time: 70 & 63 = 6.
# CHECK: lshr i64 %{{[0-9]+}}, 6
# CHECK: [[C3:%[0-9]+]] = and i32 %{{[0-9]+}}, 31
# CHECK: ashr i32 %{{[0-9]+}}, [[C3]]
# CHECK: lshr i32 %{{[0-9]+}}, 1
mov %r0, %r1
lsh %r0, %r2
rsh %r0, 70
arsh32 %r0, %r2
rsh32 %r0, 33
exit
