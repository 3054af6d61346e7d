# Local calls: one LLVM function per eBPF function, r1-r5 as arguments, r0
# returned; r6-r9 and the stack are the callee's own locals, so the caller's
# survive the call.  The hidden first argument is the ctx.
# RUN: %uxdp-as %s -o %t.bin
# RUN: %uxdpc --raw -p calls -O0 --emit-llvm -o - %t.bin | %FileCheck %s
# RUN: %uxdpc --raw -p calls -O2 --emit-llvm -o - %t.bin | %FileCheck --check-prefix=OPT %s
# CHECK-LABEL: define i64 @calls(i64 %0, i64 %1)
# CHECK: call i64 @calls.sub{{[0-9]+}}(ptr null, i64 %{{[0-9]+}}, i64 %{{[0-9]+}}, i64 %{{[0-9]+}}, i64 %{{[0-9]+}}, i64 %{{[0-9]+}})
# CHECK-LABEL: define internal i64 @calls.sub{{[0-9]+}}(ptr %0, i64 %1, i64 %2, i64 %3, i64 %4, i64 %5)
# CHECK: %stack = alloca [512 x i8]
mov %r6, 6
mov %r1, 1
mov %r2, 2
call local f
add %r0, %r6
exit
f:
mov %r6, 0
mov %r0, %r1
add %r0, %r2
exit
# After inlining, the result is the constant 1 + 2 + 6.
# OPT: ret i64 9
