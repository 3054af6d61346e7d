// SPDX-License-Identifier: MIT
/*
 * libxdp_loader.c - a loader written against libxdp (Debian's 1.3):
 * xdp_program__open_file, xdp_program__attach in native mode, then, after
 * a line on stdin, xdp_program__detach.  Under uxdp-run, libxdp's
 * dispatcher cannot be used (no freplace programs in uxdp) and libxdp must
 * fall back to attaching the program alone.
 *
 *   libxdp_loader OBJ IFNAME
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <xdp/libxdp.h>

int main(int argc, char **argv)
{
	struct xdp_program *p;
	char line[16];
	int ifindex, err;

	if (argc != 3) {
		fprintf(stderr, "usage: libxdp_loader OBJ IFNAME\n");
		return 2;
	}
	p = xdp_program__open_file(argv[1], "xdp", NULL);
	ifindex = (int)if_nametoindex(argv[2]);
	err = libxdp_get_error(p);
	if (err || !ifindex) {
		fprintf(stderr, "libxdp_loader: open: %s\n", strerror(err ? -err : ENODEV));
		return 1;
	}
	err = xdp_program__attach(p, ifindex, XDP_MODE_NATIVE, 0);
	printf("attach: %s\n", err ? strerror(-err) : "ok");
	printf("attached as: %s\n",
	       xdp_program__is_attached(p, ifindex) == XDP_MODE_NATIVE ? "native" : "not native");
	fflush(stdout);
	if (err || !fgets(line, sizeof(line), stdin))
		return 1;
	err = xdp_program__detach(p, ifindex, XDP_MODE_NATIVE, 0);
	printf("detach: %s\n", err ? strerror(-err) : "ok");
	xdp_program__close(p);
	return err ? 1 : 0;
}
