// SPDX-License-Identifier: MIT
/*
 * confine.c - what a confined program's failed check reaches in the runtime.
 *
 * uxdpc puts run-time checks before the accesses it could not prove inside
 * their region, and counts backward jumps (compiler/confine.c,
 * include/uxdp/confine_abi.h).  A failed check calls uxdp_confine_abort():
 * the run ends as XDP_ABORTED, and the program's counters say how often,
 * why and where (the eBPF instruction).  Counters live in a fixed table
 * keyed by the program's entry point, filled when an object is bound, so
 * that the abort path, which may run in any worker, takes no lock.
 *
 * uxdp_request_stop() is for signal handlers: the next poll of every
 * confined program's loop budget ends its run (a program stuck in a loop
 * stops within 1024 backward jumps).
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include <uxdp/confine_abi.h>
#include <uxdp/runtime.h>
#include <uxdp/worker.h>

#define MAX_PROGS 4096

struct confine_slot {
	_Atomic(const void *) entry;
	_Atomic uint64_t aborts;
	_Atomic uint64_t by_reason[UXDP_CONFINE_NR_REASONS];
	_Atomic uint32_t last_insn;
	_Atomic uint32_t last_reason;
};

static struct confine_slot slots[MAX_PROGS];
static struct confine_slot unknown_prog; /* aborts of programs bound elsewhere */
static atomic_int stop_requested;

static struct confine_slot *slot_of(const void *entry)
{
	for (size_t i = 0; i < MAX_PROGS; i++)
		if (atomic_load_explicit(&slots[i].entry, memory_order_acquire) == entry)
			return &slots[i];
	return NULL;
}

static void slot_reset(struct confine_slot *s)
{
	atomic_store(&s->aborts, 0);
	for (int r = 0; r < UXDP_CONFINE_NR_REASONS; r++)
		atomic_store(&s->by_reason[r], 0);
	atomic_store(&s->last_insn, 0);
	atomic_store(&s->last_reason, 0);
}

int uxdp_confine_register(const void *entry)
{
	if (!entry || slot_of(entry))
		return 0;
	for (size_t i = 0; i < MAX_PROGS; i++) {
		const void *none = NULL;

		if (atomic_load(&slots[i].entry))
			continue;
		slot_reset(&slots[i]);
		if (atomic_compare_exchange_strong(&slots[i].entry, &none, entry))
			return 0;
	}
	return -ENOSPC;
}

void uxdp_confine_unregister(const void *entry)
{
	struct confine_slot *s = entry ? slot_of(entry) : NULL;

	if (s)
		atomic_store_explicit(&s->entry, NULL, memory_order_release);
}

void uxdp_confine_abort(struct uxdp_ctx *ctx, const void *entry, uint32_t insn, uint32_t reason)
{
	struct confine_slot *s = slot_of(entry);

	if (!s)
		s = &unknown_prog;
	if (reason >= UXDP_CONFINE_NR_REASONS)
		reason = UXDP_CONFINE_OK;
	atomic_fetch_add_explicit(&s->aborts, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->by_reason[reason], 1, memory_order_relaxed);
	atomic_store_explicit(&s->last_insn, insn, memory_order_relaxed);
	atomic_store_explicit(&s->last_reason, reason, memory_order_relaxed);
	/* Every frame returns at once, as after a tail call: with XDP_ABORTED. */
	ctx->tail_call_ret = 0;
	ctx->tail_called = 1;
}

uint32_t uxdp_confine_poll(struct uxdp_ctx *ctx)
{
	const struct uxdp_worker *w = ctx->worker;

	/* the datapath's per-worker flag (uxdp_dp_stop), or ours */
	if ((w && __atomic_load_n(&w->stop, __ATOMIC_RELAXED)) ||
	    atomic_load_explicit(&stop_requested, memory_order_relaxed))
		return UXDP_CONFINE_STOPPED;
	if (ctx->loop_budget == 0)
		return UXDP_CONFINE_LOOP_BUDGET;
	return 0;
}

void uxdp_request_stop(void)
{
	atomic_store_explicit(&stop_requested, 1, memory_order_relaxed);
}

void uxdp_clear_stop(void)
{
	atomic_store_explicit(&stop_requested, 0, memory_order_relaxed);
}

bool uxdp_stop_is_requested(void)
{
	return atomic_load_explicit(&stop_requested, memory_order_relaxed) != 0;
}

void uxdp_program_confine_stats(const struct uxdp_program *p, struct uxdp_confine_stats *out)
{
	const struct confine_slot *s = p ? slot_of((const void *)p->fn) : &unknown_prog;

	memset(out, 0, sizeof(*out));
	if (!s)
		return;
	out->aborts = atomic_load(&s->aborts);
	for (int r = 0; r < UXDP_CONFINE_NR_REASONS; r++)
		out->by_reason[r] = atomic_load(&s->by_reason[r]);
	out->last_insn = atomic_load(&s->last_insn);
	out->last_reason = atomic_load(&s->last_reason);
}

const char *uxdp_confine_reason_name(uint32_t reason)
{
	static const char *const names[UXDP_CONFINE_NR_REASONS] = {
		[UXDP_CONFINE_OK] = "none",
		[UXDP_CONFINE_PACKET] = "packet access out of bounds",
		[UXDP_CONFINE_META] = "metadata access out of bounds",
		[UXDP_CONFINE_STACK] = "stack access out of bounds",
		[UXDP_CONFINE_HELPER_ARG] = "helper argument out of bounds",
		[UXDP_CONFINE_LOOP_BUDGET] = "loop budget spent",
		[UXDP_CONFINE_STOPPED] = "stop requested",
	};

	return reason < UXDP_CONFINE_NR_REASONS ? names[reason] : "unknown";
}

const char *uxdp_confinement_name(uint32_t word)
{
	if (word & UXDP_CONFINE_KERNEL)
		return "kernel verifier";
	if (!(word & UXDP_CONFINE_UXDP))
		return "unconfined";
	if (word & (UXDP_CONFINE_GUARDS | UXDP_CONFINE_BUDGET))
		return "uxdp proof with run-time checks";
	return "uxdp proof";
}
