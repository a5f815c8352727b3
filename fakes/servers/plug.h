/*
 * The lab plug's HTTP APIs in the fake lab. Each API is a handler over the same
 * device: the relay that feeds the router and the ONU.
 */
#ifndef FL_PLUG_H
#define FL_PLUG_H

#include "core/httpd.h"

struct fl_plug_device {
	int (*get)(void *ctx);         /* 1 on, 0 off */
	int (*set)(void *ctx, int on); /* 0 or -errno */
	void *ctx;
	const char *name;              /* device name in replies, e.g. "internet" */
	const char *user;              /* credentials the API demands; NULL: none */
	const char *password;          /* Gen1 basic auth, Tasmota password=, Hue API username */
};

/* Shelly Gen2 / Plus RPC: /rpc/Switch.Set, /rpc/Switch.GetStatus, /rpc/Switch.Toggle, POST /rpc. */
int fl_plug_shelly_gen2_handle(void *device, const struct fl_http_req *req, struct fl_http_resp *resp);

/* Shelly Gen1: GET /relay/0[?turn=on|off|toggle] -> {"ison":..}; HTTP basic auth when set. */
int fl_plug_shelly_gen1_handle(void *device, const struct fl_http_req *req, struct fl_http_resp *resp);

/* Tasmota: GET /cm?cmnd=Power%20Off[&user=..&password=..] -> {"POWER":"OFF"}. */
int fl_plug_tasmota_handle(void *device, const struct fl_http_req *req, struct fl_http_resp *resp);

/* Hue bridge v1: PUT /api/<user>/lights/1/state {"on":false}, GET /api/<user>/lights/1. */
int fl_plug_hue_handle(void *device, const struct fl_http_req *req, struct fl_http_resp *resp);

/* pdudaemon's HTTP listener: GET /power/control/<on|off|reboot>?hostname=<pdu>&port=1. */
int fl_plug_pdudaemon_handle(void *device, const struct fl_http_req *req, struct fl_http_resp *resp);

/* The handler for a lab plug type ("shelly-gen2", ...), or NULL. */
fl_http_handler fl_plug_handler(const char *type);

#endif
