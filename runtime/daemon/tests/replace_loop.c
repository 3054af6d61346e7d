// SPDX-License-Identifier: MIT
/*
 * replace_loop - replace the program on every port of a uxdpd N times,
 * alternating two objects, through the client library:
 *
 *	replace_loop SOCKET N INTERVAL_MS OBJ_A OBJ_B [--preload]
 *
 * Each round loads the next object (held by this connection), replaces
 * whatever runs with it, and unloads the one it replaced, so the daemon
 * releases it as soon as no worker runs it.  With --preload both objects
 * are loaded once and the rounds only replace (as fast as the daemon can
 * switch, for a replay that would otherwise outrun the loads).  Prints the rounds and the
 * slowest replacement; exit 1 at the first refusal, with the daemon's words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uxdp/daemon_client.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	struct uxdp_daemon *d;
	struct uxdp_dmsg_port ports[16];
	char err[1024];
	uint32_t old = 0, id;
	double worst = 0, t;
	size_t n = 0;
	long rounds, interval, i;

	uint32_t pre[2] = { 0, 0 };

	if (argc != 6 && !(argc == 7 && !strcmp(argv[6], "--preload"))) {
		fprintf(stderr, "usage: replace_loop SOCKET N INTERVAL_MS OBJ_A OBJ_B [--preload]\n");
		return 2;
	}
	rounds = atol(argv[2]);
	interval = atol(argv[3]);
	if (uxdp_daemon_connect(argv[1], &d, err, sizeof(err)) ||
	    uxdp_daemon_port_list(d, ports, 16, &n, err, sizeof(err))) {
		fprintf(stderr, "replace_loop: %s\n", err);
		return 1;
	}
	for (i = 0; argc == 7 && i < 2; i++) {
		struct uxdp_daemon_load_opts lo = { .path = argv[4 + i], .fd = -1 };

		if (uxdp_daemon_prog_load(d, &lo, &pre[i], err, sizeof(err))) {
			fprintf(stderr, "replace_loop: %s\n", err);
			return 1;
		}
	}
	for (i = 0; i < rounds; i++) {
		struct uxdp_daemon_load_opts lo = { .path = argv[4 + (i + 1) % 2], .fd = -1 };

		t = now_ms();
		if (pre[0]) {
			id = pre[(i + 1) % 2];
			if (uxdp_daemon_prog_replace(d, 0, 0, id, err, sizeof(err))) {
				fprintf(stderr, "replace_loop: round %ld: %s\n", i + 1, err);
				return 1;
			}
		} else if (uxdp_daemon_prog_load(d, &lo, &id, err, sizeof(err)) ||
		    uxdp_daemon_prog_replace(d, 0, 0, id, err, sizeof(err)) ||
		    (old && uxdp_daemon_prog_unload(d, old, err, sizeof(err)))) {
			fprintf(stderr, "replace_loop: round %ld: %s\n", i + 1, err);
			return 1;
		}
		t = now_ms() - t;
		worst = t > worst ? t : worst;
		old = id;
		if (interval)
			usleep(interval * 1000);
	}
	printf("replaced %ld times, slowest %.1f ms, last program %u\n", rounds, worst, old);
	uxdp_daemon_close(d);
	return 0;
}
