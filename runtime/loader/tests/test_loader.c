// SPDX-License-Identifier: MIT
/*
 * test_loader.c - unit tests of the AOT loader.
 *
 *	test_loader CASE OBJECT
 *
 * Each case loads OBJECT (built by clang -fPIC from a C file in this
 * directory) or a damaged copy of it and checks the outcome.  Damaged
 * objects must be refused with a message, never crash the loader.
 */
#include <elf.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uxdp/loader.h>

static int failures;

#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (!(cond)) {                                                       \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                              \
			failures++;                                                  \
		}                                                                    \
	} while (0)

/* Host symbols the objects import; a volatile keeps host_value in memory. */
long host_value = 1000;
static int host_calls;

long host_add(long a, long b)
{
	host_calls++;
	return a + b;
}

/* What prog_tls.o reads: static TLS, as the runtime's uxdp_this_cpu. */
__thread unsigned int host_tls __attribute__((tls_model("initial-exec")));

static void *resolver(const char *name, void *arg)
{
	(void)arg;
	if (strcmp(name, "host_tls") == 0)
		return &host_tls;
	if (strcmp(name, "host_add") == 0)
		return (void *)host_add;
	if (strcmp(name, "host_value") == 0)
		return &host_value;
	return NULL;
}

static void *resolve_nothing(const char *name, void *arg)
{
	return NULL;
}

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f) {
		perror(path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n);
	if (!buf || fread(buf, 1, n, f) != (size_t)n) {
		fprintf(stderr, "%s: read failed\n", path);
		exit(1);
	}
	fclose(f);
	*size = n;
	return buf;
}

static int test_basic(const char *path)
{
	struct uxdp_image *img;
	char err[256];
	long (*bump)(void), (*pick)(int), (*call_host)(long, long), (*apply)(int, long);
	long (*fill)(long);
	long *counter;
	int ret;

	ret = uxdp_image_load_file(path, resolver, NULL, &img, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "load: %s\n", err);
		return 1;
	}
	bump = (long (*)(void))uxdp_image_symbol(img, "bump");
	pick = (long (*)(int))uxdp_image_symbol(img, "pick");
	call_host = (long (*)(long, long))uxdp_image_symbol(img, "call_host");
	apply = (long (*)(int, long))uxdp_image_symbol(img, "apply");
	fill = (long (*)(long))uxdp_image_symbol(img, "fill");
	counter = uxdp_image_symbol(img, "counter");
	CHECK(bump && pick && call_host && apply && fill && counter);
	CHECK(uxdp_image_symbol(img, "op_add") == NULL); /* static: not exported */
	CHECK(uxdp_image_symbol(img, "no_such_symbol") == NULL);
	if (failures)
		return 1;

	CHECK(*counter == 40);
	CHECK(bump() == 41);
	CHECK(bump() == 42);
	CHECK(*counter == 42);
	static const long want[] = { 11, 23, 37, 41, 59, 67, 73, -1 };
	for (int k = 0; k < 8; k++)
		CHECK(pick(k) == want[k]);
	CHECK(pick(-5) == -1);
	/* host_add lives in the test binary, far from the image: a stub call */
	CHECK(call_host(2, 3) == 1005);
	CHECK(host_calls == 1);
	host_value = 7;
	CHECK(call_host(10, 20) == 37);
	CHECK(apply(0, 5) == 6);
	CHECK(apply(1, 5) == 10);
	CHECK(apply(2, 5) == -5);
	/* .bss and COMMON start zeroed: sum(1 + i) for i < 64 = 2080 */
	CHECK(fill(1) == 2080);
	CHECK(fill(0) == 2080 + 64 + 2 * 2016);
	CHECK(uxdp_image_meta(img, NULL) == 0);
	uxdp_image_free(img);
	uxdp_image_free(NULL);
	return failures != 0;
}

