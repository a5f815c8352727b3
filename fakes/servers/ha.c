/* The fake Home Assistant object: configuration, switches, world-driven states, notifications. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "servers/ha_internal.h"
#include "core/truth.h"

static int node_err(char **err, const char *path, const struct ha_node *n, const char *what)
{
	if (err && asprintf(err, "%s:%d:%d: %s", path, n->line, n->column, what) < 0)
		*err = NULL;
	return -EINVAL;
}

/* configuration.yaml: only `shell_command: {name: "command line"}` matters here. */
static int load_configuration(struct fl_ha *ha, const char *path, char **err)
{
	struct ha_node *doc = ha_yaml_load(path, err);
	if (!doc)
		return -EINVAL;
	int ret = 0;
	struct ha_node *sc = ha_node_get(doc, "shell_command");
	if (sc && sc->type != HA_NODE_MAP) {
		ret = node_err(err, path, sc, "shell_command: expected a mapping");
		goto out;
	}
	for (size_t i = 0; sc && i + 1 < sc->n; i += 2) {
		struct ha_node *k = sc->items[i], *v = sc->items[i + 1];
		if (k->type != HA_NODE_SCALAR || v->type != HA_NODE_SCALAR || v->tag) {
			ret = node_err(err, path, v, "shell_command: expected name: command line");
			goto out;
		}
		if (strstr(v->text, "{{") || strstr(v->text, "{%")) {
			ret = node_err(err, path, v, "shell_command: templates are not supported");
			goto out;
		}
		struct ha_shell *s = realloc(ha->shells, (ha->n_shells + 1) * sizeof(*s));
		if (!s) {
			ret = -ENOMEM;
			goto out;
		}
		ha->shells = s;
		s[ha->n_shells].name = strdup(k->text);
		s[ha->n_shells].command = strdup(v->text);
		ha->n_shells++;
		if (!s[ha->n_shells - 1].name || !s[ha->n_shells - 1].command) {
			ret = -ENOMEM;
			goto out;
		}
	}
out:
	ha_node_free(doc);
	return ret;
}

struct fl_ha *fl_ha_new(struct fl_loop *loop, const struct fl_ha_config *cfg, char **err)
{
	if (err)
		*err = NULL;
	struct fl_ha *ha = calloc(1, sizeof(*ha));
	if (!ha)
		return NULL;
	ha->loop = loop;
	ha->truth = cfg->truth;
	ha->run_shell = cfg->run_shell;
	ha->run_shell_ctx = cfg->run_shell_ctx;
	ha->token = strdup(cfg->token ? cfg->token : "");
	if (!ha->token)
		goto err_free;
	if (cfg->configuration_path && load_configuration(ha, cfg->configuration_path, err) < 0)
		goto err_free;
	if (cfg->automations_path) {
		ha->automations_path = strdup(cfg->automations_path);
		if (!ha->automations_path)
			goto err_free;
		ha->auto_doc = ha_yaml_load(cfg->automations_path, err);
		if (!ha->auto_doc || ha_automations_load(ha, err) < 0)
			goto err_free;
	}
	return ha;
err_free:
	fl_ha_free(ha);
	return NULL;
}

void fl_ha_free(struct fl_ha *ha)
{
	if (!ha)
		return;
	ha_automations_free(ha);
	ha_service_orphan_calls(ha);
	ha_node_free(ha->auto_doc);
	ha_states_free(ha);
	for (size_t i = 0; i < ha->n_switches; i++)
		free(ha->switches[i].entity);
	free(ha->switches);
	for (size_t i = 0; i < ha->n_notifs; i++) {
		free(ha->notifs[i].service);
		free(ha->notifs[i].data);
	}
	free(ha->notifs);
	while (ha->n_shown)
		ha_persistent_remove(ha, 0);
	free(ha->shown);
	for (size_t i = 0; i < ha->n_shells; i++) {
		free(ha->shells[i].name);
		free(ha->shells[i].command);
	}
	free(ha->shells);
	free(ha->automations_path);
	free(ha->token);
	free(ha);
}

int fl_ha_bind_switch(struct fl_ha *ha, const char *entity, const struct fl_ha_switch_ops *ops, void *ctx)
{
	if (!ha_entity_id_valid(entity) || strncmp(entity, "switch.", 7) != 0 || !ops || !ops->set)
		return -EINVAL;
	struct ha_switch *s = realloc(ha->switches, (ha->n_switches + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	ha->switches = s;
	s = &s[ha->n_switches];
	if (!(s->entity = strdup(entity)))
		return -ENOMEM;
	s->ops = ops;
	s->ctx = ctx;
	ha->n_switches++;
	return 0;
}

int fl_ha_set_state(struct fl_ha *ha, const char *entity, const char *state, const char *attributes_json)
{
	struct json_object *attrs = NULL;
	if (attributes_json) {
		attrs = json_tokener_parse(attributes_json);
		if (!json_object_is_type(attrs, json_type_object)) {
			json_object_put(attrs);
			return -EINVAL;
		}
	}
	int ret = ha_state_set(ha, entity, state, attrs, NULL);
	return ret < 0 ? ret : 0;
}

const char *fl_ha_get_state(const struct fl_ha *ha, const char *entity)
{
	const struct ha_state *st = ha_state_find(ha, entity);
	return st ? st->rows[st->n_rows - 1].state : NULL;
}

size_t fl_ha_notification_count(const struct fl_ha *ha)
{
	return ha->n_notifs;
}

const struct fl_ha_notification *fl_ha_notification_get(const struct fl_ha *ha, size_t i)
{
	return i < ha->n_notifs ? &ha->notifs[i].pub : NULL;
}

ssize_t ha_persistent_find(const struct fl_ha *ha, const char *id)
{
	for (size_t i = 0; i < ha->n_shown; i++)
		if (strcmp(ha->shown[i].id, id) == 0)
			return (ssize_t)i;
	return -1;
}

void ha_persistent_remove(struct fl_ha *ha, size_t i)
{
	fl_truth_log(ha->truth, "ha.notification", "dismissed %s", ha->shown[i].id);
	free(ha->shown[i].id);
	free(ha->shown[i].title);
	free(ha->shown[i].message);
	ha->shown[i] = ha->shown[--ha->n_shown];
}

int ha_persistent_add(struct fl_ha *ha, const char *id, const char *title, const char *message)
{
	struct ha_shown n = { .created = fl_loop_now(ha->loop) };
	if (id)
		n.id = strdup(id);
	else if (asprintf(&n.id, "r4hil_%llu", (unsigned long long)++ha->shown_counter) < 0)
		n.id = NULL;
	n.title = title ? strdup(title) : NULL;
	n.message = strdup(message);
	struct ha_shown *grown = realloc(ha->shown, (ha->n_shown + 1) * sizeof(*grown));
	if (!n.id || !n.message || (title && !n.title) || !grown) {
		if (grown)
			ha->shown = grown;
		free(n.id);
		free(n.title);
		free(n.message);
		return -ENOMEM;
	}
	ha->shown = grown;
	ssize_t old = ha_persistent_find(ha, n.id);
	if (old >= 0)
		ha_persistent_remove(ha, (size_t)old);
	ha->shown[ha->n_shown++] = n;
	fl_truth_log(ha->truth, "ha.notification", "shown %s", n.id);
	return 0;
}

size_t fl_ha_persistent_count(const struct fl_ha *ha)
{
	return ha->n_shown;
}

const char *fl_ha_persistent_message(const struct fl_ha *ha, const char *notification_id)
{
	ssize_t i = ha_persistent_find(ha, notification_id);
	return i < 0 ? NULL : ha->shown[i].message;
}
