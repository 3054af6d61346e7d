// SPDX-License-Identifier: MIT
/*
 * tool_path.c - where a tool finds another uxdp tool (tool_path.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool_path.h"

static char found_paths[UXDP_TOOL_PATH_MAX][PATH_MAX];
static unsigned int n_found;

/* path, kept in found_paths, if it is an executable file; else NULL. */
static const char *executable(const char *path)
{
	if (access(path, X_OK) || n_found == UXDP_TOOL_PATH_MAX || strlen(path) >= PATH_MAX)
		return NULL;
	return strcpy(found_paths[n_found++], path);
}

static const char *next_to_self(const char *name)
{
	char exe[PATH_MAX], path[PATH_MAX + NAME_MAX + 2];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	snprintf(path, sizeof(path), "%s/%s", exe, name);
	return executable(path);
}

static const char *on_path(const char *name)
{
	const char *dirs = getenv("PATH");
	char path[PATH_MAX + NAME_MAX + 2];

	while (dirs && *dirs) {
		size_t len = strcspn(dirs, ":");
		const char *found;

		snprintf(path, sizeof(path), "%.*s/%s", (int)(len ? len : 1), len ? dirs : ".",
			 name);
		found = executable(path);
		if (found)
			return found;
		dirs += len + (dirs[len] == ':');
	}
	return NULL;
}

const char *uxdp_tool_path(const char *name, const char *env_var, const char *build_path)
{
	const char *env = env_var ? getenv(env_var) : NULL;
	const char *found;

	if (env && *env)
		return env;
	found = next_to_self(name);
	if (!found && build_path)
		found = executable(build_path);
	if (!found)
		found = on_path(name);
	return found ? found : name;
}
