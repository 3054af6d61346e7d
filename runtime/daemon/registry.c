// SPDX-License-Identifier: MIT
/*
 * registry.c - uxdpd's program versions and what runs on each port
 * (daemon.h).
 *
 * Replacing is: open the new object (its maps bound to the instance's by
 * name and shape, so nothing the running program sees changes), publish its
 * program on the port (uxdp_dp_attach(): workers pick it up at their next
 * batch, so a batch runs one program whole), wait until no worker is still
 * inside a batch of the old one (uxdp_dp_synchronize()), and only then
 * close the old object if nothing else holds it.  A failure before the
 * publish leaves the running program as it was.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <uxdp/clock.h>
#include <uxdp/errmsg.h>

#include "daemon.h"

void registry_init(struct uxdpd *d)
{
	pthread_mutex_init(&d->lock, NULL);
	d->next_id = 1;
	d->next_link_id = 1;
}

static struct prog_version *find(struct uxdpd *d, uint32_t id)
{
	struct prog_version *v;

	for (v = d->versions; v; v = v->next)
		if (v->id == id)
			return v;
	return NULL;
}

static struct prog_version *find_loaded(struct uxdpd *d, uint32_t id, char *err, size_t err_size)
{
	struct prog_version *v = find(d, id);

	if (!v || !v->obj) {
		uxdp_errmsg(err, err_size, -ENOENT, "no loaded program with id %u%s", id,
			    v ? " (that version was released)" : "");
		return NULL;
	}
	return v;
}

static bool attached(const struct uxdpd *d, const struct prog_version *v)
{
	unsigned int p;

	for (p = 0; p < uxdp_dp_ports(d->dp); p++)
		if (d->port_prog[p] == v)
			return true;
	return false;
}

/*
 * The global data a released version leaves: its constants (each load's
 * own), and with own_data the loader's .data/.bss it bound, unless another
 * loaded version binds them too, as the kernel frees a map with its last
 * program.
 */
static void drop_global_data(struct uxdpd *d, struct prog_version *v)
{
	uint32_t *keep = NULL;
	size_t n = 0, cap = 0;

	uxdp_object_unlink_constants(v->obj);
	if (!v->own_data)
		return;
	for (struct prog_version *o = d->versions; o; o = o->next)
		if (o != v && o->obj)
			cap += uxdp_object_map_ids(o->obj, NULL, 0);
	keep = calloc(cap ? cap : 1, sizeof(*keep));
	if (!keep)
		return; /* kept: better a map too many than one taken from a program */
	for (struct prog_version *o = d->versions; o; o = o->next)
		if (o != v && o->obj && n < cap)
			n += uxdp_object_map_ids(o->obj, keep + n, cap - n);
	uxdp_object_unlink_bound_data(v->obj, keep, n < cap ? n : cap);
	free(keep);
}

/* Close v's object if nothing holds it; call after synchronizing with the workers. */
static void maybe_release(struct uxdpd *d, struct prog_version *v)
{
	if (!v || !v->obj || v->pinned || v->pins || v->n_holders || v->stuck || attached(d, v))
		return;
	drop_global_data(d, v);
	uxdp_object_close(v->obj);
	v->obj = NULL;
	if (v->src_fd >= 0)
		close(v->src_fd);
	v->src_fd = -1;
	v->release_ns = uxdp_realtime_ns();
	v->info_flags |= UXDP_PROG_INFO_F_RELEASED;
	v->info_flags &= ~UXDP_PROG_INFO_F_PINNED;
}

/* The record's "programs" field: name#id@port,... for each attached port. */
static void publish_programs(struct uxdpd *d)
{
	char buf[256] = "";
	size_t n = 0;
	unsigned int p;

	for (p = 0; p < uxdp_dp_ports(d->dp) && n < sizeof(buf); p++) {
		struct prog_version *v = d->port_prog[p];

		if (!v)
			continue;
		if (d->port_name[p][0])
			n += snprintf(buf + n, sizeof(buf) - n, "%s%s#%u@%s", n ? "," : "", v->name,
				      v->id, d->port_name[p]);
		else
			n += snprintf(buf + n, sizeof(buf) - n, "%s%s#%u@ifindex%u", n ? "," : "",
				      v->name, v->id, uxdp_dp_port_ifindex(d->dp, p));
	}
	uxdp_instance_owner_set(d->owner, UXDP_OWNER_PROGRAMS, buf);
}

/* ---- loading ---- */

/* The whole file behind fd. */
static int slurp(int fd, void **data, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	ssize_t n;

	if (fstat(fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_size > 256 << 20)
		return -EFBIG;
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf)
		return -ENOMEM;
	while (got < (size_t)st.st_size) {
		n = pread(fd, buf + got, st.st_size - got, got);
		if (n <= 0) {
			free(buf);
			return n < 0 ? -errno : -EIO;
		}
		got += n;
	}
	*data = buf;
	*len = got;
	return 0;
}

