/* SPDX-License-Identifier: MIT */
/*
 * main.c - the uxdpc command line.
 *
 *   uxdpc [options] INPUT
 *
 * Exit codes: 0 success, 1 compile error, 2 usage error.  Every error is one
 * line on stderr, printed here and nowhere else.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf.h>

#include <uxdp/version.h>

#include "compile.h"

/*
 * Where an installed uxdpc finds the helpers' bitcode, relative to its own
 * directory: CMake computes it from the install layout (bin/ and
 * lib/<multiarch>/uxdp/ on Debian), so a relocated prefix still works.
 */
#ifndef UXDP_HELPERS_BC_REL
#define UXDP_HELPERS_BC_REL "../lib/uxdp/uxdp_helpers.bc"
#endif

enum { EXIT_OK = 0, EXIT_COMPILE = 1, EXIT_USAGE = 2 };

enum long_only {
	OPT_EMIT_LLVM = 256,
	OPT_LIST,
	OPT_RAW,
	OPT_XDP,
	OPT_MCPU,
	OPT_MATTR,
	OPT_TARGET,
	OPT_VERSION,
	OPT_HELPERS_BC,
	OPT_REMARKS,
	OPT_UNSAFE_NO_BOUNDS,
	OPT_VERIFY,
	OPT_TARGET_BTF,
	OPT_MAP_SIZE,
	OPT_MAP_VALUE_SIZE,
	OPT_MAP_FLAGS,
};

