#include "world/world.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/beneath.h"
#include "sandbox/cron.h"
#include "sandbox/sandbox.h"
#include "servers/ha.h"
#include "world/model.h"
#include "world/modelfs.h"
#include "world/onu.h"
#include "core/truth.h"

/*
 * IRQ counts are kept in millionths of an interrupt so that a baseline of
 * 1.5 per minute and a storm of 1 800 per second both advance exactly.
 */
#define UIRQ_PER_IRQ 1000000LL
#define BASELINE_UIRQ_PER_MS 25LL /* 1.5 per minute */

struct storm {
	int active;
	int64_t uirq_per_ms;
	int carrier;
	int cleared_by_reboot; /* a kernel IRQ wedge; else optical, cleared by ONU power loss */
	uint64_t end_timer;
};

struct fl_world {
	struct fl_world_config cfg;
	struct fl_loop *loop;
	int plug_on;

	enum fl_router_state router;
	int boot_count;
	fl_ms kernel_start;
	uint64_t boot_timer;
	struct fl_sandbox *sandbox;
	struct fl_cron *cron;
	int64_t irq_uirq; /* since kernel start */
	fl_ms irq_synced;

	int onu_powered; /* the ONU's own state: world/onu.c */

	struct storm storm;
	enum fl_reset_cause reset_cause; /* of the last reset */

	void **model_states; /* one per fl_models[] entry */
};