/* What the object is: a BPF object to compile, a compiled one, or neither. */
static int object_kind(const uint8_t *b, size_t len, bool *is_bpf)
{
	const Elf64_Ehdr *e = (const void *)b;

	if (len < sizeof(*e) || memcmp(b, ELFMAG, SELFMAG) || b[EI_CLASS] != ELFCLASS64 ||
	    e->e_type != ET_REL)
		return -ENOEXEC;
	if (e->e_machine == EM_BPF)
		*is_bpf = true;
	else if (e->e_machine == EM_X86_64)
		*is_bpf = false;
	else
		return -ENOEXEC;
	return 0;
}

/* Where the object comes from: its bytes (for the tag and the cache) and a path to open. */
struct source {
	void *data;
	size_t len;
	int fd;
	char label[256];        /* for messages and the info's object field */
	char open_path[4200];   /* what uxdp_object_open() opens */
	bool compiled, cached;
};

static int read_source(const struct load_req *r, struct source *s, char *err, size_t err_size)
{
	const char *p = r->path;
	int ret;

	s->fd = -1;
	if (p) {
		size_t l = strlen(p);

		snprintf(s->label, sizeof(s->label), "%s", l >= sizeof(s->label) ?
			 p + l - (sizeof(s->label) - 1) : p);
		if (p[0] != '/')
			return uxdp_errmsg(err, err_size, -EINVAL, "%s: the path must be absolute",
					   p);
		s->fd = open(p, O_RDONLY | O_CLOEXEC);
		if (s->fd < 0)
			return uxdp_errmsg(err, err_size, -errno, "%s: %s", p, strerror(errno));
	} else {
		snprintf(s->label, sizeof(s->label), "(passed descriptor)");
		s->fd = fcntl(r->fd, F_DUPFD_CLOEXEC, 0);
		if (s->fd < 0)
			return uxdp_errmsg(err, err_size, -errno, "the passed descriptor: %s",
					   strerror(errno));
	}
	ret = slurp(s->fd, &s->data, &s->len);
	if (ret)
		return uxdp_errmsg(err, err_size, ret, "%s: reading: %s", s->label,
				   ret == -EINVAL ? "not a regular file" : strerror(-ret));
	/* The descriptor, not the name: what we hashed is what we open. */
	snprintf(s->open_path, sizeof(s->open_path), "/proc/self/fd/%d", s->fd);
	return 0;
}

static int prepare(struct uxdpd *d, const struct load_req *r, struct source *s, char *err,
		   size_t err_size)
{
	bool is_bpf = false;
	int ret = read_source(r, s, err, err_size);

	if (ret)
		return ret;
	if (object_kind(s->data, s->len, &is_bpf))
		return uxdp_errmsg(
		    err, err_size, -ENOEXEC,
		    "%s: neither a BPF object (clang -target bpf) nor one compiled by uxdpc",
		    s->label);
	if (!is_bpf)
		return 0;
	s->compiled = true;
	return compile_bpf(&d->cc, s->data, s->len, s->label, r->opt_level, r->flags,
			   s->open_path, sizeof(s->open_path), &s->cached, err, err_size);
}

static void tag_of(struct prog_version *v, const struct source *s)
{
	uint64_t h = fnv1a(FNV_OFFSET, s->data, s->len);

	h = fnv1a(h, v->name, strlen(v->name));
	memcpy(v->tag, &h, sizeof(v->tag));
}

/* holder added to v's (once); -ENOMEM. */
static int add_holder(struct prog_version *v, uint64_t holder)
{
	uint64_t *h;

	for (unsigned int i = 0; i < v->n_holders; i++)
		if (v->holders[i] == holder)
			return 0;
	h = realloc(v->holders, (v->n_holders + 1) * sizeof(*h));
	if (!h)
		return -ENOMEM;
	h[v->n_holders++] = holder;
	v->holders = h;
	return 0;
}

