# Loads and stores: every width, alignment 1 (eBPF allows unaligned access),
# zero- or sign-extending loads (ldxs*, ISA v4).
# RUN: %uxdp-as %s -o %t.bin
# RUN: %uxdpc --raw -p load_store -O0 --emit-llvm -o - %t.bin | %FileCheck %s
# CHECK-LABEL: define i64 @load_store(
# CHECK: [[P:%[0-9]+]] = add i64 %{{[0-9]+}}, 2
# CHECK: [[Q:%[0-9]+]] = inttoptr i64 [[P]] to ptr
# CHECK: load i8, ptr [[Q]], align 1
# CHECK: zext i8
ldxb %r0, [%r1+2]
# CHECK: load i16, ptr %{{[0-9]+}}, align 1
ldxh %r0, [%r1]
# CHECK: load i32, ptr %{{[0-9]+}}, align 1
ldxw %r0, [%r1]
# CHECK: load i64, ptr %{{[0-9]+}}, align 1
ldxdw %r0, [%r1]
# CHECK: load i8, ptr %{{[0-9]+}}, align 1
# CHECK: sext i8
ldxsb %r0, [%r1]
# Stack slots at offsets known on every path are addressed from the frame
# (a GEP on the stack alloca), so LLVM can tell them apart.
# CHECK: %slot = getelementptr i8, ptr %stack, i64 504
# CHECK: store i64 %{{[0-9]+}}, ptr %slot, align 1
stxdw [%r10-8], %r0
# CHECK: [[S2:%slot[0-9]*]] = getelementptr i8, ptr %stack, i64 511
# CHECK: store i8 -1, ptr [[S2]], align 1
stb [%r10-1], 255
# CHECK: trunc i64 %{{[0-9]+}} to i16
# CHECK: store i16
stxh [%r10-4], %r1
# Through a copy of r10 with an offset: still the same slot.
mov %r2, %r10
add %r2, -16
# CHECK: getelementptr i8, ptr %stack, i64 496
stxdw [%r2], %r0
exit
