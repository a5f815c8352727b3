#include "core/httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/loop.h"

#define MAX_BODY (1 << 20)

struct suspended {
	struct MHD_Connection *conn;
	struct request *rq;
};

struct fl_httpd {
	struct fl_loop *loop;
	struct MHD_Daemon *daemon;
	int inner_fd; /* fl_httpd_listen_here's listener, or -1 */
	struct suspended *suspended;
	size_t n_suspended;
	char *name;
	uint16_t port;
	fl_http_handler handler;
	void *ctx;
	int resumed; /* a suspended request got its answer since the last run */
};

/* Per-request state: the body as it arrives. */
struct request {
	char *body;
	size_t len;
	int too_big;
	int has_answer; /* set by fl_httpd_resume */
	struct fl_http_resp answer;
};

static void free_resp_strings(struct fl_http_resp *resp)
{
	free(resp->body);
	free(resp->location);
	resp->body = NULL;
	resp->location = NULL;
}

static enum MHD_Result queue(struct MHD_Connection *conn, struct fl_http_resp *resp)
{
	const char *body = resp->body ? resp->body : "";
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r) {
		free_resp_strings(resp);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type",
				resp->content_type ? resp->content_type : "application/json");
	if (resp->location)
		MHD_add_response_header(r, "Location", resp->location);
	enum MHD_Result ret = MHD_queue_response(conn, resp->status ? (unsigned)resp->status : 404, r);
	MHD_destroy_response(r);
	free_resp_strings(resp);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	struct fl_httpd *httpd = cls;
	struct request *rq = *req_cls;
	if (!rq) {
		rq = calloc(1, sizeof(*rq));
		if (!rq)
			return MHD_NO;
		*req_cls = rq;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (rq->len + *upload_data_size > MAX_BODY) {
			rq->too_big = 1;
		} else {
			char *b = realloc(rq->body, rq->len + *upload_data_size + 1);
			if (!b)
				return MHD_NO;
			memcpy(b + rq->len, upload_data, *upload_data_size);
			rq->body = b;
			rq->len += *upload_data_size;
			rq->body[rq->len] = '\0';
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	struct fl_http_resp resp = { 0 };
	if (rq->has_answer) {
		/* Called again after fl_httpd_resume: the answer is ready. */
		rq->has_answer = 0;
		resp = rq->answer;
		memset(&rq->answer, 0, sizeof(rq->answer));
		return queue(conn, &resp);
	}
	if (rq->too_big) {
		fl_http_reply(&resp, 413, "{\"message\":\"Request body too large.\"}");
		return queue(conn, &resp);
	}
	struct fl_http_req req = {
		.method = method,
		.path = url,
		.body = rq->body ? rq->body : "",
		.body_len = rq->len,
		.conn = conn,
	};
	if (httpd->handler(httpd->ctx, &req, &resp) < 0) {
		free_resp_strings(&resp);
		fl_http_reply(&resp, 500, "{\"message\":\"Internal error.\"}");
	}
	if (resp.suspend) {
		free_resp_strings(&resp);
		struct suspended *sp = realloc(httpd->suspended, (httpd->n_suspended + 1) * sizeof(*sp));
		if (!sp)
			return MHD_NO;
		httpd->suspended = sp;
		sp[httpd->n_suspended++] = (struct suspended){ .conn = conn, .rq = rq };
		MHD_suspend_connection(conn);
		return MHD_YES;
	}
	return queue(conn, &resp);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *req_cls;
	if (rq) {
		free_resp_strings(&rq->answer);
		free(rq->body);
		free(rq);
		*req_cls = NULL;
	}
}

static void prepare(void *ctx, fd_set *r, fd_set *w, fd_set *e, int *max_fd, int64_t *timeout_ms)
{
	struct fl_httpd *httpd = ctx;
	MHD_socket max = -1;
	MHD_get_fdset(httpd->daemon, r, w, e, &max);
	if (max > *max_fd)
		*max_fd = max;
	MHD_UNSIGNED_LONG_LONG to;
	if (MHD_get_timeout(httpd->daemon, &to) == MHD_YES && (int64_t)to < *timeout_ms)
		*timeout_ms = (int64_t)to;
	/* a resumed connection is only processed by the next MHD run: do it now */
	if (httpd->resumed)
		*timeout_ms = 0;
}

static void dispatch(void *ctx, fd_set *r, fd_set *w, fd_set *e)
{
	struct fl_httpd *httpd = ctx;
	httpd->resumed = 0;
	MHD_run_from_select(httpd->daemon, r, w, e);
}

static const struct fl_poller_ops poller_ops = {
	.prepare = prepare,
	.dispatch = dispatch,
};

struct fl_httpd *fl_httpd_start(struct fl_loop *loop, const char *name, uint16_t port,
				fl_http_handler handler, void *ctx)
{
	struct fl_httpd *httpd = calloc(1, sizeof(*httpd));
	if (!httpd)
		return NULL;
	httpd->loop = loop;
	httpd->inner_fd = -1;
	httpd->name = strdup(name);
	httpd->handler = handler;
	httpd->ctx = ctx;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	httpd->daemon = MHD_start_daemon(MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL,
					 on_request, httpd, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
					 MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
					 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120, MHD_OPTION_END);
	if (!httpd->daemon || !httpd->name)
		goto err_free;
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(httpd->daemon, MHD_DAEMON_INFO_BIND_PORT);
	httpd->port = info ? info->port : 0;
	if (fl_loop_add_poller(loop, &poller_ops, httpd) < 0)
		goto err_stop;
	return httpd;

err_stop:
	MHD_stop_daemon(httpd->daemon);
err_free:
	free(httpd->name);
	free(httpd);
	errno = EADDRINUSE;
	return NULL;
}

void fl_httpd_stop(struct fl_httpd *httpd)
{
	if (!httpd)
		return;
	/* MHD refuses to stop with suspended connections: answer them first. */
	while (httpd->n_suspended > 0) {
		struct fl_http_resp resp = { 0 };
		fl_http_reply(&resp, 503, "{\"message\":\"Shutting down.\"}");
		fl_httpd_resume(httpd, httpd->suspended[0].conn, &resp);
	}
	if (httpd->inner_fd >= 0) {
		fl_fd_unwatch(httpd->loop, httpd->inner_fd);
		close(httpd->inner_fd);
	}
	MHD_stop_daemon(httpd->daemon);
	free(httpd->suspended);
	free(httpd->name);
	free(httpd);
}

/* The daemon listens on the host only: connections from inside are handed to it. */
static void inner_accept(void *arg, int fd)
{
	struct fl_httpd *httpd = arg;
	for (;;) {
		struct sockaddr_storage addr;
		socklen_t len = sizeof(addr);
		int c = accept4(fd, (struct sockaddr *)&addr, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0)
			return;
		MHD_add_connection(httpd->daemon, c, (struct sockaddr *)&addr, len); /* closes c on failure */
	}
}

int fl_httpd_listen_here(struct fl_httpd *httpd)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(httpd->port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int one = 1, ret = 0;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0)
		ret = -errno;
	if (!ret)
		ret = fl_fd_watch(httpd->loop, fd, inner_accept, httpd);
	if (ret < 0) {
		if (fd >= 0)
			close(fd);
		return ret;
	}
	httpd->inner_fd = fd;
	return 0;
}

