/*
 * Service calls of the fake HA: switch.*, light.*, shell_command.*, notify.*,
 * persistent_notification.*.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "servers/ha_internal.h"
#include "core/truth.h"

/* A shell_command in flight; outlives @ha if HA is freed first (then only frees itself). */
struct shell_call {
	struct fl_ha *ha;
	char *name;
	fl_child_done_fn done;
	void *arg;
};

static const struct ha_shell *find_shell(const struct fl_ha *ha, const char *name)
{
	for (size_t i = 0; i < ha->n_shells; i++)
		if (strcmp(ha->shells[i].name, name) == 0)
			return &ha->shells[i];
	return NULL;
}

bool ha_service_known(const struct fl_ha *ha, const char *domain, const char *service)
{
	if (strcmp(domain, "switch") == 0 || strcmp(domain, "light") == 0)
		return !strcmp(service, "turn_on") || !strcmp(service, "turn_off") || !strcmp(service, "toggle");
	if (strcmp(domain, "shell_command") == 0)
		return find_shell(ha, service) != NULL;
	if (strcmp(domain, "notify") == 0)
		return service[0] != '\0';
	if (strcmp(domain, "persistent_notification") == 0)
		return !strcmp(service, "create") || !strcmp(service, "dismiss") || !strcmp(service, "dismiss_all");
	return false;
}

static const struct ha_switch *find_switch(const struct fl_ha *ha, const char *entity)
{
	for (size_t i = 0; i < ha->n_switches; i++)
		if (strcmp(ha->switches[i].entity, entity) == 0)
			return &ha->switches[i];
	return NULL;
}

static int switch_one(struct fl_ha *ha, const char *entity, const char *service)
{
	int on;
	if (strcmp(service, "toggle") == 0) {
		const char *cur = fl_ha_get_state(ha, entity);
		on = !(cur && strcmp(cur, "on") == 0);
	} else {
		on = strcmp(service, "turn_on") == 0;
	}
	const struct ha_switch *sw = find_switch(ha, entity);
	if (sw) {
		int ret = sw->ops->set(sw->ctx, entity, on);
		if (ret < 0)
			fl_truth_log(ha->truth, "ha.service", "switch %s -> %s failed: %s", entity, on ? "on" : "off",
				     strerror(-ret));
		return ret;
	}
	/* an unbound switch (every light) is virtual: HA's state is all there is */
	int ret = ha_state_set(ha, entity, on ? "on" : "off", NULL, NULL);
	return ret < 0 ? ret : 0;
}

/* switch.* and light.*: on each entity of data.entity_id (one id or a list). */
static int call_switch(struct fl_ha *ha, const char *service, struct json_object *data)
{
	struct json_object *ids;
	if (!data || !json_object_object_get_ex(data, "entity_id", &ids))
		return -EINVAL;
	if (json_object_is_type(ids, json_type_string))
		return switch_one(ha, json_object_get_string(ids), service);
	if (!json_object_is_type(ids, json_type_array))
		return -EINVAL;
	int ret = 0;
	for (size_t i = 0; i < json_object_array_length(ids); i++) {
		struct json_object *id = json_object_array_get_idx(ids, i);
		if (!json_object_is_type(id, json_type_string))
			return -EINVAL;
		int r = switch_one(ha, json_object_get_string(id), service);
		if (r < 0 && !ret)
			ret = r;
	}
	return ret;
}

static void shell_done(void *arg, int status)
{
	struct shell_call *sc = arg;
	if (sc->ha) {
		struct fl_ha *ha = sc->ha;
		fl_truth_log(ha->truth, "ha.service", "shell_command.%s finished, wait status %d", sc->name, status);
		/* unlink from HA's list of calls in flight */
		for (size_t i = 0; i < ha->n_shell_calls; i++) {
			if (ha->shell_calls[i] == sc) {
				ha->shell_calls[i] = ha->shell_calls[--ha->n_shell_calls];
				break;
			}
		}
		if (sc->done)
			sc->done(sc->arg, status);
	}
	free(sc->name);
	free(sc);
}

