// SPDX-License-Identifier: MIT
/*
 * prog_tls.c - a stand-in for compiled code that reads a runtime
 * thread-local with the local-exec model: one %fs-relative load whose
 * offset the loader patches in (R_X86_64_TPOFF32).  uxdpc emits the
 * initial-exec form (prog_tls_ie.c); the loader takes both.
 */
extern __thread unsigned int host_tls __attribute__((tls_model("local-exec")));

unsigned int read_tls(void)
{
	return host_tls;
}
