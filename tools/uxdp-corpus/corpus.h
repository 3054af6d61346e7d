/* SPDX-License-Identifier: MIT */
/*
 * corpus.h - deterministic packet corpus for differential tests.
 *
 * Every packet is built by one "kind" (a row of the kind table). Kinds are
 * either valid (correct lengths and checksums) or malformed (one defect on
 * purpose). Packet i of a corpus is kind (i mod number-of-selected-kinds),
 * and every varying field comes from a splitmix64 stream seeded by --seed,
 * so one seed always gives the same bytes.
 *
 * Addresses are only in 198.18.0.0/15 (RFC 2544 benchmarking) and
 * 2001:db8::/32 (RFC 3849 documentation); MACs are locally administered.
 *
 * Limits of the Linux XDP BPF_PROG_TEST_RUN (measured on 6.18 with bpftool
 * prog run): fewer than 14 bytes fails with -EINVAL; up to 3520 bytes (a
 * 4096-byte page minus 256 of headroom and 320 of skb_shared_info) are
 * linear, data..data_end; longer frames are accepted, with or without
 * xdp.frags, but only the first 3520 bytes are linear and the rest sit in
 * fragments (bpf_xdp_get_buff_len() gives the whole length). Runts and the
 * jumbo kind (only with --jumbo) cross those limits on purpose.
 */
#ifndef UXDP_CORPUS_H
#define UXDP_CORPUS_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Largest frame any kind builds (a 9000-byte jumbo payload plus headers). */
#define CORPUS_MAX_FRAME 9100
/* Longest frame the kernel's XDP test_run keeps linear (data..data_end). */
#define CORPUS_KERNEL_MAX 3520
/* Smallest frame the kernel's XDP test_run accepts (one Ethernet header). */
#define CORPUS_KERNEL_MIN 14

enum corpus_class {
	CORPUS_VALID,
	CORPUS_MALFORMED,
	CORPUS_JUMBO, /* valid, but only with --jumbo: may exceed CORPUS_KERNEL_MAX */
};

struct corpus_rng {
	uint64_t s;
};

struct corpus_pkt {
	uint8_t b[CORPUS_MAX_FRAME];
	size_t len;
};

struct corpus_kind {
	const char *name;
	enum corpus_class cls;
	const char *help;
	/* n: how many packets of this kind came before; flow: 0..flows-1 */
	void (*build)(struct corpus_pkt *p, struct corpus_rng *r, unsigned int n,
		      unsigned int flow);
};

extern const struct corpus_kind corpus_kinds[];
extern const size_t corpus_nkinds;

uint64_t corpus_rand(struct corpus_rng *r);

/* Index of the kind called @name, or -ENOENT. */
int corpus_kind_find(const char *name);

/*
 * Fold and complement a ones' complement sum (RFC 1071); exposed so that the
 * checker can verify with the same arithmetic spelled independently.
 */
uint32_t corpus_csum_add(uint32_t sum, const uint8_t *p, size_t len);
uint16_t corpus_csum_fold(uint32_t sum);

#endif /* UXDP_CORPUS_H */
