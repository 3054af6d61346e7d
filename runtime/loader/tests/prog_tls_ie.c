// SPDX-License-Identifier: MIT
/*
 * prog_tls_ie.c - the same read with the initial-exec model, as uxdpc
 * emits it: a GOT slot holding the offset (R_X86_64_GOTTPOFF), then an
 * %fs-relative load.
 */
extern __thread unsigned int host_tls __attribute__((tls_model("initial-exec")));

unsigned int read_tls(void)
{
	return host_tls;
}
