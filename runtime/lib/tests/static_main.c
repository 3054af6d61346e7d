// SPDX-License-Identifier: MIT
/*
 * static_main - runtime.static.link: a program linked as a user would,
 *
 *	cc static_prog.aot.o static_main.c -luxdp -lpcap -lpthread -lrt
 *
 * binds the linked object with uxdp_object_open_linked(), runs it on
 * hand-made packets in a driver-like frame and checks the verdicts, the
 * packet bytes and the maps.  Built with -DUXDP_NO_OBJECT and nothing else
 * linked in, it checks that a binary without any compiled object links (the
 * weak __start_uxdp_meta) and is told so.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uxdp/driver.h>
#include <uxdp/map.h>
#include <uxdp/runtime.h>
#include <uxdp/worker.h>

static int failures;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
			failures++;                                        \
		}                                                          \
	} while (0)

#ifdef UXDP_NO_OBJECT
int main(void)
{
	struct uxdp_object *obj = NULL;
	char err[256];
	int ret;

	ret = uxdp_object_open_linked(NULL, &obj, err, sizeof(err));
	CHECK(ret == -ENOENT && !obj, "open_linked without objects: %d (%s)", ret, err);
	if (failures)
		return 1;
	printf("ok: no linked object: %s\n", err);
	return 0;
}
#else

struct pkt {
	const char *what;
	uint16_t ethertype;   /* 0: no Ethernet header */
	size_t len;
	unsigned int verdict; /* expected */
};

static const struct pkt pkts[] = {
	{ "runt", 0, 10, UXDP_ABORTED },
	{ "ipv4", 0x0800, 60, UXDP_PASS },
	{ "arp", 0x0806, 42, UXDP_TX },
	{ "ipv6", 0x86dd, 78, UXDP_DROP },
	{ "ipv4 again", 0x0800, 64, UXDP_PASS },
};

#define N_PKTS (sizeof(pkts) / sizeof(pkts[0]))

static const uint8_t dst_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t src_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

/* Run fn on one packet in a frame laid out as the drivers do (driver.h). */
static unsigned int run(uxdp_prog_fn fn, struct uxdp_worker *w, uint8_t *frame,
			const struct pkt *p)
{
	struct uxdp_ctx ctx = {
		.data_hard_start = frame,
		.data = frame + UXDP_HEADROOM,
		.data_meta = frame + UXDP_HEADROOM,
		.data_end = frame + UXDP_HEADROOM + p->len,
		.frame_end = frame + UXDP_FRAME_SIZE,
		.ingress_ifindex = 1,
		.worker = w,
	};
	uint8_t *d = ctx.data;
	unsigned int v;
	size_t i;

	memset(frame, 0, UXDP_FRAME_SIZE);
	for (i = 0; i < p->len; i++)
		d[i] = (uint8_t)i;
	if (p->ethertype) {
		memcpy(d, dst_mac, 6);
		memcpy(d + 6, src_mac, 6);
		d[12] = p->ethertype >> 8;
		d[13] = p->ethertype & 0xff;
	}
	v = uxdp_verdict_of(fn(&ctx));
	uxdp_redirect_clear(&w->redirect);
	if (v == UXDP_TX) {
		CHECK(memcmp(ctx.data, src_mac, 6) == 0 && memcmp(ctx.data + 6, dst_mac, 6) == 0,
		      "%s: MAC addresses not swapped", p->what);
	}
	return v;
}

static uint64_t u64_at(struct uxdp_map *map, const void *key)
{
	uint64_t v = UINT64_MAX;
	int ret = uxdp_map_lookup_elem_copy(map, key, &v);

	return ret ? UINT64_MAX - 1 : v;
}

