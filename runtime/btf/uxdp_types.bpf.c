// SPDX-License-Identifier: MIT
/*
 * uxdp_types.bpf.c - the types a program compiled by uxdpc runs against,
 * as BTF: the target of its CO-RE relocations (compiler/core_relo.c).
 *
 * Built at build time with `clang -g -target bpf`; its .BTF section becomes
 * uxdp.btf, shipped next to the helpers' bitcode.  uxdpc never reads the
 * build machine's /sys/kernel/btf/vmlinux: what a program sees under uxdp is
 * described here and nowhere else, so a compiled object does not depend on
 * the machine that compiled it.
 *
 * What is here:
 *  - struct xdp_md exactly as the UAPI defines it (32-bit fields).  A
 *    program that declares its own xdp_md with 64-bit data/data_end gets
 *    its loads relocated to these 4-byte fields, as libbpf does against the
 *    kernel; uxdpc's ctx rewrite then maps them onto struct uxdp_ctx.
 *  - the UAPI packet headers and BPF structs programs read with CO-RE;
 *  - kernel-internal structs that programs include through vmlinux.h and
 *    uxdp models with the kernel's layout (vlan_hdr, gre_base_hdr);
 *  - the structs of the kfuncs uxdp emulates (bpf_iter_num...).
 *
 * Only the layout matters: the anchor function below makes clang emit every
 * type; nothing here is ever run.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/icmpv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

/* linux/if_arp.h, whose header pulls in libc: the same layout. */
struct arphdr {
	__be16 ar_hrd;
	__be16 ar_pro;
	unsigned char ar_hln;
	unsigned char ar_pln;
	__be16 ar_op;
};

/* linux/icmp.h, whose header pulls in libc too. */
struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	union {
		struct {
			__be16 id;
			__be16 sequence;
		} echo;
		__be32 gateway;
		struct {
			__be16 __unused;
			__be16 mtu;
		} frag;
		__u8 reserved[4];
	} un;
};

/* include/linux/if_vlan.h (kernel-internal, the 802.1Q tag after ethhdr). */
struct vlan_hdr {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};

/* include/net/gre.h (kernel-internal). */
struct gre_base_hdr {
	__be16 flags;
	__be16 protocol;
};

/* The open-coded iterator state of bpf_for()/bpf_repeat() (kernel >= 6.4). */
struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

/* Every type above, by value: clang emits only a forward declaration for
 * the target of a pointer. */
struct uxdp_btf_anchor {
	struct xdp_md xdp_md;
	enum xdp_action action;
	struct ethhdr ethhdr;
	struct vlan_hdr vlan_hdr;
	struct arphdr arphdr;
	struct iphdr iphdr;
	struct ipv6hdr ipv6hdr;
	struct in6_addr in6_addr;
	struct icmphdr icmphdr;
	struct icmp6hdr icmp6hdr;
	struct tcphdr tcphdr;
	struct udphdr udphdr;
	struct gre_base_hdr gre_base_hdr;
	struct bpf_fib_lookup bpf_fib_lookup;
	struct bpf_spin_lock bpf_spin_lock;
	struct bpf_sock_tuple bpf_sock_tuple;
	struct bpf_iter_num bpf_iter_num;
	enum bpf_map_type map_type;
	enum bpf_func_id func_id;
};

int uxdp_btf_anchor(struct uxdp_btf_anchor *a)
{
	return 0;
}
