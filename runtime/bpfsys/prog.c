// SPDX-License-Identifier: MIT
/*
 * prog.c - BPF_PROG_LOAD of an XDP program: into the instance's uxdpd.
 *
 * The instructions and the maps their ld_imm64 name become a BPF ELF
 * object (elfobj.c), passed to the daemon by descriptor (PROG_LOAD), which
 * compiles it with uxdpc and binds its maps by name to the instance's, the
 * very maps this process created or opened.  The caller gets the daemon's
 * reference to the program as its descriptor (objfd.c, UXDP_LOAD_F_REF):
 * the program is released when the last copy of it is closed, unless an
 * attachment, a link or a pin holds it, as a kernel program.
 *
 * Other program types pass to the kernel as long as they name no uxdp map
 * (libbpf's feature probes load socket filters; those are kernel objects
 * the instance never sees); one that names a uxdp map, and any
 * BPF_PROG_TYPE_EXT (libxdp's dispatcher slots), is refused with
 * EOPNOTSUPP, on which libxdp falls back to attaching the program alone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bpfsys.h"
#include "elfobj.h"
#include "progload.h"

#define MAX_INSNS (1u << 20)
#define PROG_FLAGS                                                                                 \
	(BPF_F_STRICT_ALIGNMENT | BPF_F_ANY_ALIGNMENT | BPF_F_TEST_RND_HI32 |                      \
	 BPF_F_TEST_STATE_FREQ | BPF_F_XDP_HAS_FRAGS)

static long say(struct load *l, long err)
{
	fprintf(stderr, "uxdp-bpfsys: BPF_PROG_LOAD: %s\n", l->why);
	/* libbpf prints the verifier log it passed: give it the reason. */
	if (l->c->attr.log_size && l->c->attr.log_buf) {
		size_t n = strlen(l->why) + 1;

		if (n > l->c->attr.log_size)
			n = l->c->attr.log_size;
		l->why[n - 1] = 0;
		bpfsys_copy_out(l->c->attr.log_buf, l->why, n);
	}
	return err;
}

/* The descriptor an lddw names: itself, or the fd_array slot its imm indexes. */
static int lddw_fd(struct load *l, const struct bpf_insn *in, int *fd)
{
	int32_t slot;

	if (in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE) {
		*fd = in->imm;
		return 0;
	}
	if (!l->c->attr.fd_array)
		return -EINVAL;
	if (bpfsys_copy_in(&slot, l->c->attr.fd_array + (uint64_t)(uint32_t)in->imm * 4, 4))
		return -EFAULT;
	*fd = slot;
	return 0;
}

int bpfsys_load_add_reloc(struct load *l, size_t insn, size_t index, enum elfobj_rel_kind kind)
{
	struct elfobj_reloc *r = realloc(l->relocs, (l->n_relocs + 1) * sizeof(*r));

	if (!r)
		return -ENOMEM;
	l->relocs = r;
	r[l->n_relocs++] = (struct elfobj_reloc){ .insn = insn, .index = index, .kind = kind };
	return 0;
}

static int map_index(struct load *l, const struct bpfsys_map *m)
{
	size_t i;

	for (i = 0; i < l->n_maps; i++)
		if (!strcmp(l->names[i], m->info.name))
			return (int)i;
	if (i == ELFOBJ_MAX_MAPS)
		return -E2BIG;
	snprintf(l->names[i], sizeof(l->names[i]), "%s", m->info.name);
	l->maps[i] = (struct elfobj_map){ .name = l->names[i],
					  .type = m->info.type,
					  .key_size = m->info.key_size,
					  .value_size = m->info.value_size,
					  .max_entries = m->info.max_entries,
					  .map_flags = m->info.map_flags };
	l->ids[i] = m->info.id;
	l->n_maps++;
	return (int)i;
}

