// SPDX-License-Identifier: MIT
/*
 * xdp_firewall_test - packet set and end-to-end check of xdp_firewall.
 *
 * gen: the corpus, then (by source address)
 *   198.18.66.6      blocked exactly          -> all dropped
 *   198.18.77.x      blocked by the /24       -> all dropped
 *   198.18.90.x      15 TCP connections opened with SYN, then ACK and data,
 *                    and the server's SYN-ACKs from 198.18.95.1 -> all pass
 *   198.18.91.x      TCP ACKs of unknown connections -> all dropped
 *   198.18.92.1      30 UDP datagrams: the first 20 pass (the budget)
 *   198.18.93.x      UDP, 4 each                   -> all pass
 *   198.18.94.1      100 UDP datagrams: the first 20 pass (the budget,
 *                    across three of the rate stage's per-CPU batches)
 * check: nothing is transmitted, and pass.pcap holds exactly the packets
 * of each group that the README says pass; fw_rate and fw_rate_cpu hold
 * 198.18.94.1's counts after three adds (97 packets, 77 of them dropped;
 * 3 more pending, all dropped); each blocklist counted its 15 hits (fw_block4
 * on the one CPU of the run); fw_conns counts the packets of a TCP and
 * a UDP connection (xdp_firewall.conf sets fw_cfg[CFG_CONN_ACCT]).  Then,
 * in the same instance: a connection with accounting off (check_no_acct()),
 * resets of 198.18.94.1 as check_resets() says, and a source fw_rate has no
 * room for (check_full()).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <linux/bpf.h>
#include <uxdp/map.h>

#include "e2e.h"

#define A(c, d) (0xc6120000u | (c) << 8 | (d))

static long passed[256];

/* n identical UDP datagrams from saddr (to a server of the set): a budget's test. */
static void write_datagrams(struct e2e_writer *w, uint32_t saddr, uint16_t sport, int n)
{
	struct e2e_pkt p;

	for (int i = 0; i < n; i++) {
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_udp(&p, saddr, A(95, 2), sport, 514, "log", 3);
		e2e_write(w, p.b, p.len);
	}
}

static int gen(struct e2e_writer *w)
{
	struct e2e_pkt p;
	int i;

	for (i = 0; i < 15; i++) {
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_tcp(&p, A(66, 6), A(1, 1), 5000 + i, 80, 0x02, 1, NULL, 0);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_udp(&p, A(77, i), A(1, 1), 5000 + i, 53, "q", 1);
		e2e_write(w, p.b, p.len);
		/* a connection: SYN, SYN-ACK, ACK, data */
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_tcp(&p, A(90, i), A(95, 1), 6000 + i, 80, 0x02, 100, NULL, 0);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x20, 0x10, 0x0800);
		e2e_ipv4_tcp(&p, A(95, 1), A(90, i), 80, 6000 + i, 0x12, 200, NULL, 0);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_tcp(&p, A(90, i), A(95, 1), 6000 + i, 80, 0x10, 101, NULL, 0);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_tcp(&p, A(90, i), A(95, 1), 6000 + i, 80, 0x18, 101, "GET /", 5);
		e2e_write(w, p.b, p.len);
		/* mid-stream segment of nothing we saw open */
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_tcp(&p, A(91, i), A(95, 1), 7000 + i, 80, 0x10, 5, "x", 1);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_udp(&p, A(93, i), A(95, 2), 8000 + i, 123, "ntp", 3);
		e2e_write(w, p.b, p.len);
		e2e_write(w, p.b, p.len);
		e2e_write(w, p.b, p.len);
		e2e_write(w, p.b, p.len);
	}
	write_datagrams(w, A(92, 1), 9000, 30);
	write_datagrams(w, A(94, 1), 9100, 100);
	return 0;
}

static int count_pass(void *arg, long idx, const uint8_t *b, size_t len)
{
	if (len >= 34 && b[12] == 0x08 && b[13] == 0 && b[26] == 198 && b[27] == 18)
		passed[b[28]]++;
	return 0;
}

static int nop(void *arg, long idx, const uint8_t *b, size_t len)
{
	return 0;
}

