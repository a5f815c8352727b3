/* Minimal HTTP client (libcurl) for HA and lab plugs. */
#ifndef R4HIL_HTTP_H
#define R4HIL_HTTP_H

#include <stddef.h>

struct hil_http_resp {
	long status;	/* HTTP status code */
	char *body;	/* NUL-terminated (len excludes the NUL); never NULL after success */
	size_t len;
};

/**
 * hil_http_request() - perform one HTTP request.
 * @method: "GET", "POST", "PUT", "DELETE", ...
 * @url: http:// or https:// URL.
 * @bearer: token sent as "Authorization: Bearer <token>"; NULL: none.
 * @body: request body sent as application/json; NULL: none.
 * @timeout_ms: bound for the whole exchange (<= 0: 10000).
 * @resp: filled on success; release with hil_http_resp_free().
 * @err: if non-NULL, receives a malloc'd message on failure (caller frees).
 *       It names the method and URL (password= query values redacted) and
 *       curl's reason; the bearer token never appears in it.
 *
 * Return: 0 whenever an HTTP answer arrived, whatever its status;
 * -ECONNREFUSED, -ETIMEDOUT, -EHOSTUNREACH, -ECONNRESET, -EPROTO (not HTTP),
 * -EINVAL (bad URL or method), -ENOMEM, -EIO otherwise. @resp is zeroed on
 * failure.
 */
int hil_http_request(const char *method, const char *url, const char *bearer,
		     const char *body, int timeout_ms, struct hil_http_resp *resp,
		     char **err);

/**
 * hil_http_request_retry() - hil_http_request() retried for idempotent requests.
 * @attempts: total tries (< 1: 1).
 *
 * Retries, with a short growing pause, on transport failures and on HTTP 502,
 * 503 and 504; any other answer is returned at once. Only for requests that
 * are safe to repeat (GET, PUT, or a set-to-value RPC).
 *
 * Return: as hil_http_request() for the last try.
 */
int hil_http_request_retry(const char *method, const char *url, const char *bearer,
			   const char *body, int timeout_ms, int attempts,
			   struct hil_http_resp *resp, char **err);

/**
 * hil_http_get_retry() - hil_http_request_retry() for a GET without a body.
 */
int hil_http_get_retry(const char *url, const char *bearer, int timeout_ms,
		       int attempts, struct hil_http_resp *resp, char **err);

/**
 * hil_http_resp_free() - free the body of @resp and zero it. NULL-safe.
 */
void hil_http_resp_free(struct hil_http_resp *resp);

#endif
