/*
 * The fake Home Assistant: HA's REST API (states, services, history) and an
 * automation engine that runs real HA automation YAML in the loop's virtual time.
 *
 * Everything runs in the loop's thread. Every timestamp is fl_loop_now() at the
 * moment of the change. Automation triggers, executed actions and service calls are
 * recorded to the truth log (kinds "ha.trigger", "ha.action", "ha.service", "ha.run").
 */
#ifndef FL_HA_H
#define FL_HA_H

#include <stddef.h>

#include "core/httpd.h"
#include "core/loop.h"

struct fl_truth;
struct fl_ha;

struct fl_ha_config {
	const char *token;              /* Bearer token the API requires */
	const char *automations_path;   /* HA automations YAML (a list of automations); NULL: none */
	const char *configuration_path; /* HA configuration.yaml; only `shell_command:` is read; may be NULL */
	struct fl_truth *truth;         /* may be NULL */
	/*
	 * Run a shell_command's command line asynchronously; call done(done_arg,
	 * wait_status) exactly once, later (not from inside run_shell). 0 or -errno.
	 * NULL: shell_command services fail (recorded, the run stops).
	 */
	int (*run_shell)(void *ctx, const char *command, fl_child_done_fn done, void *done_arg);
	void *run_shell_ctx;
};

/*
 * Load the configuration and automations. NULL on error with *err (if @err is not
 * NULL) set to a malloc'd "file:line:column: what" for YAML and automation errors,
 * or "file: reason" otherwise; the caller frees it. The config strings are copied.
 * Free the result with fl_ha_free.
 */
struct fl_ha *fl_ha_new(struct fl_loop *loop, const struct fl_ha_config *cfg, char **err);
/* Cancels pending timers and runs; a shell command still running calls back into nothing. NULL-safe. */
void fl_ha_free(struct fl_ha *ha);

/* The REST API, an fl_http_handler: pass the struct fl_ha as ctx. */
int fl_ha_handle_http(void *ha, const struct fl_http_req *req, struct fl_http_resp *resp);

struct fl_ha_switch_ops {
	/* Switch the device; it reports back later (or at once) with fl_ha_set_state. 0 or -errno. */
	int (*set)(void *ctx, const char *entity, int on);
};

/*
 * switch.turn_on/off/toggle on @entity call ops->set(@ctx, ...). @ops must outlive
 * @ha. A switch that is not bound is a virtual one: the service sets its state.
 * 0, or -ENOMEM / -EINVAL.
 */
int fl_ha_bind_switch(struct fl_ha *ha, const char *entity, const struct fl_ha_switch_ops *ops, void *ctx);

/*
 * Set an entity's state as a POST /api/states would (world-driven entities: plug
 * switch, ping binary_sensor, ONU sensor). @attributes_json NULL keeps the
 * attributes. Identical state and attributes change nothing. Triggers run before
 * this returns. 0, or -EINVAL (bad entity id or JSON), -ENOMEM.
 */
int fl_ha_set_state(struct fl_ha *ha, const char *entity, const char *state, const char *attributes_json);

/* The current state string; NULL if unknown. Valid until @ha is freed. */
const char *fl_ha_get_state(const struct fl_ha *ha, const char *entity);

/* A notify.* or persistent_notification.* call, in call order. */
struct fl_ha_notification {
	fl_ms at;
	const char *service; /* e.g. "notify.mobile_app", "persistent_notification.dismiss" */
	const char *data;    /* service data as compact JSON */
};

/* Number of notifications so far; entry @i (NULL if out of range), owned by @ha. */
size_t fl_ha_notification_count(const struct fl_ha *ha);
const struct fl_ha_notification *fl_ha_notification_get(const struct fl_ha *ha, size_t i);

/*
 * Persistent notifications shown now (created, not dismissed). As in HA since
 * 2023.6 they are not entities: /api/states does not list them.
 * fl_ha_persistent_message: the message of notification @id, NULL if not shown;
 * valid until the next service call.
 */
size_t fl_ha_persistent_count(const struct fl_ha *ha);
const char *fl_ha_persistent_message(const struct fl_ha *ha, const char *notification_id);

#endif
