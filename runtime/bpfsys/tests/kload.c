// SPDX-License-Identifier: MIT
/*
 * kload.c - the kernel side of the comparison: load OBJ into the kernel with
 * libbpf, run its XDP program on every packet of PCAP with
 * BPF_PROG_TEST_RUN on CPU 0 (uxdp's one pcap worker is CPU 0 of its
 * per-CPU maps), print "name id" for each map, then hold the maps until
 * stdin closes; each line read meanwhile runs the capture once more and is
 * answered "ran N" (rb_test.py's batches).  usage: kload OBJ PCAP.  Exit 77 when the kernel refuses
 * BPF (no root): the caller skips.
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct pcap_rec {
	uint32_t sec, usec, caplen, len;
};

static int run_pcap(int prog, const char *path)
{
	unsigned char hdr[24], pkt[65536];
	struct pcap_rec r;
	int n = 0;
	FILE *f = fopen(path, "rb");

	if (!f || fread(hdr, 1, sizeof(hdr), f) != sizeof(hdr))
		return -1;
	while (fread(&r, sizeof(r), 1, f) == 1 && r.caplen <= sizeof(pkt) &&
	       fread(pkt, 1, r.caplen, f) == r.caplen) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = r.caplen,
			    .repeat = 1);

		if (bpf_prog_test_run_opts(prog, &o))
			return -1;
		n++;
	}
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	struct bpf_map *m;
	cpu_set_t cpu;
	char line[64];

	if (argc != 3) {
		fprintf(stderr, "usage: kload OBJ PCAP\n");
		return 2;
	}
	CPU_ZERO(&cpu);
	CPU_SET(0, &cpu);
	sched_setaffinity(0, sizeof(cpu), &cpu);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "kload: cannot load %s: %s\n", argv[1], strerror(errno));
		return errno == EPERM ? 77 : 1;
	}
	p = bpf_object__next_program(obj, NULL);
	if (!p || run_pcap(bpf_program__fd(p), argv[2]) <= 0) {
		fprintf(stderr, "kload: test run failed: %s\n", strerror(errno));
		return 1;
	}
	bpf_object__for_each_map(m, obj)
	{
		struct bpf_map_info info = {0};
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(bpf_map__fd(m), &info, &len))
			return 1;
		printf("%s %u\n", info.name, info.id); /* the kernel's name: 15 characters */
	}
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		printf("ran %d\n", run_pcap(bpf_program__fd(p), argv[2]));
		fflush(stdout);
	}
	bpf_object__close(obj);
	return 0;
}
