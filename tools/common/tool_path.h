/* SPDX-License-Identifier: MIT */
/*
 * tool_path.h - where a tool finds another uxdp tool it runs (uxdp-difftest
 * runs uxdpc), the same way in the build tree and installed.
 */
#ifndef UXDP_TOOL_PATH_H
#define UXDP_TOOL_PATH_H

/*
 * The program to run for tool name, first of: $env_var when env_var is
 * not NULL and the variable is set; name next to this executable (an
 * installed prefix's bin/); build_path when it is not NULL and exists (the
 * build tree); name found on $PATH; else name itself, for the exec to fail
 * on with a message that names it.  The string lives as long as the
 * process (a later call for another name does not change it); at most
 * UXDP_TOOL_PATH_MAX names are looked up, further ones get name itself.
 */
#define UXDP_TOOL_PATH_MAX 8
const char *uxdp_tool_path(const char *name, const char *env_var, const char *build_path);

#endif /* UXDP_TOOL_PATH_H */
