/* SPDX-License-Identifier: MIT */
/*
 * fuzz_loader.c - libFuzzer target: bytes -> the runtime loader.
 *
 * The input is an x86-64 relocatable object as uxdpc writes it.  Every
 * undefined symbol resolves to one dummy function, so that the loader goes
 * on to relocate and to parse uxdp_meta; nothing loaded is ever run.
 */
#include <stddef.h>
#include <stdint.h>

#include <uxdp/loader.h>

static uint64_t dummy(void)
{
	return 0;
}

static void *resolve_any(const char *name, void *arg)
{
	return (void *)dummy;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct uxdp_meta_header *const *records;
	struct uxdp_image *img;
	char err[256];

	if (uxdp_image_load_mem(data, size, resolve_any, NULL, &img, err, sizeof(err)))
		return 0;
	uxdp_image_meta(img, &records);
	uxdp_image_symbol(img, "xdp_prog");
	uxdp_image_free(img);
	return 0;
}