/* Mirrors xdp_firewall.bpf.c; e2e runs one worker, so one CPU's value. */
struct fw_rate {
	uint64_t packets, dropped;
};
struct fw_rate_cpu {
	uint64_t seen;
	uint32_t pending, dropped;
};
struct fw_conn_key {
	uint32_t addr_lo, addr_hi; /* network order, the lower address first */
	uint16_t port_lo, port_hi;
	uint8_t protocol, pad[3];
};
struct fw_conn {
	uint64_t packets;
	uint32_t state, pad;
};
enum { CFG_CONN_ACCT = 1, CT_ESTABLISHED = 2 };

/* Copies instance's map name's value of key; 0 or a negative errno. */
static int map_get(const char *instance, const char *name, const void *key, void *value,
		   size_t size)
{
	struct uxdp_map *m;
	int err = uxdp_map_open(instance, name, &m);

	if (err)
		return err;
	err = uxdp_map_value_bytes(m) == size ? uxdp_map_lookup_elem_copy(m, key, value) : -EINVAL;
	uxdp_map_close(m);
	return err;
}

/* The control plane's update of key in instance's map name; 0 or a negative errno. */
static int map_put(const char *instance, const char *name, const void *key, const void *value)
{
	struct uxdp_map *m;
	int err = uxdp_map_open(instance, name, &m);

	if (err)
		return err;
	err = uxdp_map_update_elem(m, key, value, BPF_ANY);
	uxdp_map_close(m);
	return err;
}

/* The control plane's delete of source saddr in map name; 0 or a negative errno. */
static int map_delete(const char *instance, const char *name, uint32_t saddr)
{
	uint32_t key = htonl(saddr);
	struct uxdp_map *m;
	int err = uxdp_map_open(instance, name, &m);

	if (err)
		return err;
	err = uxdp_map_delete_elem(m, &key);
	uxdp_map_close(m);
	return err;
}

/* Fills fw_rate with other sources until it is full; the entries added, or -1. */
static long fill_fw_rate(const char *instance)
{
	struct fw_rate v = { 0 };
	struct uxdp_map *m;
	long n = 0;
	int err = uxdp_map_open(instance, "fw_rate", &m);

	if (err)
		return -1;
	for (uint32_t i = 0; !err; i++) {
		uint32_t key = htonl(0x0a000000u | i); /* 10.0.0.0/8: no packet's source */

		err = uxdp_map_update_elem(m, &key, &v, BPF_NOEXIST);
		n += !err;
	}
	uxdp_map_close(m);
	return err == -E2BIG ? n : -1;
}

static void check_rate(const char *instance, uint32_t saddr, struct fw_rate want,
		       struct fw_rate_cpu want_cpu)
{
	struct fw_rate r = { 0 };
	struct fw_rate_cpu c = { 0 };
	uint32_t key = htonl(saddr);
	int err = map_get(instance, "fw_rate", &key, &r, sizeof(r));

	if (!want.packets) /* the source must have no entry */
		E2E_CHECK(err == -ENOENT, "fw_rate[%08x]: %d, expected no entry", saddr, err);
	else
		E2E_CHECK(!err && r.packets == want.packets && r.dropped == want.dropped,
			  "fw_rate[%08x]: %d, {%llu, %llu}, expected {%llu, %llu}", saddr, err,
			  (unsigned long long)r.packets, (unsigned long long)r.dropped,
			  (unsigned long long)want.packets, (unsigned long long)want.dropped);
	err = map_get(instance, "fw_rate_cpu", &key, &c, sizeof(c));
	E2E_CHECK(!err && c.seen == want_cpu.seen && c.pending == want_cpu.pending &&
			  c.dropped == want_cpu.dropped,
		  "fw_rate_cpu[%08x]: %d, {%llu, %u, %u}, expected {%llu, %u, %u}", saddr, err,
		  (unsigned long long)c.seen, c.pending, c.dropped,
		  (unsigned long long)want_cpu.seen, want_cpu.pending, want_cpu.dropped);
}

