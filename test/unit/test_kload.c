// SPDX-License-Identifier: MIT
/*
 * test_kload.c - uxdp's kernel loader (compiler/kload.h) on objects
 * libbpf 1.1 cannot load: legacy SEC("maps") maps (legacy_maps.bpf.o) and
 * static programs (static_progs.bpf.o).  Each loads, its programs run
 * under BPF_PROG_TEST_RUN, the legacy program's map counts the packets, a
 * static tail-call target runs through a prog_array the test fills, and
 * nothing is left in /sys/fs/bpf.  A refused program gives the verifier's
 * reason line.  Exit 77 when the kernel refuses BPF.
 *
 *   test_kload OBJDIR
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "kload.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                       \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

static int bpffs_entries(void)
{
	DIR *d = opendir("/sys/fs/bpf");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		n++;
	closedir(d);
	return n;
}

static int run(int prog_fd, unsigned char first_byte)
{
	unsigned char pkt[64] = {first_byte, 1, 2, 3};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt));

	if (bpf_prog_test_run_opts(prog_fd, &o))
		return -errno;
	return (int)o.retval;
}

/* kload's prepare hook: .bss (static_progs' hits[4]) starts at 41..44; with an arg, refuse. */
static int prepare_hits(struct uxdp_object *obj, void *arg, struct uxdp_diag *diag)
{
	if (arg)
		return diag_error(diag, -ECANCELED, "prepare says no");
	for (size_t i = 0; i < obj->n_maps; i++) {
		struct uxdp_map_info *m = &obj->maps[i];
		__u64 *v;

		if (strcmp(m->name, ".bss") || m->value_size < 4 * sizeof(*v))
			continue;
		v = calloc(1, m->value_size);
		if (!v)
			return diag_error(diag, -ENOMEM, "out of memory");
		for (int j = 0; j < 4; j++)
			v[j] = 41 + (__u64)j;
		free(m->init);
		m->init = (uint8_t *)v;
		m->init_size = m->value_size;
		return 0;
	}
	return diag_error(diag, -ENOENT, "no .bss");
}

static int open_obj(const char *dir, const char *name, const char *select, struct uxdp_kload **k,
		    char *log, size_t log_size, struct uxdp_diag *d)
{
	struct uxdp_kload_opts o = {.select = select, .log = log, .log_size = log_size};
	char path[4096];

	snprintf(path, sizeof(path), "%s/v3/%s", dir, name);
	memset(d, 0, sizeof(*d));
	return uxdp_kload_open(path, &o, k, d);
}