static struct prog_version *new_version(struct uxdpd *d, struct uxdp_object *obj,
					const struct uxdp_program *p, const struct source *s,
					const struct load_req *r)
{
	struct prog_version *v = calloc(1, sizeof(*v)), **tail;

	if (!v)
		return NULL;
	v->id = d->next_id++;
	v->obj = obj;
	snprintf(v->name, sizeof(v->name), "%s", p->name);
	snprintf(v->object, sizeof(v->object), "%s", s->label);
	v->prog = *p;
	v->prog.name = v->name;
	v->prog.counters = &v->counters;
	v->load_ns = uxdp_realtime_ns();
	/* Without it only PROG_OBJECT fails (with its reason); the program runs. */
	v->src_fd = progsrc_keep(s->data, s->len);
	v->load_flags = r->flags;
	v->opt_level = r->opt_level < 0 ? UINT32_MAX : (uint32_t)r->opt_level;
	v->pinned = r->flags & UXDP_LOAD_F_PIN;
	v->own_data = r->flags & UXDP_LOAD_F_OWN_DATA;
	if (!(r->flags & UXDP_LOAD_F_PIN) && r->holder && add_holder(v, r->holder)) {
		if (v->src_fd >= 0)
			close(v->src_fd);
		free(v);
		return NULL;
	}
	v->info_flags = (v->pinned ? UXDP_PROG_INFO_F_PINNED : 0) |
			(s->compiled && bpf_object_gpl_compatible(s->data, s->len)
				 ? UXDP_PROG_INFO_F_GPL
				 : 0) |
			(s->compiled ? UXDP_PROG_INFO_F_COMPILED : 0) |
			(s->cached ? UXDP_PROG_INFO_F_CACHED : 0);
	tag_of(v, s);
	for (tail = &d->versions; *tail; tail = &(*tail)->next)
		;
	*tail = v;
	return v;
}

/* The XDP program to run: the one named, or the object's only one. */
static int pick(const struct uxdp_object *obj, const char *name, const char *label,
		const struct uxdp_program **out, char *err, size_t err_size)
{
	const struct uxdp_program *all, *p = uxdp_object_program(obj, name);
	size_t n = uxdp_object_programs(obj, &all), i, len = 0;
	char list[512] = "";

	if (p && p->type == UXDP_PROG_XDP) {
		*out = p;
		return 0;
	}
	for (i = 0; i < n && len < sizeof(list); i++)
		if (all[i].type == UXDP_PROG_XDP)
			len += snprintf(list + len, sizeof(list) - len, " %s", all[i].name);
	if (name)
		return uxdp_errmsg(err, err_size, -ENOENT, "%s: no XDP program '%s'; it has:%s",
				   label, name, list);
	return uxdp_errmsg(err, err_size, -ENOENT, "%s: %s; name one:%s", label,
			   len ? "several XDP programs" : "no XDP program", list);
}

int registry_load(struct uxdpd *d, const struct load_req *r, uint32_t *id, char *err,
		  size_t err_size)
{
	struct uxdp_object_opts oo = {
		.sz = sizeof(oo),
		.instance = d->instance,
		.ncpus = uxdp_dp_workers(d->dp),
		.reuse_maps = true,
		.recreate_maps = r->flags & UXDP_LOAD_F_RECREATE_MAPS,
	};
	struct source s = { .fd = -1 };
	const struct uxdp_program *p = NULL;
	struct uxdp_object *obj = NULL;
	struct prog_version *v;
	int ret;

	/* Compiling and binding maps happen outside the lock: reads go on meanwhile. */
	ret = prepare(d, r, &s, err, err_size);
	if (ret)
		goto out;
	ret = uxdp_object_open(s.open_path, &oo, &obj, err, err_size);
	/* An uncached compile was for this load only; the loader has it in memory now. */
	if (s.compiled && (!d->cc.cache_dir || (r->flags & UXDP_LOAD_F_NO_CACHE)))
		unlink(s.open_path);
	if (ret) {
		/* The loader names what it opened (/proc/self/fd/N): say which file that was. */
		char inner[512];

		snprintf(inner, sizeof(inner), "%s", err);
		uxdp_errmsg(err, err_size, ret, "%s: %s", s.label,
			    strncmp(inner, "/proc/self/fd/", 14) ? inner
			    : strchr(inner, ':')		 ? strchr(inner, ':') + 2
								 : inner);
		goto out;
	}
	ret = pick(obj, r->prog, s.label, &p, err, err_size);
	if (ret)
		goto out;
	pthread_mutex_lock(&d->lock);
	v = new_version(d, obj, p, &s, r);
	if (v) {
		*id = v->id;
		obj = NULL;
	}
	pthread_mutex_unlock(&d->lock);
	if (!v)
		ret = uxdp_errmsg(err, err_size, -ENOMEM, "out of memory");
out:
	uxdp_object_close(obj);
	if (s.fd >= 0)
		close(s.fd);
	free(s.data);
	return ret;
}

int registry_unload(struct uxdpd *d, uint32_t id, char *err, size_t err_size)
{
	struct prog_version *v;
	int ret = 0;

	pthread_mutex_lock(&d->lock);
	v = find_loaded(d, id, err, err_size);
	if (!v)
		ret = -ENOENT;
	else if (attached(d, v))
		ret = uxdp_errmsg(err, err_size, -EBUSY,
				  "program %u (%s) is attached: detach it first", id, v->name);
	if (!ret) {
		/* uxdpctl's word is final: bpffs pins left behind dangle. */
		v->pinned = false;
		v->pins = 0;
		v->n_holders = 0;
		maybe_release(d, v);
	}
	pthread_mutex_unlock(&d->lock);
	return ret;
}