/* Every map lddw into a relocation against the map's symbol. */
static int resolve_maps(struct load *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct bpf_insn *in = &l->insns[i];
		struct bpfsys_map m;
		bool value;
		int fd, r, idx;

		if (in->code != LDDW)
			continue;
		if (i + 1 == l->n)
			return -EINVAL;
		i++; /* the second slot */
		if (in->src_reg != BPF_PSEUDO_MAP_FD && in->src_reg != BPF_PSEUDO_MAP_VALUE &&
		    in->src_reg != BPF_PSEUDO_MAP_IDX && in->src_reg != BPF_PSEUDO_MAP_IDX_VALUE)
			continue;
		value = in->src_reg == BPF_PSEUDO_MAP_VALUE ||
			in->src_reg == BPF_PSEUDO_MAP_IDX_VALUE;
		r = lddw_fd(l, in, &fd);
		r = r ?: bpfsys_fd_map(fd, &m);
		if (r < 0)
			return r;
		if (r == 0) {
			l->kernel_maps = true;
			continue;
		}
		in->src_reg = 0;
		if (value) {
			r = bpfsys_gdata_ref(l, i - 1, &m);
		} else {
			if (in[1].imm)
				return -EINVAL;
			in->imm = 0;
			idx = map_index(l, &m);
			r = idx < 0 ? idx : bpfsys_load_add_reloc(l, i - 1, (size_t)idx, ELFOBJ_REL_MAP);
		}
		if (r)
			return r;
	}
	return 0;
}

static int read_insns(struct load *l)
{
	const union bpf_attr *a = &l->c->attr;

	if (a->insn_cnt == 0 || a->insn_cnt >= MAX_INSNS)
		return -E2BIG; /* the kernel: none, or too many */
	l->n = a->insn_cnt;
	l->insns = malloc(l->n * sizeof(*l->insns));
	if (!l->insns)
		return -ENOMEM;
	return bpfsys_copy_in(l->insns, a->insns, l->n * sizeof(*l->insns));
}

static int read_license(struct load *l, char *buf, size_t size)
{
	size_t i;

	if (!l->c->attr.license)
		return -EFAULT;
	for (i = 0; i + 1 < size; i++) {
		if (bpfsys_copy_in(&buf[i], l->c->attr.license + i, 1))
			return -EFAULT;
		if (!buf[i])
			return 0;
	}
	buf[i] = 0;
	return 0;
}

/*
 * The object in a memfd, sent to the daemon; *id the daemon's program, *ref
 * the reference that holds it.  The daemon keeps the bytes (PROG_OBJECT:
 * a test run compiles them again, progobj.c).
 */
static int send_object(struct load *l, const char *name, const char *license, uint32_t *id,
		       int *ref)
{
	struct elfobj o = { .insns = l->insns, .n_insns = l->n, .prog_name = name,
			    .license = license, .maps = l->maps, .n_maps = l->n_maps,
			    .data = l->data, .n_data = l->n_data, .relocs = l->relocs,
			    .n_relocs = l->n_relocs, .subprogs = l->subprogs,
			    .kfuncs = l->kfuncs, .n_kfuncs = l->n_kfuncs,
			    .n_subprogs = l->n_subprogs };
	/* The loader's .data/.bss the object binds belong to the program from now on. */
	struct uxdp_daemon_load_opts lo = { .prog = name, .flags = UXDP_LOAD_F_OWN_DATA };
	struct uxdp_daemon *d;
	uint8_t *bytes;
	size_t len;
	int err, fd;

	err = bpfsys_daemon(&d, l->why, sizeof(l->why));
	if (err)
		return err;
	err = elfobj_build(&o, &bytes, &len);
	if (err) {
		snprintf(l->why, sizeof(l->why), "building the object: %s", strerror(-err));
		return err;
	}
	fd = memfd_create("uxdp-bpfsys-prog.bpf.o", MFD_CLOEXEC);
	if (fd < 0 || write(fd, bytes, len) != (ssize_t)len) {
		err = -errno;
		snprintf(l->why, sizeof(l->why), "a memfd for the object: %s", strerror(errno));
	}
	if (!err) {
		lo.fd = fd;
		err = uxdp_daemon_prog_load_ref(d, &lo, id, ref, l->why, sizeof(l->why));
	}
	if (fd >= 0)
		close(fd);
	free(bytes);
	if (err)
		return err;
	*ref = bpfsys_prog_fd_lowest(*ref);
	return 0;
}