int main(void)
{
	struct uxdp_object_opts opts = { .sz = sizeof(opts), .ncpus = 1, .unlink_on_close = true };
	uint64_t want_verdicts[UXDP_N_VERDICTS] = { 0 }, want_bytes = 0;
	struct uxdp_object *obj = NULL, *again = NULL;
	struct uxdp_map *verdicts, *by_proto, *bss, *seen, *rodata;
	const struct uxdp_program *prog, *progs;
	struct uxdp_worker w;
	char instance[64], err[256];
	uint8_t *frame;
	uint32_t key;
	uint16_t proto;
	size_t i;
	int ret;

	snprintf(instance, sizeof(instance), "static_link_%d", (int)getpid());
	opts.instance = instance;
	ret = uxdp_object_open_linked(&opts, &obj, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "FAIL open_linked: %s\n", err);
		return 1;
	}
	ret = uxdp_object_open_linked(&opts, &again, err, sizeof(err));
	CHECK(ret == -EBUSY && !again, "second open_linked: %d, want -EBUSY", ret);

	CHECK(uxdp_object_programs(obj, &progs) == 1, "want one program");
	prog = uxdp_object_program(obj, NULL);
	CHECK(prog && strcmp(prog->name, "xdp_static") == 0 && prog->type == UXDP_PROG_XDP,
	      "program xdp_static not found");
	verdicts = uxdp_object_map(obj, "verdicts");
	by_proto = uxdp_object_map(obj, "by_proto");
	bss = uxdp_object_map(obj, ".bss");
	seen = uxdp_object_map(obj, "seen");
	CHECK(verdicts && by_proto && bss && seen, "maps verdicts, by_proto, .bss, seen not all bound");
	/* the object's constants are frozen, as libbpf freezes .rodata; its data is not */
	rodata = uxdp_object_map(obj, ".rodata");
	CHECK(rodata && uxdp_map_frozen(rodata), ".rodata not bound or not frozen");
	CHECK(bss && !uxdp_map_frozen(bss), ".bss frozen");
	if (failures || !prog)
		goto out;

	frame = aligned_alloc(64, UXDP_FRAME_SIZE);
	if (!frame) {
		CHECK(0, "out of memory");
		goto out;
	}
	uxdp_this_cpu = 0;
	uxdp_worker_init(&w, 0);
	uxdp_worker_seed(&w, 1);
	uxdp_worker_set_current(&w);
	for (i = 0; i < N_PKTS; i++) {
		unsigned int v = run(prog->fn, &w, frame, &pkts[i]);

		CHECK(v == pkts[i].verdict, "%s: verdict %s, want %s", pkts[i].what,
		      uxdp_verdict_name(v), uxdp_verdict_name(pkts[i].verdict));
		want_verdicts[pkts[i].verdict]++;
		want_bytes += pkts[i].len;
	}
	uxdp_worker_set_current(NULL);
	free(frame);

	for (key = 0; key < UXDP_N_VERDICTS; key++)
		CHECK(u64_at(verdicts, &key) == want_verdicts[key],
		      "verdicts[%u] = %llu, want %llu", key, (unsigned long long)u64_at(verdicts, &key),
		      (unsigned long long)want_verdicts[key]);
	proto = htons(0x0800);
	CHECK(u64_at(by_proto, &proto) == 2, "by_proto[IPv4] = %llu, want 2",
	      (unsigned long long)u64_at(by_proto, &proto));
	proto = htons(0x0806);
	CHECK(u64_at(by_proto, &proto) == 1, "by_proto[ARP] = %llu, want 1",
	      (unsigned long long)u64_at(by_proto, &proto));
	proto = htons(0x1234);
	CHECK(u64_at(by_proto, &proto) == UINT64_MAX - 1, "by_proto has an EtherType never seen");
	key = 0;
	/* ncpus 1: the one slot, which the program found through uxdp_this_cpu */
	CHECK(u64_at(seen, &key) == N_PKTS, "seen[0] = %llu, want %zu",
	      (unsigned long long)u64_at(seen, &key), N_PKTS);
	CHECK(u64_at(bss, &key) == want_bytes, "total_bytes = %llu, want %llu",
	      (unsigned long long)u64_at(bss, &key), (unsigned long long)want_bytes);
out:
	uxdp_object_close(obj);
	/* Closing released the binding: it can be opened again. */
	ret = uxdp_object_open_linked(&opts, &again, err, sizeof(err));
	CHECK(ret == 0, "reopen after close: %s", err);
	uxdp_object_close(again);
	uxdp_map_unlink_instance(instance);
	if (failures)
		return 1;
	printf("ok: %zu packets, verdicts and maps as expected\n", N_PKTS);
	return 0;
}
#endif
