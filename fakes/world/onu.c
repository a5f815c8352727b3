/*
 * The ONU model (see onu.h): PLOAM state machine, wedges, the ONU's own sandbox
 * with dropbear, and what HA sees of it.
 */
#include "world/onu.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/sandbox.h"
#include "servers/ha.h"
#include "core/httpd.h"
#include "world/model.h"
#include "world/modelfs.h"
#include "core/truth.h"
#include "world/world.h"

_Static_assert(FL_ONU_LINUX_MS + FL_ONU_PON_O5_MS == FL_ONU_REGISTER_MS, "ONU timing: 4 min to O5");

/* The PON stack's walk to O5 after a (re)start: O1.1, O2.3, O4, O5.1. */
static const struct { fl_ms at; int state; } pon_walk[] = {
	{ 0, 11 }, { 20 * FL_SECOND, 23 }, { 40 * FL_SECOND, 40 }, { FL_ONU_PON_O5_MS, FL_ONU_O5 },
};
#define PON_STEPS (sizeof(pon_walk) / sizeof(pon_walk[0]))
#define LOST_SYNC 11 /* O1.1: the OLT stopped sending downstream (optical storm) */

enum onu_power { ONU_OFF, ONU_BOOTING, ONU_UP };

struct onu {
	struct fl_world *w;
	enum onu_power power;
	int ploam, prev_ploam; /* 0 while the PON stack does not run */
	fl_ms ploam_since;
	size_t step;           /* index in pon_walk reached */
	int wedge;             /* a PLOAM state the ONU is stuck in; 0: none */
	int wedge_soft;        /* a soft PON reboot clears it (else only power loss) */
	int storm;             /* an optical storm keeps it out of sync */
	uint64_t boot_timer, step_timer, poll_timer, reboot_timer;
	struct fl_sandbox *box;
};

static struct fl_loop *loop_of(const struct onu *o)
{
	return fl_world_loop(o->w);
}

static void set_ploam(struct onu *o, int state, const char *why)
{
	if (state == o->ploam)
		return;
	fl_truth_log(fl_world_truth(o->w), "onu", "PLOAM %d -> %d (%s)", o->ploam, state, why);
	o->prev_ploam = o->ploam;
	o->ploam = state;
	o->ploam_since = fl_loop_now(loop_of(o));
	fl_world_changed(o->w); /* the WAN carrier follows O5 */
}

static void cancel(struct onu *o, uint64_t *timer)
{
	if (*timer)
		fl_timer_cancel(loop_of(o), *timer);
	*timer = 0;
}

static void pon_step(void *arg);

static void schedule_step(struct onu *o, fl_ms pon_start)
{
	if (o->step + 1 < PON_STEPS)
		o->step_timer = fl_timer_add(loop_of(o), pon_start + pon_walk[o->step + 1].at, pon_step, o);
}

static void pon_step(void *arg)
{
	struct onu *o = arg;
	o->step_timer = 0;
	o->step++;
	fl_ms start = fl_loop_now(loop_of(o)) - pon_walk[o->step].at;
	if (o->wedge && pon_walk[o->step].state >= o->wedge) {
		set_ploam(o, o->wedge, "wedged");
		return; /* stuck: no further step */
	}
	set_ploam(o, pon_walk[o->step].state, "registration");
	schedule_step(o, start);
}

/* The PON stack (re)starts: O1 and the walk to O5, unless the optical storm blinds it. */
static void pon_start(struct onu *o, const char *why)
{
	cancel(o, &o->step_timer);
	o->step = 0;
	set_ploam(o, o->storm ? LOST_SYNC : pon_walk[0].state, why);
	if (!o->storm)
		schedule_step(o, fl_loop_now(loop_of(o)));
}

/* ---- the ONU's own Linux: a sandbox with dropbear ---- */

static void box_stop(struct onu *o)
{
	fl_sandbox_free(o->box);
	o->box = NULL;
}

static void box_start(struct onu *o)
{
	const struct fl_world_config *cfg = fl_world_cfg(o->w);
	if (!cfg->onu_rootfs)
		return; /* a world without the ONU's SSH endpoint */
	struct fl_sandbox_config sc = {
		.rootfs = cfg->onu_rootfs, .model_dir = cfg->onu_model_dir, .run_dir = cfg->onu_run_dir,
		.routerd = cfg->routerd, .ssh_port = cfg->onu_ssh_port, .hostname = "onu",
		.truth = fl_world_truth(o->w),
	};
	char *err = NULL;
	fl_sandbox_write_clock(cfg->onu_model_dir, fl_loop_now(loop_of(o)));
	o->box = fl_sandbox_boot(loop_of(o), &sc, &err);
	if (!o->box || fl_sandbox_start_dropbear(o->box, &err) < 0) {
		fl_truth_log(fl_world_truth(o->w), "lab.error", "ONU userland failed to start: %s",
			     err ? err : "unknown");
		fprintf(stderr, "r4hil-fakelab: ONU userland failed to start: %s\n", err ? err : "?");
		box_stop(o);
	}
	free(err);
}