/*
 * The programs this process loaded, for their map ids (objfd.c).
 * A record goes once the daemon has released its program (prune()), so
 * that a control plane that reloads for ever does not grow.
 */
static pthread_mutex_t known_lock = PTHREAD_MUTEX_INITIALIZER;
static struct known_prog {
	struct known_prog *next;
	struct bpfsys_prog p;
} *known;

/* The records of programs d no longer has loaded go (known_lock held). */
static void prune(struct uxdp_daemon *d)
{
	struct uxdp_dmsg_prog_info info;
	char err[256];

	for (struct known_prog **k = &known, *g; *k;) {
		int r = strcmp((*k)->p.instance, bpfsys_instance())
				? 0
				: uxdp_daemon_prog_info(d, (*k)->p.id, &info, err, sizeof(err));

		if (r != -ENOENT && (r || !(info.flags & UXDP_PROG_INFO_F_RELEASED))) {
			k = &(*k)->next;
			continue;
		}
		g = *k;
		*k = g->next;
		free(g);
	}
}

static void remember(struct uxdp_daemon *d, const struct bpfsys_prog *p)
{
	struct known_prog *k = calloc(1, sizeof(*k));

	if (!k)
		return;
	k->p = *p;
	pthread_mutex_lock(&known_lock);
	prune(d);
	k->next = known;
	known = k;
	pthread_mutex_unlock(&known_lock);
}

bool bpfsys_prog_known(struct bpfsys_prog *p)
{
	bool found = false;

	pthread_mutex_lock(&known_lock);
	for (struct known_prog *k = known; k && !found; k = k->next)
		if (k->p.id == p->id && !strcmp(k->p.instance, p->instance)) {
			memcpy(p->name, k->p.name, sizeof(p->name));
			memcpy(p->tag, k->p.tag, sizeof(p->tag));
			p->n_maps = k->p.n_maps;
			memcpy(p->map_ids, k->p.map_ids, sizeof(p->map_ids));
			found = true;
		}
	pthread_mutex_unlock(&known_lock);
	return found;
}

static long load_xdp(struct load *l)
{
	const union bpf_attr *a = &l->c->attr;
	struct bpfsys_prog p = { .type = BPF_PROG_TYPE_XDP };
	struct uxdp_dmsg_prog_info info;
	struct uxdp_daemon *d;
	char license[128];
	int err, ref = -1;

	if (a->prog_flags & ~(uint32_t)PROG_FLAGS)
		return -EINVAL;
	err = read_license(l, license, sizeof(license));
	if (err)
		return err;
	if (l->kernel_maps) {
		snprintf(l->why, sizeof(l->why),
			 "an XDP program for uxdp names a kernel map: only uxdp's maps are served");
		return say(l, -EOPNOTSUPP);
	}
	memcpy(p.name, a->prog_name, sizeof(p.name) - 1);
	err = send_object(l, p.name[0] ? p.name : "xdp_prog", license, &p.id, &ref);
	if (err)
		return say(l, err);
	snprintf(p.instance, sizeof(p.instance), "%s", bpfsys_instance());
	err = bpfsys_daemon(&d, l->why, sizeof(l->why)); /* send_object() had it */
	if (!err && !uxdp_daemon_prog_info(d, p.id, &info, l->why, sizeof(l->why)))
		memcpy(p.tag, info.tag, sizeof(p.tag));
	for (size_t i = 0; i < l->n_maps; i++) {
		p.map_ids[p.n_maps++] = l->ids[i];
		bpfsys_map_mark_used(l->names[i]);
	}
	for (size_t i = 0; i < l->n_data; i++) {
		if (p.n_maps < 64)
			p.map_ids[p.n_maps++] = l->data_ids[i];
		/*
		 * A frozen map's bytes are the program's own constants
		 * (.rodata.<n>, freed with it): the loader's map goes at its
		 * exit, unless pinned.  A writable one the daemon binds, and
		 * removes when the program is released (UXDP_LOAD_F_OWN_DATA).
		 */
		if (strncmp(l->sections[i], ".rodata.", 8))
			bpfsys_map_mark_used(l->data_names[i]);
	}
	if (!err)
		remember(d, &p);
	return ref;
}

