// SPDX-License-Identifier: MIT
/*
 * parse_test.c - the uxdp_ctl parser through its API: `map NAME` resolved to
 * an id in an instance (uxdpctl), or left symbolic with map_by_name
 * (uxdp-difftest), and uxdp_ctl_parse_uint.  Prints each failed check and
 * exits 1 if any failed.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <uxdp/ctl.h>
#include <uxdp/map.h>

static int failed;

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "parse_test.c:%d: %s\n", __LINE__, #cond);   \
			failed = 1;                                                   \
		}                                                                     \
	} while (0)

/* Split line into words (modified in place) and parse it as one `map` entry. */
static int entry(struct uxdp_ctl_parse *p, char *line, struct uxdp_ctl_entry *e)
{
	char *tok[32], *save = NULL, *s;
	int n = 0;

	for (s = strtok_r(line, " ", &save); s && n < 32; s = strtok_r(NULL, " ", &save))
		tok[n++] = s;
	return uxdp_ctl_parse_entry(p, n, tok, e);
}

static void test_map_by_name(void)
{
	char err[256], line[256];
	struct uxdp_ctl_parse p = { .err = err, .err_size = sizeof(err), .map_by_name = true };
	struct uxdp_ctl_entry e;
	char *words[] = { "map", "inner", "key" };
	uint8_t buf[8];
	size_t len = 99;
	int pos = 0;

	strcpy(line, "map outer key u32 1 value map inner flags noexist");
	CHECK(entry(&p, line, &e) == 0);
	CHECK(!strcmp(e.map, "outer") && !strcmp(e.value_map, "inner"));
	CHECK(e.key_len == 4 && e.key[0] == 1 && e.value && e.value_len == 0);
	CHECK(e.flags == BPF_NOEXIST);
	uxdp_ctl_entry_free(&e);

	/* A plain value leaves value_map empty. */
	strcpy(line, "map outer key u32 1 value u32 2");
	CHECK(entry(&p, line, &e) == 0);
	CHECK(!e.value_map[0] && e.value_len == 4);
	uxdp_ctl_entry_free(&e);

	/* The run alone: no bytes, the name in p.map_name, *pos on the next word. */
	CHECK(uxdp_ctl_parse_fields(&p, 3, words, &pos, buf, sizeof(buf), &len) == 0);
	CHECK(pos == 2 && len == 0 && !strcmp(p.map_name, "inner"));

	strcpy(line, "map outer key map inner value u32 1");
	CHECK(entry(&p, line, &e) == -EINVAL);
	CHECK(!strcmp(err, "'map NAME' is only allowed as a value"));
	CHECK(!e.key && !e.value);

	strcpy(line, "map outer key u32 1 value map inner u32 1");
	CHECK(entry(&p, line, &e) == -EINVAL);
	CHECK(!strcmp(err, "'map NAME' must be the whole value"));

	memset(line, 0, sizeof(line));
	strcpy(line, "map outer key u32 1 value map ");
	memset(line + strlen(line), 'a', UXDP_CTL_NAME_LEN);
	CHECK(entry(&p, line, &e) == -EINVAL);
	CHECK(!strncmp(err, "map name 'aaaa", 14) && strstr(err, "' too long"));
}

/* Without map_by_name, `map NAME` is the id of that map in p.instance. */
static void test_map_id(void)
{
	char err[256], line[256], inst[64];
	struct uxdp_ctl_parse p = { .instance = inst, .err = err, .err_size = sizeof(err) };
	struct uxdp_map_def def = { .sz = sizeof(def), .name = "inner", .type = BPF_MAP_TYPE_ARRAY,
				    .key_size = 4, .value_size = 4, .max_entries = 1 };
	struct uxdp_ctl_entry e;
	struct uxdp_map *m;
	uint32_t id;

	snprintf(inst, sizeof(inst), "ctl-parse-test-%d", (int)getpid());
	if (uxdp_map_create(inst, &def, &m)) {
		fprintf(stderr, "parse_test: cannot create map inner in %s\n", inst);
		failed = 1;
		return;
	}
	id = uxdp_map_id(m);
	strcpy(line, "map outer key u32 0 value map inner");
	CHECK(entry(&p, line, &e) == 0);
	CHECK(e.value_len == 4 && !memcmp(e.value, &id, 4) && !e.value_map[0]);
	uxdp_ctl_entry_free(&e);

	strcpy(line, "map outer key u32 0 value map nosuch");
	CHECK(entry(&p, line, &e) == -EINVAL);
	CHECK(!strncmp(err, "map nosuch: ", 12));
	uxdp_map_close(m);
	uxdp_map_unlink_instance(inst);
}

static void test_uint(void)
{
	char err[256];
	struct uxdp_ctl_parse p = { .err = err, .err_size = sizeof(err) };
	uint64_t v = 0;

	CHECK(uxdp_ctl_parse_uint(&p, "0x10", UINT32_MAX, &v) == 0 && v == 16);
	CHECK(uxdp_ctl_parse_uint(&p, "-1", UINT32_MAX, &v) == 0 && v == UINT32_MAX);
	CHECK(uxdp_ctl_parse_uint(&p, "0x100000000", UINT32_MAX, &v) == -EINVAL);
	CHECK(!strcmp(err, "'0x100000000' is not a number that fits"));
	CHECK(uxdp_ctl_parse_uint(&p, "any", UINT32_MAX, &v) == -EINVAL);
	CHECK(!strcmp(err, "'any' is not a number that fits"));
}

int main(void)
{
	test_map_by_name();
	test_map_id();
	test_uint();
	if (!failed)
		printf("parse_test: ok\n");
	return failed;
}
