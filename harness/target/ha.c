#include "r4hil/ha.h"
#include "r4hil/http.h"
#include "r4hil/isotime.h"
#include "transport/internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#define HA_TIMEOUT_MS 10000
#define HA_GET_ATTEMPTS 3

struct hil_ha {
	char *base;
	char *token;
	int unanswered;     /* calls in a row that got no HTTP answer at all */
	char *last_failure; /* the last one's message, for the broken latch */
};

struct hil_ha *hil_ha_new(const char *base_url, const char *token)
{
	struct hil_ha *ha;
	size_t len;

	if (!base_url || !token || strncmp(base_url, "http", 4)) {
		errno = EINVAL;
		return NULL;
	}
	ha = calloc(1, sizeof(*ha));
	if (!ha)
		return NULL;
	ha->base = strdup(base_url);
	ha->token = strdup(token);
	if (!ha->base || !ha->token) {
		hil_ha_free(ha);
		errno = ENOMEM;
		return NULL;
	}
	len = strlen(ha->base);
	while (len && ha->base[len - 1] == '/')
		ha->base[--len] = '\0';
	return ha;
}

void hil_ha_free(struct hil_ha *ha)
{
	if (!ha)
		return;
	if (ha->token)
		explicit_bzero(ha->token, strlen(ha->token));
	free(ha->token);
	free(ha->base);
	free(ha->last_failure);
	free(ha);
}

/* Entity ids, domains and services go into URL paths: allow HA's charset only. */
static int valid_id(const char *s, int need_dot)
{
	int dots = 0;

	if (!s || !*s)
		return 0;
	for (; *s; s++) {
		if (*s == '.')
			dots++;
		else if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return 0;
	}
	return need_dot ? dots == 1 : dots == 0;
}

/* HA's {"message": ...} if the body has one, else the start of the body. */
static char *reply_message(const struct hil_http_resp *resp)
{
	struct json_object *j = json_tokener_parse(resp->body), *m;
	char *s = NULL;

	if (j && json_object_object_get_ex(j, "message", &m) &&
	    json_object_is_type(m, json_type_string))
		s = strdup(json_object_get_string(m));
	json_object_put(j);
	if (!s && asprintf(&s, "%.200s", resp->len ? resp->body : "(empty body)") < 0)
		s = NULL;
	return s;
}

/* One API call; 0 only for 2xx, with the answer left in @resp. */
int hil_ha_broken(const struct hil_ha *ha)
{
	return ha->unanswered >= HIL_HA_BROKEN_AFTER;
}

static int call(struct hil_ha *ha, const char *method, const char *path, const char *body,
		const char *action, const char *object, struct hil_http_resp *resp,
		char **err)
{
	char *url, *e = NULL, *msg;
	int ret;

	/* labgrid's broken latch: an HA that keeps timing out is not asked again */
	if (hil_ha_broken(ha)) {
		hil_transport_seterr(err, "HA broken: %s gave no answer to %d requests in a row (last: %s)",
				     ha->base, ha->unanswered, ha->last_failure ? ha->last_failure : "?");
		return -EIO;
	}
	if (asprintf(&url, "%s%s", ha->base, path) < 0) {
		hil_transport_seterr(err, "failed to %s: %s: out of memory", action, object);
		return -ENOMEM;
	}
	if (!strcmp(method, "GET"))
		ret = hil_http_get_retry(url, ha->token, HA_TIMEOUT_MS, HA_GET_ATTEMPTS, resp, &e);
	else
		ret = hil_http_request(method, url, ha->token, body, HA_TIMEOUT_MS, resp, &e);
	free(url);
	if (ret) {
		hil_transport_seterr(err, "failed to %s: %s: %s", action, object, e ? e : "");
		ha->unanswered++;
		free(ha->last_failure);
		ha->last_failure = e;
		return ret;
	}
	ha->unanswered = 0; /* any HTTP answer, even 401: HA is there */
	if (resp->status >= 200 && resp->status < 300)
		return 0;
	msg = reply_message(resp);
	hil_transport_seterr(err, "failed to %s: %s: HTTP %ld: %s", action, object,
			     resp->status, msg ? msg : "");
	free(msg);
	ret = resp->status == 401 ? -EACCES : resp->status == 404 ? -ENOENT : -EPROTO;
	hil_http_resp_free(resp);
	return ret;
}

int hil_ha_get_state(struct hil_ha *ha, const char *entity, char **state, char **err)
{
	struct hil_http_resp resp;
	struct json_object *j, *st;
	char *path;
	int ret;

	*state = NULL;
	if (!valid_id(entity, 1)) {
		hil_transport_seterr(err, "failed to get state: '%s': not an entity id",
				     entity ? entity : "(null)");
		return -EINVAL;
	}
	if (asprintf(&path, "/api/states/%s", entity) < 0)
		return -ENOMEM;
	ret = call(ha, "GET", path, NULL, "get state", entity, &resp, err);
	free(path);
	if (ret)
		return ret;
	j = json_tokener_parse(resp.body);
	if (j && json_object_object_get_ex(j, "state", &st) &&
	    json_object_is_type(st, json_type_string)) {
		*state = strdup(json_object_get_string(st));
		ret = *state ? 0 : -ENOMEM;
	} else {
		hil_transport_seterr(err, "failed to get state: %s: reply has no \"state\": %.200s",
				     entity, resp.body);
		ret = -EPROTO;
	}
	json_object_put(j);
	hil_http_resp_free(&resp);
	return ret;
}

