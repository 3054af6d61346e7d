// SPDX-License-Identifier: MIT
/*
 * run_corpus.c - every program of the confinement corpus, refused or stopped.
 *
 *	run_corpus UXDPC CORPUS.bpf.o CORPUS.txt WORKDIR [NAME]
 *
 * For each case of CORPUS.txt (name, expectation, trigger packet, ok packet,
 * ok verdict):
 *   - the kernel verifier must reject it (loaded with libbpf; skipped when
 *     the kernel cannot load BPF here, and for cases marked root-ok, which
 *     only an unprivileged loader's verifier rejects);
 *   - `refuse:TEXT`: `uxdpc --verify=none` must fail with one line holding
 *     TEXT;
 *   - `abort`: `uxdpc --verify=none` compiles it; run on the trigger packet it
 *     returns XDP_ABORTED and its abort counter grows, with no signal and no
 *     hang (a watchdog alarm ends a stuck run); run on the ok packet it
 *     returns the ok verdict and the counter does not move.
 * The packet ends at a PROT_NONE page and its headroom starts after one,
 * the ctx ends at one, and the program runs on a thread whose stack has
 * PROT_NONE pages on both sides: any escape is a signal, and a signal fails
 * the run.  Packets: comma-separated COUNT@HEXBYTE runs ("14@00,1@ff").
 */
#define _GNU_SOURCE
#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <uxdp/map.h>
#include <uxdp/runtime.h>
#include <uxdp/worker.h>

#define PAGE 4096
#define FRAME_PAGES 2
#define STACK_SIZE (256 * 1024)
#define MAX_PKT 2048

static const char *current; /* the case running, for the signal handler */

static void on_fault(int sig)
{
	char msg[256];
	int n = snprintf(msg, sizeof(msg), "FAIL %s: signal %d while running (an escape)\n",
			 current ? current : "?", sig);

	if (write(2, msg, (size_t)n) < 0) {
	}
	_exit(1);
}

static void on_alarm(int sig)
{
	char msg[256];
	int n = snprintf(msg, sizeof(msg), "FAIL %s: still running after 60 s (a hang)\n",
			 current ? current : "?");

	(void)sig;
	if (write(2, msg, (size_t)n) < 0) {
	}
	_exit(1);
}

/* "14@00,1@ff" -> bytes; returns the length, or -1. */
static int parse_packet(const char *spec, uint8_t *out)
{
	int len = 0;
	const char *p = spec;

	while (*p) {
		unsigned count, byte;
		int used;

		if (sscanf(p, "%u@%2x%n", &count, &byte, &used) != 2 || len + (int)count > MAX_PKT)
			return -1;
		memset(out + len, (int)byte, count);
		len += (int)count;
		p += used;
		if (*p == ',')
			p++;
	}
	return len;
}

/* The frame: [guard][headroom ... data ... data_end][guard]. */
struct frame {
	uint8_t *map;   /* guard + FRAME_PAGES + guard */
	uint8_t *ctx_page;
	struct uxdp_ctx *ctx;
};