static int test_meta(const char *path)
{
	const struct uxdp_meta_header *const *recs;
	struct uxdp_image *img;
	char err[256];
	size_t n;
	int ret;

	ret = uxdp_image_load_file(path, resolve_nothing, NULL, &img, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "load: %s\n", err);
		return 1;
	}
	n = uxdp_image_meta(img, &recs);
	CHECK(n == 2);
	for (size_t i = 0; i < n && i < 2; i++) {
		const struct uxdp_meta_header *h = recs[i];
		const char *str = (const char *)h + h->strings_off;
		const struct uxdp_meta_prog *p = (const void *)((const char *)h + h->progs_off);
		const struct uxdp_meta_map *m = (const void *)((const char *)h + h->maps_off);
		const uint8_t *data = (const uint8_t *)h + h->data_off;
		uint8_t pkt[4];
		struct uxdp_ctx ctx = { .data = pkt, .data_end = pkt + sizeof(pkt) };

		CHECK(h->n_progs == 1 && h->n_maps == 1);
		CHECK(strcmp(str + h->obj_name, i ? "b.o" : "a.o") == 0);
		CHECK(strcmp(str + p->name, i ? "drop_prog" : "pass_prog") == 0);
		CHECK(strcmp(str + p->section, "xdp") == 0);
		CHECK(strcmp(str + m->name, i ? "cfg_b" : "cfg_a") == 0);
		CHECK(m->slot == uxdp_image_symbol(img, i ? "slot_b" : "slot_a"));
		CHECK(m->slot && m->slot->map == NULL);
		/* in the last cache line of a page, as the object placed them */
		CHECK(((uintptr_t)m->slot & 4095) >= 4096 - 64);
		CHECK(data[m->init_off] == 1 && data[m->init_off + 7] == 8);
		CHECK(p->entry == uxdp_image_symbol(img, i ? "xdp_drop_prog" : "xdp_pass_prog"));
		CHECK(((uxdp_prog_fn)p->entry)(&ctx) == (i ? 1u : 2u));
	}
	uxdp_image_free(img);
	return failures != 0;
}

/* Load a damaged object; it must fail, and the message must contain want. */
static void expect_fail(const uint8_t *obj, size_t size, const char *want, const char *what)
{
	struct uxdp_image *img = (struct uxdp_image *)&img; /* must be reset */
	char err[256];
	int ret;

	err[0] = 'X';
	ret = uxdp_image_load_mem(obj, size, resolver, NULL, &img, err, sizeof(err));
	if (ret >= 0 || img != NULL) {
		fprintf(stderr, "%s: loaded although damaged\n", what);
		failures++;
		uxdp_image_free(ret == 0 ? img : NULL);
		return;
	}
	if (want && !strstr(err, want)) {
		fprintf(stderr, "%s: message \"%s\" lacks \"%s\"\n", what, err, want);
		failures++;
	}
}

static Elf64_Shdr *find_section(uint8_t *obj, const char *name)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)obj;
	Elf64_Shdr *sh = (Elf64_Shdr *)(obj + eh->e_shoff);
	const char *shstr = (const char *)obj + sh[eh->e_shstrndx].sh_offset;

	for (int i = 0; i < eh->e_shnum; i++)
		if (strcmp(shstr + sh[i].sh_name, name) == 0)
			return &sh[i];
	return NULL;
}