/* One table for getopt and for --help, as xdp-tools' DEFINE_OPTION does. */
static const struct option_doc {
	struct option opt;
	const char *metavar;
	const char *help;
} options[] = {
	{ { "output", required_argument, NULL, 'o' }, "FILE", "write to FILE ('-' for stdout)" },
	{ { "program", required_argument, NULL, 'p' }, "NAME", "compile only the program (function or section) NAME" },
	{ { "emit-llvm", no_argument, NULL, OPT_EMIT_LLVM }, NULL, "emit textual LLVM IR" },
	{ { "asm", no_argument, NULL, 'S' }, NULL, "emit host assembly (also -S)" },
	{ { "list", no_argument, NULL, OPT_LIST }, NULL, "describe programs, maps and helpers; compile nothing" },
	{ { "raw", no_argument, NULL, OPT_RAW }, NULL, "INPUT is raw instruction bytes: uint64_t NAME(uint64_t r1, uint64_t r2)" },
	{ { "xdp", no_argument, NULL, OPT_XDP }, NULL, "with --raw: the program is an XDP program" },
	{ { "mcpu", required_argument, NULL, OPT_MCPU }, "CPU", "target CPU (default: this host's)" },
	{ { "mattr", required_argument, NULL, OPT_MATTR }, "ATTRS", "target features, e.g. +avx2,-avx512f" },
	{ { "target", required_argument, NULL, OPT_TARGET }, "TRIPLE", "target triple (default: this host's)" },
	{ { "verify", required_argument, NULL, OPT_VERIFY }, "MODE", "auto (default): the kernel verifier when it can, else uxdpc confines the programs itself (proof + run-time checks); kernel: the verifier is required; none: never ask the kernel, uxdpc confines" },
	{ { "helpers-bc", required_argument, NULL, OPT_HELPERS_BC }, "PATH", "helper bitcode to inline (default: found next to uxdpc)" },
	{ { "target-btf", required_argument, NULL, OPT_TARGET_BTF }, "PATH", "types CO-RE relocations resolve against (default: uxdp.btf next to the bitcode)" },
	{ { "map-size", required_argument, NULL, OPT_MAP_SIZE }, "MAP=N", "set max_entries of MAP, as its loader would (repeatable)" },
	{ { "map-value-size", required_argument, NULL, OPT_MAP_VALUE_SIZE }, "MAP=N", "set the value size of MAP (repeatable)" },
	{ { "map-flags", required_argument, NULL, OPT_MAP_FLAGS }, "MAP=N", "set the map_flags of MAP, as its loader would (repeatable)" },
	{ { "remarks", no_argument, NULL, OPT_REMARKS }, NULL, "say what each of uxdp's passes did" },
	{ { "unsafe-no-bounds-checks", no_argument, NULL, OPT_UNSAFE_NO_BOUNDS }, NULL, "drop packet bounds checks and confinement: the output is unconfined, uxdp runs it only with --trust-unverified" },
	{ { "verbose", no_argument, NULL, 'v' }, NULL, "say more (repeat for more)" },
	{ { "help", no_argument, NULL, 'h' }, NULL, "show this help" },
	{ { "version", no_argument, NULL, OPT_VERSION }, NULL, "show the version" },
};
#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: uxdpc [options] INPUT\n"
		   "Compile the XDP programs of a BPF ELF object (clang -target bpf) to a native object.\n\n"
		   "  -O0, -O1, -O2, -O3     optimisation level (default -O2; -O0 runs no pass,\n"
		   "                         -O1 LLVM's only, -O2/-O3 uxdp's passes and LLVM's)\n"
		   "  -fno-map-inline        keep array map lookups as helper calls\n"
		   "  -fno-helper-inline     do not link the helpers' bitcode into the program\n"
		   "  -fno-bounds-elim       keep packet bounds checks as the program wrote them\n"
		   "  -fno-simd              no vectorisation\n"
		   "  -fno-rodata-fold       keep loads of constant .rodata variables\n"
		   "  -fno-stack-scope       do not tell LLVM which accesses cannot reach the BPF stack\n"
		   "  -fno-addr-gep          keep addresses as the integers the program computed\n"
		   "  -fno-stack-split       keep each BPF stack one 512-byte alloca\n"
		   "  -fno-stack-args        give the runtime a key on the stack by its address, not a copy\n");
	for (size_t k = 0; k < N_OPTIONS; k++) {
		char left[64];
		const struct option_doc *d = &options[k];
		int c = d->opt.val;

		if (c < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", c, d->opt.name,
				 d->metavar ? " " : "", d->metavar ? d->metavar : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", d->opt.name,
				 d->metavar ? " " : "", d->metavar ? d->metavar : "");
		fprintf(f, "  %-22s %s\n", left, d->help);
	}
	fprintf(f, "\nExamples:\n"
		   "  clang-19 -O2 -g -target bpf -I/usr/include/$(uname -m)-linux-gnu -c fw.bpf.c -o fw.bpf.o\n"
		   "  uxdpc fw.bpf.o -O3 -o fw.aot.o        compile every XDP program of fw.bpf.o\n"
		   "  uxdpc --list fw.bpf.o                 programs, maps and helpers it uses\n"
		   "  uxdpc fw.bpf.o -p xdp_fw --emit-llvm -o -   one program's LLVM IR\n"
		   "  AOT_OBJECT=fw.aot.o uxdp --pcap in.pcap      run it (see uxdp(8))\n"
		   "\nStderr on a terminal (or -v) names each program as it is compiled.\n"
		   "Exit status: 0 success, 1 compile error, 2 usage error.  See uxdpc(1).\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	fputs("uxdpc: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (usage: uxdpc [options] INPUT; see uxdpc --help)\n", stderr);
	return EXIT_USAGE;
}

static void print_version(void)
{
	unsigned major, minor, patch;

	LLVMGetVersion(&major, &minor, &patch);
	printf("uxdpc %s (LLVM %u.%u.%u)\n", UXDP_VERSION, major, minor, patch);
}

#define MAX_RESIZE 64

struct cli {
	struct uxdp_compile_opts opts;
	struct uxdp_open_opts open;
	struct uxdp_map_resize resize[MAX_RESIZE];
	const char *input;
	const char *program;
	const char *output;
	bool list, raw, xdp;
	int verbose;
	enum uxdp_verify_mode verify;
};

/* --map-size MAP=N / --map-value-size MAP=N / --map-flags MAP=N, merged per map. */
static int parse_resize(struct cli *cli, char *arg, int opt)
{
	char *eq = strrchr(arg, '='), *end;
	bool flags = opt == OPT_MAP_FLAGS;
	unsigned long n;
	size_t k;

	if (!eq || eq == arg)
		return usage_error("expected MAP=N, not '%s'", arg);
	errno = 0;
	n = strtoul(eq + 1, &end, 0);
	if (errno || end == eq + 1 || *end || (n == 0 && !flags) || n > UINT32_MAX)
		return usage_error(flags ? "flags out of range (0..4294967295) in '%s'" :
					   "size out of range (1..4294967295) in '%s'",
				   arg);
	*eq = '\0';
	for (k = 0; k < cli->open.n_resize && strcmp(cli->resize[k].map, arg); k++)
		;
	if (k == MAX_RESIZE)
		return usage_error("%s", "too many maps resized");
	if (k == cli->open.n_resize)
		cli->resize[cli->open.n_resize++].map = arg;
	if (flags) {
		cli->resize[k].map_flags = (uint32_t)n;
		cli->resize[k].set_flags = true;
	} else if (opt == OPT_MAP_VALUE_SIZE) {
		cli->resize[k].value_size = (uint32_t)n;
	} else {
		cli->resize[k].max_entries = (uint32_t)n;
	}
	return EXIT_OK;
}

