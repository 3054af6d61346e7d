// SPDX-License-Identifier: MIT
/*
 * syncookie.c - bpf_tcp_raw_gen_syncookie_ipv4/ipv6 and
 * bpf_tcp_raw_check_syncookie_ipv4/ipv6 (helpers 204..207), with the
 * kernel's semantics (net/core/filter.c, net/ipv4/syncookies.c,
 * net/ipv6/syncookies.c):
 *
 *   gen(iph, th, th_len): -EINVAL unless th_len >= 20 and th_len equals the
 *     header's doff * 4; else cookie | (u64)mss << 32, where mss is the MSS
 *     option (TCP_MSS_DEFAULT 536 without one) rounded down to the table of
 *     the address family (IPv4 536/1300/1440/1460, IPv6 1220/1420/1440/8940)
 *     and the cookie is the ISN a SYN-ACK would carry: a keyed hash of the
 *     4-tuple plus the SYN's sequence number, the minute counter in the top
 *     8 bits and the MSS index in the low 24 bits under a second hash;
 *   check(iph, th): 0 when ack_seq - 1 is such a cookie for the 4-tuple and
 *     seq - 1, made in this minute or the one before; -EACCES otherwise.
 *
 * The hash is SipHash-2-4, as the kernel's, keyed with a secret drawn once
 * per process (the kernel's is drawn once per boot): uxdp's cookies are not
 * the kernel's values, by design, but have their properties, and a cookie
 * uxdp made checks in uxdp (docs/compatibility.md).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <uxdp/syncookie.h>

#include "helpers_impl.h"

#define COOKIEBITS 24
#define COOKIEMASK ((1u << COOKIEBITS) - 1)
#define MAX_SYNCOOKIE_AGE 2
#define TCP_MSS_DEFAULT 536
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOLEN_MSS 4

/* The fields read, by offset: struct iphdr, struct ipv6hdr, struct tcphdr. */
#define IP4_SADDR 12
#define IP6_SADDR 8
#define TCP_SPORT 0
#define TCP_SEQ 4
#define TCP_ACK_SEQ 8
#define TCP_DOFF 12 /* high nibble */
#define TCP_HLEN 20

/* The kernel's msstab of each family (a function: no data in the bitcode). */
static inline uint16_t msstab(int v6, uint32_t i)
{
	switch (i) {
	case 0:
		return v6 ? 1280 - 60 : 536;
	case 1:
		return v6 ? 1480 - 60 : 1300;
	case 2:
		return v6 ? 1500 - 60 : 1440;
	default:
		return v6 ? 9000 - 60 : 1460;
	}
}

static inline uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

/* One SipHash round on the state v[0..3]. */
static inline void sipround(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = rotl(v[1], 13) ^ v[0];
	v[0] = rotl(v[0], 32);
	v[2] += v[3];
	v[3] = rotl(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = rotl(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = rotl(v[1], 17) ^ v[2];
	v[2] = rotl(v[2], 32);
}

/* SipHash-2-4 of n bytes (a multiple of 4, at most 44) under key k. */
static uint32_t siphash(const uint8_t *p, size_t n, const uint64_t k[2])
{
	uint64_t v[4] = {0x736f6d6570736575ull ^ k[0], 0x646f72616e646f6dull ^ k[1],
			 0x6c7967656e657261ull ^ k[0], 0x7465646279746573ull ^ k[1]};
	uint64_t m, b = (uint64_t)n << 56;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&m, p + i, 8);
		v[3] ^= m;
		sipround(v);
		sipround(v);
		v[0] ^= m;
	}
	for (size_t j = 0; i + j < n; j++)
		b |= (uint64_t)p[i + j] << (8 * j);
	v[3] ^= b;
	sipround(v);
	sipround(v);
	v[0] ^= b;
	v[2] ^= 0xff;
	for (int r = 0; r < 4; r++)
		sipround(v);
	return (uint32_t)(v[0] ^ v[1] ^ v[2] ^ v[3]);
}

static inline uint32_t load32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Hash of the addresses (as stored), the ports word and count, under secret c. */
static uint32_t cookie_hash(const uint8_t *addrs, size_t addr_len, const uint8_t *th,
			    uint32_t count, int c)
{
	uint8_t buf[44];
	uint32_t ports = load32(th + TCP_SPORT);

	memcpy(buf, addrs, addr_len);
	memcpy(buf + addr_len, &ports, 4);
	memcpy(buf + addr_len + 4, &count, 4);
	return siphash(buf, addr_len + 8, uxdp_syncookie_key(c));
}

