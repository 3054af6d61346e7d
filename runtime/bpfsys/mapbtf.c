// SPDX-License-Identifier: MIT
/*
 * mapbtf.c - BPF_MAP_CREATE with btf_fd, btf_key_type_id and
 * btf_value_type_id (what libbpf passes once BPF_BTF_LOAD gave it a BTF
 * object): the key and value types, read back from that kernel BTF object,
 * kept in the map's segment as the compact blob uxdpc writes for its maps
 * (btf_extract.h), so that uxdpctl formats the map's entries and btf.c
 * hands the same types to bpftool.
 *
 * BPF_BTF_LOAD itself goes to the kernel (dispatch.c): a BTF object is
 * inert, it only describes types, and nothing of the instance depends on
 * it but these copies.  The kernel's checks at map creation are kept: the
 * descriptor must be a BTF object's (-EBADF, -EINVAL), and the ids must
 * name types of exactly key_size and value_size bytes (-EINVAL).
 */
#include <bpf/btf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfsys.h"
#include "btf_extract.h"

/* Whether fd is a BTF object's descriptor: -EBADF closed, -EINVAL something else. */
static int is_btf_fd(int fd)
{
	char link[64];

	if (fd < 0 || fcntl(fd, F_GETFD) < 0 || bpfsys_fd_target(fd, link, sizeof(link)))
		return -EBADF;
	return strcmp(link, "anon_inode:btf") ? -EINVAL : 0;
}

/* The raw bytes of the kernel's BTF object fd (caller frees). */
static int btf_bytes(int fd, void **data, uint32_t *size)
{
	struct bpf_btf_info info;
	union bpf_attr attr;
	void *buf = NULL;

	for (int pass = 0; pass < 2; pass++) {
		memset(&info, 0, sizeof(info));
		info.btf = (uintptr_t)buf;
		info.btf_size = pass ? *size : 0;
		memset(&attr, 0, sizeof(attr));
		attr.info.bpf_fd = (uint32_t)fd;
		attr.info.info_len = sizeof(info);
		attr.info.info = (uintptr_t)&info;
		if (bpfsys_real_syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, (long)&attr, sizeof(attr),
					0, 0, 0) < 0) {
			free(buf);
			return -errno;
		}
		if (!pass) {
			*size = info.btf_size;
			buf = malloc(*size ? *size : 1);
			if (!buf)
				return -ENOMEM;
		}
	}
	*data = buf;
	return 0;
}

/* The kernel's map_check_btf: a non-zero id names a type of exactly that size. */
static bool fits(const struct btf *btf, uint32_t id, uint32_t size)
{
	long long n;

	if (!id)
		return true;
	n = btf__resolve_size(btf, id);
	return n >= 0 && (uint64_t)n == size;
}

int bpfsys_create_btf(const union bpf_attr *a, struct bpfsys_blob *out)
{
	struct uxdp_btf_blob blob;
	struct btf *btf;
	uint32_t size = 0;
	void *raw = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	if (!a->btf_key_type_id && !a->btf_value_type_id)
		return 0; /* a btf_fd alone is ignored, as the kernel ignores it */
	err = is_btf_fd((int)a->btf_fd);
	err = err ?: btf_bytes((int)a->btf_fd, &raw, &size);
	if (err)
		return err;
	btf = btf__new(raw, size);
	free(raw);
	if (!btf)
		return -EINVAL;
	err = fits(btf, a->btf_key_type_id, a->key_size) &&
			      fits(btf, a->btf_value_type_id, a->value_size)
		      ? 0
		      : -EINVAL;
	err = err ?: uxdp_btf_blob_extract(btf, a->btf_key_type_id, a->btf_value_type_id, &blob);
	btf__free(btf);
	if (err == -EOPNOTSUPP)
		return 0; /* a kind no key or value has: the map is made without it */
	if (err)
		return err;
	out->data = blob.data;
	out->size = blob.size;
	out->key_type_id = blob.key_id;
	out->value_type_id = blob.value_id;
	return 0;
}