/* fw_conns' entry of lo:lport <-> hi:hport (lo < hi) must be want. */
static void check_conn(const char *instance, uint32_t lo, uint16_t lport, uint32_t hi,
		       uint16_t hport, uint8_t protocol, struct fw_conn want)
{
	struct fw_conn_key key = { .addr_lo = htonl(lo), .addr_hi = htonl(hi),
				   .port_lo = htons(lport), .port_hi = htons(hport),
				   .protocol = protocol };
	struct fw_conn c = { 0 };
	int err = map_get(instance, "fw_conns", &key, &c, sizeof(c));

	E2E_CHECK(!err && c.packets == want.packets && c.state == want.state,
		  "fw_conns[%08x:%u-%08x:%u]: %d, {%llu, %u}, expected {%llu, %u}", lo, lport, hi,
		  hport, err, (unsigned long long)c.packets, c.state,
		  (unsigned long long)want.packets, want.state);
}

/* The blocklists' hit counts: 15 segments from 198.18.66.6, 15 datagrams from the /24. */
static void check_hits(const char *instance)
{
	uint32_t addr = htonl(A(66, 6));
	uint8_t prefix[8] = { 24, 0, 0, 0, 198, 18, 77, 0 };
	uint64_t exact = 0, lpm = 0;
	int err = map_get(instance, "fw_block4", &addr, &exact, sizeof(exact));

	E2E_CHECK(!err && exact == 15, "fw_block4[198.18.66.6]: %d, %llu hits, expected 15", err,
		  (unsigned long long)exact);
	err = map_get(instance, "fw_block_lpm", prefix, &lpm, sizeof(lpm));
	E2E_CHECK(!err && lpm == 15, "fw_block_lpm[198.18.77.0/24]: %d, %llu hits, expected 15",
		  err, (unsigned long long)lpm);
}

/*
 * n more datagrams from saddr, run in the first run's instance (its maps as
 * the runs before left them), in a directory of their own; how many passed.
 */
static long run_more(const struct e2e_run *first, const char *name, uint32_t saddr, int n)
{
	struct e2e_run r = *first;
	char dir[600], in[700];
	struct e2e_writer *w;
	int err;

	snprintf(dir, sizeof(dir), "%s/%s", first->workdir, name);
	snprintf(in, sizeof(in), "%s/in.pcap", dir);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -1;
	w = e2e_writer_open(in);
	if (!w)
		return -1;
	write_datagrams(w, saddr, 9100, n);
	e2e_writer_close(w);
	r.in = in;
	r.workdir = dir;
	r.conf = NULL; /* the same instance name: e2e_run() reuses its maps */
	err = e2e_run(&r, "xdp_firewall");
	if (err)
		return -1;
	memset(passed, 0, sizeof(passed));
	e2e_pcap_foreach(r.pass, count_pass, NULL);
	return passed[saddr >> 8 & 0xff];
}

/*
 * The control plane turns per-connection accounting off: 198.18.97.1's
 * datagrams (a new connection, then four of it) count nothing, and the
 * connection is established all the same.
 */
static void check_no_acct(const struct e2e_run *r)
{
	uint32_t key = CFG_CONN_ACCT;
	uint64_t off = 0;
	long n;
	int err = map_put(r->instance, "fw_cfg", &key, &off);

	E2E_CHECK(!err, "turning accounting off: %d", err);
	n = run_more(r, "no_acct", A(97, 1), 5);
	E2E_CHECK(n == 5, "%ld of 5 datagrams passed without accounting, expected 5", n);
	check_conn(r->instance, A(95, 2), 514, A(97, 1), 9100, IPPROTO_UDP,
		   (struct fw_conn){ .packets = 0, .state = CT_ESTABLISHED });
}

/*
 * The control plane resets 198.18.94.1 twice: its fw_rate entry alone (one
 * CPU notices at its next add, 29 packets on, then the budget opens
 * again), then as the README says (fw_rate, then fw_rate_cpu: at once).
 */
