// stack args: a histogram looks a key up in a hash map and inserts it on a
// miss.  The lookup is inlined, but the insert (the runtime's
// uxdp_map_update) takes the key's address, which kept the key's stack
// piece in memory: stored as two 4-byte halves, read back by the hash as
// one 8-byte word, which the CPU cannot forward from two stores.
// stack-args gives the insert a copy instead, and the piece becomes
// registers: no alloca is left but the copy's, one per call, 24 bytes
// from the value (16) to the top of the piece, the key's 8 inside it.
// -fno-stack-args keeps the piece.  A piece whose address also goes
// anywhere else (here: to perf_event_output, which stays a call) is left
// alone.
// RUN: %clang-bpf -mcpu=v3 -c %s -o %t.bpf.o
// RUN: %uxdpc %t.bpf.o -O3 --emit-llvm --remarks -o %t.ll 2> %t.remarks
// RUN: %FileCheck --check-prefix=ON %s < %t.ll
// RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks
// RUN: %uxdpc %t.bpf.o -O3 -fno-stack-args --emit-llvm -o - | %FileCheck --check-prefix=OFF %s
// RUN: %clang-bpf -mcpu=v3 -DPERF -c %s -o %t.perf.bpf.o
// RUN: %uxdpc %t.perf.bpf.o -O3 --emit-llvm --remarks -o /dev/null 2>&1 | %FileCheck --check-prefix=PERF %s

// ON-LABEL: define {{.*}}@hist(
// ON: %arg.copy = alloca [24 x i8]
// ON-NOT: alloca
// ON: store {{.*}}%arg.copy
// ON: call {{.*}}@uxdp_map_update(ptr {{.*}}, ptr {{.*}}%{{[a-z0-9.]*}}arg.copy{{[a-z0-9._]*}}, ptr {{.*}}%arg.copy,
// ON: ret i64
// OFF-LABEL: define {{.*}}@hist(
// OFF: alloca [{{[0-9]+}} x i8]
// OFF-NOT: %arg.copy
// OFF: ret i64
// REMARK: stack-args: 1 runtime calls given a copy, 1 stack pieces no runtime call keeps in memory
// PERF: stack-args: 0 runtime calls given a copy, 0 stack pieces no runtime call keeps in memory
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct key {
	__u32 proto;
	__u32 bucket;
};

struct val {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct key);
	__type(value, struct val);
} hist_map SEC(".maps");

#ifdef PERF
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");
#endif

SEC("xdp") int hist(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct key k = {};
	struct val *v;
	__u32 len = end - data;

	if (data + 14 > end)
		return XDP_PASS;
	k.proto = data[12];
	k.bucket = len >> 6;
	v = bpf_map_lookup_elem(&hist_map, &k);
	if (v) {
		__sync_fetch_and_add(&v->packets, 1);
	} else {
		struct val n = { 1, len };

		bpf_map_update_elem(&hist_map, &k, &n, BPF_NOEXIST);
	}
#ifdef PERF
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &k, sizeof(k));
#endif
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
