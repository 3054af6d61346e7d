// bpf_for_each_map_elem without the kernel verifier: the callback gets the
// map, a key it may only read (key_size bytes), the element's value
// (value_size bytes, writable) and the caller's context, and runs again on
// what the last run left there.  Each case below compiles with 0 checks
// when it stays inside those regions and is refused, with the kernel's
// reason, when it does not.
//
// Accepted: reads the key, writes the value, deletes the element it is given
// (the key as a helper's argument), counts in the caller's frame.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.ok.bpf.o
// RUN: %uxdpc --verify=none --list %t.ok.bpf.o | %FileCheck --check-prefix=OK %s
// OK: confinement each uxdp checks 0 back-edges 0
//
// KEYWRITE, a write through the key.
// RUN: %clang-bpf -mcpu=v3 -DKEYWRITE -c %s -o %t.kw.bpf.o
// RUN: not %uxdpc --verify=none %t.kw.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=KEYWRITE %s
// KEYWRITE: in 'cb'): write into map_key through r2
//
// KEYPAST, a read past the 4-byte key.
// RUN: %clang-bpf -mcpu=v3 -DKEYPAST -c %s -o %t.kp.bpf.o
// RUN: not %uxdpc --verify=none %t.kp.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=KEYPAST %s
// KEYPAST: in 'cb'): invalid access to map key: off=[4, 4] size=4 key_size=4
//
// VALUEPAST, a write past the 8-byte value.
// RUN: %clang-bpf -mcpu=v3 -DVALUEPAST -c %s -o %t.vp.bpf.o
// RUN: not %uxdpc --verify=none %t.vp.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=VALUEPAST %s
// VALUEPAST: in 'cb'): invalid access to map value of 'hash'
//
// FAR, an index the last run left in the caller's frame, used unchecked.
// RUN: %clang-bpf -mcpu=v3 -DFAR -c %s -o %t.far.bpf.o
// RUN: not %uxdpc --verify=none %t.far.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=FAR %s
// FAR: in 'cb'): invalid access to map value of 'hash'
//
// LPM, a map type the kernel does not walk.
// RUN: %clang-bpf -mcpu=v3 -DLPM -c %s -o %t.lpm.bpf.o
// RUN: not %uxdpc --verify=none %t.lpm.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=LPM %s
// LPM: helper for_each_map_elem cannot use map 'lpm' of type lpm_trie
//
// ARRKEY, an array's key (a u32 index) read past its 4 bytes.
// RUN: %clang-bpf -mcpu=v3 -DARRKEY -c %s -o %t.ak.bpf.o
// RUN: not %uxdpc --verify=none %t.ak.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=ARRKEY %s
// ARRKEY: in 'acb'): invalid access to map key: off=[4, 4] size=4 key_size=4
//
// RDONLY, a write into the value of a map read-only for programs.
// RUN: %clang-bpf -mcpu=v3 -DRDONLY -c %s -o %t.ro.bpf.o
// RUN: not %uxdpc --verify=none %t.ro.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=RDONLY %s
// RDONLY: in 'cb'): write into map 'ro', which is read-only for programs
//
// TWOMAPS, one callback for two maps: its value is the smaller one's (8
// bytes), so a write at offset 8, inside the larger one, is refused.
// RUN: %clang-bpf -mcpu=v3 -DTWOMAPS -c %s -o %t.two.bpf.o
// RUN: not %uxdpc --verify=none %t.two.bpf.o -o %t.o 2>&1 | %FileCheck --check-prefix=TWOMAPS %s
// TWOMAPS: in 'cb'): invalid access to map value of 'hash'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} hash SEC(".maps");

struct lpm_key {
	__u32 prefixlen;
	__u32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_key);
	__type(value, __u64);
} lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} parr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__type(key, __u32);
	__type(value, __u64);
} ro SEC(".maps");

struct wide {
	__u64 a, b;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct wide);
} wide SEC(".maps");

struct walk {
	__u64 idx;
	__u64 sum;
};

static long cb(void *map, __u32 *key, __u64 *value, struct walk *w)
{
#ifdef KEYWRITE
	*key = 1;
#endif
#ifdef KEYPAST
	w->sum += key[1];
#endif
#if defined(VALUEPAST) || defined(TWOMAPS)
	value[1] = 1;
#endif
#ifdef FAR
	((unsigned char *)value)[w->idx] = 1;
	w->idx = 1000000;
#endif
	w->sum += *key;
	*value += 1;
	if (*value > 100)
		bpf_map_delete_elem(map, key);
	return 0;
}

/* A per-CPU array's element: this worker's value, and the index as key. */
static long acb(void *map, __u32 *key, __u64 *value, struct walk *w)
{
#ifdef ARRKEY
	w->sum += key[1];
#endif
	*value += *key;
	return 0;
}

SEC("xdp") int each(struct xdp_md *ctx)
{
	struct walk w = { 0 };

#ifdef LPM
	bpf_for_each_map_elem(&lpm, cb, &w, 0);
#elif defined(RDONLY)
	bpf_for_each_map_elem(&ro, cb, &w, 0);
#else
	bpf_for_each_map_elem(&hash, cb, &w, 0);
#endif
#ifdef TWOMAPS
	bpf_for_each_map_elem(&wide, cb, &w, 0);
#endif
	bpf_for_each_map_elem(&parr, acb, &w, 0);
	return w.sum & 1 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
