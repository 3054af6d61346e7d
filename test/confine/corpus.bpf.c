// SPDX-License-Identifier: MIT
/*
 * corpus.bpf.c - programs the kernel verifier rejects for memory or
 * termination reasons, one construct each, written in BPF assembly so that
 * clang emits exactly the construct.  corpus.txt says what each must do:
 * be refused by uxdpc, or, compiled without the kernel, end as XDP_ABORTED
 * on its trigger packet and pass its ok packet (run_corpus.c).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char _license[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u64);
	__type(value, __u64);
} hmap SEC(".maps");

struct big { __u64 a, b; };
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct big);
} big SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

const volatile __u64 ro_cfg = 1;
__u64 rw_cnt = 0;

#define IMMS [arr] "i"(&arr), [hmap] "i"(&hmap), [big] "i"(&big), [rb] "i"(&rb), \
	     [ro_cfg] "i"(&ro_cfg), [rw_cnt] "i"(&rw_cnt)

SEC("xdp") __attribute__((naked)) int pkt_read_no_check(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r0 = *(u8 *)(r2 + 20);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int pkt_read_far(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r0 = *(u8 *)(r2 + 2000);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int pkt_write_no_check(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"*(u8 *)(r2 + 20) = 1;\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int pkt_read_off_by_one(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r4 = r2;\n"
		"r4 += 14;\n"
		"if r4 > r3 goto out_%=;\n"
		"r0 = *(u8 *)(r2 + 14);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int pkt_u32_straddles_end(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r4 = r2;\n"
		"r4 += 16;\n"
		"if r4 > r3 goto out_%=;\n"
		"r0 = *(u32 *)(r2 + 14);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int pkt_u64_write_past_check(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r4 = r2;\n"
		"r4 += 14;\n"
		"if r4 > r3 goto out_%=;\n"
		"r5 = 7;\n"
		"*(u64 *)(r2 + 12) = r5;\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int pkt_negative_offset(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r0 = *(u8 *)(r2 - 1);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int pkt_var_offset_from_byte(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r4 = r2;\n"
		"r4 += 1;\n"
		"if r4 > r3 goto out_%=;\n"
		"r4 = *(u8 *)(r2 + 0);\n"
		"r4 <<= 4;\n"
		"r5 = r2;\n"
		"r5 += r4;\n"
		"r0 = *(u8 *)(r5 + 0);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int pkt_var_offset_u64(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r4 = r2;\n"
		"r4 += 8;\n"
		"if r4 > r3 goto out_%=;\n"
		"r4 = *(u64 *)(r2 + 0);\n"
		"r5 = r2;\n"
		"r5 += r4;\n"
		"r0 = *(u8 *)(r5 + 0);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int pkt_check_reversed(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r4 = r2;\n"
		"r4 += 14;\n"
		"if r4 <= r3 goto out_%=;\n"
		"r0 = *(u8 *)(r2 + 10);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int pkt_check_other_length(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r4 = r2;\n"
		"r4 += 20;\n"
		"if r4 > r3 goto out_%=;\n"
		"r0 = *(u32 *)(r2 + 36);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int pkt_loop_walks_off_end(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r5 = r2;\n"
		"loop_%=:\n"
		"r0 = *(u8 *)(r5 + 0);\n"
		"r5 += 1;\n"
		"if r0 != 0 goto loop_%=;\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int pkt_end_deref(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r0 = *(u8 *)(r3 + 0);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int pkt_end_arith(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r3 += -1;\n"
		"r0 = *(u8 *)(r3 + 0);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int pkt_stale_after_adjust_head(void)
{
	asm volatile(
		"r6 = r1;\n"
		"r7 = *(u32 *)(r6 + 0);\n"
		"r8 = *(u32 *)(r6 + 4);\n"
		"r4 = r7;\n"
		"r4 += 14;\n"
		"if r4 > r8 goto out_%=;\n"
		"r1 = r6;\n"
		"r2 = 0;\n"
		"call 44;\n"
		"r0 = *(u8 *)(r7 + 0);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int pkt_stale_after_adjust_tail(void)
{
	asm volatile(
		"r6 = r1;\n"
		"r7 = *(u32 *)(r6 + 0);\n"
		"r8 = *(u32 *)(r6 + 4);\n"
		"r4 = r7;\n"
		"r4 += 14;\n"
		"if r4 > r8 goto out_%=;\n"
		"r1 = r6;\n"
		"r2 = 0;\n"
		"call 65;\n"
		"r0 = *(u8 *)(r7 + 0);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int pkt_stale_after_adjust_meta(void)
{
	asm volatile(
		"r6 = r1;\n"
		"r7 = *(u32 *)(r6 + 0);\n"
		"r8 = *(u32 *)(r6 + 4);\n"
		"r4 = r7;\n"
		"r4 += 14;\n"
		"if r4 > r8 goto out_%=;\n"
		"r1 = r6;\n"
		"r2 = 0;\n"
		"call 54;\n"
		"r0 = *(u8 *)(r7 + 0);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int meta_read_no_check(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 8);\n"
		"r0 = *(u8 *)(r2 + 0);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int meta_read_past_check(void)
{
	asm volatile(
		"r6 = r1;\n"
		"r2 = -4;\n"
		"call 54;\n"
		"r2 = *(u32 *)(r6 + 8);\n"
		"r3 = *(u32 *)(r6 + 0);\n"
		"r4 = r2;\n"
		"r4 += 4;\n"
		"if r4 > r3 goto out_%=;\n"
		"r0 = *(u8 *)(r2 + 4);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int atomic_on_packet(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r4 = r2;\n"
		"r4 += 8;\n"
		"if r4 > r3 goto out_%=;\n"
		"r5 = 1;\n"
		"lock *(u64 *)(r2 + 0) += r5;\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int stack_write_below_frame(void)
{
	asm volatile(
		"r4 = 0;\n"
		"*(u64 *)(r10 - 520) = r4;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int stack_write_at_fp(void)
{
	asm volatile(
		"r4 = 0;\n"
		"*(u64 *)(r10 + 0) = r4;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int stack_read_above_fp(void)
{
	asm volatile(
		"r0 = *(u64 *)(r10 + 8);\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int stack_write_straddles_fp(void)
{
	asm volatile(
		"r4 = 0;\n"
		"*(u64 *)(r10 - 4) = r4;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int stack_ptr_minus_far(void)
{
	asm volatile(
		"r4 = r10;\n"
		"r4 += -4096;\n"
		"r5 = 1;\n"
		"*(u64 *)(r4 + 0) = r5;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int stack_var_write(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r4 = r2;\n"
		"r4 += 1;\n"
		"if r4 > r3 goto out_%=;\n"
		"r4 = *(u8 *)(r2 + 0);\n"
		"r4 <<= 2;\n"
		"r5 = r10;\n"
		"r5 += -512;\n"
		"r5 += r4;\n"
		"r6 = 0;\n"
		"*(u32 *)(r5 + 0) = r6;\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int stack_var_read(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r4 = r2;\n"
		"r4 += 1;\n"
		"if r4 > r3 goto out_%=;\n"
		"r4 = *(u8 *)(r2 + 0);\n"
		"r4 <<= 2;\n"
		"r5 = r10;\n"
		"r5 += -512;\n"
		"r5 += r4;\n"
		"r0 = *(u32 *)(r5 + 0);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int stack_var_unbounded(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r4 = r2;\n"
		"r4 += 8;\n"
		"if r4 > r3 goto out_%=;\n"
		"r4 = *(u64 *)(r2 + 0);\n"
		"r5 = r10;\n"
		"r5 += r4;\n"
		"r6 = 0;\n"
		"*(u8 *)(r5 + 0) = r6;\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int stack_uninit_read(void)
{
	asm volatile(
		"r0 = *(u64 *)(r10 - 8);\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int reg_uninit_read(void)
{
	asm volatile(
		"r0 = r5;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int reg_read_after_call_clobber(void)
{
	asm volatile(
		"r1 = 0;\n"
		"call 5;\n"
		"r0 = r1;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int reg_exit_without_r0(void)
{
	asm volatile(
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int map_value_no_null_check(void)
{
	asm volatile(
		"r4 = 0;\n"
		"*(u64 *)(r10 - 8) = r4;\n"
		"r1 = %[hmap] ll;\n"
		"r2 = r10;\n"
		"r2 += -8;\n"
		"call 1;\n"
		"r0 = *(u64 *)(r0 + 0);\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int map_value_deref_on_null_path(void)
{
	asm volatile(
		"r4 = 0;\n"
		"*(u64 *)(r10 - 8) = r4;\n"
		"r1 = %[hmap] ll;\n"
		"r2 = r10;\n"
		"r2 += -8;\n"
		"call 1;\n"
		"if r0 != 0 goto out_%=;\n"
		"r1 = *(u64 *)(r0 + 0);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int map_value_past_value_size(void)
{
	asm volatile(
		"r4 = 0;\n"
		"*(u32 *)(r10 - 4) = r4;\n"
		"r1 = %[arr] ll;\n"
		"r2 = r10;\n"
		"r2 += -4;\n"
		"call 1;\n"
		"if r0 == 0 goto out_%=;\n"
		"r1 = *(u64 *)(r0 + 8);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int map_value_negative_offset(void)
{
	asm volatile(
		"r4 = 0;\n"
		"*(u32 *)(r10 - 4) = r4;\n"
		"r1 = %[arr] ll;\n"
		"r2 = r10;\n"
		"r2 += -4;\n"
		"call 1;\n"
		"if r0 == 0 goto out_%=;\n"
		"r1 = *(u64 *)(r0 - 8);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int map_value_write_straddles_end(void)
{
	asm volatile(
		"r4 = 0;\n"
		"*(u32 *)(r10 - 4) = r4;\n"
		"r1 = %[arr] ll;\n"
		"r2 = r10;\n"
		"r2 += -4;\n"
		"call 1;\n"
		"if r0 == 0 goto out_%=;\n"
		"r1 = 1;\n"
		"*(u64 *)(r0 + 4) = r1;\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int map_value_var_offset(void)
{
	asm volatile(
		"r6 = *(u32 *)(r1 + 0);\n"
		"r7 = *(u32 *)(r1 + 4);\n"
		"r4 = r6;\n"
		"r4 += 1;\n"
		"if r4 > r7 goto out_%=;\n"
		"r8 = *(u8 *)(r6 + 0);\n"
		"r4 = 0;\n"
		"*(u32 *)(r10 - 4) = r4;\n"
		"r1 = %[arr] ll;\n"
		"r2 = r10;\n"
		"r2 += -4;\n"
		"call 1;\n"
		"if r0 == 0 goto out_%=;\n"
		"r0 += r8;\n"
		"r1 = *(u8 *)(r0 + 0);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int map_value_arith_before_null_check(void)
{
	asm volatile(
		"r4 = 0;\n"
		"*(u32 *)(r10 - 4) = r4;\n"
		"r1 = %[arr] ll;\n"
		"r2 = r10;\n"
		"r2 += -4;\n"
		"call 1;\n"
		"r0 += 8;\n"
		"if r0 == 0 goto out_%=;\n"
		"r1 = *(u8 *)(r0 + 0);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int map_value_write_rodata(void)
{
	asm volatile(
		"r1 = %[ro_cfg] ll;\n"
		"r2 = 2;\n"
		"*(u64 *)(r1 + 0) = r2;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int global_data_past_end(void)
{
	asm volatile(
		"r1 = %[rw_cnt] ll;\n"
		"r2 = *(u64 *)(r1 + 8);\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}


SEC("xdp") __attribute__((naked)) int map_key_too_short_on_stack(void)
{
	asm volatile(
		"r4 = 0;\n"
		"*(u32 *)(r10 - 4) = r4;\n"
		"r1 = %[hmap] ll;\n"
		"r2 = r10;\n"
		"r2 += -4;\n"
		"call 1;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int map_update_value_too_short(void)
{
	asm volatile(
		"r4 = 0;\n"
		"*(u32 *)(r10 - 4) = r4;\n"
		"r5 = 0;\n"
		"*(u64 *)(r10 - 16) = r5;\n"
		"r1 = %[big] ll;\n"
		"r2 = r10;\n"
		"r2 += -4;\n"
		"r3 = r10;\n"
		"r3 += -8;\n"
		"r4 = 0;\n"
		"call 2;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int map_lookup_scalar_map(void)
{
	asm volatile(
		"r4 = 0;\n"
		"*(u32 *)(r10 - 4) = r4;\n"
		"r1 = 1234;\n"
		"r2 = r10;\n"
		"r2 += -4;\n"
		"call 1;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int map_lookup_scalar_key(void)
{
	asm volatile(
		"r1 = %[arr] ll;\n"
		"r2 = 4096;\n"
		"call 1;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int map_update_pkt_value_short(void)
{
	asm volatile(
		"r6 = *(u32 *)(r1 + 0);\n"
		"r4 = 0;\n"
		"*(u32 *)(r10 - 4) = r4;\n"
		"r1 = %[arr] ll;\n"
		"r2 = r10;\n"
		"r2 += -4;\n"
		"r3 = r6;\n"
		"r4 = 0;\n"
		"call 2;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int ringbuf_no_null_check(void)
{
	asm volatile(
		"r1 = %[rb] ll;\n"
		"r2 = 16;\n"
		"r3 = 0;\n"
		"call 131;\n"
		"r1 = 1;\n"
		"*(u64 *)(r0 + 0) = r1;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int ringbuf_write_past_record(void)
{
	asm volatile(
		"r1 = %[rb] ll;\n"
		"r2 = 16;\n"
		"r3 = 0;\n"
		"call 131;\n"
		"if r0 == 0 goto out_%=;\n"
		"r1 = 1;\n"
		"*(u64 *)(r0 + 16) = r1;\n"
		"r1 = r0;\n"
		"r2 = 0;\n"
		"call 132;\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int ringbuf_submit_moved_pointer(void)
{
	asm volatile(
		"r1 = %[rb] ll;\n"
		"r2 = 16;\n"
		"r3 = 0;\n"
		"call 131;\n"
		"if r0 == 0 goto out_%=;\n"
		"r0 += 8;\n"
		"r1 = r0;\n"
		"r2 = 0;\n"
		"call 132;\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int ringbuf_reserve_variable_size(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 16);\n"
		"r1 = %[rb] ll;\n"
		"r3 = 0;\n"
		"call 131;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int ringbuf_output_too_long(void)
{
	asm volatile(
		"r4 = 0;\n"
		"*(u64 *)(r10 - 8) = r4;\n"
		"r1 = %[rb] ll;\n"
		"r2 = r10;\n"
		"r2 += -8;\n"
		"r3 = 64;\n"
		"r4 = 0;\n"
		"call 130;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int ringbuf_submit_scalar(void)
{
	asm volatile(
		"r1 = 4096;\n"
		"r2 = 0;\n"
		"call 132;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int ptr_from_packet(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r4 = r2;\n"
		"r4 += 8;\n"
		"if r4 > r3 goto out_%=;\n"
		"r4 = *(u64 *)(r2 + 0);\n"
		"r0 = *(u8 *)(r4 + 0);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int ptr_from_map_value(void)
{
	asm volatile(
		"r4 = 0;\n"
		"*(u32 *)(r10 - 4) = r4;\n"
		"r1 = %[arr] ll;\n"
		"r2 = r10;\n"
		"r2 += -4;\n"
		"call 1;\n"
		"if r0 == 0 goto out_%=;\n"
		"r4 = *(u64 *)(r0 + 0);\n"
		"r0 = *(u8 *)(r4 + 0);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int ptr_from_scalar_spill(void)
{
	asm volatile(
		"r4 = 4096;\n"
		"*(u64 *)(r10 - 8) = r4;\n"
		"r5 = *(u64 *)(r10 - 8);\n"
		"r0 = *(u8 *)(r5 + 0);\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int ptr_spill_partly_overwritten(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"*(u64 *)(r10 - 8) = r2;\n"
		"r4 = 65;\n"
		"*(u8 *)(r10 - 8) = r4;\n"
		"r5 = *(u64 *)(r10 - 8);\n"
		"r0 = *(u8 *)(r5 + 0);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int ptr_spill_misaligned(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"*(u64 *)(r10 - 12) = r2;\n"
		"r5 = *(u64 *)(r10 - 12);\n"
		"r0 = *(u8 *)(r5 + 0);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int ptr_from_ctx_field(void)
{
	asm volatile(
		"r4 = *(u32 *)(r1 + 12);\n"
		"r0 = *(u8 *)(r4 + 0);\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int ptr_pkt_end_minus_pkt(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r3 -= r2;\n"
		"r0 = *(u8 *)(r3 + 0);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int ctx_write(void)
{
	asm volatile(
		"r2 = 0;\n"
		"*(u32 *)(r1 + 0) = r2;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int ctx_pointer_arithmetic(void)
{
	asm volatile(
		"r1 += 4;\n"
		"r0 = *(u32 *)(r1 + 0);\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int ctx_bad_offset(void)
{
	asm volatile(
		"r0 = *(u32 *)(r1 + 24);\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int ctx_bad_size(void)
{
	asm volatile(
		"r0 = *(u64 *)(r1 + 0);\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int ctx_variable_offset(void)
{
	asm volatile(
		"r4 = *(u32 *)(r1 + 16);\n"
		"r4 &= 4;\n"
		"r1 += r4;\n"
		"r0 = *(u32 *)(r1 + 0);\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int helper_ctx_is_scalar(void)
{
	asm volatile(
		"r1 = 4096;\n"
		"r2 = 0;\n"
		"call 44;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int helper_csum_diff_pkt_too_long(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r4 = r2;\n"
		"r4 += 14;\n"
		"if r4 > r3 goto out_%=;\n"
		"r1 = r2;\n"
		"r2 = 64;\n"
		"r3 = 0;\n"
		"r4 = 0;\n"
		"r5 = 0;\n"
		"call 28;\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int helper_csum_diff_stack_too_long(void)
{
	asm volatile(
		"r4 = 0;\n"
		"*(u64 *)(r10 - 8) = r4;\n"
		"r1 = r10;\n"
		"r1 += -8;\n"
		"r2 = 16;\n"
		"r3 = 0;\n"
		"r4 = 0;\n"
		"r5 = 0;\n"
		"call 28;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int helper_csum_diff_size_unbounded(void)
{
	asm volatile(
		"r6 = r1;\n"
		"r4 = 0;\n"
		"*(u64 *)(r10 - 8) = r4;\n"
		"r2 = *(u32 *)(r6 + 16);\n"
		"r2 <<= 8;\n"
		"r1 = r10;\n"
		"r1 += -8;\n"
		"r3 = 0;\n"
		"r4 = 0;\n"
		"r5 = 0;\n"
		"call 28;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int helper_load_bytes_into_short_stack(void)
{
	asm volatile(
		"r2 = 0;\n"
		"r3 = r10;\n"
		"r3 += -16;\n"
		"r4 = 32;\n"
		"call 189;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int helper_load_bytes_into_packet(void)
{
	asm volatile(
		"r3 = *(u32 *)(r1 + 0);\n"
		"r2 = 0;\n"
		"r4 = 16;\n"
		"call 189;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int helper_store_bytes_from_packet_end(void)
{
	asm volatile(
		"r3 = *(u32 *)(r1 + 0);\n"
		"r2 = 0;\n"
		"r4 = 16;\n"
		"call 190;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int helper_tail_call_array_map(void)
{
	asm volatile(
		"r2 = %[arr] ll;\n"
		"r3 = 0;\n"
		"call 12;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int helper_redirect_map_hash(void)
{
	asm volatile(
		"r1 = %[hmap] ll;\n"
		"r2 = 0;\n"
		"r3 = 0;\n"
		"call 51;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int helper_strncmp_stack_string(void)
{
	asm volatile(
		"r4 = 0;\n"
		"*(u64 *)(r10 - 8) = r4;\n"
		"r1 = r10;\n"
		"r1 += -8;\n"
		"r2 = 4;\n"
		"r3 = r10;\n"
		"r3 += -8;\n"
		"call 182;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int helper_fib_lookup_params_too_short(void)
{
	asm volatile(
		"r4 = 0;\n"
		"*(u64 *)(r10 - 16) = r4;\n"
		"*(u64 *)(r10 - 8) = r4;\n"
		"r2 = r10;\n"
		"r2 += -16;\n"
		"r3 = 64;\n"
		"r4 = 0;\n"
		"call 69;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int helper_loop_callback_scalar(void)
{
	asm volatile(
		"r1 = 4;\n"
		"r2 = 1234;\n"
		"r3 = 0;\n"
		"r4 = 0;\n"
		"call 181;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}


SEC("xdp") __attribute__((naked)) int loop_infinite_ja(void)
{
	asm volatile(
		"loop_%=:\n"
		"goto loop_%=;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int loop_infinite_cond(void)
{
	asm volatile(
		"r0 = 1;\n"
		"loop_%=:\n"
		"if r0 != 0 goto loop_%=;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int loop_very_long(void)
{
	asm volatile(
		"r6 = 0;\n"
		"r7 = 0xffffffff ll;\n"
		"loop_%=:\n"
		"r6 += 1;\n"
		"if r6 < r7 goto loop_%=;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int loop_counter_reset(void)
{
	asm volatile(
		"r6 = 0;\n"
		"loop_%=:\n"
		"r6 += 1;\n"
		"if r6 < 100 goto loop_%=;\n"
		"r6 = 0;\n"
		"goto loop_%=;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int loop_nested_inner_infinite(void)
{
	asm volatile(
		"r6 = 0;\n"
		"outer_%=:\n"
		"r7 = 1;\n"
		"inner_%=:\n"
		"if r7 != 0 goto inner_%=;\n"
		"r6 += 1;\n"
		"if r6 < 10 goto outer_%=;\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

SEC("xdp") __attribute__((naked)) int loop_on_packet_byte(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r4 = r2;\n"
		"r4 += 1;\n"
		"if r4 > r3 goto out_%=;\n"
		"r4 = *(u8 *)(r2 + 0);\n"
		"loop_%=:\n"
		"if r4 != 0 goto loop_%=;\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

/*
 * Cases for the analysis' finer facts (docs/confinement.md): each is what
 * a fact must not be stretched to.
 */

