/* SPDX-License-Identifier: MIT */
/* Compiled by the host compiler: an ELF object for x86-64, not BPF. */
int uxdp_not_bpf(int x)
{
	return x + 1;
}