static void linux_up(void *arg)
{
	struct onu *o = arg;
	o->boot_timer = 0;
	o->power = ONU_UP;
	fl_truth_log(fl_world_truth(o->w), "onu", "Linux up, ssh onu answers");
	box_start(o);
	pon_start(o, "PON stack started");
}

/* Linux (re)boots: PLOAM stops until it is up again. */
static void linux_boot(struct onu *o)
{
	box_stop(o);
	cancel(o, &o->step_timer);
	o->power = ONU_BOOTING;
	set_ploam(o, 0, "booting");
	o->boot_timer = fl_timer_add(loop_of(o), fl_loop_now(loop_of(o)) + FL_ONU_LINUX_MS, linux_up, o);
}

/* ---- what HA sees: the sensor polled every FL_ONU_POLL_MS ---- */

static void report(struct onu *o)
{
	struct fl_ha *ha = fl_world_ha(o->w);
	if (!ha)
		return;
	char state[16] = "unavailable"; /* the source stopped answering */
	if (o->power == ONU_UP && o->ploam)
		snprintf(state, sizeof(state), "%d", o->ploam);
	fl_ha_set_state(ha, FL_ONU_SENSOR, state, "{\"friendly_name\":\"ONU PLOAM state\"}");
}

static void poll_tick(void *arg)
{
	struct onu *o = arg;
	report(o);
	o->poll_timer = fl_timer_add(loop_of(o), fl_loop_now(loop_of(o)) + FL_ONU_POLL_MS, poll_tick, o);
}

/* ---- hooks ---- */

static int onu_init(struct fl_world *w, void **state, char **err)
{
	struct onu *o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->w = w;
	*state = o;
	/* steady state: powered long ago, registered */
	o->power = ONU_UP;
	o->step = PON_STEPS - 1;
	o->ploam = FL_ONU_O5;
	o->prev_ploam = pon_walk[PON_STEPS - 2].state;
	o->ploam_since = fl_loop_now(fl_world_loop(w)) - 3600 * FL_SECOND;
	box_start(o);
	if (fl_world_cfg(w)->onu_rootfs && !o->box) {
		*err = strdup("the fake ONU did not come up (see the log above)");
		return -EIO;
	}
	fl_ms now = fl_loop_now(fl_world_loop(w));
	report(o);
	/* HA's polls fall on whole FL_ONU_POLL_MS of virtual time: the same every run */
	o->poll_timer = fl_timer_add(fl_world_loop(w), now - now % FL_ONU_POLL_MS + FL_ONU_POLL_MS, poll_tick, o);
	return 0;
}

static void onu_free(void *state)
{
	struct onu *o = state;
	cancel(o, &o->boot_timer);
	cancel(o, &o->step_timer);
	cancel(o, &o->poll_timer);
	cancel(o, &o->reboot_timer);
	box_stop(o);
	free(o);
}

static void onu_power(void *state, int on)
{
	struct onu *o = state;
	if (on == (o->power != ONU_OFF))
		return;
	if (on) {
		fl_truth_log(fl_world_truth(o->w), "onu", "power on: Linux boots, PLOAM O5 in %llds",
			     (long long)(FL_ONU_REGISTER_MS / 1000));
		linux_boot(o);
		return;
	}
	box_stop(o);
	cancel(o, &o->boot_timer);
	cancel(o, &o->step_timer);
	cancel(o, &o->reboot_timer);
	o->power = ONU_OFF;
	if (o->wedge)
		fl_truth_log(fl_world_truth(o->w), "onu", "power loss clears the PLOAM wedge");
	o->wedge = 0;
	set_ploam(o, 0, "power off");
}

static void full_reboot(void *arg)
{
	struct onu *o = arg;
	o->reboot_timer = 0;
	fl_truth_log(fl_world_truth(o->w), "onu", "reboot: Linux restarts");
	if (o->wedge && o->wedge_soft)
		o->wedge = 0;
	linux_boot(o);
}

