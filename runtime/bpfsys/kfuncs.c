// SPDX-License-Identifier: MIT
/*
 * kfuncs.c - kfunc calls in a program loaded through prog.c.  libbpf
 * resolves a program's __ksym functions against the kernel's BTF and hands
 * bpf(BPF_PROG_LOAD) calls with src_reg BPF_PSEUDO_KFUNC_CALL and the
 * function's BTF id in vmlinux (off 0; a module's BTF has its fd_array
 * slot in off).  uxdpc's front end takes a kfunc by name, as clang emits
 * it: `call -1` with an R_BPF_64_32 relocation against an undefined
 * symbol.  So each id is looked up in /sys/kernel/btf/vmlinux, the BTF
 * libbpf resolved it in, and the call becomes that relocation (elfobj.c);
 * uxdpc then calls its own kfunc of that name or refuses it by name.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpfsys.h"
#include "progload.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

static bool is_kfunc_call(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_KFUNC_CALL;
}

static int read_file(const char *path, uint8_t **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint8_t *p;
	size_t done = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_size <= 0 || !(p = malloc((size_t)st.st_size))) {
		close(fd);
		return -ENOMEM;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, p + done, (size_t)st.st_size - done);

		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(fd);
	*out = p;
	*len = done;
	return 0;
}

/*
 * The name of FUNC type id in the BTF blob, into name: 0, -ENOENT when id
 * is no function there, -EINVAL when the types do not parse (a kind this
 * walk does not know would shift every id after it: no guess).
 */
static int btf_func_name(const uint8_t *blob, size_t len, uint32_t id, char *name, size_t size)
{
	struct btf_header h;
	const uint8_t *types, *strs;
	size_t off = 0;

	if (len < sizeof(h))
		return -EINVAL;
	memcpy(&h, blob, sizeof(h));
	if (h.magic != BTF_MAGIC || h.hdr_len > len ||
	    (uint64_t)h.hdr_len + h.type_off + h.type_len > len ||
	    (uint64_t)h.hdr_len + h.str_off + h.str_len > len)
		return -EINVAL;
	types = blob + h.hdr_len + h.type_off;
	strs = blob + h.hdr_len + h.str_off;
	for (uint32_t cur = 1; off < h.type_len; cur++) {
		struct btf_type t;
		long extra;

		if (h.type_len - off < sizeof(t))
			return -EINVAL;
		memcpy(&t, types + off, sizeof(t));
		extra = bpfsys_btf_extra_bytes(&t);
		if (extra < 0 || (uint64_t)h.type_len - off - sizeof(t) < (uint64_t)extra)
			return -EINVAL;
		if (cur == id) {
			if (BTF_INFO_KIND(t.info) != BTF_KIND_FUNC || t.name_off >= h.str_len ||
			    !memchr(strs + t.name_off, 0, h.str_len - t.name_off))
				return -ENOENT;
			snprintf(name, size, "%s", (const char *)strs + t.name_off);
			return 0;
		}
		off += sizeof(t) + (size_t)extra;
	}
	return -ENOENT;
}

/* Index of name in l->kfuncs, added on first use. */
static int kfunc_index(struct load *l, const char *name)
{
	for (size_t k = 0; k < l->n_kfuncs; k++)
		if (!strcmp(l->kfunc_names[k], name))
			return (int)k;
	if (l->n_kfuncs == ELFOBJ_MAX_KFUNCS)
		return -E2BIG;
	snprintf(l->kfunc_names[l->n_kfuncs], sizeof(l->kfunc_names[0]), "%s", name);
	l->kfuncs[l->n_kfuncs] = l->kfunc_names[l->n_kfuncs];
	return (int)l->n_kfuncs++;
}

int bpfsys_relocate_kfuncs(struct load *l)
{
	uint8_t *btf = NULL;
	size_t len = 0;
	int err = 0;

	for (size_t i = 0; i < l->n && !err; i++) {
		struct bpf_insn *in = &l->insns[i];
		char name[BPFSYS_KFUNC_NAME_LEN];
		int k;

		if (!is_kfunc_call(in))
			continue;
		if (in->off) {
			snprintf(l->why, sizeof(l->why),
				 "insn %zu calls kfunc BTF id %d of a kernel module's BTF: uxdp provides vmlinux's kfuncs only",
				 i, in->imm);
			err = -EOPNOTSUPP;
			break;
		}
		if (!btf && (err = read_file(VMLINUX_BTF, &btf, &len))) {
			snprintf(l->why, sizeof(l->why),
				 "insn %zu calls kfunc BTF id %d: cannot read " VMLINUX_BTF " to name it (%s)",
				 i, in->imm, strerror(-err));
			err = -EOPNOTSUPP;
			break;
		}
		err = in->imm > 0 ? btf_func_name(btf, len, (uint32_t)in->imm, name, sizeof(name)) :
				    -ENOENT;
		if (err) {
			snprintf(l->why, sizeof(l->why),
				 err == -ENOENT ?
					 "insn %zu calls kfunc BTF id %d, which is no function of " VMLINUX_BTF :
					 "insn %zu calls kfunc BTF id %d: " VMLINUX_BTF " does not parse",
				 i, in->imm);
			err = err == -ENOENT ? -EINVAL : -EOPNOTSUPP;
			break;
		}
		k = kfunc_index(l, name);
		if (k < 0) {
			snprintf(l->why, sizeof(l->why), "more than %d different kfuncs",
				 ELFOBJ_MAX_KFUNCS);
			err = k;
			break;
		}
		/* as clang emits it: the front end takes the symbol's name */
		in->src_reg = BPF_PSEUDO_CALL;
		in->imm = -1;
		err = bpfsys_load_add_reloc(l, i, (size_t)k, ELFOBJ_REL_KFUNC);
	}
	free(btf);
	return err;
}
