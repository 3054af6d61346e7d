# uxdp/version.h: UXDP_VERSION, the one version string every tool prints for
# --version (cmake/uxdp_version.cmake says how it is made).  A tool that
# prints it calls uxdp_use_version(TARGET).
set(UXDP_GENERATED_INCLUDE ${CMAKE_BINARY_DIR}/include)
set(_version_cmd ${CMAKE_COMMAND} -DSRC=${PROJECT_SOURCE_DIR}
    -DOUT=${UXDP_GENERATED_INCLUDE}/uxdp/version.h -DBASE=${PROJECT_VERSION}
    -P ${PROJECT_SOURCE_DIR}/cmake/uxdp_version.cmake)
# Once now, so that the header exists before the first build; then at every build.
execute_process(COMMAND ${_version_cmd})
add_custom_target(uxdp_version_h ALL COMMAND ${_version_cmd}
  BYPRODUCTS ${UXDP_GENERATED_INCLUDE}/uxdp/version.h VERBATIM)

function(uxdp_use_version target)
  target_include_directories(${target} PRIVATE ${UXDP_GENERATED_INCLUDE})
  add_dependencies(${target} uxdp_version_h)
endfunction()
