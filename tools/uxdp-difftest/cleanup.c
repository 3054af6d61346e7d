// SPDX-License-Identifier: MIT
/*
 * cleanup.c - leave nothing behind, however the run ends.
 *
 * The uxdp side's maps are files in /dev/shm (hundreds of MB for large
 * maps), and the compiled object is a temporary file.  A normal exit and
 * SIGINT/SIGTERM/SIGHUP (which stop the run after the current step) remove
 * them in cleanup(); for everything else (SIGKILL, a crash) a small process
 * forked at the start waits for this one to go away (its end of a pipe
 * closes) and removes them then.  The kernel side needs nothing: maps and
 * programs go with their file descriptors, since nothing is pinned.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "difftest.h"

volatile int dt_stop_signal;

static void on_signal(int sig)
{
	dt_stop_signal = sig;
}

/* Every /dev/shm object of the instance: its maps, id counter and xsk rings. */
static bool instance_file(const char *name, const char *instance)
{
	static const char *const prefixes[] = { "uxdp.", "uxdp-xsk." };
	size_t i, n = strlen(instance);

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t p = strlen(prefixes[i]);

		if (!strncmp(name, prefixes[i], p) && !strncmp(name + p, instance, n) &&
		    (name[p + n] == '.' || name[p + n] == '\0'))
			return true;
	}
	return false;
}

void dt_cleanup_files(const char *instance, const char *tmp_path)
{
	DIR *d = opendir("/dev/shm");
	struct dirent *e;

	if (tmp_path && tmp_path[0])
		unlink(tmp_path);
	if (!d)
		return;
	while ((e = readdir(d))) {
		char name[300];

		if (!instance_file(e->d_name, instance))
			continue;
		snprintf(name, sizeof(name), "/%s", e->d_name);
		shm_unlink(name);
	}
	closedir(d);
}

/* The watcher: block until the parent's end of the pipe closes, then clean. */
static void watch(int fd, const char *instance, const char *tmp_path)
{
	char c;
	ssize_t r;

	int null = open("/dev/null", O_RDWR);

	/* Hold no one's terminal or pipe open (a test harness waits for EOF). */
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		close(null);
	}
	signal(SIGINT, SIG_IGN); /* a Ctrl-C reaches the whole process group */
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	do
		r = read(fd, &c, 1);
	while (r > 0 || (r < 0 && errno == EINTR));
	dt_cleanup_files(instance, tmp_path);
	_exit(0);
}

int dt_cleanup_start(const char *instance, const char *tmp_path)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int fds[2];
	pid_t pid;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (pipe(fds))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (pid == 0) {
		close(fds[1]);
		watch(fds[0], instance, tmp_path);
	}
	/* The write end stays open (and is not inherited by uxdpc) until we exit. */
	close(fds[0]);
	if (fcntl(fds[1], F_SETFD, FD_CLOEXEC))
		return -errno;
	return 0;
}
