/* SPDX-License-Identifier: MIT */
/*
 * test_elf_reader.c - checks of the uxdpc front end (elf_reader.c and
 * friends) on clang-built BPF objects.
 *
 * C cannot build BPF objects itself, so the objects come from the command
 * line (ctest builds them with uxdp_bpf_object()):
 *
 *   test_elf_reader [expectations...] OBJ [[expectations...] OBJ ...]
 *
 * Expectations apply to the next OBJ and are reset after it:
 *   --select S            open with select = S (default: XDP programs)
 *   --progs N             exactly N programs
 *   --maps N              exactly N maps
 *   --prog NAME           a program NAME exists (repeatable)
 *   --map NAME:TYPE:K:V:MAX  a map with that bpftool type name and sizes
 *   --fail ERRNO          opening must fail with -ERRNO (e.g. 2 for ENOENT)
 *
 * Without any OBJ it runs only the built-in tests (raw input, map type
 * names, garbage files).  On every object it also checks invariants that any
 * result must satisfy (call and lddw targets in range and at function
 * starts, map indexes valid, inner maps valid) and that every truncation of
 * the file is rejected with a message instead of crashing.
 * Exit status 0 on success; each failure prints one line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uxdpc.h"

static int failures;

#define CHECK(cond, ...)                                                        \
	do {                                                                    \
		if (!(cond)) {                                                  \
			failures++;                                             \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                           \
			fputc('\n', stderr);                                    \
		}                                                               \
	} while (0)

static void test_raw(void)
{
	struct ebpf_insn insns[2] = {
		{ .opcode = 0xb7, .dst = 0, .imm = 2 }, /* r0 = 2 */
		{ .opcode = EBPF_OP_EXIT },
	};
	struct uxdp_diag d = { 0 };
	struct uxdp_object *o = NULL;

	CHECK(uxdp_object_from_insns(insns, sizeof(insns), "p", true, &o, &d) == 0, "%s", d.msg);
	if (o) {
		CHECK(o->n_progs == 1 && o->progs[0].n_insns == 2, "raw shape");
		CHECK(o->progs[0].type == UXDP_PROG_XDP, "raw type");
		CHECK(!strcmp(o->progs[0].section, "raw"), "raw section");
		CHECK(o->n_maps == 0, "raw maps");
		uxdp_object_free(o);
	}
	memset(&d, 0, sizeof(d));
	CHECK(uxdp_object_from_insns(insns, 12, "p", false, &o, &d) == -EINVAL && d.msg[0],
	      "12 bytes accepted");
	memset(&d, 0, sizeof(d));
	CHECK(uxdp_object_from_insns(insns, 0, "p", false, &o, &d) == -EINVAL && d.msg[0],
	      "empty accepted");
}

static void test_map_names(void)
{
	CHECK(!strcmp(uxdp_map_type_name(1), "hash"), "hash");
	CHECK(!strcmp(uxdp_map_type_name(11), "lpm_trie"), "lpm_trie");
	CHECK(!strcmp(uxdp_map_type_name(13), "hash_of_maps"), "hash_of_maps");
	CHECK(!strcmp(uxdp_map_type_name(27), "ringbuf"), "ringbuf");
	CHECK(!strcmp(uxdp_map_type_name(25), "devmap_hash"), "devmap_hash");
	CHECK(!strcmp(uxdp_map_type_name(12345), "unknown"), "unknown");
}

