// SPDX-License-Identifier: MIT
/*
 * license.c - whether a BPF object's license is GPL-compatible, as the
 * kernel answers in bpf_prog_info.gpl_compatible.
 *
 * The kernel takes the license string of BPF_PROG_LOAD (libbpf passes the
 * object's "license" section) and compares it with its list of
 * GPL-compatible licenses (license_is_gpl_compatible()).  uxdpd keeps no
 * license in a compiled object, so it reads the section from the BPF ELF
 * it was handed, before compiling it.
 */
#include <elf.h>
#include <stdbool.h>
#include <string.h>

#include "daemon.h"

/* The kernel's list (include/linux/license.h). */
static bool gpl_compatible(const char *l)
{
	static const char *const ok[] = { "GPL", "GPL v2", "GPL and additional rights",
					  "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL" };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(l, ok[i]))
			return true;
	return false;
}

/* Section i's header, if it lies inside the file. */
static const Elf64_Shdr *shdr(const uint8_t *b, size_t len, const Elf64_Ehdr *e, size_t i)
{
	size_t off = e->e_shoff + i * sizeof(Elf64_Shdr);

	if (e->e_shentsize != sizeof(Elf64_Shdr) || i >= e->e_shnum || off < e->e_shoff ||
	    off + sizeof(Elf64_Shdr) > len)
		return NULL;
	return (const Elf64_Shdr *)(b + off);
}

bool bpf_object_gpl_compatible(const uint8_t *b, size_t len)
{
	const Elf64_Ehdr *e = (const void *)b;
	const Elf64_Shdr *names, *s;
	char lic[128];
	size_t n;

	if (len < sizeof(*e) || memcmp(b, ELFMAG, SELFMAG) || e->e_machine != EM_BPF)
		return false;
	names = shdr(b, len, e, e->e_shstrndx);
	if (!names || names->sh_offset > len || names->sh_size > len - names->sh_offset)
		return false;
	for (size_t i = 1; i < e->e_shnum; i++) {
		s = shdr(b, len, e, i);
		if (!s || s->sh_name >= names->sh_size || s->sh_type != SHT_PROGBITS)
			continue;
		/* The name must end inside the string table. */
		if (!memchr(b + names->sh_offset + s->sh_name, 0, names->sh_size - s->sh_name) ||
		    strcmp((const char *)b + names->sh_offset + s->sh_name, "license"))
			continue;
		if (s->sh_offset > len || s->sh_size > len - s->sh_offset)
			return false;
		n = s->sh_size < sizeof(lic) ? s->sh_size : sizeof(lic) - 1;
		memcpy(lic, b + s->sh_offset, n);
		lic[n] = 0; /* the kernel reads up to the first NUL */
		return gpl_compatible(lic);
	}
	return false;
}
