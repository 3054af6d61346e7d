# movsx (ISA v4): sign-extend 8/16/32 bits of the source.
# RUN: %uxdp-as %s -o %t.bin
# RUN: %uxdpc --raw -p movsx -O0 --emit-llvm -o - %t.bin | %FileCheck %s
# CHECK-LABEL: define i64 @movsx(
# CHECK: [[A:%[0-9]+]] = trunc i64 %{{[0-9]+}} to i8
# CHECK-NEXT: sext i8 [[A]] to i64
movsx864 %r0, %r1
# CHECK: [[B:%[0-9]+]] = trunc i32 %{{[0-9]+}} to i16
# CHECK-NEXT: [[C:%[0-9]+]] = sext i16 [[B]] to i32
# CHECK-NEXT: zext i32 [[C]] to i64
movsx1632 %r0, %r1
# CHECK: trunc i64 %{{[0-9]+}} to i32
# CHECK-NEXT: sext i32 %{{[0-9]+}} to i64
movsx3264 %r0, %r1
exit