static int parse_args(int argc, char **argv, struct cli *cli)
{
	struct option longopts[N_OPTIONS + 1];
	int c;

	for (size_t k = 0; k < N_OPTIONS; k++)
		longopts[k] = options[k].opt;
	memset(&longopts[N_OPTIONS], 0, sizeof(longopts[0]));
	cli->opts.opt_level = 2;
	cli->opts.passes = (struct uxdp_pass_config){ .map_inline = true, .helper_inline = true,
						       .bounds_elim = true, .simd = true,
						       .rodata_fold = true, .stack_scope = true,
						       .addr_gep = true, .stack_split = true,
						       .stack_args = true };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:p:O:f:Svh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "no-map-inline"))
				cli->opts.passes.map_inline = false;
			else if (!strcmp(optarg, "no-helper-inline"))
				cli->opts.passes.helper_inline = false;
			else if (!strcmp(optarg, "no-bounds-elim"))
				cli->opts.passes.bounds_elim = false;
			else if (!strcmp(optarg, "no-simd"))
				cli->opts.passes.simd = false;
			else if (!strcmp(optarg, "no-rodata-fold"))
				cli->opts.passes.rodata_fold = false;
			else if (!strcmp(optarg, "no-stack-scope"))
				cli->opts.passes.stack_scope = false;
			else if (!strcmp(optarg, "no-addr-gep"))
				cli->opts.passes.addr_gep = false;
			else if (!strcmp(optarg, "no-stack-split"))
				cli->opts.passes.stack_split = false;
			else if (!strcmp(optarg, "no-stack-args"))
				cli->opts.passes.stack_args = false;
			else
				return usage_error("unknown option '-f%s'", optarg);
			break;
		case OPT_VERIFY:
			if (!strcmp(optarg, "auto"))
				cli->verify = UXDP_VERIFY_AUTO;
			else if (!strcmp(optarg, "kernel"))
				cli->verify = UXDP_VERIFY_KERNEL;
			else if (!strcmp(optarg, "none"))
				cli->verify = UXDP_VERIFY_NONE;
			else
				return usage_error("unknown --verify mode '%s' (auto, kernel, none)", optarg);
			break;
		case OPT_HELPERS_BC:
			cli->opts.passes.helpers_bc = optarg;
			break;
		case OPT_TARGET_BTF:
			cli->open.target.path = optarg;
			break;
		case OPT_MAP_SIZE:
		case OPT_MAP_VALUE_SIZE:
		case OPT_MAP_FLAGS:
			if (parse_resize(cli, optarg, c) != EXIT_OK)
				return EXIT_USAGE;
			break;
		case OPT_REMARKS:
			cli->opts.passes.remarks = true;
			break;
		case OPT_UNSAFE_NO_BOUNDS:
			cli->opts.passes.unsafe_no_bounds = true;
			break;
		case 'o':
			cli->output = optarg;
			break;
		case 'p':
			cli->program = optarg;
			break;
		case 'O':
			if (strlen(optarg) != 1 || optarg[0] < '0' || optarg[0] > '3')
				return usage_error("invalid optimisation level '-O%s'", optarg);
			cli->opts.opt_level = optarg[0] - '0';
			break;
		case 'S':
			cli->opts.emit = UXDP_EMIT_ASM;
			break;
		case OPT_EMIT_LLVM:
			cli->opts.emit = UXDP_EMIT_LLVM;
			break;
		case OPT_LIST:
			cli->list = true;
			break;
		case OPT_RAW:
			cli->raw = true;
			break;
		case OPT_XDP:
			cli->xdp = true;
			break;
		case OPT_MCPU:
			cli->opts.mcpu = optarg;
			break;
		case OPT_MATTR:
			cli->opts.mattr = optarg;
			break;
		case OPT_TARGET:
			cli->opts.triple = optarg;
			break;
		case 'v':
			cli->verbose++;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		case OPT_VERSION:
			print_version();
			exit(EXIT_OK);
		case ':':
			return usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return usage_error("%s", optind >= argc ? "no input file" : "more than one input file");
	cli->input = argv[optind];
	if (cli->xdp && !cli->raw)
		return usage_error("%s", "--xdp only goes with --raw");
	return EXIT_OK;
}