static int call_shell(struct fl_ha *ha, const char *name, fl_child_done_fn done, void *arg, bool *async)
{
	const struct ha_shell *sh = find_shell(ha, name);
	if (!sh)
		return -ENOENT;
	if (!ha->run_shell)
		return -ENOSYS;
	struct shell_call **calls = realloc(ha->shell_calls, (ha->n_shell_calls + 1) * sizeof(*calls));
	if (!calls)
		return -ENOMEM;
	ha->shell_calls = calls;
	struct shell_call *sc = calloc(1, sizeof(*sc));
	if (!sc || !(sc->name = strdup(name))) {
		free(sc);
		return -ENOMEM;
	}
	sc->ha = ha;
	sc->done = done;
	sc->arg = arg;
	int ret = ha->run_shell(ha->run_shell_ctx, sh->command, shell_done, sc);
	if (ret < 0) {
		free(sc->name);
		free(sc);
		return ret;
	}
	ha->shell_calls[ha->n_shell_calls++] = sc;
	if (async)
		*async = done != NULL;
	return 0;
}

void ha_service_orphan_calls(struct fl_ha *ha)
{
	for (size_t i = 0; i < ha->n_shell_calls; i++)
		ha->shell_calls[i]->ha = NULL;
	free(ha->shell_calls);
	ha->shell_calls = NULL;
	ha->n_shell_calls = 0;
}

static int notify(struct fl_ha *ha, const char *domain, const char *service, struct json_object *data)
{
	struct ha_notif *n = realloc(ha->notifs, (ha->n_notifs + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	ha->notifs = n;
	n = &ha->notifs[ha->n_notifs];
	const char *js = data ? json_object_to_json_string_ext(data, JSON_C_TO_STRING_PLAIN) : "{}";
	if (asprintf(&n->service, "%s.%s", domain, service) < 0)
		return -ENOMEM;
	if (!(n->data = strdup(js))) {
		free(n->service);
		return -ENOMEM;
	}
	n->pub.at = fl_loop_now(ha->loop);
	n->pub.service = n->service;
	n->pub.data = n->data;
	ha->n_notifs++;
	return 0;
}

/* HA's persistent_notification store: create replaces an id's notification, dismiss removes it. */
static int persistent(struct fl_ha *ha, const char *service, struct json_object *data)
{
	struct json_object *v;
	const char *id = NULL;
	if (data && json_object_object_get_ex(data, "notification_id", &v))
		id = json_object_get_string(v);
	if (strcmp(service, "dismiss_all") == 0) {
		while (ha->n_shown)
			ha_persistent_remove(ha, 0);
		return 0;
	}
	if (strcmp(service, "dismiss") == 0) {
		if (!id)
			return -EINVAL;
		ssize_t i = ha_persistent_find(ha, id);
		if (i >= 0)
			ha_persistent_remove(ha, (size_t)i);
		return 0;
	}
	const char *message = NULL, *title = NULL;
	if (json_object_object_get_ex(data, "message", &v))
		message = json_object_get_string(v);
	if (json_object_object_get_ex(data, "title", &v))
		title = json_object_get_string(v);
	if (!message)
		return -EINVAL;
	return ha_persistent_add(ha, id, title, message);
}

int ha_service_call(struct fl_ha *ha, const char *domain, const char *service, struct json_object *data,
		    fl_child_done_fn done, void *arg, bool *async)
{
	if (async)
		*async = false;
	fl_truth_log(ha->truth, "ha.service", "%s.%s %s", domain, service,
		     data ? json_object_to_json_string_ext(data, JSON_C_TO_STRING_PLAIN) : "{}");
	if (!ha_service_known(ha, domain, service))
		return -ENOENT;
	int ret;
	if (strcmp(domain, "switch") == 0 || strcmp(domain, "light") == 0)
		ret = call_switch(ha, service, data);
	else if (strcmp(domain, "shell_command") == 0)
		ret = call_shell(ha, service, done, arg, async);
	else {
		ret = strcmp(domain, "persistent_notification") == 0 ? persistent(ha, service, data) : 0;
		if (ret == 0) /* the log of notifications sent, persistent ones included */
			ret = notify(ha, domain, service, data);
	}
	if (ret < 0)
		fl_truth_log(ha->truth, "ha.service", "%s.%s failed: %s", domain, service, strerror(-ret));
	return ret;
}