uint16_t fl_httpd_port(const struct fl_httpd *httpd)
{
	return httpd->port;
}

const char *fl_http_query(const struct fl_http_req *req, const char *key)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *fl_http_header(const struct fl_http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

int fl_http_bearer_ok(const struct fl_http_req *req, const char *token)
{
	const char *auth = fl_http_header(req, "Authorization");
	if (!auth || strncmp(auth, "Bearer ", 7) != 0)
		return 0;
	const char *given = auth + 7;
	size_t a = strlen(given), b = strlen(token);
	unsigned char diff = (unsigned char)(a != b);
	for (size_t i = 0; i < a && i < b; i++)
		diff |= (unsigned char)(given[i] ^ token[i]);
	return diff == 0;
}

void fl_http_reply(struct fl_http_resp *resp, int status, const char *body)
{
	resp->status = status;
	free(resp->body);
	resp->body = strdup(body ? body : "");
}

void fl_http_replyf(struct fl_http_resp *resp, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(resp->body);
	resp->body = NULL;
	if (vasprintf(&resp->body, fmt, ap) < 0)
		resp->body = NULL;
	va_end(ap);
	resp->status = status;
}

void fl_httpd_resume(struct fl_httpd *httpd, struct MHD_Connection *conn, struct fl_http_resp *resp)
{
	for (size_t i = 0; i < httpd->n_suspended; i++) {
		if (httpd->suspended[i].conn != conn)
			continue;
		struct request *rq = httpd->suspended[i].rq;
		httpd->suspended[i] = httpd->suspended[--httpd->n_suspended];
		rq->answer = *resp;
		rq->has_answer = 1;
		MHD_resume_connection(conn);
		httpd->resumed = 1;
		return;
	}
	free_resp_strings(resp);
}
