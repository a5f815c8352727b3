/*
 * A Hue bridge (API v1) with one smart plug as light 1. The bridge answers
 * errors with HTTP 200 and an error array, as the real one does.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "servers/plug.h"

static void hue_error(struct fl_http_resp *resp, int type, const char *address, const char *description)
{
	fl_http_replyf(resp, 200, "[{\"error\":{\"type\":%d,\"address\":\"%s\",\"description\":\"%s\"}}]",
		       type, address, description);
}

static void light(struct fl_plug_device *dev, struct fl_http_resp *resp)
{
	fl_http_replyf(resp, 200,
		       "{\"state\":{\"on\":%s,\"alert\":\"select\",\"mode\":\"homeautomation\",\"reachable\":true},"
		       "\"type\":\"On/Off plug-in unit\",\"name\":\"%s\",\"modelid\":\"LOM001\","
		       "\"manufacturername\":\"Signify Netherlands B.V.\",\"productname\":\"Hue Smart plug\"}",
		       dev->get(dev->ctx) ? "true" : "false", dev->name);
}

static void set_state(struct fl_plug_device *dev, const struct fl_http_req *req, struct fl_http_resp *resp)
{
	json_object *body = json_tokener_parse(req->body), *on;
	if (!body || !json_object_is_type(body, json_type_object)) {
		json_object_put(body);
		hue_error(resp, 2, "/lights/1/state", "body contains invalid json");
		return;
	}
	if (!json_object_object_get_ex(body, "on", &on) || !json_object_is_type(on, json_type_boolean)) {
		json_object_put(body);
		hue_error(resp, 7, "/lights/1/state/on", "invalid value for parameter, on");
		return;
	}
	int want = json_object_get_boolean(on);
	json_object_put(body);
	if (dev->set(dev->ctx, want) < 0) {
		hue_error(resp, 201, "/lights/1/state/on", "parameter, on, is not modifiable. Device is set to off.");
		return;
	}
	fl_http_replyf(resp, 200, "[{\"success\":{\"/lights/1/state/on\":%s}}]", want ? "true" : "false");
}

int fl_plug_hue_handle(void *device, const struct fl_http_req *req, struct fl_http_resp *resp)
{
	struct fl_plug_device *dev = device;
	char prefix[160];
	snprintf(prefix, sizeof(prefix), "/api/%s/", dev->password ? dev->password : "");
	if (strncmp(req->path, "/api/", 5) != 0) {
		fl_http_reply(resp, 404, "Not Found");
		resp->content_type = "text/plain";
		return 0;
	}
	if (strncmp(req->path, prefix, strlen(prefix)) != 0) {
		hue_error(resp, 1, "/", "unauthorized user");
		return 0;
	}
	const char *rest = req->path + strlen(prefix);
	if (strcmp(rest, "lights/1/state") == 0 && strcmp(req->method, "PUT") == 0) {
		set_state(dev, req, resp);
		return 0;
	}
	if (strcmp(rest, "lights/1") == 0 && strcmp(req->method, "GET") == 0) {
		light(dev, resp);
		return 0;
	}
	char address[128];
	snprintf(address, sizeof(address), "/%.100s", rest);
	if (strncmp(rest, "lights/", 7) == 0) {
		char description[200];
		snprintf(description, sizeof(description), "resource, %.100s, not available", address);
		hue_error(resp, 3, address, description);
	} else {
		hue_error(resp, 4, address, "method, GET, not available for resource");
	}
	return 0;
}