/*
 * The helpers' bitcode: --helpers-bc, $UXDP_HELPERS_BC, or relative to this
 * uxdpc: in the build tree ../runtime/helpers/, installed
 * UXDP_HELPERS_BC_REL.  No absolute build path is compiled in: an installed
 * uxdpc must not depend on the tree it was built in.  NULL if none exists;
 * the helper-inline pass then says so.
 */
static const char *find_helpers_bc(const char *given)
{
	static char buf[4096 + 64];
	static const char *const rel[] = { "/../runtime/helpers/uxdp_helpers.bc",
					   "/" UXDP_HELPERS_BC_REL };
	char exe[4096];
	ssize_t n;

	if (given)
		return given;
	if (getenv("UXDP_HELPERS_BC"))
		return getenv("UXDP_HELPERS_BC");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	for (size_t k = 0; k < sizeof(rel) / sizeof(rel[0]); k++) {
		snprintf(buf, sizeof(buf), "%s%s", exe, rel[k]);
		if (!access(buf, R_OK))
			return buf;
	}
	return NULL;
}

/* Default output: the input's base name with .aot.o, .ll or .s. */
static void default_output(const struct cli *cli, char *buf, size_t size)
{
	char tmp[4096], *base, *dot;
	const char *ext = cli->opts.emit == UXDP_EMIT_LLVM ? ".ll" :
			  cli->opts.emit == UXDP_EMIT_ASM  ? ".s" :
							     ".aot.o";

	snprintf(tmp, sizeof(tmp), "%s", cli->input);
	base = basename(tmp);
	dot = strstr(base, ".bpf.o");
	if (!dot)
		dot = strrchr(base, '.');
	if (dot && dot != base)
		*dot = '\0';
	snprintf(buf, size, "%s%s", base, ext);
}

/* ` values SLOT=TARGET...`: the `.values` slots of a prog_array or map of maps. */
static void print_slot_inits(const struct uxdp_object *obj, const struct uxdp_map_info *m)
{
	const char *sep = " values ";

	for (uint32_t slot = 0; slot < uxdp_map_n_slots(m); slot++) {
		uint32_t v = uxdp_map_slot_target(obj, m, slot);

		if (!v)
			continue;
		printf("%s%u=%s", sep, slot,
		       m->type == BPF_MAP_TYPE_PROG_ARRAY ? obj->progs[v - 1].name :
							   obj->maps[v - 1].name);
		sep = ",";
	}
}

