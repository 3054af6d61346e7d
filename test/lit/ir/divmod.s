# Division: x/0 = 0, x%0 = x, signed INT_MIN/-1 = INT_MIN and INT_MIN%-1 = 0
# (RFC 9669 4.1); LLVM's udiv/sdiv/srem are UB there, so divisors are guarded.
# RUN: %uxdp-as %s -o %t.bin
# RUN: %uxdpc --raw -p divmod -O0 --emit-llvm -o - %t.bin | %FileCheck %s
# CHECK-LABEL: define i64 @divmod(
# CHECK: [[Z:%[0-9]+]] = icmp eq i64 [[Y:%[0-9]+]], 0
# CHECK: [[S:%[0-9]+]] = select i1 [[Z]], i64 1, i64 [[Y]]
# CHECK: [[Q:%[0-9]+]] = udiv i64 %{{[0-9]+}}, [[S]]
# CHECK: select i1 [[Z]], i64 0, i64 [[Q]]
mov %r0, %r1
div %r0, %r2
# CHECK: urem i32
# CHECK: select i1 %{{[0-9]+}}, i32 %{{[0-9]+}}, i32 %{{[0-9]+}}
mod32 %r0, %r2
# CHECK: icmp eq i64 %{{[0-9]+}}, -1
# CHECK: sdiv i64
# CHECK: sub i64 0,
sdiv %r0, %r2
# CHECK: srem i32
smod32 %r0, %r2
exit
