// SPDX-License-Identifier: MIT
/*
 * child.c - the callgrind child's life: run it to its end and leave none of
 * its shared memory behind, however it ends.
 *
 * The child (uxdp-bench --count-only under valgrind) opens every engine in
 * private map instances named bench-<its pid>-<n> (engine.c) and removes
 * them itself when it exits normally.  When it crashes (valgrind dies on an
 * instruction it cannot run: SIGILL), is killed, or is stopped by a signal
 * meant for us, nothing in it runs, so we remove them: valgrind execs the
 * tool in the same process, so the pid we forked is the pid in the names.
 *
 * SIGINT, SIGTERM and SIGHUP that reach us while the child runs are passed
 * on to it (a Ctrl-C on the terminal reaches both anyway); we remove its
 * segments after it ended and report which signal stopped us, so that
 * main() can clean its own work directory and end by the same signal.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* The runtime's segment families (private_instance.c sweeps the same ones). */
static const char *const seg_prefixes[] = {"uxdp.", "uxdp-xsk.", "uxdp-stats.", "uxdp-run."};

/* Is the /dev/shm name a segment of an instance bench-<pid>-<n>? */
static bool pid_segment(const char *name, const char *inst_prefix)
{
	size_t i, n = strlen(inst_prefix);

	for (i = 0; i < sizeof(seg_prefixes) / sizeof(seg_prefixes[0]); i++) {
		size_t p = strlen(seg_prefixes[i]);

		if (!strncmp(name, seg_prefixes[i], p) && !strncmp(name + p, inst_prefix, n))
			return true;
	}
	return false;
}

int bench_remove_segments(pid_t pid)
{
	char inst_prefix[32], path[300];
	struct dirent *de;
	DIR *d = opendir("/dev/shm");
	int n = 0;

	if (!d)
		return 0;
	/* The trailing '-' keeps bench-12-* from matching bench-123-*. */
	snprintf(inst_prefix, sizeof(inst_prefix), "bench-%d-", (int)pid);
	while ((de = readdir(d))) {
		if (!pid_segment(de->d_name, inst_prefix))
			continue;
		snprintf(path, sizeof(path), "/%s", de->d_name);
		if (!shm_unlink(path))
			n++;
	}
	closedir(d);
	return n;
}

/*
 * The segments of runs that are gone: a uxdp-bench killed while it timed
 * (SIGKILL, or a signal nothing catches in a timing loop) leaves its
 * bench-<pid>-* instances; the next run removes those whose pid no
 * process has.  A live pid keeps its own (another run, or a process that
 * took the number: its segments stay until it is gone too); another
 * user's stay too (/dev/shm is sticky: unlink fails).
 */
int bench_reclaim_dead(void)
{
	struct dirent *de;
	DIR *d = opendir("/dev/shm");
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		const char *b = strstr(de->d_name, "bench-");
		char *end;
		long pid;

		if (!b || !pid_segment(de->d_name, "bench-"))
			continue;
		pid = strtol(b + 6, &end, 10);
		if (pid <= 0 || *end != '-' || pid == getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		n += bench_remove_segments((pid_t)pid);
	}
	closedir(d);
	return n;
}

int child_run(char *const args[], const char *log, int *status, int *sig)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa = {.sa_handler = on_signal}, old[3];
	size_t i;
	pid_t pid, w;
	int err = 0;

	*sig = 0;
	stop_signal = 0;
	/* No SA_RESTART: waitpid() returns on a signal, which we pass on. */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* exec resets the handlers to their defaults. */
		if (!freopen(log, "w", stdout) || !freopen(log, "a", stderr))
			_exit(127);
		execvp(args[0], args);
		_exit(127);
	}
	if (pid < 0) {
		err = -errno;
	} else {
		int sent = 0;

		/* Checked before each wait too: a signal may come before the first. */
		do {
			if (stop_signal && stop_signal != sent) {
				sent = stop_signal;
				kill(pid, sent);
			}
			w = waitpid(pid, status, 0);
		} while (w < 0 && errno == EINTR);
		if (w < 0)
			err = -errno;
		bench_remove_segments(pid);
	}
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	*sig = stop_signal;
	return err;
}
