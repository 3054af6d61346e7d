// SPDX-License-Identifier: MIT
/*
 * instance.c - the instance segment: map ids, the global epoch and the
 * participants table (instance.h).
 *
 * Why the reclamation is safe.  A reader announces epoch e with a
 * sequentially consistent store of a value it read from the global epoch,
 * then walks.  A writer unlinks an element (release stores), then takes
 * its stamp s with a sequentially consistent fetch_add on the global epoch
 * (which is then s + 1), and later scans the slots with sequentially
 * consistent loads.  If the scan sees a slot quiescent, the slot's next
 * announcement comes after the writer's fetch_add in the single order of
 * those operations, so that reader reads an epoch > s and its walk starts
 * after the unlink was published: it cannot reach the element.  If the scan
 * sees e > s, the same holds for the walk under way.  Only e <= s may hold
 * the element.  (On x86-64 the announcing store is an xchg and the stamp a
 * lock xadd, both full barriers; elsewhere an explicit fence is added.)
 *
 * A dead owner's slot (liveness: the thread's start time in /proc, which
 * changes when its id is reused) is reaped by whoever needs it: the slot
 * is first taken exclusively (tid set to SLOT_REAPING), cleared, then
 * freed, so a reaper never clobbers a live owner's announcement.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "instance.h"
#include "segment.h"

#define INST_MAGIC 0x31534e4950445855ull /* "UXDPINS1" */
#define INST_VERSION 1
#define INST_SIZE ((sizeof(struct uxdp_inst_shm) + 4095) / 4096 * 4096)
#define PROC_INST_MAX 256
#define SLOT_REAPING 0xffffffffu

/* ---- per thread ---- */

struct thread_inst {
	uint32_t slot;        /* index + 1, 0: none claimed */
	uint32_t depth;       /* nesting of enter/exit */
	uint32_t token;
	uint64_t safe_below;  /* cache of uxdp_inst_safe_below() */
};

static __thread struct thread_inst tls[PROC_INST_MAX];
static __thread uint64_t tls_start_time;
static __thread int tls_registered;

/* ---- per process ---- */

static struct uxdp_inst *insts;          /* list, newest first; entries never freed */
static struct uxdp_inst *by_index[PROC_INST_MAX];
static unsigned int n_index;
static pthread_mutex_t insts_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

static pid_t my_tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

uint64_t uxdp_thread_start_time(pid_t pid, pid_t tid)
{
	char path[64], buf[1024], *p;
	unsigned long long st = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	/* the command may hold spaces and parentheses: fields restart after the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* field 3 (state) follows: a zombie is dead, whatever its start time says */
	if (p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X' || p[2] == 'x'))
		return 0;
	/* the start time is field 22 */
	for (int field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &st) != 1)
		return 0;
	return st ? st : 1; /* 0 means "unknown" to callers */
}

static bool slot_dead(const struct uxdp_inst_slot *s)
{
	uint32_t tid = __atomic_load_n(&s->tid, __ATOMIC_ACQUIRE);
	uint64_t st;
	char path[32];

	if (tid == 0)
		return true;
	if (tid == SLOT_REAPING)
		return false;
	st = __atomic_load_n(&s->start_time, __ATOMIC_ACQUIRE);
	if (!st) {
		/* mid-claim, or the claimer died right there: does the thread exist? */
		snprintf(path, sizeof(path), "/proc/%u", tid);
		return access(path, F_OK) != 0;
	}
	return uxdp_thread_start_time(s->pid, (pid_t)tid) != st;
}

