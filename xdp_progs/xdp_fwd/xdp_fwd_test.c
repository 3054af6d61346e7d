// SPDX-License-Identifier: MIT
/*
 * xdp_fwd_test - packet set and end-to-end check of xdp_fwd (table mode).
 *
 * gen: the corpus, then per round i: IPv4 TCP and UDP to 198.18.100.1
 * (routed to port 1), to 198.18.100.2 (route to a missing port), to an
 * unrouted address, one with TTL 1 to 198.18.100.1, and IPv6 to it.
 * check: exactly the routed TTL>1 IPv4 packets come out (redirected), with
 * the route's MACs, TTL one less and a valid header checksum; all others
 * pass unchanged.
 *
 * fibcheck UXDP OBJ IN.pcap CONF FIB WORKDIR: the same packets in fib mode,
 * with CONF given to `uxdp --config` and FIB to `uxdp --fib`; see fib_expect().
 * fibbad UXDP OBJ IN.pcap WORKDIR: a bad --fib / --config file is exit 1 and
 * one line naming FILE:LINE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uxdp/map.h>

#include "e2e.h"

#define ROUNDS 40
#define DST1 0xc6126401u /* 198.18.100.1 */
#define DST2 0xc6126402u
#define DST_NONE 0xc6126463u

static long expect_fwd;

static int gen(struct e2e_writer *w)
{
	static const uint8_t s6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t d6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	struct e2e_pkt p;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		uint32_t src = 0xc6120000u + (uint32_t)i;

		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_tcp(&p, src, DST1, 1000 + i, 80, 0x02, i, "abc", 3);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_udp(&p, src, DST1, 1000 + i, 53, "hello", 5);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_tcp(&p, src, DST2, 1000 + i, 80, 0x10, i, NULL, 0);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_udp(&p, src, DST_NONE, 1000 + i, 53, "x", 1);
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x0800);
		e2e_ipv4_udp(&p, src, DST1, 1000 + i, 53, "ttl", 3);
		p.b[14 + 8] = 1; /* TTL 1 */
		p.b[14 + 10] = p.b[14 + 11] = 0;
		{
			uint16_t c = e2e_csum(p.b + 14, 20, 0);

			p.b[24] = c >> 8, p.b[25] = c & 0xff;
		}
		e2e_write(w, p.b, p.len);
		e2e_eth(&p, 0x10, 0x20, 0x86dd);
		e2e_ipv6_l4(&p, s6, d6, 6, 1000 + i, 443, 0x02, NULL, 0);
		e2e_write(w, p.b, p.len);
	}
	return 0;
}

/* Whether xdp_fwd forwards this input packet (the README's rule). */
static int count_in(void *arg, long idx, const uint8_t *b, size_t len)
{
	if (len >= 34 && b[12] == 0x08 && b[13] == 0x00 && (b[14] >> 4) == 4 &&
	    (b[14] & 15) >= 5 && b[30] == 0xc6 && b[31] == 0x12 && b[32] == 100 && b[33] == 1 &&
	    b[22] > 1)
		expect_fwd++;
	return 0;
}

static int check_out(void *arg, long idx, const uint8_t *b, size_t len)
{
	static const uint8_t dmac[6] = { 2, 0, 0x5e, 0, 0, 1 }, smac[6] = { 2, 0, 0x5e, 0, 0, 0xfe };

	E2E_CHECK(len >= 34, "out %ld: %zu bytes", idx, len);
	if (len < 34)
		return 0;
	E2E_CHECK(!memcmp(b, dmac, 6) && !memcmp(b + 6, smac, 6), "out %ld: MACs", idx);
	E2E_CHECK(b[30] == 0xc6 && b[31] == 0x12 && b[32] == 100 && b[33] == 1,
		  "out %ld: not to 198.18.100.1", idx);
	E2E_CHECK(b[22] >= 1, "out %ld: TTL %u", idx, b[22]);
	E2E_CHECK(e2e_csum(b + 14, (size_t)(b[14] & 15) * 4, 0) == 0, "out %ld: IP checksum",
		  idx);
	return 0;
}

static int check_pass(void *arg, long idx, const uint8_t *b, size_t len)
{
	if (len >= 34 && b[12] == 0x08 && b[13] == 0 && b[30] == 0xc6 && b[31] == 0x12 &&
	    b[32] == 100 && b[33] == 1 && b[22] > 1 && (b[14] >> 4) == 4 && (b[14] & 15) >= 5)
		E2E_CHECK(0, "pass %ld: a routed packet passed", idx);
	return 0;
}

