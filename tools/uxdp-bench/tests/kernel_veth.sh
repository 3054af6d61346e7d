#!/bin/sh
# kernel_veth.sh BENCH OBJ: uxdp-bench's veth kernel method (kernel_veth.c)
# measures the program attached to a veth: the JSON names the method, every
# round of the kernel engine has a figure, the report counts the runs (at
# least the rounds' packets: each packet sent ran the program once, which
# the tool checks; the count includes the warm-up's), and no veth is left
# behind: the pair lived in a namespace of the process's own.  Measures
# nothing.  Needs root, iproute2 and python3 (77).
bench=$1 obj=$2
[ "$(id -u)" = 0 ] && command -v ip >/dev/null && command -v python3 >/dev/null ||
	{ echo "kernel_veth.sh: needs root, ip and python3" >&2; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bench" "$obj" --kernel-method veth --no-native --levels 3 --rounds 2 --iterations 20000 \
	--kernel-calls 5000 --json "$tmp/r.json" --md "$tmp/r.md" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -ne 0 ]; then
	echo "kernel_veth.sh: uxdp-bench exited $rc" >&2
	cat "$tmp/err" >&2
	exit 1
fi
python3 - "$tmp/r.json" <<'PY' || exit 1
import json, sys
d = json.load(open(sys.argv[1]))
assert d["kernel_method"] == "veth", d["kernel_method"]
eng = {e["name"]: e for e in d["programs"][0]["engines"]}
k = eng.get("kernel JIT (veth)")
assert k and k.get("ns"), "no kernel figure: %s" % d["programs"][0]
rounds = k["ns"]["rounds"]
assert len(rounds) == 2 and all(r > 0 for r in rounds), rounds
PY
runs=$(sed -n 's/.*over \([0-9]*\) runs it counted.*/\1/p' "$tmp/r.md")
if [ -z "$runs" ] || [ "$runs" -lt 10000 ]; then
	echo "kernel_veth.sh: the report counts '$runs' runs, expected at least 2 x 5000" >&2
	exit 1
fi
if ip link show uxbv0 >/dev/null 2>&1 || ip link show uxbv1 >/dev/null 2>&1; then
	echo "kernel_veth.sh: a veth of the method is left in this namespace" >&2
	exit 1
fi
echo "kernel_veth.sh: ok ($runs runs)"
