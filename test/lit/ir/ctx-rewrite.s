# ctx rewrite: 32-bit loads of struct xdp_md become loads of struct uxdp_ctx:
# data/data_end/data_meta are 64-bit pointers at 0/8/16, the other fields
# 32-bit at 24/28/32.  The ctx survives a spill to the stack.
# RUN: %uxdp-as %s -o %t.bin
# RUN: %uxdpc --raw --xdp -p ctxp -O0 --emit-llvm -o - %t.bin | %FileCheck %s
# CHECK-LABEL: define i64 @ctxp(ptr noalias %0)
# CHECK: %data = load ptr, ptr {{%[0-9]+}}
# CHECK: ptrtoint ptr %data to i64
ldxw %r2, [%r1]
# CHECK: [[E:%[0-9]+]] = getelementptr i8, ptr %0, i64 8
# CHECK: %data_end = load ptr, ptr [[E]]
ldxw %r3, [%r1+4]
# CHECK: [[M:%[0-9]+]] = getelementptr i8, ptr %0, i64 16
# CHECK: %data_meta = load ptr, ptr [[M]]
ldxw %r4, [%r1+8]
stxdw [%r10-8], %r1
mov %r1, 0
ldxdw %r6, [%r10-8]
# CHECK: [[I:%[0-9]+]] = getelementptr i8, ptr %0, i64 24
# CHECK: %ingress_ifindex = load i32, ptr [[I]]
ldxw %r5, [%r6+12]
# CHECK: [[Q:%[0-9]+]] = getelementptr i8, ptr %0, i64 28
# CHECK: %rx_queue_index = load i32, ptr [[Q]]
ldxw %r5, [%r6+16]
# CHECK: [[G:%[0-9]+]] = getelementptr i8, ptr %0, i64 32
# CHECK: %egress_ifindex = load i32, ptr [[G]]
ldxw %r5, [%r6+20]
# A load from the packet is not rewritten.
# CHECK: [[P:%[0-9]+]] = inttoptr i64 %{{[0-9]+}} to ptr
# CHECK: load i8, ptr [[P]], align 1
ldxb %r0, [%r2]
mov %r0, 2
exit
