#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# install.prefix: `cmake --install` into a fresh prefix, then use only what
# it installed, with no build-tree path in PATH or the environment:
#   - every tool answers --version with one line, and -h;
#   - the installed uxdpc compiles the installed example (and the same
#     program built by clang from the installed source) with the installed
#     helper bitcode; the installed uxdp runs it on the installed capture;
#     uxdpctl reads the map it filled, and bpftool under the installed
#     uxdp-run dumps the same bytes;
#   - the installed uxdp-bench measures the installed example once, with
#     the installed uxdpc, bitcode, native headers and empty program;
#   - every installed man page renders with `man -l` without warnings;
#   - pkg-config --cflags --libs uxdp with PKG_CONFIG_PATH into the prefix,
#     and a compiled object linked against the installed libuxdp, shared
#     and static, runs;
#   - the installed headers compile one by one;
#   - no installed program but uxdp-difftest and uxdp-bench (their
#     build-tree fallbacks) holds the build directory's path.
#
# usage: install_test.sh BUILD_DIR SOURCE_DIR PREFIX
set -euo pipefail
BUILD=$1 SRC=$2 P=$3
INST=install-test-$$
WORK=$P.work

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }

rm -rf "$P" "$WORK"
mkdir -p "$WORK"
step "cmake --install $BUILD --prefix $P --strip"
cmake --install "$BUILD" --prefix "$P" --strip >"$WORK/install.log" || {
	cat "$WORK/install.log"; fail "cmake --install"; }

# Only the prefix and the system: no build tree, no inherited UXDP_* variables.
run() { env -i PATH="$P/bin:/usr/bin:/bin" HOME="$WORK" LANG=C.UTF-8 "$@"; }
LIBDIR=$(dirname "$(find "$P" -name libuxdp.a | head -1)")
[ -n "$LIBDIR" ] && [ -d "$LIBDIR" ] || fail "no libuxdp.a installed"
EX=$P/share/doc/uxdp/examples
cleanup() { run uxdpctl instance delete "$INST" >/dev/null 2>&1 || true; }
trap cleanup EXIT

step "what is installed"
for f in bin/uxdpc bin/uxdp bin/uxdpctl bin/uxdp-difftest bin/uxdp-bench bin/uxdp-corpus bin/uxdp-as \
	 bin/uxdp-run bin/uxdpd share/man/man8/uxdpd.8.gz lib/systemd/system/uxdpd@.service \
	 include/uxdp/runtime.h share/man/man1/uxdpc.1.gz share/man/man8/uxdp.8.gz \
	 share/man/man8/uxdpctl.8.gz share/man/man1/uxdp-difftest.1.gz \
	 share/man/man1/uxdp-corpus.1.gz share/man/man1/uxdp-as.1.gz share/man/man1/uxdp-bench.1.gz \
	 share/uxdp/bench/xdp_empty.bpf.o share/uxdp/bench/xdp_empty.bpf.c \
	 share/uxdp/bench/native/bpf_compat.h \
	 share/bash-completion/completions/uxdpctl share/doc/uxdp/README.md \
	 share/doc/uxdp/docs/quick-start.md; do
	[ -e "$P/$f" ] || fail "not installed: $f"
done
for f in uxdp/uxdp_helpers.bc uxdp/libuxdp-bpfsys.so libuxdp.so.0 libuxdp.so pkgconfig/uxdp.pc; do
	[ -e "$LIBDIR/$f" ] || fail "not installed: $LIBDIR/$f"
done

