// SPDX-License-Identifier: MIT
/*
 * afxdp.c - the AF_XDP driver: libxdp sockets, one worker thread per queue.
 *
 * Worker i owns queue q_i of every port: one UMEM, and on it one socket per
 * port (XDP_SHARED_UMEM across devices), each with its own fill and
 * completion rings.  Since every frame of a worker lives in one UMEM, XDP_TX
 * and a redirect to another port are the same move: the frame goes onto the
 * target socket's TX ring, no copy.  A frame is always in exactly one place:
 * the worker's free stack, a fill ring, the kernel, an RX ring, a TX ring or
 * a completion ring; the worker returns completions and processed frames to
 * the free stack, and the free stack tops up the fill rings.
 *
 * libxdp loads its own XDP program (redirect to the queue's socket) on each
 * interface and removes it when the last socket goes.
 *
 * The driver only moves frames: each received frame goes through the
 * datapath (uxdp_dp_run()), which answers recycle, send out of port p, or
 * pass to the TAP.  Port i here is port i of the datapath.
 */
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <xdp/xsk.h>

#include <uxdp/datapath.h>
#include <uxdp/net_driver.h>

#include "net.h"

#define RING_SIZE 2048
#define DEFAULT_FRAME_SIZE 4096
#define DEFAULT_FRAME_COUNT 4096
#define IDLE_POLL_MS 100  /* how long an idle worker sleeps before checking for Ctrl-C */

struct xsk_port {
	struct xsk_socket *xsk;
	struct xsk_ring_cons rx, comp;
	struct xsk_ring_prod tx, fill;
	uint32_t outstanding;  /* TX descriptors not yet completed */
	uint32_t nout;         /* staged for TX in out[] */
	uint64_t out[UXDP_DP_BATCH * 2];
	uint32_t outlen[UXDP_DP_BATCH * 2];
	int fd;
};

struct afxdp;

struct afxdp_worker {
	struct afxdp *ax;
	struct uxdp_dp_worker *dw;  /* this worker's datapath state */
	unsigned int index;
	uint32_t queue;
	struct xsk_umem *umem;
	uint8_t *area;
	uint64_t area_size;
	uint64_t *free;        /* stack of free frame addresses */
	uint32_t nfree;
	int tap_fd;            /* worker 0 forwards the TAP's frames; -1 elsewhere */
	pthread_t thread;
	bool started;
	struct xsk_port port[UXDP_NET_MAX_PORTS];
};

struct afxdp {
	const struct uxdp_net_opts *o;
	unsigned int nports, nworkers;
	char ifname[UXDP_NET_MAX_PORTS][IF_NAMESIZE];
	uint32_t ifindex[UXDP_NET_MAX_PORTS];
	uint32_t frame_size, frame_count;
	int tap_fd;
	struct afxdp_worker *w;
};

static inline uint64_t frame_base(const struct afxdp *ax, uint64_t addr)
{
	/* Aligned mode: frame_size is a power of two and frames start at its multiples. */
	return addr & ~(uint64_t)(ax->frame_size - 1);
}

/* Completions and, for copy mode, the kick that makes the kernel transmit. */
static void reclaim(struct afxdp_worker *w, struct xsk_port *xp)
{
	uint32_t idx, n, i;

	if (!xp->outstanding)
		return;
	if (xsk_ring_prod__needs_wakeup(&xp->tx))
		sendto(xp->fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
	n = xsk_ring_cons__peek(&xp->comp, RING_SIZE, &idx);
	for (i = 0; i < n; i++)
		w->free[w->nfree++] = frame_base(w->ax, *xsk_ring_cons__comp_addr(&xp->comp, idx + i));
	xsk_ring_cons__release(&xp->comp, n);
	xp->outstanding -= n;
}

static void refill(struct afxdp_worker *w, struct xsk_port *xp)
{
	uint32_t n = xsk_prod_nb_free(&xp->fill, w->nfree), idx, i;

	if (n > w->nfree)
		n = w->nfree;
	/* Refill in batches: each reserve/submit is a cache-line bounce with the kernel. */
	if (n < UXDP_DP_BATCH && n < w->nfree)
		return;
	if (!n || xsk_ring_prod__reserve(&xp->fill, n, &idx) != n)
		return;
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&xp->fill, idx + i) = w->free[--w->nfree];
	xsk_ring_prod__submit(&xp->fill, n);
}

