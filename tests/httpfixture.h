/* Small libmicrohttpd servers on 127.0.0.1 for HTTP client tests. */
#ifndef R4HIL_HTTPFIXTURE_H
#define R4HIL_HTTPFIXTURE_H

#include <pthread.h>
#include <stddef.h>

struct MHD_Connection;
struct MHD_Daemon;

struct hil_httpfix_req {
	const char *method;
	const char *path;	/* without the query string */
	const char *auth;	/* Authorization header or NULL */
	const char *content_type;
	const char *body;	/* "" when none */
	struct MHD_Connection *conn;
};

/* Answer @req: return the status and set *body to a malloc'd reply (or NULL). */
typedef int (*hil_httpfix_fn)(void *arg, const struct hil_httpfix_req *req, char **body);

struct hil_httpfix {
	struct MHD_Daemon *d;
	int port;
	char base[64];		/* "http://127.0.0.1:<port>" */
	hil_httpfix_fn fn;
	void *arg;
	pthread_mutex_t lock;
	int nreq;		/* requests answered so far */
	char last[4096];	/* "METHOD /path?query" of the last request */
	char last_auth[512];
	char last_ctype[128];
	char last_body[4096];
};

/* Start a server calling @fn per request; aborts the test on failure. */
void hil_httpfix_start(struct hil_httpfix *f, hil_httpfix_fn fn, void *arg);
void hil_httpfix_stop(struct hil_httpfix *f);

/* A query argument of the request, or NULL. */
const char *hil_httpfix_arg(const struct hil_httpfix_req *req, const char *key);

/* Copy of the last request's field under the lock (caller frees). */
char *hil_httpfix_last(struct hil_httpfix *f, const char *which /* "line","auth","ctype","body" */);
int hil_httpfix_count(struct hil_httpfix *f);

/* A socket that accepts TCP connections (backlog) but never answers. Returns
 * the fd; the port goes to *port. */
int hil_httpfix_silent(int *port);

#endif
