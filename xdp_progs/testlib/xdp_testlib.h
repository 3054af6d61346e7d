/* SPDX-License-Identifier: MIT */
/*
 * xdp_testlib.h - host-side helpers for the tests of xdp_progs/: pcap in and
 * out, packet builders, Internet checksums, running the uxdp command,
 * seeding maps from a <name>.conf file, and comparing what uxdp wrote with
 * what a reference model of the program says it should have written.
 */
#ifndef XDP_TESTLIB_H
#define XDP_TESTLIB_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <pcap/pcap.h>
#include <uxdp/map.h>

/* Verdicts, as enum xdp_action. */
enum { TL_ABORTED = 0, TL_DROP = 1, TL_PASS = 2, TL_TX = 3, TL_REDIRECT = 4, TL_NV = 5 };

/* The largest frame a test builds or reads. */
#define TL_MAX_FRAME 16384

struct tl_pkt {
	uint32_t len;
	uint8_t *data;
};

struct tl_pcap {
	size_t n;
	struct tl_pkt *p;
};

/* Read every record of path (caplen bytes) but runts (< 14 bytes, which no
 * program sees); 0 or -1 with a message. */
int tl_pcap_load(const char *path, struct tl_pcap *out);
void tl_pcap_free(struct tl_pcap *c);

struct tl_writer {
	pcap_t *p;
	pcap_dumper_t *d;
	uint64_t n;
};

int tl_writer_open(struct tl_writer *w, const char *path);
void tl_write(struct tl_writer *w, const void *buf, size_t len);
/* Append every packet of path; returns how many, or -1. */
long tl_write_pcap(struct tl_writer *w, const char *path);
void tl_writer_close(struct tl_writer *w);

static inline void tl_put16(uint8_t *b, uint16_t v)
{
	b[0] = v >> 8;
	b[1] = v;
}

static inline uint16_t tl_get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* Packet builders; each writes at b and returns the bytes written. */
extern const uint8_t tl_mac_dst[6], tl_mac_src[6];
size_t tl_eth(uint8_t *b, uint16_t ethertype);
size_t tl_vlan(uint8_t *b, uint16_t tpid, uint16_t vid, uint16_t ethertype); /* eth + one tag */
/* 20-byte IPv4 header, valid checksum; addresses in host order. */
size_t tl_ipv4(uint8_t *b, uint8_t proto, uint32_t saddr, uint32_t daddr, size_t l4len);
size_t tl_ipv6(uint8_t *b, uint8_t nexthdr, const uint8_t src[16], const uint8_t dst[16],
	       size_t l4len);
size_t tl_tcp(uint8_t *b, uint16_t sport, uint16_t dport, uint8_t flags);
size_t tl_udp(uint8_t *b, uint16_t sport, uint16_t dport, size_t paylen);
/* ICMP echo header (checksum over hdr + paylen bytes of payload at b + 8). */
size_t tl_icmp_echo(uint8_t *b, uint8_t type, uint16_t id, uint16_t seq, size_t paylen);

/* Folded 16-bit one's-complement sum of n bytes read as big-endian words. */
uint16_t tl_sum16(const void *p, size_t n, uint32_t init);
/* Recompute the IPv4 header checksum of the header at ip (IHL honoured). */
void tl_ipv4_fix_csum(uint8_t *ip);
uint32_t tl_rand(uint32_t *state);

/* Run uxdp over in; outputs to out/pass; instance keeps the maps.  Exit status or -1. */
int tl_run_uxdp(const char *uxdp, const char *aot, const char *in, const char *out,
		const char *pass, const char *instance);
/* Create the object's maps in instance (1 CPU, as the uxdp command) and apply conf. */
int tl_seed(const char *aot, const char *instance, const char *conf);

/* Everything an e2e test needs: argv is "e2e UXDP AOT IN.pcap WORKDIR [CONF]". */
struct tl_e2e {
	const char *uxdp, *aot, *in, *dir, *conf;
	char instance[64];
	char out[PATH_MAX], pass[PATH_MAX];
	struct tl_pcap pin, pout, ppass;
};
int tl_e2e_run(struct tl_e2e *e, int argc, char **argv);
void tl_e2e_end(struct tl_e2e *e);
/* A map of the e2e instance; the caller closes it.  NULL with a message. */
struct uxdp_map *tl_e2e_map(struct tl_e2e *e, const char *name);

/*
 * The model: given a private copy of the packet (room for TL_MAX_FRAME
 * bytes), change it as the program would and return the verdict.
 */
typedef int (*tl_model_fn)(uint8_t *pkt, uint32_t *len, void *arg);
/*
 * Run model over e->pin and compare with e->pout (TX) and e->ppass (PASS),
 * in order, byte for byte.  counts[v] gets the model's verdicts.  Returns
 * the number of mismatches (messages name the first few).
 */
int tl_check(struct tl_e2e *e, tl_model_fn model, void *arg, uint64_t counts[TL_NV]);

/*
 * A test program's main: `gen CORPUS.pcap OUT.pcap` calls gen, `e2e ...`
 * calls e2e with argv from "e2e" on; anything else is a usage error (2).
 */
int tl_main(int argc, char **argv, int (*gen)(const char *corpus, const char *out),
	    int (*e2e)(int argc, char **argv));

/* Print "name: ok" or "name: FAIL ..." style results; returns 1 if !cond. */
int tl_expect(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
