/* SPDX-License-Identifier: MIT */
/*
 * Host stand-in for libbpf's bpf_endian.h: the host is little-endian x86-64,
 * so network order is a byte swap, which clang folds for constants just as
 * __bpf_constant_htons does.
 */
#ifndef __BPF_ENDIAN__
#define __BPF_ENDIAN__
#include <linux/types.h>

#define bpf_htons(x) ((__be16)__builtin_bswap16((__u16)(x)))
#define bpf_ntohs(x) ((__u16)__builtin_bswap16((__u16)(x)))
#define bpf_htonl(x) ((__be32)__builtin_bswap32((__u32)(x)))
#define bpf_ntohl(x) ((__u32)__builtin_bswap32((__u32)(x)))
#define bpf_cpu_to_be64(x) ((__be64)__builtin_bswap64((__u64)(x)))
#define bpf_be64_to_cpu(x) ((__u64)__builtin_bswap64((__u64)(x)))
#define __bpf_constant_htons(x) bpf_htons(x)
#define __bpf_constant_ntohs(x) bpf_ntohs(x)
#define __bpf_constant_htonl(x) bpf_htonl(x)
#define __bpf_constant_ntohl(x) bpf_ntohl(x)
#define __bpf_constant_cpu_to_be64(x) bpf_cpu_to_be64(x)
#define __bpf_constant_be64_to_cpu(x) bpf_be64_to_cpu(x)
#endif
