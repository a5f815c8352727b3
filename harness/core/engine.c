#include "r4hil/engine.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "r4hil/backup.h"
#include "r4hil/clock.h"
#include "r4hil/duration.h"
#include "r4hil/expect.h"
#include "r4hil/fakelab.h"
#include "r4hil/gpio.h"
#include "r4hil/ha.h"
#include "r4hil/lab.h"
#include "r4hil/observe.h"
#include "r4hil/plug.h"
#include "r4hil/reboot.h"
#include "r4hil/report.h"
#include "r4hil/scenario.h"
#include "r4hil/ssh.h"
#include "r4hil/sysupgrade.h"
#include "r4hil/target.h"
#include "r4hil/timeline.h"

#define ACT_SSH_TIMEOUT_MS 30000

struct engine {
	const struct hil_scenario *sc;
	struct hil_target *t;
	const struct hil_progress *progress;
	volatile sig_atomic_t *stop;
	struct hil_timeline *tl;
	struct hil_observer *obs;
	int64_t origin;
	int64_t next_poll;
	const char *phase;
	char step[128];
	char *error;        /* why the harness or the lab could not do its part */
	char *skip_reason;  /* why the scenario cannot run in this lab */
	int plug_touched;   /* the harness switched the plug: teardown switches it on */
	struct hil_backup *backup; /* router files saved in setup, restored in teardown */
};

static void set_error(struct engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(struct engine *e, const char *fmt, ...)
{
	if (e->error)
		return; /* the first error is the cause; the rest follow from it */
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&e->error, fmt, ap) < 0)
		e->error = NULL;
	va_end(ap);
}

static int64_t now_abs(struct engine *e)
{
	return hil_clock_now(e->t->clock);
}

static int64_t now_t(struct engine *e)
{
	return now_abs(e) - e->origin;
}

static void report(struct engine *e, const char *waiting_for)
{
	if (!e->progress || !e->progress->update)
		return;
	struct hil_progress_info info = {
		.scenario = e->sc->name,
		.phase = e->phase,
		.step = e->step[0] ? e->step : NULL,
		.t_ms = now_t(e),
		.waiting_for = waiting_for,
	};
	e->progress->update(e->progress->ctx, &info);
}

/*
 * A lab part that keeps timing out (hil_plug_broken) ends the scenario as an error
 * at once: waiting out the rest of it would only add timeouts, and no verdict can
 * come of it. Teardown still runs. 0, or -EIO with the error set.
 */
static int lab_broken(struct engine *e)
{
	int on;
	char *err = NULL, *state = NULL;
	if (e->t->plug && hil_plug_broken(e->t->plug))
		hil_plug_get(e->t->plug, &on, &err); /* fails at once, with the plug's story */
	else if (e->t->ha && hil_ha_broken(e->t->ha))
		hil_ha_get_state(e->t->ha, "sun.sun", &state, &err); /* the same for HA */
	else
		return 0;
	set_error(e, "%s", err ? err : "a lab part is broken");
	free(err);
	free(state);
	return -EIO;
}

/* Let time pass until @target (epoch ms), polling the observers on their period. */
static int wait_until(struct engine *e, int64_t target, const char *waiting_for)
{
	int64_t period = e->sc->observe_period_ms;
	for (;;) {
		if (e->stop && *e->stop) {
			set_error(e, "interrupted");
			return -EINTR;
		}
		int64_t now = now_abs(e);
		if (now >= e->next_poll) {
			hil_observer_poll(e->obs);
			while (e->next_poll <= now)
				e->next_poll += period;
			report(e, waiting_for);
			if (lab_broken(e) < 0)
				return -EIO;
		}
		if (now >= target)
			return 0;
		int64_t next = target < e->next_poll ? target : e->next_poll;
		char *err = NULL;
		int ret = hil_clock_sleep_until(e->t->clock, next, &err);
		if (ret < 0 && ret != -EINTR) {
			set_error(e, "failed to let time pass: %s", err ? err : strerror(-ret));
			free(err);
			return ret;
		}
		free(err);
	}
}

