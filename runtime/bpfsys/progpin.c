// SPDX-License-Identifier: MIT
/*
 * progpin.c - BPF_OBJ_PIN and BPF_OBJ_GET of uxdp programs.
 *
 * libxdp's tools pin the program they attach (xdp-filter:
 * <bpffs>/xdp-filter/programs/<ifname>/<prog>) and find it again by that
 * path in later invocations.  A uxdp program lives in uxdpd, so its pin is
 * what a map's is (pin.c): a symbolic link on the bpf file system, here
 * one whose target names the program, "uxdp-prog:<instance>:<id>", and
 * leads nowhere (no file needs to exist; bpffs keeps any target).  As for
 * a map pin, and unlike a kernel one, the link does not hold the program:
 * it lives while it is attached or its loader runs (docs/control-plane.md);
 * after that the pin dangles and BPF_OBJ_GET on it is ENOENT.  `rm`
 * unpins.  Links are not pinned (the daemon's attachment has no object).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfsys.h"

#define PROG_PIN_PREFIX "uxdp-prog:"

int bpfsys_prog_pin_kind(int cmd, int fd)
{
	struct bpfsys_prog p;

	if (bpfsys_obj_fd(fd, BPFSYS_PROG_MAGIC, &p) == 1)
		return 1;
	if (bpfsys_obj_fd(fd, BPFSYS_LINK_MAGIC, &p) != 1)
		return 0;
	bpfsys_say_once(cmd, "pinning a uxdp link is not served: pin the program, or attach "
			     "through netlink, which stays after the process exits "
			     "(docs/control-plane.md)");
	return -EOPNOTSUPP;
}

int bpfsys_prog_pin(int cmd, int fd, const char *path)
{
	char target[sizeof(PROG_PIN_PREFIX) + UXDP_INSTANCE_LEN + 16];
	struct bpfsys_prog p;
	int r;

	if (bpfsys_obj_fd(fd, BPFSYS_PROG_MAGIC, &p) != 1)
		return -EINVAL;
	snprintf(target, sizeof(target), PROG_PIN_PREFIX "%s:%" PRIu32, p.instance, p.id);
	r = bpfsys_pin_symlink(target, path);
	if (r == -EPERM)
		bpfsys_say_once(cmd, "a uxdp program is pinned on a bpf file system only, "
				     "as in the kernel");
	return r;
}

int bpfsys_prog_pin_get(int cmd, const char *path)
{
	char target[PATH_MAX], *colon, *end;
	unsigned long id;
	ssize_t n = readlink(path, target, sizeof(target) - 1);

	if (n < 0)
		return -ENOENT;
	target[n] = 0;
	if (strncmp(target, PROG_PIN_PREFIX, strlen(PROG_PIN_PREFIX)))
		return -ENOENT;
	colon = strrchr(target, ':');
	*colon = 0;
	id = strtoul(colon + 1, &end, 10);
	if (*end || !id || id > UINT32_MAX)
		return -ENOENT;
	if (strcmp(target + strlen(PROG_PIN_PREFIX), bpfsys_instance())) {
		bpfsys_say_once(cmd, "the pinned program is another instance's: run under "
				     "uxdp-run --instance of that instance");
		return -ENOENT;
	}
	return bpfsys_prog_open_id((uint32_t)id);
}
