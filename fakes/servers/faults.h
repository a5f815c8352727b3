/*
 * Lab failures on demand, for robustness tests of the harness (not of the
 * firmware): POST /control/fault {"target": ..., "mode": ...}
 *
 *   plug: "fail"  every plug API request answers HTTP 503
 *         "stuck" requests succeed but the relay never moves (reads back wrong)
 *         "slow"  every request is answered only after "delay_ms" (default 10 000)
 *                 of wall-clock time, longer than the harness waits
 *         "ok"
 *   ssh:  "drop"  the harness's SSH path (a TCP relay in front of the router's
 *                 dropbear) closes every connection and refuses new ones
 *         "ok"
 *   ha:   "refuse-token"  HA answers 401 to every request
 *         "slow"  every request is answered only after "delay_ms" (default 12 000)
 *                 of wall-clock time, longer than the harness waits
 *         "ok"
 *
 * Only the harness's paths are affected: HA's own SSH to the router and the
 * physical world keep working, as when a lab host's link flaps.
 */
#ifndef FL_FAULTS_H
#define FL_FAULTS_H

#include "core/httpd.h"

struct fl_loop;
struct fl_truth;

#define FL_FAULT_MAX_PAIRS 32
#define FL_FAULT_MAX_SLOW 8

/* A plug or HA request held back by a "slow" fault, answered when due (real time). */
struct fl_slow_req {
	struct MHD_Connection *conn;
	int64_t due_ms; /* CLOCK_MONOTONIC */
	struct fl_httpd *httpd; /* whose connection it is */
	fl_http_handler fn;     /* the wrapped server that answers it */
	void *fn_ctx;
	char *method, *path, *body;
	size_t body_len;
};

struct fl_faults {
	struct fl_loop *loop;
	struct fl_truth *truth;
	int plug_fail, plug_stuck, ssh_drop, ha_refuse;
	int plug_slow_ms, ha_slow_ms; /* 0: answer at once */
	struct fl_httpd *plug_httpd, *ha_httpd; /* to resume the held-back requests */
	struct fl_slow_req slow[FL_FAULT_MAX_SLOW];
	int n_slow, slow_poller;
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
