// SPDX-License-Identifier: MIT
/*
 * kfunc_refused.c - under uxdp-run, BPF_PROG_LOAD of an XDP program whose
 * kfunc call the layer cannot name is refused before anything is compiled:
 * a kfunc of a module's BTF (off != 0: a slot of fd_array) with
 * EOPNOTSUPP, a BTF id that is no function of vmlinux (id 1: the first
 * type, never a function) with EINVAL; the reason goes to stderr and to
 * the log buffer.  Exit 0 when both are so.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>

/* call kfunc (src BPF_PSEUDO_KFUNC_CALL), r0 = 2, exit */
static int load(__s16 off, __s32 id, char *log, size_t size)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL, .src_reg = BPF_PSEUDO_KFUNC_CALL, .off = off, .imm = id },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 2 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log, .log_size = (__u32)size, .log_level = 1);

	return bpf_prog_load(BPF_PROG_TYPE_XDP, "kf", "GPL", insns, 3, &o);
}

static int expect(const char *what, __s16 off, __s32 id, int want, const char *reason)
{
	char log[512] = "";

	if (load(off, id, log, sizeof(log)) >= 0 || errno != want) {
		fprintf(stderr, "kfunc_refused: %s: %s, wanted %s\n", what, strerror(errno),
			strerror(want));
		return 1;
	}
	if (!strstr(log, reason)) {
		fprintf(stderr, "kfunc_refused: %s: log \"%s\" does not say \"%s\"\n", what, log,
			reason);
		return 1;
	}
	printf("%s: %s\n", what, strerror(errno));
	return 0;
}

int main(void)
{
	int bad = expect("module kfunc", 1, 1234, EOPNOTSUPP, "of a kernel module's BTF");

	bad |= expect("no function", 0, 1, EINVAL, "which is no function of /sys/kernel/btf/vmlinux");
	return bad;
}