static void list_object(const struct uxdp_object *obj)
{
	for (size_t k = 0; k < obj->n_progs; k++) {
		const struct uxdp_prog *p = &obj->progs[k];
		bool seen[256] = { false }, first = true;

		printf("program %s section %s insns %zu helpers ", p->name, p->section, p->n_insns);
		for (size_t i = 0; i < p->n_insns; i++) {
			const struct ebpf_insn *in = &p->insns[i];
			if (in->opcode == EBPF_OP_LDDW) {
				i++;
				continue;
			}
			if (in->opcode != EBPF_OP_CALL || in->src != EBPF_PSEUDO_CALL_HELPER ||
			    in->imm < 0 || in->imm >= 256 || seen[in->imm])
				continue;
			seen[in->imm] = true;
			const char *name = uxdp_helper_name(in->imm);
			if (name)
				printf("%s%s", first ? "" : ",", name);
			else
				printf("%s%d", first ? "" : ",", in->imm);
			first = false;
		}
		printf("%s\n", first ? "-" : "");
	}
	for (size_t k = 0; k < obj->n_maps; k++) {
		const struct uxdp_map_info *m = &obj->maps[k];
		printf("map %s type %s key %u value %u max_entries %u flags 0x%x", m->name,
		       uxdp_map_type_name(m->type), m->key_size, m->value_size, m->max_entries,
		       m->map_flags);
		if (m->inner_map >= 0)
			printf(" inner %s", obj->maps[m->inner_map].name);
		if (m->spin_lock_off != UINT32_MAX)
			printf(" spin_lock_off %u", m->spin_lock_off);
		if (m->kind == UXDP_MAP_KIND_INNER)
			printf(" template");
		print_slot_inits(obj, m);
		printf("\n");
	}
	for (size_t k = 0; k < obj->n_others; k++)
		printf("other %s section %s type %s (not XDP: not compiled)\n", obj->others[k].name,
		       obj->others[k].section, obj->others[k].type);
	printf("core_relocations %zu\n", obj->n_core_relos);
	/* What uxdpc's own analysis makes of each program (without the kernel). */
	for (size_t k = 0; k < obj->n_progs && obj->progs[k].type == UXDP_PROG_XDP; k++) {
		struct uxdp_diag d = { 0 };
		unsigned guards = 0, budget = 0;

		if (uxdp_confine_program(obj, k, &guards, &budget, &d))
			printf("confinement %s refused: %s\n", obj->progs[k].name, d.msg);
		else
			printf("confinement %s uxdp checks %u back-edges %u\n", obj->progs[k].name,
			       guards, budget);
	}
}

static int run(struct cli *cli)
{
	bool tty = isatty(STDERR_FILENO);
	struct uxdp_diag diag = {
		.verbose = cli->verbose,
		.progress = !cli->list && (tty || cli->verbose),
		/* Remarks print lines of their own while LLVM runs: no status line then. */
		.progress_in_place = tty && !cli->verbose && !cli->opts.passes.remarks,
	};
	struct uxdp_object *obj = NULL;
	char outbuf[4096];
	int err;

	if (cli->raw) {
		char tmp[4096], *base, *dot;
		snprintf(tmp, sizeof(tmp), "%s", cli->input);
		base = basename(tmp);
		dot = strchr(base, '.');
		if (dot && dot != base)
			*dot = '\0';
		err = uxdp_object_open_raw(cli->input, cli->program ? cli->program : base, cli->xdp,
					   &obj, &diag);
	} else if (cli->list && uxdp_list_aot(cli->input, &diag) != -ENOEXEC) {
		return diag.msg[0] ? (fprintf(stderr, "uxdpc: %s\n", diag.msg), EXIT_COMPILE) : EXIT_OK;
	} else {
		cli->open.select = cli->program;
		cli->open.all = cli->list && !cli->program;
		cli->open.resize = cli->resize;
		err = uxdp_object_open_opts(cli->input, NULL, 0, &cli->open, &obj, &diag);
	}
	if (!err && !cli->list && !cli->raw)
		err = uxdp_object_check_sizes(obj, &diag);
	if (!err && cli->list) {
		list_object(obj);
	} else if (!err) {
		if (!cli->output)
			default_output(cli, outbuf, sizeof(outbuf));
		cli->opts.output = cli->output ? cli->output : outbuf;
		cli->opts.passes.helpers_bc = find_helpers_bc(cli->opts.passes.helpers_bc);
		cli->opts.verify = cli->raw ? UXDP_VERIFY_NONE : cli->verify;
		if (cli->opts.opt_level >= 2 && cli->opts.passes.helper_inline)
			diag_note(&diag, 1, "helpers: %s", cli->opts.passes.helpers_bc ?
							       cli->opts.passes.helpers_bc : "none found");
		cli->opts.unconfined = cli->raw;
		err = uxdp_compile(obj, &cli->opts, &diag);
		if (!err)
			diag_note(&diag, 1, "%s: wrote %s (%zu program%s)", obj->name,
				  cli->opts.output, obj->n_progs, obj->n_progs == 1 ? "" : "s");
	}
	uxdp_object_free(obj);
	diag_progress_end();
	if (err) {
		fprintf(stderr, "uxdpc: %s\n", diag.msg[0] ? diag.msg : strerror(-err));
		return EXIT_COMPILE;
	}
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	int rc = parse_args(argc, argv, &cli);

	if (rc != EXIT_OK)
		return rc;
	return run(&cli);
}
