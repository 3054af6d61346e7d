/* SPDX-License-Identifier: MIT */
/*
 * cmd.h - bpftool's command words: any prefix of an object or a command
 * names it (`uxdpctl m s` is `map show`), the first word of the table that
 * it begins wins, so tables list words in bpftool's order (prog before
 * perf, show before list before lookup).  Global options may also follow
 * the command, as bpftool's getopt lets them.
 */
#ifndef UXDPCTL_CMD_H
#define UXDPCTL_CMD_H

#include <stdbool.h>

/* The word of table (NULL-terminated) that word is a prefix of, or NULL. */
const char *uxdpctl_match(const char *word, const char *const *table);

#endif /* UXDPCTL_CMD_H */
