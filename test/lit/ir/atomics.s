# Atomics (RFC 9669 5.3): plain forms monotonic (the kernel orders nothing
# around them), fetch forms, xchg and cmpxchg seq_cst; fetch forms return
# the old value in src; cmpxchg compares with r0 and always loads r0.
# RUN: %uxdp-as %s -o %t.bin
# RUN: %uxdpc --raw -p atomics -O0 --emit-llvm -o - %t.bin | %FileCheck %s
# CHECK-LABEL: define i64 @atomics(
stdw [%r10-8], 0
# CHECK: atomicrmw add ptr %slot{{[0-9]*}}, i64 %{{[0-9]+}} monotonic
lock add [%r10-8], %r1
# CHECK: [[OLD:%[0-9]+]] = atomicrmw or ptr %slot{{[0-9]*}}, i32 %{{[0-9]+}} seq_cst
# CHECK: zext i32 [[OLD]] to i64
lock fetch or32 [%r10-8], %r1
# CHECK: atomicrmw and ptr {{.*}} monotonic
lock and [%r10-8], %r1
# CHECK: atomicrmw xor ptr {{.*}} seq_cst
lock fetch xor [%r10-8], %r1
# CHECK: atomicrmw xchg ptr {{.*}} seq_cst
lock xchg [%r10-8], %r1
# CHECK: [[PAIR:%[0-9]+]] = cmpxchg ptr %slot{{[0-9]*}}, i64 %{{[0-9]+}}, i64 %{{[0-9]+}} seq_cst seq_cst
# CHECK: extractvalue { i64, i1 } [[PAIR]], 0
lock cmpxchg [%r10-8], %r1
exit
