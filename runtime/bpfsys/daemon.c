// SPDX-License-Identifier: MIT
/*
 * daemon.c - the one connection this process keeps to uxdpd, the data-plane
 * daemon of its instance, for the program commands (prog.c, link.c).
 *
 * Opened at the first command that needs it and kept for the process's
 * life.  It holds nothing: a program or link this process loads or opens
 * is held by the descriptor it gets, the daemon's reference (linkfd.c,
 * objfd.c), as a kernel program or link by its file.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfsys.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct uxdp_daemon *conn;
static pid_t conn_pid;

int bpfsys_daemon(struct uxdp_daemon **out, char *err, size_t err_size)
{
	char path[256];
	int r = 0;

	pthread_mutex_lock(&lock);
	/* A forked child must not share the parent's requests on one socket. */
	if (conn && conn_pid != getpid())
		conn = NULL;
	if (!conn) {
		/* $UXDP_DAEMON_SOCKET names a daemon's socket elsewhere, as for uxdpctl. */
		const char *env = getenv("UXDP_DAEMON_SOCKET");

		r = uxdp_daemon_default_path(env && *env ? NULL : bpfsys_instance(), path,
					     sizeof(path));
		if (r)
			snprintf(err, err_size, "instance '%s': no socket path: %s",
				 bpfsys_instance(), strerror(-r));
		else
			r = uxdp_daemon_connect(path, &conn, err, err_size);
		if (!r)
			conn_pid = getpid();
	}
	*out = conn;
	pthread_mutex_unlock(&lock);
	return r;
}

struct uxdp_daemon *bpfsys_daemon_or_null(void)
{
	struct uxdp_daemon *d;
	char err[256];

	return bpfsys_daemon(&d, err, sizeof(err)) ? NULL : d;
}

/* The daemon's workers (per-CPU maps have a slot each), 0 when no daemon runs. */
unsigned int bpfsys_daemon_workers(void)
{
	struct uxdp_daemon *d;
	char err[256];

	if (bpfsys_daemon(&d, err, sizeof(err)))
		return 0;
	return uxdp_daemon_hello(d)->n_workers;
}
