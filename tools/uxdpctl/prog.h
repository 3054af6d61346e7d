/* SPDX-License-Identifier: MIT */
/*
 * prog.h - uxdpctl's daemon and instance words (prog.c).
 */
#ifndef UXDPCTL_PROG_H
#define UXDPCTL_PROG_H

#include <stdbool.h>

#include "uxdp_json.h"

/* `prog ...` from argv[pos] on; returns the exit status. */
int uxdpctl_prog(const char *instance, bool json, struct uxdp_json *j, int argc, char **argv,
		 int pos);
/* One instance of `instance list`: its owner, liveness, programs (JSON: an object). */
void uxdpctl_instance_row(const char *name, bool json, struct uxdp_json *j);
/* Under `stats`: one line per program version of the instance's live uxdpd, if any. */
void uxdpctl_stats_versions(const char *instance);
/* 1 (after saying so) if a live data plane owns the instance, else 0. */
int uxdpctl_instance_busy(const char *name);

#endif /* UXDPCTL_PROG_H */
