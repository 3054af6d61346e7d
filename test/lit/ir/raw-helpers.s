# A raw program has no helper set: call N and callx go to uxdp_raw_helper(N, r1..r5).
# RUN: %uxdp-as %s -o %t.bin
# RUN: %uxdpc --raw -p rawh -O0 --emit-llvm -o - %t.bin | %FileCheck %s
# CHECK-LABEL: define i64 @rawh(
# CHECK: call i64 @uxdp_raw_helper(i64 5, i64
call 5
mov %r2, 7
# CHECK: call i64 @uxdp_raw_helper(i64 %{{[0-9]+}}, i64
call %r2
exit
