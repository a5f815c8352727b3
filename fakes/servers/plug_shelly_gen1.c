/* Shelly Gen1 (Plug S, 1PM) HTTP API, as the firmware answers it. */
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "servers/plug.h"

/* Gen1 with "restrict login" on answers 401 to anything without the right basic auth. */
static int authorized(const struct fl_plug_device *dev, const struct fl_http_req *req)
{
	if (!dev->password)
		return 1;
	char *pass = NULL;
	char *user = MHD_basic_auth_get_username_password(req->conn, &pass);
	int ok = user && pass && strcmp(user, dev->user ? dev->user : "admin") == 0 &&
		 strcmp(pass, dev->password) == 0;
	MHD_free(user);
	MHD_free(pass);
	return ok;
}

int fl_plug_shelly_gen1_handle(void *device, const struct fl_http_req *req, struct fl_http_resp *resp)
{
	struct fl_plug_device *dev = device;
	if (!authorized(dev, req)) {
		fl_http_reply(resp, 401, "401 Unauthorized");
		resp->content_type = "text/plain";
		return 0;
	}
	if (strcmp(req->path, "/relay/0") != 0) {
		fl_http_reply(resp, 404, "Not Found");
		resp->content_type = "text/plain";
		return 0;
	}
	const char *turn = fl_http_query(req, "turn");
	if (turn) {
		int on;
		if (strcmp(turn, "on") == 0)
			on = 1;
		else if (strcmp(turn, "off") == 0)
			on = 0;
		else if (strcmp(turn, "toggle") == 0)
			on = !dev->get(dev->ctx);
		else {
			fl_http_reply(resp, 400, "Bad turn!");
			resp->content_type = "text/plain";
			return 0;
		}
		if (dev->set(dev->ctx, on) < 0) {
			fl_http_reply(resp, 500, "Relay failed");
			resp->content_type = "text/plain";
			return 0;
		}
	}
	fl_http_replyf(resp, 200,
		       "{\"ison\":%s,\"has_timer\":false,\"timer_started\":0,\"timer_duration\":0,"
		       "\"timer_remaining\":0,\"overpower\":false,\"source\":\"http\"}",
		       dev->get(dev->ctx) ? "true" : "false");
	return 0;
}
