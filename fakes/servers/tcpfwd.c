#include "servers/tcpfwd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox/netns.h"
#include "core/loop.h"

#define BUF_SIZE 65536

/* One forwarded connection; side 0 is the accepted client, side 1 the target. */
struct conn {
	int fd[2];
	char buf[2][BUF_SIZE]; /* read from fd[i], not yet written to fd[!i] */
	size_t len[2];
	bool eof[2];  /* fd[i] has no more to read */
	bool shut[2]; /* that end of stream was passed on: fd[!i] is shut for writing */
	bool connecting;
	bool dead;
	struct conn *next;
};

struct fl_tcpfwd {
	struct fl_loop *loop;
	int listen_fd;
	uint16_t port, target_port;
	struct conn *conns;
};

static void set_nodelay(int fd)
{
	/* SSH is many small packets each way: Nagle would add a delayed-ACK stall to each */
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* A non-blocking connect to the target; the socket, or -1. */
static int connect_target(uint16_t port, bool *connecting)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (fd < 0)
		return -1;
	*connecting = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0;
	if (*connecting && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	set_nodelay(fd);
	return fd;
}

static void accept_all(struct fl_tcpfwd *fwd)
{
	for (;;) {
		int c = accept4(fwd->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0)
			return; /* EAGAIN: none left; anything else: the client gave up */
		struct conn *conn = calloc(1, sizeof(*conn));
		bool connecting = false;
		int t = conn ? connect_target(fwd->target_port, &connecting) : -1;
		if (t < 0) {
			free(conn);
			close(c);
			continue;
		}
		set_nodelay(c);
		conn->fd[0] = c;
		conn->fd[1] = t;
		conn->connecting = connecting;
		conn->next = fwd->conns;
		fwd->conns = conn;
	}
}

static void prepare(void *ctx, fd_set *r, fd_set *w, fd_set *e, int *max_fd, int64_t *timeout_ms)
{
	struct fl_tcpfwd *fwd = ctx;
	(void)e, (void)timeout_ms;
	FD_SET(fwd->listen_fd, r);
	if (fwd->listen_fd > *max_fd)
		*max_fd = fwd->listen_fd;
	for (struct conn *c = fwd->conns; c; c = c->next) {
		for (int i = 0; i < 2; i++) {
			if (c->connecting && i == 0)
				continue; /* nothing to do with the client's bytes yet */
			if (c->connecting || c->len[!i] > 0)
				FD_SET(c->fd[i], w);
			if (!c->connecting && !c->eof[i] && c->len[i] < BUF_SIZE)
				FD_SET(c->fd[i], r);
			if (c->fd[i] > *max_fd)
				*max_fd = c->fd[i];
		}
	}
}

/* Move what side @i has read on to the other side; false on an error. */
static bool flush(struct conn *c, int i)
{
	while (c->len[i] > 0) {
		ssize_t n = send(c->fd[!i], c->buf[i], c->len[i], MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		c->len[i] -= (size_t)n;
		memmove(c->buf[i], c->buf[i] + n, c->len[i]);
	}
	if (c->eof[i] && !c->shut[i]) {
		shutdown(c->fd[!i], SHUT_WR);
		c->shut[i] = true;
	}
	return true;
}

static void serve(struct conn *c, fd_set *r, fd_set *w)
{
	if (c->connecting) {
		if (!FD_ISSET(c->fd[1], w))
			return;
		int err = 0;
		socklen_t len = sizeof(err);
		if (getsockopt(c->fd[1], SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
			c->dead = true; /* refused: the server is not up */
			return;
		}
		c->connecting = false;
	}
	for (int i = 0; i < 2; i++) {
		if (!c->eof[i] && c->len[i] < BUF_SIZE && FD_ISSET(c->fd[i], r)) {
			ssize_t n = read(c->fd[i], c->buf[i] + c->len[i], BUF_SIZE - c->len[i]);
			if (n > 0)
				c->len[i] += (size_t)n;
			else if (n == 0)
				c->eof[i] = true;
			else if (errno != EAGAIN && errno != EINTR)
				c->dead = true;
		}
		if (!c->dead && !flush(c, i))
			c->dead = true;
	}
	if (c->shut[0] && c->shut[1])
		c->dead = true;
}

static void close_conn(struct conn *c)
{
	close(c->fd[0]);
	close(c->fd[1]);
	free(c);
}

static void dispatch(void *ctx, fd_set *r, fd_set *w, fd_set *e)
{
	struct fl_tcpfwd *fwd = ctx;
	(void)e;
	for (struct conn **pp = &fwd->conns; *pp;) {
		struct conn *c = *pp;
		serve(c, r, w);
		if (c->dead) {
			*pp = c->next;
			close_conn(c);
		} else {
			pp = &c->next;
		}
	}
	if (FD_ISSET(fwd->listen_fd, r))
		accept_all(fwd);
}

static const struct fl_poller_ops poller_ops = { .prepare = prepare, .dispatch = dispatch };

static int listen_loopback(uint16_t *port)
{
	int fd = fl_netns_host_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		errno = e;
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

struct fl_tcpfwd *fl_tcpfwd_start(struct fl_loop *loop, uint16_t target_port)
{
	struct fl_tcpfwd *fwd = calloc(1, sizeof(*fwd));
	if (!fwd)
		return NULL;
	fwd->loop = loop;
	fwd->listen_fd = listen_loopback(&fwd->port);
	if (fwd->listen_fd < 0)
		goto err_free;
	fwd->target_port = target_port ? target_port : fwd->port;
	int ret = fl_loop_add_poller(loop, &poller_ops, fwd);
	if (ret < 0) {
		errno = -ret;
		goto err_close;
	}
	return fwd;

err_close:
	close(fwd->listen_fd);
err_free:
	free(fwd);
	return NULL;
}

uint16_t fl_tcpfwd_port(const struct fl_tcpfwd *fwd)
{
	return fwd->port;
}

void fl_tcpfwd_stop(struct fl_tcpfwd *fwd)
{
	if (!fwd)
		return;
	fl_loop_remove_poller(fwd->loop, &poller_ops, fwd);
	while (fwd->conns) {
		struct conn *c = fwd->conns;
		fwd->conns = c->next;
		close_conn(c);
	}
	close(fwd->listen_fd);
	free(fwd);
}
