// SPDX-License-Identifier: MIT
/*
 * xdp_firewall - a stateful IPv4 firewall in three stages joined by tail
 * calls through fw_stages (a prog_array the control plane fills):
 *
 *   xdp_firewall (entry)  parse; drop sources in fw_block4 (exact address)
 *                         or fw_block_lpm (prefix); tail call to stage 1
 *   fw_stage_rate  (1)    per-source packet budget: a source that has sent
 *                         more than fw_cfg[CFG_RATE_LIMIT] packets is dropped
 *                         (0: no limit; the control plane resets a source:
 *                         its fw_rate key, then its fw_rate_cpu key);
 *                         each CPU counts in fw_rate_cpu and adds its count
 *                         to fw_rate every RATE_BATCH packets; tail call to
 *                         stage 2
 *   fw_stage_conn  (2)    connection tracking in fw_conns (LRU hash, both
 *                         directions share one entry): TCP may open only
 *                         with a SYN, a segment of an unknown connection is
 *                         dropped, RST removes the entry; UDP and ICMP
 *                         create entries; passes what is allowed;
 *                         counts packets per connection only when
 *                         fw_cfg[CFG_CONN_ACCT] is set
 *
 * Non-IPv4 traffic passes at the entry; so does IPv4 whose next stage is
 * missing from fw_stages (counted as ST_NO_STAGE: fail open, visibly).
 * Malformed IPv4 (short, bad IHL) is dropped.  fw_stats counts verdicts.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum { STAGE_RATE = 1, STAGE_CONN = 2, N_STAGES = 4 };
enum {
	ST_PASS_NON_IP, ST_DROP_MALFORMED, ST_DROP_BLOCK, ST_DROP_BLOCK_LPM, ST_DROP_RATE,
	ST_DROP_NO_CONN, ST_PASS_CONN, ST_NEW_CONN, ST_NO_STAGE, ST_MAX
};
enum { CT_NEW = 1, CT_ESTABLISHED = 2, CT_CLOSING = 3 };

struct fw_lpm_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct fw_conn_key {
	__be32 addr_lo, addr_hi; /* the two addresses, lower first */
	__be16 port_lo, port_hi; /* ports in the same order */
	__u8 protocol;
	__u8 pad[3];
};

struct fw_conn {
	__u64 packets;
	__u32 state;
	__u32 pad;
};

struct fw_rate {
	__u64 packets;
	__u64 dropped;
};

/*
 * A source's packets on one CPU since that CPU last added them to fw_rate.
 * Why: with RSS a source's connections land on every queue, and a locked
 * add per packet on one shared entry moves its cache line between the
 * cores on every packet (in the kernel as anywhere), so the budget would
 * stop the firewall from scaling with its workers.  Counting per CPU and
 * adding in batches moves the line once per RATE_BATCH packets.
 */
struct fw_rate_cpu {
	__u64 seen;	/* fw_rate's packets after this CPU's last add; 0: none yet */
	__u32 pending;	/* packets counted here since, not yet in fw_rate (seen 0:
			 * packets until fw_rate is tried again) */
	__u32 dropped;	/* of those, dropped for the budget */
};

/*
 * The price: fw_rate lags by fewer than RATE_BATCH packets per CPU, and a
 * CPU sees the other CPUs' packets only when it adds its own (its next
 * add, at most RATE_BATCH packets away, shows it the whole count).  So on
 * one CPU the budget is exact, and a source spread over N > 1 CPUs may
 * pass up to RATE_BATCH packets per other CPU beyond it.  A reset deletes
 * the source's fw_rate key, then its fw_rate_cpu key (every CPU's value at
 * once): each CPU then counts its next packet straight in the new entry.
 * A reset of fw_rate alone is noticed at a CPU's next add if the entry is
 * gone or below what the CPU last saw; with several CPUs counting the
 * source it can be missed, and the new budget then starts with up to
 * RATE_BATCH of a CPU's old packets.
 */
#define RATE_BATCH 32

/*
 * fw_cfg: the control plane's settings, a u64 each.  A configuration that
 * sets only index 0 (the rate limit, all there was before accounting) keeps
 * its meaning.
 */
enum {
	CFG_RATE_LIMIT, /* packets a source may send; 0: no limit */
	/*
	 * Nonzero: count packets per connection in fw_conns (off by default,
	 * as netfilter's nf_conntrack_acct).  Why off: both directions of a
	 * connection share its entry, and with a NIC's default RSS key its
	 * replies arrive on another queue than its requests, so a count per
	 * packet moves the entry's cache line between the cores on most
	 * packets (in the kernel as in uxdp) and the firewall stops scaling
	 * with its workers.  Off, an established connection's entry is only
	 * read.
	 */
	CFG_CONN_ACCT,
	CFG_MAX
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, N_STAGES);
	__type(key, __u32);
	__type(value, __u32);
} fw_stages SEC(".maps");

