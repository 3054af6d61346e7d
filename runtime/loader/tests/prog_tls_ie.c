// SPDX-License-Identifier: MIT
/*
 * prog_tls_ie.c - the same read with the initial-exec model (a GOT entry
 * of the offset, R_X86_64_GOTTPOFF), which the loader refuses by name.
 */
extern __thread unsigned int host_tls __attribute__((tls_model("initial-exec")));

unsigned int read_tls(void)
{
	return host_tls;
}
