/* The fake HA's REST API: /api/, /api/states, /api/services, /api/history/period. */
#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "servers/ha_internal.h"

#define ONE_DAY (24 * 60 * FL_MINUTE)

static void reply_json(struct fl_http_resp *resp, int status, struct json_object *o)
{
	fl_http_reply(resp, status, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static void reply_message(struct fl_http_resp *resp, int status, const char *msg)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "message", json_object_new_string(msg));
	reply_json(resp, status, o);
}

static void get_states(struct fl_ha *ha, struct fl_http_resp *resp)
{
	struct json_object *a = json_object_new_array();
	for (size_t i = 0; i < ha->n_states; i++)
		json_object_array_add(a, ha_state_json(ha->states[i]));
	reply_json(resp, 200, a);
}

static void post_state(struct fl_ha *ha, const char *entity, const struct fl_http_req *req,
		       struct fl_http_resp *resp)
{
	struct json_object *body = json_tokener_parse(req->body);
	struct json_object *state, *attrs = NULL;
	if (!json_object_is_type(body, json_type_object)) {
		reply_message(resp, 400, "Invalid JSON specified.");
		goto out;
	}
	if (!json_object_object_get_ex(body, "state", &state) || json_object_is_type(state, json_type_null)) {
		reply_message(resp, 400, "No state specified.");
		goto out;
	}
	if (!ha_entity_id_valid(entity)) {
		reply_message(resp, 400, "Invalid entity ID specified.");
		goto out;
	}
	if (json_object_object_get_ex(body, "attributes", &attrs) && !json_object_is_type(attrs, json_type_object))
		attrs = NULL;
	/* HA stringifies a numeric state: {"state": 25} is "25" */
	const char *text = json_object_get_string(state);
	if (strlen(text) > 255) {
		reply_message(resp, 400, "Invalid state specified.");
		goto out;
	}
	bool created = false;
	int ret = ha_state_set(ha, entity, text, attrs ? json_object_get(attrs) : json_object_new_object(),
			       &created);
	if (ret < 0) {
		reply_message(resp, 400, "Invalid state specified.");
		goto out;
	}
	if (asprintf(&resp->location, "/api/states/%s", entity) < 0)
		resp->location = NULL;
	reply_json(resp, created ? 201 : 200, ha_state_json(ha_state_find(ha, entity)));
out:
	json_object_put(body);
}

static void post_service(struct fl_ha *ha, const char *what, const struct fl_http_req *req,
			 struct fl_http_resp *resp)
{
	char *domain = strdup(what);
	char *service = domain ? strchr(domain, '/') : NULL;
	struct json_object *data = NULL;
	if (!service || strchr(service + 1, '/')) {
		resp->status = 404;
		goto out;
	}
	*service++ = '\0';
	if (req->body_len) {
		data = json_tokener_parse(req->body);
		if (!json_object_is_type(data, json_type_object)) {
			reply_message(resp, 400, "Data should be valid JSON.");
			goto out;
		}
	}
	uint64_t mark = ha->seq;
	int ret = ha_service_call(ha, domain, service, data, NULL, NULL, NULL);
	if (ret < 0) {
		/* HA raises HTTPBadRequest for unknown services and invalid data */
		fl_http_reply(resp, 400, "400: Bad Request");
		resp->content_type = "text/plain; charset=utf-8";
		goto out;
	}
	struct json_object *a = json_object_new_array();
	for (size_t i = 0; i < ha->n_states; i++)
		if (ha->states[i]->seq > mark)
			json_object_array_add(a, ha_state_json(ha->states[i]));
	reply_json(resp, 200, a);
out:
	json_object_put(data);
	free(domain);
}

/* A flag argument (`&minimal_response`): fl_http_query gives NULL for a key without a value. */
static bool query_flag(const struct fl_http_req *req, const char *key)
{
	const char *value;
	size_t len;
	return MHD_lookup_connection_value_n(req->conn, MHD_GET_ARGUMENT_KIND, key, strlen(key), &value, &len) ==
	       MHD_YES;
}