/* A plain wait, shown as the time it runs until. */
static int wait_for_time(struct engine *e, int64_t target)
{
	char d[32], what[48];
	snprintf(what, sizeof(what), "t=+%s", hil_duration_format(target - e->origin, d, sizeof(d)));
	return wait_until(e, target, what);
}

/* A state probe on a router-side subject (router.<name>, ring.<field>): its last recorded value. */
static int router_state_holds(struct engine *e, const struct hil_cond *c, char **why)
{
	const char *value = hil_observer_command_value(e->obs, c->subject);
	if (value && hil_cond_match(c, value))
		return 1;
	char *want = hil_cond_describe(c);
	if (asprintf(why, "%s is %s, want %s", c->subject, value ? value : "not read yet", want) < 0)
		*why = NULL;
	free(want);
	return 0;
}

/*
 * A probe of a source the lab could not read: -1 (neither holds nor fails), with
 * *why naming the probe, the part and what it answered.
 */
static int unreadable(char **why, const char *probe, const char *answer)
{
	if (asprintf(why, "%s: %s", probe, answer ? answer : "no answer") < 0)
		*why = NULL;
	return -1;
}

/* HA's current state of the probe's entity: 1 holds, 0 does not, -1 HA could not say. */
static int ha_state_holds(struct engine *e, const struct hil_cond *c, char **why)
{
	char *state = NULL, *err = NULL, *answer;
	int ret = hil_ha_get_state(e->t->ha, c->subject, &state, &err);
	int ok = ret == 0 && hil_cond_match(c, state);
	if (ret < 0 && ret != -ENOENT) {
		answer = hil_observer_answer("HA", ret, err);
		ok = unreadable(why, c->subject, answer);
		free(answer);
	} else if (!ok) {
		char *want = hil_cond_describe(c);
		if (asprintf(why, "%s is %s, want %s", c->subject, ret == 0 ? state : "unknown to HA", want) < 0)
			*why = NULL;
		free(want);
	}
	free(state);
	free(err);
	return ok;
}

/* 1 the probe holds, 0 it does not, -1 the lab could not tell (*why says which part). */
static int probe_holds(struct engine *e, const struct hil_probe *p, char **why)
{
	const char *down;
	switch (p->kind) {
	case HIL_PROBE_ROUTER_UP:
		if (hil_observer_router_up(e->obs) == 1)
			return 1;
		*why = strdup("router not reachable over SSH");
		return 0;
	case HIL_PROBE_PLUG_ON:
		/* the last reading may be older than the plug's failure: not an answer */
		if ((down = hil_observer_unreadable(e->obs, "plug")))
			return unreadable(why, "plug-on", down);
		if (hil_observer_plug_on(e->obs) == 1)
			return 1;
		*why = strdup("plug not on");
		return 0;
	case HIL_PROBE_STATE:
		break;
	}
	if (strncmp(p->cond.subject, "router.", 7) == 0 || strncmp(p->cond.subject, "ring.", 5) == 0)
		return router_state_holds(e, &p->cond, why);
	return ha_state_holds(e, &p->cond, why);
}

/* Do all probes hold now? 1 yes; else 0 or -1 (unreadable) from the first that does not, *why says which. */
static int steady_now(struct engine *e, char **why)
{
	const struct hil_steady *st = &e->sc->steady;
	for (size_t i = 0; i < st->n_probes; i++) {
		free(*why);
		*why = NULL;
		int ret = probe_holds(e, &st->probes[i], why);
		if (ret != 1)
			return ret;
	}
	return 1;
}

/*
 * Wait up to the settle time for the steady state: 1 if it holds, 0 if it did
 * not in time, -1 as soon as a probe's source cannot be read (the lab's error,
 * whatever the system does).
 */