static int check(struct e2e_run *r)
{
	long in = e2e_pcap_foreach(r->in, count_in, NULL);
	long out = e2e_pcap_foreach(r->out, check_out, NULL);
	long pass = e2e_pcap_foreach(r->pass, check_pass, NULL);

	E2E_CHECK(expect_fwd >= ROUNDS * 2, "only %ld routed packets in the set", expect_fwd);
	E2E_CHECK(out == expect_fwd, "%ld forwarded, expected %ld", out, expect_fwd);
	E2E_CHECK(in == out + pass, "%ld in, %ld out + %ld passed", in, out, pass);
	printf("xdp_fwd: %ld packets, %ld forwarded, %ld passed\n", in, out, pass);
	return 0;
}

/* ---- fib mode ---- */

/* xdp_fwd.fib: 198.18.100.1 via a neighbour on 2, 2001:db8::2 on-link on 3. */
static const uint8_t gw4_mac[6] = { 2, 0, 0x5e, 0, 0, 1 }, if2_mac[6] = { 2, 0, 0x5e, 0, 2, 2 };
static const uint8_t nb6_mac[6] = { 2, 0, 0x5e, 0, 0, 6 }, if3_mac[6] = { 2, 0, 0x5e, 0, 3, 3 };
static const uint8_t fib_d4[4] = { 198, 18, 100, 1 }, fib_d6[16] = { 0x20, 0x01, 0x0d, 0xb8,
								       [15] = 2 };

struct pkt_list {
	struct e2e_pkt *p;
	long n, cap;
};

static struct pkt_list fwd_in, pass_in;
static long fib_lookups;

/* The checks of fe80::/10, ff00::/8 and ::1 the kernel makes before an IPv6 lookup. */
static bool strict6(const uint8_t *a)
{
	static const uint8_t loopback[16] = { [15] = 1 };

	return a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || !memcmp(a, loopback, 16);
}

/*
 * Whether xdp_fwd (fib mode) with xdp_fwd.fib forwards this packet; *lookup
 * says it got as far as bpf_fib_lookup (IP, long enough, TTL > 1), where
 * anything but success is XDP_PASS counted as a FIB failure.  The MTU is
 * the default 1500, checked against the length the program passes.
 */
static bool fib_expect(const uint8_t *b, size_t len, bool *lookup)
{
	*lookup = false;
	if (len >= 34 && b[12] == 0x08 && b[13] == 0x00 && b[22] > 1) {
		*lookup = true;
		return !memcmp(b + 30, fib_d4, 4) && (b[16] << 8 | b[17]) <= 1500;
	}
	if (len >= 54 && b[12] == 0x86 && b[13] == 0xdd && b[21] > 1) {
		*lookup = true;
		return !memcmp(b + 38, fib_d6, 16) && !strict6(b + 22) &&
		       (b[18] << 8 | b[19]) <= 1500;
	}
	return false;
}

static void list_add(struct pkt_list *l, const uint8_t *b, size_t len)
{
	if (len > sizeof(l->p->b)) {
		fprintf(stderr, "xdp_fwd: a %zu-byte packet in the set\n", len);
		exit(1);
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->p = realloc(l->p, l->cap * sizeof(*l->p));
		if (!l->p) {
			perror("realloc");
			exit(1);
		}
	}
	memcpy(l->p[l->n].b, b, len);
	l->p[l->n++].len = len;
}

static int fib_in(void *arg, long idx, const uint8_t *b, size_t len)
{
	bool lookup, fwd = fib_expect(b, len, &lookup);

	list_add(fwd ? &fwd_in : &pass_in, b, len);
	fib_lookups += lookup;
	return 0;
}

