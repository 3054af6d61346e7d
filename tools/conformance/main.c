// SPDX-License-Identifier: MIT
/*
 * uxdp-conformance - run the bpf_conformance .data suite through the real
 * compile path: assemble -> `uxdpc --raw` -> uxdp loader -> native call.
 *
 * Each test is compiled by the uxdpc binary (a separate process, so a
 * compiler crash is just a failure) and then loaded and run in a forked
 * child with an alarm, so that a crash or a hang in generated code fails
 * that one test instead of the runner.  The child reports back through a
 * pipe.  Execution contract: test/conformance/README.md section 6.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uxdp/helpers.h>
#include <uxdp/loader.h>

#include "asm.h"
#include "data_file.h"

#ifndef UXDP_CONFORMANCE_DIR
#define UXDP_CONFORMANCE_DIR "test/conformance/tests"
#endif
#ifndef UXDP_UXDPC_PATH
#define UXDP_UXDPC_PATH "uxdpc"
#endif

#define ENTRY_NAME "conf_prog"
#define RUN_TIMEOUT_S 5
/* Generous: -O3 on a big test must not be mistaken for a hang. */
#define COMPILE_TIMEOUT_S 60
#define MAX_LEVELS 4

struct options {
	const char *tests_dir;
	const char *uxdpc;
	const char *filter;
	int levels[MAX_LEVELS];
	int n_levels;
	bool verbose;
	bool keep;
};

struct counts {
	int passed, failed, skipped;
};

/* What the child running a program tells the parent. */
struct child_report {
	int ok; /* 1: value holds r0; 0: msg says what went wrong */
	uint64_t value;
	char msg[480];
};

/* The report pipe of the running child, for the helper to write into. */
static int child_report_fd = -1;

static void child_report(int ok, uint64_t value, const char *fmt, ...)
{
	struct child_report r = {.ok = ok, .value = value};
	va_list ap;
	ssize_t n;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(r.msg, sizeof(r.msg), fmt, ap);
		va_end(ap);
	}
	n = write(child_report_fd, &r, sizeof(r));
	_exit(n == (ssize_t)sizeof(r) ? 0 : 3);
}

/*
 * The helper every `call N` / `call %rN` of a --raw program lands in.  The
 * suite only uses helper 5, uBPF's unwind(a) -> a; anything else is a test
 * failure, reported from inside the child.
 */
uint64_t uxdp_raw_helper(uint64_t id, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
			 uint64_t r5)
{
	if (id == 5)
		return r1;
	child_report(0, 0, "program called unknown helper %" PRIu64 " (r1=0x%" PRIx64 ")", id, r1);
	return 0;
}

/*
 * uxdp_raw_helper is ours; anything else the generated code needs (memcpy or
 * memset that LLVM may emit for stack copies) comes from this process.
 */
static void *resolve_symbol(const char *name, void *arg)
{
	if (!strcmp(name, UXDP_RAW_HELPER_SYMBOL))
		return (void *)uxdp_raw_helper;
	return dlsym(RTLD_DEFAULT, name);
}

/* In the child: load obj, call conf_prog(mem copy, len), report r0. */
static void __attribute__((noreturn)) child_run(const char *obj, const uint8_t *mem, size_t mem_len)
{
	uint64_t (*prog)(uint64_t, uint64_t);
	struct uxdp_image *img = NULL;
	uint8_t *copy = NULL;
	char err[400] = "";
	uint64_t r0;
	int ret;

	alarm(RUN_TIMEOUT_S);
	ret = uxdp_image_load_file(obj, resolve_symbol, NULL, &img, err, sizeof(err));
	if (ret)
		child_report(0, 0, "load failed (%s): %s", strerror(-ret), err);
	prog = (uint64_t(*)(uint64_t, uint64_t))uxdp_image_symbol(img, ENTRY_NAME);
	if (!prog)
		child_report(0, 0, "load: no symbol %s in %s", ENTRY_NAME, obj);
	if (mem_len) {
		copy = malloc(mem_len);
		if (!copy)
			child_report(0, 0, "out of memory");
		memcpy(copy, mem, mem_len);
	}
	r0 = prog((uint64_t)(uintptr_t)copy, copy ? mem_len : 0);
	child_report(1, r0, NULL);
	__builtin_unreachable();
}

