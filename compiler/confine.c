/* SPDX-License-Identifier: MIT */
/*
 * confine.c - which region every pointer points into, and how far.
 *
 * Without the kernel verifier, nothing else stands between a program and
 * the rest of the process.  This is an abstract interpretation over every
 * path, like the verifier's register tracking reduced to what confinement
 * needs: for each register and 8-byte stack slot, its kind (scalar, ctx,
 * packet, packet end, metadata, stack of this frame or of the caller, map,
 * map value of map M, ringbuf record of N bytes, each "or NULL" until a null
 * check) and a range: the value of a scalar, the offset of a pointer.
 *
 * Every memory access and every pointer a helper receives is then
 *   - proven inside its region (stack at a known offset, map values and
 *     ringbuf records always: their offsets must be known ranges),
 *   - or given a run-time check (packet and metadata accesses, stack
 *     accesses at a variable offset): the lifter compares the address with
 *     the region's bounds and ends the run as XDP_ABORTED when it is out,
 *   - or refused, with the kernel's reason ("invalid mem access 'scalar'").
 * A backward jump (every loop has one) counts against a per-packet budget.
 *
 * Bytes of the stack a read may find uninitialised are zeroed at the frame's
 * entry: LLVM would otherwise see undef, and branching on undef lets it
 * assume anything, guards included.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>
#include <uxdp/helpers.h>

#include "lift.h"

#define N_SLOTS (EBPF_STACK_SIZE / 8)
#define OFF_LIMIT (1LL << 40)      /* beyond this an offset is "unbounded" */
#define PKT_OFF_LIMIT (1LL << 31)  /* guard form without a lower check below this */
/* data_end - data is below this (struct xdp_md's fields are 32 bits; uxdp's frames are far shorter) */
#define PKT_LEN_MAX ((1LL << 30) - 1)
#define LINK_SITE (1 << 30) /* scalar sites: the mov that made two registers one value */
#define WIDEN_AFTER 6              /* joins at a block before its ranges widen */

enum ckind {
	K_SCALAR = 0, /* also every register before it is written: the lifter zeroes them */
	K_CTX,
	K_PKT,        /* ctx->data + off; id != 0: data + V(id) + site, see pkt_reach */
	K_META,       /* ctx->data_meta + off */
	K_PKT_END,
	K_STACK,      /* r10 of frame `frame` + off */
	K_MAP_PTR,    /* map id */
	K_MAP_PTR_OR_NULL,
	K_MAP_VALUE,  /* a value of map id, + off */
	K_MAP_VALUE_OR_NULL,
	K_RINGBUF,    /* a ringbuf record of id bytes, + off */
	K_RINGBUF_OR_NULL,
	K_FUNC,       /* function id */
	K_MAP_KEY,    /* the key of an element of map id, + off: read only (for_each callbacks) */
	K_CONFLICT,   /* different kinds on different paths */
};

static const char *const kind_names[] = {
	"scalar",	  "ctx",	"pkt",		     "pkt_meta",      "pkt_end",
	"fp",		  "map_ptr",	"map_ptr_or_null",   "map_value",     "map_value_or_null",
	"ringbuf_mem",	  "ringbuf_mem_or_null", "func", "map_key", "a different pointer on each path",
};

/*
 * A packet pointer made by adding a variable V to a packet pointer (at insn
 * id - 1) is data + V + c: its cval has id and c (in site), and every
 * pointer with that id differs from it by a known constant, as the kernel's
 * pointers sharing an id.  A compare of one of them with data_end proves
 * data + V + reach <= data_end for all of them.  When the add runs again, V
 * changes: the older pointers lose their id (forget_pkt_id).
 */
#define N_REACH 4
struct pkt_reach {
	int32_t id;       /* 0: unused */
	int32_t reach;
};

/*
 * a, b: a scalar's unsigned range [a, b]; a pointer's signed offset range
 * [(int64_t)a, (int64_t)b].  site: for *_OR_NULL, the call that made it, so
 * that a null check also settles its copies.
 */
/*
 * cval.flags.  A scalar in a stack slot spilled with a 4-byte store holds
 * only the half it was stored to (a 4-byte load of that half gives it
 * back); a map value of one of several maps (paths joined) has the
 * smallest value and is no constant string or lock; a map value joined with
 * NULL (CV_OR_ZERO) is dereferenced by nothing and moved by nothing: it goes
 * as is to a helper that takes NULL with a size of 0.
 */
enum {
	CV_HALF_LO = 1,
	CV_HALF_HI = 2,
	CV_MULTI_MAP = 4,
	CV_OR_ZERO = 8, /* a map value, or NULL (paths joined): only helpers taking NULL accept it */
};

struct cval {
	uint8_t kind;
	uint8_t frame;
	uint8_t flags;    /* CV_*: what else is known of it */
	int32_t id;
	int32_t site;
	uint64_t a, b;
	int64_t smin, smax; /* a scalar is also in [smin, smax] as a signed number */
};

struct cstate {
	struct cval r[EBPF_NR_REGS];
	struct cval s[N_SLOTS];   /* this frame's slots */
	struct cval ps[N_SLOTS];  /* the caller's slots, as they were at the call */
	uint64_t init[N_SLOTS / 8]; /* this frame: bit per byte, written on every path */
	uint64_t may[N_SLOTS / 8];  /* this frame: bit per byte, written on some path */
	uint16_t regs_set;          /* registers written (the kernel's !read_ok otherwise) */
	uint32_t pkt_len;           /* data_end - data is at least this: the program compared */
	struct pkt_reach reach[N_REACH];
};

/* Every register and slot of a state, in one order: r0..r10, this frame's slots, the caller's. */
#define N_VALS (EBPF_NR_REGS + 2 * N_SLOTS)

static const struct cval *cval_at(const struct cstate *s, int k)
{
	return k < EBPF_NR_REGS		   ? &s->r[k] :
	       k < EBPF_NR_REGS + N_SLOTS ? &s->s[k - EBPF_NR_REGS] :
					    &s->ps[k - EBPF_NR_REGS - N_SLOTS];
}

static struct cval *val_at(struct cstate *s, int k)
{
	return (struct cval *)cval_at(s, k);
}

/* The signed range the unsigned one implies (all of it when it crosses 2^63). */
static void derive_signed(struct cval *v)
{
	if (v->b <= INT64_MAX || v->a > INT64_MAX)
		v->smin = (int64_t)v->a, v->smax = (int64_t)v->b;
	else
		v->smin = INT64_MIN, v->smax = INT64_MAX;
}

static struct cval scalar(uint64_t a, uint64_t b)
{
	struct cval v = { .kind = K_SCALAR, .a = a, .b = b };

	derive_signed(&v);
	return v;
}

/*
 * Make a scalar's unsigned and signed ranges agree (each bounds the other
 * where it does not cross the sign); false when they leave nothing.  A
 * counter counted down to -1 keeps its bound this way: [0, 63] - 1 is all
 * of u64 but [-1, 62] signed, and `if r != -1` leaves [0, 62].
 */
static bool refine(struct cval *v)
{
	if (v->smin > v->smax)
		return false;
	if (v->smin >= 0 || v->smax < 0) {
		if ((uint64_t)v->smin > v->a)
			v->a = (uint64_t)v->smin;
		if ((uint64_t)v->smax < v->b)
			v->b = (uint64_t)v->smax;
		if (v->a > v->b)
			return false;
	}
	if (v->b <= INT64_MAX || v->a > INT64_MAX) {
		if ((int64_t)v->a > v->smin)
			v->smin = (int64_t)v->a;
		if ((int64_t)v->b < v->smax)
			v->smax = (int64_t)v->b;
	}
	return v->smin <= v->smax;
}

static struct cval unknown(void)
{
	return scalar(0, UINT64_MAX);
}

static struct cval ptr(uint8_t kind, int32_t id, int64_t lo, int64_t hi)
{
	return (struct cval){ .kind = kind, .id = id, .a = (uint64_t)lo, .b = (uint64_t)hi };
}

static int64_t lo_of(const struct cval *v)
{
	return (int64_t)v->a;
}

static int64_t hi_of(const struct cval *v)
{
	return (int64_t)v->b;
}

static bool is_ptr_with_off(uint8_t k)
{
	return k == K_PKT || k == K_META || k == K_STACK || k == K_MAP_VALUE || k == K_RINGBUF ||
	       k == K_CTX || k == K_MAP_KEY;
}

static bool is_null_kind(uint8_t k)
{
	return k == K_MAP_VALUE_OR_NULL || k == K_MAP_PTR_OR_NULL || k == K_RINGBUF_OR_NULL;
}

/* The kind an "or NULL" kind k is once it is known not to be NULL. */
static uint8_t non_null_kind(uint8_t k)
{
	return k == K_MAP_VALUE_OR_NULL ? K_MAP_VALUE : k == K_MAP_PTR_OR_NULL ? K_MAP_PTR : K_RINGBUF;
}

/* Kinds a join with NULL makes "or zero" (CV_OR_ZERO) when no lookup links them. */
static bool may_be_or_zero(uint8_t k)
{
	return k == K_MAP_VALUE || k == K_MAP_PTR || k == K_RINGBUF;
}

static bool off_bounded(const struct cval *v)
{
	return lo_of(v) > -OFF_LIMIT && hi_of(v) < OFF_LIMIT;
}

static bool same_region(const struct cval *x, const struct cval *y)
{
	if (x->kind == K_MAP_PTR && y->kind == K_MAP_PTR)
		return x->a && y->a; /* maps as a set, when their indexes fit a mask */
	return x->kind == y->kind && x->id == y->id && x->frame == y->frame && x->flags == y->flags &&
	       (x->site == y->site || !(x->kind == K_MAP_VALUE_OR_NULL ||
					x->kind == K_MAP_PTR_OR_NULL || x->kind == K_RINGBUF_OR_NULL));
}

/* What a function does to its caller, learnt from its body. */
struct fsum {
	struct cval ret;          /* r0 at its exits, in the caller's terms */
	bool ret_set;
	uint64_t parent_written;  /* caller's slots it may write */
	bool changes_pkt;         /* it (or a callee) moves the packet: adjust_* */
	bool releases_rec;        /* it (or a callee) submits or discards a ringbuf record */
};

struct confiner {
	const struct uxdp_object *obj;
	const struct uxdp_prog *prog;
	struct analysis *an;
	struct confinement *cf;
	struct uxdp_diag *diag;
	struct cstate *entry;     /* per function */
	bool *entered;            /* per function: has an entry state */
	struct fsum *sum;         /* per function */
	bool changed;             /* an entry state or summary grew: another round */
	bool final;               /* the recording pass */
	uint16_t *visits;         /* per insn of the current function */
	uint64_t *thresholds;     /* constants the program compares with, sorted */
	size_t n_thresholds;
	long debug_insn;          /* UXDPC_CONFINE_DEBUG=N: trace insn N's states */
};

static bool cval_eq(const struct cval *x, const struct cval *y)
{
	return x->kind == y->kind && x->frame == y->frame && x->id == y->id &&
	       x->site == y->site && x->a == y->a && x->b == y->b && x->flags == y->flags &&
	       x->smin == y->smin && x->smax == y->smax;
}

