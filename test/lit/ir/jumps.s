# Conditional jumps: JMP compares 64 bits with a sign-extended imm; JMP32
# compares the low 32 bits; jset tests dst & src != 0; ja32 takes imm.
# RUN: %uxdp-as %s -o %t.bin
# RUN: %uxdpc --raw -p jumps -O0 --emit-llvm -o - %t.bin | %FileCheck %s
# CHECK-LABEL: define i64 @jumps(
# CHECK: icmp eq i64 %{{[0-9]+}}, -2147483648
jeq %r1, 0x80000000, fail
# CHECK: icmp sgt i64
jsgt %r1, %r2, fail
# CHECK: [[A:%[0-9]+]] = and i64 %{{[0-9]+}}, 4
# CHECK: icmp ne i64 [[A]], 0
jset %r1, 4, fail
# CHECK: trunc i64 %{{[0-9]+}} to i32
# CHECK: icmp ult i32
jlt32 %r1, 7, fail
# CHECK: icmp sle i32
jsle32 %r1, %r2, fail
ja32 ok
fail:
mov %r0, 1
exit
ok:
mov %r0, 0
exit
