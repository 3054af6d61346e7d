// SPDX-License-Identifier: MIT
/*
 * Shared memory that only its owner controls.
 *
 *	test_maps_owner                    the single-user checks below
 *	test_maps_owner create INST [GROUP]  make map "m" in INST (mode 0600, or 0660 for GROUP)
 *	test_maps_owner open INST          open "m" and write to it
 *	test_maps_owner drop INST          remove INST
 *
 * The subcommands are for two_users.sh, which runs them as root and as an
 * unprivileged user; each prints the library's reason when it fails and
 * exits with the errno.
 *
 * Single-user checks: a segment made writable by others, one whose header
 * was scribbled, one truncated on disk, are refused with a reason; one
 * truncated under a running process (SIGBUS on access) reads as zeros and
 * is reported, instead of killing the process.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

/* The map every case uses: "m", a small hash. */
static int mk_err(const char *inst, struct uxdp_map **m)
{
	struct uxdp_map_def d = {
		.sz = sizeof(d),
		.name = "m", .type = BPF_MAP_TYPE_HASH, .key_size = 4, .value_size = 8,
		.max_entries = 16,
	};

	return uxdp_map_create(inst, &d, m);
}

static int fail_with(const char *what, int err)
{
	const char *why = uxdp_map_last_error();

	fprintf(stderr, "%s: %s%s%s\n", what, strerror(-err), why ? ": " : "", why ? why : "");
	return -err;
}

static int cmd_create(const char *inst, const char *group)
{
	struct uxdp_map *m = NULL;
	uint32_t k = 1;
	uint64_t v = 42;
	int err;

	if (group && (err = uxdp_map_set_group(group)))
		return fail_with("group", err);
	err = mk_err(inst, &m);
	if (err)
		return fail_with("create", err);
	err = uxdp_map_update_elem(m, &k, &v, BPF_ANY);
	uxdp_map_close(m);
	return err ? fail_with("update", err) : 0;
}

static int cmd_open(const char *inst)
{
	struct uxdp_map *m = NULL;
	uint32_t k = 1;
	uint64_t v = 7;
	int err = uxdp_map_open(inst, "m", &m);

	if (err)
		return fail_with("open", err);
	err = uxdp_map_update_elem(m, &k, &v, BPF_ANY);
	uxdp_map_close(m);
	return err ? fail_with("update", err) : 0;
}

/* Make map "m" of test_instance; its /dev/shm path in path. */
static struct uxdp_map *make(char *path, size_t size)
{
	struct uxdp_map *m = NULL;

	CHECK_EQ(mk_err(test_instance, &m), 0);
	snprintf(path, size, "/dev/shm/uxdp.%s.m", test_instance);
	return m;
}

static void expect_refused(int want, const char *reason)
{
	struct uxdp_map *m = NULL;
	const char *why;
	int err = uxdp_map_open(test_instance, "m", &m);

	CHECK_EQ(err, want);
	why = uxdp_map_last_error();
	CHECK(why && strstr(why, reason));
	if (why && !strstr(why, reason))
		fprintf(stderr, "reason: %s\n", why);
	uxdp_map_close(m);
}

static void test_world_writable(void)
{
	char path[128];
	struct uxdp_map *m = make(path, sizeof(path));

	CHECK_EQ(chmod(path, 0666), 0);
	expect_refused(-EPERM, "writable by every user");
	uxdp_map_close(m);
	uxdp_map_unlink(test_instance, "m");
}

static void test_scribbled(void)
{
	char path[128];
	struct uxdp_map *m = make(path, sizeof(path));
	int fd = open(path, O_RDWR);
	uint32_t junk = 0x7fffffff;

	CHECK(fd >= 0);
	/* max_entries, at offset 24 of the header: the geometry no longer fits */
	CHECK_EQ(pwrite(fd, &junk, 4, 24), 4);
	close(fd);
	expect_refused(-EPROTO, "damaged header");
	uxdp_map_close(m);
	uxdp_map_unlink(test_instance, "m");
}

static void test_truncated_on_disk(void)
{
	char path[128];
	struct uxdp_map *m = make(path, sizeof(path));

	CHECK_EQ(truncate(path, 6000), 0); /* less than its 8 KiB */
	expect_refused(-EPROTO, "truncated");
	uxdp_map_close(m);
	uxdp_map_unlink(test_instance, "m");
}

static void test_truncated_under_us(void)
{
	char path[128];
	struct uxdp_map *m = make(path, sizeof(path));
	uint32_t k = 3;
	uint64_t v = 5, out;

	CHECK_EQ(uxdp_map_sigbus_guard(), 0);
	CHECK_EQ(uxdp_map_update_elem(m, &k, &v, BPF_ANY), 0);
	CHECK(uxdp_map_broken_segment() == NULL);
	CHECK_EQ(truncate(path, 0), 0);
	/* every page is gone: the lookup faults, reads zeros, finds nothing */
	CHECK(uxdp_map_lookup(m, &k) == NULL);
	CHECK_EQ(uxdp_map_lookup_elem_copy(m, &k, &out), -ENOENT);
	CHECK(uxdp_map_broken_segment() && strstr(uxdp_map_broken_segment(), "m"));
	uxdp_map_close(m);
	uxdp_map_unlink(test_instance, "m");
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "create"))
		return cmd_create(argv[2], argc > 3 ? argv[3] : NULL);
	if (argc == 3 && !strcmp(argv[1], "open"))
		return cmd_open(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "drop"))
		return -uxdp_map_unlink_instance(argv[2]);
	test_begin("owner");
	test_world_writable();
	test_scribbled();
	test_truncated_on_disk();
	test_truncated_under_us();
	return test_end();
}