static int frame_init(struct frame *f)
{
	f->map = mmap(NULL, (FRAME_PAGES + 2) * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f->ctx_page = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	if (f->map == MAP_FAILED || f->ctx_page == MAP_FAILED)
		return -errno;
	if (mprotect(f->map, PAGE, PROT_NONE) ||
	    mprotect(f->map + (FRAME_PAGES + 1) * PAGE, PAGE, PROT_NONE) ||
	    mprotect(f->ctx_page + PAGE, PAGE, PROT_NONE))
		return -errno;
	/* the ctx ends where the guard page starts */
	f->ctx = (struct uxdp_ctx *)(f->ctx_page + PAGE - ((sizeof(struct uxdp_ctx) + 7) & ~7ul));
	return 0;
}

struct run {
	uxdp_prog_fn fn;
	struct uxdp_ctx *ctx;
	uint64_t ret;
};

static void *run_thread(void *arg)
{
	struct run *r = arg;
	struct uxdp_worker w;

	uxdp_worker_init(&w, 0);
	uxdp_worker_set_current(&w);
	r->ctx->worker = &w;
	r->ret = r->fn(r->ctx);
	return NULL;
}

/* One run of fn on pkt, on a stack with guard pages on both sides. */
static int run_once(struct frame *f, uxdp_prog_fn fn, const uint8_t *pkt, int len, uint64_t *ret)
{
	static uint8_t *stack;
	uint8_t *frame_end = f->map + (FRAME_PAGES + 1) * PAGE;
	struct run r = { .fn = fn, .ctx = f->ctx };
	pthread_attr_t attr;
	pthread_t t;
	int err;

	if (!stack) {
		stack = mmap(NULL, STACK_SIZE + 2 * PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (stack == MAP_FAILED || mprotect(stack, PAGE, PROT_NONE) ||
		    mprotect(stack + PAGE + STACK_SIZE, PAGE, PROT_NONE))
			return -errno;
	}
	memset(f->map + PAGE, 0x5a, FRAME_PAGES * PAGE);
	memcpy(frame_end - len, pkt, (size_t)len);
	memset(f->ctx, 0, sizeof(*f->ctx));
	f->ctx->data_hard_start = f->map + PAGE;
	f->ctx->data = frame_end - len;
	f->ctx->data_meta = f->ctx->data;
	f->ctx->data_end = frame_end;
	f->ctx->frame_end = frame_end;
	f->ctx->ingress_ifindex = 1;
	pthread_attr_init(&attr);
	pthread_attr_setstack(&attr, stack + PAGE, STACK_SIZE);
	err = pthread_create(&t, &attr, run_thread, &r);
	pthread_attr_destroy(&attr);
	if (err)
		return -err;
	pthread_join(t, NULL);
	*ret = r.ret;
	return 0;
}

/* Run cmd (NULL-terminated argv), its stderr into err; returns its exit status. */
static int run_cmd(char *const argv[], char *err, size_t err_size)
{
	int pipefd[2], status;
	ssize_t n, used = 0;
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 2);
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], err + used, err_size - 1 - (size_t)used)) > 0)
		used += n;
	err[used] = '\0';
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

/* 1: the kernel verifier rejects name; 0: it accepts it; 77: no kernel BPF here. */
static int kernel_rejects(const char *obj_path, const char *name)
{
	struct bpf_object *obj = bpf_object__open_file(obj_path, NULL);
	struct bpf_program *p;
	int err;

	if (libbpf_get_error(obj))
		return 77;
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, strcmp(bpf_program__name(p), name) == 0);
	err = bpf_object__load(obj);
	bpf_object__close(obj);
	if (err == -EPERM || err == -ENOSYS || err == -EOPNOTSUPP)
		return 77;
	return err ? 1 : 0;
}

struct totals {
	int refused, aborted, kernel_checked, failed;
};

static int fail(const char *name, const char *fmt, const char *detail)
{
	fprintf(stderr, "FAIL %s: %s%s%s\n", name, fmt, detail ? ": " : "", detail ? detail : "");
	return 1;
}

