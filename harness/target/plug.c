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
	&hil_plug_ha_switch_ops,
	&hil_plug_pdudaemon_ops,
	&hil_plug_command_ops,
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

static char **dup_argv(const char *const *argv, int *fail)
{
	size_t n = 0;
	char **out;

	while (argv && argv[n])
		n++;
	if (!argv)
		return NULL;
	out = calloc(n + 1, sizeof(char *));
	if (!out) {
		*fail = 1;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = dup_opt(argv[i], fail);
	return out;
}

/* What @cfg lacks for its driver, or NULL if it is complete. */
static const char *missing(const struct hil_plug_ops *ops, const struct hil_plug_config *cfg)
{
	if (!ops)
		return "unknown plug type";
	if (ops == &hil_plug_command_ops)
		return cfg->argv && cfg->argv[0] ? NULL : "command needs a program to run";
	if (!cfg->url || strncmp(cfg->url, "http", 4))
		return "base URL must be http(s)://";
	if (ops == &hil_plug_hue_ops && !cfg->secret)
		return "hue needs its API username";
	if (ops == &hil_plug_ha_switch_ops && (!cfg->secret || !cfg->id))
		return "ha-switch needs HA's token and the switch entity";
	if (ops == &hil_plug_pdudaemon_ops && (!cfg->pdu || !cfg->id))
		return "pdudaemon needs the PDU hostname and port";
	return NULL;
}

struct hil_plug *hil_plug_open(const struct hil_plug_config *cfg, char **err)
{
	const struct hil_plug_ops *ops = NULL;
	const char *id = cfg->id, *why;
	struct hil_plug *p;
	int fail = 0;
	size_t len;

	for (size_t i = 0; cfg->type && i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (!strcmp(cfg->type, drivers[i]->type))
			ops = drivers[i];
	why = missing(ops, cfg);
	if (why) {
		hil_transport_seterr(err, "failed to create plug: '%s' at '%s': %s",
				     cfg->type ? cfg->type : "(null)", cfg->url ? cfg->url : "(null)", why);
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		goto oom;
	p->ops = ops;
	p->base = dup_opt(cfg->url ? cfg->url : "", &fail);
	if (!id)
		id = !strncmp(cfg->type, "shelly", 6) ? "0" : "1";
	p->id = dup_opt(id, &fail);
	p->user = dup_opt(cfg->user, &fail);
	p->secret = dup_opt(cfg->secret, &fail);
	p->pdu = dup_opt(cfg->pdu, &fail);
	p->argv = dup_argv(cfg->argv, &fail);
	if (fail)
		goto oom;
	p->basic_auth = ops == &hil_plug_shelly_gen1_ops && cfg->user;
	len = strlen(p->base);
	while (len && p->base[len - 1] == '/')
		p->base[--len] = '\0';
	return p;
oom:
	hil_plug_free(p);
	hil_transport_seterr(err, "failed to create plug: %s: out of memory", cfg->type);
	errno = ENOMEM;
	return NULL;
}

struct hil_plug *hil_plug_new(const char *type, const char *base_url, const char *id,
			      const char *user, const char *secret, char **err)
{
	const struct hil_plug_config cfg = {
		.type = type, .url = base_url, .id = id, .user = user, .secret = secret,
	};
	/* The drivers that need more than this are created with hil_plug_open(). */
	if (type && (!strcmp(type, "pdudaemon") || !strcmp(type, "command"))) {
		hil_transport_seterr(err, "failed to create plug: '%s': use hil_plug_open()", type);
		errno = EINVAL;
		return NULL;
	}
	return hil_plug_open(&cfg, err);
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
	free(p->pdu);
	for (char **a = p->argv; a && *a; a++)
		free(*a);
	free(p->argv);
	free(p->last_failure);
	free(p);
}

const char *hil_plug_type(const struct hil_plug *p)
{
	return p->ops->type;
}

int hil_plug_can_read(const struct hil_plug *p)
{
	return p->ops->get != NULL;
}

int hil_plug_broken(const struct hil_plug *p)
{
	return p->unanswered >= HIL_PLUG_BROKEN_AFTER;
}

int hil_plug_get(struct hil_plug *p, int *on, char **err)
{
	/* labgrid's broken latch: a plug that keeps timing out is not asked again */
	if (hil_plug_broken(p)) {
		hil_transport_seterr(err, "plug broken: %s plug %s gave no answer to %d requests in a row (last: %s)",
				     p->ops->type, p->base, p->unanswered, p->last_failure ? p->last_failure : "?");
		return -EIO;
	}
	if (!p->ops->get) {
		hil_transport_seterr(err, "failed to read plug: %s cannot report its state", p->ops->type);
		return -EOPNOTSUPP;
	}
	return p->ops->get(p, on, err);
}

int hil_plug_set(struct hil_plug *p, int on, char **err)
{
	int now = -1, ret;

	ret = p->ops->set(p, !!on, err);
	if (ret || !p->ops->get)
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
		p->unanswered++;
		free(p->last_failure);
		p->last_failure = e;
		scrub(&p->last_failure, p->secret);
		goto out;
	}
	p->unanswered = 0; /* any HTTP answer: the plug is there */
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

char *hil_plug_describe(const struct hil_plug *p, int on)
{
	const char *t = p->ops->type, *v = on ? "on" : "off";
	char *out = NULL;
	int n;

	if (!strcmp(t, "shelly-gen2"))
		n = asprintf(&out, "GET %s/rpc/Switch.Set?id=%s&on=%s, GET %s/rpc/Switch.GetStatus?id=%s",
			     p->base, p->id, on ? "true" : "false", p->base, p->id);
	else if (!strcmp(t, "shelly-gen1"))
		n = asprintf(&out, "GET %s/relay/%s?turn=%s, GET %s/relay/%s", p->base, p->id, v, p->base, p->id);
	else if (!strcmp(t, "tasmota"))
		n = asprintf(&out, "GET %s/cm?cmnd=Power%s%%20%s, GET %s/cm?cmnd=Power%s", p->base, p->id,
			     on ? "On" : "Off", p->base, p->id);
	else if (!strcmp(t, "hue"))
		n = asprintf(&out, "PUT %s/api/<username>/lights/%s/state {\"on\":%s}, GET %s/api/<username>/lights/%s",
			     p->base, p->id, on ? "true" : "false", p->base, p->id);
	else if (!strcmp(t, "ha-switch"))
		n = asprintf(&out, "POST %s/api/services/switch/turn_%s {\"entity_id\":\"%s\"}, GET %s/api/states/%s",
			     p->base, v, p->id, p->base, p->id);
	else if (!strcmp(t, "pdudaemon"))
		n = asprintf(&out, "GET %s/power/control/%s?hostname=%s&port=%s", p->base, v, p->pdu, p->id);
	else
		n = asprintf(&out, "exec %s ... %s, exec %s ... status", p->argv[0], v, p->argv[0]);
	return n < 0 ? NULL : out;
}