/*
 * Per CPU, as xdp-filter's rule counters: a blocked source floods from
 * every queue, and one shared counter would move between the cores on
 * each of its packets.  (An LPM trie has no per-CPU kind: fw_block_lpm's
 * counters are shared, a cost paid by packets of blocked prefixes only.)
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __be32);
	__type(value, __u64); /* packets dropped on this CPU */
} fw_block4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct fw_lpm_key);
	__type(value, __u64); /* packets dropped */
} fw_block_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct fw_conn_key);
	__type(value, struct fw_conn);
} fw_conns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __be32);
	__type(value, struct fw_rate);
} fw_rate SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, __be32);
	__type(value, struct fw_rate_cpu);
} fw_rate_cpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CFG_MAX);
	__type(key, __u32);
	__type(value, __u64);
} fw_cfg SEC(".maps");

/* Per CPU: every packet counts, and a shared counter would bounce between cores. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ST_MAX);
	__type(key, __u32);
	__type(value, __u64);
} fw_stats SEC(".maps");

static __always_inline int count(__u32 what, int verdict)
{
	__u64 *c = bpf_map_lookup_elem(&fw_stats, &what);

	if (c)
		*c += 1; /* this CPU's own: no other writer */
	return verdict;
}

/* The IPv4 header of an Ethernet frame, or NULL (non-IPv4 or malformed). */
static __always_inline struct iphdr *fw_ip(struct xdp_md *ctx, int *malformed)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);

	*malformed = 0;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return NULL;
	*malformed = 1;
	if ((void *)(iph + 1) > data_end || iph->version != 4 || iph->ihl < 5)
		return NULL;
	if ((char *)iph + iph->ihl * 4 > (char *)data_end)
		return NULL;
	*malformed = 0;
	return iph;
}

static __always_inline int next_stage(struct xdp_md *ctx, __u32 stage)
{
	bpf_tail_call(ctx, &fw_stages, stage);
	return count(ST_NO_STAGE, XDP_PASS);
}

SEC("xdp")
int xdp_firewall(struct xdp_md *ctx)
{
	struct fw_lpm_key lpm = { .prefixlen = 32 };
	struct iphdr *iph;
	int malformed;
	__u64 *hits;

	iph = fw_ip(ctx, &malformed);
	if (!iph)
		return malformed ? count(ST_DROP_MALFORMED, XDP_DROP) : count(ST_PASS_NON_IP, XDP_PASS);

	hits = bpf_map_lookup_elem(&fw_block4, &iph->saddr);
	if (hits) {
		*hits += 1; /* this CPU's own: no other writer */
		return count(ST_DROP_BLOCK, XDP_DROP);
	}
	__builtin_memcpy(lpm.addr, &iph->saddr, 4);
	hits = bpf_map_lookup_elem(&fw_block_lpm, &lpm);
	if (hits) {
		__sync_fetch_and_add(hits, 1);
		return count(ST_DROP_BLOCK_LPM, XDP_DROP);
	}
	return next_stage(ctx, STAGE_RATE);
}

/* saddr's fw_rate entry, created empty if it has none; NULL when fw_rate is full. */
static __always_inline struct fw_rate *rate_entry(__be32 *saddr)
{
	struct fw_rate empty = {}, *r = bpf_map_lookup_elem(&fw_rate, saddr);

	if (r)
		return r;
	/* fails if another CPU created it first (then found) or the table is full */
	bpf_map_update_elem(&fw_rate, saddr, &empty, BPF_NOEXIST);
	return bpf_map_lookup_elem(&fw_rate, saddr);
}

/*
 * Adds this CPU's pending packets to saddr's fw_rate entry.  An entry that
 * is gone, or holds fewer packets than this CPU last saw, was reset by the
 * control plane: the pending ones (counted before this CPU noticed) stay
 * out of the new budget, and seen = 0 has the next packet start counting
 * in it (rate_sync()).  Adding them instead would charge the new
 * budget with packets dropped under the old one, up to RATE_BATCH: a
 * budget that small would never open again.
 */
static __always_inline void rate_flush(__be32 *saddr, struct fw_rate_cpu *mine)
{
	struct fw_rate *r = bpf_map_lookup_elem(&fw_rate, saddr);

	if (!r || r->packets < mine->seen) {
		mine->seen = 0;
	} else {
		if (mine->dropped)
			__sync_fetch_and_add(&r->dropped, mine->dropped);
		mine->seen = __sync_fetch_and_add(&r->packets, mine->pending) + mine->pending;
	}
	mine->pending = 0;
	mine->dropped = 0;
}

static __always_inline int over_budget(__u64 *limit, __u64 packets)
{
	return limit && *limit && packets > *limit;
}

/*
 * This CPU's first packet of the source (a per-CPU value starts zeroed on
 * every CPU but the one that inserted it), its first after a reset, or
 * fw_rate_cpu is full: counted straight in fw_rate, which also shows this
 * CPU the whole count.  Returns whether the packet is over the budget.
 * When fw_rate has no room for the source, it is not counted (never
 * over), and fw_rate is tried again after RATE_BATCH packets: a failed
 * insert per packet would cost more than the shared add it replaces.
 */
