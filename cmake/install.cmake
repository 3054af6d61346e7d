# What `cmake --install build [--prefix P]` installs, and the Debian packages
# `cpack -G DEB` makes from it (scripts/package-deb.sh; docs/install.md):
#
#   bin/                      uxdpc uxdp uxdpd uxdpctl uxdp-difftest uxdp-bench uxdp-corpus uxdp-as
#                             uxdp-run
#   LIBDIR/                   libuxdp.so.N (exports uxdp_* only), libuxdp.a, pkgconfig/uxdp.pc
#   LIBDIR/uxdp/              uxdp_helpers.bc, which uxdpc inlines, and uxdp.btf, the
#                             types of CO-RE relocations (both found relative to uxdpc);
#                             libuxdp-bpfsys.so, which uxdp-run preloads
#   share/uxdp/bench/         uxdp-bench's native headers and empty program
#   include/uxdp/             the runtime's public headers
#   share/man/man1, man8/     a page per tool (man/*.md and the tools' READMEs)
#   share/bash-completion/    completion for every tool
#   share/doc/uxdp/           README, docs/, examples/ (a program, its BPF object, a capture)
#
# LIBDIR is GNUInstallDirs': lib/<multiarch> for prefix /usr on Debian, else lib.
# Components: "tools" (package uxdp) and "dev" (package uxdp-dev).
include(GNUInstallDirs)
set(UXDP_INSTALL_PKGLIBDIR ${CMAKE_INSTALL_LIBDIR}/uxdp)

# ---- uxdpc finds its bitcode relative to itself, wherever the prefix is ----
file(RELATIVE_PATH _bc_rel ${CMAKE_INSTALL_FULL_BINDIR}
     ${CMAKE_INSTALL_FULL_LIBDIR}/uxdp/uxdp_helpers.bc)
target_compile_definitions(uxdpc PRIVATE UXDP_HELPERS_BC_REL="${_bc_rel}")
# and the types CO-RE relocations resolve against, next to it (compiler/core_relo.c)
file(RELATIVE_PATH _btf_rel ${CMAKE_INSTALL_FULL_BINDIR}
     ${CMAKE_INSTALL_FULL_LIBDIR}/uxdp/uxdp.btf)
target_compile_definitions(uxdpc_front PRIVATE UXDP_TARGET_BTF_REL="${_btf_rel}")

# ---- uxdp-bench finds its data and the bitcode relative to itself too ----
if(TARGET uxdp-bench)
  set(UXDP_INSTALL_BENCHDIR ${CMAKE_INSTALL_DATADIR}/uxdp/bench)
  file(RELATIVE_PATH _bench_rel ${CMAKE_INSTALL_FULL_BINDIR}
       ${CMAKE_INSTALL_FULL_DATADIR}/uxdp/bench)
  target_compile_definitions(uxdp-bench PRIVATE UXDP_BENCH_DATA_REL="${_bench_rel}"
                             UXDP_BENCH_HELPERS_BC_REL="${_bc_rel}")
  # The native engine's headers, and the empty program every engine's
  # baseline runs (source for native, object for the others).
  install(DIRECTORY tools/uxdp-bench/native DESTINATION ${UXDP_INSTALL_BENCHDIR}
          COMPONENT tools)
  install(FILES tools/uxdp-bench/examples/xdp_empty.bpf.c
                ${CMAKE_BINARY_DIR}/tools/uxdp-bench/examples/xdp_empty.bpf.o
          DESTINATION ${UXDP_INSTALL_BENCHDIR} COMPONENT tools)
endif()

# ---- programs ----
set(_tools uxdpc uxdp uxdpd uxdpctl uxdp-difftest uxdp-bench uxdp-corpus uxdp-as)
set(_installed_tools)
foreach(t ${_tools})
  if(TARGET ${t})
    install(TARGETS ${t} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tools)
    list(APPEND _installed_tools ${t})
  endif()
endforeach()
# uxdp-run, a script, and the library it preloads: runtime/bpfsys/CMakeLists.txt.
if(TARGET uxdp_run)
  list(APPEND _installed_tools uxdp-run)
endif()
install(FILES ${CMAKE_BINARY_DIR}/runtime/helpers/uxdp_helpers.bc
              ${CMAKE_BINARY_DIR}/runtime/helpers/uxdp.btf
        DESTINATION ${UXDP_INSTALL_PKGLIBDIR} COMPONENT tools)

