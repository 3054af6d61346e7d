/* SPDX-License-Identifier: MIT */
/*
 * btf_extract.h - a map's own BTF blob (btf_extract.c): the types its key
 * and value reach, self-contained, as object_format.h and the map
 * segments keep it.  For uxdpc (through uxdpc.h's uxdp_btf_extract) and
 * for the bpf() layer's BPF_MAP_CREATE, which has a kernel BTF object.
 */
#ifndef UXDP_BTF_EXTRACT_H
#define UXDP_BTF_EXTRACT_H

#include <stdint.h>

struct btf;

struct uxdp_btf_blob {
	uint8_t *data; /* malloc'd: the caller frees */
	uint32_t size;
	uint32_t key_id, value_id; /* ids in data; 0: none */
};

/*
 * The blob of the types key_id and value_id of src reach (either may be 0),
 * and their ids in it.  0 or a negative errno (-EINVAL: an id not in src,
 * -EOPNOTSUPP: a kind no key or value has).
 */
int uxdp_btf_blob_extract(const struct btf *src, uint32_t key_id, uint32_t value_id,
			  struct uxdp_btf_blob *out);

#endif
