#include "httpfixture.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

struct upload {
	char *data;
	size_t len;
};

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *value)
{
	char *line = cls;
	size_t n = strlen(line);

	snprintf(line + n, 4096 - n, "%c%s%s%s", strchr(line, '?') ? '&' : '?', key,
		 value ? "=" : "", value ? value : "");
	return MHD_YES;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
			       const char *method, const char *version,
			       const char *upload_data, size_t *upload_data_size,
			       void **con_cls)
{
	struct hil_httpfix *f = cls;
	struct upload *up = *con_cls;
	struct hil_httpfix_req req;
	struct MHD_Response *resp;
	char *body = NULL;
	enum MHD_Result r;
	int status;

	if (!up) {
		up = calloc(1, sizeof(*up));
		*con_cls = up;
		return up ? MHD_YES : MHD_NO;
	}
	if (*upload_data_size) {
		char *d = realloc(up->data, up->len + *upload_data_size + 1);

		if (!d)
			return MHD_NO;
		memcpy(d + up->len, upload_data, *upload_data_size);
		up->data = d;
		up->len += *upload_data_size;
		up->data[up->len] = '\0';
		*upload_data_size = 0;
		return MHD_YES;
	}
	req.method = method;
	req.path = url;
	req.auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	req.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
	req.body = up->data ? up->data : "";
	req.conn = conn;

	pthread_mutex_lock(&f->lock);
	snprintf(f->last, sizeof(f->last), "%s %s", method, url);
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_arg, f->last);
	snprintf(f->last_auth, sizeof(f->last_auth), "%s", req.auth ? req.auth : "");
	snprintf(f->last_ctype, sizeof(f->last_ctype), "%s",
		 req.content_type ? req.content_type : "");
	snprintf(f->last_body, sizeof(f->last_body), "%s", req.body);
	f->nreq++;
	pthread_mutex_unlock(&f->lock);

	status = f->fn(f->arg, &req, &body);
	resp = MHD_create_response_from_buffer(body ? strlen(body) : 0, body ? body : "",
					       MHD_RESPMEM_MUST_COPY);
	free(body);
	MHD_add_response_header(resp, "Content-Type", "application/json");
	r = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return r;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct upload *up = *con_cls;

	if (up) {
		free(up->data);
		free(up);
		*con_cls = NULL;
	}
}

void hil_httpfix_start(struct hil_httpfix *f, hil_httpfix_fn fn, void *arg)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = 0,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	const union MHD_DaemonInfo *info;

	memset(f, 0, sizeof(*f));
	f->fn = fn;
	f->arg = arg;
	pthread_mutex_init(&f->lock, NULL);
	f->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0,
				NULL, NULL, handler, f,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
				MHD_OPTION_END);
	ck_assert_ptr_nonnull(f->d);
	info = MHD_get_daemon_info(f->d, MHD_DAEMON_INFO_BIND_PORT);
	ck_assert_ptr_nonnull(info);
	f->port = info->port;
	ck_assert_int_gt(f->port, 0);
	snprintf(f->base, sizeof(f->base), "http://127.0.0.1:%d", f->port);
}

void hil_httpfix_stop(struct hil_httpfix *f)
{
	if (f->d)
		MHD_stop_daemon(f->d);
	f->d = NULL;
	pthread_mutex_destroy(&f->lock);
}

const char *hil_httpfix_arg(const struct hil_httpfix_req *req, const char *key)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

char *hil_httpfix_last(struct hil_httpfix *f, const char *which)
{
	const char *src = !strcmp(which, "auth") ? f->last_auth :
			  !strcmp(which, "ctype") ? f->last_ctype :
			  !strcmp(which, "body") ? f->last_body : f->last;
	char *s;

	pthread_mutex_lock(&f->lock);
	s = strdup(src);
	pthread_mutex_unlock(&f->lock);
	return s;
}

int hil_httpfix_count(struct hil_httpfix *f)
{
	int n;

	pthread_mutex_lock(&f->lock);
	n = f->nreq;
	pthread_mutex_unlock(&f->lock);
	return n;
}

int hil_httpfix_silent(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(0, bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	ck_assert_int_eq(0, listen(fd, 16));
	ck_assert_int_eq(0, getsockname(fd, (struct sockaddr *)&sa, &len));
	*port = ntohs(sa.sin_port);
	return fd;
}