/* ---- ports ---- */

static const char *port_label(const struct uxdpd *d, unsigned int p, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%u%s", d->port_name[p], d->port_name[p][0] ? " (ifindex " : "",
		 uxdp_dp_port_ifindex(d->dp, p), d->port_name[p][0] ? ")" : "");
	if (!d->port_name[p][0])
		snprintf(buf, size, "ifindex %u", uxdp_dp_port_ifindex(d->dp, p));
	return buf;
}

/* The ports ifindex selects (0: all) in *mask; -ENODEV for an ifindex that is no port. */
static int select_ports(struct uxdpd *d, uint32_t ifindex, uint32_t *mask, char *err,
			size_t err_size)
{
	unsigned int p, n = uxdp_dp_ports(d->dp);

	*mask = 0;
	for (p = 0; p < n; p++)
		if (!ifindex || uxdp_dp_port_ifindex(d->dp, p) == ifindex)
			*mask |= 1u << p;
	if (!*mask)
		return uxdp_errmsg(
		    err, err_size, -ENODEV,
		    "no port with ifindex %u: this daemon drives %u port%s (uxdpctl prog "
		    "ports lists them)",
		    ifindex, n, n == 1 ? "" : "s");
	return 0;
}

/*
 * Publish new on the ports of mask, wait for every worker to move, then
 * release what was replaced and is held by nothing else.
 */
static int switch_ports(struct uxdpd *d, uint32_t mask, struct prog_version *new, char *err,
			size_t err_size)
{
	struct prog_version *old[UXDP_DP_MAX_PORTS] = { 0 };
	unsigned int p, n = uxdp_dp_ports(d->dp);
	int ret;

	for (p = 0; p < n; p++) {
		if (!(mask & (1u << p)))
			continue;
		old[p] = d->port_prog[p];
		d->port_prog[p] = new;
		uxdp_dp_attach(d->dp, p, new ? &new->prog : NULL);
	}
	publish_programs(d);
	ret = uxdp_dp_synchronize(d->dp, UXDPD_SYNC_TIMEOUT_MS);
	for (p = 0; p < n; p++) {
		if (!old[p] || old[p] == new)
			continue;
		if (ret)
			old[p]->stuck = true; /* a worker may still be inside: never close it */
		maybe_release(d, old[p]);
	}
	if (ret == -ETIMEDOUT)
		return uxdp_errmsg(
		    err, err_size, ret,
		    "switched, but a worker is still inside the old program after %u ms; it "
		    "stays loaded",
		    UXDPD_SYNC_TIMEOUT_MS);
	if (ret)
		return uxdp_errmsg(err, err_size, ret, "waiting for the workers: %s",
				   strerror(-ret));
	return 0;
}

/*
 * A link is made on one free port, as the kernel's XDP link on a device
 * without a program (else -EBUSY); a port a link holds is replaced only
 * through it (the kernel's "Can't replace active BPF XDP link").
 */
static int check_attach(struct uxdpd *d, const struct uxdp_dmsg_attach *a,
			const struct prog_version *v, uint32_t mask, char *err, size_t err_size)
{
	bool as_link = a->flags & UXDP_ATTACH_F_LINK;
	unsigned int p;
	char lb[64];

	if (as_link && (!a->ifindex || (a->flags & UXDP_ATTACH_F_REPLACE)))
		return uxdp_errmsg(err, err_size, -EINVAL,
				   "a link attaches to one port (an ifindex) that runs nothing");
	for (p = 0; p < uxdp_dp_ports(d->dp); p++) {
		struct prog_version *cur = d->port_prog[p];

		if (!(mask & (1u << p)) || !cur)
			continue;
		if (d->port_link[p])
			return uxdp_errmsg(err, err_size, -EBUSY,
					   "%s is held by link %u (program %u, %s): update or "
					   "detach the link instead",
					   port_label(d, p, lb, sizeof(lb)), d->port_link[p],
					   cur->id, cur->name);
		if ((as_link || cur != v) && !(a->flags & UXDP_ATTACH_F_REPLACE))
			return uxdp_errmsg(err, err_size, -EBUSY,
					   "%s runs program %u (%s): replace it instead",
					   port_label(d, p, lb, sizeof(lb)), cur->id, cur->name);
	}
	return 0;
}

static struct link_obj *find_link(struct uxdpd *d, uint32_t id)
{
	struct link_obj *l;

	for (l = d->links; l && l->id != id; l = l->next)
		;
	return l;
}