static int reach_steady_state(struct engine *e, char **why)
{
	const struct hil_steady *st = &e->sc->steady;
	int64_t deadline = now_abs(e) + st->settle_ms;
	for (;;) {
		hil_observer_poll(e->obs);
		int ret = steady_now(e, why);
		if (ret != 0)
			return ret;
		if (now_abs(e) >= deadline || e->error)
			return 0;
		int64_t next = now_abs(e) + e->sc->observe_period_ms;
		if (wait_until(e, next < deadline ? next : deadline, *why ? *why : "steady state") < 0)
			return 0;
	}
}

static const char *param_string(const struct hil_step *s, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(s->params, key, &v) ? json_object_get_string(v) : NULL;
}

/* Scenario params -> fake lab params: durations become milliseconds. */
static char *inject_params(const struct hil_step *s)
{
	json_object *out = json_object_new_object();
	json_object_object_foreach(s->params, key, val) {
		int64_t ms;
		if ((!strcmp(key, "duration") || !strcmp(key, "width")) &&
		    hil_duration_parse(json_object_get_string(val), &ms) == 0)
			json_object_object_add(out, !strcmp(key, "width") ? "width_ms" : "duration_ms",
					       json_object_new_int64(ms));
		else
			json_object_object_add(out, key, json_object_get(val));
	}
	char *text = strdup(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
	json_object_put(out);
	return text;
}

/* A lab failure on purpose ("lab.fault" {target, mode}): robustness tests on the fake lab. */
static int inject_fault(struct engine *e, const struct hil_step *s, char **err)
{
	const char *target = param_string(s, "target"), *mode = param_string(s, "mode");
	if (!target || !mode) {
		*err = strdup("lab.fault needs params target and mode");
		return -EINVAL;
	}
	return hil_fakelab_fault(e->t->fakelab, target, mode, err);
}

/*
 * What the GPIO rig can inject: a TX_FAULT storm with the carrier up (a pulse
 * train of a known duration; cutting the fiber is not wired) and a PERST# pulse.
 * In a real lab, with the lines wired and permitted; sfp.storm-stop is a no-op
 * there (a train ends by itself). The fake lab has a rig of its own (the fake
 * backend), so that this path of the engine runs in CI too; its storms may be
 * optical ones, which only the world can stop, and a storm that says what
 * clears it (cleared_by) is the world's to model, not a pulse train's.
 */
static int gpio_can(struct engine *e, const struct hil_step *s)
{
	const struct hil_lab *lab = e->t->lab;
	int fake = e->t->fakelab != NULL;
	json_object *v;
	if (!fake && (!lab->gpio.chip || !hil_lab_permits(lab, "gpio")))
		return 0;
	if (!strcmp(s->name, "sfp.storm-stop"))
		return !fake;
	if (!strcmp(s->name, "wifi.perst"))
		return fake || lab->gpio.perst.present;
	return !strcmp(s->name, "sfp.storm") && (fake || lab->gpio.tx_fault.present) &&
	       json_object_object_get_ex(s->params, "duration", NULL) &&
	       (!fake || !json_object_object_get_ex(s->params, "cleared_by", NULL)) &&
	       json_object_object_get_ex(s->params, "carrier", &v) && json_object_get_int(v) == 1;
}

/* The GPIO rig does the injection; the achieved rate goes into the timeline. */
static int inject_gpio(struct engine *e, const struct hil_step *s, char **err)
{
	char *gerr = NULL;
	struct hil_gpio *g = hil_gpio_open(e->t->lab, e->t->fakelab, &gerr);
	int64_t ms = 0;
	json_object *v;
	int ret = -EINVAL;
	if (g && !strcmp(s->name, "sfp.storm-stop")) {
		ret = 0;
	} else if (g && !strcmp(s->name, "wifi.perst")) {
		json_object_object_get_ex(s->params, "width_ms", &v);
		ret = g->ops->pulse(g, HIL_GPIO_PERST, json_object_get_int64(v), &gerr);
		if (ret == 0) {
			char detail[48];
			snprintf(detail, sizeof(detail), "{\"width_ms\":%lld}", (long long)json_object_get_int64(v));
			hil_timeline_add(e->tl, now_t(e), "harness", "gpio.perst", "pulse", detail);
		}
	} else if (g) {
		struct hil_gpio_train train;
		json_object *rate;
		json_object_object_get_ex(s->params, "duration", &v);
		json_object_object_get_ex(s->params, "rate_per_s", &rate);
		if (hil_duration_parse(json_object_get_string(v), &ms) == 0)
			ret = g->ops->pulse_train(g, json_object_get_double(rate), ms, &train, &gerr);
		if (ret == 0) {
			char detail[128];
			snprintf(detail, sizeof(detail), "{\"pulses\":%ld,\"achieved_per_s\":%.1f,\"late_max_us\":%lld}",
				 train.pulses, train.achieved_per_s, (long long)train.late_max_us);
			hil_timeline_add(e->tl, now_t(e), "harness", "gpio.tx_fault", "train", detail);
		}
	}
	*err = gerr;
	hil_gpio_free(g);
	return ret;
}

static int run_inject(struct engine *e, const struct hil_step *s)
{
	if (gpio_can(e, s)) {
		char *err = NULL;
		int ret = inject_gpio(e, s, &err);
		if (ret < 0)
			set_error(e, "GPIO injection %s failed: %s", s->name, err ? err : strerror(-ret));
		free(err);
		return ret;
	}
	if (!e->t->fakelab) {
		/* refused before anything ran (injections_possible); never half-way */
		set_error(e, "injection %s needs the fake lab", s->name);
		return -ENOTSUP;
	}
	char *params = inject_params(s), *err = NULL;
	int ret = strcmp(s->name, "lab.fault") == 0 ? inject_fault(e, s, &err)
						   : hil_fakelab_inject(e->t->fakelab, s->name, params, &err);
	if (ret < 0) {
		set_error(e, "injection %s failed: %s", s->name, err ? err : strerror(-ret));
	} else {
		char subject[96];
		int stop = strcmp(s->name, "sfp.storm-stop") == 0;
		snprintf(subject, sizeof(subject), "inject.%s", stop ? "sfp.storm" : s->name);
		hil_timeline_add(e->tl, now_t(e), "harness", subject, stop ? "stop" : "start", params);
	}
	free(params);
	free(err);
	return ret;
}

static int reboot_wait(void *ctx, int64_t until)
{
	return wait_until(ctx, until, "the router to reboot");
}

/* Down, SSH back, services back: measured into the timeline; expectations judge. */
static int run_expect_reboot(struct engine *e, const struct hil_step *s)
{
	int64_t within = 0;
	hil_duration_parse(param_string(s, "within"), &within);
	struct hil_reboot_watch w = { .t = e->t, .tl = e->tl, .origin = e->origin, .wait = reboot_wait, .ctx = e };
	int ret = hil_expect_reboot(&w, now_abs(e) + within, param_string(s, "ready_command"));
	return ret < 0 ? ret : 0;
}

/* Record @subject = @value with what the router said, as {"said": @said}. */
static void add_said(struct engine *e, const char *subject, const char *value, const char *said)
{
	json_object *d = json_object_new_object();
	json_object_object_add(d, "said", json_object_new_string(said ? said : ""));
	hil_timeline_add(e->tl, now_t(e), "harness", subject, value, json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN));
	json_object_put(d);
}