static int write_file(const char *path, const void *bytes, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	if (n && fwrite(bytes, 1, n, f) != n) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static void test_garbage(const char *tmp)
{
	static const char junk[] = "\177ELF this is not really an object at all";
	struct uxdp_diag d = { 0 };
	struct uxdp_object *o = NULL;

	CHECK(uxdp_object_open_elf("/nonexistent/x.o", NULL, &o, &d) == -ENOENT && d.msg[0],
	      "missing file");
	CHECK(write_file(tmp, junk, sizeof(junk)) == 0, "write %s", tmp);
	memset(&d, 0, sizeof(d));
	CHECK(uxdp_object_open_elf(tmp, NULL, &o, &d) < 0 && d.msg[0] && !o, "junk accepted");
}

/* Is linear insn t the first insn of a function? (origin tells) */
static bool starts_function(const struct uxdp_prog *p, size_t t)
{
	if (!p->origin)
		return true;
	return t == 0 || p->origin[t - 1].function != p->origin[t].function;
}

static void check_invariants(const char *path, const struct uxdp_object *o)
{
	size_t i, k;

	for (i = 0; i < o->n_maps; i++) {
		const struct uxdp_map_info *m = &o->maps[i];

		CHECK(m->inner_map == -1 ||
			      (m->inner_map >= 0 && (size_t)m->inner_map < o->n_maps &&
			       o->maps[m->inner_map].kind == UXDP_MAP_KIND_INNER),
		      "%s: map %s: inner_map %d", path, m->name, m->inner_map);
		CHECK(m->kind == UXDP_MAP_KIND_USER || m->kind == UXDP_MAP_KIND_INNER ||
			      m->value_size == m->init_size || !m->init,
		      "%s: data map %s: init size", path, m->name);
	}
	for (i = 0; i < o->n_progs; i++) {
		const struct uxdp_prog *p = &o->progs[i];

		CHECK(p->n_insns > 0 && p->origin, "%s: prog %s: empty or no origin", path,
		      p->name);
		for (k = 0; k < p->n_insns; k++) {
			const struct ebpf_insn *in = &p->insns[k];
			int64_t t = (int64_t)k + in->imm + 1;

			if (in->opcode == EBPF_OP_CALL && in->src == EBPF_PSEUDO_CALL_LOCAL)
				CHECK(t >= 0 && (uint64_t)t < p->n_insns &&
					      starts_function(p, (size_t)t),
				      "%s: %s insn %zu: call target %lld", path, p->name, k,
				      (long long)t);
			if (in->opcode != EBPF_OP_LDDW)
				continue;
			CHECK(k + 1 < p->n_insns, "%s: %s: lddw at the end", path, p->name);
			if (in->src == EBPF_PSEUDO_FUNC)
				CHECK(t >= 0 && (uint64_t)t < p->n_insns &&
					      starts_function(p, (size_t)t),
				      "%s: %s insn %zu: func target %lld", path, p->name, k,
				      (long long)t);
			if (in->src == EBPF_PSEUDO_MAP_FD || in->src == EBPF_PSEUDO_MAP_VALUE)
				CHECK(in->imm >= 0 && (size_t)in->imm < o->n_maps,
				      "%s: %s insn %zu: map index %d", path, p->name, k, in->imm);
			if (in->src == EBPF_PSEUDO_MAP_VALUE && in->imm >= 0 &&
			    (size_t)in->imm < o->n_maps)
				CHECK(in[1].imm >= 0 &&
					      (uint32_t)in[1].imm <= o->maps[in->imm].value_size,
				      "%s: %s insn %zu: value offset %d", path, p->name, k,
				      in[1].imm);
			k++;
		}
	}
}

/* Every prefix of the file must be refused with a message. */
static void check_truncations(const char *path, const char *tmp)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;
	size_t len, step;

	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (!buf || n <= 0 || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return;
	}
	fclose(f);
	step = (size_t)n / 2000 + 1;
	for (len = 0; len < (size_t)n; len += step) {
		struct uxdp_diag d = { 0 };
		struct uxdp_object *o = NULL;
		int err;

		if (write_file(tmp, buf, len))
			break;
		err = uxdp_object_open_elf(tmp, NULL, &o, &d);
		/* The tail of an object may be debug data we do not read. */
		CHECK(err <= 0 && (err == 0 || d.msg[0]), "%s truncated to %zu: %d", path, len,
		      err);
		uxdp_object_free(o);
	}
	free(buf);
}

struct expect {
	const char *select;
	long progs, maps, fail;
	const char *prog[16];
	size_t n_prog;
	const char *map[16];
	size_t n_map;
};

static bool map_matches(const struct uxdp_map_info *m, const char *spec)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s:%s:%u:%u:%u", m->name, uxdp_map_type_name(m->type),
		 m->key_size, m->value_size, m->max_entries);
	return !strcmp(buf, spec);
}

static void test_object(const char *path, const struct expect *e, const char *tmp)
{
	struct uxdp_diag d = { 0 };
	struct uxdp_object *o = NULL;
	size_t i, k;
	int err;

	err = uxdp_object_open_elf(path, e->select, &o, &d);
	if (e->fail) {
		CHECK(err == -e->fail && d.msg[0], "%s: expected -%ld, got %d (%s)", path, e->fail,
		      err, d.msg);
		uxdp_object_free(o);
		return;
	}
	CHECK(err == 0 && o, "%s: %d %s", path, err, d.msg);
	if (err)
		return;
	if (e->progs >= 0)
		CHECK(o->n_progs == (size_t)e->progs, "%s: %zu programs", path, o->n_progs);
	if (e->maps >= 0)
		CHECK(o->n_maps == (size_t)e->maps, "%s: %zu maps", path, o->n_maps);
	for (k = 0; k < e->n_prog; k++) {
		for (i = 0; i < o->n_progs && strcmp(o->progs[i].name, e->prog[k]); i++)
			;
		CHECK(i < o->n_progs, "%s: no program %s", path, e->prog[k]);
	}
	for (k = 0; k < e->n_map; k++) {
		for (i = 0; i < o->n_maps && !map_matches(&o->maps[i], e->map[k]); i++)
			;
		CHECK(i < o->n_maps, "%s: no map %s", path, e->map[k]);
	}
	check_invariants(path, o);
	uxdp_object_free(o);
	check_truncations(path, tmp);
}

int main(int argc, char **argv)
{
	struct expect e = { .progs = -1, .maps = -1 };
	char tmp[64];
	int i;

	snprintf(tmp, sizeof(tmp), "/tmp/test_elf_reader.%d.o", (int)getpid());
	test_raw();
	test_map_names();
	test_garbage(tmp);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_arg = i + 1 < argc;

		if (!strcmp(a, "--select") && has_arg) {
			e.select = argv[++i];
		} else if (!strcmp(a, "--progs") && has_arg) {
			e.progs = atol(argv[++i]);
		} else if (!strcmp(a, "--maps") && has_arg) {
			e.maps = atol(argv[++i]);
		} else if (!strcmp(a, "--fail") && has_arg) {
			e.fail = atol(argv[++i]);
		} else if (!strcmp(a, "--prog") && has_arg && e.n_prog < 16) {
			e.prog[e.n_prog++] = argv[++i];
		} else if (!strcmp(a, "--map") && has_arg && e.n_map < 16) {
			e.map[e.n_map++] = argv[++i];
		} else if (a[0] == '-') {
			fprintf(stderr, "test_elf_reader: bad option %s\n", a);
			return 2;
		} else {
			test_object(a, &e, tmp);
			memset(&e, 0, sizeof(e));
			e.progs = e.maps = -1;
		}
	}
	unlink(tmp);
	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