step "--version and -h of every tool"
version=$(run uxdpc --version | sed -n 's/^uxdpc \([^ ]*\).*/\1/p')
[ -n "$version" ] || fail "uxdpc --version: no version"
for t in uxdpc uxdp uxdpd uxdpctl uxdp-difftest uxdp-bench uxdp-corpus uxdp-as uxdp-run; do
	out=$(run "$t" --version) || fail "$t --version: exit $?"
	[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || fail "$t --version: not one line: $out"
	case $out in "$t $version"*) ;; *) fail "$t --version: '$out', want '$t $version'" ;; esac
	run "$t" -h | grep -q "Examples:" || fail "$t -h: no examples"
	set +e
	run "$t" --no-such-option >/dev/null 2>"$WORK/err"
	rc=$?
	set -e
	[ $rc = 2 ] || fail "$t --no-such-option: exit $rc, want 2"
	[ "$(wc -l <"$WORK/err")" = 1 ] || fail "$t: usage error is not one line: $(cat "$WORK/err")"
done

step "uxdpc compiles the installed example with the installed bitcode"
cd "$WORK"
run uxdpc -v "$EX/xdp_len_hist.bpf.o" -O3 -o hist.aot.o 2>uxdpc.err ||
	{ cat uxdpc.err; fail "uxdpc"; }
grep -q "^uxdpc: helpers: $P/bin/\.\./" uxdpc.err ||
	fail "uxdpc did not use the installed bitcode: $(grep helpers uxdpc.err)"
if command -v clang-19 >/dev/null; then
	run clang-19 -O2 -g -target bpf -I/usr/include/"$(uname -m)"-linux-gnu \
		-c "$EX/xdp_len_hist.bpf.c" -o src.bpf.o || fail "clang-19 on the installed source"
	run uxdpc src.bpf.o -O3 -o src.aot.o || fail "uxdpc on the clang-built object"
fi

step "uxdp runs it on the installed capture; uxdpctl reads its map"
run uxdp --object hist.aot.o --pcap "$EX/traffic.pcap" --instance "$INST" >uxdp.out ||
	fail "uxdp: $(cat uxdp.out)"
# the capture holds 1000 frames, 25 of them runts (0-13 bytes) that no XDP path runs
grep -Eq "^XDP_PASS +975 " uxdp.out || fail "uxdp: not 975 passed: $(cat uxdp.out)"
run uxdpctl --instance "$INST" map dump len_hist >dump.out || fail "uxdpctl map dump"
# formatted by the map's BTF, as bpftool prints it
grep -q '^        "value": ' dump.out || fail "uxdpctl: $(head -5 dump.out)"
run uxdpctl --instance "$INST" -j map dump len_hist |
	python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d) > 0 and "key" in d[0]' ||
	fail "uxdpctl -j map dump"
BPFTOOL=$(command -v bpftool || echo /usr/sbin/bpftool)
if [ -x "$BPFTOOL" ]; then
	step "the installed uxdp-run lets bpftool read the same map"
	run uxdp-run --instance "$INST" "$BPFTOOL" -j map dump pinned \
		"/sys/fs/bpf/uxdp/$INST/len_hist" >bpftool.json || fail "uxdp-run bpftool map dump"
	run uxdpctl --instance "$INST" -j map dump len_hist >uxdpctl.json
	# the same keys and values; uxdpctl adds "formatted" from the map's BTF, which
	# the bpf() layer does not hand out (btf_id 0)
	python3 -c 'import json, sys
kv = lambda f: [(e["key"], e["value"]) for e in json.load(open(f))]
sys.exit(kv(sys.argv[1]) != kv(sys.argv[2]) or not kv(sys.argv[1]))' bpftool.json uxdpctl.json ||
		fail "bpftool's dump differs from uxdpctl's"
fi
run uxdpctl instance delete "$INST" || fail "uxdpctl instance delete"

step "uxdp-bench measures the installed example from the prefix"
# The build tree's empty program and headers out of reach: the installed ones must do.
native=--no-native
command -v clang-19 >/dev/null && native=
run uxdp-bench -v "$EX/xdp_len_hist.bpf.o" --no-kernel $native --levels 3 \
	--iterations 20000 --rounds 1 --json bench.json >bench.out 2>bench.err ||
	fail "uxdp-bench: $(cat bench.err)"
