// SPDX-License-Identifier: MIT
/*
 * syncookie_key.c - the SYN cookie secret: two SipHash keys drawn from
 * getrandom() once per process, as the kernel draws its own once per boot
 * (net_get_random_once).  Native only: a copy inlined into each program
 * would be a second secret.
 */
#include <pthread.h>
#include <stdint.h>
#include <sys/random.h>
#include <time.h>

#include <uxdp/syncookie.h>

static uint64_t keys[2][2];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void draw(void)
{
	uint8_t *p = (uint8_t *)keys;
	size_t got = 0;

	while (got < sizeof(keys)) {
		ssize_t n = getrandom(p + got, sizeof(keys) - got, 0);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < sizeof(keys)) { /* no entropy source: still a per-process key */
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		keys[0][0] ^= (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull;
		keys[1][1] ^= (uint64_t)ts.tv_sec * 0xc2b2ae3d27d4eb4full ^ (uintptr_t)&ts;
	}
}

const uint64_t *uxdp_syncookie_key(int which)
{
	pthread_once(&once, draw);
	return keys[which & 1];
}