/* act flash (FLASH-1): a refused image is an outcome to judge, not a lab error. */
static int run_flash(struct engine *e, const struct hil_step *s)
{
	int keep_settings;
	char *image = hil_sysupgrade_image(e->sc, s, e->t->image, &keep_settings), *why = NULL, *err = NULL;
	enum hil_sysupgrade_outcome outcome;
	int ret = image ? hil_sysupgrade(e->t->router, image, keep_settings, ACT_SSH_TIMEOUT_MS, &outcome, &why, &err)
			: -ENOMEM;
	if (ret < 0)
		set_error(e, "flash: %s", err ? err : strerror(-ret));
	else if (outcome == HIL_SYSUPGRADE_REFUSED)
		add_said(e, "act.flash", "refused", why);
	else
		hil_timeline_add(e->tl, now_t(e), "harness", "act.flash", "flashing", NULL);
	free(image), free(why), free(err);
	return ret;
}

static int run_act(struct engine *e, const struct hil_step *s)
{
	char *err = NULL;
	int ret;
	if (strcmp(s->name, "expect-reboot") == 0)
		return run_expect_reboot(e, s);
	if (strcmp(s->name, "flash") == 0)
		return run_flash(e, s);
	if (strcmp(s->name, "plug") == 0) {
		json_object *on;
		json_object_object_get_ex(s->params, "on", &on);
		int want = json_object_get_boolean(on);
		e->plug_touched = 1;
		ret = hil_plug_set(e->t->plug, want, &err);
		if (ret < 0)
			set_error(e, "failed to switch the plug %s: %s", want ? "on" : "off", err ? err : "?");
		else
			hil_timeline_add(e->tl, now_t(e), "harness", "act.plug", want ? "on" : "off", NULL);
	} else {
		const char *cmd = param_string(s, "command");
		struct hil_ssh_result res = { 0 };
		ret = hil_ssh_exec(e->t->router, cmd, NULL, 0, ACT_SSH_TIMEOUT_MS, &res, &err);
		json_object *expect, *may_drop;
		if (ret == -ECONNRESET && json_object_object_get_ex(s->params, "may_disconnect", &may_drop) &&
		    json_object_get_boolean(may_drop)) {
			/* the command took the router down with it (sysrq c, reboot): as intended */
			hil_timeline_add(e->tl, now_t(e), "harness", "act.ssh", "disconnected", NULL);
			ret = 0;
		} else if (ret < 0) {
			set_error(e, "ssh command \"%s\" failed: %s", cmd, err ? err : "?");
		} else if (json_object_object_get_ex(s->params, "expect_status", &expect) &&
			   json_object_get_int(expect) != res.exit_status) {
			set_error(e, "ssh command \"%s\" exited %d, expected %d", cmd, res.exit_status,
				  json_object_get_int(expect));
			ret = -EPROTO;
		} else {
			char status[16];
			snprintf(status, sizeof(status), "%d", res.exit_status);
			hil_timeline_add(e->tl, now_t(e), "harness", "act.ssh", status, NULL);
		}
		hil_ssh_result_free(&res);
	}
	free(err);
	return ret;
}