# ---- libuxdp ----
install(TARGETS uxdp_shared LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        COMPONENT tools NAMELINK_COMPONENT dev)
install(TARGETS uxdp_static ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
# The headers of what libuxdp implements, and the shared ones they include.
set(_headers
  include/uxdp/confine_abi.h include/uxdp/ctx.h include/uxdp/ebpf.h include/uxdp/helpers.h include/uxdp/object_format.h
  runtime/include/uxdp/datapath.h runtime/include/uxdp/driver.h runtime/include/uxdp/fib.h
  runtime/include/uxdp/loader.h runtime/include/uxdp/map.h runtime/include/uxdp/opts.h
  runtime/include/uxdp/private_instance.h runtime/include/uxdp/runtime.h
  runtime/include/uxdp/stats_shm.h runtime/include/uxdp/verdict.h runtime/include/uxdp/worker.h
  runtime/include/uxdp/xsk_ring.h)
list(TRANSFORM _headers PREPEND ${PROJECT_SOURCE_DIR}/)
install(FILES ${_headers} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/uxdp COMPONENT dev)
# uxdp.pc is written at install time, so that it names the prefix installed
# into (`cmake --install --prefix P` overrides the configured one).
install(CODE "
  set(_pc_dir \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig\")
  file(MAKE_DIRECTORY \"\${_pc_dir}\")
  message(STATUS \"Installing: \${_pc_dir}/uxdp.pc\")
  file(WRITE \"\${_pc_dir}/uxdp.pc\" \"prefix=\${CMAKE_INSTALL_PREFIX}
libdir=\\\${prefix}/${CMAKE_INSTALL_LIBDIR}
includedir=\\\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}

Name: uxdp
Description: Runtime for XDP programs compiled ahead of time by uxdpc
Version: ${PROJECT_VERSION}
Cflags: -I\\\${includedir}
Libs: -L\\\${libdir} -luxdp
Libs.private: -lpcap -lpthread -lrt
\")" COMPONENT dev)

# ---- man pages: Markdown sources, man/md2man.py at build time ----
find_package(Python3 REQUIRED COMPONENTS Interpreter)
find_program(GZIP gzip REQUIRED)
set(UXDP_MAN_DIR ${CMAKE_BINARY_DIR}/man)
# name section source description
set(_man_pages
  "uxdpc|1|man/uxdpc.1.md|compile XDP eBPF objects ahead of time to native code"
  "uxdp|8|man/uxdp.8.md|run an XDP program compiled by uxdpc on pcap files, AF_XDP or DPDK"
  "uxdpd|8|man/uxdpd.8.md|the uxdp data-plane daemon"
  "uxdpctl|8|tools/uxdpctl/README.md|inspect and change the maps and counters of a uxdp instance"
  "uxdp-difftest|1|tools/uxdp-difftest/README.md|run an XDP program in the kernel and in uxdp and compare, packet by packet"
  "uxdp-bench|1|man/uxdp-bench.1.md|measure an XDP program: kernel JIT, uxdp -O0..-O3 and native C"
  "uxdp-corpus|1|man/uxdp-corpus.1.md|write a deterministic pcap of valid and malformed packets"
  "uxdp-as|1|man/uxdp-as.1.md|assemble eBPF in the conformance suite's dialect"
  "uxdp-run|1|man/uxdp-run.1.md|run bpftool or a libbpf program on the maps of a uxdp instance")
set(_man_outputs)
foreach(page ${_man_pages})
  string(REPLACE "|" ";" f "${page}")
  list(GET f 0 name)
  list(GET f 1 sec)
  list(GET f 2 src)
  list(GET f 3 desc)
  set(out ${UXDP_MAN_DIR}/${name}.${sec})
  add_custom_command(OUTPUT ${out}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${UXDP_MAN_DIR}
    COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/man/md2man.py
            ${PROJECT_SOURCE_DIR}/${src} ${out} ${name} ${sec} ${PROJECT_VERSION} ${desc}
    COMMAND ${GZIP} -9nf ${out}
    DEPENDS ${PROJECT_SOURCE_DIR}/${src} ${PROJECT_SOURCE_DIR}/man/md2man.py
    COMMENT "man ${name}(${sec})" VERBATIM)
  list(APPEND _man_outputs ${out}.gz)
  if(name IN_LIST _installed_tools)
    install(FILES ${out}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${sec} COMPONENT tools)
  endif()
endforeach()
add_custom_target(uxdp_man ALL DEPENDS ${_man_outputs})

# ---- bash completion: one script, installed under every tool's name ----
foreach(t ${_installed_tools})
  install(FILES ${PROJECT_SOURCE_DIR}/completion/uxdp.bash
          DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
          RENAME ${t} COMPONENT tools)
endforeach()

# ---- documentation and a first example ----
set(UXDP_INSTALL_DOCDIR ${CMAKE_INSTALL_DATADIR}/doc/uxdp)
install(FILES README.md DESTINATION ${UXDP_INSTALL_DOCDIR} COMPONENT tools)
install(DIRECTORY docs/ DESTINATION ${UXDP_INSTALL_DOCDIR}/docs COMPONENT tools
        FILES_MATCHING PATTERN "*.md" PATTERN "*.png")
install(FILES packaging/copyright DESTINATION ${UXDP_INSTALL_DOCDIR} COMPONENT tools)
# The quick start's program as source and as the BPF object clang makes of
# it (so that uxdpc can be tried without clang), and the capture it runs on.
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/examples)
uxdp_bpf_object(_example_obj SOURCE ${PROJECT_SOURCE_DIR}/xdp_progs/xdp_len_hist/xdp_len_hist.bpf.c
                OUTPUT ${CMAKE_BINARY_DIR}/examples/xdp_len_hist.bpf.o)
add_custom_target(uxdp_examples ALL DEPENDS ${_example_obj})
install(FILES xdp_progs/xdp_len_hist/xdp_len_hist.bpf.c ${_example_obj} xdp_progs/demo/traffic.pcap
        DESTINATION ${UXDP_INSTALL_DOCDIR}/examples COMPONENT tools)

# ---- Debian packages: cpack -G DEB (configure with -DCMAKE_INSTALL_PREFIX=/usr) ----
set(CPACK_PACKAGE_NAME uxdp)
set(CPACK_PACKAGE_VENDOR uxdp)
set(CPACK_PACKAGE_CONTACT "uxdp developers <uxdp@localhost>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_SET_DESTDIR ON) # install(CODE) above writes uxdp.pc under $DESTDIR
set(CPACK_COMPONENTS_ALL tools dev)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies come from dpkg-shlibdeps (libllvm19, libbpf1, libelf1,
# libpcap0.8, libxdp1, librte-*23, ...); ldconfig triggers for libuxdp.so.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME uxdp)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION net)
# Maintainer scripts for the uxdpd@NAME units: restart on upgrade, stop on
# removal, purge clears /run/uxdp, /var/cache/uxdp and unused /dev/shm
# segments (packaging/deb/; docs/install.md).
set(CPACK_DEBIAN_TOOLS_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/packaging/deb/postinst
    ${PROJECT_SOURCE_DIR}/packaging/deb/prerm ${PROJECT_SOURCE_DIR}/packaging/deb/postrm)
set(CPACK_DEBIAN_TOOLS_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# clang-19, with libbpf-dev's bpf_helpers.h and linux-libc-dev's linux/bpf.h,
# builds BPF objects from C (the README's first command; uxdp-bench's native
# engine too).  Recommended, not required: uxdpc itself compiles BPF objects
# with the LLVM library alone, wherever they were built (checked without
# clang by scripts/deb-debootstrap-test.sh).  bpftool and tcpdump are what
# one reads kernel maps and captures with.
set(CPACK_DEBIAN_TOOLS_PACKAGE_RECOMMENDS "clang-19, libbpf-dev, linux-libc-dev")
set(CPACK_DEBIAN_TOOLS_PACKAGE_SUGGESTS "bpftool, tcpdump, bash-completion")
# Descriptions: the first line is the synopsis (CPACK_PACKAGE_DESCRIPTION_SUMMARY
# is left unset, else CPack puts it above both).
set(CPACK_DEBIAN_TOOLS_DESCRIPTION "run unmodified XDP programs in userspace, compiled ahead of time
uxdpc compiles the XDP programs of a BPF object built by clang to native
code through LLVM; uxdp runs them on packets from pcap files, AF_XDP
sockets or DPDK ports with kernel-identical maps in shared memory; uxdpctl
reads and writes those maps from outside.")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME uxdp-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "uxdp (= ${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE}), libpcap-dev")
set(CPACK_DEBIAN_DEV_DESCRIPTION "uxdp runtime library: headers, static library, pkg-config file
Link objects compiled by uxdpc into a program (cc prog.aot.o main.c
$(pkg-config --cflags --libs uxdp)) or load them at run time through
libuxdp.")
include(CPack)