static void get_history(struct fl_ha *ha, const char *start_text, const struct fl_http_req *req,
			struct fl_http_resp *resp)
{
	fl_ms now = fl_loop_now(ha->loop), start = now - ONE_DAY, end;
	if (start_text && *start_text && ha_parse_time(start_text, &start) < 0) {
		reply_message(resp, 400, "Invalid datetime");
		return;
	}
	end = start + ONE_DAY;
	const char *end_text = fl_http_query(req, "end_time");
	if (end_text && ha_parse_time(end_text, &end) < 0) {
		reply_message(resp, 400, "Invalid end_time");
		return;
	}
	const char *filter = fl_http_query(req, "filter_entity_id");
	if (!filter) {
		reply_message(resp, 400, "filter_entity_id is missing");
		return;
	}
	int flags = 0;
	if (query_flag(req, "minimal_response"))
		flags |= HA_HIST_MINIMAL;
	if (query_flag(req, "no_attributes"))
		flags |= HA_HIST_NO_ATTRS;
	const char *sig = fl_http_query(req, "significant_changes_only");
	if (sig && atoi(sig) == 0)
		flags |= HA_HIST_ALL_CHANGES;

	char *copy = strdup(filter);
	char **ids = NULL;
	size_t n = 0;
	bool bad = !copy;
	for (char *save = NULL, *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		char **more = realloc(ids, (n + 1) * sizeof(*ids));
		if (!more || !ha_entity_id_valid(tok)) {
			free(more ? more : ids);
			ids = NULL;
			bad = true;
			break;
		}
		ids = more;
		ids[n++] = tok;
	}
	if (bad || !n)
		reply_message(resp, 400, "Invalid filter_entity_id");
	else if (start > now)
		reply_json(resp, 200, json_object_new_array());
	else
		reply_json(resp, 200, ha_history(ha, ids, n, start, end, flags));
	free(ids);
	free(copy);
}

int fl_ha_handle_http(void *ctx, const struct fl_http_req *req, struct fl_http_resp *resp)
{
	struct fl_ha *ha = ctx;
	bool get = strcmp(req->method, "GET") == 0, post = strcmp(req->method, "POST") == 0;
	if (!fl_http_bearer_ok(req, ha->token)) {
		fl_http_reply(resp, 401, "401: Unauthorized");
		resp->content_type = "text/plain; charset=utf-8";
		return 0;
	}
	const char *p = req->path;
	if (strcmp(p, "/api/") == 0 || strcmp(p, "/api") == 0) {
		if (get)
			reply_message(resp, 200, "API running.");
		else
			reply_message(resp, 405, "Method Not Allowed");
	} else if (strcmp(p, "/api/states") == 0) {
		if (get)
			get_states(ha, resp);
		else
			reply_message(resp, 405, "Method Not Allowed");
	} else if (strncmp(p, "/api/states/", 12) == 0) {
		const char *entity = p + 12;
		if (get) {
			const struct ha_state *st = ha_state_find(ha, entity);
			if (st)
				reply_json(resp, 200, ha_state_json(st));
			else
				reply_message(resp, 404, "Entity not found.");
		} else if (post) {
			post_state(ha, entity, req, resp);
		} else {
			reply_message(resp, 405, "Method Not Allowed");
		}
	} else if (strncmp(p, "/api/services/", 14) == 0) {
		if (post)
			post_service(ha, p + 14, req, resp);
		else
			reply_message(resp, 405, "Method Not Allowed");
	} else if (strcmp(p, "/api/history/period") == 0 || strncmp(p, "/api/history/period/", 20) == 0) {
		if (get)
			get_history(ha, p[19] ? p + 20 : NULL, req, resp);
		else
			reply_message(resp, 405, "Method Not Allowed");
	} else {
		reply_message(resp, 404, "Not Found");
	}
	return 0;
}
