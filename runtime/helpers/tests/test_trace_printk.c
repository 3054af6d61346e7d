// SPDX-License-Identifier: MIT
/* Unit tests of trace_printk: the kernel's format checks, output and return value. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <uxdp/worker.h>

#include "../helpers_impl.h"
#include "test.h"

#define P(x) ((uint64_t)(uintptr_t)(x))

static int pipefd[2];
static char line[2048];

/* Call trace_printk with fmt (size including its NUL) and read back the message. */
static int64_t tp(const char *fmt, uint64_t a1, uint64_t a2, uint64_t a3)
{
	int64_t r = (int64_t)uxdp_helper_trace_printk(P(fmt), strlen(fmt) + 1, a1, a2, a3);
	ssize_t n;
	char *msg;

	line[0] = 0;
	if (r < 0)
		return r;
	n = read(pipefd[0], line, sizeof(line) - 1);
	line[n > 0 ? n : 0] = 0;
	msg = strstr(line, ": bpf_trace_printk: ");
	CHECK(msg != NULL);
	if (msg)
		memmove(line, msg + 20, strlen(msg + 20) + 1);
	return r;
}

#define EXPECT(fmt, a1, a2, a3, want)                                         \
	do {                                                                  \
		int64_t r_ = tp(fmt, a1, a2, a3);                             \
		CHECK_EQ(r_, strlen(want));                                   \
		if (strncmp(line, want, strlen(want)) || line[strlen(want)] != '\n') { \
			fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__, \
				__LINE__, line, want);                        \
			test_failures++;                                      \
		}                                                             \
	} while (0)

#define EINV ((int64_t)-EINVAL)

/*
 * Addresses a verified program may pass that are not (all) mapped: the
 * kernel's nofault copies print "" for a string and zeros for an address,
 * and so must we, without a fault.  A page, then an unmapped one.
 */
static void test_unmapped(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	char *end;

	CHECK(m != MAP_FAILED);
	if (m == MAP_FAILED)
		return;
	CHECK_EQ(munmap(m + pg, (size_t)pg), 0);
	end = m + pg;
	memcpy(end - 4, "abc", 4);
	EXPECT("%s.", P(end - 4), 0, 0, "abc.");     /* its NUL is the page's last byte */
	memcpy(end - 3, "xyz", 3);
	EXPECT("%s.", P(end - 3), 0, 0, ".");        /* runs into the unmapped page */
	EXPECT("%s.", P(end), 0, 0, ".");            /* unmapped */
	EXPECT("%s.", P(-4096), 0, 0, ".");          /* not a user address at all */
	EXPECT("%pI4", P(end), 0, 0, "0.0.0.0");
	EXPECT("%pI4", P(end - 2), 0, 0, "0.0.0.0"); /* half of it mapped */
	memcpy(end - 4, "\x0a\x00\x00\x01", 4);
	EXPECT("%pI4", P(end - 4), 0, 0, "10.0.0.1");
	EXPECT("%pI6", P(end - 8), 0, 0, "0000:0000:0000:0000:0000:0000:0000:0000");
	munmap(m, (size_t)pg);
}

