// SPDX-License-Identifier: MIT
/*
 * gdata.c - global data in a program loaded through prog.c: an ld_imm64
 * with BPF_PSEUDO_MAP_VALUE into a one-element array (libbpf's .rodata,
 * .data, .bss).  uxdpc's front end takes global data only as a data
 * section whose map it names after the section: a frozen map's bytes
 * become ".rodata.<n>" (constant, the object's own), a writable map
 * becomes ".data.<map>", bound to the map itself (alias()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfsys.h"
#include "elfobj.h"
#include "progload.h"

/*
 * Writable global data (.data, .bss): the front end names a data section's
 * map after the section, ".data.<map>", and uxdpd binds maps by name.  For
 * the load, that name is made a second name of the map's segment (a hard
 * link in /dev/shm), so the daemon binds to the very map the loader made
 * and writes; the name goes once the daemon answered (unlink_aliases).
 */
static int alias(struct load *l, const struct bpfsys_map *m, char *section, size_t size)
{
	char seg[128], link_path[128];

	snprintf(section, size, ".data.%s", m->info.name);
	snprintf(seg, sizeof(seg), "/dev/shm/uxdp.%s.%s", m->info.instance, m->info.name);
	if (snprintf(link_path, sizeof(link_path), "/dev/shm/uxdp.%s.%s", m->info.instance,
		     section) >= (int)sizeof(link_path) ||
	    strlen(section) >= UXDP_MAP_NAME_LEN)
		return -ENAMETOOLONG;
	unlink(link_path); /* one left by a load that died */
	if (link(seg, link_path)) {
		snprintf(l->why, sizeof(l->why), "map %s: a second name for the load: %s",
			 m->info.name, strerror(errno));
		return -errno;
	}
	return 0;
}

void bpfsys_gdata_unlink(struct load *l)
{
	char path[128];

	for (size_t k = 0; k < l->n_data; k++)
		if (!strncmp(l->data[k].section, ".data.", 6)) {
			snprintf(path, sizeof(path), "/dev/shm/uxdp.%s.%s", bpfsys_instance(),
				 l->data[k].section);
			unlink(path);
		}
}

/* A global-data reference into a one-element array (elfobj.c says how). */
int bpfsys_gdata_ref(struct load *l, size_t i, struct bpfsys_map *m)
{
	uint32_t off = (uint32_t)l->insns[i + 1].imm, zero = 0;
	size_t k;
	void *bytes;
	int err;

	if (m->info.type != BPF_MAP_TYPE_ARRAY || m->info.max_entries != 1)
		return -EINVAL; /* the kernel's direct value access: arrays of one */
	if (off >= m->info.value_size)
		return -EINVAL;
	/* One section per map, however many instructions point into it. */
	for (k = 0; k < l->n_data && l->data_ids[k] != m->info.id; k++)
		;
	if (k == l->n_data) {
		if (k == ELFOBJ_MAX_DATA)
			return -E2BIG;
		bytes = malloc(m->info.value_size);
		if (!bytes)
			return -ENOMEM;
		err = uxdp_map_lookup_elem_copy(m->map, &zero, bytes);
		if (!err && uxdp_map_frozen(m->map))
			snprintf(l->sections[k], sizeof(l->sections[k]), ".rodata.%zu", k);
		else if (!err)
			err = alias(l, m, l->sections[k], sizeof(l->sections[k]));
		if (err) {
			free(bytes);
			return err;
		}
		l->data[k] = (struct elfobj_data){ .section = l->sections[k],
						   .bytes = bytes,
						   .size = m->info.value_size };
		/* The program's info lists the map its instructions named. */
		l->data_ids[k] = m->info.id;
		snprintf(l->data_names[k], sizeof(l->data_names[k]), "%s", m->info.name);
		l->n_data++;
	}
	l->insns[i].imm = (int32_t)off;
	l->insns[i + 1].imm = 0;
	return bpfsys_load_add_reloc(l, i, k, ELFOBJ_REL_DATA);
}