/* Link d->next_link_id (the caller takes the id), held by its first reference. */
static struct link_obj *new_link(struct uxdpd *d, uint32_t prog_id, uint32_t ifindex)
{
	struct link_obj *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->id = d->next_link_id;
	l->prog_id = prog_id;
	l->ifindex = ifindex;
	l->refs = 1;
	l->next = d->links;
	d->links = l;
	return l;
}

int registry_attach(struct uxdpd *d, const struct uxdp_dmsg_attach *a, uint32_t *link_id,
		    char *err, size_t err_size)
{
	struct prog_version *v;
	uint32_t mask;
	unsigned int p;
	int ret;

	if (link_id)
		*link_id = 0;
	pthread_mutex_lock(&d->lock);
	v = find_loaded(d, a->prog_id, err, err_size);
	ret = v ? select_ports(d, a->ifindex, &mask, err, err_size) : -ENOENT;
	ret = ret ?: check_attach(d, a, v, mask, err, err_size);
	if (!ret)
		ret = switch_ports(d, mask, v, err, err_size);
	/* -ETIMEDOUT: switched all the same. */
	if ((!ret || ret == -ETIMEDOUT) && (a->flags & UXDP_ATTACH_F_LINK) &&
	    !new_link(d, v->id, a->ifindex)) {
		switch_ports(d, mask, NULL, err, err_size);
		ret = uxdp_errmsg(err, err_size, -ENOMEM, "out of memory");
	}
	if (!ret || ret == -ETIMEDOUT) {
		uint32_t id = a->flags & UXDP_ATTACH_F_LINK ? d->next_link_id++ : 0;

		for (p = 0; p < uxdp_dp_ports(d->dp); p++)
			if (mask & (1u << p))
				d->port_link[p] = id;
		if (link_id)
			*link_id = id;
	}
	pthread_mutex_unlock(&d->lock);
	return ret;
}

/*
 * A request through link_id: the port of ifindex must still be that
 * link's (-ENOLINK, as a kernel link whose device went).  Without one, a
 * REPLACE must not take a port a link holds (-EBUSY).
 */
static int check_link(struct uxdpd *d, const struct uxdp_dmsg_attach *a, uint32_t mask,
		      bool replacing, char *err, size_t err_size)
{
	unsigned int p;
	char lb[64];

	if (a->link_id && !a->ifindex)
		return uxdp_errmsg(err, err_size, -ENOLINK, "link %u holds no port", a->link_id);
	for (p = 0; p < uxdp_dp_ports(d->dp); p++) {
		if (!(mask & (1u << p)))
			continue;
		if (a->link_id && d->port_link[p] != a->link_id)
			return uxdp_errmsg(err, err_size, -ENOLINK,
					   "link %u no longer holds %s", a->link_id,
					   port_label(d, p, lb, sizeof(lb)));
		if (!a->link_id && replacing && d->port_link[p] && d->port_prog[p])
			return uxdp_errmsg(err, err_size, -EBUSY,
					   "%s is held by link %u: update the link instead",
					   port_label(d, p, lb, sizeof(lb)), d->port_link[p]);
	}
	return 0;
}

/* A request through a link without an ifindex is for the link's own port (0: detached). */
static struct uxdp_dmsg_attach with_port(struct uxdpd *d, const struct uxdp_dmsg_attach *req)
{
	struct uxdp_dmsg_attach a = *req;
	struct link_obj *l = a.link_id && !a.ifindex ? find_link(d, a.link_id) : NULL;

	if (l)
		a.ifindex = l->ifindex;
	return a;
}

/* The links that held the ports of mask are detached (they live on while held). */
static void links_detached(struct uxdpd *d, uint32_t mask)
{
	for (unsigned int p = 0; p < uxdp_dp_ports(d->dp); p++) {
		struct link_obj *l = mask & (1u << p) ? find_link(d, d->port_link[p]) : NULL;

		if (l)
			l->ifindex = 0;
		if (mask & (1u << p))
			d->port_link[p] = 0;
	}
}