static void load_free(struct load *l)
{
	bpfsys_gdata_unlink(l);
	for (size_t i = 0; i < l->n_data; i++)
		free((void *)l->data[i].bytes);
	free(l->relocs);
	free(l->subprogs);
	free(l->insns);
}

long bpfsys_prog_load(struct bpfsys_call *c)
{
	struct load l = { .c = c };
	uint32_t type = c->attr.prog_type;
	long r;

	if (!bpfsys_attr_zero_from(c, ATTR_END(core_relo_rec_size)))
		return -EINVAL;
	if (type == BPF_PROG_TYPE_EXT) {
		bpfsys_say_once(c->cmd, "BPF_PROG_TYPE_EXT (freplace, libxdp's dispatcher) is not "
					"served: uxdp runs one XDP program per port");
		return -EOPNOTSUPP;
	}
	r = read_insns(&l);
	r = r ?: resolve_maps(&l);
	if (!r && type != BPF_PROG_TYPE_XDP) {
		/* No uxdp map: a kernel program (libbpf's probes), the kernel's to load. */
		if (l.n_maps || l.n_data) {
			snprintf(l.why, sizeof(l.why),
				 "program type %u names uxdp maps: uxdp runs XDP programs only", type);
			r = say(&l, -EOPNOTSUPP);
		} else {
			r = bpfsys_kernel(c);
		}
	} else if (!r) {
		r = bpfsys_find_subprogs(&l);
		r = r ?: bpfsys_relocate_calls(&l);
		r = r ?: bpfsys_relocate_kfuncs(&l);
		if (r && l.why[0])
			say(&l, r);
		else if (!r)
			r = c->attr.prog_ifindex ? -EOPNOTSUPP : load_xdp(&l);
	} else if (r == -EOPNOTSUPP) {
		say(&l, r);
	}
	load_free(&l);
	return r;
}

/*
 * BPF_PROG_BIND_MAP: the map lives as long as the program.  A uxdp program
 * lives in the daemon, past this process: the map is kept at exit, as one
 * the program's instructions name is.  libbpf binds its frozen .rodata so;
 * the program has those bytes as its own constants (.rodata.<n>, gdata.c),
 * so that map goes at exit as the kernel's would with its last user.
 */
long bpfsys_prog_bind_map(struct bpfsys_call *c)
{
	struct bpfsys_prog p;
	struct bpfsys_map m;
	int r;

	if (!bpfsys_attr_zero_from(c, offsetof(union bpf_attr, prog_bind_map.flags) +
					      sizeof(c->attr.prog_bind_map.flags)))
		return -EINVAL;
	r = bpfsys_prog_fd((int)c->attr.prog_bind_map.prog_fd, &p);
	if (r <= 0)
		return r < 0 ? r : bpfsys_kernel(c);
	if (c->attr.prog_bind_map.flags)
		return -EINVAL;
	r = bpfsys_fd_map((int)c->attr.prog_bind_map.map_fd, &m);
	if (r <= 0)
		return r < 0 ? r : -EINVAL; /* a kernel map: no uxdp program can hold it */
	/* libbpf binds its frozen .rodata: the program has the bytes as its own constants. */
	if (!uxdp_map_frozen(m.map))
		bpfsys_map_mark_used(m.info.name);
	return 0;
}
