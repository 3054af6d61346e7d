// SPDX-License-Identifier: MIT
/*
 * prog_basic.c - a stand-in for uxdpc output, built with clang -fPIC -O2.
 * It exercises what the loader must relocate: writable globals, .bss, a
 * switch jump table in .rodata, a table of code pointers (R_X86_64_64),
 * a COMMON symbol, and an external function and variable from the host.
 */
extern long host_add(long a, long b);
extern long host_value;

long counter = 40;
long zeroed[64];
__attribute__((common)) long common_var;

static long op_add(long a) { return a + 1; }
static long op_dbl(long a) { return a * 2; }
static long op_neg(long a) { return -a; }
long (*const ops[3])(long) = { op_add, op_dbl, op_neg };

long bump(void)
{
	return ++counter;
}

long pick(int k)
{
	/* dense cases become a jump table in .rodata */
	switch (k) {
	case 0: return 11;
	case 1: return 23;
	case 2: return 37;
	case 3: return 41;
	case 4: return 59;
	case 5: return 67;
	case 6: return 73;
	default: return -1;
	}
}

long call_host(long a, long b)
{
	return host_add(a, b) + host_value;
}

long apply(int i, long a)
{
	return ops[i % 3](a);
}

long fill(long v)
{
	long s = 0;

	for (int i = 0; i < 64; i++)
		zeroed[i] += v + i;
	for (int i = 0; i < 64; i++)
		s += zeroed[i];
	common_var += s;
	return common_var;
}
