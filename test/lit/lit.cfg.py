# -*- Python -*-
"""lit configuration for uxdp's compiler tests.

Run through ctest (`ctest -R '^lit$'`) or directly on the build tree:

    python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv BUILD/test/lit

which reads BUILD/test/lit/lit.site.cfg.py (paths of that build) and then
this file.  Substitutions:

    %uxdpc       the compiler under test
    %uxdp-as     the eBPF assembler (tools/uxdp-as)
    %FileCheck   LLVM 19's FileCheck
    %clang-bpf   clang -O2 -g -target bpf with the project's BPF include dirs
                 (add -mcpu=... and -c SRC -o OUT in the test)
    %objdir      the built test objects: %objdir/v3/all_maps.bpf.o
                 (one directory per -mcpu: v1, v3, v4)
    %exit-status CMD...  runs CMD and appends "exit status N" to its stdout
"""
import os

import lit.formats

config.name = "uxdp"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".test", ".ll", ".s", ".c"]
# Inputs that are only used by RUN lines of other tests.
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt", "exit-status.sh"]

config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.uxdp_obj_root, "test", "lit")

# Longest first: lit substitutes in order and %uxdpc must not eat %uxdp-as.
config.substitutions.append(("%uxdp-as", config.uxdp_as))
config.substitutions.append(("%uxdpc", config.uxdpc))
config.substitutions.append(("%FileCheck", config.filecheck))
config.substitutions.append(
    ("%clang-bpf", "%s -O2 -g -target bpf %s" % (config.clang_bpf, config.bpf_includes))
)
config.substitutions.append(("%objdir", config.objdir))
config.substitutions.append(
    ("%exit-status", "sh " + os.path.join(config.test_source_root, "exit-status.sh"))
)

# Tests may REQUIRE: these when a tool is still being written.
if os.path.exists(config.uxdpc):
    config.available_features.add("uxdpc")
if os.path.exists(config.uxdp_as):
    config.available_features.add("uxdp-as")
if os.geteuid() == 0:
    config.available_features.add("root")
if config.uxdp_sanitize.upper() in ("ON", "1", "TRUE", "YES"):
    config.available_features.add("sanitize")

# A clean, reproducible environment: the C locale for messages, and the
# sanitizer settings the rest of the test suite uses.
config.environment["LC_ALL"] = "C"
for var in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "HOME", "TMPDIR"):
    if var in os.environ:
        config.environment[var] = os.environ[var]
