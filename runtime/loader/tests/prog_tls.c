// SPDX-License-Identifier: MIT
/*
 * prog_tls.c - a stand-in for uxdpc output that reads the runtime's
 * thread-local worker index the way inlined per-CPU lookups do: local-exec
 * TLS, one %fs-relative load the loader patches (R_X86_64_TPOFF32).
 */
extern __thread unsigned int host_tls __attribute__((tls_model("local-exec")));

unsigned int read_tls(void)
{
	return host_tls;
}