int main(void)
{
	struct uxdp_worker w;
	uint8_t ip4[4] = { 192, 168, 1, 7 };
	uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	char big[600];

	if (pipe(pipefd))
		return 1;
	uxdp_trace_set_fd(pipefd[1]);
	uxdp_worker_init(&w, 2);
	uxdp_worker_set_current(&w);

	EXPECT("hello", 0, 0, 0, "hello");
	EXPECT("%d %i %u", (uint64_t)-5, 7, (uint64_t)-1, "-5 7 4294967295");
	EXPECT("%x %X %lx", 0xfffffffffull, 0xabc, 0x123456789ull, "ffffffff ABC 123456789");
	EXPECT("%ld %lld %llu", (uint64_t)-5, (uint64_t)-6, (uint64_t)-1,
	       "-5 -6 18446744073709551615");
	EXPECT("[%5d|%-5d|%05d]", 42, 42, 42, "[   42|42   |00042]");
	EXPECT("[%+d|% d]", 1, 2, 0, "[+1| 2]");
	EXPECT("%s=%c%%", P("key"), 'v', 0, "key=v%");
	EXPECT("[%6s|%-4s]", P("ab"), P("cd"), 0, "[    ab|cd  ]");
	EXPECT("%pI4 %pi4", P(ip4), P(ip4), 0, "192.168.1.7 192.168.001.007");
	EXPECT("%pI6", P(ip6), 0, 0, "2001:0db8:0000:0000:0000:0000:0000:0001");
	EXPECT("%pi6", P(ip6), 0, 0, "20010db8000000000000000000000001");
	EXPECT("%px", 0x1234, 0, 0, "0000000000001234");
	EXPECT("%s.", 0, 0, 0, ".");          /* a bad string pointer prints "" */
	test_unmapped();
	/* A message that ends in a newline gets no second one. */
	CHECK_EQ(tp("tab\there\n", 0, 0, 0), 9);
	CHECK(!strcmp(line, "tab\there\n"));
	/* The line carries the worker index as the CPU, as trace_pipe does. */
	uxdp_helper_trace_printk(P("x"), 2, 0, 0, 0);
	CHECK(read(pipefd[0], line, sizeof(line) - 1) > 0 && strstr(line, " [002] "));

	/* Rejected formats. */
	CHECK_EQ(tp("%d %d %d %d", 1, 2, 3), EINV); /* 4 conversions */
	CHECK_EQ(tp("%5.2d", 1, 0, 0), EINV);       /* precision */
	CHECK_EQ(tp("%hd", 1, 0, 0), EINV);
	CHECK_EQ(tp("%zu", 1, 0, 0), EINV);
	CHECK_EQ(tp("%lp", 1, 0, 0), EINV);
	CHECK_EQ(tp("%sx", P("a"), 0, 0), EINV);     /* %s then an alphanumeric */
	CHECK_EQ(tp("%pI5", P(ip4), 0, 0), EINV);
	CHECK_EQ(tp("%pZ", 1, 0, 0), EINV);
	CHECK_EQ(tp("%", 0, 0, 0), EINV);
	CHECK_EQ(tp("bell\a", 0, 0, 0), EINV);       /* not printable */
	CHECK_EQ(tp("caf\xc3\xa9", 0, 0, 0), EINV);  /* not ASCII */
	/* No NUL within fmt_size. */
	CHECK_EQ((int64_t)uxdp_helper_trace_printk(P("abc"), 3, 0, 0, 0), EINV);
	CHECK_EQ((int64_t)uxdp_helper_trace_printk(P("abc"), 0, 0, 0, 0), EINV);
	CHECK_EQ(tp("%%%%", 0, 0, 0), 2);

	/* 512-byte buffer: 511 characters kept, the full length returned. */
	memset(big, 'a', 599);
	big[599] = 0;
	CHECK_EQ(tp("%s", P(big), 0, 0), 511);
	/* The first string filled bin_args: the second has no room. */
	CHECK_EQ(tp("%s%s", P(big), P(big), 0), (int64_t)-ENOSPC);
	CHECK_EQ(tp("%d%s", 1, P(big), 0), 1 + 507);
	CHECK_EQ(tp("%s|%s", P(big + 300), P(big + 300), 0), 299 + 1 + 211);
	CHECK(strlen(line) == 512); /* 511 + the newline */
	/*
	 * The output buffer is 1024 bytes (Linux 6.18): an address text still
	 * fits after 520 characters, and is neither printed nor counted after
	 * 1030 (the kernel on the test machine: 527 for 1.2.3.4, and 1030).
	 */
	CHECK_EQ(tp("%520d%pI4", 1, P(ip4), 0), 520 + 11);
	CHECK_EQ(tp("%1030d%pI4", 1, P(ip4), 0), 1030);
	/* After a text ran past the 512 bytes of arguments the kernel formats
	 * stale bytes for a string: refused here. */
	CHECK_EQ(tp("%s%pI6%s", P(big + 120), P(ip6), P("x")), (int64_t)-ENOSPC);
	CHECK_EQ(tp("%600d", 1, 0, 0), 600);

	/* -1 discards. */
	uxdp_trace_set_fd(-1);
	CHECK_EQ((int64_t)uxdp_helper_trace_printk(P("quiet"), 6, 0, 0, 0), 5);
	uxdp_trace_set_fd(2);
	return test_result("unit.helpers.trace_printk");
}
