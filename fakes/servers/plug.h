/*
 * The lab plug's HTTP APIs in the fake lab. Each API is a handler over the same
 * device: the relay that feeds the router and the ONU.
 */
#ifndef FL_PLUG_H
#define FL_PLUG_H

#include "servers/httpd.h"

struct fl_plug_device {
	int (*get)(void *ctx);         /* 1 on, 0 off */
	int (*set)(void *ctx, int on); /* 0 or -errno */
	void *ctx;
	const char *name;              /* device name in replies, e.g. "internet" */
};

/* Shelly Gen2 / Plus RPC: /rpc/Switch.Set, /rpc/Switch.GetStatus, /rpc/Switch.Toggle, POST /rpc. */
int fl_plug_shelly_gen2_handle(void *device, const struct fl_http_req *req, struct fl_http_resp *resp);

#endif