/* Take slot s (tid was seen as cur) for this thread; false if someone else did. */
static bool slot_take(struct uxdp_inst_shm *sh, uint32_t i, uint32_t cur)
{
	struct uxdp_inst_slot *s = &sh->slots[i];
	uint32_t tid = (uint32_t)my_tid(), hi;

	if (!__atomic_compare_exchange_n(&s->tid, &cur, tid, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		return false;
	__atomic_store_n(&s->start_time, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->epoch, 0, __ATOMIC_RELAXED);
	s->pid = getpid();
	__atomic_add_fetch(&s->gen, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&s->start_time, tls_start_time, __ATOMIC_RELEASE);
	hi = __atomic_load_n(&sh->slots_hi, __ATOMIC_RELAXED);
	while (hi < i + 1 && !__atomic_compare_exchange_n(&sh->slots_hi, &hi, i + 1, true,
							  __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
	return true;
}

/* Clear the slot of a dead owner (seen as tid), so it blocks nothing. */
static void slot_reap(struct uxdp_inst_slot *s, uint32_t tid)
{
	if (!__atomic_compare_exchange_n(&s->tid, &tid, SLOT_REAPING, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&s->epoch, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&s->start_time, 0, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->gen, 1, __ATOMIC_RELEASE); /* its tokens now name nobody */
	__atomic_store_n(&s->tid, 0, __ATOMIC_RELEASE);
}

static void release_thread(void *unused)
{
	(void)unused;
	for (unsigned int i = 0; i < PROC_INST_MAX; i++) {
		struct thread_inst *t = &tls[i];
		struct uxdp_inst *in = __atomic_load_n(&by_index[i], __ATOMIC_ACQUIRE);
		struct uxdp_inst_slot *s;
		uint32_t tid;

		if (!t->slot || !in)
			continue;
		s = &in->shm->slots[t->slot - 1];
		tid = __atomic_load_n(&s->tid, __ATOMIC_RELAXED);
		if (tid == (uint32_t)my_tid())
			slot_reap(s, tid);
		t->slot = 0;
		t->token = 0;
		t->depth = 0;
	}
}

static void process_exit(void)
{
	release_thread(NULL);
}

/*
 * A forked child is another thread of another process: it must not use the
 * parent's slots (its token would name the parent), so it claims its own.
 */
static void forget_after_fork(void)
{
	memset(tls, 0, sizeof(tls));
	tls_registered = 0;
	tls_start_time = 0;
}

static void make_exit_key(void)
{
	pthread_key_create(&exit_key, release_thread);
	pthread_atfork(NULL, NULL, forget_after_fork);
	atexit(process_exit);
}

static int claim(struct uxdp_inst *in, struct thread_inst *t)
{
	struct uxdp_inst_shm *sh = in->shm;

	pthread_once(&exit_once, make_exit_key);
	if (!tls_registered) {
		/* a non-NULL value makes the destructor run when the thread exits */
		pthread_setspecific(exit_key, (void *)1);
		tls_start_time = uxdp_thread_start_time(getpid(), my_tid());
		tls_registered = 1;
	}
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < UXDP_INST_SLOTS; i++) {
			uint32_t cur = __atomic_load_n(&sh->slots[i].tid, __ATOMIC_RELAXED);

			if (cur == SLOT_REAPING || (cur && (!pass || !slot_dead(&sh->slots[i]))))
				continue;
			if (slot_take(sh, i, cur)) {
				uint32_t gen = __atomic_load_n(&sh->slots[i].gen, __ATOMIC_RELAXED);

				t->slot = i + 1;
				t->token = (i + 1) | ((gen & UXDP_INST_GEN_MASK) << UXDP_INST_SLOT_BITS);
				t->safe_below = 0;
				return 0;
			}
		}
	}
	return -EUSERS;
}

uint32_t uxdp_inst_token(struct uxdp_inst *in)
{
	struct thread_inst *t = &tls[in->index];

	if (!t->slot && claim(in, t))
		return 0;
	return t->token;
}

bool uxdp_inst_token_dead(struct uxdp_inst *in, uint32_t token)
{
	uint32_t i = (token & ((1u << UXDP_INST_SLOT_BITS) - 1)) - 1;
	const struct uxdp_inst_slot *s;

	if (i >= UXDP_INST_SLOTS)
		return true; /* names no slot: nobody can release it */
	s = &in->shm->slots[i];
	if ((__atomic_load_n(&s->gen, __ATOMIC_ACQUIRE) & UXDP_INST_GEN_MASK) !=
	    token >> UXDP_INST_SLOT_BITS)
		return true;
	return slot_dead(s);
}

/* ---- epochs ---- */

void uxdp_inst_enter(struct uxdp_inst *in)
{
	struct thread_inst *t = &tls[in->index];
	uint64_t e;

	if (t->depth++)
		return;
	if (!t->slot && claim(in, t))
		return; /* no slot left: this thread reads unannounced */
	e = __atomic_load_n(&in->shm->epoch, __ATOMIC_ACQUIRE);
	__atomic_store_n(&in->shm->slots[t->slot - 1].epoch, e, __ATOMIC_SEQ_CST);
#if !defined(__x86_64__) && !defined(__i386__)
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

void uxdp_inst_exit(struct uxdp_inst *in)
{
	struct thread_inst *t = &tls[in->index];

	if (!t->depth || --t->depth || !t->slot)
		return;
	__atomic_store_n(&in->shm->slots[t->slot - 1].epoch, 0, __ATOMIC_RELEASE);
}

bool uxdp_inst_active(struct uxdp_inst *in)
{
	return tls[in->index].depth != 0;
}

uint64_t uxdp_inst_stamp(struct uxdp_inst *in)
{
	return __atomic_fetch_add(&in->shm->epoch, 1, __ATOMIC_SEQ_CST);
}

uint64_t uxdp_inst_safe_below(struct uxdp_inst *in, bool check_dead)
{
	struct uxdp_inst_shm *sh = in->shm;
	struct thread_inst *t = &tls[in->index];
	uint32_t hi = __atomic_load_n(&sh->slots_hi, __ATOMIC_ACQUIRE);
	uint64_t min;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	min = __atomic_load_n(&sh->epoch, __ATOMIC_SEQ_CST);
	for (uint32_t i = 0; i < hi && i < UXDP_INST_SLOTS; i++) {
		struct uxdp_inst_slot *s = &sh->slots[i];
		uint64_t e;

		if (i + 1 == t->slot)
			continue;
		e = __atomic_load_n(&s->epoch, __ATOMIC_SEQ_CST);
		if (!e || e >= min)
			continue;
		/* blocking: a slot of a dead thread must not block forever */
		if (check_dead && slot_dead(s)) {
			slot_reap(s, __atomic_load_n(&s->tid, __ATOMIC_RELAXED));
			continue;
		}
		min = e;
	}
	if (min > t->safe_below)
		t->safe_below = min;
	return t->safe_below;
}

uint64_t uxdp_inst_safe_cached(struct uxdp_inst *in)
{
	return tls[in->index].safe_below;
}

/* ---- the segment ---- */

static int inst_path(char *buf, size_t size, const char *name)
{
	int n = snprintf(buf, size, "/uxdp.%s", name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int inst_map(const char *path, int fd, struct uxdp_inst_shm **out)
{
	struct uxdp_inst_shm *sh = uxdp_seg_map(fd, INST_SIZE, PROT_READ | PROT_WRITE, path);

	if (!sh)
		return -errno;
	*out = sh;
	return 0;
}

static int inst_create(const char *path, const char *name, struct uxdp_inst_shm **out)
{
	struct uxdp_inst_shm *sh = NULL;
	int fd, err = uxdp_seg_create(path, INST_SIZE, &fd);

	if (err)
		return err;
	err = inst_map(path, fd, &sh);
	close(fd);
	if (err) {
		shm_unlink(path);
		return err;
	}
	sh->magic = INST_MAGIC;
	sh->version = INST_VERSION;
	if (getrandom(&sh->uuid, sizeof(sh->uuid), GRND_NONBLOCK) != sizeof(sh->uuid))
		sh->uuid = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
	sh->uuid |= 1; /* never 0, which means "any" to uxdp_inst_get() */
	sh->epoch = 1;
	snprintf(sh->name, sizeof(sh->name), "%s", name);
	__atomic_store_n(&sh->ready, 1, __ATOMIC_RELEASE);
	*out = sh;
	return 0;
}

static int inst_open(const char *path, const char *name, struct uxdp_inst_shm **out)
{
	struct timespec ts = { 0, 1000000 };
	struct uxdp_inst_shm *sh = NULL;
	struct stat st;
	int fd, err = uxdp_seg_open(path, O_RDWR, &fd, &st);

	if (err)
		return err;
	/* a creator between O_EXCL and ftruncate: wait for the size */
	for (int i = 0; st.st_size == 0 && i < 1000; i++) {
		nanosleep(&ts, NULL);
		if (fstat(fd, &st) < 0)
			break;
	}
	if ((uint64_t)st.st_size != INST_SIZE) {
		close(fd);
		return uxdp_seg_error(-EPROTO,
				      "/dev/shm%s is not an instance segment of this uxdp "
				      "(%lld bytes; left by another version? remove it)",
				      path, (long long)st.st_size);
	}
	err = inst_map(path, fd, &sh);
	close(fd);
	if (err)
		return err;
	for (int i = 0; !__atomic_load_n(&sh->ready, __ATOMIC_ACQUIRE); i++) {
		if (i == 1000) {
			uxdp_seg_unmap(sh, INST_SIZE);
			return uxdp_seg_error(-EAGAIN, "/dev/shm%s: its creator never finished",
					      path);
		}
		nanosleep(&ts, NULL);
	}
	if (sh->magic != INST_MAGIC || sh->version != INST_VERSION ||
	    strncmp(sh->name, name, sizeof(sh->name)) || !sh->uuid) {
		uxdp_seg_unmap(sh, INST_SIZE);
		return uxdp_seg_error(-EPROTO, "/dev/shm%s is not a uxdp instance segment", path);
	}
	*out = sh;
	return 0;
}

static struct uxdp_inst *find_cached(const char *name, uint64_t want_uuid)
{
	for (struct uxdp_inst *in = __atomic_load_n(&insts, __ATOMIC_ACQUIRE); in; in = in->next)
		if (!strcmp(in->name, name) && (!want_uuid || in->uuid == want_uuid))
			return in;
	return NULL;
}

int uxdp_inst_get(const char *name, bool create, uint64_t want_uuid, struct uxdp_inst **out)
{
	struct uxdp_inst_shm *sh = NULL;
	struct uxdp_inst *in;
	char path[64];
	int err;

	in = find_cached(name, want_uuid);
	if (in) {
		*out = in;
		return 0;
	}
	err = inst_path(path, sizeof(path), name);
	if (err)
		return err;
	pthread_mutex_lock(&insts_lock);
	in = find_cached(name, want_uuid);
	if (in)
		goto done;
	err = inst_open(path, name, &sh);
	if (err == -ENOENT && create) {
		err = inst_create(path, name, &sh);
		if (err == -EEXIST) /* created meanwhile by another process */
			err = inst_open(path, name, &sh);
	}
	if (!err && want_uuid && sh->uuid != want_uuid)
		err = uxdp_seg_error(-ESTALE, "instance %s was removed and made again", name);
	if (!err && n_index == PROC_INST_MAX)
		err = uxdp_seg_error(-EMFILE, "more than %d instances in one process",
				     PROC_INST_MAX);
	if (!err) {
		in = calloc(1, sizeof(*in));
		if (!in)
			err = -ENOMEM;
	}
	if (err) {
		if (sh)
			uxdp_seg_unmap(sh, INST_SIZE);
		goto out;
	}
	in->shm = sh;
	in->uuid = sh->uuid;
	in->index = n_index;
	snprintf(in->name, sizeof(in->name), "%s", name);
	__atomic_store_n(&by_index[n_index++], in, __ATOMIC_RELEASE);
	in->next = insts;
	__atomic_store_n(&insts, in, __ATOMIC_RELEASE);
done:
	*out = in;
out:
	pthread_mutex_unlock(&insts_lock);
	return err;
}

uint32_t uxdp_inst_alloc_id(struct uxdp_inst *in)
{
	return __atomic_add_fetch(&in->shm->next_id, 1, __ATOMIC_RELAXED);
}

/* ---- the public read-side API: every instance this process uses ---- */

/*
 * Instances without an open map (removed, or made again under the same
 * name) are skipped on entry; exit goes by the thread's own nesting, so a
 * map closed in between cannot leave an announcement behind.
 */
void uxdp_map_epoch_enter(void)
{
	unsigned int n = __atomic_load_n(&n_index, __ATOMIC_ACQUIRE);

	for (unsigned int i = 0; i < n; i++)
		if (__atomic_load_n(&by_index[i]->handles, __ATOMIC_RELAXED))
			uxdp_inst_enter(by_index[i]);
}

void uxdp_map_epoch_exit(void)
{
	unsigned int n = __atomic_load_n(&n_index, __ATOMIC_ACQUIRE);

	for (unsigned int i = 0; i < n; i++)
		if (tls[i].depth)
			uxdp_inst_exit(by_index[i]);
}
