/* SPDX-License-Identifier: MIT */
/*
 * aot_list.c - `uxdpc --list prog.aot.o`: the records of a compiled object.
 *
 * Reads the uxdp_meta section with libelf, without loading or relocating
 * anything, and prints each program's confinement word (how it was
 * checked, include/uxdp/object_format.h) and each map.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "uxdpc.h"

static const char *confinement_text(uint32_t w)
{
	if (w & UXDP_CONFINE_KERNEL)
		return "kernel verifier";
	if (!(w & UXDP_CONFINE_UXDP))
		return "unconfined: uxdp refuses it without --trust-unverified";
	if (w & (UXDP_CONFINE_GUARDS | UXDP_CONFINE_BUDGET))
		return "uxdp proof with run-time checks";
	return "uxdp proof";
}

static const char *str_at(const uint8_t *rec, const struct uxdp_meta_header *h, uint32_t off)
{
	if (off >= h->strings_size || !memchr(rec + h->strings_off + off, 0, h->strings_size - off))
		return "?";
	return (const char *)rec + h->strings_off + off;
}

/* One record at rec, of at most left bytes; its size, or 0 when malformed. */
static size_t list_record(const uint8_t *rec, size_t left)
{
	const struct uxdp_meta_header *h = (const void *)rec;
	size_t progs_end, maps_end;

	if (left < sizeof(*h) || memcmp(h->magic, UXDP_META_MAGIC, 8) ||
	    h->version != UXDP_META_VERSION || h->size > left || h->size < sizeof(*h))
		return 0;
	progs_end = (size_t)h->progs_off + (size_t)h->n_progs * sizeof(struct uxdp_meta_prog);
	maps_end = (size_t)h->maps_off + (size_t)h->n_maps * sizeof(struct uxdp_meta_map);
	if (progs_end > h->size || maps_end > h->size ||
	    (size_t)h->strings_off + h->strings_size > h->size)
		return 0;
	printf("object %s runtime_abi %u\n", str_at(rec, h, h->obj_name), h->runtime_abi);
	for (uint32_t i = 0; i < h->n_progs; i++) {
		const struct uxdp_meta_prog *p =
			(const void *)(rec + h->progs_off + i * sizeof(struct uxdp_meta_prog));
		printf("program %s section %s insns %u confinement 0x%x (%s)\n",
		       str_at(rec, h, p->name), str_at(rec, h, p->section), p->n_insns,
		       p->confinement, confinement_text(p->confinement));
	}
	for (uint32_t i = 0; i < h->n_maps; i++) {
		const struct uxdp_meta_map *m =
			(const void *)(rec + h->maps_off + i * sizeof(struct uxdp_meta_map));
		printf("map %s type %s key %u value %u max_entries %u flags 0x%x\n",
		       str_at(rec, h, m->name), uxdp_map_type_name(m->type), m->key_size,
		       m->value_size, m->max_entries, m->map_flags);
	}
	return h->size;
}

int uxdp_list_aot(const char *path, struct uxdp_diag *diag)
{
	int fd = open(path, O_RDONLY), err = -ENOEXEC;
	Elf *elf = NULL;
	GElf_Ehdr eh;
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (fd < 0)
		return diag_error(diag, -errno, "%s: %s", path, strerror(errno));
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || !gelf_getehdr(elf, &eh) || eh.e_machine == EM_BPF ||
	    elf_getshdrstrndx(elf, &shstrndx))
		goto out;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, UXDP_META_SECTION))
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf)
			break;
		err = 0;
		for (size_t off = 0; off < d->d_size;) {
			size_t n = list_record((const uint8_t *)d->d_buf + off, d->d_size - off);
			if (!n) {
				err = diag_error(diag, -ENOEXEC, "%s: malformed %s record at offset %zu",
						 path, UXDP_META_SECTION, off);
				break;
			}
			off += n;
		}
		break;
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return err;
}