static int test_corrupt(const char *path, const char *meta_path)
{
	size_t size, i;
	uint8_t *orig = read_file(path, &size), *obj = malloc(size);
	Elf64_Shdr *s;
	Elf64_Rela *r;
	struct uxdp_image *img;
	char err[256];

	/* Sanity: the undamaged copy loads. */
	CHECK(uxdp_image_load_mem(orig, size, resolver, NULL, &img, err, sizeof(err)) == 0);
	uxdp_image_free(img);

	/* Every truncation fails cleanly. */
	for (i = 0; i < size; i++) {
		uint8_t *cut = malloc(i ? i : 1);

		memcpy(cut, orig, i);
		expect_fail(cut, i, NULL, "truncated");
		free(cut);
	}

	memcpy(obj, orig, size);
	obj[EI_CLASS] = ELFCLASS32;
	expect_fail(obj, size, "64-bit", "32-bit class");

	memcpy(obj, orig, size);
	((Elf64_Ehdr *)obj)->e_machine = EM_BPF;
	expect_fail(obj, size, "x86-64", "BPF machine");

	memcpy(obj, orig, size);
	((Elf64_Ehdr *)obj)->e_shoff = size - 8;
	expect_fail(obj, size, "outside the file", "section table offset");

	memcpy(obj, orig, size);
	((Elf64_Ehdr *)obj)->e_shstrndx = 0x7000;
	expect_fail(obj, size, "section name table", "shstrndx");

	memcpy(obj, orig, size);
	s = find_section(obj, ".text");
	CHECK(s != NULL);
	if (s) {
		s->sh_offset = 0x7fffffff00ull;
		expect_fail(obj, size, "outside the file", "text offset");
		s->sh_offset = find_section(orig, ".text")->sh_offset;
		s->sh_size = size;
		expect_fail(obj, size, "outside the file", "text size");
	}

	memcpy(obj, orig, size);
	s = find_section(obj, ".rela.text");
	CHECK(s != NULL);
	if (s) {
		r = (Elf64_Rela *)(obj + s->sh_offset);
		r[0].r_info = ELF64_R_INFO(ELF64_R_SYM(r[0].r_info), R_X86_64_TPOFF32);
		expect_fail(obj, size, "R_X86_64_TPOFF32", "TLS reloc type");
		r[0].r_info = ELF64_R_INFO(ELF64_R_SYM(r[0].r_info), 200);
		expect_fail(obj, size, "unsupported type 200", "unknown reloc type");

		memcpy(obj, orig, size);
		r[0].r_info = ELF64_R_INFO(100000, R_X86_64_PLT32);
		expect_fail(obj, size, "symbol 100000", "reloc symbol index");

		memcpy(obj, orig, size);
		r[0].r_offset = 1ull << 40;
		expect_fail(obj, size, "past the end", "reloc offset");

		memcpy(obj, orig, size);
		s->sh_entsize = 16;
		expect_fail(obj, size, "malformed", "rela entsize");
	}

	memcpy(obj, orig, size);
	s = find_section(obj, ".symtab");
	CHECK(s != NULL);
	if (s) {
		Elf64_Sym *sym = (Elf64_Sym *)(obj + s->sh_offset);
		size_t n = s->sh_size / sizeof(*sym);

		for (i = 1; i < n; i++)
			if (sym[i].st_shndx != SHN_UNDEF && sym[i].st_shndx < SHN_LORESERVE)
				break;
		if (i < n) {
			sym[i].st_shndx = 0xfe00;
			expect_fail(obj, size, "out of range", "symbol shndx");
			memcpy(obj, orig, size);
			sym[i].st_name = 0x7fffffff;
			expect_fail(obj, size, "name offset", "symbol name");
		}
	}

	/* A missing host symbol is named. */
	CHECK(uxdp_image_load_mem(orig, size, resolve_nothing, NULL, &img, err, sizeof(err)) < 0);
	CHECK(strstr(err, "host_add") || strstr(err, "host_value"));

	/* Deterministic byte flips: any outcome but a crash is acceptable. */
	srand(1);
	for (i = 0; i < 3000; i++) {
		memcpy(obj, orig, size);
		for (int k = 0; k < 4; k++)
			obj[rand() % size] ^= (uint8_t)(1u << (rand() % 8));
		if (uxdp_image_load_mem(obj, size, resolver, NULL, &img, err, sizeof(err)) == 0)
			uxdp_image_free(img);
	}
	free(orig);

	/* Metadata damage. */
	orig = read_file(meta_path, &size);
	obj = realloc(obj, size);
	s = find_section(orig, UXDP_META_SECTION);
	CHECK(s != NULL);
	if (s) {
		size_t off = s->sh_offset;
		struct uxdp_meta_header *h;

		memcpy(obj, orig, size);
		obj[off] = 'X';
		expect_fail(obj, size, "bad magic", "meta magic");

		memcpy(obj, orig, size);
		h = (struct uxdp_meta_header *)(obj + off);
		h->version = 99;
		expect_fail(obj, size, "version 99", "meta version");

		memcpy(obj, orig, size);
		h->runtime_abi = UXDP_RUNTIME_ABI + 1;
		expect_fail(obj, size, "compile it again", "meta runtime ABI");

		memcpy(obj, orig, size);
		h->size = 4096;
		expect_fail(obj, size, "bad size", "meta size");

		memcpy(obj, orig, size);
		h->obj_name = 1000;
		expect_fail(obj, size, "object name", "meta string");

		memcpy(obj, orig, size);
		h->n_maps = 1000;
		expect_fail(obj, size, "out of bounds", "meta map count");

		memcpy(obj, orig, size);
		/* the second record's string table loses its terminator */
		h = (struct uxdp_meta_header *)(obj + off + h->size);
		obj[off + ((struct uxdp_meta_header *)(obj + off))->size + h->strings_off +
		    h->strings_size - 1] = 'Z';
		expect_fail(obj, size, "record 1", "meta unterminated strings");

		memcpy(obj, orig, size);
		h = (struct uxdp_meta_header *)(obj + off);
		((struct uxdp_meta_map *)(obj + off + h->maps_off))->init_size = 9;
		expect_fail(obj, size, "initial data", "meta init size");

		memcpy(obj, orig, size);
		((struct uxdp_meta_map *)(obj + off + h->maps_off))->btf_off = h->data_size;
		((struct uxdp_meta_map *)(obj + off + h->maps_off))->btf_size = 1;
		expect_fail(obj, size, "BTF out of bounds", "meta map BTF");

		memcpy(obj, orig, size);
		h->version = UXDP_META_VERSION - 1; /* an object of the uxdpc before map BTF */
		expect_fail(obj, size, "compile it again", "meta old version");
	}
	free(orig);
	free(obj);
	return failures != 0;
}

