/* SPDX-License-Identifier: MIT */
/*
 * loader.h - load an object compiled by uxdpc into this process.
 *
 * The loader maps the allocatable sections of an x86-64 ELF relocatable
 * object (.text*, .rodata*, .data*, .bss*, uxdp_meta, ...), applies its
 * relocations (R_X86_64_64, PC32, PLT32, 32, 32S, GOTPCREL, GOTPCRELX,
 * REX_GOTPCRELX), resolves undefined symbols through the caller's resolver
 * (with a call stub or GOT entry when the target is out of 32-bit reach),
 * and makes code executable and the rest read-write.
 *
 * Errors: functions return 0 or a negative errno and write one line of
 * context into err (which may be NULL).
 */
#ifndef UXDP_LOADER_H
#define UXDP_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include <uxdp/object_format.h>

struct uxdp_image;

/*
 * Address of the undefined symbol name, or NULL when it is unknown.  For a
 * thread-local symbol, the calling thread's instance of a variable in
 * static TLS (declared initial-exec): the loader keeps its offset from the
 * thread pointer, which every thread shares.
 */
typedef void *(*uxdp_symbol_resolver)(const char *name, void *arg);

/* Load the object file at path.  On success *out owns the mapping. */
int uxdp_image_load_file(const char *path, uxdp_symbol_resolver resolve, void *arg,
			 struct uxdp_image **out, char *err, size_t err_size);
/* Same, from a copy of the object in memory. */
int uxdp_image_load_mem(const void *elf, size_t size, uxdp_symbol_resolver resolve, void *arg,
			struct uxdp_image **out, char *err, size_t err_size);
/* Address of a defined global symbol of the image, or NULL. */
void *uxdp_image_symbol(const struct uxdp_image *img, const char *name);
/*
 * The metadata records of the image (section uxdp_meta), in order; each has
 * been checked for magic, version and bounds.  Returns how many there are.
 */
size_t uxdp_image_meta(const struct uxdp_image *img, const struct uxdp_meta_header *const **records);
/*
 * Where the pointers of a metadata record may point: program entries into
 * [code_lo, code_hi), map slots into [data_lo, data_hi).
 */
struct uxdp_meta_bounds {
	uintptr_t code_lo, code_hi;
	uintptr_t data_lo, data_hi;
};
/*
 * Check the records in the contents of a uxdp_meta section, [sec, sec + size)
 * (magic, version, sizes, tables, strings, pointers against *b), and append
 * them to the malloc'ed array *records of *n entries.  The loader and the
 * binding of statically linked objects both read records through this.
 * Messages start with "what: ".  -ENOEXEC for a bad record, -ENOMEM.
 */
int uxdp_meta_parse(const void *sec, size_t size, const struct uxdp_meta_bounds *b,
		    const struct uxdp_meta_header ***records, size_t *n, const char *what,
		    char *err, size_t err_size);
/* Unmap the image.  NULL is allowed. */
void uxdp_image_free(struct uxdp_image *img);

#endif /* UXDP_LOADER_H */
