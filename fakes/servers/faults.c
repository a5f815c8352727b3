#include "servers/faults.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/netns.h"
#include "core/loop.h"
#include "core/truth.h"

/* ---- the slow plug: requests held back in real time ---- */

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void slow_prepare(void *ctx, fd_set *r, fd_set *w, fd_set *e, int *max_fd, int64_t *timeout_ms)
{
	struct fl_faults *f = ctx;
	(void)r, (void)w, (void)e, (void)max_fd;
	int64_t now = mono_ms();
	for (int i = 0; i < f->n_slow; i++)
		if (f->slow[i].due_ms - now < *timeout_ms)
			*timeout_ms = f->slow[i].due_ms > now ? f->slow[i].due_ms - now : 0;
}

/* Answer the requests that are due, as their server would have at once. */
static void slow_dispatch(void *ctx, fd_set *r, fd_set *w, fd_set *e)
{
	struct fl_faults *f = ctx;
	(void)r, (void)w, (void)e;
	int64_t now = mono_ms();
	for (int i = 0; i < f->n_slow;) {
		struct fl_slow_req *q = &f->slow[i];
		if (q->due_ms > now) {
			i++;
			continue;
		}
		struct fl_http_req req = { .method = q->method, .path = q->path, .body = q->body,
					   .body_len = q->body_len, .conn = q->conn };
		struct fl_http_resp resp = { 0 };
		if (q->fn(q->fn_ctx, &req, &resp) < 0)
			fl_http_reply(&resp, 500, "{}");
		fl_httpd_resume(q->httpd, q->conn, &resp);
		free(q->method), free(q->path), free(q->body);
		*q = f->slow[--f->n_slow];
	}
}

static const struct fl_poller_ops slow_ops = { .prepare = slow_prepare, .dispatch = slow_dispatch };

/* Answer @req through @fn after @delay_ms of real time, from @httpd's connection. */
static int hold_back(struct fl_faults *f, struct fl_httpd *httpd, fl_http_handler fn, void *fn_ctx,
		     int delay_ms, const struct fl_http_req *req, struct fl_http_resp *resp)
{
	if (f->n_slow == FL_FAULT_MAX_SLOW || !httpd) {
		fl_http_reply(resp, 503, "Service Unavailable");
		return 0;
	}
	if (!f->slow_poller && fl_loop_add_poller(f->loop, &slow_ops, f) == 0)
		f->slow_poller = 1;
	struct fl_slow_req *q = &f->slow[f->n_slow++];
	*q = (struct fl_slow_req){ .conn = req->conn, .due_ms = mono_ms() + delay_ms,
				   .httpd = httpd, .fn = fn, .fn_ctx = fn_ctx,
				   .method = strdup(req->method), .path = strdup(req->path),
				   .body = strndup(req->body, req->body_len), .body_len = req->body_len };
	resp->suspend = 1;
	return 0;
}

int fl_faults_plug_handle(void *ctx, const struct fl_http_req *req, struct fl_http_resp *resp)
{
	struct fl_faults *f = ctx;
	if (f->plug_slow_ms)
		return hold_back(f, f->plug_httpd, f->plug_fn, f->plug_ctx, f->plug_slow_ms, req, resp);
	if (f->plug_fail) {
		fl_http_reply(resp, 503, "Service Unavailable");
		resp->content_type = "text/plain";
		return 0;
	}
	return f->plug_fn(f->plug_ctx, req, resp);
}

int fl_faults_ha_handle(void *ctx, const struct fl_http_req *req, struct fl_http_resp *resp)
{
	struct fl_faults *f = ctx;
	if (f->ha_refuse) {
		fl_http_reply(resp, 401, "{\"message\":\"401: Unauthorized\"}");
		return 0;
	}
	if (f->ha_slow_ms)
		return hold_back(f, f->ha_httpd, f->ha_fn, f->ha_ctx, f->ha_slow_ms, req, resp);
	return f->ha_fn(f->ha_ctx, req, resp);
}

/* ---- the SSH relay: bytes both ways, nothing else ---- */

static void close_pair(struct fl_faults *f, int i)
{
	fl_fd_unwatch(f->loop, f->pairs[i].a);
	fl_fd_unwatch(f->loop, f->pairs[i].b);
	close(f->pairs[i].a);
	close(f->pairs[i].b);
	f->pairs[i].a = f->pairs[i].b = -1;
}

static int write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

static void on_data(void *arg, int fd)
{
	struct fl_faults *f = arg;
	for (int i = 0; i < FL_FAULT_MAX_PAIRS; i++) {
		if (f->pairs[i].a != fd && f->pairs[i].b != fd)
			continue;
		int other = f->pairs[i].a == fd ? f->pairs[i].b : f->pairs[i].a;
		char buf[16384];
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0 || write_all(other, buf, (size_t)n) < 0)
			close_pair(f, i);
		return;
	}
}

