#include "r4hil/http.h"
#include "transport/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

struct body {
	char *data;
	size_t len;
	size_t cap;
	int oom;
};

static size_t on_data(char *p, size_t size, size_t nmemb, void *arg)
{
	struct body *b = arg;
	size_t n = size * nmemb;

	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *d;

		while (cap < b->len + n + 1)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d) {
			b->oom = 1;
			return 0;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

/* The URL as it may be shown: userinfo and password= values are secrets. */
static char *display_url(const char *url)
{
	char *u = strdup(url), *p, *host;
	size_t auth_len;

	if (!u)
		return NULL;
	host = strstr(u, "://");
	if (host) {
		host += 3;
		auth_len = strcspn(host, "/?#");
		for (p = host + auth_len; p > host; p--)
			if (p[-1] == '@') {
				memmove(host, p, strlen(p) + 1);
				break;
			}
	}
	for (p = strstr(u, "password="); p; p = strstr(p, "password=")) {
		char *v = p + strlen("password="), *end = v + strcspn(v, "&#");

		if (end - v >= 3) {
			memset(v, '*', 3);
			memmove(v + 3, end, strlen(end) + 1);
		} else {
			memset(v, '*', end - v);
		}
		p = v;
	}
	return u;
}

static int curl_errno(CURLcode rc, long os_errno)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		return os_errno ? -os_errno : -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return -EHOSTUNREACH;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_BAD_FUNCTION_ARGUMENT:
		return -EINVAL;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
		return -ECONNRESET;
	case CURLE_GOT_NOTHING:
	case CURLE_WEIRD_SERVER_REPLY:
		return -EPROTO;
	default:
		return -EIO;
	}
}

static void set_err(char **err, const char *method, const char *url, const char *reason)
{
	char *shown = display_url(url);

	hil_transport_seterr(err, "failed to %s: %s: %s", method, shown ? shown : "(url)", reason);
	free(shown);
}

int hil_http_request(const char *method, const char *url, const char *bearer,
		     const char *body, int timeout_ms, struct hil_http_resp *resp,
		     char **err)
{
	char errbuf[CURL_ERROR_SIZE] = "", *auth = NULL;
	struct curl_slist *hdrs = NULL, *h;
	struct body b = { 0 };
	long os_errno = 0;
	CURLcode rc;
	CURL *c;
	int ret = 0;

	memset(resp, 0, sizeof(*resp));
	if (timeout_ms <= 0)
		timeout_ms = 10000;
	c = curl_easy_init();
	if (!c) {
		set_err(err, method, url, "cannot create curl handle");
		return -ENOMEM;
	}
	h = curl_slist_append(hdrs, "Accept: application/json");
	if (h)
		hdrs = h;
	if (body && (h = curl_slist_append(hdrs, "Content-Type: application/json")))
		hdrs = h;
	if (bearer) {
		if (asprintf(&auth, "Authorization: Bearer %s", bearer) < 0 ||
		    !(h = curl_slist_append(hdrs, auth))) {
			ret = -ENOMEM;
			set_err(err, method, url, "out of memory");
			goto out;
		}
		hdrs = h;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (!strcmp(method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	} else if (strcmp(method, "GET") && strcmp(method, "HEAD") && strcmp(method, "DELETE")) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
	/* No SIGALRM games in a threaded harness. */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);

	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		if (b.oom)
			rc = CURLE_OUT_OF_MEMORY;
		curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
		ret = curl_errno(rc, os_errno);
		set_err(err, method, url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	if (!b.data && on_data("", 1, 0, &b) != 0) {
		ret = -ENOMEM;
		set_err(err, method, url, "out of memory");
		goto out;
	}
	resp->body = b.data;
	resp->len = b.len;
	b.data = NULL;
out:
	if (ret)
		memset(resp, 0, sizeof(*resp));
	free(b.data);
	if (auth) {
		/* Don't leave the token lying around in freed heap memory. */
		explicit_bzero(auth, strlen(auth));
		free(auth);
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return ret;
}

static int retryable(int ret, long status)
{
	if (ret == -EINVAL || ret == -ENOMEM)
		return 0;
	return ret < 0 || status == 502 || status == 503 || status == 504;
}

int hil_http_request_retry(const char *method, const char *url, const char *bearer,
			   const char *body, int timeout_ms, int attempts,
			   struct hil_http_resp *resp, char **err)
{
	int ret = 0;

	if (attempts < 1)
		attempts = 1;
	for (int i = 0; i < attempts; i++) {
		char *e = NULL;

		if (i) {
			long ms = 100L * i > 1000 ? 1000 : 100L * i;
			struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

			nanosleep(&ts, NULL);
			hil_http_resp_free(resp);
		}
		ret = hil_http_request(method, url, bearer, body, timeout_ms, resp, &e);
		if (!retryable(ret, resp->status) || i == attempts - 1) {
			if (ret && err)
				*err = e;
			else
				free(e);
			return ret;
		}
		free(e);
	}
	return ret;
}

int hil_http_get_retry(const char *url, const char *bearer, int timeout_ms,
		       int attempts, struct hil_http_resp *resp, char **err)
{
	return hil_http_request_retry("GET", url, bearer, NULL, timeout_ms, attempts, resp, err);
}

void hil_http_resp_free(struct hil_http_resp *resp)
{
	if (!resp)
		return;
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}
