#include "servers/control.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "servers/faults.h"
#include "core/loop.h"
#include "core/truth.h"
#include "world/world.h"

static void reply_now(struct fl_control *c, struct fl_http_resp *resp)
{
	fl_http_replyf(resp, 200, "{\"now_ms\":%lld,\"router\":\"%s\"}",
		       (long long)fl_loop_now(c->loop), fl_world_router_state(c->world));
}

static void advance_done(void *arg)
{
	struct fl_control *c = arg;
	struct fl_http_resp resp = { 0 };
	reply_now(c, &resp);
	struct MHD_Connection *conn = c->advancing;
	c->advancing = NULL;
	fl_httpd_resume(c->httpd, conn, &resp);
}

static int handle_advance(struct fl_control *c, const struct fl_http_req *req, struct fl_http_resp *resp)
{
	json_object *body = json_tokener_parse(req->body);
	json_object *to;
	if (!body || !json_object_object_get_ex(body, "to_ms", &to) ||
	    !json_object_is_type(to, json_type_int)) {
		json_object_put(body);
		fl_http_reply(resp, 400, "{\"message\":\"expected {\\\"to_ms\\\": <virtual ms since epoch>}\"}");
		return 0;
	}
	fl_ms target = json_object_get_int64(to);
	json_object_put(body);
	int ret = fl_loop_request_advance(c->loop, target, advance_done, c);
	if (ret == -EINVAL) {
		fl_http_replyf(resp, 400, "{\"message\":\"to_ms %lld is before now %lld\"}",
			       (long long)target, (long long)fl_loop_now(c->loop));
		return 0;
	}
	if (ret < 0) {
		fl_http_reply(resp, 409, "{\"message\":\"an advance is already in progress\"}");
		return 0;
	}
	c->advancing = req->conn;
	resp->suspend = 1;
	return 0;
}

static int handle_inject(struct fl_control *c, const struct fl_http_req *req, struct fl_http_resp *resp)
{
	json_object *body = json_tokener_parse(req->body);
	json_object *name, *params = NULL;
	if (!body || !json_object_object_get_ex(body, "name", &name)) {
		json_object_put(body);
		fl_http_reply(resp, 400, "{\"message\":\"expected {\\\"name\\\": ..., \\\"params\\\": {...}}\"}");
		return 0;
	}
	if (!json_object_object_get_ex(body, "params", &params))
		params = NULL;
	json_object *empty = json_object_new_object();
	char *err = NULL;
	int ret = fl_world_inject(c->world, json_object_get_string(name), params ? params : empty, &err);
	if (ret < 0) {
		json_object *msg = json_object_new_object();
		json_object_object_add(msg, "message", json_object_new_string(err ? err : "injection failed"));
		fl_http_reply(resp, 400, json_object_to_json_string(msg));
		json_object_put(msg);
	} else {
		reply_now(c, resp);
	}
	free(err);
	json_object_put(empty);
	json_object_put(body);
	return 0;
}

static int handle_truth(struct fl_control *c, struct fl_http_resp *resp)
{
	size_t len;
	char *text = fl_util_read_file(c->truth_path, &len);
	if (!text)
		return -errno;
	resp->status = 200;
	resp->body = text;
	resp->content_type = "application/x-ndjson";
	return 0;
}

/* POST /hw/<model>/<action> from a shim: the model answers. */
static int handle_model_hw(struct fl_control *c, const struct fl_http_req *req, const char *what,
			   struct fl_http_resp *resp)
{
	const char *slash = strchr(what, '/');
	char model[64];
	size_t n = (size_t)(slash - what);
	if (strcmp(req->method, "POST") != 0 || n == 0 || n >= sizeof(model) || !slash[1]) {
		fl_http_reply(resp, 404, "{\"message\":\"unknown hardware request\"}");
		return 0;
	}
	memcpy(model, what, n);
	model[n] = '\0';
	json_object *body = req->body && *req->body ? json_tokener_parse(req->body) : NULL;
	if (req->body && *req->body && !body) {
		fl_http_reply(resp, 400, "{\"message\":\"body is not JSON\"}");
		return 0;
	}
	int ret = fl_world_hw_request(c->world, model, slash + 1, body, resp);
	json_object_put(body);
	if (ret == -ENOENT && !resp->status)
		fl_http_reply(resp, 404, "{\"message\":\"no such hardware model\"}");
	else if (ret < 0 && !resp->status)
		fl_http_replyf(resp, 500, "{\"message\":\"%s\"}", strerror(-ret));
	return 0;
}

static int handle_hw(struct fl_control *c, const struct fl_http_req *req, struct fl_http_resp *resp)
{
	if (!fl_http_bearer_ok(req, c->hw_token)) {
		fl_http_reply(resp, 401, "{\"message\":\"401: Unauthorized\"}");
		return 0;
	}
	const char *what = req->path + strlen("/hw/");
	if (strchr(what, '/'))
		return handle_model_hw(c, req, what, resp);
	if (strcmp(req->method, "POST") != 0 || (strcmp(what, "reboot") && strcmp(what, "poweroff"))) {
		fl_http_reply(resp, 404, "{\"message\":\"unknown hardware request\"}");
		return 0;
	}
	int ret = fl_world_router_request(c->world, what);
	if (ret < 0)
		fl_http_replyf(resp, 409, "{\"message\":\"router is %s\"}", fl_world_router_state(c->world));
	else
		fl_http_reply(resp, 200, "{\"ok\":true}");
	return 0;
}

int fl_control_handle(void *ctx, const struct fl_http_req *req, struct fl_http_resp *resp)
{
	struct fl_control *c = ctx;
	if (strncmp(req->path, "/hw/", 4) == 0)
		return handle_hw(c, req, resp);
	if (!fl_http_bearer_ok(req, c->control_token)) {
		fl_http_reply(resp, 401, "{\"message\":\"401: Unauthorized\"}");
		return 0;
	}
	int post = strcmp(req->method, "POST") == 0;
	if (strcmp(req->path, "/control/time") == 0) {
		reply_now(c, resp);
		return 0;
	}
	if (post && strcmp(req->path, "/control/advance") == 0)
		return handle_advance(c, req, resp);
	if (post && strcmp(req->path, "/control/inject") == 0)
		return handle_inject(c, req, resp);
	if (post && c->faults && strcmp(req->path, "/control/fault") == 0)
		return fl_faults_handle_control(c->faults, req, resp);
	if (strcmp(req->path, "/control/truth") == 0)
		return handle_truth(c, resp);
	if (post && strcmp(req->path, "/control/shutdown") == 0) {
		c->stop_requested = 1;
		fl_http_reply(resp, 200, "{\"ok\":true}");
		return 0;
	}
	fl_http_reply(resp, 404, "{\"message\":\"unknown control request\"}");
	return 0;
}
