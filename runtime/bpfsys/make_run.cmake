# Write uxdp-run from uxdp-run.in with the version every tool prints:
#   cmake -DIN=uxdp-run.in -DOUT=uxdp-run -DVERSION_H=uxdp/version.h -DREL=path -P make_run.cmake
# Run at every build, after version.h; the file is rewritten only when it changes.
file(STRINGS ${VERSION_H} line REGEX "define UXDP_VERSION \"")
string(REGEX REPLACE ".*UXDP_VERSION \"([^\"]*)\".*" "\\1" UXDP_VERSION "${line}")
set(BPFSYS_REL ${REL})
configure_file(${IN} ${OUT} @ONLY
  FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                   WORLD_READ WORLD_EXECUTE)
