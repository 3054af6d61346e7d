# Helper calls in an XDP program call uxdp_helper_NAME with the helper's
# argument count; bpf_tail_call is followed by a check of ctx->tail_called.
# RUN: %uxdp-as %s -o %t.bin
# RUN: %uxdpc --raw --xdp -p helpers -O0 --emit-llvm -o - %t.bin | %FileCheck %s
# CHECK-LABEL: define i64 @helpers(
# CHECK: call i64 @uxdp_helper_ktime_get_ns()
call 5
mov %r6, %r1
# CHECK: call i64 @uxdp_helper_csum_diff(i64 %{{[0-9]+}}, i64 %{{[0-9]+}}, i64 %{{[0-9]+}}, i64 %{{[0-9]+}}, i64 %{{[0-9]+}})
call 28
mov %r1, %r6
mov %r2, 0
mov %r3, 0
# CHECK: call i64 @uxdp_helper_tail_call(i64
# CHECK: %tail_called = load i32
# CHECK: br i1 %{{[0-9]+}}, label %tail_call.taken, label %tail_call.not_taken
# CHECK: tail_call.taken:
# CHECK: %tail_call_ret = load i64
# CHECK-NEXT: ret i64 %tail_call_ret
call 12
mov %r0, 2
exit
# CHECK: declare i64 @uxdp_helper_ktime_get_ns()
# CHECK: declare i64 @uxdp_helper_csum_diff(i64, i64, i64, i64, i64)
