#!/bin/sh
# native_sizes.sh HELPERS_H BPF_COMPAT_H: the native engine's stand-in
# (tools/uxdp-bench/native/bpf_compat.h) picks a sized hash lookup for the
# same key sizes as uxdpc (UXDP_HASH_LOOKUP_SIZES in include/uxdp/helpers.h);
# a size in one list only would give native the generic lookup where uxdp
# has the sized one, and "x native" would compare unlike code.
want=$(sed -n 's/^#define UXDP_HASH_LOOKUP_SIZES(X) //p' "$1" | grep -o '[0-9][0-9]*' | sort -n | tr '\n' ' ')
for prefix in uxdp_hash_lookup_ uxdp_lru_hash_lookup_ uxdp_percpu_hash_lookup_ uxdp_lru_percpu_hash_lookup_; do
	got=$(grep -o "^__uxdp_u64 ${prefix}k[0-9]*(" "$2" | grep -o 'k[0-9][0-9]*' | tr -d k | sort -n | tr '\n' ' ')
	chain=$(grep -o '(ksize) == [0-9]* ? prefix##k[0-9]*(h, key)' "$2" | grep -o '== [0-9]*' | tr -d '= ' | sort -n | tr '\n' ' ')
	if [ -z "$want" ] || [ "$got" != "$want" ] || [ "$chain" != "$want" ]; then
		echo "native_sizes.sh: $prefix: uxdpc's sizes '$want', bpf_compat.h declares '$got', picks '$chain'" >&2
		exit 1
	fi
done
echo "native_sizes.sh: ok ($want)"