/* Describe how a child ended, in buf; true if it exited 0. */
static bool describe_status(int status, char *buf, size_t size)
{
	if (WIFEXITED(status)) {
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
		return WEXITSTATUS(status) == 0;
	}
	if (WIFSIGNALED(status)) {
		if (WTERMSIG(status) == SIGALRM)
			snprintf(buf, size, "timed out");
		else
			snprintf(buf, size, "killed by signal %d (%s)", WTERMSIG(status),
				 strsignal(WTERMSIG(status)));
		return false;
	}
	snprintf(buf, size, "ended with wait status 0x%x", status);
	return false;
}

/*
 * Run the compiled object in a child.  Returns 0 with *r0 set, or -1 with a
 * message in msg.
 */
static int run_object(const char *obj, const struct uxdp_data_file *df, uint64_t *r0, char *msg,
		      size_t msg_size)
{
	struct child_report rep;
	int fds[2], status;
	ssize_t n;
	pid_t pid;
	char how[128];

	if (pipe(fds)) {
		snprintf(msg, msg_size, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		snprintf(msg, msg_size, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		child_report_fd = fds[1];
		child_run(obj, df->mem, df->mem_len);
	}
	close(fds[1]);
	/* The report is small (< PIPE_BUF), so it arrives whole or not at all. */
	do
		n = read(fds[0], &rep, sizeof(rep));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(rep)) {
		describe_status(status, how, sizeof(how));
		snprintf(msg, msg_size, "program %s", how);
		return -1;
	}
	if (!rep.ok) {
		snprintf(msg, msg_size, "%s", rep.msg);
		return -1;
	}
	*r0 = rep.value;
	return 0;
}

/* Write count slots to path as little-endian bytes. */
static int write_program(const char *path, const struct ebpf_insn *insns, size_t count)
{
	FILE *f = fopen(path, "wb");
	uint8_t bytes[8];
	uint64_t w;
	size_t i;
	int b, ret = 0;

	if (!f)
		return -errno;
	for (i = 0; i < count && !ret; i++) {
		w = uxdp_asm_insn_word(&insns[i]);
		for (b = 0; b < 8; b++)
			bytes[b] = (uint8_t)(w >> (8 * b));
		if (fwrite(bytes, 1, 8, f) != 8)
			ret = -EIO;
	}
	if (fclose(f) && !ret)
		ret = -EIO;
	return ret;
}

/* The first lines of a file, flattened onto one line for a failure report. */
static void read_snippet(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = 0, i;

	buf[0] = '\0';
	if (!f)
		return;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	for (i = 0; i < n; i++)
		if (buf[i] == '\n')
			buf[i] = '|';
}

/*
 * Run uxdpc --raw -O<level> -p conf_prog -o obj bin, stderr to errpath.
 * Returns its exit status (0 = success), or -1 with msg for a crash/timeout.
 */
static int run_uxdpc(const struct options *o, int level, const char *bin, const char *obj,
		     const char *errpath, char *msg, size_t msg_size)
{
	char olevel[8], how[128];
	int status, fd;
	pid_t pid;

	snprintf(olevel, sizeof(olevel), "-O%d", level);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		snprintf(msg, msg_size, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, STDERR_FILENO);
			dup2(fd, STDOUT_FILENO);
			close(fd);
		}
		/* An alarm survives execve, which bounds a hanging compiler. */
		alarm(COMPILE_TIMEOUT_S);
		execl(o->uxdpc, o->uxdpc, "--raw", olevel, "-p", ENTRY_NAME, "-o", obj, bin,
		      (char *)NULL);
		fprintf(stderr, "cannot run %s: %s\n", o->uxdpc, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	describe_status(status, how, sizeof(how));
	snprintf(msg, msg_size, "uxdpc %s", how);
	return -1;
}

enum outcome { PASS, FAIL, SKIP };

/* snprintf into a path buffer; -ENAMETOOLONG instead of a truncated path. */
__attribute__((format(printf, 3, 4))) static int fmt_path(char *buf, size_t size, const char *fmt,
							  ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static enum outcome run_test(const struct options *o, const char *tmpdir, const char *name,
			     int level, char *msg, size_t msg_size)
{
	char path[4096], bin[4096], obj[4096], errpath[4096], snippet[600], err[512];
	struct uxdp_data_file *df = NULL;
	struct ebpf_insn *insns = NULL;
	enum outcome res = FAIL;
	const char *skip;
	size_t count;
	uint64_t r0;
	int ret;

	if (fmt_path(path, sizeof(path), "%s/%s", o->tests_dir, name) ||
	    fmt_path(bin, sizeof(bin), "%s/%s.O%d.bin", tmpdir, name, level) ||
	    fmt_path(obj, sizeof(obj), "%s/%s.O%d.o", tmpdir, name, level) ||
	    fmt_path(errpath, sizeof(errpath), "%s/%s.O%d.err", tmpdir, name, level)) {
		snprintf(msg, msg_size, "path too long");
		return FAIL;
	}

	ret = uxdp_data_file_load(path, &df, err, sizeof(err));
	if (ret) {
		snprintf(msg, msg_size, "parse: %s", err);
		return FAIL;
	}
	skip = uxdp_data_file_skip_reason(df);
	if (skip) {
		snprintf(msg, msg_size, "%s", skip);
		res = SKIP;
		goto out;
	}
	ret = uxdp_data_file_program(df, &insns, &count, err, sizeof(err), NULL);
	if (ret) {
		/* An expected error may come from the assembler as well. */
		if (df->error && ret == -EINVAL && strstr(err, df->error)) {
			res = PASS;
			goto out;
		}
		snprintf(msg, msg_size, "assemble: %s", ret == -EINVAL ? err : strerror(-ret));
		goto out;
	}
	if (!count) {
		snprintf(msg, msg_size, "no instructions");
		res = SKIP;
		goto out;
	}
	ret = write_program(bin, insns, count);
	if (ret) {
		snprintf(msg, msg_size, "write program: %s", strerror(-ret));
		goto out;
	}
	ret = run_uxdpc(o, level, bin, obj, errpath, msg, msg_size);
	if (ret < 0)
		goto out;
	read_snippet(errpath, snippet, sizeof(snippet));
	if (df->error) {
		if (ret) {
			res = PASS;
			goto out;
		}
		snprintf(msg, msg_size, "expected error \"%s\", but uxdpc succeeded", df->error);
		goto out;
	}
	if (ret) {
		snprintf(msg, msg_size, "uxdpc exited %d: %s", ret, snippet);
		goto out;
	}
	if (run_object(obj, df, &r0, msg, msg_size))
		goto out;
	if (r0 != df->result) {
		snprintf(msg, msg_size, "expected 0x%" PRIx64 ", got 0x%" PRIx64, df->result, r0);
		goto out;
	}
	res = PASS;
out:
	if (!o->keep) {
		unlink(bin);
		unlink(obj);
		unlink(errpath);
	}
	free(insns);
	uxdp_data_file_free(df);
	return res;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted .data files of dir that contain filter; caller frees. */
static int list_tests(const struct options *o, char ***names, size_t *count)
{
	size_t n = 0, cap = 0, len;
	struct dirent *de;
	char **v = NULL, **p;
	DIR *d;

	d = opendir(o->tests_dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".data"))
			continue;
		if (o->filter && !strstr(de->d_name, o->filter))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 512;
			p = realloc(v, cap * sizeof(*v));
			if (!p)
				goto nomem;
			v = p;
		}
		v[n] = strdup(de->d_name);
		if (!v[n])
			goto nomem;
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_names);
	*names = v;
	*count = n;
	return 0;
nomem:
	closedir(d);
	while (n)
		free(v[--n]);
	free(v);
	return -ENOMEM;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: uxdp-conformance [options]\n"
		"  --tests DIR     directory of .data files (default %s)\n"
		"  --uxdpc PATH    the compiler (default %s)\n"
		"  -O LEVELS       optimisation levels, e.g. -O2 or -O0,1,2,3 (repeatable;\n"
		"                  default all four)\n"
		"  --filter SUBSTR only files whose name contains SUBSTR\n"
		"  --keep          keep the temporary files and print their directory\n"
		"  -v              also print passing and skipped tests\n"
		"  -h, --help      this text\n",
		UXDP_CONFORMANCE_DIR, UXDP_UXDPC_PATH);
}