/* Output idx is the idx-th forwarded input with new MACs, TTL - 1 and a valid checksum. */
static int fib_out(void *arg, long idx, const uint8_t *b, size_t len)
{
	const struct e2e_pkt *in = idx < fwd_in.n ? &fwd_in.p[idx] : NULL;
	size_t i, ihl;
	bool v4;

	E2E_CHECK(in, "out %ld: more forwarded than expected", idx);
	if (!in)
		return 0;
	E2E_CHECK(len == in->len, "out %ld: %zu bytes, input had %zu", idx, len, in->len);
	if (len != in->len)
		return 0;
	v4 = b[12] == 0x08;
	E2E_CHECK(!memcmp(b, v4 ? gw4_mac : nb6_mac, 6), "out %ld: dmac is not the neighbour's",
		  idx);
	E2E_CHECK(!memcmp(b + 6, v4 ? if2_mac : if3_mac, 6), "out %ld: smac is not the egress's",
		  idx);
	if (v4) {
		ihl = (size_t)(in->b[14] & 15) * 4;
		E2E_CHECK(b[22] == in->b[22] - 1, "out %ld: TTL %u, input %u", idx, b[22], in->b[22]);
		if (ihl >= 20 && 14 + ihl <= len && !e2e_csum(in->b + 14, ihl, 0))
			E2E_CHECK(!e2e_csum(b + 14, ihl, 0), "out %ld: IP checksum", idx);
		for (i = 12; i < len; i++)
			if (i != 22 && i != 24 && i != 25 && b[i] != in->b[i])
				break;
	} else {
		E2E_CHECK(b[21] == in->b[21] - 1, "out %ld: hop limit %u, input %u", idx, b[21],
			  in->b[21]);
		for (i = 12; i < len; i++)
			if (i != 21 && b[i] != in->b[i])
				break;
	}
	E2E_CHECK(i == len, "out %ld: byte %zu changed", idx, i);
	return 0;
}

static int fib_pass(void *arg, long idx, const uint8_t *b, size_t len)
{
	const struct e2e_pkt *in = idx < pass_in.n ? &pass_in.p[idx] : NULL;

	E2E_CHECK(in && in->len == len && !memcmp(in->b, b, len),
		  "pass %ld: not the %ld-th unforwarded input, unchanged", idx, idx);
	return 0;
}