int registry_detach(struct uxdpd *d, const struct uxdp_dmsg_attach *req, char *err,
		    size_t err_size)
{
	uint32_t mask = 0, sel;
	unsigned int p;
	char lb[64];
	int ret;

	pthread_mutex_lock(&d->lock);
	struct uxdp_dmsg_attach aa = with_port(d, req), *a = &aa;

	if (a->link_id && !a->ifindex) {
		ret = uxdp_errmsg(err, err_size, -ENOLINK, "link %u holds no port", a->link_id);
		pthread_mutex_unlock(&d->lock);
		return ret;
	}
	ret = select_ports(d, a->ifindex, &sel, err, err_size);
	ret = ret ?: check_link(d, a, sel, false, err, err_size);
	for (p = 0; !ret && p < uxdp_dp_ports(d->dp); p++) {
		struct prog_version *cur = d->port_prog[p];

		if (!(sel & (1u << p)) || !cur)
			continue;
		if (a->prog_id && cur->id != a->prog_id) {
			if (a->ifindex)
				ret = uxdp_errmsg(err, err_size, -ESTALE,
						  "%s runs program %u (%s), not %u",
						  port_label(d, p, lb, sizeof(lb)), cur->id,
						  cur->name, a->prog_id);
			continue;
		}
		mask |= 1u << p;
	}
	if (!ret && !mask)
		ret = uxdp_errmsg(err, err_size, -ENOENT, "nothing to detach: %s",
				  a->prog_id ? "that program runs on no such port"
					     : "no program attached");
	if (!ret)
		ret = switch_ports(d, mask, NULL, err, err_size);
	if (!ret || ret == -ETIMEDOUT)
		links_detached(d, mask);
	pthread_mutex_unlock(&d->lock);
	return ret;
}

int registry_replace(struct uxdpd *d, const struct uxdp_dmsg_attach *req, char *err,
		     size_t err_size)
{
	struct prog_version *v;
	struct link_obj *l;
	uint32_t mask = 0, sel = 0;
	unsigned int p;
	char lb[64];
	int ret;

	pthread_mutex_lock(&d->lock);
	struct uxdp_dmsg_attach aa = with_port(d, req), *a = &aa;

	v = find_loaded(d, a->prog_id, err, err_size);
	ret = v ? select_ports(d, a->ifindex, &sel, err, err_size) : -ENOENT;
	ret = ret ?: check_link(d, a, sel, true, err, err_size);
	for (p = 0; !ret && p < uxdp_dp_ports(d->dp); p++) {
		struct prog_version *cur = d->port_prog[p];

		if (!(sel & (1u << p)))
			continue;
		if (a->old_prog_id && (!cur || cur->id != a->old_prog_id)) {
			if (a->ifindex)
				ret = uxdp_errmsg(err, err_size, -ESTALE,
						  "%s runs %s%u%s, not program %u",
						  port_label(d, p, lb, sizeof(lb)),
						  cur ? "program " : "no program",
						  cur ? cur->id : 0, cur ? "" : "", a->old_prog_id);
			continue;
		}
		if (!a->ifindex && !cur)
			continue; /* "every port with a program" */
		mask |= 1u << p;
	}
	if (!ret && !mask)
		ret = uxdp_errmsg(err, err_size, -ENOENT, "nothing to replace: %s",
				  a->old_prog_id ? "that program runs on no port"
						 : "no program attached");
	if (!ret)
		ret = switch_ports(d, mask, v, err, err_size);
	l = a->link_id && (!ret || ret == -ETIMEDOUT) ? find_link(d, a->link_id) : NULL;
	if (l)
		l->prog_id = v->id;
	pthread_mutex_unlock(&d->lock);
	return ret;
}

/* ---- reading ---- */

size_t registry_list(struct uxdpd *d, uint32_t flags, uint32_t *ids, size_t cap)
{
	struct prog_version *v;
	size_t n = 0;

	pthread_mutex_lock(&d->lock);
	for (v = d->versions; v; v = v->next) {
		if (!v->obj && !(flags & UXDP_LIST_F_RELEASED))
			continue;
		if (n < cap)
			ids[n] = v->id;
		n++;
	}
	pthread_mutex_unlock(&d->lock);
	return n;
}

static void counters_of(const struct prog_version *v, struct uxdp_dmsg_prog_info *o)
{
	unsigned int i;

	for (i = 0; i < UXDP_DN_VERDICTS && i < UXDP_N_VERDICTS; i++) {
		o->packets[i] = __atomic_load_n(&v->counters.packets[i], __ATOMIC_RELAXED);
		o->bytes[i] = __atomic_load_n(&v->counters.bytes[i], __ATOMIC_RELAXED);
	}
}

int registry_object(struct uxdpd *d, uint32_t id, struct uxdp_dmsg_prog_object *o, int *fd,
		    char *err, size_t err_size)
{
	struct prog_version *v;
	struct stat st;
	int ret = 0;

	memset(o, 0, sizeof(*o));
	*fd = -1;
	pthread_mutex_lock(&d->lock);
	v = find(d, id);
	if (!v)
		ret = uxdp_errmsg(err, err_size, -ENOENT, "no program with id %u", id);
	else if (!v->obj)
		ret = uxdp_errmsg(err, err_size, -ENOENT, "program %u was released", id);
	else if (v->src_fd < 0)
		ret = uxdp_errmsg(err, err_size, -ENOMEM,
				  "program %u: its object was not kept (no memory at load)", id);
	else if (fstat(v->src_fd, &st) || (*fd = fcntl(v->src_fd, F_DUPFD_CLOEXEC, 0)) < 0)
		ret = uxdp_errmsg(err, err_size, -errno, "program %u: its object: %s", id,
				  strerror(errno));
	if (!ret) {
		o->id = v->id;
		o->load_flags = v->load_flags;
		o->opt_level = v->opt_level;
		o->size = (uint64_t)st.st_size;
		memcpy(o->name, v->name, sizeof(o->name));
	}
	pthread_mutex_unlock(&d->lock);
	return ret;
}

