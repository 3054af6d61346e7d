// SPDX-License-Identifier: MIT
/*
 * gskel_loader.c - a loader made the usual way, from `bpftool gen
 * skeleton` of gskel.bpf.o, linked against Debian's libbpf.so.1: the same
 * binary runs on the kernel and under uxdp-run (test bpfsys.skeleton).
 *
 *   gskel_loader IFNAME
 *	sets .rodata (drop_port 9) and .data (weight 2) through the skeleton,
 *	loads, attaches with bpf_xdp_attach, prints "ready", then reads
 *	commands on stdin: "weight N" writes .data through the skeleton's
 *	mapping, "dump" prints the globals read through the mappings,
 *	detaches and exits.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "gskel.skel.h"

static int die(const char *what, int err)
{
	fprintf(stderr, "gskel_loader: %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

static int serve(struct gskel *skel)
{
	char line[64];
	unsigned long long n;

	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "weight %llu", &n) == 1) {
			skel->data->weight = n; /* the program reads it from the next frame on */
			printf("weight set %llu\n", n);
		} else if (!strncmp(line, "dump", 4)) {
			printf("rodata drop_port %u\n", skel->rodata->drop_port);
			printf("data weight %llu\n", (unsigned long long)skel->data->weight);
			printf("bss weighted %llu\n", (unsigned long long)skel->bss->weighted);
			printf("bss dropped %llu\n", (unsigned long long)skel->bss->dropped);
			return 0;
		}
		fflush(stdout);
	}
	return die("stdin", EPIPE);
}

int main(int argc, char **argv)
{
	unsigned int ifindex = argc == 2 ? if_nametoindex(argv[1]) : 0;
	struct gskel *skel;
	int err;

	if (!ifindex)
		return die(argc == 2 ? argv[1] : "usage: gskel_loader IFNAME", ENODEV);
	skel = gskel__open();
	if (!skel)
		return die("open", errno);
	skel->rodata->drop_port = 9;
	skel->data->weight = 2;
	err = gskel__load(skel);
	if (err)
		return die("load", err);
	/* Every global section must be mapped: that is what skeletons are for. */
	if (!skel->bss || !skel->data || !skel->rodata)
		return die("a global section is not mapped after the load", EINVAL);
	err = bpf_xdp_attach((int)ifindex, bpf_program__fd(skel->progs.gskel), 0, NULL);
	if (err)
		return die("bpf_xdp_attach", err);
	printf("ready\n");
	fflush(stdout);
	err = serve(skel);
	bpf_xdp_detach((int)ifindex, 0, NULL);
	gskel__destroy(skel);
	return err;
}
