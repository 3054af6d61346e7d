// SPDX-License-Identifier: MIT
/*
 * compile.c - a BPF object handed to the daemon is compiled by uxdpc, and
 * the result kept in a cache directory under a key made of the object's
 * bytes and the options that change the output (level, trust flag), so
 * that loading the same object again is a file open.
 *
 * uxdpc runs as a child (posix_spawn, no shell) on a copy of the bytes we
 * hashed, writing to a temporary name that is renamed into place only when
 * it succeeded: a half-written or failed result is never found in the
 * cache.  Its last line on stderr is the reason given to the client.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uxdp/errmsg.h>
#include <uxdp/object_format.h>

#include <uxdp/daemon_proto.h>

#include "bpf_compile.h"

extern char **environ;

uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static int write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	size_t done = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while (done < len) {
		n = write(fd, (const char *)data + done, len - done);
		if (n < 0) {
			n = -errno;
			close(fd);
			return (int)n;
		}
		done += n;
	}
	return close(fd) ? -errno : 0;
}

/* The last non-empty line of what the child wrote on stderr. */
static void last_line(const char *buf, char *out, size_t size)
{
	const char *end = buf + strlen(buf), *start;

	while (end > buf && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	for (start = end; start > buf && start[-1] != '\n'; start--)
		;
	snprintf(out, size, "%.*s", (int)(end - start), start);
}

/* uxdpc SRC -O<level> [--trust-unverified] -o OUT; its stderr's last line in msg. */
static int run_uxdpc(const char *uxdpc, char *const *envp, const char *src, const char *out,
		     int level, bool trust, char *msg, size_t msg_size)
{
	char opt[8], buf[4096];
	char *argv[8];
	int argc = 0, pipefd[2], status, ret;
	posix_spawn_file_actions_t fa;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	snprintf(opt, sizeof(opt), "-O%d", level);
	argv[argc++] = (char *)uxdpc;
	argv[argc++] = (char *)src;
	argv[argc++] = opt;
	if (trust)
		argv[argc++] = "--trust-unverified";
	argv[argc++] = "-o";
	argv[argc++] = (char *)out;
	argv[argc] = NULL;
	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	ret = -posix_spawnp(&pid, uxdpc, &fa, NULL, argv, envp ? envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (ret) {
		close(pipefd[0]);
		snprintf(msg, msg_size, "cannot run %s: %s", uxdpc, strerror(-ret));
		return ret;
	}
	while ((n = read(pipefd[0], buf + got, sizeof(buf) - 1 - got)) > 0 ||
	       (n < 0 && errno == EINTR)) {
		if (n > 0)
			got += n;
		if (got == sizeof(buf) - 1) /* keep the tail: the reason comes last */
			got = 0;
	}
	buf[got] = 0;
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	last_line(buf, msg, msg_size);
	if (!msg[0])
		snprintf(msg, msg_size, "uxdpc failed (status %d)", status);
	return -ENOEXEC;
}

int compile_bpf(const struct compile_opts *o, const void *data, size_t len, const char *label,
		int opt_level, uint32_t flags, char *out_path, size_t out_size, bool *cached,
		char *err, size_t err_size)
{
	bool trust = flags & UXDP_LOAD_F_TRUST_UNVERIFIED;
	bool use_cache = o->cache_dir && !(flags & UXDP_LOAD_F_NO_CACHE);
	int level = opt_level < 0 ? 2 : opt_level;
	char dir[4096], src[4200], tmp[4200], msg[512];
	uint64_t h1, h2;
	int ret;

	*cached = false;
	if (level > 3)
		return uxdp_errmsg(err, err_size, -EINVAL, "%s: optimisation level %d (0..3)",
				   label, level);
	/* Two differently seeded hashes of the bytes, then the options. */
	h1 = fnv1a(FNV_OFFSET, data, len);
	h2 = fnv1a(FNV_OFFSET ^ 0x9e3779b97f4a7c15ull, data, len);
	if (use_cache) {
		snprintf(dir, sizeof(dir), "%s", o->cache_dir);
		if (mkdir(dir, 0700) && errno != EEXIST)
			return uxdp_errmsg(err, err_size, -errno, "cache %s: %s", dir,
					   strerror(errno));
	} else {
		snprintf(dir, sizeof(dir), "/tmp");
	}
	/* the runtime ABI too: an object cached by an older uxdpd is refused (meta.c) */
	snprintf(out_path, out_size, "%s/%016llx%016llx-O%d%s-abi%d.aot.o", dir,
		 (unsigned long long)h1, (unsigned long long)h2, level, trust ? "-trust" : "",
		 UXDP_RUNTIME_ABI);
	if (use_cache && access(out_path, R_OK) == 0) {
		*cached = true;
		return 0;
	}
	if (!use_cache) /* a private name per load */
		snprintf(out_path, out_size, "%s/uxdpd-%d-%016llx.aot.o", dir, (int)getpid(),
			 (unsigned long long)h1);
	snprintf(src, sizeof(src), "%s.%d.bpf.o", out_path, (int)getpid());
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", out_path, (int)getpid());
	ret = write_file(src, data, len);
	if (ret) {
		uxdp_errmsg(err, err_size, ret, "%s: writing %s: %s", label, src, strerror(-ret));
		goto out;
	}
	ret = run_uxdpc(o->uxdpc, o->envp, src, tmp, level, trust, msg, sizeof(msg));
	if (ret) {
		uxdp_errmsg(err, err_size, ret, "%s: compiling: %s", label, msg);
		goto out;
	}
	if (rename(tmp, out_path)) {
		ret = uxdp_errmsg(err, err_size, -errno, "%s: %s: %s", label, out_path,
				  strerror(errno));
		goto out;
	}
out:
	unlink(src);
	unlink(tmp);
	return ret;
}
