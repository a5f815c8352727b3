/*
 * A small HTTP server for the fake lab on top of libmicrohttpd, bound to 127.0.0.1,
 * driven by the fake lab's loop (external select, no threads): every handler runs
 * in the loop's thread, so handlers may touch the world without locks.
 */
#ifndef FL_HTTPD_H
#define FL_HTTPD_H

#include <stddef.h>
#include <stdint.h>

struct fl_loop;
struct fl_httpd;
struct MHD_Connection;

struct fl_http_req {
	const char *method;  /* "GET", "POST", "PUT", ... */
	const char *path;    /* URL path without the query string, not decoded further */
	const char *body;    /* NUL-terminated request body ("" if none) */
	size_t body_len;
	struct MHD_Connection *conn;
};

struct fl_http_resp {
	int status;               /* HTTP status; 0 means 404 */
	char *body;               /* malloc'd; freed by the server */
	const char *content_type; /* NULL: "application/json" */
	char *location;           /* malloc'd Location header value, optional */
	int suspend;              /* set by the handler to answer later with fl_httpd_resume */
};

/* Fill @resp and return 0. The server turns a negative return into a 500. */
typedef int (*fl_http_handler)(void *ctx, const struct fl_http_req *req, struct fl_http_resp *resp);

/*
 * Listen on 127.0.0.1:@port (0: a free port) and serve through @loop. @name
 * appears in error messages. NULL with errno set on failure.
 */
struct fl_httpd *fl_httpd_start(struct fl_loop *loop, const char *name, uint16_t port,
				fl_http_handler handler, void *ctx);
void fl_httpd_stop(struct fl_httpd *httpd); /* NULL-safe */

/*
 * Also accept on 127.0.0.1 at the same port in the network namespace the process
 * is in now: the fake lab calls it once inside the lab's namespace
 * (sandbox/netns.h), so that the router reaches the server at the address the
 * harness uses. Same handler, same suspended requests. 0 or -errno.
 */
int fl_httpd_listen_here(struct fl_httpd *httpd);
uint16_t fl_httpd_port(const struct fl_httpd *httpd);

/* Query argument @key (decoded), header @name; NULL if absent. */
const char *fl_http_query(const struct fl_http_req *req, const char *key);
const char *fl_http_header(const struct fl_http_req *req, const char *name);

/*
 * True if the request carries "Authorization: Bearer <token>" with exactly @token.
 * Compares in constant time.
 */
int fl_http_bearer_ok(const struct fl_http_req *req, const char *token);

/* Helpers to fill a response: a copy of @body, or a printf-formatted body. */
void fl_http_reply(struct fl_http_resp *resp, int status, const char *body);
void fl_http_replyf(struct fl_http_resp *resp, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Answer a request whose handler set resp->suspend: @conn is req->conn. Takes
 * ownership of @resp's strings.
 */
void fl_httpd_resume(struct fl_httpd *httpd, struct MHD_Connection *conn, struct fl_http_resp *resp);

#endif
