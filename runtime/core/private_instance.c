// SPDX-License-Identifier: MIT
/*
 * private_instance.c - private map instances: their names, and removing
 * them, also for runs that died without doing it (uxdp/private_instance.h).
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <uxdp/map.h>
#include <uxdp/private_instance.h>
#include <uxdp/stats_shm.h>
#include <uxdp/xsk_ring.h>

/* The segment name prefixes an instance owns: maps, xskmap rings, counters. */
static const char *const segment_prefixes[] = { "uxdp.", "uxdp-xsk.", "uxdp-stats.", "uxdp-run." };

/*
 * Start time of pid (clock ticks since boot), field 22 of /proc/PID/stat.
 * The command name (field 2) may hold spaces and parentheses: count from
 * the last ')'.  -ENOENT if there is no such process.
 */
static int start_time(pid_t pid, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	FILE *f;
	size_t n;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p)
		return -EPROTO;
	/* After ") " comes field 3 (state); field 22 is 19 fields further. */
	for (field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", start) != 1)
		return -EPROTO;
	return 0;
}

int uxdp_private_instance_name(char *buf, size_t size)
{
	unsigned long long start;
	int n, err = start_time(getpid(), &start);

	if (err)
		return err;
	n = snprintf(buf, size, UXDP_PRIVATE_PREFIX "%d-%llu", (int)getpid(), start);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* "private-PID-START" exactly; the parts out. */
static bool parse_private(const char *instance, pid_t *pid, unsigned long long *start)
{
	const char *s = instance;
	char *end;
	long p;

	if (strncmp(s, UXDP_PRIVATE_PREFIX, strlen(UXDP_PRIVATE_PREFIX)))
		return false;
	s += strlen(UXDP_PRIVATE_PREFIX);
	if (*s < '0' || *s > '9')
		return false;
	p = strtol(s, &end, 10);
	if (*end != '-' || p <= 0 || p > INT32_MAX)
		return false;
	s = end + 1;
	if (*s < '0' || *s > '9')
		return false;
	*start = strtoull(s, &end, 10);
	*pid = (pid_t)p;
	return !*end;
}

bool uxdp_private_instance_dead(const char *instance)
{
	unsigned long long start, now;
	pid_t pid;
	int err;

	if (!parse_private(instance, &pid, &start))
		return false;
	err = start_time(pid, &now);
	if (err == -ENOENT || err == -ESRCH)
		return true;
	/* Unreadable: assume alive.  Another start time: the pid was reused. */
	return !err && now != start;
}

/* The instance a segment name belongs to, if it has one of our prefixes. */
static bool segment_instance(const char *seg, char *inst, size_t size)
{
	size_t i, len;
	const char *s, *dot;

	for (i = 0; i < sizeof(segment_prefixes) / sizeof(*segment_prefixes); i++) {
		len = strlen(segment_prefixes[i]);
		if (strncmp(seg, segment_prefixes[i], len))
			continue;
		s = seg + len;
		dot = strchr(s, '.');
		len = dot ? (size_t)(dot - s) : strlen(s);
		if (!len || len >= size)
			return false;
		memcpy(inst, s, len);
		inst[len] = 0;
		return true;
	}
	return false;
}

/*
 * Unlink every segment named after instance, by name only: nothing is
 * opened, so a segment a dying run left half-made is removed too.
 */
static int sweep(const char *instance)
{
	char inst[UXDP_INSTANCE_LEN], name[300];
	struct dirent *de;
	DIR *d;
	int err = 0;

	d = opendir("/dev/shm");
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (!segment_instance(de->d_name, inst, sizeof(inst)) || strcmp(inst, instance))
			continue;
		snprintf(name, sizeof(name), "/%s", de->d_name);
		if (shm_unlink(name) < 0 && errno != ENOENT)
			err = -errno;
	}
	closedir(d);
	return err;
}

int uxdp_private_instance_remove(const char *instance)
{
	/* The map layer first, which knows its own segments, then by name. */
	uxdp_map_unlink_instance(instance);
	uxdp_xsk_ring_unlink_instance(instance);
	uxdp_stats_shm_unlink(instance);
	return sweep(instance);
}

int uxdp_private_instance_reclaim(void (*removed)(const char *instance, void *arg), void *arg)
{
	char (*dead)[UXDP_INSTANCE_LEN] = NULL, inst[UXDP_INSTANCE_LEN];
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d;

	d = opendir("/dev/shm");
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (!segment_instance(de->d_name, inst, sizeof(inst)) ||
		    !uxdp_private_instance_dead(inst))
			continue;
		for (i = 0; i < n && strcmp(dead[i], inst); i++)
			;
		if (i < n)
			continue;
		if (n == cap) {
			void *g = realloc(dead, (cap ? cap * 2 : 8) * sizeof(*dead));

			if (!g)
				break;
			dead = g;
			cap = cap ? cap * 2 : 8;
		}
		memcpy(dead[n++], inst, sizeof(inst));
	}
	closedir(d);
	/* A dead run's segments may be half-made: by name only, never opened. */
	for (i = 0; i < n; i++) {
		sweep(dead[i]);
		if (removed)
			removed(dead[i], arg);
	}
	free(dead);
	return (int)n;
}
