/* SPDX-License-Identifier: MIT */
/*
 * e2e.h - shared pieces of the xdp_progs end-to-end tests: packet building,
 * pcap reading and writing, seeding an instance's maps from a program's
 * .conf file, and running the uxdp pcap driver on it.
 *
 * Each program's test is one C file with two modes:
 *   TEST gen  OUT.pcap [CORPUS.pcap]   write the packet set
 *   TEST check UXDP OBJ.aot.o IN.pcap CONF WORKDIR
 *                                      seed, run uxdp, check what came out
 * Functions return 0 or a negative errno unless said otherwise; the check
 * functions print what failed to stderr.
 */
#ifndef XDP_PROGS_E2E_H
#define XDP_PROGS_E2E_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define E2E_MAX_FRAME 9200

struct e2e_pkt {
	uint8_t b[E2E_MAX_FRAME];
	size_t len;
};

/* ---- building ---- */
uint16_t e2e_csum(const void *p, size_t len, uint32_t sum);
/* Ethernet header with these MACs (last byte given) and ethertype. */
void e2e_eth(struct e2e_pkt *p, uint8_t dst_last, uint8_t src_last, uint16_t proto);
/*
 * Append an IPv4 header (addresses in host order) and an L4 header + payload;
 * lengths and checksums are filled in.  tcp_flags is byte 13 of TCP.
 */
void e2e_ipv4_tcp(struct e2e_pkt *p, uint32_t saddr, uint32_t daddr, uint16_t sport,
		  uint16_t dport, uint8_t tcp_flags, uint32_t seq, const void *payload,
		  size_t plen);
void e2e_ipv4_udp(struct e2e_pkt *p, uint32_t saddr, uint32_t daddr, uint16_t sport,
		  uint16_t dport, const void *payload, size_t plen);
void e2e_ipv6_l4(struct e2e_pkt *p, const uint8_t saddr[16], const uint8_t daddr[16],
		 uint8_t proto, uint16_t sport, uint16_t dport, uint8_t tcp_flags,
		 const void *payload, size_t plen);

/* ---- pcap ---- */
struct e2e_writer;
struct e2e_writer *e2e_writer_open(const char *path);
void e2e_write(struct e2e_writer *w, const void *b, size_t len);
/* Copy every packet of @corpus (may be NULL; runts skipped) into @w; returns how many. */
long e2e_copy_pcap(struct e2e_writer *w, const char *corpus);
long e2e_writer_close(struct e2e_writer *w); /* packets written */

/*
 * Call @cb for each packet of @path that a program can see (runts, shorter
 * than an Ethernet header, are skipped: no XDP path runs one); returns
 * packets read or -errno.
 */
long e2e_pcap_foreach(const char *path,
		      int (*cb)(void *arg, long idx, const uint8_t *b, size_t len), void *arg);

/* ---- running ---- */
struct e2e_run {
	const char *uxdp, *aot, *in, *conf, *workdir, *prog;
	char instance[32];
	char out[512], pass[512];
};

/*
 * Open @r->aot in a fresh instance (named after the test and pid), seed its
 * maps from @r->conf (`map NAME key .. value ..`, `prog_array NAME IDX PROG`;
 * the field words of tools/uxdp-difftest), then run
 * `uxdp --object AOT --pcap IN --out OUT --pass-out PASS --instance I [-p PROG]`.
 */
int e2e_run(struct e2e_run *r, const char *test);
/* Consume the ringbuf @name of the run's instance; returns records or -errno. */
long e2e_ringbuf_read(struct e2e_run *r, const char *name,
		      int (*cb)(void *arg, void *data, size_t size), void *arg);
/* Remove the instance's maps. */
void e2e_cleanup(struct e2e_run *r);

/* Per-test failure counting: E2E_CHECK(cond, fmt, ...) */
extern int e2e_failures;
#define E2E_CHECK(cond, ...)                                                       \
	do {                                                                       \
		if (!(cond)) {                                                     \
			e2e_failures++;                                            \
			if (e2e_failures <= 20) {                                  \
				fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
				fprintf(stderr, __VA_ARGS__);                      \
				fputc('\n', stderr);                               \
			}                                                          \
		}                                                                  \
	} while (0)

/* main() of a test: dispatches gen/check to these. */
int e2e_main(int argc, char **argv, const char *test,
	     int (*gen)(struct e2e_writer *w), int (*check)(struct e2e_run *r));

#endif