/* A pointer made by an older run of `r6 = r2 + r8` is not covered by a
 * compare of the newer one (packet pointer ids). */
SEC("xdp") __attribute__((naked)) int pkt_id_older_pointer(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r4 = r2;\n"
		"r4 += 1;\n"
		"if r4 > r3 goto out_%=;\n"
		"r8 = *(u8 *)(r2 + 0);\n"
		"r9 = 0;\n"
		"r7 = r2;\n"
		"loop_%=:\n"
		"r6 = r2;\n"
		"r6 += r8;\n"
		"if r9 != 0 goto second_%=;\n"
		"r7 = r6;\n"
		"r8 = 0;\n"
		"r9 = 1;\n"
		"goto loop_%=;\n"
		"second_%=:\n"
		"r5 = r6;\n"
		"r5 += 1;\n"
		"if r5 > r3 goto out_%=;\n"
		"r0 = *(u8 *)(r7 + 0);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

/* A cursor walked to data_end: its compare covers the bytes before it,
 * not the two at it. */
SEC("xdp") __attribute__((naked)) int pkt_cursor_reads_at_end(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r5 = r2;\n"
		"loop_%=:\n"
		"if r5 > r3 goto out_%=;\n"
		"r0 = *(u16 *)(r5 + 0);\n"
		"r5 += 2;\n"
		"goto loop_%=;\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

/* 4 bytes spilled into the low half of a slot whose high half holds packet
 * bytes: an 8-byte read of the slot is not the spilled value. */
SEC("xdp") __attribute__((naked)) int stack_half_spill_read_u64(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r4 = r2;\n"
		"r4 += 4;\n"
		"if r4 > r3 goto out_%=;\n"
		"r6 = *(u32 *)(r2 + 0);\n"
		"*(u32 *)(r10 - 4) = r6;\n"
		"r6 = 0;\n"
		"*(u32 *)(r10 - 8) = r6;\n"
		"r6 = *(u64 *)(r10 - 8);\n"
		"r4 = 0;\n"
		"*(u32 *)(r10 - 16) = r4;\n"
		"r1 = %[arr] ll;\n"
		"r2 = r10;\n"
		"r2 += -16;\n"
		"call 1;\n"
		"if r0 == 0 goto out_%=;\n"
		"r0 += r6;\n"
		"r0 = *(u8 *)(r0 + 0);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

/* A value of arr (8 bytes) or of big (16) on two paths: offset 8 is past
 * arr's. */
SEC("xdp") __attribute__((naked)) int map_value_two_maps_past_smaller(void)
{
	asm volatile(
		"r6 = *(u32 *)(r1 + 16);\n"
		"r4 = 0;\n"
		"*(u32 *)(r10 - 4) = r4;\n"
		"r2 = r10;\n"
		"r2 += -4;\n"
		"if r6 == 0 goto small_%=;\n"
		"r1 = %[big] ll;\n"
		"call 1;\n"
		"if r0 == 0 goto out_%=;\n"
		"goto both_%=;\n"
		"small_%=:\n"
		"r1 = %[arr] ll;\n"
		"call 1;\n"
		"if r0 == 0 goto out_%=;\n"
		"both_%=:\n"
		"r1 = *(u64 *)(r0 + 8);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

/* A counter counted down past -1 (signed ranges: [-1, 3] is no bound on
 * an offset into a map value). */
SEC("xdp") __attribute__((naked)) int map_value_counter_below_zero(void)
{
	asm volatile(
		"r4 = 0;\n"
		"*(u32 *)(r10 - 4) = r4;\n"
		"r1 = %[arr] ll;\n"
		"r2 = r10;\n"
		"r2 += -4;\n"
		"call 1;\n"
		"if r0 == 0 goto out_%=;\n"
		"r6 = 3;\n"
		"loop_%=:\n"
		"r7 = r0;\n"
		"r7 += r6;\n"
		"r8 = *(u8 *)(r7 + 0);\n"
		"r6 += -1;\n"
		"if r6 != -2 goto loop_%=;\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

/* csum_diff's `from` is a map value on one path and NULL on the other,
 * with a size of 4 on both: NULL must come with a size of 0. */
SEC("xdp") __attribute__((naked)) int helper_null_with_size(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r4 = r2;\n"
		"r4 += 1;\n"
		"if r4 > r3 goto out_%=;\n"
		"r7 = *(u8 *)(r2 + 0);\n"
		"r4 = 0;\n"
		"*(u32 *)(r10 - 4) = r4;\n"
		"r1 = %[arr] ll;\n"
		"r2 = r10;\n"
		"r2 += -4;\n"
		"call 1;\n"
		"if r0 == 0 goto out_%=;\n"
		"r1 = r0;\n"
		"if r7 != 0 goto call_%=;\n"
		"r1 = 0;\n"
		"call_%=:\n"
		"r2 = 4;\n"
		"r3 = 0;\n"
		"r4 = 0;\n"
		"r5 = 0;\n"
		"call 28;\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

/*
 * A header cursor joined from two paths (r7 = data + (byte 1 & 0x3c) on
 * both): the join gives it one new id and carries over what both paths
 * proved of it, the least.  Here one path proved r7 + 20, the other only
 * r7 + 4: the read of r7[12..15] is checked (a 14-byte packet takes the
 * second path with r7 = data).
 */
SEC("xdp") __attribute__((naked)) int pkt_join_least_reach(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r4 = r2;\n"
		"r4 += 14;\n"
		"if r4 > r3 goto out_%=;\n"
		"r5 = *(u8 *)(r2 + 0);\n"
		"r6 = *(u8 *)(r2 + 1);\n"
		"r6 &= 0x3c;\n"
		"r7 = r2;\n"
		"r7 += r6;\n"
		"if r5 == 0 goto short_%=;\n"
		"r8 = r7;\n"
		"r8 += 20;\n"
		"if r8 > r3 goto out_%=;\n"
		"goto join_%=;\n"
		"short_%=:\n"
		"r8 = r7;\n"
		"r8 += 4;\n"
		"if r8 > r3 goto out_%=;\n"
		"join_%=:\n"
		"r0 = *(u32 *)(r7 + 12);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

/*
 * r8 is r7 + 20 on one path and r7 + 8 on the other: after the join they
 * are two pointers (no shared id), so the program's `if r8 > data_end`
 * proves nothing of r7, and the read of r7[12..15] is checked.
 */
SEC("xdp") __attribute__((naked)) int pkt_join_other_distance(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);\n"
		"r3 = *(u32 *)(r1 + 4);\n"
		"r4 = r2;\n"
		"r4 += 14;\n"
		"if r4 > r3 goto out_%=;\n"
		"r5 = *(u8 *)(r2 + 0);\n"
		"r6 = *(u8 *)(r2 + 1);\n"
		"r6 &= 0x3c;\n"
		"r7 = r2;\n"
		"r7 += r6;\n"
		"r8 = r7;\n"
		"r8 += 20;\n"
		"if r5 != 0 goto join_%=;\n"
		"r8 = r7;\n"
		"r8 += 8;\n"
		"join_%=:\n"
		"if r8 > r3 goto out_%=;\n"
		"r0 = *(u32 *)(r7 + 12);\n"
		"out_%=:\n"
		"r0 = 2;\n"
		"exit;\n"
		:: IMMS : "memory");
}

/* The numeric iterator in a map value, not on the stack. */
struct bpf_iter_num;
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

SEC("xdp") int iter_num_in_map_value(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *it = bpf_map_lookup_elem(&arr, &zero);

	if (!it)
		return XDP_PASS;
	bpf_iter_num_new((struct bpf_iter_num *)it, 0, 4);
	bpf_iter_num_destroy((struct bpf_iter_num *)it);
	return XDP_PASS;
}