/* The kernel's tcp_cookie_time(): minutes, 32 bits. */
static uint32_t cookie_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)((uint64_t)ts.tv_sec / 60);
}

/* tcp_parse_mss_option(th, 0) over the doff * 4 bytes of the header. */
static uint16_t parse_mss(const uint8_t *th)
{
	const uint8_t *ptr = th + TCP_HLEN;
	int length = (th[TCP_DOFF] >> 4) * 4 - TCP_HLEN;
	uint16_t mss = 0;

	while (length > 0) {
		int opcode = *ptr++, opsize;

		if (opcode == TCPOPT_EOL)
			return mss;
		if (opcode == TCPOPT_NOP) {
			length--;
			continue;
		}
		if (length < 2)
			return mss;
		opsize = *ptr++;
		if (opsize < 2 || opsize > length)
			return mss;
		if (opcode == TCPOPT_MSS && opsize == TCPOLEN_MSS) {
			uint16_t in_mss = (uint16_t)(ptr[0] << 8 | ptr[1]);

			if (in_mss)
				mss = in_mss;
		}
		ptr += opsize - 2;
		length -= opsize;
	}
	return mss;
}

static uint64_t gen(const uint8_t *addrs, size_t addr_len, const uint8_t *th, uint64_t th_len,
		    int v6)
{
	uint32_t th_len32 = (uint32_t)th_len, count, cookie, mssind;
	uint16_t mss;

	if (th_len32 < TCP_HLEN || th_len32 != (uint32_t)(th[TCP_DOFF] >> 4) * 4)
		return UXDP_ERR(22); /* EINVAL */
	mss = parse_mss(th);
	if (!mss)
		mss = TCP_MSS_DEFAULT;
	for (mssind = 3; mssind; mssind--)
		if (mss >= msstab(v6, mssind))
			break;
	count = cookie_time();
	cookie = cookie_hash(addrs, addr_len, th, 0, 0) + be32(th + TCP_SEQ) +
		 (count << COOKIEBITS) +
		 ((cookie_hash(addrs, addr_len, th, count, 1) + mssind) & COOKIEMASK);
	return cookie | (uint64_t)msstab(v6, mssind) << 32;
}

static uint64_t check(const uint8_t *addrs, size_t addr_len, const uint8_t *th)
{
	uint32_t cookie = be32(th + TCP_ACK_SEQ) - 1, seq = be32(th + TCP_SEQ) - 1;
	uint32_t count = cookie_time(), diff, mssind;

	cookie -= cookie_hash(addrs, addr_len, th, 0, 0) + seq;
	diff = (count - (cookie >> COOKIEBITS)) & ((uint32_t)-1 >> COOKIEBITS);
	if (diff >= MAX_SYNCOOKIE_AGE)
		return UXDP_ERR(13); /* EACCES */
	mssind = (cookie - cookie_hash(addrs, addr_len, th, count - diff, 1)) & COOKIEMASK;
	return mssind < 4 ? 0 : UXDP_ERR(13);
}

uint64_t uxdp_helper_tcp_raw_gen_syncookie_ipv4(uint64_t iph, uint64_t th, uint64_t th_len)
{
	return gen((const uint8_t *)(uintptr_t)iph + IP4_SADDR, 8, (const uint8_t *)(uintptr_t)th,
		   th_len, 0);
}

uint64_t uxdp_helper_tcp_raw_gen_syncookie_ipv6(uint64_t iph, uint64_t th, uint64_t th_len)
{
	return gen((const uint8_t *)(uintptr_t)iph + IP6_SADDR, 32, (const uint8_t *)(uintptr_t)th,
		   th_len, 1);
}

uint64_t uxdp_helper_tcp_raw_check_syncookie_ipv4(uint64_t iph, uint64_t th)
{
	return check((const uint8_t *)(uintptr_t)iph + IP4_SADDR, 8,
		     (const uint8_t *)(uintptr_t)th);
}

uint64_t uxdp_helper_tcp_raw_check_syncookie_ipv6(uint64_t iph, uint64_t th)
{
	return check((const uint8_t *)(uintptr_t)iph + IP6_SADDR, 32,
		     (const uint8_t *)(uintptr_t)th);
}
