/* Tasmota's web command API (/cm), one relay, as the firmware answers it. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "servers/plug.h"

static void power_reply(struct fl_plug_device *dev, struct fl_http_resp *resp)
{
	fl_http_replyf(resp, 200, "{\"POWER\":\"%s\"}", dev->get(dev->ctx) ? "ON" : "OFF");
}

int fl_plug_tasmota_handle(void *device, const struct fl_http_req *req, struct fl_http_resp *resp)
{
	struct fl_plug_device *dev = device;
	if (strcmp(req->path, "/cm") != 0) {
		fl_http_reply(resp, 404, "Not Found");
		resp->content_type = "text/plain";
		return 0;
	}
	const char *pw = fl_http_query(req, "password");
	if (dev->password && (!pw || strcmp(pw, dev->password) != 0)) {
		/* Tasmota answers a missing or wrong web password with 200 and a warning */
		fl_http_reply(resp, 200, "{\"WARNING\":\"Need user=<username>&password=<password>\"}");
		return 0;
	}
	const char *cmnd = fl_http_query(req, "cmnd");
	if (!cmnd || strncasecmp(cmnd, "Power", 5) != 0) {
		fl_http_reply(resp, 200, "{\"Command\":\"Unknown\"}");
		return 0;
	}
	const char *rest = cmnd + 5;
	if (*rest == '1')
		rest++;
	else if (*rest && *rest != ' ') {
		fl_http_reply(resp, 200, "{\"Command\":\"Unknown\"}"); /* Power2: no such relay */
		return 0;
	}
	while (*rest == ' ')
		rest++;
	int on = -1;
	if (!strcasecmp(rest, "on") || !strcmp(rest, "1"))
		on = 1;
	else if (!strcasecmp(rest, "off") || !strcmp(rest, "0"))
		on = 0;
	else if (!strcasecmp(rest, "toggle") || !strcmp(rest, "2"))
		on = !dev->get(dev->ctx);
	else if (*rest) {
		fl_http_reply(resp, 200, "{\"Command\":\"Error\"}");
		return 0;
	}
	if (on >= 0 && dev->set(dev->ctx, on) < 0) {
		fl_http_reply(resp, 200, "{\"Command\":\"Error\"}");
		return 0;
	}
	power_reply(dev, resp);
	return 0;
}