static unsigned int (*read_tls)(void);

static void *read_in_thread(void *arg)
{
	host_tls = 7;
	*(unsigned int *)arg = read_tls();
	return NULL;
}

/* read_tls() of the object at path reads each calling thread's host_tls. */
static void check_tls_read(const char *path)
{
	struct uxdp_image *img;
	unsigned int other = 0;
	pthread_t t;
	char err[256];

	if (uxdp_image_load_file(path, resolver, NULL, &img, err, sizeof(err))) {
		fprintf(stderr, "%s: load: %s\n", path, err);
		failures++;
		return;
	}
	read_tls = (unsigned int (*)(void))uxdp_image_symbol(img, "read_tls");
	CHECK(read_tls != NULL);
	if (read_tls) {
		host_tls = 3;
		CHECK(read_tls() == 3);
		CHECK(pthread_create(&t, NULL, read_in_thread, &other) == 0);
		CHECK(pthread_join(t, NULL) == 0);
		CHECK(other == 7);
		CHECK(host_tls == 3 && read_tls() == 3);
	}
	uxdp_image_free(img);
}

/* A copy of obj whose first relocation of .rela.text has type type. */
static void expect_tls_type_refused(const uint8_t *obj, size_t size, uint32_t type,
				    const char *what)
{
	uint8_t *copy = malloc(size);
	Elf64_Shdr *rela;

	if (!copy)
		return;
	memcpy(copy, obj, size);
	rela = find_section(copy, ".rela.text");
	CHECK(rela != NULL);
	if (rela) {
		Elf64_Rela *r = (Elf64_Rela *)(copy + rela->sh_offset);

		r->r_info = ELF64_R_INFO(ELF64_R_SYM(r->r_info), type);
		expect_fail(copy, size, "only supported with the initial-exec or local-exec model",
			    what);
	}
	free(copy);
}

/*
 * Reads of the runtime's thread-locals: local-exec (R_X86_64_TPOFF32) and
 * initial-exec (R_X86_64_GOTTPOFF, what uxdpc emits) both read the calling
 * thread's variable in every thread; a thread-local the resolver does not
 * know, the dynamic model and a plain GOT load of a TLS symbol are refused
 * with their names.
 */
static int test_tls(const char *le_path, const char *ie_path)
{
	struct uxdp_image *img;
	char err[256];
	size_t size;
	uint8_t *obj;

	check_tls_read(le_path);
	check_tls_read(ie_path);
	CHECK(uxdp_image_load_file(ie_path, resolve_nothing, NULL, &img, err, sizeof(err)) < 0);
	CHECK(strstr(err, "'host_tls' is not provided") != NULL);
	obj = read_file(ie_path, &size);
	expect_tls_type_refused(obj, size, R_X86_64_TLSGD, "general-dynamic TLS");
	expect_tls_type_refused(obj, size, R_X86_64_GOTPCREL, "GOT load of a TLS symbol");
	free(obj);
	return failures != 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "basic") == 0)
		return test_basic(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "meta") == 0)
		return test_meta(argv[2]);
	if (argc >= 4 && strcmp(argv[1], "corrupt") == 0)
		return test_corrupt(argv[2], argv[3]);
	if (argc >= 4 && strcmp(argv[1], "tls") == 0)
		return test_tls(argv[2], argv[3]);
	fprintf(stderr, "usage: test_loader basic|meta OBJ | corrupt OBJ META_OBJ | tls OBJ IE_OBJ\n");
	return 2;
}
