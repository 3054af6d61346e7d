// SPDX-License-Identifier: MIT
/*
 * xdp_tcpclassify - classify HTTP/1.x requests at the start of TCP payloads.
 *
 * For an IPv4 TCP segment with payload, the first bytes of the payload are
 * copied out with bpf_xdp_load_bytes() and matched with bpf_strncmp()
 * against the request methods (GET, POST, PUT, DELETE, HEAD, OPTIONS,
 * PATCH); after "METHOD " the path is matched against the prefixes /api/,
 * /static/, /admin and / (otherwise PATH_OTHER), and the request line must
 * end in " HTTP/1.1" or " HTTP/1.0" within the first CLS_PEEK bytes.  Each
 * request becomes a struct cls_event in the ringbuf cls_events (5-tuple,
 * method, path class, version, up to 32 bytes of path); cls_counts counts
 * requests per method (index 0: TCP payloads that are not requests).  The
 * verdict is always XDP_PASS.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define CLS_PEEK 128 /* payload bytes examined; a power of two */
#define CLS_PATH 32 /* path bytes reported */

enum { M_NONE, M_GET, M_POST, M_PUT, M_DELETE, M_HEAD, M_OPTIONS, M_PATCH, M_MAX };
enum { PATH_OTHER, PATH_API, PATH_STATIC, PATH_ADMIN, PATH_ROOT };

struct cls_event {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 method;      /* M_* */
	__u8 path_class;  /* PATH_* */
	__u8 http_minor;  /* 1: HTTP/1.1, 0: HTTP/1.0 */
	__u8 path_len;    /* bytes of path[] used */
	char path[CLS_PATH];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} cls_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, M_MAX);
	__type(key, __u32);
	__type(value, __u64);
} cls_counts SEC(".maps");

/* bpf_strncmp() wants its second string in read-only map memory: .rodata. */
const char s_get[] = "GET ";
const char s_post[] = "POST ";
const char s_put[] = "PUT ";
const char s_delete[] = "DELETE ";
const char s_head[] = "HEAD ";
const char s_options[] = "OPTIONS ";
const char s_patch[] = "PATCH ";
const char s_api[] = "/api/";
const char s_static[] = "/static/";
const char s_admin[] = "/admin";
const char s_http10[] = " HTTP/1.0";
const char s_http11[] = " HTTP/1.1";

static __always_inline int count(__u32 what)
{
	__u64 *c = bpf_map_lookup_elem(&cls_counts, &what);

	if (c)
		__sync_fetch_and_add(c, 1);
	return XDP_PASS;
}

SEC("xdp")
int xdp_tcpclassify(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct cls_event *ev;
	struct tcphdr *th;
	char buf[CLS_PEEK];
	char ver[10];
	__u32 off, tot, payload, n, i, plen, sp;
	__u8 method, mlen, pclass, minor;

	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (iph->version != 4 || iph->ihl < 5 || iph->protocol != IPPROTO_TCP ||
	    (iph->frag_off & bpf_htons(0x1fff)))
		return XDP_PASS;
	th = (void *)((char *)iph + iph->ihl * 4);
	if ((void *)(th + 1) > data_end || th->doff < 5)
		return XDP_PASS;
	off = sizeof(*eth) + iph->ihl * 4 + th->doff * 4;
	tot = (__u32)(data_end - data);
	if (off >= tot)
		return XDP_PASS;
	payload = tot - off;
	n = payload < CLS_PEEK ? payload : CLS_PEEK;
	if (n < 16) /* shortest request line: "GET / HTTP/1.1" + CR */
		return count(M_NONE);
	__builtin_memset(buf, 0, sizeof(buf));
	if (bpf_xdp_load_bytes(ctx, off, buf, n))
		return count(M_NONE);

	if (!bpf_strncmp(buf, 4, s_get)) {
		method = M_GET, mlen = 4;
	} else if (!bpf_strncmp(buf, 5, s_post)) {
		method = M_POST, mlen = 5;
	} else if (!bpf_strncmp(buf, 4, s_put)) {
		method = M_PUT, mlen = 4;
	} else if (!bpf_strncmp(buf, 7, s_delete)) {
		method = M_DELETE, mlen = 7;
	} else if (!bpf_strncmp(buf, 5, s_head)) {
		method = M_HEAD, mlen = 5;
	} else if (!bpf_strncmp(buf, 8, s_options)) {
		method = M_OPTIONS, mlen = 8;
	} else if (!bpf_strncmp(buf, 6, s_patch)) {
		method = M_PATCH, mlen = 6;
	} else {
		return count(M_NONE);
	}
	if (buf[mlen] != '/')
		return count(M_NONE);

	/* The path runs to the next space. */
	sp = 0;
	for (i = 1; i < CLS_PEEK - 9; i++) {
		if (i + mlen >= n)
			break;
		if (buf[(i + mlen) & (CLS_PEEK - 1)] == ' ') {
			sp = i + mlen;
			break;
		}
	}
	if (!sp || sp + 9 > n)
		return count(M_NONE);
	if (bpf_xdp_load_bytes(ctx, off + sp, ver, 9))
		return count(M_NONE);
	ver[9] = 0;
	if (!bpf_strncmp(ver, 10, s_http11))
		minor = 1;
	else if (!bpf_strncmp(ver, 10, s_http10))
		minor = 0;
	else
		return count(M_NONE);

	plen = sp - mlen;
	if (plen >= 5 && !bpf_strncmp(buf + mlen, 5, s_api))
		pclass = PATH_API;
	else if (plen >= 8 && !bpf_strncmp(buf + mlen, 8, s_static))
		pclass = PATH_STATIC;
	else if (plen >= 6 && !bpf_strncmp(buf + mlen, 6, s_admin))
		pclass = PATH_ADMIN;
	else if (plen == 1)
		pclass = PATH_ROOT;
	else
		pclass = PATH_OTHER;

	ev = bpf_ringbuf_reserve(&cls_events, sizeof(*ev), 0);
	if (ev) {
		ev->saddr = iph->saddr;
		ev->daddr = iph->daddr;
		ev->sport = th->source;
		ev->dport = th->dest;
		ev->method = method;
		ev->path_class = pclass;
		ev->http_minor = minor;
		if (plen > CLS_PATH)
			plen = CLS_PATH;
		ev->path_len = plen;
		for (i = 0; i < CLS_PATH; i++)
			ev->path[i] = i < plen ? buf[(i + mlen) & (CLS_PEEK - 1)] : 0;
		bpf_ringbuf_submit(ev, 0);
	}
	return count(method);
}

char _license[] SEC("license") = "GPL";