static void describe_step(struct engine *e, const struct hil_step *s)
{
	char d[32];
	switch (s->kind) {
	case HIL_STEP_WAIT:
		snprintf(e->step, sizeof(e->step), "wait %s", hil_duration_format(s->duration_ms, d, sizeof(d)));
		break;
	case HIL_STEP_ALIGN:
		snprintf(e->step, sizeof(e->step), "align to %s", hil_duration_format(s->duration_ms, d, sizeof(d)));
		break;
	case HIL_STEP_INJECT:
		snprintf(e->step, sizeof(e->step), "inject %s", s->name);
		break;
	case HIL_STEP_ACT:
		snprintf(e->step, sizeof(e->step), "act %s", s->name);
		break;
	}
	if (s->label) {
		size_t n = strlen(e->step);
		snprintf(e->step + n, sizeof(e->step) - n, " [%s]", s->label);
	}
}

static int run_step(struct engine *e, const struct hil_step *s)
{
	describe_step(e, s);
	if (s->label)
		hil_timeline_mark(e->tl, s->label, now_t(e));
	report(e, NULL);
	int64_t now = now_abs(e);
	switch (s->kind) {
	case HIL_STEP_WAIT:
		return wait_for_time(e, now + s->duration_ms);
	case HIL_STEP_ALIGN: {
		int64_t k = (now - s->offset_ms) / s->duration_ms + 1;
		return wait_for_time(e, k * s->duration_ms + s->offset_ms);
	}
	case HIL_STEP_INJECT:
		return run_inject(e, s);
	case HIL_STEP_ACT:
		return run_act(e, s);
	}
	return -EINVAL;
}

