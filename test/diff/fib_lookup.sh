#!/bin/sh
# fib_lookup.sh TEST ARGS... - run TEST (fib_lookup_test) inside a network
# namespace of its own, created here and removed on exit. Exit 77 (skip)
# when namespaces cannot be made (not root).
ns=uxdp-fib-$$
ip netns add "$ns" 2>/dev/null || { echo "fib_lookup.sh: cannot create a netns: skipped"; exit 77; }
trap 'ip netns del "$ns"' EXIT INT TERM
ip netns exec "$ns" "$@"