/* Move the staged frames onto the TX ring; what does not fit is dropped. */
static void flush_tx(struct afxdp_worker *w, struct xsk_port *xp)
{
	uint32_t n = xp->nout, room, idx, i;

	if (!n)
		return;
	room = xsk_prod_nb_free(&xp->tx, n);
	if (room > n)
		room = n;
	if (room && xsk_ring_prod__reserve(&xp->tx, room, &idx) == room) {
		for (i = 0; i < room; i++) {
			struct xdp_desc *d = xsk_ring_prod__tx_desc(&xp->tx, idx + i);

			d->addr = xp->out[i];
			d->len = xp->outlen[i];
			d->options = 0;
		}
		xsk_ring_prod__submit(&xp->tx, room);
		xp->outstanding += room;
	} else {
		room = 0;
	}
	for (i = room; i < n; i++)
		w->free[w->nfree++] = frame_base(w->ax, xp->out[i]);
	if (n > room)
		uxdp_dp_count_tx_drop(w->dw, n - room);
	xp->nout = 0;
	if (xsk_ring_prod__needs_wakeup(&xp->tx))
		sendto(xp->fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
}

static void stage_tx(struct afxdp_worker *w, struct xsk_port *xp, uint64_t addr, uint32_t len)
{
	if (xp->nout == UXDP_DP_BATCH * 2)
		flush_tx(w, xp);
	xp->out[xp->nout] = addr;
	xp->outlen[xp->nout++] = len;
}

static unsigned int rx_batch(struct afxdp_worker *w, unsigned int p)
{
	struct afxdp *ax = w->ax;
	struct xsk_port *xp = &w->port[p];
	struct uxdp_dp_worker *dw = w->dw;
	uint32_t idx, n, i;

	n = xsk_ring_cons__peek(&xp->rx, UXDP_DP_BATCH, &idx);
	if (!n)
		return 0;
	uxdp_dp_batch_begin(dw, p);
	for (i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&xp->rx, idx + i);
		uint64_t base = frame_base(ax, d->addr);
		uint8_t *hard = w->area + base;

		switch (uxdp_dp_run(dw, hard, w->area + d->addr, d->len, hard + ax->frame_size)) {
		case UXDP_DP_TX:
			/* XDP_TX and port redirects alike: the frame is in our UMEM. */
			stage_tx(w, &w->port[uxdp_dp_out_port(dw)], uxdp_dp_data(dw) - w->area,
				 uxdp_dp_len(dw));
			break;
		case UXDP_DP_PASS:
			uxdp_net_pass(dw, w->ax->tap_fd, uxdp_dp_data(dw), uxdp_dp_len(dw));
			/* fall through */
		default:
			w->free[w->nfree++] = base;
			break;
		}
	}
	uxdp_dp_batch_end(dw);
	xsk_ring_cons__release(&xp->rx, n);
	return n;
}

/* Frames the kernel sent on the TAP leave through port 0, as if it owned it. */
static unsigned int tap_batch(struct afxdp_worker *w)
{
	struct afxdp *ax = w->ax;
	unsigned int n = 0;
	uint32_t room = ax->frame_size - UXDP_HEADROOM - UXDP_XDP_TAILROOM;

	while (n < UXDP_DP_BATCH && w->nfree) {
		uint64_t base = w->free[w->nfree - 1];
		ssize_t len = read(w->tap_fd, w->area + base + UXDP_HEADROOM, room);

		if (len <= 0)
			break;
		w->nfree--;
		stage_tx(w, &w->port[0], base + UXDP_HEADROOM, len);
		uxdp_dp_count_tap_out(w->dw, 1);
		n++;
	}
	return n;
}

