// SPDX-License-Identifier: MIT
/*
 * progpin.c - BPF_OBJ_PIN and BPF_OBJ_GET of uxdp programs and links.
 *
 * A uxdp program or link lives in uxdpd, so its pin is a symbolic link on
 * the bpf file system whose target names it,
 * "uxdp-prog:<instance>:<id>:<daemon>" or "uxdp-link:<instance>:<id>:<daemon>"
 * (<daemon>: the daemon's boot nonce from HELLO, in hex), and leads nowhere
 * (bpffs keeps any target).  A daemon that stops takes its objects with it,
 * and the next one numbers its own from 1 again: the nonce makes a pin of
 * the old one's dangle (ENOENT) instead of opening the new one's namesake.  As a kernel pin, it holds the object: the library passes the
 * daemon an O_PATH descriptor of the new file (PIN), and the daemon keeps
 * the program loaded, or the link attached, while that file has a name.
 * So a loader may pin and exit; `rm` of the pin (or of its directory's
 * last name for it) drops the hold, and the object goes when nothing else
 * (a descriptor, an attachment, a loader's connection) holds it.
 * libxdp's tools pin the program they attach (xdp-filter:
 * <bpffs>/xdp-filter/programs/<ifname>/<prog>); libbpf's bpf_link__pin
 * pins links.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfsys.h"

#define PROG_PIN_PREFIX "uxdp-prog:"
#define LINK_PIN_PREFIX "uxdp-link:"

int bpfsys_prog_pin_kind(int fd)
{
	struct bpfsys_prog p;
	struct bpfsys_link l;
	int r = bpfsys_prog_fd(fd, &p);

	return r ? r : bpfsys_link_fd(fd, &l);
}

/* The daemon holds the object by the pin's file (an O_PATH descriptor of it). */
static int hold(int cmd, uint32_t kind, uint32_t id, const char *path)
{
	struct uxdp_daemon *d;
	char why[512];
	int pfd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC), r;

	if (pfd < 0)
		return -errno;
	r = bpfsys_daemon(&d, why, sizeof(why));
	r = r ?: uxdp_daemon_pin(d, kind, id, pfd, why, sizeof(why));
	close(pfd);
	if (r && r != -ENOENT)
		fprintf(stderr, "uxdp-bpfsys: %s: %s\n", bpfsys_cmd_name(cmd), why);
	return r;
}

/* The connected daemon's boot nonce (0 when none answers: then no pin is made). */
static uint64_t daemon_nonce(void)
{
	struct uxdp_daemon *d;
	char why[256];

	return bpfsys_daemon(&d, why, sizeof(why)) ? 0 : uxdp_daemon_hello(d)->boot_nonce;
}

int bpfsys_prog_pin(int cmd, int fd, const char *path)
{
	char target[sizeof(PROG_PIN_PREFIX) + UXDP_INSTANCE_LEN + 40];
	struct bpfsys_prog p;
	struct bpfsys_link l;
	uint32_t kind = UXDP_PIN_PROG, id;
	uint64_t nonce = daemon_nonce();
	int r;

	if (bpfsys_prog_fd(fd, &p) == 1) {
		snprintf(target, sizeof(target), PROG_PIN_PREFIX "%s:%" PRIu32 ":%016" PRIx64,
			 p.instance, p.id, nonce);
		id = p.id;
	} else if (bpfsys_link_fd(fd, &l) == 1) {
		snprintf(target, sizeof(target), LINK_PIN_PREFIX "%s:%" PRIu32 ":%016" PRIx64,
			 l.instance, l.link_id, nonce);
		kind = UXDP_PIN_LINK;
		id = l.link_id;
	} else {
		return -EINVAL;
	}
	r = bpfsys_pin_symlink(target, path);
	if (r == -EPERM)
		bpfsys_say_once(cmd, "a uxdp program or link is pinned on a bpf file system only, "
				     "as in the kernel");
	if (r)
		return r;
	r = hold(cmd, kind, id, path);
	if (r) {
		unlink(path); /* no pin that holds nothing */
		return r == -ENOENT ? -EBADF : r;
	}
	return 0;
}

int bpfsys_prog_pin_get(int cmd, const char *path)
{
	char target[PATH_MAX], *colon, *end;
	unsigned long id;
	unsigned long long nonce;
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	bool link;
	size_t plen;

	if (n < 0)
		return -ENOENT;
	target[n] = 0;
	link = !strncmp(target, LINK_PIN_PREFIX, strlen(LINK_PIN_PREFIX));
	if (!link && strncmp(target, PROG_PIN_PREFIX, strlen(PROG_PIN_PREFIX)))
		return -ENOENT;
	plen = link ? strlen(LINK_PIN_PREFIX) : strlen(PROG_PIN_PREFIX);
	/* ...:<id>:<nonce>: the nonce last. */
	colon = strrchr(target, ':');
	if (!colon)
		return -ENOENT;
	*colon = 0;
	nonce = strtoull(colon + 1, &end, 16);
	if (*end || colon[1] == 0)
		return -ENOENT;
	colon = strrchr(target + plen, ':');
	if (!colon)
		return -ENOENT;
	*colon = 0;
	id = strtoul(colon + 1, &end, 10);
	if (*end || !id || id > UINT32_MAX)
		return -ENOENT;
	if (strcmp(target + plen, bpfsys_instance())) {
		bpfsys_say_once(cmd, "the pinned object is another instance's: run under "
				     "uxdp-run --instance of that instance");
		return -ENOENT;
	}
	if (nonce != daemon_nonce()) {
		bpfsys_say_once(cmd, "the pinned object was another uxdpd's (the instance's daemon "
				     "has restarted since, and its objects went with it)");
		return -ENOENT;
	}
	if (link) {
		struct uxdp_daemon *d;
		char why[256];
		int fd = -1, r = bpfsys_daemon(&d, why, sizeof(why));

		r = r ?: uxdp_daemon_link_open(d, (uint32_t)id, &fd, why, sizeof(why));
		return r ? r : fd;
	}
	return bpfsys_prog_open_id((uint32_t)id);
}