static int run_abort_case(const char *name, const char *aot, const char *trig, const char *ok,
			  int ok_verdict, struct frame *f, const char *workdir)
{
	struct uxdp_object_opts oo = { .sz = sizeof(oo), .ncpus = 1, .unlink_on_close = true };
	const struct uxdp_program *prog;
	struct uxdp_confine_stats before, after;
	struct uxdp_object *obj;
	char err[512], inst[64];
	uint8_t pkt[MAX_PKT];
	uint64_t ret;
	int len, bad = 0;

	(void)workdir;
	snprintf(inst, sizeof(inst), "confine-%d", (int)getpid());
	oo.instance = inst;
	if (uxdp_object_open(aot, &oo, &obj, err, sizeof(err)))
		return fail(name, "uxdp_object_open", err);
	prog = uxdp_object_program(obj, name);
	if (!prog) {
		uxdp_object_close(obj);
		return fail(name, "no such program in the object", NULL);
	}
	if (!(prog->confinement & UXDP_CONFINE_UXDP) ||
	    !(prog->confinement & (UXDP_CONFINE_GUARDS | UXDP_CONFINE_BUDGET)))
		bad |= fail(name, "the record does not say 'uxdp proof with run-time checks'", NULL);
	current = name;
	len = parse_packet(trig, pkt);
	uxdp_program_confine_stats(prog, &before);
	alarm(60);
	if (len < 0 || run_once(f, prog->fn, pkt, len, &ret))
		bad |= fail(name, "bad trigger packet or thread", trig);
	else if ((uint32_t)ret != 0)
		bad |= fail(name, "the trigger packet did not end as XDP_ABORTED", NULL);
	uxdp_program_confine_stats(prog, &after);
	if (after.aborts < before.aborts + 1)
		bad |= fail(name, "the abort counter did not grow", NULL);
	else
		printf("ok %s: XDP_ABORTED at insn %u (%s)\n", name, after.last_insn,
		       uxdp_confine_reason_name(after.last_reason));
	if (strcmp(ok, "-")) {
		len = parse_packet(ok, pkt);
		before = after;
		if (len < 0 || run_once(f, prog->fn, pkt, len, &ret))
			bad |= fail(name, "bad ok packet or thread", ok);
		else if ((uint32_t)ret != (uint32_t)ok_verdict)
			bad |= fail(name, "the ok packet's verdict differs", NULL);
		uxdp_program_confine_stats(prog, &after);
		if (after.aborts != before.aborts)
			bad |= fail(name, "the ok packet was aborted", NULL);
	}
	alarm(0);
	current = NULL;
	uxdp_object_close(obj);
	uxdp_map_unlink_instance(inst);
	return bad;
}

/*
 * A program stuck in a loop stops when the runtime asks (uxdp_request_stop,
 * as a SIGTERM handler would): at its next poll, long before the budget.
 */