static int connect_target(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

static void on_accept(void *arg, int lfd)
{
	struct fl_faults *f = arg;
	int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return;
	int slot = -1;
	for (int i = 0; i < FL_FAULT_MAX_PAIRS && slot < 0; i++)
		if (f->pairs[i].a < 0)
			slot = i;
	/* a dropped link, a full table or a router that is off: the connection dies */
	int t = f->ssh_drop || slot < 0 ? -1 : connect_target(f->target_port);
	if (t < 0) {
		close(c);
		return;
	}
	/* SSH is many small packets each way: Nagle would add a delayed-ACK stall to each */
	int one = 1;
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(t, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	f->pairs[slot].a = c;
	f->pairs[slot].b = t;
	fl_fd_watch(f->loop, c, on_data, f);
	fl_fd_watch(f->loop, t, on_data, f);
}

static int listen_on(struct fl_faults *f, int port)
{
	/* the harness's side: on the host even when reopened from inside the lab's namespace */
	int fd = fl_netns_host_socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(sa);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return -e;
	}
	f->listen_fd = fd;
	f->port = ntohs(sa.sin_port);
	return 0;
}

/* Open or close the port to match the router (called every loop round). */
static void relay_prepare(void *ctx, fd_set *r, fd_set *w, fd_set *e, int *max_fd, int64_t *timeout_ms)
{
	struct fl_faults *f = ctx;
	(void)w, (void)e, (void)timeout_ms;
	int want = !f->ssh_drop && (!f->target_up || f->target_up(f->target_ctx));
	if (want && f->listen_fd < 0)
		listen_on(f, f->port);
	if (!want && f->listen_fd >= 0) {
		close(f->listen_fd);
		f->listen_fd = -1;
	}
	if (f->listen_fd >= 0) {
		FD_SET(f->listen_fd, r);
		if (f->listen_fd > *max_fd)
			*max_fd = f->listen_fd;
	}
}

static void relay_dispatch(void *ctx, fd_set *r, fd_set *w, fd_set *e)
{
	struct fl_faults *f = ctx;
	(void)w, (void)e;
	if (f->listen_fd >= 0 && FD_ISSET(f->listen_fd, r))
		on_accept(f, f->listen_fd);
}

static const struct fl_poller_ops relay_ops = { .prepare = relay_prepare, .dispatch = relay_dispatch };

int fl_faults_ssh_relay_start(struct fl_faults *f, int target_port)
{
	for (int i = 0; i < FL_FAULT_MAX_PAIRS; i++)
		f->pairs[i].a = f->pairs[i].b = -1;
	f->target_port = target_port;
	int ret = listen_on(f, 0);
	return ret < 0 ? ret : fl_loop_add_poller(f->loop, &relay_ops, f);
}

void fl_faults_stop(struct fl_faults *f)
{
	for (int i = 0; i < f->n_slow; i++)
		free(f->slow[i].method), free(f->slow[i].path), free(f->slow[i].body);
	f->n_slow = 0;
	f->plug_slow_ms = 0;
	f->ha_slow_ms = 0;
	if (!f->port)
		return; /* never started */
	for (int i = 0; i < FL_FAULT_MAX_PAIRS; i++)
		if (f->pairs[i].a >= 0)
			close_pair(f, i);
	if (f->listen_fd >= 0)
		close(f->listen_fd);
	f->listen_fd = -1;
	f->target_up = NULL;
	f->ssh_drop = 1; /* the poller stays registered: keep the port closed */
}

/* ---- the control route ---- */

static int set_mode(struct fl_faults *f, const char *target, const char *mode, int delay_ms)
{
	int ok = strcmp(mode, "ok") == 0;
	if (strcmp(target, "plug") == 0 &&
	    (ok || !strcmp(mode, "fail") || !strcmp(mode, "stuck") || !strcmp(mode, "slow"))) {
		f->plug_fail = !strcmp(mode, "fail");
		f->plug_stuck = !strcmp(mode, "stuck");
		f->plug_slow_ms = !strcmp(mode, "slow") ? (delay_ms > 0 ? delay_ms : 10000) : 0;
	} else if (strcmp(target, "ssh") == 0 && (ok || !strcmp(mode, "drop"))) {
		f->ssh_drop = !ok;
		for (int i = 0; f->ssh_drop && i < FL_FAULT_MAX_PAIRS; i++)
			if (f->pairs[i].a >= 0)
				close_pair(f, i);
	} else if (strcmp(target, "ha") == 0 && (ok || !strcmp(mode, "refuse-token") || !strcmp(mode, "slow"))) {
		f->ha_refuse = !strcmp(mode, "refuse-token");
		/* beyond the harness's 10 s per HA request */
		f->ha_slow_ms = !strcmp(mode, "slow") ? (delay_ms > 0 ? delay_ms : 12000) : 0;
	} else {
		return -EINVAL;
	}
	fl_truth_log(f->truth, "lab.fault", "%s %s", target, mode);
	return 0;
}

int fl_faults_handle_control(struct fl_faults *f, const struct fl_http_req *req, struct fl_http_resp *resp)
{
	json_object *body = json_tokener_parse(req->body), *target, *mode, *delay;
	int delay_ms = body && json_object_object_get_ex(body, "delay_ms", &delay) ? json_object_get_int(delay) : 0;
	if (!body || !json_object_object_get_ex(body, "target", &target) ||
	    !json_object_object_get_ex(body, "mode", &mode) ||
	    set_mode(f, json_object_get_string(target), json_object_get_string(mode), delay_ms) < 0) {
		fl_http_reply(resp, 400, "{\"message\":\"expected {\\\"target\\\": \\\"plug\\\", \\\"mode\\\": "
				   "\\\"fail|stuck|slow|ok\\\"}, {\\\"target\\\": \\\"ssh\\\", \\\"mode\\\": \\\"drop|ok\\\"} "
				   "or {\\\"target\\\": \\\"ha\\\", \\\"mode\\\": \\\"refuse-token|slow|ok\\\"}\"}");
	} else {
		fl_http_reply(resp, 200, "{\"ok\":true}");
	}
	json_object_put(body);
	return 0;
}
