#include "target/plug-internal.h"
#include "r4hil/http.h"
#include "transport/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

static const struct hil_plug_ops *const drivers[] = {
	&hil_plug_shelly_gen2_ops,
	&hil_plug_shelly_gen1_ops,
	&hil_plug_tasmota_ops,
	&hil_plug_hue_ops,
};

static char *dup_opt(const char *s, int *fail)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*fail = 1;
	return d;
}

struct hil_plug *hil_plug_new(const char *type, const char *base_url, const char *id,
			      const char *user, const char *secret, char **err)
{
	const struct hil_plug_ops *ops = NULL;
	struct hil_plug *p;
	int fail = 0;
	size_t len;

	for (size_t i = 0; type && i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (!strcmp(type, drivers[i]->type))
			ops = drivers[i];
	if (!ops || !base_url || strncmp(base_url, "http", 4) ||
	    (ops == &hil_plug_hue_ops && !secret)) {
		hil_transport_seterr(err, "failed to create plug: '%s' at '%s': %s",
				     type ? type : "(null)", base_url ? base_url : "(null)",
				     !ops ? "unknown plug type" :
				     !secret && ops == &hil_plug_hue_ops ? "hue needs its API username" :
				     "base URL must be http(s)://");
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		goto oom;
	p->ops = ops;
	p->base = dup_opt(base_url, &fail);
	if (!id)
		id = !strncmp(type, "shelly", 6) ? "0" : "1";
	p->id = dup_opt(id, &fail);
	p->user = dup_opt(user, &fail);
	p->secret = dup_opt(secret, &fail);
	if (fail)
		goto oom;
	p->basic_auth = ops == &hil_plug_shelly_gen1_ops && user;
	len = strlen(p->base);
	while (len && p->base[len - 1] == '/')
		p->base[--len] = '\0';
	return p;
oom:
	hil_plug_free(p);
	hil_transport_seterr(err, "failed to create plug: %s: out of memory", type);
	errno = ENOMEM;
	return NULL;
}

void hil_plug_free(struct hil_plug *p)
{
	if (!p)
		return;
	if (p->secret)
		explicit_bzero(p->secret, strlen(p->secret));
	free(p->secret);
	free(p->user);
	free(p->id);
	free(p->base);
	free(p);
}

const char *hil_plug_type(const struct hil_plug *p)
{
	return p->ops->type;
}

int hil_plug_get(struct hil_plug *p, int *on, char **err)
{
	return p->ops->get(p, on, err);
}

int hil_plug_set(struct hil_plug *p, int on, char **err)
{
	int now = -1, ret;

	ret = p->ops->set(p, !!on, err);
	if (ret)
		return ret;
	/* A relay may refuse (overpower, locked): believe only what it reports. */
	ret = p->ops->get(p, &now, err);
	if (ret)
		return ret;
	if (now != !!on) {
		hil_transport_seterr(err, "failed to switch plug: %s %s id %s: reads back %s after set %s",
				     p->ops->type, p->base, p->id, now ? "on" : "off", on ? "on" : "off");
		return -EIO;
	}
	return 0;
}

char *hil_plug_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = malloc(strlen(s) * 3 + 1), *o = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		unsigned char c = *s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			*o++ = c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

/* Replace every occurrence of @secret in *err by "***". */
static void scrub(char **err, const char *secret)
{
	char *s, *hit;

	if (!err || !*err || !secret || strlen(secret) < 2)
		return;
	s = *err;
	while ((hit = strstr(s, secret))) {
		size_t n = strlen(secret), keep = n < 3 ? n : 3;

		memset(hit, '*', keep);
		memmove(hit + keep, hit + n, strlen(hit + n) + 1);
		s = hit + keep;
	}
}

static char *make_url(struct hil_plug *p, const char *path)
{
	char *url = NULL, *u = NULL, *pw = NULL;
	const char *rest = strstr(p->base, "://");

	if (p->basic_auth && rest) {
		u = hil_plug_escape(p->user);
		pw = hil_plug_escape(p->secret ? p->secret : "");
		if (u && pw && asprintf(&url, "%.*s%s:%s@%s%s", (int)(rest + 3 - p->base), p->base,
					u, pw, rest + 3, path) < 0)
			url = NULL;
		if (pw)
			explicit_bzero(pw, strlen(pw));
		free(u);
		free(pw);
		return url;
	}
	if (asprintf(&url, "%s%s", p->base, path) < 0)
		return NULL;
	return url;
}

int hil_plug_call(struct hil_plug *p, const char *method, const char *path,
		  const char *body, int any_status, const char *what,
		  struct json_object **out, char **err)
{
	struct hil_http_resp resp;
	char *url = make_url(p, path), *e = NULL;
	int ret;

	*out = NULL;
	if (!url) {
		hil_transport_seterr(err, "failed to %s: %s: out of memory", what, p->base);
		return -ENOMEM;
	}
	ret = hil_http_request_retry(method, url, NULL, body, PLUG_TIMEOUT_MS, PLUG_ATTEMPTS,
				     &resp, &e);
	explicit_bzero(url, strlen(url));
	free(url);
	if (ret) {
		hil_transport_seterr(err, "failed to %s: %s plug: %s", what, p->ops->type, e ? e : "");
		free(e);
		goto out;
	}
	if (resp.status == 401 || resp.status == 403) {
		hil_transport_seterr(err, "failed to %s: %s plug %s: HTTP %ld: credentials rejected",
				     what, p->ops->type, p->base, resp.status);
		ret = -EACCES;
	} else if (!any_status && (resp.status < 200 || resp.status >= 300)) {
		hil_transport_seterr(err, "failed to %s: %s plug %s: HTTP %ld: %.200s",
				     what, p->ops->type, p->base, resp.status, resp.body);
		ret = resp.status == 404 ? -ENOENT : -EPROTO;
	} else if (!(*out = json_tokener_parse(resp.body))) {
		hil_transport_seterr(err, "failed to %s: %s plug %s: HTTP %ld, not JSON: %.200s",
				     what, p->ops->type, p->base, resp.status, resp.body);
		ret = -EPROTO;
	}
	hil_http_resp_free(&resp);
out:
	scrub(err, p->secret);
	return ret;
}