/* Run uxdp with argv; stdout to out_log, stderr to err_log.  Its exit status, or -1. */
static int run(char **argv, const char *out_log, const char *err_log)
{
	pid_t pid;
	int st;

	fflush(NULL); /* else the child writes our unflushed output again */
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (!freopen(out_log, "w", stdout) || !freopen(err_log, "w", stderr))
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static uint64_t stat_get(const char *instance, uint32_t idx)
{
	struct uxdp_map *m;
	uint64_t v = ~0ull;

	if (!uxdp_map_open(instance, "fwd_stats", &m)) {
		if (uxdp_map_lookup_elem_copy(m, &idx, &v))
			v = ~0ull;
		uxdp_map_close(m);
	}
	return v;
}

static int fib_check(char **a)
{
	struct e2e_run r = { .workdir = a[5] };
	char out[600], pass[600], log[600], elog[600];
	char *argv[] = { a[0], "--object", a[1], "--pcap", a[2], "--out", out, "--pass-out", pass,
			 "--instance", r.instance, "--config", a[3], "--fib", a[4], NULL };
	long in, nout, npass, v4 = 0, v6 = 0, i;
	int st;

	snprintf(r.instance, sizeof(r.instance), "e2e-fwdfib-%d", (int)getpid());
	snprintf(out, sizeof(out), "%s/fib_out.pcap", a[5]);
	snprintf(pass, sizeof(pass), "%s/fib_pass.pcap", a[5]);
	snprintf(log, sizeof(log), "%s/fib_uxdp.log", a[5]);
	snprintf(elog, sizeof(elog), "%s/fib_uxdp.err", a[5]);
	st = run(argv, log, elog);
	E2E_CHECK(st == 0, "uxdp exited %d, see %s", st, elog);
	if (st) {
		e2e_cleanup(&r);
		return 1;
	}
	in = e2e_pcap_foreach(a[2], fib_in, NULL);
	nout = e2e_pcap_foreach(out, fib_out, NULL);
	npass = e2e_pcap_foreach(pass, fib_pass, NULL);
	for (i = 0; i < fwd_in.n; i++)
		fwd_in.p[i].b[12] == 0x08 ? v4++ : v6++;
	E2E_CHECK(v4 >= ROUNDS * 2 && v6 >= ROUNDS, "only %ld IPv4 and %ld IPv6 routed in the set",
		  v4, v6);
	E2E_CHECK(nout == fwd_in.n, "%ld forwarded, expected %ld", nout, fwd_in.n);
	E2E_CHECK(npass == pass_in.n, "%ld passed, expected %ld", npass, pass_in.n);
	/* The passes after a lookup are the FIB failure branch (NO_NEIGH, NOT_FWDED, ...). */
	E2E_CHECK(stat_get(r.instance, 4) == (uint64_t)fwd_in.n, "fwd_stats[forwarded] %llu",
		  (unsigned long long)stat_get(r.instance, 4));
	E2E_CHECK(stat_get(r.instance, 5) == (uint64_t)(fib_lookups - fwd_in.n),
		  "fwd_stats[fib failure] %llu, expected %ld",
		  (unsigned long long)stat_get(r.instance, 5), fib_lookups - fwd_in.n);
	E2E_CHECK(stat_get(r.instance, 2) == 0, "fwd_stats[no route] %llu",
		  (unsigned long long)stat_get(r.instance, 2));
	e2e_cleanup(&r);
	printf("xdp_fwd fib: %ld packets, %ld forwarded (%ld IPv4, %ld IPv6), %ld passed, "
	       "%ld FIB failures\n", in, nout, v4, v6, npass, fib_lookups - fwd_in.n);
	return 0;
}

/* One bad file: uxdp exits 1 with one stderr line starting "uxdp: FILE:LINE: want". */
static void bad_case(char **a, const char *opt, const char *name, const char *text, int line,
		     const char *want)
{
	char path[600], out[600], log[600], elog[700], expect[1400], msg[1024] = "";
	char *argv[] = { a[0], "--object", a[1], "--pcap", a[2], "--out", out, (char *)opt, path,
			 NULL };
	FILE *f;
	int st, lines = 0, c;

	snprintf(path, sizeof(path), "%s/%s", a[3], name);
	snprintf(out, sizeof(out), "%s/bad_out.pcap", a[3]);
	snprintf(log, sizeof(log), "%s/bad_uxdp.log", a[3]);
	snprintf(elog, sizeof(elog), "%s.err", path);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		E2E_CHECK(0, "%s: cannot write", path);
		return;
	}
	st = run(argv, log, elog);
	E2E_CHECK(st == 1, "%s %s: exit %d, expected 1", opt, name, st);
	f = fopen(elog, "r");
	if (f) {
		if (!fgets(msg, sizeof(msg), f))
			msg[0] = '\0';
		rewind(f);
		while ((c = fgetc(f)) != EOF)
			lines += c == '\n';
		fclose(f);
	}
	snprintf(expect, sizeof(expect), "uxdp: %s:%d: %s", path, line, want);
	E2E_CHECK(lines == 1, "%s %s: %d lines on stderr", opt, name, lines);
	E2E_CHECK(!strncmp(msg, expect, strlen(expect)), "%s %s: '%s', expected '%s'", opt, name,
		  msg, expect);
}

static int fib_bad(char **a)
{
	bad_case(a, "--fib", "bad_route.fib",
		 "# a route through an interface never declared\n"
		 "iface 1 mac 02:00:5e:00:01:01\n"
		 "route 198.18.100.0/24 dev 7\n", 3, "route: dev 7 is not an interface");
	bad_case(a, "--fib", "bad_mac.fib", "iface 1 mac 02:00:5e:00:01\n", 1, "iface: bad MAC");
	bad_case(a, "--config", "bad_map.conf",
		 "map fwd_cfg key u32 0 value u32 1 u32 0\n"
		 "map nosuch key u32 0 value u32 0\n", 2, "map nosuch: no such map");
	bad_case(a, "--config", "bad_size.conf", "\nmap fwd_cfg key u32 0 value u32 1\n", 2,
		 "map fwd_cfg: value is 4 bytes, the map's value size is 8");
	printf("xdp_fwd fib: bad files rejected\n");
	return 0;
}

int main(int argc, char **argv)
{
	int ret;

	if (argc == 8 && !strcmp(argv[1], "fibcheck"))
		ret = fib_check(argv + 2);
	else if (argc == 6 && !strcmp(argv[1], "fibbad"))
		ret = fib_bad(argv + 2);
	else
		return e2e_main(argc, argv, "xdp_fwd", gen, check);
	if (ret || e2e_failures) {
		fprintf(stderr, "xdp_fwd %s: FAILED (%d failed checks)\n", argv[1], e2e_failures);
		return 1;
	}
	return 0;
}
