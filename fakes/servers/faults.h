/*
 * Lab failures on demand, for robustness tests of the harness (not of the
 * firmware): POST /control/fault {"target": ..., "mode": ...}
 *
 *   plug: "fail"  every plug API request answers HTTP 503
 *         "stuck" requests succeed but the relay never moves (reads back wrong)
 *         "ok"
 *   ssh:  "drop"  the harness's SSH path (a TCP relay in front of the router's
 *                 dropbear) closes every connection and refuses new ones
 *         "ok"
 *   ha:   "refuse-token"  HA answers 401 to every request
 *         "ok"
 *
 * Only the harness's paths are affected: HA's own SSH to the router and the
 * physical world keep working, as when a lab host's link flaps.
 */
#ifndef FL_FAULTS_H
#define FL_FAULTS_H

#include "servers/httpd.h"

struct fl_loop;
struct fl_truth;

#define FL_FAULT_MAX_PAIRS 32

struct fl_faults {
	struct fl_loop *loop;
	struct fl_truth *truth;
	int plug_fail, plug_stuck, ssh_drop, ha_refuse;
	/* the wrapped servers */
	fl_http_handler plug_fn, ha_fn;
	void *plug_ctx, *ha_ctx;
	/* the SSH relay: listens only while the router's SSH is up and not dropped */
	int listen_fd, target_port, port;
	int (*target_up)(void *ctx);
	void *target_ctx;
	struct { int a, b; } pairs[FL_FAULT_MAX_PAIRS];
};

/* fl_http_handlers wrapping plug_fn / ha_fn; @ctx is the struct fl_faults. */
int fl_faults_plug_handle(void *ctx, const struct fl_http_req *req, struct fl_http_resp *resp);
int fl_faults_ha_handle(void *ctx, const struct fl_http_req *req, struct fl_http_resp *resp);

/* POST /control/fault (authorised by the caller). */
int fl_faults_handle_control(struct fl_faults *f, const struct fl_http_req *req, struct fl_http_resp *resp);

/*
 * Start the SSH relay to 127.0.0.1:@target_port on a free port (f->port). While
 * f->target_up says the router is down (or ssh is dropped) the port is closed, so
 * a TCP connect is refused as on the real board, not accepted and then closed.
 * 0 or -errno.
 */
int fl_faults_ssh_relay_start(struct fl_faults *f, int target_port);
void fl_faults_stop(struct fl_faults *f);

#endif
