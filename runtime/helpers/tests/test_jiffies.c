// SPDX-License-Identifier: MIT
/*
 * Unit test of bpf_jiffies64 against the kernel's own counter, which
 * /proc/timer_list prints to root: the helper's value must be the
 * kernel's, give or take the tick that may fall between two readings.
 * Without root the helper estimates the counter (jiffies_clock.c); a child
 * that drops to nobody before its first call checks that the estimate is
 * marked as one, runs at the same rate, and is ahead of the kernel by less
 * than 10 s (the kernel's counter starts after its clock).  Skipped (77)
 * when not run as root: the kernel's counter cannot be read.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../helpers_impl.h"
#include "test.h"

#define NOBODY 65534

/*
 * The kernel's counter, read here on purpose apart from jiffies_clock.c's
 * own reader: the oracle must not share the code it checks.
 */
static int kernel_jiffies(uint64_t *j)
{
	FILE *f = fopen("/proc/timer_list", "re");
	char line[256];
	int ret = -1;

	if (!f)
		return -1;
	while (ret && fgets(line, sizeof(line), f))
		if (sscanf(line, "jiffies: %" SCNu64, j) == 1)
			ret = 0;
	fclose(f);
	return ret;
}

static uint64_t hz(void)
{
	return 1000000000ull / uxdp_jiffies_clock()->tick_ns;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Across a 50 ms sleep the counter advances by the ticks that passed
 * (measured around it, so that oversleeping on a loaded machine counts),
 * give or take the one each reading may be off.
 */
static void check_rate(void)
{
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	uint64_t tick = uxdp_jiffies_clock()->tick_ns, t0 = mono_ns();
	uint64_t a = uxdp_helper_jiffies64(), b, t1;

	nanosleep(&pause, NULL);
	b = uxdp_helper_jiffies64();
	t1 = mono_ns();
	CHECK(b - a + 2 >= 50000000ull / tick);
	CHECK(b - a <= (t1 - t0) / tick + 2);
}

/* In a child as nobody, before any calibration in this process. */
static int check_unprivileged(uint64_t kernel_now)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		uint64_t j;

		if (setresgid(NOBODY, NOBODY, NOBODY) || setresuid(NOBODY, NOBODY, NOBODY))
			_exit(3);
		j = uxdp_helper_jiffies64();
		CHECK(!uxdp_jiffies_clock()->exact);
		CHECK(j + 1 >= kernel_now);
		CHECK(j <= kernel_now + 10 * hz() + 1);
		check_rate();
		_exit(test_failures ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(void)
{
	uint64_t k, a, b;

	if (geteuid() != 0 || kernel_jiffies(&k)) {
		printf("jiffies: skipped (needs root to read /proc/timer_list)\n");
		return 77;
	}
	CHECK_EQ(check_unprivileged(k), 0);

	a = uxdp_helper_jiffies64();
	CHECK(kernel_jiffies(&k) == 0);
	b = uxdp_helper_jiffies64();
	CHECK(uxdp_jiffies_clock()->exact);
	CHECK(a <= k + 1 && k <= b + 1);
	CHECK(hz() >= 24 && hz() <= 1200); /* the CONFIG_HZ choices of every architecture */
	check_rate();
	if (test_failures)
		fprintf(stderr, "helper %" PRIu64 " / %" PRIu64 ", kernel %" PRIu64 ", HZ %" PRIu64 "\n",
			a, b, k, hz());
	return test_result("jiffies");
}