/* Call hook @hook of every registered model, with the state and the extra arguments. */
#define EACH_MODEL(w, hook, ...)                                                   \
	do {                                                                       \
		for (size_t i_ = 0; fl_models[i_]; i_++)                           \
			if (fl_models[i_]->hook)                                   \
				fl_models[i_]->hook((w)->model_states[i_], ##__VA_ARGS__); \
	} while (0)

static int router_kernel_running(const struct fl_world *w)
{
	return w->router != FL_ROUTER_OFF;
}

static int wan_carrier(const struct fl_world *w)
{
	if (w->router != FL_ROUTER_UP || !fl_onu_in_o5(w))
		return 0;
	return !(w->storm.active && w->storm.carrier == 0);
}

static int64_t irq_rate(const struct fl_world *w)
{
	if (!router_kernel_running(w))
		return 0;
	int64_t rate = BASELINE_UIRQ_PER_MS;
	if (w->storm.active && w->onu_powered)
		rate += w->storm.uirq_per_ms;
	return rate;
}

/* Bring the IRQ counter up to now at the rate that held since the last sync. */
static void sync_counters(struct fl_world *w)
{
	fl_ms now = fl_loop_now(w->loop);
	if (now > w->irq_synced)
		w->irq_uirq += irq_rate(w) * (now - w->irq_synced);
	w->irq_synced = now;
}

static void write_model_files(struct fl_world *w)
{
	fl_ms now = fl_loop_now(w->loop);
	int64_t irqs = w->irq_uirq / UIRQ_PER_IRQ;
	int64_t uptime_ms = router_kernel_running(w) ? now - w->kernel_start : 0;
	fl_modelfs_interrupts(w->cfg.model_dir, irqs, uptime_ms);
	fl_modelfs_printf(w->cfg.model_dir, "proc/uptime", "%lld.%02lld %lld.%02lld\n",
			  (long long)(uptime_ms / 1000), (long long)(uptime_ms % 1000 / 10),
			  (long long)(uptime_ms * 3 / 1000), (long long)(uptime_ms * 3 % 1000 / 10));
	fl_modelfs_printf(w->cfg.model_dir, "clock", "%lld\n", (long long)(now / 1000));
	/* sys/class/net/sfp-wan/{carrier,operstate} belong to the wan model (wan.c) */
}

static void on_time_change(void *arg)
{
	struct fl_world *w = arg;
	sync_counters(w);
	write_model_files(w);
	EACH_MODEL(w, time);
}

/*
 * Every change of state goes through here: counters first, then the new state's
 * files, then the models bring theirs up to date (e.g. the WAN carrier follows the
 * ONU and the storm).
 */
static void changed(struct fl_world *w)
{
	write_model_files(w);
	EACH_MODEL(w, time);
}

/* An optical storm (not the kernel IRQ wedge) blinds the ONU: tell its model. */
static void emit_optical(struct fl_world *w, int active)
{
	json_object *p = json_object_new_object();
	json_object_object_add(p, "active", json_object_new_boolean(active));
	fl_world_emit(w, "sfp.optical-storm", p);
	json_object_put(p);
}

static void storm_clear(struct fl_world *w, const char *why)
{
	if (!w->storm.active)
		return;
	int optical = !w->storm.cleared_by_reboot;
	sync_counters(w);
	fl_timer_cancel(w->loop, w->storm.end_timer);
	memset(&w->storm, 0, sizeof(w->storm));
	fl_truth_log(w->cfg.truth, "sfp.storm", "storm ends: %s", why);
	if (optical)
		emit_optical(w, 0);
	changed(w);
}

/* ---- ONU power (its PLOAM, SSH and HA sensor: world/onu.c, through the power hook) ---- */

static void onu_power(struct fl_world *w, int on)
{
	w->onu_powered = on;
	/* the laser is off: an optical storm ends here */
	if (!on && w->storm.active && !w->storm.cleared_by_reboot)
		storm_clear(w, "ONU lost power");
}

/* ---- router ---- */

static void router_userland(void *arg);

static void router_halt(struct fl_world *w)
{
	if (w->router == FL_ROUTER_UP)
		EACH_MODEL(w, halt);
	fl_cron_stop(w->cron);
	w->cron = NULL;
	if (w->sandbox) {
		fl_sandbox_kill(w->sandbox);
		fl_sandbox_free(w->sandbox);
		w->sandbox = NULL;
	}
}

static void router_power_off(struct fl_world *w)
{
	sync_counters(w);
	router_halt(w);
	fl_timer_cancel(w->loop, w->boot_timer);
	w->boot_timer = 0;
	w->router = FL_ROUTER_OFF;
	fl_truth_log(w->cfg.truth, "router", "power off");
	changed(w);
}

/* Reset the SoC: a new kernel, counters from zero, userland after the boot time. */
static void router_reset(void *arg)
{
	struct fl_world *w = arg;
	sync_counters(w);
	router_halt(w);
	w->router = FL_ROUTER_BOOTING;
	w->kernel_start = fl_loop_now(w->loop);
	w->irq_uirq = 0;
	if (w->storm.active && w->storm.cleared_by_reboot)
		storm_clear(w, "SoC reset");
	fl_truth_log(w->cfg.truth, "router", "reset: booting");
	w->boot_timer = fl_timer_add(w->loop, w->kernel_start + FL_ROUTER_BOOT_MS, router_userland, w);
	EACH_MODEL(w, reset);
	changed(w);
}

static void router_power_on(struct fl_world *w)
{
	fl_truth_log(w->cfg.truth, "router", "power on");
	w->reset_cause = FL_RESET_POWER_ON;
	router_reset(w);
}

static void boot_id(const struct fl_world *w, char buf[40])
{
	snprintf(buf, 40, "b0070000-0000-4000-8000-%012d", w->boot_count);
}

static void rc_local_done(void *arg, int status)
{
	struct fl_world *w = arg;
	fl_truth_log(w->cfg.truth, "router", "rc.local finished with wait status %d", status);
}

static void router_userland(void *arg)
{
	struct fl_world *w = arg;
	char *err = NULL;
	w->boot_timer = 0;
	w->boot_count++;
	char id[40];
	boot_id(w, id);
	fl_modelfs_printf(w->cfg.model_dir, "proc/boot_id", "%s\n", id);

	struct fl_sandbox_config sc = {
		.rootfs = w->cfg.rootfs,
		.model_dir = w->cfg.model_dir,
		.run_dir = w->cfg.run_dir,
		.routerd = w->cfg.routerd,
		.ssh_port = w->cfg.ssh_port,
		.hostname = "bpi-r4",
		.truth = w->cfg.truth,
	};
	w->sandbox = fl_sandbox_boot(w->loop, &sc, &err);
	if (!w->sandbox || fl_sandbox_start_dropbear(w->sandbox, &err) < 0) {
		fl_truth_log(w->cfg.truth, "lab.error", "router userland failed to start: %s",
			     err ? err : "unknown");
		fprintf(stderr, "r4hil-fakelab: router userland failed to start: %s\n", err ? err : "?");
		free(err);
		return;
	}
	w->router = FL_ROUTER_UP;
	fl_truth_log(w->cfg.truth, "router", "up: boot %d, boot id %s", w->boot_count, id);
	EACH_MODEL(w, userland);
	changed(w);

	/* as the router sees its rootfs: never a host path its links name */
	if (fl_beneath_exists(w->cfg.rootfs, "/etc/rc.local"))
		fl_sandbox_run(w->sandbox, "rc.local", "sh /etc/rc.local", rc_local_done, w);
	w->cron = fl_cron_start(w->loop, w->sandbox, w->cfg.rootfs, "/etc/crontabs/root", w->cfg.truth);
}

/* panic(): the kernel model prints, dumps and resets after kernel.panic s; userland is gone now. */
static void kernel_panic(struct fl_world *w, const char *why)
{
	fl_truth_log(w->cfg.truth, "router", "kernel panic: %s", why);
	EACH_MODEL(w, panic, why);
	router_halt(w);
	fl_timer_cancel(w->loop, w->boot_timer);
	w->boot_timer = 0;
	w->router = FL_ROUTER_BOOTING; /* dead until something resets the SoC */
	changed(w);
}

/* ---- public ---- */

int fl_world_plug_set(struct fl_world *w, int on)
{
	on = !!on;
	if (on == w->plug_on)
		return 0;
	sync_counters(w);
	w->plug_on = on;
	fl_truth_log(w->cfg.truth, "plug", "relay %s", on ? "on" : "off");
	if (on) {
		onu_power(w, 1);
		router_power_on(w);
	} else {
		router_power_off(w);
		onu_power(w, 0);
	}
	EACH_MODEL(w, power, on);
	if (w->cfg.ha && w->cfg.plug_entity)
		fl_ha_set_state(w->cfg.ha, w->cfg.plug_entity, on ? "on" : "off", NULL);
	changed(w);
	return 0;
}

int fl_world_plug_get(const struct fl_world *w)
{
	return w->plug_on;
}

static void storm_end(void *arg)
{
	struct fl_world *w = arg;
	w->storm.end_timer = 0;
	storm_clear(w, "duration elapsed");
}

static int param_int(struct json_object *params, const char *key, int64_t *out)
{
	struct json_object *v;
	if (!json_object_object_get_ex(params, key, &v))
		return -ENOENT;
	if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
		return -EINVAL;
	*out = (int64_t)json_object_get_double(v);
	return 0;
}

static int inject_storm(struct fl_world *w, struct json_object *params, char **err)
{
	int64_t rate = 0, carrier = 0, duration = 0;
	if (param_int(params, "rate_per_s", &rate) < 0 || rate <= 0 ||
	    param_int(params, "carrier", &carrier) < 0 || (carrier != 0 && carrier != 1)) {
		*err = strdup("sfp.storm needs rate_per_s > 0 and carrier 0 or 1");
		return -EINVAL;
	}
	param_int(params, "duration_ms", &duration);
	struct json_object *v;
	const char *cleared_by = "onu-power";
	if (json_object_object_get_ex(params, "cleared_by", &v))
		cleared_by = json_object_get_string(v);
	if (strcmp(cleared_by, "onu-power") != 0 && strcmp(cleared_by, "reboot") != 0) {
		*err = strdup("sfp.storm cleared_by must be \"onu-power\" or \"reboot\"");
		return -EINVAL;
	}
	storm_clear(w, "replaced by a new storm");
	sync_counters(w);
	w->storm.active = 1;
	w->storm.uirq_per_ms = rate * UIRQ_PER_IRQ / 1000;
	w->storm.carrier = (int)carrier;
	w->storm.cleared_by_reboot = strcmp(cleared_by, "reboot") == 0;
	if (duration > 0)
		w->storm.end_timer = fl_timer_add(w->loop, fl_loop_now(w->loop) + duration, storm_end, w);
	fl_truth_log(w->cfg.truth, "sfp.storm", "storm starts: %lld/s, carrier %lld, cleared by %s%s",
		     (long long)rate, (long long)carrier, cleared_by, duration > 0 ? ", timed" : "");
	if (!w->storm.cleared_by_reboot)
		emit_optical(w, 1);
	changed(w);
	return 0;
}

/*
 * world.emit {"event": "<model>.<event>"}: deliver a model event as if its model
 * had emitted it, to test one model without its neighbour (e.g. the kernel's
 * PPPoE wedge without the WAN model). Not for scenarios: no real lab can do it.
 */
static int inject_emit(struct fl_world *w, struct json_object *params, char **err)
{
	struct json_object *v;
	if (!params || !json_object_object_get_ex(params, "event", &v) || !strchr(json_object_get_string(v), '.')) {
		*err = strdup("world.emit needs \"event\": \"<model>.<event>\"");
		return -EINVAL;
	}
	fl_truth_log(w->cfg.truth, "lab", "event %s emitted by the control endpoint", json_object_get_string(v));
	fl_world_emit(w, json_object_get_string(v), params);
	return 0;
}

int fl_world_inject(struct fl_world *w, const char *name, struct json_object *params, char **err)
{
	if (strcmp(name, "sfp.storm") == 0)
		return inject_storm(w, params, err);
	if (strcmp(name, "sfp.storm-stop") == 0) {
		storm_clear(w, "stopped by the harness");
		return 0;
	}
	if (strcmp(name, "world.emit") == 0)
		return inject_emit(w, params, err);
	for (size_t i = 0; fl_models[i]; i++) {
		size_t n = strlen(fl_models[i]->name);
		if (fl_models[i]->inject && strncmp(name, fl_models[i]->name, n) == 0 && name[n] == '.')
			return fl_models[i]->inject(w->model_states[i], name + n + 1, params, err);
	}
	if (asprintf(err, "unknown injection \"%s\"", name) < 0)
		*err = NULL;
	return -EINVAL;
}

int fl_world_router_request(struct fl_world *w, const char *what)
{
	if (w->router != FL_ROUTER_UP)
		return -EAGAIN;
	if (strcmp(what, "reboot") == 0) {
		if (w->boot_timer)
			return -EAGAIN; /* already shutting down */
		/*
		 * Like the real command, reboot returns at once and procd takes the
		 * system down during the shutdown time: the caller's SSH session ends
		 * with its exit status. router_reset halts userland.
		 */
		fl_truth_log(w->cfg.truth, "router", "reboot requested");
		w->reset_cause = FL_RESET_REBOOT;
		w->boot_timer = fl_timer_add(w->loop, fl_loop_now(w->loop) + FL_ROUTER_SHUTDOWN_MS,
					     router_reset, w);
		changed(w);
		return 0;
	}
	if (strcmp(what, "poweroff") == 0) {
		fl_truth_log(w->cfg.truth, "router", "poweroff requested: off until the plug cycles");
		router_power_off(w);
		return 0;
	}
	return -EINVAL;
}

int fl_world_hw_request(struct fl_world *w, const char *model, const char *action, json_object *body,
			struct fl_http_resp *resp)
{
	for (size_t i = 0; fl_models[i]; i++)
		if (fl_models[i]->hw && strcmp(fl_models[i]->name, model) == 0)
			return fl_models[i]->hw(w->model_states[i], action, body, resp);
	return -ENOENT;
}

/* ---- for the models (world/model.h) ---- */

struct fl_loop *fl_world_loop(const struct fl_world *w) { return w->loop; }
struct fl_truth *fl_world_truth(const struct fl_world *w) { return w->cfg.truth; }
struct fl_ha *fl_world_ha(const struct fl_world *w) { return w->cfg.ha; }
struct fl_sandbox *fl_world_sandbox(const struct fl_world *w) { return w->sandbox; }
const char *fl_world_model_dir(const struct fl_world *w) { return w->cfg.model_dir; }
const char *fl_world_rootfs(const struct fl_world *w) { return w->cfg.rootfs; }
enum fl_router_state fl_world_router(const struct fl_world *w) { return w->router; }
fl_ms fl_world_kernel_start(const struct fl_world *w) { return w->kernel_start; }
int fl_world_boot_count(const struct fl_world *w) { return w->boot_count; }
int fl_world_onu_powered(const struct fl_world *w) { return w->onu_powered; }
enum fl_reset_cause fl_world_reset_cause(const struct fl_world *w) { return w->reset_cause; }
const struct fl_world_config *fl_world_cfg(const struct fl_world *w) { return &w->cfg; }
int fl_world_wan_signal(const struct fl_world *w) { return wan_carrier(w); }

void *fl_world_model_state(const struct fl_world *w, const char *name)
{
	for (size_t i = 0; fl_models[i]; i++)
		if (strcmp(fl_models[i]->name, name) == 0)
			return w->model_states[i];
	return NULL;
}

void fl_world_kernel_panic(struct fl_world *w, const char *why)
{
	if (w->router == FL_ROUTER_OFF)
		return;
	kernel_panic(w, why);
}

void fl_world_hard_reset(struct fl_world *w, const char *why)
{
	if (w->router == FL_ROUTER_OFF)
		return;
	fl_truth_log(w->cfg.truth, "router", "hardware reset: %s", why);
	fl_timer_cancel(w->loop, w->boot_timer);
	w->boot_timer = 0;
	w->reset_cause = FL_RESET_HARD;
	router_reset(w);
}

void fl_world_emit(struct fl_world *w, const char *event, json_object *params)
{
	EACH_MODEL(w, event, event, params);
}

void fl_world_changed(struct fl_world *w)
{
	changed(w);
}

const char *fl_world_router_state(const struct fl_world *w)
{
	static const char *const names[] = { "off", "booting", "up" };
	return names[w->router];
}

static int init_models(struct fl_world *w, char **err)
{
	size_t n = 0;
	while (fl_models[n])
		n++;
	w->model_states = calloc(n + 1, sizeof(*w->model_states));
	if (!w->model_states)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!fl_models[i]->init)
			continue;
		int ret = fl_models[i]->init(w, &w->model_states[i], err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void free_models(struct fl_world *w)
{
	if (!w->model_states)
		return;
	for (size_t i = 0; fl_models[i]; i++)
		if (fl_models[i]->free && w->model_states[i])
			fl_models[i]->free(w->model_states[i]);
	free(w->model_states);
	w->model_states = NULL;
}

struct fl_world *fl_world_new(const struct fl_world_config *cfg, char **err)
{
	struct fl_world *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->cfg = *cfg;
	w->loop = cfg->loop;
	w->irq_synced = fl_loop_now(w->loop);
	if (fl_modelfs_init(cfg->model_dir) < 0) {
		if (asprintf(err, "failed to create model files in %s: %s", cfg->model_dir, strerror(errno)) < 0)
			*err = NULL;
		free(w);
		return NULL;
	}
	fl_loop_on_time_change(w->loop, on_time_change, w);

	w->onu_powered = 1; /* before the models: the ONU model starts in O5 */
	if (init_models(w, err) < 0) {
		fl_world_free(w);
		return NULL;
	}

	/* Steady state: powered long ago, ONU registered, router up for an hour. */
	w->plug_on = 1;
	w->router = FL_ROUTER_BOOTING;
	w->kernel_start = fl_loop_now(w->loop) - 3600 * FL_SECOND;
	w->irq_uirq = BASELINE_UIRQ_PER_MS * 3600 * FL_SECOND;
	if (cfg->ha && cfg->plug_entity)
		fl_ha_set_state(cfg->ha, cfg->plug_entity, "on", NULL);
	router_userland(w);
	if (w->router != FL_ROUTER_UP) {
		*err = strdup("the fake router did not come up (see the log above)");
		fl_world_free(w);
		return NULL;
	}
	return w;
}

void fl_world_free(struct fl_world *w)
{
	if (!w)
		return;
	router_halt(w);
	fl_loop_on_time_change(w->loop, NULL, NULL);
	free_models(w);
	free(w);
}
