// SPDX-License-Identifier: MIT
/*
 * uxdp-as - assemble uBPF-style eBPF assembly into raw instruction bytes.
 *
 *   uxdp-as IN.s -o OUT.bin
 *   uxdp-as --data FILE.data [-o OUT.bin] [--mem-out MEM.bin] [--print-result]
 *
 * Output is the little-endian 8-byte slots, as `uxdpc --raw` reads them.
 * Exit codes: 0 ok, 1 assembly or I/O error, 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uxdp/version.h>

#include "asm.h"
#include "data_file.h"

#define EXIT_USAGE 2

static void usage(FILE *f)
{
	fprintf(f, "usage: uxdp-as [-o OUT.bin] IN.s\n"
		   "       uxdp-as --data FILE.data [-o OUT.bin] [--mem-out MEM.bin] "
		   "[--print-result]\n"
		   "  -o, --output FILE   write the instruction bytes to FILE\n"
		   "  --data              the input is a bpf_conformance .data file\n"
		   "  --mem-out FILE      (--data) write the input memory bytes to FILE\n"
		   "  --print-result      (--data) print the expected result (or error)\n"
		   "  -h, --help          this text\n"
		   "  -V, --version       print the version\n"
		   "\n"
		   "Examples:\n"
		   "  uxdp-as prog.s -o prog.bin               assemble ('mov %%r0, 1' / 'exit')\n"
		   "  uxdpc --raw prog.bin -o prog.aot.o       compile the bytes with uxdpc\n"
		   "  uxdp-as --data test/conformance/tests/add.data --print-result\n"
		   "\n"
		   "Exit status: 0 success, 1 assembly or I/O error, 2 usage error.  See uxdp-as(1).\n");
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "uxdp-as: %s%s%s (uxdp-as -h for help)\n", what, arg ? " " : "",
		arg ? arg : "");
	return EXIT_USAGE;
}

static int write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ret = 0;

	if (!f) {
		fprintf(stderr, "uxdp-as: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	if (len && fwrite(buf, 1, len, f) != len)
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -EIO;
	if (ret)
		fprintf(stderr, "uxdp-as: %s: write error\n", path);
	return ret;
}

static int write_insns(const char *path, const struct ebpf_insn *insns, size_t count)
{
	uint8_t *buf = malloc(count * 8 + 1);
	uint64_t w;
	size_t i;
	int ret, b;

	if (!buf) {
		fprintf(stderr, "uxdp-as: out of memory\n");
		return -ENOMEM;
	}
	/* Byte by byte so that the output is little-endian on any host. */
	for (i = 0; i < count; i++) {
		w = uxdp_asm_insn_word(&insns[i]);
		for (b = 0; b < 8; b++)
			buf[i * 8 + b] = (uint8_t)(w >> (8 * b));
	}
	ret = write_file(path, buf, count * 8);
	free(buf);
	return ret;
}

static char *read_text(const char *path)
{
	size_t size = 0, cap = 4096, n;
	char *text = malloc(cap), *p;
	FILE *f;

	if (!text)
		return NULL;
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "uxdp-as: %s: %s\n", path, strerror(errno));
		free(text);
		return NULL;
	}
	while ((n = fread(text + size, 1, cap - size - 1, f)) > 0) {
		size += n;
		if (cap - size - 1 == 0) {
			p = realloc(text, cap * 2);
			if (!p) {
				free(text);
				fclose(f);
				fprintf(stderr, "uxdp-as: out of memory\n");
				return NULL;
			}
			text = p;
			cap *= 2;
		}
	}
	fclose(f);
	text[size] = '\0';
	if (strlen(text) != size) {
		fprintf(stderr, "uxdp-as: %s: NUL byte in input\n", path);
		free(text);
		return NULL;
	}
	return text;
}

int main(int argc, char **argv)
{
	enum { OPT_DATA = 256, OPT_MEM_OUT, OPT_PRINT_RESULT };
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"data", no_argument, NULL, OPT_DATA},
	    {"mem-out", required_argument, NULL, OPT_MEM_OUT},
	    {"print-result", no_argument, NULL, OPT_PRINT_RESULT},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {0},
	};
	const char *out = NULL, *mem_out = NULL, *in;
	struct uxdp_data_file *df = NULL;
	struct ebpf_insn *insns = NULL;
	bool data = false, print_result = false;
	char err[512], *text;
	size_t count = 0;
	int c, ret, line;

	opterr = 0; /* one line of our own */
	while ((c = getopt_long(argc, argv, ":o:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case OPT_DATA:
			data = true;
			break;
		case OPT_MEM_OUT:
			mem_out = optarg;
			break;
		case OPT_PRINT_RESULT:
			print_result = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("uxdp-as %s\n", UXDP_VERSION);
			return 0;
		case ':':
			return usage_error("option needs an argument:", argv[optind - 1]);
		default:
			return usage_error("unknown option", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return usage_error(optind >= argc ? "no input file" : "more than one input file",
				   NULL);
	if (!data && (mem_out || print_result))
		return usage_error("--mem-out and --print-result need --data", NULL);
	in = argv[optind];

	if (!data) {
		text = read_text(in);
		if (!text)
			return 1;
		ret = uxdp_asm_text(text, &insns, &count, err, sizeof(err));
		free(text);
		if (ret) {
			fprintf(stderr, "uxdp-as: %s:%s\n", in,
				ret == -EINVAL ? err : " out of memory");
			return 1;
		}
		ret = out ? write_insns(out, insns, count) : 0;
		free(insns);
		return ret ? 1 : 0;
	}

	ret = uxdp_data_file_load(in, &df, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "uxdp-as: %s:%s\n", in, err);
		return 1;
	}
	ret = uxdp_data_file_program(df, &insns, &count, err, sizeof(err), &line);
	if (ret) {
		fprintf(stderr, "uxdp-as: %s:%s\n", in, ret == -EINVAL ? err : " out of memory");
		uxdp_data_file_free(df);
		return 1;
	}
	if (out)
		ret = write_insns(out, insns, count);
	if (!ret && mem_out)
		ret = write_file(mem_out, df->mem, df->mem_len);
	if (!ret && print_result) {
		if (df->error)
			printf("error: %s\n", df->error);
		else if (df->has_result)
			printf("0x%" PRIx64 "\n", df->result);
		else
			printf("none\n");
	}
	free(insns);
	uxdp_data_file_free(df);
	return ret ? 1 : 0;
}