static int stop_check(const char *uxdpc, const char *bpf, const char *workdir, struct frame *f)
{
	struct uxdp_object_opts oo = { .sz = sizeof(oo), .ncpus = 1, .unlink_on_close = true };
	char inst[64];
	const char *name = "loop_infinite_ja";
	struct uxdp_confine_stats cs;
	const struct uxdp_program *prog;
	struct uxdp_object *obj;
	char aot[512], out[4096], err[512];
	uint8_t pkt[64] = { 0 };
	struct timespec t0, t1;
	uint64_t ret;
	int bad = 0;

	snprintf(inst, sizeof(inst), "confine-stop-%d", (int)getpid());
	oo.instance = inst;
	snprintf(aot, sizeof(aot), "%s/stop.aot.o", workdir);
	if (run_cmd((char *const[]){ (char *)uxdpc, (char *)bpf, "-p", (char *)name, "-O2",
				     "--verify=none", "-o", aot, NULL },
		    out, sizeof(out)))
		return fail("stop", "uxdpc failed", out);
	if (uxdp_object_open(aot, &oo, &obj, err, sizeof(err)))
		return fail("stop", "uxdp_object_open", err);
	prog = uxdp_object_program(obj, name);
	current = "stop";
	uxdp_request_stop();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	alarm(60);
	if (!prog || run_once(f, prog->fn, pkt, sizeof(pkt), &ret) || (uint32_t)ret != 0)
		bad = fail("stop", "the stuck program did not end as XDP_ABORTED", NULL);
	alarm(0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	uxdp_clear_stop();
	uxdp_program_confine_stats(prog, &cs);
	if (!bad && (cs.last_reason != UXDP_CONFINE_STOPPED || cs.aborts != 1))
		bad = fail("stop", "not counted as stopped", uxdp_confine_reason_name(cs.last_reason));
	if (!bad)
		printf("ok stop: a stuck program stopped on request in %.3f ms\n",
		       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	current = NULL;
	uxdp_object_close(obj);
	uxdp_map_unlink_instance(inst);
	unlink(aot);
	return bad;
}

int main(int argc, char **argv)
{
	const char *uxdpc, *bpf, *list, *workdir, *only;
	struct totals t = { 0 };
	struct frame f;
	char line[1024];
	FILE *in;
	bool kernel = true;

	if (argc < 5) {
		fprintf(stderr, "usage: run_corpus UXDPC CORPUS.bpf.o CORPUS.txt WORKDIR [NAME]\n");
		return 2;
	}
	uxdpc = argv[1], bpf = argv[2], list = argv[3], workdir = argv[4];
	only = argc > 5 ? argv[5] : NULL;
	signal(SIGSEGV, on_fault);
	signal(SIGBUS, on_fault);
	signal(SIGILL, on_fault);
	signal(SIGFPE, on_fault);
	signal(SIGALRM, on_alarm);
	libbpf_set_print(quiet);
	if (frame_init(&f)) {
		perror("mmap");
		return 1;
	}
	in = fopen(list, "r");
	if (!in) {
		perror(list);
		return 1;
	}
	while (fgets(line, sizeof(line), in)) {
		char name[128], expect[256], spaced[256], trig[256], ok[256], aot[512], out[4096];
		int ok_verdict, status, k;
		bool root_ok;

		if (line[0] == '#' || sscanf(line, "%127s %255s %255s %255s %d", name, expect, trig,
					     ok, &ok_verdict) != 5)
			continue;
		if (only && strcmp(only, name))
			continue;
		root_ok = strstr(expect, ",root-ok") != NULL;
		if (root_ok)
			*strstr(expect, ",root-ok") = '\0';
		/* corpus.txt writes the spaces of a reason as '_' */
		snprintf(spaced, sizeof(spaced), "%s", expect);
		for (char *p = spaced; *p; p++)
			if (*p == '_')
				*p = ' ';
		if (kernel && !root_ok) {
			k = kernel_rejects(bpf, name);
			if (k == 77) {
				printf("note: the kernel cannot load BPF here: verifier rejections not checked\n");
				kernel = false;
			} else if (k == 0) {
				t.failed += fail(name, "the kernel verifier accepts it: not a corpus case", NULL);
			} else {
				t.kernel_checked++;
			}
		}
		snprintf(aot, sizeof(aot), "%s/%s.aot.o", workdir, name);
		status = run_cmd((char *const[]){ (char *)uxdpc, (char *)bpf, "-p", name, "-O2",
						  "--verify=none", "-o", aot, NULL },
				 out, sizeof(out));
		if (!strncmp(expect, "refuse:", 7)) {
			if (status == 0)
				t.failed += fail(name, "compiled, but must be refused", NULL);
			else if ((!strstr(out, expect + 7) && !strstr(out, spaced + 7)) || !strstr(out, name))
				t.failed += fail(name, "refused without the expected reason", out);
			else {
				t.refused++;
				printf("ok %s: refused: %s", name, strstr(out, "insn") ? strstr(out, "insn") : out);
			}
			continue;
		}
		if (status) {
			t.failed += fail(name, "uxdpc failed", out);
			continue;
		}
		if (run_abort_case(name, aot, trig, ok, ok_verdict, &f, workdir))
			t.failed++;
		else
			t.aborted++;
		unlink(aot);
	}
	fclose(in);
	if (!only)
		t.failed += stop_check(uxdpc, bpf, workdir, &f);
	printf("%d refused at compile time, %d ended as XDP_ABORTED, %d checked against the kernel verifier\n",
	       t.refused, t.aborted, t.kernel_checked);
	printf("%d passed, %d failed\n", t.refused + t.aborted, t.failed);
	if (!only && t.refused + t.aborted < 60)
		return fail("corpus", "fewer than 60 cases ran", NULL);
	return t.failed ? 1 : 0;
}