int registry_info(struct uxdpd *d, uint32_t id, struct uxdp_dmsg_prog_info *o, char *err,
		  size_t err_size)
{
	struct prog_version *v;
	unsigned int p;

	memset(o, 0, sizeof(*o));
	pthread_mutex_lock(&d->lock);
	v = find(d, id);
	if (v) {
		o->id = v->id;
		o->flags = v->info_flags | (v->pins && v->obj ? UXDP_PROG_INFO_F_PINNED : 0);
		memcpy(o->tag, v->tag, sizeof(o->tag));
		memcpy(o->name, v->name, sizeof(o->name));
		memcpy(o->object, v->object, sizeof(o->object));
		o->load_time_ns = v->load_ns;
		o->release_time_ns = v->release_ns;
		o->confinement = v->prog.confinement;
		for (p = 0; p < uxdp_dp_ports(d->dp) && o->n_attached < UXDP_DMAX_ATTACH; p++)
			if (d->port_prog[p] == v) {
				o->attached_link[o->n_attached] = d->port_link[p];
				o->attached[o->n_attached++] = uxdp_dp_port_ifindex(d->dp, p);
			}
		o->n_map_ids = (uint32_t)uxdp_object_map_ids(v->obj, o->map_ids, UXDP_DMAX_MAP_IDS);
		if (o->n_map_ids > UXDP_DMAX_MAP_IDS)
			o->n_map_ids = UXDP_DMAX_MAP_IDS;
		counters_of(v, o);
	}
	pthread_mutex_unlock(&d->lock);
	return v ? 0 : uxdp_errmsg(err, err_size, -ENOENT, "no program with id %u", id);
}

size_t registry_ports(struct uxdpd *d, struct uxdp_dmsg_port *out, size_t cap)
{
	unsigned int p, n;

	pthread_mutex_lock(&d->lock);
	n = uxdp_dp_ports(d->dp);
	for (p = 0; p < n && p < cap; p++) {
		memset(&out[p], 0, sizeof(out[p]));
		out[p].ifindex = uxdp_dp_port_ifindex(d->dp, p);
		out[p].prog_id = d->port_prog[p] ? d->port_prog[p]->id : 0;
		memcpy(out[p].name, d->port_name[p], sizeof(out[p].name));
	}
	pthread_mutex_unlock(&d->lock);
	return n;
}

/* ---- links and pins ---- */

int registry_link_get(struct uxdpd *d, uint32_t id, char *err, size_t err_size)
{
	struct link_obj *l;

	pthread_mutex_lock(&d->lock);
	l = find_link(d, id);
	if (l)
		l->refs++;
	pthread_mutex_unlock(&d->lock);
	return l ? 0 : uxdp_errmsg(err, err_size, -ENOENT, "no link with id %u", id);
}

/* Nothing holds l: off its port if it still holds one, then forgotten. */
static void end_link(struct uxdpd *d, struct link_obj *l)
{
	struct link_obj **pp;
	uint32_t mask = 0;
	char err[256];

	for (unsigned int p = 0; p < uxdp_dp_ports(d->dp); p++)
		if (d->port_link[p] == l->id && d->port_prog[p])
			mask |= 1u << p;
	if (mask) {
		/* -ETIMEDOUT: switched all the same, the old program kept (stuck). */
		switch_ports(d, mask, NULL, err, sizeof(err));
		links_detached(d, mask);
	}
	for (pp = &d->links; *pp != l; pp = &(*pp)->next)
		;
	*pp = l->next;
	free(l);
}

static void link_drop(struct uxdpd *d, uint32_t id, bool pin)
{
	struct link_obj *l;

	pthread_mutex_lock(&d->lock);
	l = find_link(d, id);
	if (l && pin && l->pins)
		l->pins--;
	else if (l && !pin && l->refs)
		l->refs--;
	if (l && !l->refs && !l->pins)
		end_link(d, l);
	pthread_mutex_unlock(&d->lock);
}

