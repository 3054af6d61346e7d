// SPDX-License-Identifier: MIT
/*
 * Unit tests of bpf_snprintf beyond what diff.snprintf compares with the
 * kernel: the arguments the verifier would refuse at load time (a program
 * confined by uxdpc may still pass them), fields wider than the kernel's
 * 512-byte printk buffer, and what is left untouched on an error.
 */
#include <errno.h>
#include <string.h>

#include "../helpers_impl.h"
#include "test.h"

#define P(x) ((uint64_t)(uintptr_t)(x))

static int64_t sn(char *str, uint32_t size, const char *fmt, const uint64_t *data, uint32_t len)
{
	return (int64_t)uxdp_helper_snprintf(P(str), size, P(fmt), P(data), len);
}

int main(void)
{
	uint64_t args[13] = { 42, 7, 0 };
	char buf[1024], big[600];

	memset(buf, '#', sizeof(buf));
	CHECK_EQ(sn(buf, 64, "%d-%u", args, 16), 5);
	CHECK(!strcmp(buf, "42-7") && buf[5] == '#');
	/* truncated: size - 1 characters and a NUL; the length is the whole one plus one */
	memset(buf, '#', sizeof(buf));
	CHECK_EQ(sn(buf, 3, "%d-%u", args, 16), 5);
	CHECK(!strcmp(buf, "42") && buf[3] == '#');
	/* size 0: nothing written, NULL allowed */
	memset(buf, '#', sizeof(buf));
	CHECK_EQ(sn(buf, 0, "%d", args, 8), 3);
	CHECK(buf[0] == '#');
	CHECK_EQ(sn(NULL, 0, "abc", NULL, 0), 4);
	/* what the verifier checks at load time, checked here at run time */
	CHECK_EQ(sn(buf, 64, "%d", args, 12), -EINVAL);      /* not a multiple of 8 */
	CHECK_EQ(sn(buf, 64, "%d", args, 104), -EINVAL);     /* 13 arguments */
	CHECK_EQ(sn(buf, 64, "%d", NULL, 8), -EINVAL);       /* NULL data */
	CHECK_EQ(sn(buf, 64, "%d %d", args, 8), -EINVAL);    /* more conversions than arguments */
	CHECK_EQ(sn(buf, 64, "%d", args, 0), -EINVAL);
	CHECK_EQ(sn(buf, 64, "%d", args, 96), 3);            /* 12: the most; extra ones unused */
	/* an error writes nothing, even after good conversions */
	memset(buf, '#', sizeof(buf));
	CHECK_EQ(sn(buf, 64, "%d %y", args, 16), -EINVAL);
	CHECK(buf[0] == '#');
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	args[0] = P(big);
	CHECK_EQ(sn(buf, 64, "%s%s", args, 16), -ENOSPC);    /* 600 bytes of strings > 512 */
	CHECK(buf[0] == '#');
	/* a field wider than the kernel's printk buffer is kept exactly */
	args[0] = (uint64_t)-5;
	memset(buf, '#', sizeof(buf));
	CHECK_EQ(sn(buf, sizeof(buf), "%0700d|%-600x|", args, 16), 700 + 1 + 600 + 1 + 1);
	CHECK(buf[0] == '-' && buf[1] == '0' && buf[699] == '5' && buf[700] == '|');
	CHECK(buf[701] == '7' && buf[702] == ' ');
	CHECK(buf[1023] == 0 && buf[1022] == ' ');
	return test_result("unit.helpers.snprintf");
}
