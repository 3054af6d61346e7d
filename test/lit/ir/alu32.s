# ALU32: operands truncated to 32 bits, results zero-extended (RFC 9669 4.1).
# RUN: %uxdp-as %s -o %t.bin
# RUN: %uxdpc --raw -p alu32 -O0 --emit-llvm -o - %t.bin | %FileCheck %s
# CHECK-LABEL: define i64 @alu32(
# CHECK: [[D:%[0-9]+]] = trunc i64 %{{[0-9]+}} to i32
# CHECK: [[R:%[0-9]+]] = add i32 [[D]], -3
# CHECK: zext i32 [[R]] to i64
mov %r0, %r1
add32 %r0, -3
# CHECK: mul i32
mul32 %r0, %r2
# CHECK: sub i32 0,
neg32 %r0
exit
