# xdp_prog(NAME n PROG fn SEED s COUNT c): the build and the tests of one
# network function in xdp_progs/<n>/ (see testlib/README.md):
#  - <n>.bpf.c at -mcpu=v1, v3, v4, each compiled by uxdpc at -O0 and -O3
#    (a compile failure fails the build);
#  - <n>.pcap: c packets of uxdp-corpus (seed s) followed by the packets
#    `<n>_test gen` adds for this function;
#  - tests xdp_progs.<n>.compile, .e2e (v3 -O3), .e2e.<cpu>.O<o> (the other
#    five objects), .diff.O0/.diff.O3 (uxdp-difftest against the kernel), and
#    .diff.prefixes (-O3 over every cut of the first 100 packets).
include_guard(GLOBAL)

function(xdp_prog)
  cmake_parse_arguments(A "" "NAME;PROG;SEED;COUNT" "" ${ARGN})
  set(n ${A_NAME})
  set(S ${CMAKE_CURRENT_SOURCE_DIR})
  set(D ${CMAKE_CURRENT_BINARY_DIR})
  set(objs)
  foreach(cpu v1 v3 v4)
    uxdp_bpf_object(bpf SOURCE ${S}/${n}.bpf.c OUTPUT ${D}/${n}.${cpu}.bpf.o CPU ${cpu})
    list(APPEND objs ${bpf})
    foreach(o 0 3)
      set(aot ${D}/${n}.${cpu}.O${o}.aot.o)
      add_custom_command(OUTPUT ${aot}
        COMMAND uxdpc ${bpf} -O${o} -o ${aot}
        DEPENDS uxdpc ${bpf} COMMENT "uxdpc ${n}.${cpu}.O${o}.aot.o" VERBATIM)
      list(APPEND objs ${aot})
    endforeach()
  endforeach()

  add_executable(${n}_test ${S}/${n}_test.c)
  target_link_libraries(${n}_test PRIVATE xdp_testlib)
  add_custom_command(OUTPUT ${D}/${n}.pcap
    COMMAND uxdp-corpus -n ${A_COUNT} -s ${A_SEED} -o ${D}/corpus.pcap
    COMMAND ${n}_test gen ${D}/corpus.pcap ${D}/${n}.pcap
    DEPENDS uxdp-corpus ${n}_test COMMENT "pcap ${n}.pcap" VERBATIM)
  # The first 100 packets, each followed by every cut of it: the lengths where
  # a widened or removed bounds check would show (diff.prefixes).
  add_custom_command(OUTPUT ${D}/${n}.prefixes.pcap
    COMMAND uxdp-corpus --input ${D}/${n}.pcap -n 100 --prefixes -o ${D}/${n}.prefixes.pcap
    DEPENDS uxdp-corpus ${D}/${n}.pcap COMMENT "pcap ${n}.prefixes.pcap" VERBATIM)
  add_custom_target(${n}_data ALL DEPENDS ${objs} ${D}/${n}.pcap ${D}/${n}.prefixes.pcap)

  add_test(NAME xdp_progs.${n}.compile
    COMMAND ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/compile_check.sh $<TARGET_FILE:uxdpc> ${A_PROG} ${objs})

  foreach(cpu v3 v1 v4)
    foreach(o 3 0)
      set(tname xdp_progs.${n}.e2e.${cpu}.O${o})
      if(cpu STREQUAL "v3" AND o EQUAL 3)
        set(tname xdp_progs.${n}.e2e)
      endif()
      file(MAKE_DIRECTORY ${D}/e2e.${cpu}.O${o})
      add_test(NAME ${tname}
        COMMAND ${n}_test e2e $<TARGET_FILE:uxdp> ${D}/${n}.${cpu}.O${o}.aot.o ${D}/${n}.pcap
                ${D}/e2e.${cpu}.O${o} ${S}/${n}.conf)
    endforeach()
  endforeach()

  # Against the kernel: exit 77 (no BPF here) is a skip.
  if(TARGET uxdp-difftest)
    foreach(o 0 3)
      add_test(NAME xdp_progs.${n}.diff.O${o}
        COMMAND uxdp-difftest ${D}/${n}.v3.bpf.o --pcap ${D}/${n}.pcap -O${o}
                --config ${S}/${n}.conf --uxdpc $<TARGET_FILE:uxdpc>)
      set_tests_properties(xdp_progs.${n}.diff.O${o} PROPERTIES SKIP_RETURN_CODE 77)
    endforeach()
    add_test(NAME xdp_progs.${n}.diff.prefixes
      COMMAND uxdp-difftest ${D}/${n}.v3.bpf.o --pcap ${D}/${n}.prefixes.pcap -O3
              --config ${S}/${n}.conf --uxdpc $<TARGET_FILE:uxdpc>)
    set_tests_properties(xdp_progs.${n}.diff.prefixes PROPERTIES SKIP_RETURN_CODE 77)
    # Compiled without the kernel verifier: uxdpc's proof and run-time checks
    # (test/confine) change nothing on any cut of the packets.
    add_test(NAME xdp_progs.${n}.diff.confined
      COMMAND uxdp-difftest ${D}/${n}.v3.bpf.o --pcap ${D}/${n}.prefixes.pcap -O3
              --config ${S}/${n}.conf --uxdpc ${PROJECT_BINARY_DIR}/test/confine/uxdpc-confined)
    set_tests_properties(xdp_progs.${n}.diff.confined PROPERTIES SKIP_RETURN_CODE 77)
  endif()
endfunction()