for what in uxdpc helpers "native headers" "empty program"; do
	grep -q "^uxdp-bench: $what: $P/bin/" bench.err ||
		fail "uxdp-bench: $what not from the prefix: $(grep "^uxdp-bench: $what" bench.err)"
done
python3 - bench.json "$native" <<'PY' || fail "uxdp-bench: $(cat bench.out)"
import json, sys
d = json.load(open(sys.argv[1]))
[p] = d["programs"]
ok = {e["name"]: e["ok"] for e in p["engines"]}
want = ["uxdp -O3"] + ([] if sys.argv[2] else ["native"])
assert all(ok.get(n) for n in want), (want, p["engines"])
# each baseline ran the installed empty program
assert all(e["empty_median"] is not None for e in p["engines"] if e["name"] in want), p
PY

step "man -l renders every installed page without warnings"
for page in "$P"/share/man/man*/*; do
	name=$(basename "$page" | sed 's/\.[0-9]\.gz$//')
	MANWIDTH=80 run man --warnings -E UTF-8 -l "$page" >man.out 2>man.err ||
		fail "man -l $page"
	[ ! -s man.err ] || fail "man -l $page: $(head -3 man.err)"
	grep -q "^NAME" man.out && grep -q "$name" man.out || fail "man -l $page: no NAME"
	[ "$(wc -l <man.out)" -gt 20 ] || fail "man -l $page: only $(wc -l <man.out) lines"
done

step "pkg-config and linking a compiled object against the installed libuxdp"
pc() { run env PKG_CONFIG_PATH="$LIBDIR/pkgconfig" pkg-config "$@"; }
flags=$(pc --cflags --libs uxdp) || fail "pkg-config uxdp"
flags=$(echo $flags) # pkg-config ends with a space
[ "$flags" = "-I$P/include -L$LIBDIR -luxdp" ] || fail "pkg-config: '$flags'"
[ "$(pc --modversion uxdp)" = "${version%%-*}" ] || fail "pkg-config --modversion"
run clang-19 -O2 -g -target bpf -I/usr/include/"$(uname -m)"-linux-gnu \
	-c "$SRC/runtime/lib/tests/static_prog.bpf.c" -o static_prog.bpf.o
run uxdpc static_prog.bpf.o -O3 -o static_prog.aot.o || fail "uxdpc static_prog"
# Shared: the object in the executable, the runtime from libuxdp.so.
run cc static_prog.aot.o "$SRC/runtime/lib/tests/static_main.c" $(pc --cflags --libs uxdp) \
	-o main.shared || fail "cc ... \$(pkg-config --cflags --libs uxdp)"
readelf -d main.shared | grep -q "NEEDED.*libuxdp.so.0" || fail "main.shared: no libuxdp.so.0"
run env LD_LIBRARY_PATH="$LIBDIR" ./main.shared || fail "main.shared"
# Static: libuxdp.a named, its own dependencies from pkg-config --static.
run cc static_prog.aot.o "$SRC/runtime/lib/tests/static_main.c" $(pc --cflags uxdp) \
	"$LIBDIR/libuxdp.a" $(pc --libs-only-l --static uxdp | sed 's/-luxdp//') -o main.static ||
	fail "cc ... libuxdp.a"
! readelf -d main.static | grep -q libuxdp || fail "main.static needs libuxdp.so"
run ./main.static || fail "main.static"

step "every installed header compiles on its own"
for h in "$P"/include/uxdp/*.h; do
	echo "#include <uxdp/$(basename "$h")>" |
		run cc -std=gnu17 -Wall -Wextra -Werror -fsyntax-only -I"$P/include" -x c - ||
		fail "header $(basename "$h") does not compile alone"
done

step "no build-tree path in the installed programs"
for f in "$P"/bin/*; do
	case $(basename "$f") in uxdp-difftest | uxdp-bench) continue ;; esac # build-tree fallbacks
	! grep -q "$BUILD" "$f" || fail "$f holds $BUILD"
done

echo "install.prefix: ok ($P)"