static void check_resets(const struct e2e_run *r)
{
	long n;

	E2E_CHECK(!map_delete(r->instance, "fw_rate", A(94, 1)), "resetting fw_rate");
	n = run_more(r, "reset_rate", A(94, 1), 60);
	E2E_CHECK(n == 20, "%ld of 60 datagrams passed after fw_rate's reset, expected 20", n);
	check_rate(r->instance, A(94, 1), (struct fw_rate){ 1, 0 },
		   (struct fw_rate_cpu){ 1, 30, 11 });

	E2E_CHECK(!map_delete(r->instance, "fw_rate", A(94, 1)) &&
			  !map_delete(r->instance, "fw_rate_cpu", A(94, 1)),
		  "resetting fw_rate and fw_rate_cpu");
	n = run_more(r, "reset_both", A(94, 1), 30);
	E2E_CHECK(n == 20, "%ld of 30 datagrams passed after a full reset, expected 20", n);
	check_rate(r->instance, A(94, 1), (struct fw_rate){ 1, 0 },
		   (struct fw_rate_cpu){ 1, 29, 10 });
}

/*
 * fw_rate full: a new source, 198.18.96.1, is not counted and never over
 * its budget (all 40 pass), and fw_rate is tried on its 1st and 34th
 * packets only (the countdown in fw_rate_cpu: 32 after a try, 26 left).
 */
static void check_full(const struct e2e_run *r)
{
	long filled = fill_fw_rate(r->instance), n;

	E2E_CHECK(filled > 0, "filling fw_rate: %ld", filled);
	n = run_more(r, "full", A(96, 1), 40);
	E2E_CHECK(n == 40, "%ld of 40 datagrams passed with fw_rate full, expected 40", n);
	check_rate(r->instance, A(96, 1), (struct fw_rate){ 0, 0 },
		   (struct fw_rate_cpu){ 0, 26, 0 });
}

static int check(struct e2e_run *r)
{
	long in = e2e_pcap_foreach(r->in, nop, NULL);
	long out = e2e_pcap_foreach(r->out, nop, NULL);
	long pass = e2e_pcap_foreach(r->pass, count_pass, NULL);

	E2E_CHECK(out == 0, "%ld packets transmitted", out);
	E2E_CHECK(passed[66] == 0, "%ld from the blocked address passed", passed[66]);
	E2E_CHECK(passed[77] == 0, "%ld from the blocked prefix passed", passed[77]);
	E2E_CHECK(passed[90] == 45, "%ld of 45 client packets passed", passed[90]);
	E2E_CHECK(passed[95] == 15, "%ld of 15 SYN-ACKs passed", passed[95]);
	E2E_CHECK(passed[91] == 0, "%ld segments of unknown connections passed", passed[91]);
	E2E_CHECK(passed[92] == 20, "%ld of 30 over-budget datagrams passed, expected 20",
		  passed[92]);
	E2E_CHECK(passed[93] == 60, "%ld of 60 UDP datagrams passed", passed[93]);
	E2E_CHECK(passed[94] == 20, "%ld of 100 over-budget datagrams passed, expected 20",
		  passed[94]);
	check_rate(r->instance, A(94, 1), (struct fw_rate){ 97, 77 },
		   (struct fw_rate_cpu){ 97, 3, 3 });
	check_rate(r->instance, A(92, 1), (struct fw_rate){ 1, 0 },
		   (struct fw_rate_cpu){ 1, 29, 10 });
	check_hits(r->instance);
	/* SYN, SYN-ACK, ACK, data; four datagrams */
	check_conn(r->instance, A(90, 1), 6001, A(95, 1), 80, IPPROTO_TCP,
		   (struct fw_conn){ .packets = 4, .state = CT_ESTABLISHED });
	check_conn(r->instance, A(93, 1), 8001, A(95, 2), 123, IPPROTO_UDP,
		   (struct fw_conn){ .packets = 4, .state = CT_ESTABLISHED });
	printf("xdp_firewall: %ld packets, %ld passed, %ld dropped\n", in, pass, in - pass);
	check_no_acct(r);
	check_resets(r);
	check_full(r);
	return 0;
}

int main(int argc, char **argv)
{
	return e2e_main(argc, argv, "xdp_firewall", gen, check);
}