static int add_levels(struct options *o, const char *arg)
{
	const char *p;

	for (p = arg; *p; p++) {
		if (*p == ',')
			continue;
		if (*p < '0' || *p > '3' || (p[1] && p[1] != ','))
			return -EINVAL;
		if (o->n_levels == MAX_LEVELS)
			return -EINVAL;
		o->levels[o->n_levels++] = *p - '0';
	}
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_TESTS = 256, OPT_UXDPC, OPT_FILTER, OPT_KEEP };
	static const struct option longopts[] = {
	    {"tests", required_argument, NULL, OPT_TESTS},
	    {"uxdpc", required_argument, NULL, OPT_UXDPC},
	    {"filter", required_argument, NULL, OPT_FILTER},
	    {"keep", no_argument, NULL, OPT_KEEP},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct options o = {.tests_dir = UXDP_CONFORMANCE_DIR, .uxdpc = UXDP_UXDPC_PATH};
	struct counts total = {0};
	char tmpdir[4096], msg[1024];
	const char *tmp;
	char **names = NULL;
	size_t n = 0, i;
	int c, l, ret;

	while ((c = getopt_long(argc, argv, "O:vh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_TESTS:
			o.tests_dir = optarg;
			break;
		case OPT_UXDPC:
			o.uxdpc = optarg;
			break;
		case OPT_FILTER:
			o.filter = optarg;
			break;
		case OPT_KEEP:
			o.keep = true;
			break;
		case 'O':
			if (add_levels(&o, optarg)) {
				fprintf(stderr, "uxdp-conformance: bad level list: %s\n", optarg);
				return 2;
			}
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!o.n_levels) {
		for (l = 0; l < MAX_LEVELS; l++)
			o.levels[l] = l;
		o.n_levels = MAX_LEVELS;
	}

	ret = list_tests(&o, &names, &n);
	if (ret) {
		fprintf(stderr, "uxdp-conformance: %s: %s\n", o.tests_dir, strerror(-ret));
		return 1;
	}
	if (!n) {
		fprintf(stderr, "uxdp-conformance: %s: no .data files%s%s\n", o.tests_dir,
			o.filter ? " matching " : "", o.filter ? o.filter : "");
		free(names);
		return 1;
	}
	tmp = getenv("TMPDIR");
	snprintf(tmpdir, sizeof(tmpdir), "%s/uxdp-conformance.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpdir)) {
		fprintf(stderr, "uxdp-conformance: mkdtemp %s: %s\n", tmpdir, strerror(errno));
		return 1;
	}

	for (l = 0; l < o.n_levels; l++) {
		struct counts cnt = {0};

		for (i = 0; i < n; i++) {
			msg[0] = '\0';
			switch (run_test(&o, tmpdir, names[i], o.levels[l], msg, sizeof(msg))) {
			case PASS:
				cnt.passed++;
				if (o.verbose)
					printf("PASS %s -O%d\n", names[i], o.levels[l]);
				break;
			case FAIL:
				cnt.failed++;
				printf("FAIL %s -O%d: %s\n", names[i], o.levels[l], msg);
				break;
			case SKIP:
				cnt.skipped++;
				printf("SKIP %s -O%d: %s\n", names[i], o.levels[l], msg);
				break;
			}
		}
		printf("conformance -O%d: %d passed, %d failed, %d skipped\n", o.levels[l],
		       cnt.passed, cnt.failed, cnt.skipped);
		total.passed += cnt.passed;
		total.failed += cnt.failed;
		total.skipped += cnt.skipped;
	}
	printf("%d passed, %d failed\n", total.passed, total.failed);

	if (o.keep)
		printf("temporary files kept in %s\n", tmpdir);
	else if (rmdir(tmpdir))
		fprintf(stderr, "uxdp-conformance: rmdir %s: %s\n", tmpdir, strerror(errno));
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return total.failed || total.skipped ? 1 : 0;
}