/* The smallest constant the program compares with that is >= v (widening). */
static uint64_t threshold_above(const struct confiner *c, uint64_t v)
{
	size_t lo = 0, hi = c->n_thresholds;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->thresholds[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n_thresholds ? c->thresholds[lo] : UINT64_MAX;
}

static uint64_t threshold_below(const struct confiner *c, uint64_t v)
{
	uint64_t best = 0;

	for (size_t k = 0; k < c->n_thresholds && c->thresholds[k] <= v; k++)
		best = c->thresholds[k];
	return best;
}

static const struct uxdp_map_info *map_of(const struct confiner *c, int32_t id)
{
	return id >= 0 && (size_t)id < c->obj->n_maps ? &c->obj->maps[id] : NULL;
}

/*
 * Which of two maps' values stands for both: the smaller value; -1 unless
 * both are writable or both read-only (a write must be refused for either).
 */
static int32_t smaller_value(const struct confiner *c, int32_t x, int32_t y)
{
	const struct uxdp_map_info *a = map_of(c, x), *b = map_of(c, y);

	if (!a || !b || (a->map_flags & BPF_F_RDONLY_PROG) != (b->map_flags & BPF_F_RDONLY_PROG))
		return -1;
	return a->value_size <= b->value_size ? x : y;
}

/* Which of two maps' keys stands for both (they are read only): the smaller; -1 if unknown. */
static int32_t smaller_key(const struct confiner *c, int32_t x, int32_t y)
{
	const struct uxdp_map_info *a = map_of(c, x), *b = map_of(c, y);

	if (!a || !b)
		return -1;
	return a->key_size <= b->key_size ? x : y;
}

/*
 * Join y into x.  widen: a bound that grew jumps to the next constant the
 * program compares with (a loop counter stops at its limit), or to the end.
 */
static struct cval join(const struct confiner *c, struct cval x, struct cval y, bool widen)
{
	/* NULL on one path, the checked pointer on another: "or NULL" again */
	if (y.kind == K_SCALAR && !y.a && !y.b && x.site && !(x.site & LINK_SITE) &&
	    (x.kind == K_MAP_VALUE || x.kind == K_MAP_PTR || x.kind == K_RINGBUF) &&
	    (x.kind == K_MAP_PTR || (!x.a && !x.b)))
	{
		x.kind = x.kind == K_MAP_VALUE ? K_MAP_VALUE_OR_NULL :
			 x.kind == K_MAP_PTR   ? K_MAP_PTR_OR_NULL :
						 K_RINGBUF_OR_NULL;
		return x;
	}
	if (x.kind == K_SCALAR && !x.a && !x.b && y.site && !(y.site & LINK_SITE) &&
	    (y.kind == K_MAP_VALUE || y.kind == K_MAP_PTR || y.kind == K_RINGBUF) &&
	    (y.kind == K_MAP_PTR || (!y.a && !y.b)))
		return join(c, y, x, widen);
	/* "or NULL" joined with NULL: itself */
	if (is_null_kind(x.kind) && y.kind == K_SCALAR && !y.a && !y.b &&
	    (x.kind == K_MAP_PTR_OR_NULL || (!x.a && !x.b)))
		return x;
	if (is_null_kind(y.kind) && x.kind == K_SCALAR && !x.a && !x.b &&
	    (y.kind == K_MAP_PTR_OR_NULL || (!y.a && !y.b)))
		return y;
	if (is_null_kind(x.kind) && y.kind + 1 == x.kind && x.site == y.site && x.id == y.id &&
	    (y.kind == K_MAP_PTR || (!y.a && !y.b)))
		y.kind = x.kind;
	if (is_null_kind(y.kind) && x.kind + 1 == y.kind && x.site == y.site && x.id == y.id &&
	    (x.kind == K_MAP_PTR || (!x.a && !x.b)))
		x.kind = y.kind;
	/* NULL on one path, a pointer on the other (not a lookup's result, or
	 * unlinked from it by unlink_null_copies) */
	if (x.kind == K_SCALAR && !x.a && !x.b && may_be_or_zero(y.kind))
		x = y, x.flags |= CV_OR_ZERO, x.site = 0;
	else if (y.kind == K_SCALAR && !y.a && !y.b && may_be_or_zero(x.kind))
		y = x, y.flags |= CV_OR_ZERO, y.site = 0;
	if (may_be_or_zero(x.kind) && x.kind == y.kind && x.id == y.id &&
	    (x.flags ^ y.flags) == CV_OR_ZERO)
		x.flags = y.flags = x.flags | CV_OR_ZERO, x.site = y.site = 0;
	/* values of different maps (or lookups), as the kernel would see on either path */
	if ((x.kind == K_MAP_VALUE || x.kind == K_MAP_VALUE_OR_NULL) && x.kind == y.kind &&
	    (x.id != y.id || x.flags != y.flags) && (x.site == y.site || x.kind == K_MAP_VALUE) &&
	    smaller_value(c, x.id, y.id) >= 0) {
		uint8_t or_zero = (x.flags | y.flags) & CV_OR_ZERO;

		x.id = y.id = smaller_value(c, x.id, y.id);
		x.flags = y.flags = CV_MULTI_MAP | or_zero;
		if (x.site != y.site)
			x.site = y.site = 0; /* no null check may settle it as one lookup's */
	}
	/* a callback walking several maps: the key of any of them */
	if (x.kind == K_MAP_KEY && y.kind == K_MAP_KEY && (x.id != y.id || x.flags != y.flags) &&
	    smaller_key(c, x.id, y.id) >= 0) {
		x.id = y.id = smaller_key(c, x.id, y.id);
		x.flags = y.flags = CV_MULTI_MAP;
	}
	if (x.kind == K_PKT && y.kind == K_PKT && (x.id != y.id || x.site != y.site))
		x.id = y.id = x.site = y.site = 0; /* no longer one V and one constant */
	if (x.kind == K_RINGBUF && y.kind == K_RINGBUF && x.site != y.site)
		x.site = y.site = 0; /* a record of either reservation: see release_record */
	if (!same_region(&x, &y))
		return x.kind == K_SCALAR && y.kind == K_SCALAR ? unknown() :
								  (struct cval){ .kind = K_CONFLICT };
	if (x.kind == K_SCALAR) {
		uint64_t a = y.a < x.a ? (widen ? threshold_below(c, y.a) : y.a) : x.a;
		uint64_t b = y.b > x.b ? (widen ? threshold_above(c, y.b) : y.b) : x.b;
		struct cval v = scalar(a, b);
		int64_t smin = x.smin < y.smin ? x.smin : y.smin, smax = x.smax > y.smax ? x.smax : y.smax;

		v.site = x.site == y.site ? x.site : 0;
		v.flags = x.flags; /* equal: same_region */
		/* the signed hull too, but a widening join keeps only what the unsigned one says */
		if (!widen || (smin >= x.smin && smax <= x.smax)) {
			v.smin = smin > v.smin ? smin : v.smin;
			v.smax = smax < v.smax ? smax : v.smax;
			if (!refine(&v))
				derive_signed(&v);
		}
		return v;
	}
	if (x.kind == K_MAP_PTR) {
		x.a |= y.a;
		x.id = x.id == y.id ? x.id : -1;
		x.flags |= y.flags & CV_OR_ZERO; /* a set of maps, or NULL, if either may be */
		return x;
	}
	if (is_ptr_with_off(x.kind)) {
		int64_t lo = lo_of(&y) < lo_of(&x) ? (widen ? -OFF_LIMIT : lo_of(&y)) : lo_of(&x);
		int64_t hi = hi_of(&y) > hi_of(&x) ? (widen ? OFF_LIMIT : hi_of(&y)) : hi_of(&x);

		if (widen && hi_of(&y) > hi_of(&x) && hi_of(&y) >= 0 &&
		    threshold_above(c, (uint64_t)hi_of(&y)) < (uint64_t)OFF_LIMIT)
			hi = (int64_t)threshold_above(c, (uint64_t)hi_of(&y));
		x.a = (uint64_t)lo, x.b = (uint64_t)hi;
	}
	return x;
}

static void join_vals(const struct confiner *c, struct cval *x, const struct cval *y, int n,
		      bool widen)
{
	for (int i = 0; i < n; i++)
		x[i] = join(c, x[i], y[i], widen);
}

/* The registers and slots of x and y are the same. */
static bool vals_eq(const struct cstate *x, const struct cstate *y)
{
	for (int k = 0; k < N_VALS; k++)
		if (!cval_eq(cval_at(x, k), cval_at(y, k)))
			return false;
	return true;
}

/* What v is on one path, to the copies of lookup `site` (unlink_null_copies). */
enum { NC_OTHER, NC_NULL, NC_SET, NC_LINKED };

static int null_class(const struct cval *v, int32_t site)
{
	if (v->kind == K_SCALAR && !v->a && !v->b)
		return NC_NULL;
	if (v->site != site)
		return NC_OTHER;
	return is_null_kind(v->kind) ? NC_LINKED : may_be_or_zero(v->kind) ? NC_SET : NC_OTHER;
}

/* "or NULL" as a value of its own: only a check of this copy settles it. */
static void or_zero_alone(struct cval *v)
{
	v->kind = non_null_kind(v->kind);
	v->flags |= CV_OR_ZERO;
	v->site = 0;
}

/*
 * A null check settles every copy with the lookup's site (settle_null), so
 * copies must be null together on every path.  A join can break that: r6
 * the checked value and r8 NULL on one path, the other way round on the
 * other, are both "or NULL" of that lookup after it, and a check of r6
 * would settle r8.  Copies whose paths differ keep the site only in the
 * first group (by position, so that the fixed point settles); the others
 * become "or NULL" alone, as does a copy with no site.
 */
static void unlink_null_copies(struct cstate *j, const struct cstate *x, const struct cstate *y)
{
	struct null_group {
		int32_t site;
		int key;
	} first[N_VALS];
	int n_first = 0;

	for (int k = 0; k < N_VALS; k++) {
		struct cval *v = val_at(j, k);
		int key, f = 0;

		if (!is_null_kind(v->kind))
			continue;
		if (!v->site) {
			or_zero_alone(v);
			continue;
		}
		key = 4 * null_class(cval_at(x, k), v->site) + null_class(cval_at(y, k), v->site);
		while (f < n_first && first[f].site != v->site)
			f++;
		if (f == n_first)
			first[n_first++] = (struct null_group){ v->site, key };
		else if (first[f].key != key)
			or_zero_alone(v);
	}
}

static bool join_plain(const struct confiner *c, struct cstate *x, const struct cstate *y,
		       bool widen)
{
	struct cstate before = *x;
	bool changed;

	join_vals(c, x->r, y->r, EBPF_NR_REGS, widen);
	join_vals(c, x->s, y->s, N_SLOTS, widen);
	join_vals(c, x->ps, y->ps, N_SLOTS, widen);
	unlink_null_copies(x, &before, y);
	changed = !vals_eq(x, &before);
	for (int k = 0; k < N_SLOTS / 8; k++) {
		uint64_t v = x->init[k] & y->init[k], m = x->may[k] | y->may[k];
		changed |= v != x->init[k] || m != x->may[k];
		x->init[k] = v;
		x->may[k] = m;
	}
	if ((x->regs_set & y->regs_set) != x->regs_set) {
		x->regs_set &= y->regs_set;
		changed = true;
	}
	if (y->pkt_len < x->pkt_len) {
		x->pkt_len = y->pkt_len;
		changed = true;
	}
	for (int k = 0; k < N_REACH; k++) {
		struct pkt_reach *r = &x->reach[k];
		int32_t least = INT32_MIN;

		if (!r->id)
			continue;
		for (int j = 0; j < N_REACH; j++)
			if (y->reach[j].id == r->id)
				least = y->reach[j].reach < r->reach ? y->reach[j].reach : r->reach;
		if (least == r->reach)
			continue;
		if (least == INT32_MIN)
			r->id = 0;
		r->reach = least == INT32_MIN ? 0 : least;
		changed = true;
	}
	return changed;
}

static void forget_pkt_id(struct cstate *s, int32_t id);
static int64_t reach_of(const struct cstate *s, int32_t id);
static void note_reach(struct cstate *s, int32_t id, int64_t reach);

/*
 * How far past packet pointer v the program has proven the packet goes:
 * v + k <= data_end for the largest such k known (through v's id, or the
 * packet length its compares proved), INT64_MIN when nothing is.
 */
static int64_t ptr_reach(const struct cstate *s, const struct cval *v)
{
	int64_t k = INT64_MIN, r;

	if (v->kind != K_PKT || !off_bounded(v))
		return INT64_MIN;
	if (v->id && (r = reach_of(s, v->id)) != INT64_MIN)
		k = r - v->site;
	if ((int64_t)s->pkt_len - hi_of(v) > k)
		k = (int64_t)s->pkt_len - hi_of(v);
	return k;
}

/* The id a packet pointer in register r gets where paths join at insn at. */
static int32_t join_id(size_t at, unsigned r)
{
	return -(int32_t)(at * EBPF_NR_REGS + r + 1);
}

static bool state_eq(const struct cstate *x, const struct cstate *y)
{
	if (!vals_eq(x, y))
		return false;
	for (int k = 0; k < N_REACH; k++)
		if (x->reach[k].id != y->reach[k].id || x->reach[k].reach != y->reach[k].reach)
			return false;
	return !memcmp(x->init, y->init, sizeof(x->init)) &&
	       !memcmp(x->may, y->may, sizeof(x->may)) && x->regs_set == y->regs_set &&
	       x->pkt_len == y->pkt_len;
}

/* v + k <= data_end proven on this path, seen from the group's leader (k - delta). */
static int64_t group_reach(const struct cstate *s, const int8_t *lead, const int32_t *delta,
			   uint16_t fresh, unsigned q)
{
	int64_t best = INT64_MIN;

	for (unsigned r = 0; r < EBPF_NR_REGS; r++) {
		int64_t k;

		if (!(fresh & (1u << r)) || lead[r] != (int8_t)q)
			continue;
		k = ptr_reach(s, &s->r[r]);
		if (k != INT64_MIN && k + delta[r] > best)
			best = k + delta[r];
	}
	return best;
}

/*
 * Join y into x at insn at (-1: a function's entry).  A packet pointer
 * register that differs between the paths (a cursor at a loop head, a
 * header cursor joined from two protocols) gets an id of its own there: its
 * value at `at` is a new V, so the program's compare of it with data_end
 * proves the accesses through it (the kernel keeps such paths apart).
 * Older pointers with that id, from the last time through `at`, lose it
 * first.  Registers that are one pointer plus a constant on both paths
 * (r3 = r8 + 20, before the program's `if r3 > data_end`) share the new id
 * at the same distance, and what each path had proven of the group (under
 * its old id, or through pkt_len) carries over as the least of the two.  A
 * widening join does neither, so that a loop's states settle.
 */
static bool join_state(const struct confiner *c, struct cstate *x, const struct cstate *y,
		       bool widen, long at)
{
	uint16_t fresh = 0;
	int8_t lead[EBPF_NR_REGS];
	int32_t delta[EBPF_NR_REGS];
	int64_t reach[EBPF_NR_REGS];
	struct cstate yy, before;

	for (unsigned r = 0; at >= 0 && at < INT32_MAX / (2 * EBPF_NR_REGS) && r < EBPF_NR_REGS; r++) {
		const struct cval *a = &x->r[r], *b = &y->r[r];
		if (a->kind == K_PKT && b->kind == K_PKT &&
		    (a->id != b->id || a->site != b->site || (!a->id && (a->a != b->a || a->b != b->b))))
			fresh |= (uint16_t)(1u << r);
	}
	if (!fresh)
		return join_plain(c, x, y, widen);
	for (unsigned r = 0; r < EBPF_NR_REGS; r++) {
		lead[r] = (int8_t)r, delta[r] = 0;
		/* a widening join (a loop head, visited often) keeps only fresh ids: it must settle */
		for (unsigned q = 0; !widen && (fresh & (1u << r)) && q < r; q++) {
			const struct cval *xq = &x->r[q], *xr = &x->r[r], *yq = &y->r[q], *yr = &y->r[r];
			int64_t d = (int64_t)xr->site - xq->site;

			if (!(fresh & (1u << q)) || lead[q] != (int8_t)q || !xq->id || xq->id != xr->id ||
			    !yq->id || yq->id != yr->id || d != (int64_t)yr->site - yq->site)
				continue;
			if (d < INT32_MIN || d > INT32_MAX)
				continue; /* a site is 32 bits */
			lead[r] = (int8_t)q, delta[r] = (int32_t)d;
			break;
		}
	}
	for (unsigned q = 0; q < EBPF_NR_REGS; q++)
		if ((fresh & (1u << q)) && lead[q] == (int8_t)q) {
			int64_t rx = group_reach(x, lead, delta, fresh, q);
			int64_t ry = group_reach(y, lead, delta, fresh, q);

			reach[q] = widen ? INT64_MIN : rx < ry ? rx : ry;
		}
	before = *x;
	yy = *y;
	for (unsigned r = 0; r < EBPF_NR_REGS; r++)
		if (fresh & (1u << r)) {
			forget_pkt_id(x, join_id((size_t)at, r));
			forget_pkt_id(&yy, join_id((size_t)at, r));
		}
	join_plain(c, x, &yy, widen);
	for (unsigned r = 0; r < EBPF_NR_REGS; r++)
		if ((fresh & (1u << r)) && x->r[r].kind == K_PKT) {
			x->r[r].id = join_id((size_t)at, (unsigned)lead[r]);
			x->r[r].site = delta[r];
		}
	for (unsigned q = 0; q < EBPF_NR_REGS; q++)
		if ((fresh & (1u << q)) && lead[q] == (int8_t)q && x->r[q].kind == K_PKT)
			note_reach(x, join_id((size_t)at, q), reach[q]);
	return !state_eq(&before, x);
}

/* ------------------------------------------------------------ messages */

__attribute__((format(printf, 3, 4))) static int refuse(struct confiner *c, size_t i,
							  const char *fmt, ...)
{
	va_list ap;
	int err;

	/* Until the summaries settle a refusal may be premature: the final pass judges. */
	if (!c->final)
		return -EAGAIN;
	va_start(ap, fmt);
	err = uxdp_insn_verror(c->obj, c->prog, c->diag, i, -EACCES, fmt, ap);
	va_end(ap);
	return err;
}

/* ------------------------------------------------------------- scalars */

static uint64_t pow2_mask(uint64_t v)
{
	uint64_t m = v;

	m |= m >> 1, m |= m >> 2, m |= m >> 4, m |= m >> 8, m |= m >> 16, m |= m >> 32;
	return m;
}

/* The range of op on scalar ranges x, y (64 bits; the caller truncates ALU32). */
static struct cval scalar_op(uint8_t op, const struct ebpf_insn *in, struct cval x, struct cval y,
			     unsigned width)
{
	uint64_t lim = width == 64 ? UINT64_MAX : UINT32_MAX;
	bool xc = x.a == x.b, yc = y.a == y.b;
	unsigned __int128 p;

	switch (op) {
	case EBPF_ALU_MOV:
		if (in->off && EBPF_SRC(in->opcode) == EBPF_SRC_X) { /* movsx */
			if (y.b < (1ULL << (in->off - 1)))
				return y;
			return width == 64 ? unknown() : scalar(0, lim);
		}
		return y;
	case EBPF_ALU_ADD:
		if (x.b <= lim - y.b)
			return scalar(x.a + y.a, x.b + y.b);
		break;
	case EBPF_ALU_SUB:
		if (x.a >= y.b)
			return scalar(x.a - y.b, x.b - y.a);
		break;
	case EBPF_ALU_MUL:
		p = (unsigned __int128)x.b * y.b;
		if (p <= lim)
			return scalar(x.a * y.a, x.b * y.b);
		break;
	case EBPF_ALU_DIV:
		if (in->off)
			break; /* sdiv */
		if (y.a > 0)
			return scalar(x.a / y.b, x.b / y.a);
		return scalar(0, x.b); /* division by zero gives 0 */
	case EBPF_ALU_MOD:
		if (in->off)
			break;
		if (y.a > 0 && x.b < y.a)
			return x;
		return scalar(0, y.a > 0 && y.b - 1 < x.b ? y.b - 1 : x.b);
	case EBPF_ALU_AND:
		if (xc && yc)
			return scalar(x.a & y.a, x.a & y.a);
		return scalar(0, x.b < y.b ? x.b : y.b);
	case EBPF_ALU_OR:
		if (xc && yc)
			return scalar(x.a | y.a, x.a | y.a);
		return scalar(x.a > y.a ? x.a : y.a, pow2_mask(x.b | y.b));
	case EBPF_ALU_XOR:
		if (xc && yc)
			return scalar(x.a ^ y.a, x.a ^ y.a);
		return scalar(0, pow2_mask(x.b | y.b));
	case EBPF_ALU_LSH:
		if (y.b < width && x.b <= (lim >> y.b))
			return scalar(x.a << y.a, x.b << y.b);
		break;
	case EBPF_ALU_RSH:
		if (y.b < width)
			return scalar(x.a >> y.b, x.b >> y.a);
		break;
	case EBPF_ALU_ARSH:
		if (y.b < width && x.b < (lim >> 1))
			return scalar(x.a >> y.b, x.b >> y.a);
		break;
	case EBPF_ALU_END:
		if (in->imm < (int)width && (EBPF_SRC(in->opcode) == EBPF_SRC_K ||
					     EBPF_CLASS(in->opcode) == EBPF_CLS_ALU64))
			return scalar(0, (1ULL << in->imm) - 1);
		if (EBPF_SRC(in->opcode) == EBPF_SRC_K && x.b < (1ULL << (in->imm & 63)))
			return x; /* to little-endian on a little-endian host: a truncation */
		break;
	default:
		break;
	}
	return scalar(0, lim);
}

/* ----------------------------------------------------------- the stack */

static struct cval *slots_of(struct cstate *s, const struct cval *fp)
{
	return fp->frame ? s->ps : s->s;
}

static bool bytes_init(const struct cstate *s, int64_t from, int64_t to)
{
	for (int64_t o = from; o < to; o++) {
		uint64_t bit = (uint64_t)(o + EBPF_STACK_SIZE);
		if (!(s->init[bit / 64] & (1ULL << (bit % 64))))
			return false;
	}
	return true;
}

static void mark_init(struct cstate *s, int64_t from, int64_t to)
{
	for (int64_t o = from; o < to; o++) {
		uint64_t bit = (uint64_t)(o + EBPF_STACK_SIZE);
		s->init[bit / 64] |= 1ULL << (bit % 64);
		s->may[bit / 64] |= 1ULL << (bit % 64);
	}
}

static bool bytes_never_written(const struct cstate *s, int64_t from, int64_t to)
{
	for (int64_t o = from; o < to; o++) {
		uint64_t bit = (uint64_t)(o + EBPF_STACK_SIZE);
		if (s->may[bit / 64] & (1ULL << (bit % 64)))
			return false;
	}
	return true;
}

/* Slots a read of [from, to) may find uninitialised: zero them at entry. */
static void need_zero(struct confiner *c, const struct cstate *s, int64_t from, int64_t to)
{
	for (int64_t o = from; o < to; o++) {
		uint64_t bit = (uint64_t)(o + EBPF_STACK_SIZE);
		if (!(s->init[bit / 64] & (1ULL << (bit % 64))))
			c->cf->zero_slots[c->an->n_funcs] |= 1ULL << (bit / 8);
	}
}

/* A write of [from, to) of frame slots: values and (frame 0) init. */
static void stack_written(struct cstate *s, const struct cval *fp, int64_t from, int64_t to,
			  const struct cval *val, bool exact)
{
	struct cval *slots = slots_of(s, fp);
	int first = stack_slot_of(from), last = stack_slot_of(to - 1);

	if (first < 0 || last < 0)
		return;
	if (exact && val && to - from == 8 && from % 8 == 0) {
		slots[first] = *val;
	} else if (exact && val && val->kind == K_SCALAR && !val->flags && to - from == 4 &&
		   from % 4 == 0) {
		/* a 4-byte spill: that half holds the value's low 32 bits */
		struct cval h = val->b <= UINT32_MAX ? *val : scalar(0, UINT32_MAX);
		h.flags = from % 8 ? CV_HALF_HI : CV_HALF_LO;
		slots[first] = h;
	} else {
		for (int k = first; k <= last; k++)
			slots[k] = unknown();
	}
	if (exact && !fp->frame)
		mark_init(s, from, to);
}

/* -------------------------------------------------------------- access */

struct access {
	size_t insn;
	unsigned reg;     /* base register */
	int64_t off;      /* insn offset */
	int64_t size;
	bool write, atomic;
	bool helper;            /* a helper's argument */
	const struct cval *val; /* value stored, for spills */
};

static int check_map_value(struct confiner *c, const struct access *ac, const struct cval *v,
			   int64_t lo, int64_t hi)
{
	const struct uxdp_map_info *m = map_of(c, v->id);
	uint64_t vs = m ? m->value_size : 0;

	if (!off_bounded(v) || lo < 0 || hi + ac->size > (int64_t)vs)
		return refuse(c, ac->insn,
			      "invalid access to map value of '%s': off=[%lld, %lld] size=%lld value_size=%llu",
			      m ? m->name : "?", (long long)lo, (long long)hi, (long long)ac->size,
			      (unsigned long long)vs);
	if (ac->write && m && (m->map_flags & BPF_F_RDONLY_PROG))
		return refuse(c, ac->insn, "write into map '%s', which is read-only for programs",
			      m->name);
	return 0;
}

static int check_stack(struct confiner *c, struct cstate *s, const struct access *ac,
		       const struct cval *v, int64_t lo, int64_t hi, uint8_t *guard)
{
	bool exact = lo == hi;

	if (off_bounded(v) && lo >= -EBPF_STACK_SIZE && hi + ac->size <= 0) {
		if (ac->write) {
			stack_written(s, v, lo, hi + ac->size, ac->val, exact);
		} else if (!v->frame) {
			if (exact && !ac->helper && bytes_never_written(s, lo, hi + ac->size))
				return refuse(c, ac->insn,
					      "invalid read from stack off=%lld size=%lld: never written",
					      (long long)lo, (long long)ac->size);
			need_zero(c, s, lo, hi + ac->size);
		}
		return 0;
	}
	if (exact || v->frame)
		return refuse(c, ac->insn, "invalid %s stack access off=[%lld, %lld] size=%lld%s",
			      v->frame ? "caller's" : "", (long long)lo, (long long)hi,
			      (long long)ac->size,
			      exact ? "" : " (uxdp checks a variable offset only in the function's own frame)");
	/* A variable offset into this frame: checked at run time. */
	*guard = CG_STACK;
	if (ac->write) {
		for (int k = 0; k < N_SLOTS; k++)
			s->s[k] = unknown();
	} else {
		need_zero(c, s, -EBPF_STACK_SIZE, 0);
	}
	return 0;
}

/* data + V(id) + reach <= data_end is proven; INT64_MIN when nothing is. */
static int64_t reach_of(const struct cstate *s, int32_t id)
{
	for (int k = 0; k < N_REACH; k++)
		if (s->reach[k].id == id)
			return s->reach[k].reach;
	return INT64_MIN;
}

static void note_reach(struct cstate *s, int32_t id, int64_t reach)
{
	struct pkt_reach *free_slot = NULL;

	if (reach > INT32_MAX || reach < 0)
		return;
	for (int k = 0; k < N_REACH; k++) {
		if (s->reach[k].id == id) {
			if (s->reach[k].reach < reach)
				s->reach[k].reach = (int32_t)reach;
			return;
		}
		if (!s->reach[k].id && !free_slot)
			free_slot = &s->reach[k];
	}
	if (free_slot) /* else forget it: knowing less is safe */
		*free_slot = (struct pkt_reach){ .id = id, .reach = (int32_t)reach };
}

/*
 * A for_each_map_elem callback's key: inside the map's key, and read only
 * (the kernel's PTR_TO_MAP_KEY).  An array's key is the runtime's copy of
 * the index, a hash map's the element's own: a write would move the
 * element out of its bucket's reach.
 */
static int check_map_key(struct confiner *c, const struct access *ac, const struct cval *v,
			 int64_t lo, int64_t hi)
{
	const struct uxdp_map_info *m = map_of(c, v->id);

	if (ac->write)
		return refuse(c, ac->insn, "write into map_key through r%u", ac->reg);
	if (!m || !off_bounded(v) || lo < 0 || hi + ac->size > (int64_t)m->key_size)
		return refuse(c, ac->insn,
			      "invalid access to map key: off=[%lld, %lld] size=%lld key_size=%u",
			      (long long)lo, (long long)hi, (long long)ac->size,
			      m ? m->key_size : 0);
	return 0;
}

/* Check one access through ac->reg in state s; *guard gets its run-time check. */
static int check_access(struct confiner *c, struct cstate *s, const struct access *ac,
			uint8_t *guard)
{
	const struct cval *v = &s->r[ac->reg];
	int64_t lo = lo_of(v) + ac->off, hi = hi_of(v) + ac->off;

	*guard = CG_NONE;
	if (v->flags & CV_OR_ZERO)
		return refuse(c, ac->insn, "invalid mem access through r%u, which is %s or NULL",
			      ac->reg, kind_names[v->kind]);
	switch (v->kind) {
	case K_CTX:
		return 0; /* analysis.c checked the field and refuses writes */
	case K_STACK:
		return check_stack(c, s, ac, v, lo, hi, guard);
	case K_PKT:
	case K_META:
		if (ac->atomic)
			return refuse(c, ac->insn, "atomic access to %s is not allowed",
				      kind_names[v->kind]);
		if (v->kind == K_PKT && off_bounded(v) && lo >= 0 && hi + ac->size <= s->pkt_len)
			*guard = CG_NONE; /* inside what the program's own compare proved */
		else if (v->kind == K_PKT && off_bounded(v) && lo >= 0 && v->id &&
			 (int64_t)v->site + ac->off + ac->size <= reach_of(s, v->id))
			*guard = CG_NONE; /* a compare of a pointer with the same variable part */
		else if (off_bounded(v) && lo >= 0 && hi + ac->size < PKT_OFF_LIMIT)
			*guard = v->kind == K_PKT ? CG_PKT : CG_META;
		else
			*guard = v->kind == K_PKT ? CG_PKT_FULL : CG_META_FULL;
		return 0;
	case K_MAP_VALUE:
		return check_map_value(c, ac, v, lo, hi);
	case K_MAP_KEY:
		return check_map_key(c, ac, v, lo, hi);
	case K_RINGBUF:
		if (!off_bounded(v) || lo < 0 || hi + ac->size > v->id)
			return refuse(c, ac->insn,
				      "invalid access to ringbuf record: off=[%lld, %lld] size=%lld record=%d",
				      (long long)lo, (long long)hi, (long long)ac->size, v->id);
		return 0;
	default:
		return refuse(c, ac->insn, "invalid mem access through r%u, which is %s", ac->reg,
			      kind_names[v->kind]);
	}
}

/* ------------------------------------------------------------------ ALU */

static struct cval as_scalar(const struct cval *v)
{
	return v->kind == K_SCALAR ? *v : unknown();
}

static struct cval ptr_plus(struct cval p, struct cval d, bool sub)
{
	int64_t dlo, dhi;

	if (d.b > (uint64_t)OFF_LIMIT && d.a == d.b && (int64_t)d.a > -OFF_LIMIT) {
		dlo = dhi = (int64_t)d.a; /* a negative constant */
	} else if (d.b <= (uint64_t)OFF_LIMIT) {
		dlo = (int64_t)d.a, dhi = (int64_t)d.b;
	} else {
		p.a = (uint64_t)-OFF_LIMIT, p.b = (uint64_t)OFF_LIMIT;
		return p;
	}
	if (sub) {
		int64_t t = dlo;
		dlo = -dhi, dhi = -t;
	}
	p.a = (uint64_t)(lo_of(&p) + dlo);
	p.b = (uint64_t)(hi_of(&p) + dhi);
	if (!off_bounded(&p))
		p.a = (uint64_t)-OFF_LIMIT, p.b = (uint64_t)OFF_LIMIT;
	return p;
}

/* Older copies linked by a mov at this site are no longer the same value. */
static void forget_scalar_site(struct cstate *s, int32_t site)
{
	for (int k = 0; k < N_VALS; k++) {
		struct cval *x = val_at(s, k);
		if (x->site == site && x->kind == K_SCALAR)
			x->site = 0;
	}
}

/* Pointers made by an older run of the add at insn id - 1 are another V. */
static void forget_pkt_id(struct cstate *s, int32_t id)
{
	for (int k = 0; k < N_VALS; k++) {
		struct cval *x = val_at(s, k);
		if (x->kind == K_PKT && x->id == id)
			x->id = x->site = 0;
	}
	for (int k = 0; k < N_REACH; k++)
		if (s->reach[k].id == id)
			s->reach[k] = (struct pkt_reach){ 0 };
}

/*
 * The id of packet pointer p = old +/- d made at insn i: old's id and
 * constant moved by a constant d; a new id (this add's V) for a variable d.
 */
static struct cval pkt_id_after(struct cstate *s, size_t i, struct cval old, struct cval p,
				struct cval d, bool sub)
{
	int64_t k = (int64_t)d.a;

	if (d.a == d.b && old.id && k > -OFF_LIMIT && k < OFF_LIMIT) {
		int64_t c = (int64_t)old.site + (sub ? -k : k);
		if (c >= INT32_MIN && c <= INT32_MAX && off_bounded(&p)) {
			p.site = (int32_t)c;
			return p;
		}
	}
	if (d.a == d.b || !off_bounded(&p) || i + 1 > INT32_MAX) {
		p.id = p.site = 0;
		return p;
	}
	forget_pkt_id(s, (int32_t)i + 1);
	p.id = (int32_t)i + 1;
	p.site = 0;
	return p;
}

static void apply_alu(struct cstate *s, size_t i, const struct ebpf_insn *in)
{
	struct cval *d = &s->r[in->dst], src;
	uint8_t op = EBPF_OP(in->opcode);
	bool x = EBPF_SRC(in->opcode) == EBPF_SRC_X, is64 = EBPF_CLASS(in->opcode) == EBPF_CLS_ALU64;
	unsigned width = is64 ? 64 : 32;

	if (x)
		src = s->r[in->src];
	else if (is64)
		src = scalar((uint64_t)(int64_t)in->imm, (uint64_t)(int64_t)in->imm);
	else
		src = scalar((uint32_t)in->imm, (uint32_t)in->imm);
	if (op == EBPF_ALU_END) {
		src = s->r[in->dst];
		*d = scalar_op(op, in, as_scalar(d), src, width);
		return;
	}
	if (op == EBPF_ALU_MOV && (!x || !in->off) &&
	    (is64 || (x && src.kind == K_SCALAR && src.b <= UINT32_MAX))) {
		if (x && src.kind == K_SCALAR && src.a != src.b) {
			/* d and src are one value: a check of one narrows the other */
			if (!src.site) {
				forget_scalar_site(s, (int32_t)(LINK_SITE | i));
				src.site = s->r[in->src].site = (int32_t)(LINK_SITE | i);
			}
		}
		*d = src;
		return;
	}
	if (op != EBPF_ALU_MOV && ((d->flags & CV_OR_ZERO) || (x && (src.flags & CV_OR_ZERO)))) {
		*d = is64 ? unknown() : scalar(0, UINT32_MAX); /* NULL + k is no pointer */
		return;
	}
	if (is64 && (op == EBPF_ALU_ADD || op == EBPF_ALU_SUB) && is_ptr_with_off(d->kind) &&
	    src.kind == K_SCALAR) {
		struct cval p = ptr_plus(*d, src, op == EBPF_ALU_SUB);
		*d = p.kind == K_PKT ? pkt_id_after(s, i, *d, p, src, op == EBPF_ALU_SUB) : p;
		return;
	}
	if (is64 && op == EBPF_ALU_ADD && d->kind == K_SCALAR && is_ptr_with_off(src.kind)) {
		struct cval p = ptr_plus(src, *d, false);
		*d = p.kind == K_PKT ? pkt_id_after(s, i, src, p, *d, false) : p;
		return;
	}
	if (op == EBPF_ALU_MOV && src.kind == K_SCALAR)
		*d = scalar(0, 0); /* what d held does not matter */
	if (d->kind != K_SCALAR || src.kind != K_SCALAR) {
		*d = is64 ? unknown() : scalar(0, UINT32_MAX);
		return;
	}
	if (!is64) {
		struct cval dd = d->b > UINT32_MAX ? scalar(0, UINT32_MAX) : *d;
		if (src.b > UINT32_MAX)
			src = scalar(0, UINT32_MAX);
		*d = scalar_op(op, in, dd, src, 32);
		if (d->b > UINT32_MAX)
			*d = scalar(0, UINT32_MAX);
		return;
	}
	{
		struct cval old = *d;
		int64_t k = (int64_t)src.a, lo, hi;

		*d = scalar_op(op, in, *d, src, 64);
		/* adding a constant: the signed range moves too, wrapping or not in u64 */
		if ((op == EBPF_ALU_ADD || op == EBPF_ALU_SUB) && src.a == src.b &&
		    !(op == EBPF_ALU_SUB && k == INT64_MIN)) {
			if (op == EBPF_ALU_SUB)
				k = -k;
			if (!__builtin_add_overflow(old.smin, k, &lo) &&
			    !__builtin_add_overflow(old.smax, k, &hi)) {
				d->smin = lo > d->smin ? lo : d->smin;
				d->smax = hi < d->smax ? hi : d->smax;
				if (!refine(d))
					*d = unknown();
			}
		}
	}
}

/* ------------------------------------------------------------- helpers */

enum arg_type {
	A_ANY = 0,
	A_CTX,
	A_MAP,
	A_KEY,        /* key_size bytes of the map in the first A_MAP, read */
	A_VALUE,      /* value_size bytes, read */
	A_VALUE_OUT,  /* value_size bytes, written */
	A_MEM,        /* size in the next argument, read */
	A_MEM_OUT,    /* size in the next argument, written */
	A_MEM_OR_NULL,/* A_MEM, or NULL with size 0 */
	A_MEM_OUT_OR_NULL, /* A_MEM_OUT, or NULL with size 0 */
	A_SIZE,       /* the size of the argument before */
	A_FUNC,
	A_STACK_OR_NULL,
	A_SPIN_LOCK,
	A_RINGBUF_REC,
	A_CONST_STR,
	A_FMT,        /* a constant format (trace_printk, snprintf) that reads no memory */
	A_MEM_FIXED,  /* fixed[k] bytes, read (the kernel's ARG_PTR_TO_FIXED_SIZE_MEM) */
	A_MEM_FIXED_RW, /* the same, read and written (| MEM_WRITE) */
};

struct helper_proto {
	int32_t id;
	uint8_t arg[5];
	uint8_t ret;     /* a kind, or K_SCALAR */
	bool changes_pkt;
	uint32_t map_types; /* A_MAP: allowed BPF_MAP_TYPE_* bits, 0: any lookup-able */
};

/*
 * The size of A_MEM_FIXED(_RW) argument k of helper id: check_mtu's u32
 * mtu_len; struct iphdr, ipv6hdr, tcphdr for the syncookie helpers.
 */
static uint32_t fixed_size(int32_t id, int k)
{
	if (id == 163)
		return 4;
	if (k == 0)
		return id == 205 || id == 207 ? 40 : 20;
	return 20;
}

#define MT(t) (1u << (t))
#define MT_DEV (MT(BPF_MAP_TYPE_DEVMAP) | MT(BPF_MAP_TYPE_DEVMAP_HASH) | MT(BPF_MAP_TYPE_XSKMAP) | MT(BPF_MAP_TYPE_CPUMAP))
#define MT_EACH (MT(BPF_MAP_TYPE_ARRAY) | MT(BPF_MAP_TYPE_PERCPU_ARRAY) | MT(BPF_MAP_TYPE_HASH) | MT(BPF_MAP_TYPE_PERCPU_HASH) | MT(BPF_MAP_TYPE_LRU_HASH) | MT(BPF_MAP_TYPE_LRU_PERCPU_HASH))
#define MT_NOT_ELEM (MT(BPF_MAP_TYPE_PROG_ARRAY) | MT(BPF_MAP_TYPE_RINGBUF) | MT(BPF_MAP_TYPE_PERF_EVENT_ARRAY) | MT(BPF_MAP_TYPE_QUEUE) | MT(BPF_MAP_TYPE_STACK))

static const struct helper_proto protos[] = {
	{ 1, { A_MAP, A_KEY }, K_MAP_VALUE_OR_NULL, false, ~MT_NOT_ELEM },
	{ 2, { A_MAP, A_KEY, A_VALUE, A_ANY }, K_SCALAR, false, ~MT_NOT_ELEM },
	{ 3, { A_MAP, A_KEY }, K_SCALAR, false, ~MT_NOT_ELEM },
	{ 5, { 0 }, K_SCALAR, false, 0 },
	{ 6, { A_FMT, A_SIZE, A_ANY, A_ANY, A_ANY }, K_SCALAR, false, 0 },
	{ 7, { 0 }, K_SCALAR, false, 0 },
	{ 8, { 0 }, K_SCALAR, false, 0 },
	{ 12, { A_CTX, A_MAP, A_ANY }, K_SCALAR, false, MT(BPF_MAP_TYPE_PROG_ARRAY) },
	{ 14, { 0 }, K_SCALAR, false, 0 },  /* get_current_pid_tgid */
	{ 15, { 0 }, K_SCALAR, false, 0 },  /* get_current_uid_gid */
	{ 16, { A_MEM_OUT, A_SIZE }, K_SCALAR, false, 0 },  /* get_current_comm(buf, size) */
	{ 23, { A_ANY, A_ANY }, K_SCALAR, false, 0 },
	{ 25, { A_CTX, A_MAP, A_ANY, A_MEM, A_SIZE }, K_SCALAR, false, MT(BPF_MAP_TYPE_PERF_EVENT_ARRAY) },
	{ 28, { A_MEM_OR_NULL, A_SIZE, A_MEM_OR_NULL, A_SIZE, A_ANY }, K_SCALAR, false, 0 },
	{ 44, { A_CTX, A_ANY }, K_SCALAR, true, 0 },
	{ 51, { A_MAP, A_ANY, A_ANY }, K_SCALAR, false, MT_DEV },
	{ 54, { A_CTX, A_ANY }, K_SCALAR, true, 0 },
	{ 65, { A_CTX, A_ANY }, K_SCALAR, true, 0 },
	{ 69, { A_CTX, A_MEM_OUT, A_SIZE, A_ANY }, K_SCALAR, false, 0 },
	{ 87, { A_MAP, A_VALUE, A_ANY }, K_SCALAR, false, MT(BPF_MAP_TYPE_QUEUE) | MT(BPF_MAP_TYPE_STACK) | MT(BPF_MAP_TYPE_BLOOM_FILTER) },
	{ 88, { A_MAP, A_VALUE_OUT }, K_SCALAR, false, MT(BPF_MAP_TYPE_QUEUE) | MT(BPF_MAP_TYPE_STACK) },
	{ 89, { A_MAP, A_VALUE_OUT }, K_SCALAR, false, MT(BPF_MAP_TYPE_QUEUE) | MT(BPF_MAP_TYPE_STACK) | MT(BPF_MAP_TYPE_BLOOM_FILTER) },
	{ 93, { A_SPIN_LOCK }, K_SCALAR, false, 0 },
	{ 94, { A_SPIN_LOCK }, K_SCALAR, false, 0 },
	{ 125, { 0 }, K_SCALAR, false, 0 },
	{ 130, { A_MAP, A_MEM, A_SIZE, A_ANY }, K_SCALAR, false, MT(BPF_MAP_TYPE_RINGBUF) },
	{ 131, { A_MAP, A_ANY, A_ANY }, K_RINGBUF_OR_NULL, false, MT(BPF_MAP_TYPE_RINGBUF) },
	{ 132, { A_RINGBUF_REC, A_ANY }, K_SCALAR, false, 0 },
	{ 133, { A_RINGBUF_REC, A_ANY }, K_SCALAR, false, 0 },
	{ 134, { A_MAP, A_ANY }, K_SCALAR, false, MT(BPF_MAP_TYPE_RINGBUF) },
	{ 181, { A_ANY, A_FUNC, A_STACK_OR_NULL, A_ANY }, K_SCALAR, false, 0 },
	/* for_each_map_elem(map, callback, ctx, flags): the maps the kernel walks */
	{ 164, { A_MAP, A_FUNC, A_STACK_OR_NULL, A_ANY }, K_SCALAR, false, MT_EACH },
	{ 182, { A_MEM, A_SIZE, A_CONST_STR }, K_SCALAR, false, 0 },
	{ 188, { A_CTX }, K_SCALAR, false, 0 },
	{ 189, { A_CTX, A_ANY, A_MEM_OUT, A_SIZE }, K_SCALAR, false, 0 },
	{ 190, { A_CTX, A_ANY, A_MEM, A_SIZE }, K_SCALAR, false, 0 },
	{ 195, { A_MAP, A_KEY, A_ANY }, K_MAP_VALUE_OR_NULL, false, MT(BPF_MAP_TYPE_PERCPU_ARRAY) | MT(BPF_MAP_TYPE_PERCPU_HASH) | MT(BPF_MAP_TYPE_LRU_PERCPU_HASH) },
	{ 42, { 0 }, K_SCALAR, false, 0 },   /* get_numa_node_id */
	{ 118, { 0 }, K_SCALAR, false, 0 },  /* jiffies64 */
	{ 160, { 0 }, K_SCALAR, false, 0 },  /* ktime_get_coarse_ns */
	{ 208, { 0 }, K_SCALAR, false, 0 },  /* ktime_get_tai_ns */
	/* check_mtu(ctx, ifindex, &mtu_len, len_diff, flags): mtu_len read and written */
	{ 163, { A_CTX, A_ANY, A_MEM_FIXED_RW, A_ANY, A_ANY }, K_SCALAR, false, 0 },
	/* snprintf(str, str_size, fmt, data, data_len) */
	{ 165, { A_MEM_OUT_OR_NULL, A_SIZE, A_FMT, A_MEM_OR_NULL, A_SIZE }, K_SCALAR, false, 0 },
	/* tcp_raw_gen_syncookie_ipv4/6(iph, th, th_len): the IP header, th_len bytes of TCP */
	{ 204, { A_MEM_FIXED, A_MEM, A_SIZE }, K_SCALAR, false, 0 },
	{ 205, { A_MEM_FIXED, A_MEM, A_SIZE }, K_SCALAR, false, 0 },
	/* tcp_raw_check_syncookie_ipv4/6(iph, th): the IP header and a 20-byte TCP header */
	{ 206, { A_MEM_FIXED, A_MEM_FIXED }, K_SCALAR, false, 0 },
	{ 207, { A_MEM_FIXED, A_MEM_FIXED }, K_SCALAR, false, 0 },
};

static const struct helper_proto *proto_of(int32_t id)
{
	for (size_t k = 0; k < sizeof(protos) / sizeof(protos[0]); k++)
		if (protos[k].id == id)
			return &protos[k];
	return NULL;
}

/* Every pointer kind in regs and slots a packet move makes stale. */
static void drop_pkt_pointers(struct cstate *s)
{
	s->pkt_len = 0;
	memset(s->reach, 0, sizeof(s->reach));
	for (int k = 0; k < N_VALS; k++) {
		struct cval *x = val_at(s, k);
		if (x->kind == K_PKT || x->kind == K_META || x->kind == K_PKT_END)
			*x = unknown();
	}
}

/* Is the string at offset off of map value v constant (read-only, known contents, NUL inside)? */
static bool const_string_at(const struct confiner *c, const struct cval *v, int64_t off,
			    const char **str)
{
	const struct uxdp_map_info *m = map_of(c, v->id);
	struct cval at = *v;

	at.a = at.b = (uint64_t)off;
	v = &at;
	if (v->kind != K_MAP_VALUE || !m || (v->flags & (CV_MULTI_MAP | CV_OR_ZERO)) ||
	    !((m->map_flags & BPF_F_RDONLY_PROG) || m->kind == UXDP_MAP_KIND_RODATA) || !m->init ||
	    lo_of(v) != hi_of(v) || lo_of(v) < 0 || (uint64_t)lo_of(v) >= m->init_size)
		return false;
	if (!memchr(m->init + lo_of(v), 0, m->init_size - (size_t)lo_of(v)))
		return false;
	*str = (const char *)m->init + lo_of(v);
	return true;
}

/* The same for every offset v may have; str: the string at each, checked by ok. */
static bool const_strings(const struct confiner *c, const struct cval *v,
			  bool (*bad)(const char *, uint32_t), uint32_t arg)
{
	const char *str;

	if (v->kind != K_MAP_VALUE || !off_bounded(v) || hi_of(v) - lo_of(v) > 4096)
		return false;
	for (int64_t o = lo_of(v); o <= hi_of(v); o++)
		if (!const_string_at(c, v, o, &str) || (bad && bad(str, arg)))
			return false;
	return true;
}

/* A format one of whose conversions reads memory (%s and friends). */
static bool fmt_reads_memory(const char *f, uint32_t unused)
{
	for (; *f; f++) {
		if (*f != '%')
			continue;
		f++;
		while (*f && strchr("-+ #0123456789.lhzjt", *f))
			f++;
		/* %s, %pks, %pus read a string; %pI4 %pi4 %pI6 %pi6 4 or 16 bytes,
		 * all at whatever address the argument holds */
		if (*f == 's' || (*f == 'p' && f[1] && strchr("kuIi", f[1])))
			return true;
		if (!*f)
			break;
	}
	return false;
}

/*
 * A format with more conversions than its max arguments: bpf_snprintf's,
 * which the kernel checks at load time ("Invalid format string").  The
 * rest of the format is checked when it runs (-EINVAL).
 */
static bool fmt_too_many(const char *f, uint32_t max)
{
	uint32_t n = 0;

	for (; *f; f++)
		if (*f == '%' && f[1] == '%')
			f++;
		else if (*f == '%')
			n++;
	return n > max;
}

/*
 * A submitted or discarded ringbuf record is the reader's: every copy of it
 * goes, as the kernel drops every register with its ref_obj_id.  Copies
 * are known by the reservation's site; a record of either of two
 * reservations (site 0) goes with both.
 */
static void release_record(struct cstate *s, int32_t site)
{
	for (int k = 0; k < N_VALS; k++) {
		struct cval *v = val_at(s, k);
		if ((v->kind == K_RINGBUF || v->kind == K_RINGBUF_OR_NULL) &&
		    (!site || !v->site || v->site == site))
			*v = unknown();
	}
}

/* Values with the same site as a fresh result are from an older run of the call. */
static void forget_site(struct cstate *s, int32_t site)
{
	for (int k = 0; k < N_VALS; k++) {
		struct cval *x = val_at(s, k);
		if (x->site == site && is_null_kind(x->kind))
			*x = unknown();
	}
}

/* A memory argument [v + 0, v + size) of a helper: proven, guarded or refused. */
static int check_mem_arg(struct confiner *c, struct cstate *s, size_t i, unsigned reg,
			 const struct cval *size, bool write, struct confine_arg_guard *g)
{
	struct access ac = { .insn = i, .reg = reg, .off = 0, .write = write, .helper = true };
	uint8_t guard;
	int err;

	if (size->b > (1ULL << 29))
		return refuse(c, i, "helper argument r%u: unbounded memory access (size up to %llu)",
			      reg + 1, (unsigned long long)size->b);
	if (size->b == 0)
		return 0;
	ac.size = (int64_t)size->b;
	if (s->r[reg].flags & CV_OR_ZERO)
		return refuse(c, i, "helper argument r%u may be NULL", reg);
	/* analysis.c checks the program's own ctx accesses, not a helper's: a
	 * helper given ctx as a buffer would read or overwrite the packet
	 * pointers (the kernel refuses it too) */
	if (s->r[reg].kind == K_CTX)
		return refuse(c, i, "R%u type=ctx expected=fp, pkt, pkt_meta, map_key, map_value, mem",
			      reg);
	if (s->r[reg].kind == K_STACK && !write && !s->r[reg].frame) {
		/* helpers read whole keys and buffers: initialised bytes only */
		int64_t lo = lo_of(&s->r[reg]), hi = hi_of(&s->r[reg]);
		if (off_bounded(&s->r[reg]) && lo >= -EBPF_STACK_SIZE && hi + ac.size <= 0) {
			need_zero(c, s, lo, hi + ac.size);
			return 0;
		}
	}
	if (s->r[reg].kind == K_STACK && lo_of(&s->r[reg]) != hi_of(&s->r[reg]))
		return refuse(c, i, "helper argument r%u: stack pointer with a variable offset", reg);
	if (s->r[reg].kind == K_STACK && write && !s->r[reg].frame) {
		/* a helper that fails writes nothing (load_bytes past the end, pop
		 * on an empty queue), and the bytes it was to write count as
		 * written after the call: zero them at entry, so that they are
		 * never stale native stack */
		int64_t lo = lo_of(&s->r[reg]);
		if (off_bounded(&s->r[reg]) && lo >= -EBPF_STACK_SIZE && lo + ac.size <= 0)
			need_zero(c, s, lo, lo + ac.size);
	}
	err = check_access(c, s, &ac, &guard);
	if (err)
		return err;
	if (guard == CG_STACK)
		return refuse(c, i, "helper argument r%u: stack pointer with a variable offset", reg);
	if (guard != CG_NONE) {
		if (g->guard && g[1].guard)
			return refuse(c, i, "too many packet arguments");
		if (g->guard)
			g++;
		g->guard = guard;
		g->ptr_reg = (uint8_t)reg;
		g->size_reg = 0;
		g->size_const = (uint32_t)size->b;
	}
	return 0;
}

/*
 * A map value or NULL (paths joined) for a helper that takes NULL with size
 * 0: the value is proven as a map value; that the size is 0 when the
 * pointer is NULL is checked at run time (the kernel checks it per path).
 */
static int null_or_value_arg(struct confiner *c, struct cstate *s, size_t i, unsigned reg,
			     const struct cval *size, bool write, struct confine_arg_guard *g)
{
	struct cval saved = s->r[reg];
	int err;

	if (size->kind != K_SCALAR)
		return refuse(c, i, "R%u: a size must be a scalar", reg + 1);
	s->r[reg].flags &= (uint8_t)~CV_OR_ZERO;
	if (s->r[reg].kind == K_MAP_VALUE_OR_NULL)
		s->r[reg].kind = K_MAP_VALUE; /* when it is not NULL */
	err = check_mem_arg(c, s, i, reg, size, write, g);
	s->r[reg] = saved;
	if (err || !size->b)
		return err;
	if (g->guard && g[1].guard)
		return refuse(c, i, "too many checked helper arguments");
	if (g->guard)
		g++;
	g->guard = CG_NULL_SIZE;
	g->ptr_reg = (uint8_t)reg;
	g->size_reg = (uint8_t)(reg + 1);
	g->size_const = 0;
	return 0;
}

/* A memory argument the helper writes. */
static bool is_out(uint8_t arg)
{
	return arg == A_MEM_OUT || arg == A_MEM_OUT_OR_NULL;
}

/* Any argument through which the helper writes. */
static bool writes_through(uint8_t arg)
{
	return is_out(arg) || arg == A_VALUE_OUT || arg == A_MEM_FIXED_RW;
}

static int check_helper(struct confiner *c, struct cstate *s, size_t i, const struct ebpf_insn *in)
{
	const struct helper_proto *p = proto_of(in->imm);
	struct confine_arg_guard g[2] = { { 0 } };
	const struct uxdp_map_info *map = NULL;
	uint32_t max_key = 0, max_value = 0;
	int32_t map_id = -1;
	bool multi = false; /* the map is one of several */
	int err = 0;

	if (!p)
		return refuse(c, i, "helper %d (bpf_%s): uxdp does not know which memory it reaches, so it cannot confine it (compile with the kernel verifier)",
			      in->imm, uxdp_helper_name(in->imm) ? uxdp_helper_name(in->imm) : "?");
	for (int k = 0; k < 5 && !err; k++) {
		unsigned reg = (unsigned)k + 1;
		struct cval *v = &s->r[reg], *next = k < 4 ? &s->r[reg + 1] : NULL;
		uint32_t sz;

		if ((v->flags & CV_OR_ZERO) && p->arg[k] != A_ANY && p->arg[k] != A_SIZE &&
		    p->arg[k] != A_MEM_OR_NULL && p->arg[k] != A_MEM_OUT_OR_NULL &&
		    p->arg[k] != A_STACK_OR_NULL)
			return refuse(c, i, "R%u type=%s or NULL: a helper argument that may not be NULL",
				      reg, kind_names[v->kind]);
		switch (p->arg[k]) {
		case A_CTX:
			if (v->kind != K_CTX || v->a || v->b)
				return refuse(c, i, "R%u type=%s expected=ctx", reg, kind_names[v->kind]);
			break;
		case A_MAP: {
			uint64_t set = v->id >= 0 ? 0 : v->a;
			map = map_of(c, v->id);
			if (v->kind != K_MAP_PTR || (!map && !set))
				return refuse(c, i, "R%u type=%s expected=map_ptr", reg, kind_names[v->kind]);
			/* One of several maps: every one must fit; keys and values as the largest
			 * (all bytes read), the result as the smallest value. */
			for (int32_t id = 0; id < 64 && (set || map); id++) {
				const struct uxdp_map_info *mm = set ? map_of(c, id) : map;
				if (set && !(set & (1ULL << id)))
					continue;
				if (!mm)
					return refuse(c, i, "R%u: unknown map", reg);
				if (p->map_types && mm->type < 32 && !(p->map_types & MT(mm->type)))
					return refuse(c, i, "helper %s cannot use map '%s' of type %s",
						      uxdp_helper_name(in->imm), mm->name,
						      uxdp_map_type_name(mm->type));
				if (!set) {
					map_id = v->id;
					break;
				}
				/* Any member a map of maps would return a map handle
				 * typed as another member's value; a read-only member
				 * would take the writes the others allow. */
				if (mm->type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
				    mm->type == BPF_MAP_TYPE_HASH_OF_MAPS)
					return refuse(c, i, "R%u: one of several maps of maps", reg);
				if (map_id >= 0 && (mm->map_flags & BPF_F_RDONLY_PROG) !=
							   (map_of(c, map_id)->map_flags & BPF_F_RDONLY_PROG))
					return refuse(c, i, "R%u: one of several maps, not all read-only for programs",
						      reg);
				multi |= map_id >= 0;
				if (map_id < 0 || mm->value_size < map_of(c, map_id)->value_size)
					map_id = id;
				if (mm->key_size > max_key)
					max_key = mm->key_size;
				if (mm->value_size > max_value)
					max_value = mm->value_size;
			}
			map = map_of(c, map_id);
			if (!set)
				max_key = map->key_size, max_value = map->value_size;
			break;
		}
		case A_KEY:
		case A_VALUE:
		case A_VALUE_OUT:
			sz = p->arg[k] == A_KEY ? max_key : max_value;
			{
				struct cval size = scalar(sz, sz);
				err = check_mem_arg(c, s, i, reg, &size, p->arg[k] == A_VALUE_OUT,
						    g);
			}
			if (!err && p->arg[k] == A_VALUE_OUT && v->kind == K_STACK)
				stack_written(s, v, lo_of(v), lo_of(v) + sz, NULL, true);
			break;
		case A_MEM_FIXED:
		case A_MEM_FIXED_RW: {
			uint32_t sz = fixed_size(p->id, k);
			struct cval size = scalar(sz, sz);
			bool rw = p->arg[k] == A_MEM_FIXED_RW;

			/* As a write: a known stack slot (to forget what it held,
			 * as for A_MEM_OUT), zeroed at entry if the program did
			 * not set it (the helper reads it first), or writable
			 * memory elsewhere. */
			err = check_mem_arg(c, s, i, reg, &size, rw, g);
			if (!err && rw && v->kind == K_STACK)
				stack_written(s, v, lo_of(v), lo_of(v) + sz, NULL, true);
			break;
		}
		case A_MEM_OR_NULL:
		case A_MEM_OUT_OR_NULL:
			if (v->kind == K_SCALAR && v->a == 0 && v->b == 0 &&
			    next->kind == K_SCALAR && next->a == 0 && next->b == 0)
				break; /* NULL, size 0 (a pointer at offset 0 is no size) */
			if ((v->flags & CV_OR_ZERO) || v->kind == K_MAP_VALUE_OR_NULL) {
				err = null_or_value_arg(c, s, i, reg, next, is_out(p->arg[k]), g);
				break;
			}
			/* fall through */
		case A_MEM:
		case A_MEM_OUT:
			if (next->kind != K_SCALAR)
				return refuse(c, i, "R%u: a size must be a scalar, not %s", reg + 1,
					      kind_names[next->kind]);
			err = check_mem_arg(c, s, i, reg, next, is_out(p->arg[k]), g);
			if (!err && g[0].guard && g[0].ptr_reg == reg && next->a != next->b)
				g[0].size_reg = (uint8_t)(reg + 1);
			if (!err && g[1].guard && g[1].ptr_reg == reg && next->a != next->b)
				g[1].size_reg = (uint8_t)(reg + 1);
			if (!err && is_out(p->arg[k]) && v->kind == K_STACK)
				stack_written(s, v, lo_of(v), lo_of(v) + (int64_t)next->a, NULL,
					      lo_of(v) == hi_of(v));
			break;
		case A_FUNC:
			if (v->kind != K_FUNC)
				return refuse(c, i, "R%u type=%s expected=func", reg, kind_names[v->kind]);
			break;
		case A_STACK_OR_NULL:
			if (!(v->kind == K_STACK || (v->kind == K_SCALAR && !v->a && !v->b) ||
			      v->kind == K_MAP_VALUE))
				return refuse(c, i, "R%u type=%s expected=fp or NULL", reg,
					      kind_names[v->kind]);
			break;
		case A_SPIN_LOCK: {
			const struct uxdp_map_info *m = map_of(c, v->id);
			if (v->kind != K_MAP_VALUE || !m || (v->flags & (CV_MULTI_MAP | CV_OR_ZERO)) ||
			    m->spin_lock_off == UINT32_MAX ||
			    lo_of(v) != (int64_t)m->spin_lock_off || hi_of(v) != lo_of(v))
				return refuse(c, i, "R%u is not the bpf_spin_lock of a map value", reg);
			break;
		}
		case A_RINGBUF_REC:
			if (v->kind != K_RINGBUF || v->a || v->b)
				return refuse(c, i, "R%u type=%s expected=ringbuf_mem at offset 0", reg,
					      kind_names[v->kind]);
			break;
		case A_CONST_STR:
			if (!const_strings(c, v, NULL, 0))
				return refuse(c, i, "R%u is not a constant NUL-terminated string in read-only data", reg);
			break;
		case A_FMT:
			if (!const_strings(c, v, NULL, 0))
				return refuse(c, i, "%s: the format is not a constant string in read-only data",
					      uxdp_helper_name(in->imm));
			if (!const_strings(c, v, fmt_reads_memory, 0))
				return refuse(c, i, "%s: %%s, %%pI4 and the like read memory at an address uxdp cannot confine",
					      uxdp_helper_name(in->imm));
			/* more than 96 is the helper's -EINVAL, as in the kernel */
			if (in->imm == 165 && (s->r[5].kind != K_SCALAR || s->r[5].a != s->r[5].b ||
					       s->r[5].a % 8))
				return refuse(c, i, "snprintf: data_len must be a constant multiple of 8");
			if (in->imm == 165 && !const_strings(c, v, fmt_too_many, (uint32_t)(s->r[5].a / 8)))
				return refuse(c, i, "snprintf: Invalid format string (more conversions than the %u arguments of data_len)",
					      (unsigned)(s->r[5].a / 8));
			break;
		default:
			break;
		}
	}
	if (err)
		return err;
	if (c->final)
		memcpy(c->cf->arg_guard[i], g, sizeof(g));
	if (p->arg[0] == A_RINGBUF_REC)
		release_record(s, s->r[1].site);
	/* The result. */
	if (p->id == 131) {
		struct cval *size = &s->r[2];
		const struct uxdp_map_info *m = map_of(c, s->r[1].id);
		/* a size larger than the ring gives NULL at run time */
		if (size->a != size->b || size->a > UINT32_MAX || !m)
			return refuse(c, i, "ringbuf_reserve: the size must be a constant");
		s->r[0] = ptr(K_RINGBUF_OR_NULL, (int32_t)size->a, 0, 0);
	} else if (p->ret == K_MAP_VALUE_OR_NULL) {
		const struct uxdp_map_info *m = map_of(c, map_id);
		bool of_maps = m && (m->type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
				     m->type == BPF_MAP_TYPE_HASH_OF_MAPS);
		s->r[0] = of_maps ? ptr(K_MAP_PTR_OR_NULL, m->inner_map,
					(int64_t)(m->inner_map >= 0 && m->inner_map < 64 ? 1ULL << m->inner_map : 0), 0) :
				    ptr(K_MAP_VALUE_OR_NULL, map_id, 0, 0);
		if (multi) /* no spin lock, no .rodata folding: which map is not known */
			s->r[0].flags |= CV_MULTI_MAP;
	} else {
		s->r[0] = unknown();
		if (p->changes_pkt)
			drop_pkt_pointers(s);
		return 0;
	}
	forget_site(s, (int32_t)i + 1);
	s->r[0].site = (int32_t)i + 1;
	if (p->changes_pkt)
		drop_pkt_pointers(s);
	return 0;
}

/* ------------------------------------------------------------ transfer */

static int transfer_load(struct confiner *c, size_t i, const struct ebpf_insn *in, struct cstate *s)
{
	struct access ac = { .insn = i, .reg = in->src, .off = in->off,
			     .size = insn_access_size(in->opcode) };
	const struct cval base = s->r[in->src];
	uint8_t guard;
	int err = check_access(c, s, &ac, &guard);

	if (err)
		return err;
	if (c->final)
		c->cf->guard[i] = guard;
	if (base.kind == K_CTX) {
		switch (in->off) {
		case 0:
			s->r[in->dst] = ptr(K_PKT, 0, 0, 0);
			break;
		case 4:
			s->r[in->dst] = ptr(K_PKT_END, 0, 0, 0);
			break;
		case 8:
			s->r[in->dst] = ptr(K_META, 0, 0, 0);
			break;
		default:
			s->r[in->dst] = scalar(0, UINT32_MAX);
			break;
		}
		return 0;
	}
	if (base.kind == K_STACK && ac.size == 8 && lo_of(&base) == hi_of(&base) &&
	    EBPF_MODE(in->opcode) == EBPF_MODE_MEM && (lo_of(&base) + in->off) % 8 == 0 &&
	    stack_slot_of(lo_of(&base) + in->off) >= 0) {
		s->r[in->dst] = slots_of(s, &base)[stack_slot_of(lo_of(&base) + in->off)];
		if ((!base.frame && !bytes_init(s, lo_of(&base) + in->off, lo_of(&base) + in->off + 8) &&
		     s->r[in->dst].kind != K_SCALAR) ||
		    (s->r[in->dst].flags & (CV_HALF_LO | CV_HALF_HI)))
			s->r[in->dst] = unknown();
		return 0;
	}
	if (base.kind == K_STACK && ac.size == 4 && lo_of(&base) == hi_of(&base) &&
	    EBPF_MODE(in->opcode) == EBPF_MODE_MEM && (lo_of(&base) + in->off) % 4 == 0 &&
	    stack_slot_of(lo_of(&base) + in->off) >= 0) {
		/* the half of a 4-byte spill gives back what was spilled */
		int64_t at = lo_of(&base) + in->off;
		struct cval v = slots_of(s, &base)[stack_slot_of(at)];
		uint8_t half = at % 8 ? CV_HALF_HI : CV_HALF_LO;

		v.flags &= (uint8_t)~half;
		s->r[in->dst] = v.kind == K_SCALAR && !v.flags && v.b <= UINT32_MAX &&
						(slots_of(s, &base)[stack_slot_of(at)].flags & half) ?
					v :
					scalar(0, UINT32_MAX);
		return 0;
	}
	if (EBPF_MODE(in->opcode) == EBPF_MODE_MEMSX || ac.size == 8)
		s->r[in->dst] = unknown();
	else
		s->r[in->dst] = scalar(0, (1ULL << (8 * ac.size)) - 1);
	return 0;
}

static int transfer_store(struct confiner *c, size_t i, const struct ebpf_insn *in, struct cstate *s)
{
	bool atomic = EBPF_MODE(in->opcode) == EBPF_MODE_ATOMIC;
	struct cval imm = scalar((uint64_t)(int64_t)in->imm, (uint64_t)(int64_t)in->imm);
	struct access ac = { .insn = i, .reg = in->dst, .off = in->off,
			     .size = insn_access_size(in->opcode), .write = true, .atomic = atomic };
	uint8_t guard;
	int err;

	if (EBPF_CLASS(in->opcode) == EBPF_CLS_ST)
		ac.val = &imm;
	else if (!atomic)
		ac.val = &s->r[in->src];
	if (atomic && s->r[in->dst].kind == K_STACK && s->r[in->src].kind != K_SCALAR)
		ac.val = NULL;
	err = check_access(c, s, &ac, &guard);
	if (err)
		return err;
	if (c->final)
		c->cf->guard[i] = guard;
	if (atomic && (in->imm & EBPF_ATOMIC_FETCH)) {
		if (in->imm == EBPF_ATOMIC_CMPXCHG)
			s->r[0] = unknown();
		else
			s->r[in->src] = unknown();
	}
	return 0;
}

/* The callee's view of the caller's state at a call. */
static void callee_entry(struct cstate *e, const struct cstate *s, const struct cval *args)
{
	memset(e, 0, sizeof(*e));
	for (int r = 0; r < EBPF_NR_REGS; r++)
		e->r[r] = scalar(0, 0);
	for (int r = 1; r <= 5; r++) {
		e->r[r] = args[r];
		if (e->r[r].kind == K_STACK)
			e->r[r] = e->r[r].frame ? unknown() : (e->r[r].frame = 1, e->r[r]);
	}
	for (int k = 0; k < N_SLOTS; k++) {
		e->ps[k] = s->s[k];
		if (e->ps[k].kind == K_STACK)
			e->ps[k] = e->ps[k].frame ? unknown() : (e->ps[k].frame = 1, e->ps[k]);
		e->s[k] = unknown();
	}
	for (int r = 1; r <= 5; r++)
		if (e->r[r].kind == K_PKT)
			e->r[r].id = e->r[r].site = 0; /* the caller's V: not the callee's to know */
	for (int k = 0; k < N_SLOTS; k++)
		if (e->ps[k].kind == K_PKT)
			e->ps[k].id = e->ps[k].site = 0;
	e->r[EBPF_REG_FP] = ptr(K_STACK, 0, 0, 0);
	e->regs_set = (uint16_t)((s->regs_set & 0x3e) | (1u << EBPF_REG_FP));
	e->pkt_len = s->pkt_len;
}

/*
 * bpf_loop and for_each_map_elem run their callback again on what the last
 * run left: a caller's slot the callback writes holds, on entry, whatever
 * any run wrote, which the summary says only as "written"; a record a run
 * submitted is gone and a packet a run moved has moved for the next.  The
 * fixed point settles it: when the summary grows, this entry changes and
 * the callback is looked at again.
 */
static void callback_entry(const struct confiner *c, int32_t f, int32_t helper, struct cstate *e)
{
	/* the kernel's callback states: r1, r2 (bpf_loop); r1..r4 (for_each) */
	e->regs_set = (uint16_t)((helper == UXDP_HELPER_ID_LOOP ? 0x6 : 0x1e) | (1u << EBPF_REG_FP));
	for (int k = 0; k < N_SLOTS; k++)
		if (c->sum[f].parent_written & (1ULL << k))
			e->ps[k] = unknown();
	if (c->sum[f].releases_rec)
		release_record(e, 0);
	if (c->sum[f].changes_pkt)
		drop_pkt_pointers(e);
}

static bool enter(struct confiner *c, int32_t f, const struct cstate *e)
{
	if (!c->entered[f]) {
		c->entry[f] = *e;
		c->entered[f] = true;
		return c->changed = true;
	}
	if (join_state(c, &c->entry[f], e, false, -1))
		return c->changed = true;
	return false;
}

/* What a call does to the caller's state once it returns. */
static void after_call(struct confiner *c, int32_t f, struct cstate *s, bool passes_stack)
{
	const struct fsum *sum = &c->sum[f];

	for (int k = 0; k < N_SLOTS; k++)
		if (sum->parent_written & (1ULL << k))
			s->s[k] = unknown();
	(void)passes_stack;
	if (sum->changes_pkt)
		drop_pkt_pointers(s);
	if (sum->releases_rec)
		release_record(s, 0); /* which record is not known here */
}

/* Slots of this frame a callee can see: uninitialised ones get zeroed. */
static void stack_escapes(struct confiner *c, struct cstate *s)
{
	need_zero(c, s, -EBPF_STACK_SIZE, 0);
	memset(s->init, 0xff, sizeof(s->init));
	memset(s->may, 0xff, sizeof(s->may));
}

/* The name of the kfunc a call insn calls, or NULL (a helper, a subprogram, no name). */
static const char *kfunc_name(const struct confiner *c, const struct ebpf_insn *in)
{
	if (in->src != EBPF_PSEUDO_CALL_KFUNC || in->imm < 0 || (size_t)in->imm >= c->obj->n_kfuncs)
		return NULL;
	return c->obj->kfuncs[in->imm];
}

static bool is_kfunc(const struct confiner *c, const struct ebpf_insn *in, const char *name)
{
	const char *k = kfunc_name(c, in);

	return k && !strcmp(k, name);
}

/* 0, 1, 2 for bpf_iter_num_new, _next, _destroy; -1 for another kfunc. */
static int iter_num_kfunc(const struct confiner *c, const struct ebpf_insn *in)
{
	static const char *const names[] = { "bpf_iter_num_new", "bpf_iter_num_next",
					     "bpf_iter_num_destroy" };

	for (int k = 0; k < 3; k++)
		if (is_kfunc(c, in, names[k]))
			return k;
	return -1;
}

/*
 * The numeric iterator kfuncs (runtime/helpers/iter_num.c) read and write
 * the 8-byte iterator at r1, which must be in this frame at a known offset;
 * whatever the program wrote there, next returns NULL or a pointer to its
 * first 4 bytes (the stack pointer, "or NULL" until a null check).  The
 * loop around them is not counted: the budget bounds it.
 */
static int transfer_iter_num(struct confiner *c, struct cstate *s, size_t i, int which)
{
	struct cval it = s->r[1], size = scalar(8, 8);
	struct confine_arg_guard g[2] = { { 0 } };
	int err;

	if (it.kind != K_STACK || it.frame || lo_of(&it) != hi_of(&it) || (it.flags & CV_OR_ZERO))
		return refuse(c, i, "%s: R1 must point into this frame's stack at a known offset",
			      kfunc_name(c, &c->prog->insns[i]));
	err = check_mem_arg(c, s, i, 1, &size, which == 1, g);
	if (!err && which == 1)
		err = check_mem_arg(c, s, i, 1, &size, false, g);
	if (err)
		return err;
	stack_written(s, &it, lo_of(&it), lo_of(&it) + 8, NULL, true);
	s->r[0] = which == 1 ? it : (which == 0 ? scalar(0, UINT64_MAX) : scalar(0, 0));
	if (which == 1)
		s->r[0].flags |= CV_OR_ZERO;
	for (int r = 1; r <= 5; r++)
		s->r[r] = unknown();
	return 0;
}

/*
 * bpf_xdp_pull_data(ctx, len): reads no memory, and its result is a
 * number.  uxdp frames are linear, so it moves nothing, but the kernel
 * forgets the packet pointers after it, as after bpf_xdp_adjust_head, and
 * so does this analysis: a program that reads through an old one is
 * refused here as the verifier refuses it.
 */
static int transfer_pull_data(struct confiner *c, struct cstate *s, size_t i)
{
	const struct cval *v = &s->r[1];

	if (v->kind != K_CTX || v->a || v->b)
		return refuse(c, i, "bpf_xdp_pull_data: R1 type=%s expected=ctx",
			      kind_names[v->kind]);
	if (s->r[2].kind != K_SCALAR)
		return refuse(c, i, "bpf_xdp_pull_data: R2 type=%s expected=scalar",
			      kind_names[s->r[2].kind]);
	s->r[0] = scalar(0, UINT64_MAX);
	for (int r = 1; r <= 5; r++)
		s->r[r] = unknown();
	drop_pkt_pointers(s);
	return 0;
}

/*
 * r0 after a call of subprogram f.  A lookup's result the callee returns
 * carries the callee's site: copies of an earlier call's result with that
 * site are another lookup's, and go, as forget_site() makes a helper's go.
 */
static void take_result(const struct confiner *c, int32_t f, struct cstate *s)
{
	const struct fsum *sum = &c->sum[f];

	if (sum->ret_set && is_null_kind(sum->ret.kind) && sum->ret.site)
		forget_site(s, sum->ret.site);
	s->r[0] = sum->ret_set ? sum->ret : unknown();
}

static int transfer_call(struct confiner *c, size_t i, const struct ebpf_insn *in, struct cstate *s)
{
	struct cval args[6];
	bool passes_stack = false;
	int32_t f = -1;
	int err;

	for (int r = 1; r <= 5; r++) {
		args[r] = s->r[r];
		passes_stack |= args[r].kind == K_STACK && !args[r].frame;
	}
	if (in->src == EBPF_PSEUDO_CALL_LOCAL) {
		f = c->an->callee[i];
	} else if (in->src == EBPF_PSEUDO_CALL_HELPER && in->imm == UXDP_HELPER_ID_LOOP) {
		f = c->an->callback[i];
		args[1] = scalar(0, 8 * 1024 * 1024);
		args[2] = s->r[3];
		args[3] = args[4] = args[5] = scalar(0, 0);
		passes_stack = args[2].kind == K_STACK && !args[2].frame;
	} else if (in->src == EBPF_PSEUDO_CALL_HELPER &&
		   in->imm == UXDP_HELPER_ID_FOR_EACH_MAP_ELEM) {
		/* (map, key, value, ctx): an element of the one map the call walks */
		f = c->an->callback[i];
		if (s->r[1].kind == K_MAP_PTR && s->r[1].id < 0)
			return refuse(c, i, "for_each_map_elem: R1 is one of several maps");
		args[2] = ptr(K_MAP_KEY, s->r[1].id, 0, 0);
		args[3] = ptr(K_MAP_VALUE, s->r[1].id, 0, 0);
		args[4] = s->r[3];
		args[5] = scalar(0, 0);
		passes_stack = args[4].kind == K_STACK && !args[4].frame;
	} else if (iter_num_kfunc(c, in) >= 0) {
		return transfer_iter_num(c, s, i, iter_num_kfunc(c, in));
	} else if (is_kfunc(c, in, "bpf_xdp_pull_data")) {
		return transfer_pull_data(c, s, i);
	} else if (in->src != EBPF_PSEUDO_CALL_HELPER) {
		return refuse(c, i, "kfunc %s: uxdp does not know which memory it reaches, so it cannot confine it (compile with the kernel verifier)",
			      kfunc_name(c, in) ? kfunc_name(c, in) : "?");
	}
	if (passes_stack && f >= 0)
		stack_escapes(c, s);
	if (in->src == EBPF_PSEUDO_CALL_HELPER) {
		err = check_helper(c, s, i, in);
		if (err)
			return err;
	}
	if (f >= 0) {
		struct cstate e;
		callee_entry(&e, s, args);
		if (in->src != EBPF_PSEUDO_CALL_LOCAL)
			callback_entry(c, f, in->imm, &e);
		enter(c, f, &e);
		after_call(c, f, s, passes_stack);
		if (in->src == EBPF_PSEUDO_CALL_LOCAL)
			take_result(c, f, s);
	}
	for (int r = 1; r <= 5; r++)
		s->r[r] = unknown();
	return 0;
}

static int transfer_insn(struct confiner *c, size_t i, struct cstate *s);
static int transfer_one(struct confiner *c, size_t i, struct cstate *s);

/* Effect of insn i on s; 0 or a refusal (before the final pass, forget what it made). */
static int transfer(struct confiner *c, size_t i, struct cstate *s)
{
	const struct ebpf_insn *in = &c->prog->insns[i];
	int err = transfer_insn(c, i, s);

	if (err != -EAGAIN)
		return err;
	if (EBPF_CLASS(in->opcode) == EBPF_CLS_LDX || EBPF_CLASS(in->opcode) == EBPF_CLS_LD)
		s->r[in->dst] = unknown();
	if (in->opcode == EBPF_OP_CALL)
		for (int r = 0; r <= 5; r++)
			s->r[r] = unknown();
	if (EBPF_MODE(in->opcode) == EBPF_MODE_ATOMIC)
		s->r[0] = s->r[in->src] = unknown();
	return 0;
}

/* Registers insn i reads; the kernel refuses a read of one never written ("!read_ok"). */
static uint16_t regs_read(const struct ebpf_insn *in)
{
	uint8_t cls = EBPF_CLASS(in->opcode), op = EBPF_OP(in->opcode);
	bool x = EBPF_SRC(in->opcode) == EBPF_SRC_X;
	uint16_t r = 0;

	switch (cls) {
	case EBPF_CLS_ALU:
	case EBPF_CLS_ALU64:
		if (x && op != EBPF_ALU_END && op != EBPF_ALU_NEG)
			r |= 1u << in->src;
		if (op != EBPF_ALU_MOV)
			r |= 1u << in->dst;
		break;
	case EBPF_CLS_LDX:
		r |= 1u << in->src;
		break;
	case EBPF_CLS_ST:
		r |= 1u << in->dst;
		break;
	case EBPF_CLS_STX:
		r |= 1u << in->dst | 1u << in->src;
		if (EBPF_MODE(in->opcode) == EBPF_MODE_ATOMIC && in->imm == EBPF_ATOMIC_CMPXCHG)
			r |= 1u;
		break;
	case EBPF_CLS_JMP:
	case EBPF_CLS_JMP32:
		if (in->opcode == EBPF_OP_EXIT) {
			r |= 1u;
		} else if (op == EBPF_JMP_CALL) {
			int n = in->src == EBPF_PSEUDO_CALL_HELPER ? uxdp_helper_nargs(in->imm) : 0;
			if (in->src == EBPF_PSEUDO_CALL_HELPER && in->imm == 6)
				n = 2; /* trace_printk's values are "don't care" to the kernel */
			for (int k = 1; k <= n; k++)
				r |= 1u << k;
		} else if (op != EBPF_JMP_JA && op != EBPF_JMP_JCOND) {
			/* may_goto (JCOND) tests a hidden counter, not a register */
			r |= 1u << in->dst;
			if (x)
				r |= 1u << in->src;
		}
		break;
	default:
		break;
	}
	return r;
}

static uint16_t regs_written(const struct ebpf_insn *in)
{
	uint8_t cls = EBPF_CLASS(in->opcode);

	switch (cls) {
	case EBPF_CLS_ALU:
	case EBPF_CLS_ALU64:
	case EBPF_CLS_LD:
	case EBPF_CLS_LDX:
		return (uint16_t)(1u << in->dst);
	case EBPF_CLS_STX:
		if (EBPF_MODE(in->opcode) == EBPF_MODE_ATOMIC && (in->imm & EBPF_ATOMIC_FETCH))
			return (uint16_t)(in->imm == EBPF_ATOMIC_CMPXCHG ? 1u : 1u << in->src);
		return 0;
	default:
		return 0;
	}
}

static int transfer_insn(struct confiner *c, size_t i, struct cstate *s)
{
	const struct ebpf_insn *insn = &c->prog->insns[i];
	uint16_t unread = regs_read(insn) & (uint16_t)~s->regs_set;
	int err;

	if (unread)
		return refuse(c, i, "R%d !read_ok: the register is read before it is written",
			      __builtin_ctz(unread));
	err = transfer_one(c, i, s);
	if (insn->opcode == EBPF_OP_CALL)
		s->regs_set = (uint16_t)((s->regs_set & ~0x3eu) | 1u); /* r0 set, r1-r5 clobbered */
	else
		s->regs_set |= regs_written(insn);
	return err;
}

static int transfer_one(struct confiner *c, size_t i, struct cstate *s)
{
	const struct ebpf_insn *in = &c->prog->insns[i];
	const struct uxdp_map_info *m;

	switch (EBPF_CLASS(in->opcode)) {
	case EBPF_CLS_ALU:
	case EBPF_CLS_ALU64:
		apply_alu(s, i, in);
		return 0;
	case EBPF_CLS_LD:
		switch (in->src) {
		case EBPF_PSEUDO_FUNC:
			s->r[in->dst] = ptr(K_FUNC, uxdp_func_at(c->an, (size_t)((int64_t)i + in->imm + 1)), 0, 0);
			break;
		case EBPF_PSEUDO_MAP_FD:
			s->r[in->dst] = ptr(K_MAP_PTR, in->imm, 0, 0);
			s->r[in->dst].a = in->imm >= 0 && in->imm < 64 ? 1ULL << in->imm : 0;
			break;
		case EBPF_PSEUDO_MAP_VALUE:
			m = map_of(c, in->imm);
			s->r[in->dst] = ptr(K_MAP_VALUE, in->imm, (uint32_t)in[1].imm, (uint32_t)in[1].imm);
			if (!m || (uint64_t)(uint32_t)in[1].imm > m->value_size)
				return refuse(c, i, "map value reference past the value");
			break;
		case EBPF_PSEUDO_LD_IMM: {
			uint64_t v = (uint64_t)(uint32_t)in->imm | (uint64_t)(uint32_t)in[1].imm << 32;
			s->r[in->dst] = scalar(v, v);
			break;
		}
		default:
			return refuse(c, i, "lddw of this kind cannot be confined");
		}
		return 0;
	case EBPF_CLS_LDX:
		return transfer_load(c, i, in, s);
	case EBPF_CLS_ST:
	case EBPF_CLS_STX:
		return transfer_store(c, i, in, s);
	default:
		if (in->opcode == EBPF_OP_CALL)
			return transfer_call(c, i, in, s);
		if (in->opcode == EBPF_OP_CALLX)
			return refuse(c, i, "indirect calls cannot be confined");
		return 0;
	}
}

/* ------------------------------------------------------------ branches */

/* r (or NULL) is known non-null / null on this edge: settle it and its copies. */
static void settle_null(struct cstate *s, const struct cval *r, bool non_null)
{
	struct cval v = *r;

	for (int k = 0; k < N_VALS; k++) {
		struct cval *x = val_at(s, k);
		if (x->kind != v.kind || x->site != v.site || x->id != v.id)
			continue;
		if (!non_null)
			*x = scalar(0, 0);
		else
			x->kind = non_null_kind(x->kind);
	}
}

/*
 * Narrow the scalar d on the edge where `d op y` is `taken`; false when the
 * edge cannot be taken.
 */
static bool narrow(struct cval *d, struct cval y, uint8_t op, bool taken, bool is32)
{
	uint64_t lo = d->a, hi = d->b;

	if (is32 && (d->b > UINT32_MAX || y.b > UINT32_MAX))
		return true;
	if (op == EBPF_JMP_JSGT || op == EBPF_JMP_JSGE || op == EBPF_JMP_JSLT ||
	    op == EBPF_JMP_JSLE) {
		uint64_t half = is32 ? INT32_MAX : INT64_MAX;
		if (d->b > half || y.b > half)
			return true; /* both non-negative: signed is unsigned */
		op = op == EBPF_JMP_JSGT ? EBPF_JMP_JGT :
		     op == EBPF_JMP_JSGE ? EBPF_JMP_JGE :
		     op == EBPF_JMP_JSLT ? EBPF_JMP_JLT :
					   EBPF_JMP_JLE;
	}
	if (!taken) {
		switch (op) {
		case EBPF_JMP_JGT: op = EBPF_JMP_JLE; break;
		case EBPF_JMP_JGE: op = EBPF_JMP_JLT; break;
		case EBPF_JMP_JLT: op = EBPF_JMP_JGE; break;
		case EBPF_JMP_JLE: op = EBPF_JMP_JGT; break;
		case EBPF_JMP_JEQ: op = EBPF_JMP_JNE; break;
		case EBPF_JMP_JNE: op = EBPF_JMP_JEQ; break;
		default: return true;
		}
	}
	if (!is32 && y.a == y.b && (op == EBPF_JMP_JEQ || op == EBPF_JMP_JNE)) {
		int64_t c = (int64_t)y.a;

		if (op == EBPF_JMP_JEQ) {
			d->smin = d->smin > c ? d->smin : c;
			d->smax = d->smax < c ? d->smax : c;
		} else if (d->smin == c && d->smax == c) {
			return false;
		} else if (d->smin == c) {
			d->smin++;
		} else if (d->smax == c) {
			d->smax--;
		}
		if (!refine(d))
			return false;
		lo = d->a, hi = d->b;
	}
	switch (op) {
	case EBPF_JMP_JGT:
		if (y.a == UINT64_MAX)
			return false;
		lo = lo > y.a + 1 ? lo : y.a + 1;
		break;
	case EBPF_JMP_JGE:
		lo = lo > y.a ? lo : y.a;
		break;
	case EBPF_JMP_JLT:
		if (y.b == 0)
			return false;
		hi = hi < y.b - 1 ? hi : y.b - 1;
		break;
	case EBPF_JMP_JLE:
		hi = hi < y.b ? hi : y.b;
		break;
	case EBPF_JMP_JEQ:
		lo = lo > y.a ? lo : y.a;
		hi = hi < y.b ? hi : y.b;
		break;
	case EBPF_JMP_JNE:
		if (y.a == y.b && lo == hi && lo == y.a)
			return false;
		if (y.a == y.b && lo == y.a && lo < hi)
			lo++;
		else if (y.a == y.b && hi == y.a && lo < hi)
			hi--;
		break;
	default:
		return true;
	}
	if (lo > hi)
		return false;
	d->a = lo, d->b = hi;
	return refine(d);
}

static uint8_t swapped(uint8_t op)
{
	switch (op) {
	case EBPF_JMP_JGT: return EBPF_JMP_JLT;
	case EBPF_JMP_JGE: return EBPF_JMP_JLE;
	case EBPF_JMP_JLT: return EBPF_JMP_JGT;
	case EBPF_JMP_JLE: return EBPF_JMP_JGE;
	case EBPF_JMP_JSGT: return EBPF_JMP_JSLT;
	case EBPF_JMP_JSGE: return EBPF_JMP_JSLE;
	case EBPF_JMP_JSLT: return EBPF_JMP_JSGT;
	case EBPF_JMP_JSLE: return EBPF_JMP_JSGE;
	default: return op;
	}
}

/* Registers and slots holding the same value as v get its narrowed range. */
static void narrow_links(struct cstate *s, const struct cval *v)
{
	if (!(v->site & LINK_SITE))
		return;
	for (int k = 0; k < N_VALS; k++) {
		struct cval *x = val_at(s, k);
		if (x->kind != K_SCALAR || x->site != v->site)
			continue;
		x->a = x->a > v->a ? x->a : v->a;
		x->b = x->b < v->b ? x->b : v->b;
	}
}

/* The state on the edge of a conditional jump; false if it cannot be taken. */
static bool edge_state(const struct ebpf_insn *in, struct cstate *s, bool taken)
{
	uint8_t op = EBPF_OP(in->opcode);
	bool is32 = EBPF_CLASS(in->opcode) == EBPF_CLS_JMP32, x = EBPF_SRC(in->opcode) == EBPF_SRC_X;
	struct cval *d = &s->r[in->dst], y;

	if (op == EBPF_JMP_JCOND)
		return true; /* may_goto: both edges, no register learns anything */
	y = x ? s->r[in->src] :
		(is32 ? scalar((uint32_t)in->imm, (uint32_t)in->imm) :
			scalar((uint64_t)(int64_t)in->imm, (uint64_t)(int64_t)in->imm));
	/* A packet pointer compared with data_end: the packet is at least that long. */
	if (!is32 && ((d->kind == K_PKT && y.kind == K_PKT_END) ||
		      (d->kind == K_PKT_END && y.kind == K_PKT))) {
		struct cval *pp = d->kind == K_PKT ? d : &s->r[in->src];
		uint8_t o = d->kind == K_PKT ? op : swapped(op);
		int64_t lo = lo_of(pp);
		uint64_t at_least = 0;

		/* pp <= end on this edge: len >= lo; pp < end: len >= lo + 1 */
		if ((o == EBPF_JMP_JGT && !taken) || (o == EBPF_JMP_JLE && taken))
			at_least = lo > 0 ? (uint64_t)lo : 0;
		else if ((o == EBPF_JMP_JGE && !taken) || (o == EBPF_JMP_JLT && taken))
			at_least = lo >= 0 ? (uint64_t)lo + 1 : 0;
		if (off_bounded(pp) && at_least > s->pkt_len && at_least < PKT_OFF_LIMIT)
			s->pkt_len = (uint32_t)at_least;
		/* the same with V(id): data + V + c (+ 1) <= data_end */
		if (pp->id && ((o == EBPF_JMP_JGT && !taken) || (o == EBPF_JMP_JLE && taken)))
			note_reach(s, pp->id, pp->site);
		else if (pp->id && ((o == EBPF_JMP_JGE && !taken) || (o == EBPF_JMP_JLT && taken)))
			note_reach(s, pp->id, (int64_t)pp->site + 1);
		/*
		 * pp <= data_end, and a packet is shorter than PKT_LEN_MAX: pp's
		 * offset is too.  A cursor a loop walks to data_end keeps a bound
		 * (its range at the loop head only says it never wrapped: lo >= 0,
		 * hi <= OFF_LIMIT).
		 */
		if (((o == EBPF_JMP_JGT && !taken) || (o == EBPF_JMP_JLE && taken) ||
		     (o == EBPF_JMP_JGE && !taken) || (o == EBPF_JMP_JLT && taken)) &&
		    lo_of(pp) >= 0 && hi_of(pp) <= OFF_LIMIT && hi_of(pp) > PKT_LEN_MAX)
			pp->b = (uint64_t)(lo_of(pp) > PKT_LEN_MAX ? lo_of(pp) : PKT_LEN_MAX);
		return true;
	}
	/* A pointer "or NULL" (joined, or an iterator's next): null-checked, itself or 0. */
	if (!is32 && (d->flags & CV_OR_ZERO) && d->kind != K_SCALAR && y.kind == K_SCALAR &&
	    y.a == 0 && y.b == 0 && (op == EBPF_JMP_JEQ || op == EBPF_JMP_JNE)) {
		if ((op == EBPF_JMP_JNE) == taken)
			d->flags &= (uint8_t)~CV_OR_ZERO;
		else
			*d = scalar(0, 0);
		return true;
	}
	/* Null checks: `if rX == 0` / `if rX != 0` on a pointer that may be NULL. */
	if (!is32 && is_null_kind(d->kind) && y.kind == K_SCALAR && y.a == 0 && y.b == 0 &&
	    (op == EBPF_JMP_JEQ || op == EBPF_JMP_JNE)) {
		struct cval v = *d;
		settle_null(s, &v, (op == EBPF_JMP_JNE) == taken);
		return true;
	}
	if (d->kind == K_SCALAR && y.kind == K_SCALAR) {
		struct cval dd = *d, yy = y;
		if (!narrow(&dd, y, op, taken, is32))
			return false;
		if (x && !narrow(&yy, *d, swapped(op), taken, is32))
			return false;
		if (!is32 || (d->b <= UINT32_MAX && y.b <= UINT32_MAX)) {
			*d = dd;
			narrow_links(s, &dd);
			if (x) {
				s->r[in->src] = yy;
				narrow_links(s, &yy);
			}
		}
	}
	return true;
}

/* -------------------------------------------------------- the fixpoint */

/* The r0 a function returns, seen from its caller. */
static void note_return(struct confiner *c, size_t f, const struct cstate *s)
{
	struct fsum *sum = &c->sum[f];
	struct cval r0 = s->r[0];

	if (r0.kind == K_STACK)
		r0 = r0.frame ? (r0.frame = 0, r0) : unknown(); /* its own frame dies */
	if (r0.kind == K_PKT)
		r0.id = r0.site = 0; /* its V may be made again by the next call */
	if (!sum->ret_set) {
		sum->ret = r0;
		sum->ret_set = c->changed = true;
	} else {
		struct cval j = join(c, sum->ret, r0, false);
		if (!cval_eq(&j, &sum->ret)) {
			sum->ret = j;
			c->changed = true;
		}
	}
}

/*
 * What call i does to the caller beside its writes, for the caller's
 * summary: a helper by its description, a subprogram or bpf_loop's callback
 * by its own summary.
 */
static void note_call_effects(struct confiner *c, size_t f, size_t i, const struct ebpf_insn *in)
{
	int32_t g = c->an->callee[i] >= 0 ? c->an->callee[i] : c->an->callback[i];
	const struct helper_proto *p = in->src == EBPF_PSEUDO_CALL_HELPER ? proto_of(in->imm) : NULL;
	bool pkt = (p && p->changes_pkt) || (g >= 0 && c->sum[g].changes_pkt) ||
		   is_kfunc(c, in, "bpf_xdp_pull_data");
	bool rec = (p && p->arg[0] == A_RINGBUF_REC) || (g >= 0 && c->sum[g].releases_rec);

	if (pkt && !c->sum[f].changes_pkt)
		c->sum[f].changes_pkt = c->changed = true;
	if (rec && !c->sum[f].releases_rec)
		c->sum[f].releases_rec = c->changed = true;
}

/* Writes through a pointer into the caller's frame, for its summary. */
static void note_parent_write(struct confiner *c, size_t f, size_t i, const struct cstate *s)
{
	const struct ebpf_insn *in = &c->prog->insns[i];
	uint8_t cls = EBPF_CLASS(in->opcode);
	const struct cval *v;
	uint64_t mask = 0;

	if (cls == EBPF_CLS_ST || cls == EBPF_CLS_STX) {
		v = &s->r[in->dst];
		if (v->kind == K_STACK && v->frame && off_bounded(v)) {
			int first = stack_slot_of(lo_of(v) + in->off);
			int last = stack_slot_of(hi_of(v) + in->off + insn_access_size(in->opcode) - 1);
			for (int k = first < 0 ? 0 : first; k <= last && k >= 0 && k < N_SLOTS; k++)
				mask |= 1ULL << k;
		}
	} else if (in->opcode == EBPF_OP_CALL) {
		/* a helper writing through a pointer into the caller's frame (a callee
		 * cannot: callee_entry hands it such a pointer as unknown), or a kfunc */
		const struct helper_proto *p = in->src == EBPF_PSEUDO_CALL_HELPER ? proto_of(in->imm) : NULL;
		for (int r = 1; r <= 5; r++)
			if (s->r[r].kind == K_STACK && s->r[r].frame &&
			    (in->src == EBPF_PSEUDO_CALL_KFUNC || (p && writes_through(p->arg[r - 1]))))
				mask = UINT64_MAX;
		note_call_effects(c, f, i, in);
	}
	if (mask & ~c->sum[f].parent_written) {
		c->sum[f].parent_written |= mask;
		c->changed = true;
	}
}

static int analyse_function(struct confiner *c, size_t f, struct cstate *in, uint8_t *reached)
{
	const struct lift_func *fn = &c->an->funcs[f];
	size_t n = fn->end - fn->start, *work, top = 0;
	uint8_t *queued;
	struct cstate s;
	int err = 0;

	work = malloc((n + 1) * sizeof(*work));
	queued = calloc(n + 1, 1);
	if (!work || !queued) {
		free(work);
		free(queued);
		return -ENOMEM;
	}
	memset(reached, 0, n);
	memset(c->visits, 0, n * sizeof(*c->visits));
	in[0] = c->entry[f];
	reached[0] = 1;
	work[top++] = fn->start;
	queued[0] = 1;
	while (top && !err) {
		size_t i = work[--top], succ[2];
		const struct ebpf_insn *insn = &c->prog->insns[i];
		struct cstate out[2];
		int n_succ = 0;

		queued[i - fn->start] = 0;
		s = in[i - fn->start];
		if (c->debug_insn == (long)i) {
			fprintf(stderr, "confine: insn %zu final=%d:", i, c->final);
			for (int r = 0; r < EBPF_NR_REGS; r++)
				fprintf(stderr, " r%d=%s/%d/%x/%d[%lld,%lld]", r, kind_names[s.r[r].kind],
					s.r[r].id, s.r[r].flags, s.r[r].site, (long long)s.r[r].a, (long long)s.r[r].b);
			for (int k = 0; k < N_SLOTS; k++)
				if (s.s[k].kind != K_SCALAR || s.s[k].flags)
					fprintf(stderr, " fp%d=%s/%x[%lld,%lld]", k * 8 - EBPF_STACK_SIZE,
						kind_names[s.s[k].kind], s.s[k].flags,
						(long long)s.s[k].a, (long long)s.s[k].b);
			fprintf(stderr, "\n");
		}
		note_parent_write(c, f, i, &s);
		err = transfer(c, i, &s);
		if (err)
			break;
		if (insn->opcode == EBPF_OP_EXIT) {
			note_return(c, f, &s);
		} else if (insn->opcode == EBPF_OP_LDDW) {
			out[n_succ] = s, succ[n_succ++] = i + 2;
		} else if (insn_is_jump(insn)) {
			bool cond = insn->opcode != EBPF_OP_JA && insn->opcode != EBPF_OP_JA32;
			out[n_succ] = s;
			if (!cond || edge_state(insn, &out[n_succ], true))
				succ[n_succ++] = insn_jump_target(i, insn);
			if (cond) {
				out[n_succ] = s;
				if (edge_state(insn, &out[n_succ], false))
					succ[n_succ++] = i + 1;
			}
		} else {
			out[n_succ] = s, succ[n_succ++] = i + 1;
		}
		for (int k = 0; k < n_succ; k++) {
			size_t t = succ[k] - fn->start;
			bool widen;

			if (succ[k] >= fn->end)
				continue;
			/* widen at loop heads only: every loop goes through one */
			widen = succ[k] <= i && ++c->visits[t] > WIDEN_AFTER;
			if (c->visits[t] == UINT16_MAX)
				c->visits[t]--;
			if (!reached[t] || join_state(c, &in[t], &out[k], widen, (long)succ[k])) {
				if (!reached[t])
					in[t] = out[k];
				reached[t] = 1;
				if (!queued[t]) {
					queued[t] = 1;
					work[top++] = succ[k];
				}
			}
		}
	}
	free(work);
	free(queued);
	return err;
}

#define MAX_PROVEN_TRIPS (1u << 16) /* a loop proven to end within this many runs */

/* Registers insn i may write (calls: r0-r5). */
static uint16_t writes_of(const struct ebpf_insn *in)
{
	return in->opcode == EBPF_OP_CALL || in->opcode == EBPF_OP_CALLX ? 0x3f : regs_written(in);
}

/*
 * Does every run of the loop [t, i] pass p?  Entered only at t, and no jump
 * before p leads past p inside the loop or back into [t, p].
 */
static bool every_iteration_passes(const struct confiner *c, size_t fs, size_t fe, size_t t,
				   size_t i, size_t p)
{
	for (size_t q = fs; q < fe; q++) {
		const struct ebpf_insn *in = &c->prog->insns[q];
		size_t to;

		if (c->an->second_slot[q] || !insn_is_jump(in))
			continue;
		to = insn_jump_target(q, in);
		if ((q < t || q > i) && to > t && to <= i)
			return false; /* a second way into the loop */
		if (q >= t && q < p && to <= i && (to <= q || to > p))
			return false;
	}
	return true;
}

/*
 * A counted loop: backward jump i to t continues while rX < Y (or <=, or !=
 * with a step of 1), rX is written once in the loop, by `rX += K` that every
 * iteration runs, and Y is a constant or a register the loop leaves alone
 * with a known bound.  Such a loop ends within (Y + 1) / K runs; it needs
 * no budget when that is small.  The exit test may also be a forward jump
 * out of the loop (`if rX >= Y goto out`) before an unconditional back-edge.
 */
static bool counted_loop(const struct confiner *c, size_t f, size_t i, const struct cstate *in)
{
	const struct lift_func *fn = &c->an->funcs[f];
	const struct ebpf_insn *back = &c->prog->insns[i], *test = NULL;
	size_t t = insn_jump_target(i, back), e = i, p = SIZE_MAX;
	uint16_t written = 0;
	uint64_t ymax, k = 0, trips;
	uint8_t op;
	bool continue_on_taken = true;

	if (back->opcode == EBPF_OP_JA || back->opcode == EBPF_OP_JA32) {
		/* find the exit test: a forward jump out of [t, i] */
		for (size_t q = t; q < i; q++) {
			const struct ebpf_insn *in2 = &c->prog->insns[q];
			if (!c->an->second_slot[q] && insn_is_jump(in2) && in2->opcode != EBPF_OP_JA &&
			    (size_t)insn_jump_target(q, in2) > i) {
				test = in2, e = q, continue_on_taken = false;
				break;
			}
		}
	} else {
		test = back;
	}
	if (!test)
		return false;
	for (size_t q = t; q <= i; q++)
		if (!c->an->second_slot[q])
			written |= writes_of(&c->prog->insns[q]);
	/* the counter's one write */
	for (size_t q = t; q <= i; q++) {
		const struct ebpf_insn *in2 = &c->prog->insns[q];
		if (c->an->second_slot[q] || !(writes_of(in2) & (1u << test->dst)))
			continue;
		if (p != SIZE_MAX || in2->opcode != (EBPF_CLS_ALU64 | EBPF_ALU_ADD | EBPF_SRC_K) ||
		    in2->imm <= 0)
			return false;
		p = q, k = (uint64_t)in2->imm;
	}
	if (p == SIZE_MAX || !every_iteration_passes(c, fn->start, fn->end, t, i, p) ||
	    !every_iteration_passes(c, fn->start, fn->end, t, i, e))
		return false;
	/* the bound */
	if (EBPF_SRC(test->opcode) == EBPF_SRC_X) {
		const struct cval *y = &in[e - fn->start].r[test->src];
		if ((written & (1u << test->src)) || y->kind != K_SCALAR || y->a > y->b)
			return false;
		ymax = y->b;
	} else {
		if (test->imm < 0)
			return false;
		ymax = (uint64_t)test->imm;
	}
	op = EBPF_OP(test->opcode);
	if (!continue_on_taken) /* exit when taken: continue on the opposite */
		op = op == EBPF_JMP_JGE ? EBPF_JMP_JLT : op == EBPF_JMP_JGT ? EBPF_JMP_JLE :
		     op == EBPF_JMP_JEQ ? EBPF_JMP_JNE : 0;
	if (op == EBPF_JMP_JNE) {
		const struct cval *x = &in[e - fn->start].r[test->dst];
		if (k != 1 || x->kind != K_SCALAR || x->b > ymax)
			return false;
	} else if (op != EBPF_JMP_JLT && op != EBPF_JMP_JLE) {
		return false;
	}
	/* 32-bit compares: the low half must reach the bound without wrapping */
	if (EBPF_CLASS(test->opcode) == EBPF_CLS_JMP32 && ymax + k > UINT32_MAX)
		return false;
	trips = ymax / k + 2;
	return ymax < (1ULL << 32) && trips <= MAX_PROVEN_TRIPS;
}

/*
 * The same entered anywhere before p: a forward jump from before the loop
 * into [t, i] (a rotated loop: `goto test`) adds one run without passing p.
 * Jumps back into the loop from after it still count as a second way in.
 */
static bool every_iteration_passes_rotated(const struct confiner *c, size_t fs, size_t fe,
					   size_t t, size_t i, size_t p)
{
	for (size_t q = fs; q < fe; q++) {
		const struct ebpf_insn *in = &c->prog->insns[q];
		size_t to;

		if (c->an->second_slot[q] || !insn_is_jump(in))
			continue;
		to = insn_jump_target(q, in);
		if (q > i && to > t && to <= i)
			return false;
		if (q >= t && q < p && to <= i && (to <= q || to > p))
			return false;
	}
	return true;
}

static bool reaches(const struct confiner *c, size_t f, size_t from, size_t to);

/*
 * A loop whose counter the analysis bounds: some register rX is written in
 * [t, i] only by `rX += K` (K > 0) at p, which every run from t to i passes,
 * and the fixed point bounds rX at p to [a, b] with no wrap.  rX only grows
 * inside the loop, so p runs at most (b - a) / K + 1 times per entry, and
 * the back-edge once more.  Whatever the exit test is (a packet compare, a
 * test in the middle of a rotated loop).
 */
static bool bounded_counter_loop(const struct confiner *c, size_t f, size_t i,
				 const struct cstate *in, const uint8_t *reached)
{
	const struct lift_func *fn = &c->an->funcs[f];
	size_t t = insn_jump_target(i, &c->prog->insns[i]);

	for (unsigned r = 0; r < EBPF_REG_FP; r++) {
		size_t p = SIZE_MAX;
		uint64_t k = 0, lim = 0;
		bool ok = true;

		for (size_t q = t; q <= i && ok; q++) {
			const struct ebpf_insn *w = &c->prog->insns[q];
			uint8_t add64 = EBPF_CLS_ALU64 | EBPF_ALU_ADD | EBPF_SRC_K;
			uint8_t add32 = EBPF_CLS_ALU | EBPF_ALU_ADD | EBPF_SRC_K;

			if (c->an->second_slot[q] || !(writes_of(w) & (1u << r)))
				continue;
			if (q != i && !reaches(c, f, q, i))
				continue; /* on the way out (a call after the exit test) */
			if (p != SIZE_MAX || (w->opcode != add64 && w->opcode != add32) || w->imm <= 0)
				ok = false;
			p = q, k = (uint64_t)w->imm;
			lim = w->opcode == add64 ? UINT64_MAX : UINT32_MAX;
		}
		if (!ok || p == SIZE_MAX || !reached[p - fn->start])
			continue;
		{
			const struct cval *v = &in[p - fn->start].r[r];
			if (v->kind != K_SCALAR || v->a > v->b || v->b > lim - k ||
			    (v->b - v->a) / k + 2 > MAX_PROVEN_TRIPS)
				continue;
		}
		if (every_iteration_passes_rotated(c, fn->start, fn->end, t, i, p))
			return true;
	}
	return false;
}

/* Can control reach insn `to` from insn `from` inside function f? */
static bool reaches(const struct confiner *c, size_t f, size_t from, size_t to)
{
	const struct lift_func *fn = &c->an->funcs[f];
	size_t n = fn->end - fn->start, top = 0, *work = malloc((n + 1) * sizeof(*work));
	uint8_t *seen = calloc(n + 1, 1);
	bool found = !work || !seen; /* out of memory: assume a loop */

	if (!found) {
		work[top++] = from;
		seen[from - fn->start] = 1;
	}
	while (top && !found) {
		size_t i = work[--top], succ[2];
		const struct ebpf_insn *in = &c->prog->insns[i];
		int ns = 0;

		if (i == to) {
			found = true;
			break;
		}
		if (in->opcode == EBPF_OP_EXIT)
			continue;
		if (in->opcode == EBPF_OP_LDDW)
			succ[ns++] = i + 2;
		else if (insn_is_jump(in)) {
			succ[ns++] = insn_jump_target(i, in);
			if (in->opcode != EBPF_OP_JA && in->opcode != EBPF_OP_JA32)
				succ[ns++] = i + 1;
		} else {
			succ[ns++] = i + 1;
		}
		for (int k = 0; k < ns; k++)
			if (succ[k] >= fn->start && succ[k] < fn->end && !seen[succ[k] - fn->start]) {
				seen[succ[k] - fn->start] = 1;
				work[top++] = succ[k];
			}
	}
	free(work);
	free(seen);
	return found;
}

/*
 * Backward jumps that close a cycle (their target reaches them again): every
 * loop has one.  They count against the loop budget.  A backward jump to a
 * shared exit block is no loop.
 */
static void mark_back_edges(struct confiner *c, size_t f, const uint8_t *reached,
			    const struct cstate *states)
{
	const struct lift_func *fn = &c->an->funcs[f];

	for (size_t i = fn->start; i < fn->end; i++) {
		const struct ebpf_insn *in = &c->prog->insns[i];

		if (!reached[i - fn->start] || c->an->second_slot[i] || !insn_is_jump(in) ||
		    (size_t)insn_jump_target(i, in) > i || !reaches(c, f, insn_jump_target(i, in), i) ||
		    counted_loop(c, f, i, states) || bounded_counter_loop(c, f, i, states, reached))
			continue;
		c->cf->budget[i] = 1;
		c->cf->n_budget++;
		c->cf->has_checks[f] = true;
	}
}

static int run(struct confiner *c)
{
	struct analysis *an = c->an;
	size_t max_len = 0;
	struct cstate *in;
	uint8_t *reached;
	int err = 0, rounds = 0;

	for (size_t f = 0; f < an->n_funcs; f++) {
		size_t len = an->funcs[f].end - an->funcs[f].start;
		max_len = len > max_len ? len : max_len;
	}
	in = calloc(max_len, sizeof(*in));
	reached = calloc(max_len + 1, 1);
	c->visits = calloc(max_len + 1, sizeof(*c->visits));
	if (!in || !reached || !c->visits) {
		err = -ENOMEM;
		goto out;
	}
	{
		struct cstate e;
		struct cval args[6];
		for (int r = 0; r < 6; r++)
			args[r] = scalar(0, 0);
		args[1] = ptr(K_CTX, 0, 0, 0);
		memset(&e, 0, sizeof(e));
		callee_entry(&e, &e, args);
		e.regs_set = (1u << 1) | (1u << EBPF_REG_FP);
		for (int k = 0; k < N_SLOTS; k++)
			e.s[k] = e.ps[k] = unknown();
		c->entry[0] = e;
		c->entered[0] = true;
	}
	do {
		c->changed = false;
		for (size_t f = 0; f < an->n_funcs && !err; f++)
			if (c->entered[f])
				err = analyse_function(c, f, in, reached);
	} while (c->changed && !err && ++rounds < 64);
	if (!err && c->changed)
		err = diag_error(c->diag, -EINVAL, "%s: program '%s': confinement analysis did not settle",
				 c->obj->name, c->prog->name);
	c->final = true;
	for (size_t f = 0; f < an->n_funcs && !err; f++) {
		if (!c->entered[f])
			continue;
		c->cf->zero_slots[an->n_funcs] = 0;
		err = analyse_function(c, f, in, reached);
		c->cf->zero_slots[f] = c->cf->zero_slots[an->n_funcs];
		if (!err)
			mark_back_edges(c, f, reached, in);
	}
out:
	free(in);
	free(reached);
	free(c->visits);
	return err;
}

/* Functions with checks may end the run; so may their callers. */
static void propagate_checks(struct confiner *c)
{
	struct analysis *an = c->an;
	struct confinement *cf = c->cf;
	bool changed = true;

	for (size_t i = 0; i < c->prog->n_insns; i++)
		if (cf->guard[i] || cf->arg_guard[i][0].guard) {
			cf->has_checks[an->func_of[i]] = true;
			cf->n_guards += 1 + (cf->arg_guard[i][1].guard != 0);
		}
	while (changed) {
		changed = false;
		for (size_t i = 0; i < c->prog->n_insns; i++) {
			int32_t g = an->callee[i] >= 0 ? an->callee[i] : an->callback[i];
			size_t f = an->func_of[i];
			if (g >= 0 && cf->has_checks[g] && !cf->has_checks[f])
				changed = cf->has_checks[f] = true;
		}
	}
	for (size_t f = 0; f < an->n_funcs; f++)
		if (cf->has_checks[f])
			an->funcs[f].may_tail_call = true; /* callers check ctx->tail_called */
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The constants of conditional jumps: where widened loop counters stop. */
static int collect_thresholds(struct confiner *c)
{
	const struct uxdp_prog *p = c->prog;
	size_t n = 0;

	c->thresholds = malloc((3 * p->n_insns + 1) * sizeof(*c->thresholds));
	if (!c->thresholds)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_insns; i++) {
		const struct ebpf_insn *in = &p->insns[i];
		if (c->an->second_slot[i] || !insn_is_jump(in) || EBPF_SRC(in->opcode) == EBPF_SRC_X ||
		    in->opcode == EBPF_OP_JA || in->opcode == EBPF_OP_JA32)
			continue;
		uint64_t v = EBPF_CLASS(in->opcode) == EBPF_CLS_JMP32 ? (uint32_t)in->imm :
								      (uint64_t)(int64_t)in->imm;
		/* `i != 32` exits at 32: the counter's bound inside is 31 */
		c->thresholds[n++] = v - 1;
		c->thresholds[n++] = v;
		c->thresholds[n++] = v + 1;
	}
	qsort(c->thresholds, n, sizeof(*c->thresholds), cmp_u64);
	c->n_thresholds = 0;
	for (size_t k = 0; k < n; k++)
		if (!c->n_thresholds || c->thresholds[c->n_thresholds - 1] != c->thresholds[k])
			c->thresholds[c->n_thresholds++] = c->thresholds[k];
	return 0;
}

int uxdp_confine(const struct uxdp_object *obj, const struct uxdp_prog *prog, struct analysis *an,
		 struct uxdp_diag *diag)
{
	struct confiner c = { .obj = obj, .prog = prog, .an = an, .diag = diag };
	size_t n = prog->n_insns;
	struct confinement *cf;
	int err;

	cf = an->conf = calloc(1, sizeof(*cf));
	if (!cf)
		return diag_error(diag, -ENOMEM, "out of memory");
	cf->guard = calloc(n, 1);
	cf->budget = calloc(n, 1);
	cf->arg_guard = calloc(n, sizeof(*cf->arg_guard));
	cf->zero_slots = calloc(an->n_funcs + 1, sizeof(*cf->zero_slots));
	cf->has_checks = calloc(an->n_funcs, sizeof(*cf->has_checks));
	c.cf = cf;
	c.entry = calloc(an->n_funcs, sizeof(*c.entry));
	c.entered = calloc(an->n_funcs, sizeof(*c.entered));
	c.sum = calloc(an->n_funcs, sizeof(*c.sum));
	if (!cf->guard || !cf->budget || !cf->arg_guard || !cf->zero_slots || !cf->has_checks ||
	    !c.entry || !c.entered || !c.sum) {
		err = diag_error(diag, -ENOMEM, "out of memory");
		goto out;
	}
	c.debug_insn = getenv("UXDPC_CONFINE_DEBUG") ? atol(getenv("UXDPC_CONFINE_DEBUG")) : -1;
	err = collect_thresholds(&c);
	if (!err)
		err = run(&c);
	if (err == -ENOMEM)
		diag_error(diag, err, "out of memory");
	if (!err)
		propagate_checks(&c);
out:
	free(c.entry);
	free(c.entered);
	free(c.sum);
	free(c.thresholds);
	return err;
}

void uxdp_confine_free(struct analysis *an)
{
	struct confinement *cf = an->conf;

	if (!cf)
		return;
	free(cf->guard);
	free(cf->budget);
	free(cf->arg_guard);
	free(cf->zero_slots);
	free(cf->has_checks);
	free(cf);
	an->conf = NULL;
}

int uxdp_confine_program(const struct uxdp_object *obj, size_t k, unsigned *n_guards,
			 unsigned *n_budget, struct uxdp_diag *diag)
{
	const struct uxdp_prog *prog = &obj->progs[k];
	struct analysis an;
	int err = uxdp_decode_check(obj, prog, diag);

	memset(&an, 0, sizeof(an));
	if (!err)
		err = uxdp_analyse(obj, prog, &an, diag);
	if (!err)
		err = uxdp_confine(obj, prog, &an, diag);
	if (!err) {
		*n_guards = an.conf->n_guards;
		*n_budget = an.conf->n_budget;
	}
	uxdp_confine_free(&an);
	uxdp_analysis_free(&an);
	return err;
}
