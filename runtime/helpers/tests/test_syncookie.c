// SPDX-License-Identifier: MIT
/*
 * Unit tests of the SYN cookie helpers, bpf_ktime_get_coarse_ns,
 * bpf_ktime_get_tai_ns and bpf_get_numa_node_id.  The
 * cookies are keyed with uxdp's own secret, so values are never compared
 * with the kernel's: what is tested is the kernel's contract (gen then
 * check round-trips with the MSS the table gives, a wrong cookie, port,
 * address or sequence fails with -EACCES, malformed headers give -EINVAL).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "../helpers_impl.h"
#include "test.h"

#define P(x) ((uint64_t)(uintptr_t)(x))
#define ERR(e) ((uint64_t)(int64_t) - (e))

struct tcp {
	uint16_t sport, dport;
	uint32_t seq, ack_seq;
	uint8_t doff_res, flags;
	uint16_t window, check, urg;
	uint8_t opts[40];
};

static void make_syn(struct tcp *t, uint32_t seq, int mss)
{
	memset(t, 0, sizeof(*t));
	t->sport = htons(40000);
	t->dport = htons(80);
	t->seq = htonl(seq);
	t->flags = 0x02;
	t->doff_res = 5 << 4;
	if (mss >= 0) { /* NOP, NOP, MSS: 8 bytes of options */
		uint8_t o[8] = {1, 1, 2, 4, (uint8_t)(mss >> 8), (uint8_t)mss, 0, 0};

		memcpy(t->opts, o, sizeof(o));
		t->doff_res = 7 << 4;
	}
}

/* The ACK that answers a SYN-ACK carrying cookie. */
static void make_ack(struct tcp *ack, const struct tcp *syn, uint32_t cookie)
{
	*ack = *syn;
	ack->doff_res = 5 << 4;
	ack->flags = 0x10;
	ack->seq = htonl(ntohl(syn->seq) + 1);
	ack->ack_seq = htonl(cookie + 1);
}

static void test_ipv4(void)
{
	uint8_t iph[20] = {0x45};
	struct tcp syn, ack;
	uint64_t r;
	uint32_t saddr = htonl(0xc6120001), daddr = htonl(0xc6120002);

	memcpy(iph + 12, &saddr, 4);
	memcpy(iph + 16, &daddr, 4);
	static const struct {
		int in, out;
	} mss[] = {
	    {1460, 1460}, {1459, 1440}, {1400, 1300}, {1000, 536},
	    {100, 536},	  {9000, 1460}, {-1, 536},    {0, 536},
	};
	for (size_t k = 0; k < sizeof(mss) / sizeof(mss[0]); k++) {
		make_syn(&syn, 0x12345678u + (uint32_t)k, mss[k].in);
		r = uxdp_helper_tcp_raw_gen_syncookie_ipv4(P(iph), P(&syn),
							   (syn.doff_res >> 4) * 4);
		CHECK((int64_t)r >= 0);
		CHECK_EQ(r >> 32, (uint64_t)mss[k].out);
		make_ack(&ack, &syn, (uint32_t)r);
		CHECK_EQ(uxdp_helper_tcp_raw_check_syncookie_ipv4(P(iph), P(&ack)), 0);
		/*
		 * Another cookie, port, sequence or address: refused.  (As in the
		 * kernel, a cookie or sequence off by one or two only decodes to
		 * another MSS index and may pass: the changes here are larger.)
		 */
		ack.ack_seq = htonl((uint32_t)r + 1 + 0x00a5a500);
		CHECK_EQ(uxdp_helper_tcp_raw_check_syncookie_ipv4(P(iph), P(&ack)), ERR(EACCES));
		make_ack(&ack, &syn, (uint32_t)r);
		ack.sport = htons(40001);
		CHECK_EQ(uxdp_helper_tcp_raw_check_syncookie_ipv4(P(iph), P(&ack)), ERR(EACCES));
		make_ack(&ack, &syn, (uint32_t)r);
		ack.seq = htonl(ntohl(ack.seq) + 0x1000);
		CHECK_EQ(uxdp_helper_tcp_raw_check_syncookie_ipv4(P(iph), P(&ack)), ERR(EACCES));
		make_ack(&ack, &syn, (uint32_t)r);
		iph[15] ^= 1;
		CHECK_EQ(uxdp_helper_tcp_raw_check_syncookie_ipv4(P(iph), P(&ack)), ERR(EACCES));
		iph[15] ^= 1;
	}
	/* th_len below 20 or other than doff * 4: -EINVAL (th_len is a u32). */
	make_syn(&syn, 1, 1460);
	CHECK_EQ(uxdp_helper_tcp_raw_gen_syncookie_ipv4(P(iph), P(&syn), 19), ERR(EINVAL));
	CHECK_EQ(uxdp_helper_tcp_raw_gen_syncookie_ipv4(P(iph), P(&syn), 20), ERR(EINVAL));
	CHECK_EQ(uxdp_helper_tcp_raw_gen_syncookie_ipv4(P(iph), P(&syn), 32), ERR(EINVAL));
	CHECK((int64_t)uxdp_helper_tcp_raw_gen_syncookie_ipv4(P(iph), P(&syn),
							      0x100000000ull + 28) >= 0);
	syn.doff_res = 4 << 4;
	CHECK_EQ(uxdp_helper_tcp_raw_gen_syncookie_ipv4(P(iph), P(&syn), 16), ERR(EINVAL));
	/* Options that end early or lie about their size: no MSS, 536. */
	make_syn(&syn, 1, 1460);
	syn.opts[3] = 9; /* MSS option longer than the header */
	CHECK_EQ(uxdp_helper_tcp_raw_gen_syncookie_ipv4(P(iph), P(&syn), 28) >> 32, 536);
	syn.opts[0] = 0; /* EOL first */
	CHECK_EQ(uxdp_helper_tcp_raw_gen_syncookie_ipv4(P(iph), P(&syn), 28) >> 32, 536);
}