static int run_steps(struct engine *e, const struct hil_step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int ret = run_step(e, &steps[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void evaluate(struct engine *e, struct hil_scenario_result *r)
{
	for (size_t i = 0; i < e->sc->n_expects; i++) {
		const struct hil_expect *x = &e->sc->expects[i];
		struct hil_verdict v = { 0 };
		if (hil_expect_eval(x, e->tl, &v) < 0) {
			v.status = HIL_ERROR;
			v.message = strdup("could not evaluate this expectation");
		}
		char *evidence = hil_evidence_json(e->tl, v.evidence, v.n_evidence);
		hil_scenario_add_check(r, x->id, x->requirement, hil_expect_kind_name(x->kind),
					      v.status, v.message, evidence);
		free(evidence);
		hil_verdict_clear(&v);
	}
}

/* Power back on, whatever happened: a lab left dark fails every later run. */
static void restore_power(struct engine *e)
{
	char *err = NULL;
	int on = 0;
	if (!e->plug_touched || (hil_plug_get(e->t->plug, &on, &err) == 0 && on)) {
		free(err);
		return;
	}
	free(err);
	err = NULL;
	if (hil_plug_set(e->t->plug, 1, &err) < 0) {
		fprintf(stderr, "r4hil: %s: SAFETY: could not switch the plug back on: %s\n", e->sc->name,
			err ? err : "?");
		set_error(e, "teardown: could not switch the plug back on: %s", err ? err : "?");
	} else {
		hil_timeline_add(e->tl, now_t(e), "harness", "act.plug", "on", "{\"by\":\"teardown\"}");
	}
	free(err);
}

/* Wait (up to the restore deadline) for the router's SSH, polling as usual. */
static int router_back(struct engine *e)
{
	int64_t deadline = now_abs(e) + HIL_BACKUP_WAIT_MS;
	for (;;) {
		hil_observer_poll(e->obs);
		if (hil_observer_router_up(e->obs) == 1)
			return 1;
		if (now_abs(e) >= deadline)
			return 0;
		if (wait_until(e, now_abs(e) + e->sc->observe_period_ms, "router back for restore") < 0)
			return 0;
	}
}

/* Teardown's safety net: the plug on, then the files saved in setup restored. */
static void restore_lab(struct engine *e)
{
	restore_power(e);
	if (!e->backup || !hil_backup_needed(e->backup))
		return;
	char *err = NULL;
	if (!router_back(e) || hil_backup_restore(e->backup, e->t->router, &err) < 0) {
		fprintf(stderr, "r4hil: %s: SAFETY: could not restore %s: %s\n", e->sc->name,
			hil_backup_paths(e->backup), err ? err : "router not back");
		set_error(e, "teardown: could not restore %s: %s", hil_backup_paths(e->backup),
			  err ? err : "router not back");
	}
	free(err);
}

static void run_teardown(struct engine *e)
{
	e->phase = "teardown";
	volatile sig_atomic_t *stop = e->stop;
	e->stop = NULL; /* teardown runs to the end, even after Ctrl-C */
	char *before = e->error ? strdup(e->error) : NULL;
	for (size_t i = 0; i < e->sc->n_teardown; i++)
		run_step(e, &e->sc->teardown[i]);
	restore_lab(e);
	if (e->error && (!before || strcmp(before, e->error) != 0))
		fprintf(stderr, "r4hil: %s: teardown: %s\n", e->sc->name, e->error);
	free(before);
	e->stop = stop;
}

/* A step this lab cannot do, with the reason as the skip reason. */
static int step_impossible(struct engine *e, const struct hil_step *s)
{
	if (s->kind != HIL_STEP_INJECT || e->t->fakelab || gpio_can(e, s))
		return 0;
	if (asprintf(&e->skip_reason, "injection %s needs the fake lab%s (this lab cannot inject it)", s->name,
		     strcmp(s->name, "lab.fault") ? " or a permitted GPIO rig" : "") < 0)
		e->skip_reason = NULL;
	return 1;
}

/* The first step of setup, steps or teardown that satisfies @pred, or NULL. */
static const struct hil_step *find_step(struct engine *e, int (*pred)(struct engine *, const struct hil_step *))
{
	const struct { const struct hil_step *steps; size_t n; } parts[] = {
		{ e->sc->setup, e->sc->n_setup }, { e->sc->steps, e->sc->n_steps },
		{ e->sc->teardown, e->sc->n_teardown },
	};
	for (size_t p = 0; p < 3; p++)
		for (size_t i = 0; i < parts[p].n; i++)
			if (pred(e, &parts[p].steps[i]))
				return &parts[p].steps[i];
	return NULL;
}

/* Refuse, before anything runs, what this lab cannot do: never stop half-way. */
static int injections_possible(struct engine *e)
{
	return find_step(e, step_impossible) == NULL;
}

static int gpio_step(struct engine *e, const struct hil_step *s)
{
	return s->kind == HIL_STEP_INJECT && gpio_can(e, s);
}

static int needs_gpio(struct engine *e)
{
	for (size_t i = 0; i < e->sc->n_needs; i++)
		if (!strcmp(e->sc->needs[i], "gpio"))
			return 1;
	return find_step(e, gpio_step) != NULL;
}

/*
 * A rig in the lab file whose chip this machine cannot open (no rig wired to
 * this host, or CI): the scenario cannot run here, which is a skip, not the
 * lab failing mid-way. Other rig problems stay errors at the injection.
 */
static int rig_present(struct engine *e)
{
	if (e->t->fakelab || !needs_gpio(e))
		return 1;
	char *err = NULL, *detail = NULL;
	struct hil_gpio *g = hil_gpio_open(e->t->lab, NULL, &err);
	int ret = g ? g->ops->check(g, &detail, &err) : -ENOMEM;
	hil_gpio_free(g);
	free(detail);
	if (ret == -ENODEV &&
	    asprintf(&e->skip_reason, "needs the GPIO rig: %s", err ? err : strerror(ENODEV)) < 0)
		e->skip_reason = NULL;
	free(err);
	return ret != -ENODEV;
}

static int needs_met(struct engine *e)
{
	for (size_t i = 0; i < e->sc->n_needs; i++) {
		if (!strcmp(e->sc->needs[i], "gpio") && !e->t->fakelab && !e->t->lab->gpio.chip) {
			e->skip_reason = strdup("needs the GPIO rig, and the lab file has no gpio section");
			return 0;
		}
		if (!strcmp(e->sc->needs[i], "flash") && !e->t->fakelab && !e->t->image) {
			e->skip_reason = strdup("needs a sysupgrade image (run --image FILE): the scenario's "
						"stand-in is for the fake lab only");
			return 0;
		}
		if (!hil_lab_permits(e->t->lab, e->sc->needs[i])) {
			if (asprintf(&e->skip_reason, "the lab does not permit \"%s\"", e->sc->needs[i]) < 0)
				e->skip_reason = NULL;
			return 0;
		}
	}
	return 1;
}

static void experiment(struct engine *e, struct hil_scenario_result *r)
{
	char *why = NULL;
	e->phase = "setup";
	e->backup = hil_backup_take(e->t->router, &why);
	if (why) {
		/* no backup, no changes: a router we cannot read is not touched */
		set_error(e, "setup: could not back up the router's files: %s", why);
		free(why);
		return;
	}
	if (run_steps(e, e->sc->setup, e->sc->n_setup) < 0)
		return;
	if (e->sc->steady.present) {
		e->phase = "steady-state";
		e->step[0] = '\0';
		int st = reach_steady_state(e, &why);
		if (st != 1) {
			char d[32];
			if (st < 0)
				set_error(e, "steady state could not be checked before the fault: %s", why ? why : "?");
			else
				set_error(e, "steady state not reached within %s before the fault: %s",
					  hil_duration_format(e->sc->steady.settle_ms, d, sizeof(d)), why ? why : "?");
			free(why);
			return;
		}
	}
	free(why);
	why = NULL;
	e->phase = "steps";
	hil_timeline_mark(e->tl, "start", now_t(e));
	int ret = run_steps(e, e->sc->steps, e->sc->n_steps);
	hil_timeline_mark(e->tl, "end", now_t(e));
	if (ret < 0)
		return;
	if (e->sc->steady.present) {
		e->phase = "recovery";
		e->step[0] = '\0';
		int st = reach_steady_state(e, &why);
		if (e->error) {
			free(why);
			return;
		}
		char d[32], *msg = NULL;
		hil_duration_format(e->sc->steady.settle_ms, d, sizeof(d));
		int n = st == 1 ? asprintf(&msg, "steady state restored after the experiment")
			: st < 0 ? asprintf(&msg, "steady state could not be checked after the experiment: %s",
					    why ? why : "?")
			: asprintf(&msg, "steady state not restored within %s after the experiment: %s", d,
				   why ? why : "?");
		if (n < 0)
			msg = NULL;
		hil_scenario_add_check(r, "steady-state-after", e->sc->steady.requirement, "steady-state",
				       st == 1 ? HIL_PASS : st < 0 ? HIL_ERROR : HIL_FAIL, msg, "[]");
		free(msg);
		free(why);
	}
	hil_observer_poll(e->obs);
	evaluate(e, r);
}

struct hil_timeline *hil_engine_run(const struct hil_scenario *sc, struct hil_target *target,
				    const struct hil_progress *progress, volatile sig_atomic_t *stop,
				    struct hil_scenario_result *r, int64_t *origin)
{
	struct engine e = { .sc = sc, .t = target, .progress = progress, .stop = stop };
	size_t n_entities = 0;
	char **entities = hil_scenario_ha_entities(sc, &n_entities);
	e.tl = hil_timeline_new();
	e.origin = now_abs(&e);
	e.next_poll = e.origin;
	e.obs = hil_observer_new(target, e.tl, e.origin, entities, n_entities);
	for (size_t i = 0; i < sc->n_commands; i++)
		if (hil_observer_add_command(e.obs, sc->commands[i].name, sc->commands[i].command) < 0)
			set_error(&e, "out of memory");
	if (sc->health_ring && hil_observer_read_health_ring(e.obs, sc->health_ring) < 0)
		set_error(&e, "out of memory");
	*origin = e.origin;

	if (needs_met(&e) && injections_possible(&e) && rig_present(&e))
		experiment(&e, r);
	if (!e.skip_reason)
		run_teardown(&e);

	r->virtual_ms = now_t(&e);
	if (e.skip_reason)
		hil_scenario_set_error(r, HIL_SKIPPED, e.skip_reason);
	else if (e.error)
		hil_scenario_set_error(r, HIL_ERROR, e.error);
	free(e.skip_reason);
	free(e.error);
	hil_backup_free(e.backup);
	hil_observer_free(e.obs);
	for (size_t i = 0; i < n_entities; i++)
		free(entities[i]);
	free(entities);
	return e.tl;
}
