/*
 * The fake lab's control endpoint. Two audiences, two tokens:
 *  - /control/... for the harness only: virtual time, physical injections, the
 *    ground-truth log, shutdown;
 *  - /hw/... for the fake router's command shims (reboot, poweroff): what the real
 *    board does in hardware.
 */
#ifndef FL_CONTROL_H
#define FL_CONTROL_H

#include "core/httpd.h"

struct fl_loop;
struct fl_world;
struct fl_truth;
struct fl_faults;

struct fl_control {
	struct fl_loop *loop;
	struct fl_world *world;
	struct fl_truth *truth;
	struct fl_httpd *httpd;  /* the server this handler runs in (to resume requests) */
	const char *control_token;
	const char *hw_token;
	const char *truth_path;
	struct fl_faults *faults; /* POST /control/fault (servers/faults.h); may be NULL */
	int stop_requested;
	/* the suspended /control/advance request */
	struct MHD_Connection *advancing;
};

/* An fl_http_handler; @ctx is a struct fl_control. */
int fl_control_handle(void *ctx, const struct fl_http_req *req, struct fl_http_resp *resp);

#endif
