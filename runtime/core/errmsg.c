// SPDX-License-Identifier: MIT
/* errmsg.c - one error line for the caller (uxdp/errmsg.h). */
#include <stdarg.h>
#include <stdio.h>

#include <uxdp/errmsg.h>

int uxdp_errmsg(char *err, size_t err_size, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && err_size) {
		va_start(ap, fmt);
		vsnprintf(err, err_size, fmt, ap);
		va_end(ap);
	}
	return ret;
}
