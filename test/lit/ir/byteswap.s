# le16/le32 on a little-endian host only truncate; be* and bswap* swap; all
# zero-extend from the width (RFC 9669 4.2).
# RUN: %uxdp-as %s -o %t.bin
# RUN: %uxdpc --raw -p byteswap -O0 --emit-llvm -o - %t.bin | %FileCheck %s
# CHECK-LABEL: define i64 @byteswap(
# CHECK: [[T:%[0-9]+]] = trunc i64 %{{[0-9]+}} to i16
# CHECK-NEXT: zext i16 [[T]] to i64
mov %r0, %r1
le16 %r0
# CHECK: call i32 @llvm.bswap.i32(i32
be32 %r0
# CHECK: call i64 @llvm.bswap.i64(i64
bswap64 %r0
# CHECK: call i16 @llvm.bswap.i16(i16
bswap16 %r0
exit
