// SPDX-License-Identifier: MIT
/*
 * devmap_set INSTANCE MAP KEY VALUE - set a u32 -> u32 entry of a map of a
 * running uxdp, waiting up to 10 s for uxdp to create the map.  A test
 * stand-in for `uxdpctl update`.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uxdp/map.h>

int main(int argc, char **argv)
{
	struct uxdp_map *map = NULL;
	uint32_t key, value;
	int ret = -ENOENT, i;

	if (argc != 5) {
		fprintf(stderr, "usage: devmap_set INSTANCE MAP KEY VALUE\n");
		return 2;
	}
	key = strtoul(argv[3], NULL, 0);
	value = strtoul(argv[4], NULL, 0);
	for (i = 0; i < 100 && ret == -ENOENT; i++) {
		ret = uxdp_map_open(argv[1], argv[2], &map);
		if (ret == -ENOENT)
			usleep(100 * 1000);
	}
	if (!ret)
		ret = uxdp_map_update_elem(map, &key, &value, 0);
	if (ret) {
		fprintf(stderr, "devmap_set: %s/%s: %s\n", argv[1], argv[2], strerror(-ret));
		return 1;
	}
	uxdp_map_close(map);
	return 0;
}