static void soft_pon_reboot(struct onu *o)
{
	fl_truth_log(fl_world_truth(o->w), "onu", "soft PON reboot%s", !o->wedge ? ""
			     : o->wedge_soft ? ": clears the wedge" : ": the wedge survives (power loss only)");
	if (o->wedge && o->wedge_soft)
		o->wedge = 0;
	pon_start(o, "soft PON reboot");
}

static int onu_hw(void *state, const char *action, json_object *body, struct fl_http_resp *resp)
{
	struct onu *o = state;
	if (o->power != ONU_UP) {
		fl_http_reply(resp, 409, "{\"message\":\"the ONU is not running\"}");
		return 0;
	}
	if (strcmp(action, "pon-reboot") == 0) {
		soft_pon_reboot(o);
		fl_http_reply(resp, 200, "{}\n");
	} else if (strcmp(action, "ploam") == 0) {
		fl_ms secs = (fl_loop_now(loop_of(o)) - o->ploam_since) / 1000;
		fl_http_replyf(resp, 200, "{\"curr_state\":%d,\"prev_state\":%d,\"time_curr\":%lld}\n", o->ploam,
			       o->prev_ploam, (long long)secs);
	} else if (strcmp(action, "reboot") == 0) {
		/* later, as a real reboot: the shim's own request must be answered first */
		if (!o->reboot_timer)
			o->reboot_timer = fl_timer_add(loop_of(o), fl_loop_now(loop_of(o)) + FL_SECOND,
						       full_reboot, o);
		fl_http_reply(resp, 200, "{}\n");
	} else {
		fl_http_replyf(resp, 404, "{\"message\":\"no ONU action %s\"}", action);
	}
	return 0;
}

/* onu.wedge {"state": 23, "cleared_by": "soft" | "power"}: PLOAM stuck out of O5. */
static int onu_inject(void *state, const char *what, json_object *params, char **err)
{
	struct onu *o = state;
	if (strcmp(what, "wedge") != 0) {
		if (asprintf(err, "unknown ONU injection \"onu.%s\" (expected onu.wedge)", what) < 0)
			*err = NULL;
		return -EINVAL;
	}
	json_object *v;
	int stuck = 23;
	const char *by = "soft";
	if (params && json_object_object_get_ex(params, "state", &v))
		stuck = json_object_get_int(v);
	if (params && json_object_object_get_ex(params, "cleared_by", &v))
		by = json_object_get_string(v);
	if (stuck < 10 || stuck >= FL_ONU_O5 || (strcmp(by, "soft") && strcmp(by, "power"))) {
		*err = strdup("onu.wedge needs state 10..50 (a PLOAM state short of O5) and "
			      "cleared_by \"soft\" or \"power\"");
		return -EINVAL;
	}
	if (o->power != ONU_UP) {
		*err = strdup("onu.wedge: the ONU is not running");
		return -EINVAL;
	}
	o->wedge = stuck;
	o->wedge_soft = strcmp(by, "soft") == 0;
	fl_truth_log(fl_world_truth(o->w), "onu", "wedge: PLOAM stuck in %d, cleared by %s", stuck,
		     o->wedge_soft ? "a soft PON reboot or power loss" : "power loss only");
	cancel(o, &o->step_timer);
	set_ploam(o, stuck, "wedged");
	return 0;
}

/* The optical storm of the SFP model (carrier down): the OLT stops talking to us. */
static void onu_event(void *state, const char *event, json_object *params)
{
	struct onu *o = state;
	if (strcmp(event, "sfp.optical-storm") != 0)
		return;
	json_object *v;
	int active = params && json_object_object_get_ex(params, "active", &v) && json_object_get_boolean(v);
	if (active == o->storm)
		return;
	o->storm = active;
	if (o->power != ONU_UP || !fl_world_onu_powered(o->w))
		return;
	if (active) {
		cancel(o, &o->step_timer);
		set_ploam(o, LOST_SYNC, "optical storm: downstream lost");
	} else {
		pon_start(o, "optical storm over");
	}
}

static void onu_time(void *state)
{
	struct onu *o = state;
	if (o->box)
		fl_sandbox_write_clock(fl_world_cfg(o->w)->onu_model_dir, fl_loop_now(loop_of(o)));
}

int fl_onu_in_o5(const struct fl_world *w)
{
	const struct onu *o = fl_world_model_state(w, "onu");
	return o && o->ploam == FL_ONU_O5;
}

const struct fl_model_ops fl_onu_model = {
	.name = "onu",
	.init = onu_init,
	.free = onu_free,
	.power = onu_power,
	.time = onu_time,
	.inject = onu_inject,
	.hw = onu_hw,
	.event = onu_event,
};