int hil_ha_set_state(struct hil_ha *ha, const char *entity, const char *state, char **err)
{
	struct hil_http_resp resp;
	struct json_object *j;
	char *path;
	int ret;

	if (!valid_id(entity, 1) || !state) {
		hil_transport_seterr(err, "failed to set state: '%s': not an entity id or no state",
				     entity ? entity : "(null)");
		return -EINVAL;
	}
	j = json_object_new_object();
	if (!j || json_object_object_add(j, "state", json_object_new_string(state)) < 0 ||
	    asprintf(&path, "/api/states/%s", entity) < 0) {
		json_object_put(j);
		return -ENOMEM;
	}
	ret = call(ha, "POST", path, json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN),
		   "set state", entity, &resp, err);
	free(path);
	json_object_put(j);
	if (!ret)
		hil_http_resp_free(&resp);
	return ret;
}

int hil_ha_call_service(struct hil_ha *ha, const char *domain, const char *service,
			const char *json_body, char **err)
{
	struct hil_http_resp resp;
	char *path;
	int ret;

	if (!valid_id(domain, 0) || !valid_id(service, 0)) {
		hil_transport_seterr(err, "failed to call service: '%s.%s': not a service name",
				     domain ? domain : "(null)", service ? service : "(null)");
		return -EINVAL;
	}
	if (asprintf(&path, "/api/services/%s/%s", domain, service) < 0)
		return -ENOMEM;
	ret = call(ha, "POST", path, json_body ? json_body : "{}", "call service", path + 14,
		   &resp, err);
	free(path);
	if (!ret)
		hil_http_resp_free(&resp);
	return ret;
}

/* Epoch ms as HA's ISO form with '+' already URL-encoded. */
static int format_iso(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int frac = (int)(ms - (int64_t)t * 1000);
	struct tm tm;

	if (!gmtime_r(&t, &tm))
		return -EINVAL;
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03d000%%2B00:00",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		 tm.tm_sec, frac);
	return 0;
}

static const char *str_field(struct json_object *row, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(row, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int deliver(struct json_object *all, hil_ha_history_fn fn, void *arg, char **err)
{
	if (!json_object_is_type(all, json_type_array))
		goto bad;
	for (size_t i = 0; i < json_object_array_length(all); i++) {
		struct json_object *rows = json_object_array_get_idx(all, i);
		const char *entity = NULL;

		if (!json_object_is_type(rows, json_type_array))
			goto bad;
		for (size_t k = 0; k < json_object_array_length(rows); k++) {
			struct json_object *row = json_object_array_get_idx(rows, k), *attrs = NULL;
			const char *id = str_field(row, "entity_id");
			const char *state = str_field(row, "state");
			const char *lc = str_field(row, "last_changed");
			const char *lu = str_field(row, "last_updated");
			int64_t lc_ms, lu_ms;

			/* Only the first row is sure to carry entity_id in minimal form. */
			if (id)
				entity = id;
			if (!entity || !state || hil_iso_parse(lc, &lc_ms) < 0) {
				hil_transport_seterr(err, "failed to parse history: row %zu of %s: %.200s",
						     k, entity ? entity : "(unknown entity)",
						     json_object_to_json_string(row));
				return -EPROTO;
			}
			if (!lu || hil_iso_parse(lu, &lu_ms) < 0)
				lu_ms = lc_ms;
			if (!json_object_object_get_ex(row, "attributes", &attrs) ||
			    !json_object_is_type(attrs, json_type_object))
				attrs = NULL;
			fn(arg, entity, state, lc_ms, lu_ms, attrs);
		}
	}
	return 0;
bad:
	hil_transport_seterr(err, "failed to parse history: not an array of arrays");
	return -EPROTO;
}

int hil_ha_history(struct hil_ha *ha, const char *const *entities, size_t n,
		   int64_t start_ms, int64_t end_ms, hil_ha_history_fn fn, void *arg,
		   char **err)
{
	char start[64], end[64];
	struct hil_http_resp resp;
	struct json_object *all;
	char *path = NULL;
	size_t plen = 0;
	FILE *f;
	int ret;

	if (!n || !entities || !fn) {
		hil_transport_seterr(err, "failed to get history: no entities given");
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		if (!valid_id(entities[i], 1)) {
			hil_transport_seterr(err, "failed to get history: '%s': not an entity id",
					     entities[i] ? entities[i] : "(null)");
			return -EINVAL;
		}
	if (format_iso(start_ms, start, sizeof(start)) < 0 ||
	    (end_ms && format_iso(end_ms, end, sizeof(end)) < 0)) {
		hil_transport_seterr(err, "failed to get history: time out of range");
		return -EINVAL;
	}
	f = open_memstream(&path, &plen);
	if (!f)
		return -ENOMEM;
	fprintf(f, "/api/history/period/%s?filter_entity_id=", start);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? "," : "", entities[i]);
	if (end_ms)
		fprintf(f, "&end_time=%s", end);
	if (fclose(f) != 0) {
		free(path);
		return -ENOMEM;
	}
	ret = call(ha, "GET", path, NULL, "get history", entities[0], &resp, err);
	free(path);
	if (ret)
		return ret;
	all = json_tokener_parse(resp.body);
	ret = deliver(all, fn, arg, err);
	json_object_put(all);
	hil_http_resp_free(&resp);
	return ret;
}