int main(int argc, char **argv)
{
	static char log[1 << 20];
	struct uxdp_kload *k = NULL;
	struct uxdp_diag d;
	int before = bpffs_entries(), err, fd, map, slot;
	unsigned long long count = 0;
	__u32 key = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: test_kload OBJDIR\n");
		return 2;
	}
	err = open_obj(argv[1], "legacy_maps.bpf.o", NULL, &k, log, sizeof(log), &d);
	if (err == -EPERM || err == -ENOSYS || err == -EOPNOTSUPP) {
		printf("SKIP: %s\n", d.msg);
		return 77;
	}
	CHECK(!err && k, "legacy_maps: %d %s", err, d.msg);
	if (k) {
		fd = uxdp_kload_prog_fd(k, "xdp_legacy");
		map = uxdp_kload_map_fd(k, "legacy_counter");
		CHECK(fd >= 0 && map >= 0 && uxdp_kload_map_fd(k, "legacy_blocklist") >= 0,
		      "descriptors %d %d", fd, map);
		for (int i = 0; i < 3; i++)
			CHECK(run(fd, 0x11) == XDP_PASS, "legacy verdict");
		CHECK(!bpf_map_lookup_elem(map, &key, &count) && count == 3, "counter %llu", count);
		CHECK(uxdp_kload_map_fd(k, "nosuch") < 0 && uxdp_kload_prog_fd(k, "nosuch") < 0,
		      "unknown names");
		uxdp_kload_close(k);
		k = NULL;
	}

	err = open_obj(argv[1], "static_progs.bpf.o", NULL, &k, log, sizeof(log), &d);
	CHECK(!err && k, "static_progs: %d %s", err, d.msg);
	if (k) {
		/* Slot 1 (not IPv4) is the static stage_other: XDP_TX through the tail call. */
		fd = uxdp_kload_prog_fd(k, "static_entry");
		map = uxdp_kload_map_fd(k, "stages");
		slot = uxdp_kload_prog_fd(k, "stage_other");
		key = 1;
		CHECK(fd >= 0 && map >= 0 && slot >= 0, "descriptors %d %d %d", fd, map, slot);
		CHECK(!bpf_map_update_elem(map, &key, &slot, BPF_ANY), "prog_array: %s",
		      strerror(errno));
		CHECK(run(fd, 0) == XDP_TX, "tail call into the static program: %d", run(fd, 0));
		uxdp_kload_close(k);
		k = NULL;
	}

	/*
	 * CO-RE against vmlinux: core_reloc's own 64-bit xdp_md loads become
	 * the kernel's 4-byte fields (else the verifier refuses the ctx
	 * access), bitfields and enumerators resolve, the poisoned load is dead.
	 */
	err = open_obj(argv[1], "core_reloc.bpf.o", NULL, &k, log, sizeof(log), &d);
	CHECK(!err && k, "core_reloc: %d %s", err, d.msg);
	if (k) {
		unsigned char pkt[64] = {0};
		__u64 res[16] = {0};
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt));

		pkt[12] = 0x08; /* IPv4 */
		pkt[14] = 0x45; /* version 4, ihl 5 */
		pkt[22] = 100;	/* ttl > 64: XDP_TX */
		fd = uxdp_kload_prog_fd(k, "xdp_core_reloc");
		map = uxdp_kload_map_fd(k, ".bss");
		key = 0;
		CHECK(fd >= 0 && map >= 0 && !bpf_prog_test_run_opts(fd, &o) && o.retval == XDP_TX,
		      "core_reloc run: retval %u", o.retval);
		CHECK(!bpf_map_lookup_elem(map, &key, res) && res[0] == 14 && res[8] == 5 &&
			  res[9] == 4 && res[10] == 4 && res[11] == 16 && res[12] == 0,
		      "core_reloc results %llu %llu %llu %llu %llu %llu",
		      (unsigned long long)res[0], (unsigned long long)res[8],
		      (unsigned long long)res[9], (unsigned long long)res[10],
		      (unsigned long long)res[11], (unsigned long long)res[12]);
		uxdp_kload_close(k);
		k = NULL;
	}

	/* A single program by -p, and a missing one. */
	err = open_obj(argv[1], "static_progs.bpf.o", "stage_ipv4", &k, log, sizeof(log), &d);
	CHECK(!err && k && k->obj->n_progs == 1, "select: %d %s", err, d.msg);
	uxdp_kload_close(k);
	k = NULL;
	err = open_obj(argv[1], "static_progs.bpf.o", "nosuch", &k, log, sizeof(log), &d);
	CHECK(err == -ENOENT && !k && strstr(d.msg, "no program or section named 'nosuch'"),
	      "missing: %d %s", err, d.msg);

	/* unsized_map needs its size; with it the kernel takes it. */
	err = open_obj(argv[1], "unsized_map.bpf.o", NULL, &k, log, sizeof(log), &d);
	CHECK(err == -EINVAL && strstr(d.msg, "--map-size flows=N"), "unsized: %d %s", err, d.msg);
	{
		struct uxdp_map_resize r = {.map = "flows", .max_entries = 8};
		struct uxdp_kload_opts o = {.resize = &r, .n_resize = 1};
		char path[4096];

		snprintf(path, sizeof(path), "%s/v3/unsized_map.bpf.o", argv[1]);
		memset(&d, 0, sizeof(d));
		err = uxdp_kload_open(path, &o, &k, &d);
		CHECK(!err && k, "sized: %d %s", err, d.msg);
		uxdp_kload_close(k);
		k = NULL;
	}

	/*
	 * The prepare hook runs before the maps are made: an initial value it
	 * writes into .bss is what the kernel's map holds; its error stops the
	 * load and comes back as is.
	 */
	{
		struct uxdp_kload_opts o = {.select = "static_entry", .prepare = prepare_hits};
		__u64 hits[4] = {0};
		char path[4096];

		snprintf(path, sizeof(path), "%s/v3/static_progs.bpf.o", argv[1]);
		memset(&d, 0, sizeof(d));
		err = uxdp_kload_open(path, &o, &k, &d);
		map = k ? uxdp_kload_map_fd(k, ".bss") : -1;
		key = 0;
		CHECK(!err && map >= 0 && !bpf_map_lookup_elem(map, &key, hits) && hits[0] == 41 &&
			  hits[3] == 44,
		      "prepare: %d %s, hits %llu %llu", err, d.msg, (unsigned long long)hits[0],
		      (unsigned long long)hits[3]);
		uxdp_kload_close(k);
		k = NULL;
		o.prepare_arg = &o; /* prepare_hits refuses when given an argument */
		memset(&d, 0, sizeof(d));
		err = uxdp_kload_open(path, &o, &k, &d);
		CHECK(err == -ECANCELED && !k && strstr(d.msg, "prepare says no"),
		      "prepare error: %d %s", err, d.msg);
	}

	/* The reason line of a verifier log, not the state dump after it. */
	{
		char l[] = "0: R1=ctx()\ninfinite loop detected at insn 2\ncur state: R1=0\n"
			   "old state: R1=P0\nverification time 12 usec\nstack depth 0\n"
			   "processed 9 insns (limit 1000000)\n";

		CHECK(!strcmp(uxdp_verifier_reason(l), "infinite loop detected at insn 2"),
		      "reason: %s", l);
	}
	/*
	 * The helper probe: no kernel offers bpf_skb_store_bytes (#9) to XDP
	 * programs, every one offers bpf_map_lookup_elem (#1).  Whether this
	 * kernel has bpf_xdp_adjust_meta (#54) is printed, not checked.
	 */
	{
		struct bpf_insn call[] = {
			{ .code = BPF_JMP | BPF_CALL, .imm = 1 },
			{ .code = BPF_JMP | BPF_CALL, .imm = 9 },
			{ .code = BPF_JMP | BPF_EXIT },
		}, meta = { .code = BPF_JMP | BPF_CALL, .imm = 54 };

		CHECK(uxdp_kernel_missing_helper(call, 1) == 0, "map_lookup_elem said missing");
		CHECK(uxdp_kernel_missing_helper(call, 3) == 9, "skb_store_bytes not said missing");
		printf("this kernel %s bpf_xdp_adjust_meta to XDP programs\n",
		       uxdp_kernel_missing_helper(&meta, 1) ? "does not offer" : "offers");
	}
	CHECK(bpffs_entries() == before, "/sys/fs/bpf changed: %d entries, %d before",
	      bpffs_entries(), before);
	printf("%s\n", failures ? "kload: FAILED" : "kload: ok");
	return failures ? 1 : 0;
}
