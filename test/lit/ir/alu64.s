# ALU64: each operation, K (sign-extended imm) and X forms (RFC 9669 4.1).
# RUN: %uxdp-as %s -o %t.bin
# RUN: %uxdpc --raw -p alu64 -O0 --emit-llvm -o - %t.bin | %FileCheck %s
# RUN: %uxdpc --raw -p alu64 -O2 --emit-llvm -o - %t.bin | %FileCheck --check-prefix=OPT %s
# CHECK-LABEL: define i64 @alu64(i64 %0, i64 %1)
mov %r0, %r1
# CHECK: add i64 %{{[0-9]+}}, -1
add %r0, -1
# CHECK: sub i64
sub %r0, %r2
# CHECK: mul i64
mul %r0, 3
# CHECK: or i64
or %r0, %r2
# CHECK: and i64
and %r0, 0xff
# CHECK: xor i64
xor %r0, %r1
# CHECK: sub i64 0,
neg %r0
exit
# The optimiser sees through the register allocas: no alloca is left.
# OPT-LABEL: define{{.*}} i64 @alu64(
# OPT-NOT: alloca
# OPT: ret i64