void registry_link_put(struct uxdpd *d, uint32_t id)
{
	link_drop(d, id, false);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

size_t registry_link_list(struct uxdpd *d, uint32_t *ids, size_t cap)
{
	size_t n = 0;

	pthread_mutex_lock(&d->lock);
	for (struct link_obj *l = d->links; l; l = l->next, n++)
		if (n < cap)
			ids[n] = l->id;
	pthread_mutex_unlock(&d->lock);
	qsort(ids, n < cap ? n : cap, sizeof(*ids), cmp_u32);
	return n;
}

int registry_link_info(struct uxdpd *d, uint32_t id, struct uxdp_dmsg_link_info *out, char *err,
		       size_t err_size)
{
	struct link_obj *l;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&d->lock);
	l = find_link(d, id);
	if (l) {
		out->id = l->id;
		out->prog_id = l->prog_id;
		out->ifindex = l->ifindex;
		out->flags = l->pins ? UXDP_LINK_INFO_F_PINNED : 0;
	}
	pthread_mutex_unlock(&d->lock);
	return l ? 0 : uxdp_errmsg(err, err_size, -ENOENT, "no link with id %u", id);
}

int registry_pin(struct uxdpd *d, uint32_t kind, uint32_t id, char *err, size_t err_size)
{
	struct prog_version *v = NULL;
	struct link_obj *l = NULL;
	int ret = 0;

	pthread_mutex_lock(&d->lock);
	if (kind == UXDP_PIN_PROG && (v = find_loaded(d, id, err, err_size)))
		v->pins++;
	else if (kind == UXDP_PIN_LINK && (l = find_link(d, id)))
		l->pins++;
	else if (kind == UXDP_PIN_LINK)
		ret = uxdp_errmsg(err, err_size, -ENOENT, "no link with id %u", id);
	else if (kind == UXDP_PIN_PROG)
		ret = -ENOENT;
	else
		ret = uxdp_errmsg(err, err_size, -EINVAL, "pin: unknown kind %u", kind);
	pthread_mutex_unlock(&d->lock);
	return ret;
}

void registry_unpin(struct uxdpd *d, uint32_t kind, uint32_t id)
{
	struct prog_version *v;

	if (kind == UXDP_PIN_LINK) {
		link_drop(d, id, true);
		return;
	}
	pthread_mutex_lock(&d->lock);
	v = find(d, id);
	if (v && v->pins) {
		v->pins--;
		/* Attached, it stays (maybe_release checks); else no worker runs it. */
		maybe_release(d, v);
	}
	pthread_mutex_unlock(&d->lock);
}

int registry_hold(struct uxdpd *d, uint32_t id, uint64_t holder, char *err, size_t err_size)
{
	struct prog_version *v;
	int ret;

	pthread_mutex_lock(&d->lock);
	v = find_loaded(d, id, err, err_size);
	ret = !v ? -ENOENT
		 : add_holder(v, holder) ? uxdp_errmsg(err, err_size, -ENOMEM, "out of memory")
					 : 0;
	pthread_mutex_unlock(&d->lock);
	return ret;
}

void registry_drop_holder(struct uxdpd *d, uint64_t holder)
{
	struct prog_version *v;

	pthread_mutex_lock(&d->lock);
	for (v = d->versions; v; v = v->next) {
		unsigned int i = 0;

		while (i < v->n_holders && v->holders[i] != holder)
			i++;
		if (i == v->n_holders)
			continue;
		v->holders[i] = v->holders[--v->n_holders];
		/* Not attached: no worker runs it, nothing to wait for. */
		maybe_release(d, v);
	}
	pthread_mutex_unlock(&d->lock);
}

void registry_print(struct uxdpd *d, FILE *f)
{
	struct uxdp_dmsg_prog_info o;
	struct prog_version *v;
	unsigned int i;

	pthread_mutex_lock(&d->lock);
	for (v = d->versions; v; v = v->next) {
		memset(&o, 0, sizeof(o));
		counters_of(v, &o);
		fprintf(f, "prog %u %s%s:", v->id, v->name, v->obj ? "" : " (released)");
		for (i = 0; i < UXDP_DN_VERDICTS; i++)
			if (o.packets[i])
				fprintf(f, " %s %llu", uxdp_verdict_name(i),
					(unsigned long long)o.packets[i]);
		fputc('\n', f);
	}
	pthread_mutex_unlock(&d->lock);
}

void registry_close(struct uxdpd *d)
{
	struct prog_version *v, *next;
	unsigned int p;

	pthread_mutex_lock(&d->lock);
	for (p = 0; p < uxdp_dp_ports(d->dp); p++) {
		uxdp_dp_attach(d->dp, p, NULL);
		d->port_prog[p] = NULL;
	}
	for (v = d->versions; v; v = next) {
		next = v->next;
		uxdp_object_close(v->obj);
		if (v->src_fd >= 0)
			close(v->src_fd);
		free(v->holders);
		free(v);
	}
	d->versions = NULL;
	while (d->links) {
		struct link_obj *l = d->links;

		d->links = l->next;
		free(l);
	}
	pthread_mutex_unlock(&d->lock);
}