static void test_ipv6(void)
{
	uint8_t ip6[40] = {0x60};
	struct tcp syn, ack;
	uint64_t r;

	for (int i = 0; i < 32; i++)
		ip6[8 + i] = (uint8_t)(0x20 + i);
	static const struct {
		int in, out;
	} mss[] = {
	    {9000, 8940}, {1500, 1440}, {1440, 1440}, {1430, 1420}, {1300, 1220}, {-1, 1220},
	};
	for (size_t k = 0; k < sizeof(mss) / sizeof(mss[0]); k++) {
		make_syn(&syn, 0xfffffff0u + (uint32_t)k, mss[k].in); /* seq wraps */
		r = uxdp_helper_tcp_raw_gen_syncookie_ipv6(P(ip6), P(&syn),
							   (syn.doff_res >> 4) * 4);
		CHECK((int64_t)r >= 0);
		CHECK_EQ(r >> 32, (uint64_t)mss[k].out);
		make_ack(&ack, &syn, (uint32_t)r);
		CHECK_EQ(uxdp_helper_tcp_raw_check_syncookie_ipv6(P(ip6), P(&ack)), 0);
		/* Another destination address: refused. */
		ip6[39] ^= 0x80;
		CHECK_EQ(uxdp_helper_tcp_raw_check_syncookie_ipv6(P(ip6), P(&ack)), ERR(EACCES));
		ip6[39] ^= 0x80;
		ack.ack_seq = htonl(ntohl(ack.ack_seq) ^ 0x04000000); /* 4 minutes away */
		CHECK_EQ(uxdp_helper_tcp_raw_check_syncookie_ipv6(P(ip6), P(&ack)), ERR(EACCES));
	}
	make_syn(&syn, 7, -1);
	CHECK_EQ(uxdp_helper_tcp_raw_gen_syncookie_ipv6(P(ip6), P(&syn), 24), ERR(EINVAL));
}

static void test_coarse(void)
{
	struct timespec ts;
	uint64_t a, b;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	a = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	b = uxdp_helper_ktime_get_coarse_ns();
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	CHECK(a <= b && b <= (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
	/* TAI runs ahead of UTC by the leap seconds (37 since 2017, 0 if never set). */
	clock_gettime(CLOCK_TAI, &ts);
	a = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	b = uxdp_helper_ktime_get_tai_ns();
	clock_gettime(CLOCK_TAI, &ts);
	CHECK(a <= b && b <= (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
}

static void test_numa(void)
{
	unsigned int cpu, node = 0;

	CHECK(getcpu(&cpu, &node) == 0);
	CHECK_EQ(uxdp_helper_get_numa_node_id(), (uint64_t)node);
}

int main(int argc, char **argv)
{
	const char *which = argc > 1 ? argv[1] : "all";

	if (!strcmp(which, "syncookie") || !strcmp(which, "all")) {
		test_ipv4();
		test_ipv6();
	}
	if (!strcmp(which, "time_coarse") || !strcmp(which, "all"))
		test_coarse();
	if (!strcmp(which, "numa") || !strcmp(which, "all"))
		test_numa();
	return test_result(which);
}