static void idle(struct afxdp_worker *w)
{
	struct pollfd pfd[UXDP_NET_MAX_PORTS + 1];
	unsigned int p, n = 0;

	if (w->ax->o->busy_poll) {
		/* Drives the NAPI busy poll in this thread instead of sleeping. */
		for (p = 0; p < w->ax->nports; p++)
			recvfrom(w->port[p].fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
		return;
	}
	for (p = 0; p < w->ax->nports; p++) {
		pfd[n].fd = w->port[p].fd;
		pfd[n++].events = POLLIN;
	}
	if (w->tap_fd >= 0) {
		pfd[n].fd = w->tap_fd;
		pfd[n++].events = POLLIN;
	}
	/* poll() also wakes the kernel when the fill ring needs it. */
	poll(pfd, n, IDLE_POLL_MS);
}

static void *worker_main(void *arg)
{
	struct afxdp_worker *w = arg;
	struct afxdp *ax = w->ax;
	unsigned int p, work;

	uxdp_dp_worker_enter(w->dw);
	while (!uxdp_dp_stopping(w->dw)) {
		work = 0;
		for (p = 0; p < ax->nports; p++) {
			reclaim(w, &w->port[p]);
			refill(w, &w->port[p]);
			work += rx_batch(w, p);
		}
		if (w->tap_fd >= 0)
			work += tap_batch(w);
		for (p = 0; p < ax->nports; p++)
			flush_tx(w, &w->port[p]);
		if (!work) {
			bool busy = false;

			uxdp_dp_idle(w->dw);
			for (p = 0; p < ax->nports; p++)
				busy |= w->port[p].outstanding != 0;
			if (!busy || ax->o->busy_poll)
				idle(w);
		}
	}
	uxdp_dp_worker_leave(w->dw);
	return NULL;
}

static const char *mode_hint(int err)
{
	switch (err) {
	case -EPERM:
	case -EACCES:
		return "permission denied (AF_XDP needs root, or CAP_NET_ADMIN, CAP_NET_RAW and CAP_BPF)";
	case -ENOMEM:
		return "too little memory for the UMEM (lower --frame-count, or raise RLIMIT_MEMLOCK)";
	case -EOPNOTSUPP:
		return "not supported by the interface's driver in this mode (try --copy)";
	case -EINVAL:
		return "no such queue on the interface, or mode not supported";
	case -EBUSY:
		return "queue busy: another AF_XDP socket or XDP program holds it";
	case -EAFNOSUPPORT:
		return "the kernel lacks AF_XDP (CONFIG_XDP_SOCKETS)";
	default:
		return strerror(-err);
	}
}

/*
 * The AF_XDP socket of port p's queue.  A queue is busy while a socket
 * holds it, and the kernel lets go of a dead process's socket some time
 * after the process is gone (a uxdpd restarted right after a SIGKILL met
 * EBUSY in bpfsys.lifetime); so a busy queue is tried again for up to 2 s
 * before the error stands: a live holder still gets it, 2 s later.
 */
static int create_socket(struct afxdp *ax, struct afxdp_worker *w, struct xsk_port *xp,
			 const struct xsk_socket_config *sc, unsigned int p)
{
	int ret, tries = 0;

	for (;;) {
		ret = xsk_socket__create_shared(&xp->xsk, ax->ifname[p], w->queue, w->umem,
						&xp->rx, &xp->tx, &xp->fill, &xp->comp, sc);
		if (ret != -EBUSY || ++tries > 40)
			return ret;
		if (tries == 1)
			fprintf(stderr, "uxdp: %s queue %u: busy; waiting up to 2 s for a previous "
					"holder to let go\n", ax->ifname[p], w->queue);
		usleep(50000);
	}
}

static int setup_worker(struct afxdp *ax, struct afxdp_worker *w)
{
	const struct uxdp_net_opts *o = ax->o;
	struct xsk_umem_config uc = {
		.fill_size = RING_SIZE,
		.comp_size = RING_SIZE,
		.frame_size = ax->frame_size,
		/*
		 * 0: the kernel already puts XDP_PACKET_HEADROOM (256) bytes
		 * before data in every frame; frame_headroom would come on top.
		 */
		.frame_headroom = 0,
	};
	struct xsk_socket_config sc = {
		.rx_size = RING_SIZE,
		.tx_size = RING_SIZE,
		.bind_flags = XDP_USE_NEED_WAKEUP,
	};
	uint64_t nframes = (uint64_t)ax->frame_count * ax->nports, i;
	uint32_t fill, idx;
	unsigned int p;
	int ret;

	if (o->xsk_mode == UXDP_XSK_COPY)
		sc.bind_flags |= XDP_COPY;
	else if (o->xsk_mode == UXDP_XSK_ZEROCOPY)
		sc.bind_flags |= XDP_ZEROCOPY;
	w->area_size = nframes * ax->frame_size;
	w->area = mmap(NULL, w->area_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (w->area == MAP_FAILED) {
		w->area = NULL;
		fprintf(stderr, "uxdp: too little memory for a %llu-byte UMEM\n",
			(unsigned long long)w->area_size);
		return -ENOMEM;
	}
	w->free = malloc(nframes * sizeof(*w->free));
	if (!w->free) {
		fprintf(stderr, "uxdp: too little memory for the frame table\n");
		return -ENOMEM;
	}
	for (i = 0; i < nframes; i++)
		w->free[i] = (nframes - 1 - i) * ax->frame_size;
	w->nfree = nframes;
	ret = xsk_umem__create(&w->umem, w->area, w->area_size, &w->port[0].fill, &w->port[0].comp,
			       &uc);
	if (ret) {
		w->umem = NULL;
		fprintf(stderr, "uxdp: AF_XDP UMEM: %s\n", mode_hint(ret));
		return ret;
	}
	for (p = 0; p < ax->nports; p++) {
		struct xsk_port *xp = &w->port[p];
		struct xdp_options opts = { 0 };
		socklen_t optlen = sizeof(opts);

		ret = create_socket(ax, w, xp, &sc, p);
		if (ret) {
			xp->xsk = NULL;
			fprintf(stderr, "uxdp: %s queue %u: AF_XDP socket: %s\n", ax->ifname[p],
				w->queue, mode_hint(ret));
			return ret;
		}
		xp->fd = xsk_socket__fd(xp->xsk);
		if (o->busy_poll) {
			int one = 1, usecs = 20, budget = UXDP_DP_BATCH;

			if (setsockopt(xp->fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof(one)) ||
			    setsockopt(xp->fd, SOL_SOCKET, SO_BUSY_POLL, &usecs, sizeof(usecs)) ||
			    setsockopt(xp->fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget,
				       sizeof(budget))) {
				ret = -errno;
				fprintf(stderr, "uxdp: %s: busy poll: %s\n", ax->ifname[p],
					strerror(errno));
				return ret;
			}
		}
		if (getsockopt(xp->fd, SOL_XDP, XDP_OPTIONS, &opts, &optlen))
			opts.flags = 0;
		printf("uxdp: %s queue %u: worker %u, AF_XDP %s mode\n", ax->ifname[p], w->queue,
		       w->index, opts.flags & XDP_OPTIONS_ZEROCOPY ? "zero-copy" : "copy");
		/* Half the port's frames wait in its fill ring, the rest serve TX and the TAP. */
		fill = ax->frame_count / 2 < RING_SIZE ? ax->frame_count / 2 : RING_SIZE;
		if (xsk_ring_prod__reserve(&xp->fill, fill, &idx) != fill) {
			fprintf(stderr, "uxdp: %s: fill ring too small\n", ax->ifname[p]);
			return -ENOSPC;
		}
		for (i = 0; i < fill; i++)
			*xsk_ring_prod__fill_addr(&xp->fill, idx + i) = w->free[--w->nfree];
		xsk_ring_prod__submit(&xp->fill, fill);
	}
	return 0;
}

/*
 * The kernel's own drop counters of every socket (XDP_STATISTICS): frames
 * the RX ring had no room for or the fill ring no frame for, invalid TX
 * descriptors.  Summed over workers and ports, printed with the final counters.
 */
static void print_ring_drops(const struct afxdp *ax)
{
	struct xdp_statistics sum = { 0 }, st;
	socklen_t len;
	unsigned int i, p;

	for (i = 0; i < ax->nworkers; i++)
		for (p = 0; p < ax->nports; p++) {
			len = sizeof(st);
			if (!ax->w[i].port[p].xsk ||
			    getsockopt(ax->w[i].port[p].fd, SOL_XDP, XDP_STATISTICS, &st, &len))
				continue;
			sum.rx_dropped += st.rx_dropped;
			sum.rx_invalid_descs += st.rx_invalid_descs;
			sum.tx_invalid_descs += st.tx_invalid_descs;
			sum.rx_ring_full += st.rx_ring_full;
			sum.rx_fill_ring_empty_descs += st.rx_fill_ring_empty_descs;
		}
	printf("ring drops: rx_dropped %llu rx_ring_full %llu rx_fill_ring_empty %llu "
	       "rx_invalid %llu tx_invalid %llu\n", (unsigned long long)sum.rx_dropped,
	       (unsigned long long)sum.rx_ring_full,
	       (unsigned long long)sum.rx_fill_ring_empty_descs,
	       (unsigned long long)sum.rx_invalid_descs, (unsigned long long)sum.tx_invalid_descs);
}

static void teardown(struct afxdp *ax)
{
	unsigned int i, p;

	for (i = 0; i < ax->nworkers; i++) {
		struct afxdp_worker *w = &ax->w[i];

		/* Sockets first: the UMEM stays busy while any socket uses it. */
		for (p = 0; p < ax->nports; p++)
			if (w->port[p].xsk)
				xsk_socket__delete(w->port[p].xsk);
		if (w->umem)
			xsk_umem__delete(w->umem);
		if (w->area)
			munmap(w->area, w->area_size);
		free(w->free);
	}
	free(ax->w);
	if (ax->tap_fd >= 0)
		close(ax->tap_fd);
}

static int parse_ifaces(struct afxdp *ax, const char *list)
{
	const char *s = list, *end;
	size_t len;

	for (;;) {
		end = strchr(s, ',');
		len = end ? (size_t)(end - s) : strlen(s);
		if (!len || len >= IF_NAMESIZE) {
			fprintf(stderr, "uxdp: --afxdp: bad interface name in '%s'\n", list);
			return -EINVAL;
		}
		if (ax->nports == UXDP_NET_MAX_PORTS) {
			fprintf(stderr, "uxdp: --afxdp: more than %d interfaces\n",
				UXDP_NET_MAX_PORTS);
			return -E2BIG;
		}
		memcpy(ax->ifname[ax->nports], s, len);
		ax->ifname[ax->nports][len] = 0;
		ax->ifindex[ax->nports] = if_nametoindex(ax->ifname[ax->nports]);
		if (!ax->ifindex[ax->nports]) {
			fprintf(stderr, "uxdp: %s: no such interface\n", ax->ifname[ax->nports]);
			return -ENODEV;
		}
		ax->nports++;
		if (!end)
			return 0;
		s = end + 1;
	}
}

static int get_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;

	if (s < 0)
		return -errno;
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	if (ioctl(s, SIOCGIFHWADDR, &ifr))
		ret = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(s);
	return ret;
}

int uxdp_afxdp_run(const struct uxdp_net_opts *o)
{
	struct afxdp ax = { .o = o, .tap_fd = -1 };
	uint32_t queues[UXDP_NET_MAX_WORKERS];
	char err[256];
	unsigned int i;
	int n, ret;

	ret = parse_ifaces(&ax, o->ifaces);
	if (ret)
		return ret;
	n = uxdp_net_parse_list(o->queues ? o->queues : "0", queues, UXDP_NET_MAX_WORKERS);
	if (n < 0) {
		fprintf(stderr, "uxdp: --queues: '%s' is not a list like 0-3,5 of at most %d\n",
			o->queues, UXDP_NET_MAX_WORKERS);
		return n;
	}
	ax.nworkers = n;
	ax.frame_size = o->frame_size ? o->frame_size : DEFAULT_FRAME_SIZE;
	ax.frame_count = o->frame_count ? o->frame_count : DEFAULT_FRAME_COUNT;
	if (ax.frame_size != 2048 && ax.frame_size != 4096) {
		fprintf(stderr, "uxdp: --frame-size must be 2048 or 4096\n");
		return -EINVAL;
	}
	if (ax.frame_count < 2 * RING_SIZE) {
		fprintf(stderr, "uxdp: --frame-count must be at least %d\n", 2 * RING_SIZE);
		return -EINVAL;
	}
	ret = uxdp_dp_set_workers(o->dp, ax.nworkers);
	for (i = 0; !ret && i < ax.nports; i++)
		ret = uxdp_dp_add_port(o->dp, ax.ifindex[i]) < 0 ? -E2BIG : 0;
	if (ret) {
		fprintf(stderr, "uxdp: datapath: %s\n", strerror(-ret));
		return ret;
	}
	ax.w = calloc(ax.nworkers, sizeof(*ax.w));
	if (!ax.w) {
		fprintf(stderr, "uxdp: too little memory\n");
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < ax.nworkers; i++) {
		ax.w[i].ax = &ax;
		ax.w[i].dw = uxdp_dp_worker(o->dp, i);
		ax.w[i].index = i;
		ax.w[i].queue = queues[i];
		ax.w[i].tap_fd = -1;
		uxdp_dp_worker_set_queue(ax.w[i].dw, queues[i]);
		ret = setup_worker(&ax, &ax.w[i]);
		if (ret)
			goto out;
	}
	ret = o->attach(o->dp, o->attach_arg);
	if (ret)
		goto out;
	if (o->pass_tap) {
		uint8_t mac[6];

		ret = get_mac(ax.ifname[0], mac);
		if (!ret)
			ret = uxdp_tap_open(o->pass_tap, mac, err, sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "uxdp: %s\n", err);
			goto out;
		}
		ax.tap_fd = ax.w[0].tap_fd = ret;
		ret = 0;
	}
	ret = uxdp_dp_start(o->dp);
	if (ret) {
		fprintf(stderr, "uxdp: datapath control thread: %s\n", strerror(-ret));
		goto out;
	}
	for (i = 0; i < ax.nworkers; i++) {
		ret = -pthread_create(&ax.w[i].thread, NULL, worker_main, &ax.w[i]);
		if (ret) {
			fprintf(stderr, "uxdp: worker thread: %s\n", strerror(-ret));
			uxdp_dp_stop(o->dp);
			break;
		}
		ax.w[i].started = true;
	}
	printf("uxdp: running %u worker%s on %u port%s; Ctrl-C stops\n", ax.nworkers,
	       ax.nworkers == 1 ? "" : "s", ax.nports, ax.nports == 1 ? "" : "s");
	fflush(stdout);
	uxdp_dp_wait_stop(o->dp);
	for (i = 0; i < ax.nworkers; i++)
		if (ax.w[i].started)
			pthread_join(ax.w[i].thread, NULL);
	uxdp_dp_finish(o->dp);
	uxdp_dp_print_final(o->dp, stdout);
	print_ring_drops(&ax);
out:
	teardown(&ax);
	return ret;
}