static __always_inline int rate_sync(__be32 *saddr, struct fw_rate_cpu *mine,
				     __u64 *limit)
{
	struct fw_rate *r = rate_entry(saddr);
	struct fw_rate_cpu fresh = {};
	int over = 0;

	if (r) {
		fresh.seen = __sync_fetch_and_add(&r->packets, 1) + 1;
		over = over_budget(limit, fresh.seen);
		if (over)
			__sync_fetch_and_add(&r->dropped, 1);
	} else {
		fresh.pending = RATE_BATCH; /* not counted: never over */
	}
	if (mine)
		*mine = fresh;
	else
		bpf_map_update_elem(&fw_rate_cpu, saddr, &fresh, BPF_NOEXIST);
	return over;
}

SEC("xdp")
int fw_stage_rate(struct xdp_md *ctx)
{
	__u32 limit_key = CFG_RATE_LIMIT;
	struct fw_rate_cpu *mine;
	struct iphdr *iph;
	__u64 *limit;
	__be32 saddr;
	int malformed, over = 0;

	iph = fw_ip(ctx, &malformed);
	if (!iph)
		return count(ST_DROP_MALFORMED, XDP_DROP);
	saddr = iph->saddr;
	limit = bpf_map_lookup_elem(&fw_cfg, &limit_key);

	mine = bpf_map_lookup_elem(&fw_rate_cpu, &saddr);
	if (mine && !mine->seen && mine->pending) {
		mine->pending -= 1; /* not counted: fw_rate had no room */
	} else if (!mine || !mine->seen) {
		over = rate_sync(&saddr, mine, limit);
	} else {
		mine->pending += 1;
		over = over_budget(limit, mine->seen + mine->pending);
		mine->dropped += over;
		if (mine->pending >= RATE_BATCH)
			rate_flush(&saddr, mine);
	}
	if (over)
		return count(ST_DROP_RATE, XDP_DROP);
	return next_stage(ctx, STAGE_CONN);
}

SEC("xdp")
int fw_stage_conn(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct fw_conn_key key = {};
	struct fw_conn *ct, init = { .state = CT_NEW };
	__u32 acct_key = CFG_CONN_ACCT;
	__u64 *acct;
	__be16 sport = 0, dport = 0;
	__u8 syn = 0, ack = 0, rst = 0, fin = 0;
	struct iphdr *iph;
	void *l4;
	int malformed;

	iph = fw_ip(ctx, &malformed);
	if (!iph)
		return count(ST_DROP_MALFORMED, XDP_DROP);
	l4 = (char *)iph + iph->ihl * 4;
	if (iph->frag_off & bpf_htons(0x1fff)) {
		/* Later fragments carry no ports: track them under ports 0. */
	} else if (iph->protocol == IPPROTO_TCP) {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > data_end)
			return count(ST_DROP_MALFORMED, XDP_DROP);
		sport = th->source;
		dport = th->dest;
		syn = th->syn;
		ack = th->ack;
		rst = th->rst;
		fin = th->fin;
	} else if (iph->protocol == IPPROTO_UDP) {
		struct udphdr *uh = l4;

		if ((void *)(uh + 1) > data_end)
			return count(ST_DROP_MALFORMED, XDP_DROP);
		sport = uh->source;
		dport = uh->dest;
	}

	key.protocol = iph->protocol;
	if (bpf_ntohl(iph->saddr) < bpf_ntohl(iph->daddr) ||
	    (iph->saddr == iph->daddr && bpf_ntohs(sport) <= bpf_ntohs(dport))) {
		key.addr_lo = iph->saddr;
		key.addr_hi = iph->daddr;
		key.port_lo = sport;
		key.port_hi = dport;
	} else {
		key.addr_lo = iph->daddr;
		key.addr_hi = iph->saddr;
		key.port_lo = dport;
		key.port_hi = sport;
	}

	acct = bpf_map_lookup_elem(&fw_cfg, &acct_key);
	ct = bpf_map_lookup_elem(&fw_conns, &key);
	if (!ct) {
		if (key.protocol == IPPROTO_TCP && !(syn && !ack))
			return count(ST_DROP_NO_CONN, XDP_DROP);
		init.packets = acct && *acct;
		bpf_map_update_elem(&fw_conns, &key, &init, BPF_ANY);
		return count(ST_NEW_CONN, XDP_PASS);
	}
	if (acct && *acct)
		__sync_fetch_and_add(&ct->packets, 1);
	/* The state is stored only when it changes: see CFG_CONN_ACCT. */
	if (key.protocol == IPPROTO_TCP) {
		if (rst) {
			bpf_map_delete_elem(&fw_conns, &key);
		} else if (fin) {
			if (ct->state != CT_CLOSING)
				ct->state = CT_CLOSING;
		} else if (ct->state == CT_NEW && ack) {
			ct->state = CT_ESTABLISHED;
		}
	} else if (ct->state != CT_ESTABLISHED) {
		ct->state = CT_ESTABLISHED;
	}
	return count(ST_PASS_CONN, XDP_PASS);
}

char _license[] SEC("license") = "GPL";
