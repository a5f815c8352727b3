/*
 * pdudaemon's HTTP listener in front of one PDU ("pdu-r4") with the plug on port 1.
 * The real daemon queues the request and answers before the PDU switched; here
 * the relay switches at once (the fake lab's virtual time is stopped anyway).
 */
#include <stdlib.h>
#include <string.h>

#include "servers/plug.h"

#define PDU_HOSTNAME "pdu-r4"

static void text(struct fl_http_resp *resp, int status, const char *body)
{
	fl_http_reply(resp, status, body);
	resp->content_type = "text/plain";
}

int fl_plug_pdudaemon_handle(void *device, const struct fl_http_req *req, struct fl_http_resp *resp)
{
	struct fl_plug_device *dev = device;
	const char *prefix = "/power/control/";
	if (strncmp(req->path, prefix, strlen(prefix)) != 0 || strcmp(req->method, "GET") != 0) {
		text(resp, 404, "Not Found");
		return 0;
	}
	const char *cmd = req->path + strlen(prefix);
	const char *host = fl_http_query(req, "hostname"), *port = fl_http_query(req, "port");
	if (!host || !port) {
		text(resp, 400, "Missing hostname or port");
		return 0;
	}
	if (strcmp(host, PDU_HOSTNAME) != 0 || strcmp(port, "1") != 0) {
		/* pdudaemon accepts and then fails in its worker; answering 503 is kinder */
		text(resp, 503, "Unknown PDU or port");
		return 0;
	}
	int ret;
	if (strcmp(cmd, "on") == 0)
		ret = dev->set(dev->ctx, 1);
	else if (strcmp(cmd, "off") == 0)
		ret = dev->set(dev->ctx, 0);
	else if (strcmp(cmd, "reboot") == 0)
		ret = dev->set(dev->ctx, 0) < 0 ? -1 : dev->set(dev->ctx, 1);
	else {
		text(resp, 400, "Invalid command");
		return 0;
	}
	text(resp, ret < 0 ? 503 : 200, ret < 0 ? "Request failed" : "OK - accepted request\n");
	return 0;
}
