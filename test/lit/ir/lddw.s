# lddw: a 64-bit immediate from two slots.
# RUN: %uxdp-as %s -o %t.bin
# RUN: %uxdpc --raw -p lddw -O0 --emit-llvm -o - %t.bin | %FileCheck %s
# CHECK-LABEL: define i64 @lddw(
# CHECK: store i64 1234605616436508552, ptr %r0
lddw %r0, 0x1122334455667788
exit
