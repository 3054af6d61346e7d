// SPDX-License-Identifier: MIT
/*
 * test_json - unit.json: the JSON writer's exact output, compact and pretty.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uxdp_json.h"

static int failures;

/* Run fill on a writer into memory; compare with want. */
static void check(const char *what, bool pretty, void (*fill)(struct uxdp_json *),
		  const char *want)
{
	struct uxdp_json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		perror("open_memstream");
		exit(1);
	}
	uxdp_json_init(&j, f, pretty);
	fill(&j);
	fclose(f);
	if (strcmp(buf, want)) {
		printf("FAIL %s:\n got: %s\nwant: %s\n", what, buf, want);
		failures++;
	}
	free(buf);
}

static void entry(struct uxdp_json *j)
{
	static const unsigned char key[] = { 0xc6, 0x12, 0x00, 0x07 };

	uxdp_json_open(j, '[');
	uxdp_json_open(j, '{');
	uxdp_json_key(j, "key");
	uxdp_json_hex(j, key, sizeof(key));
	uxdp_json_kv_uint(j, "max", UINT64_MAX);
	uxdp_json_key(j, "neg");
	uxdp_json_int(j, -5);
	uxdp_json_kv_double(j, "ns", 2.345, 2);
	uxdp_json_kv_double(j, "nan", NAN, 2);
	uxdp_json_kv_bool(j, "ok", true);
	uxdp_json_key(j, "none");
	uxdp_json_null(j);
	uxdp_json_key(j, "empty");
	uxdp_json_open(j, '[');
	uxdp_json_close(j, ']');
	uxdp_json_close(j, '}');
	uxdp_json_close(j, ']');
	uxdp_json_end(j);
}

static void strings(struct uxdp_json *j)
{
	uxdp_json_open(j, '[');
	uxdp_json_str(j, "a\"b\\c\nd\te\x01 \xc3\xa9");
	uxdp_json_strf(j, "%s-%d", "x", 7);
	uxdp_json_close(j, ']');
	uxdp_json_end(j);
}

/* Two documents from one writer, as ringbuf read --follow prints them. */
static void two_docs(struct uxdp_json *j)
{
	for (int i = 0; i < 2; i++) {
		uxdp_json_open(j, '{');
		uxdp_json_kv_uint(j, "n", (uint64_t)i);
		uxdp_json_close(j, '}');
		uxdp_json_end(j);
	}
	uxdp_json_null(j);
	uxdp_json_end(j);
}

int main(void)
{
	check("compact", false, entry,
	      "[{\"key\":[\"0xc6\",\"0x12\",\"0x00\",\"0x07\"],\"max\":18446744073709551615,"
	      "\"neg\":-5,\"ns\":2.35,\"nan\":null,\"ok\":true,\"none\":null,\"empty\":[]}]\n");
	check("pretty", true, entry,
	      "[\n"
	      "    {\n"
	      "        \"key\": [\n"
	      "            \"0xc6\",\n"
	      "            \"0x12\",\n"
	      "            \"0x00\",\n"
	      "            \"0x07\"\n"
	      "        ],\n"
	      "        \"max\": 18446744073709551615,\n"
	      "        \"neg\": -5,\n"
	      "        \"ns\": 2.35,\n"
	      "        \"nan\": null,\n"
	      "        \"ok\": true,\n"
	      "        \"none\": null,\n"
	      "        \"empty\": []\n"
	      "    }\n"
	      "]\n");
	check("strings", false, strings,
	      "[\"a\\\"b\\\\c\\nd\\te\\u0001 \xc3\xa9\",\"x-7\"]\n");
	check("two documents", false, two_docs, "{\"n\":0}\n{\"n\":1}\nnull\n");
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
