#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "servers/plug.h"

/* Shelly answers RPC errors with a JSON error object (code -105: bad argument). */
static void rpc_error(struct fl_http_resp *resp, int code, const char *message)
{
	fl_http_replyf(resp, 400, "{\"code\":%d,\"message\":\"%s\"}", code, message);
}

static int parse_bool(const char *s, int *out)
{
	if (s && strcmp(s, "true") == 0)
		return *out = 1, 0;
	if (s && strcmp(s, "false") == 0)
		return *out = 0, 0;
	return -1;
}

static json_object *status_object(const struct fl_plug_device *dev)
{
	int on = dev->get(dev->ctx);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int(0));
	json_object_object_add(o, "source", json_object_new_string("HTTP_in"));
	json_object_object_add(o, "output", json_object_new_boolean(on));
	/* router + ONU draw about 14 W together */
	json_object_object_add(o, "apower", json_object_new_double(on ? 14.2 : 0.0));
	json_object_object_add(o, "voltage", json_object_new_double(230.1));
	json_object_object_add(o, "current", json_object_new_double(on ? 0.062 : 0.0));
	json_object *energy = json_object_new_object();
	json_object_object_add(energy, "total", json_object_new_double(1234.5));
	json_object_object_add(o, "aenergy", energy);
	json_object *temp = json_object_new_object();
	json_object_object_add(temp, "tC", json_object_new_double(35.2));
	json_object_object_add(temp, "tF", json_object_new_double(95.4));
	json_object_object_add(o, "temperature", temp);
	return o;
}

/* One RPC method call; returns the result object, or NULL with code and msg set. */
static json_object *call(struct fl_plug_device *dev, const char *method, int id, int have_on, int on,
			 int *code, const char **msg)
{
	if (id != 0) {
		*code = -105;
		*msg = "Argument 'id', value not found!";
		return NULL;
	}
	if (strcmp(method, "Switch.GetStatus") == 0)
		return status_object(dev);
	int was_on = dev->get(dev->ctx);
	if (strcmp(method, "Switch.Toggle") == 0) {
		on = !was_on;
	} else if (strcmp(method, "Switch.Set") == 0) {
		if (!have_on) {
			*code = -103;
			*msg = "Missing required argument 'on'!";
			return NULL;
		}
	} else {
		*code = -114;
		*msg = "Method not found!";
		return NULL;
	}
	if (dev->set(dev->ctx, on) < 0) {
		*code = -1;
		*msg = "Relay failed";
		return NULL;
	}
	json_object *o = json_object_new_object();
	json_object_object_add(o, "was_on", json_object_new_boolean(was_on));
	return o;
}

static void reply_json(struct fl_http_resp *resp, json_object *o)
{
	fl_http_reply(resp, 200, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

/* POST /rpc {"id":1,"method":"Switch.Set","params":{"id":0,"on":false}} */
static int handle_post_rpc(struct fl_plug_device *dev, const struct fl_http_req *req,
			   struct fl_http_resp *resp)
{
	json_object *body = json_tokener_parse(req->body);
	json_object *method, *params = NULL, *v;
	if (!body || !json_object_object_get_ex(body, "method", &method)) {
		json_object_put(body);
		rpc_error(resp, -103, "Invalid request");
		return 0;
	}
	json_object_object_get_ex(body, "params", &params);
	int id = 0, on = 0, have_on = 0;
	if (params && json_object_object_get_ex(params, "id", &v))
		id = json_object_get_int(v);
	if (params && json_object_object_get_ex(params, "on", &v))
		have_on = 1, on = json_object_get_boolean(v);
	int code = 0;
	const char *msg = NULL;
	json_object *result = call(dev, json_object_get_string(method), id, have_on, on, &code, &msg);
	json_object *reply = json_object_new_object();
	if (json_object_object_get_ex(body, "id", &v))
		json_object_object_add(reply, "id", json_object_get(v));
	json_object_object_add(reply, "src", json_object_new_string("shellyplusplugs-r4hil"));
	if (result) {
		json_object_object_add(reply, "result", result);
	} else {
		json_object *err = json_object_new_object();
		json_object_object_add(err, "code", json_object_new_int(code));
		json_object_object_add(err, "message", json_object_new_string(msg));
		json_object_object_add(reply, "error", err);
	}
	json_object_put(body);
	reply_json(resp, reply);
	return 0;
}

int fl_plug_shelly_gen2_handle(void *device, const struct fl_http_req *req, struct fl_http_resp *resp)
{
	struct fl_plug_device *dev = device;
	if (strcmp(req->path, "/rpc") == 0 && strcmp(req->method, "POST") == 0)
		return handle_post_rpc(dev, req, resp);
	if (strncmp(req->path, "/rpc/", 5) != 0) {
		fl_http_reply(resp, 404, "{\"code\":404,\"message\":\"Not found\"}");
		return 0;
	}
	const char *id_text = fl_http_query(req, "id");
	int id = id_text ? atoi(id_text) : 0;
	int on = 0, have_on = parse_bool(fl_http_query(req, "on"), &on) == 0;
	if (fl_http_query(req, "on") && !have_on) {
		rpc_error(resp, -103, "Invalid argument 'on'!");
		return 0;
	}
	int code = 0;
	const char *msg = NULL;
	json_object *result = call(dev, req->path + 5, id, have_on, on, &code, &msg);
	if (!result) {
		rpc_error(resp, code, msg);
		return 0;
	}
	reply_json(resp, result);
	return 0;
}
