/* Private to the fake Home Assistant (ha*.c). */
#ifndef FL_HA_INTERNAL_H
#define FL_HA_INTERNAL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "servers/ha.h"
#include "core/strmap.h"

/* ---- ha_yaml.c: a YAML document as a tree that remembers where each node was ---- */

enum ha_node_type { HA_NODE_SCALAR, HA_NODE_SEQ, HA_NODE_MAP, HA_NODE_ALIAS };

struct ha_node {
	enum ha_node_type type;
	int line, column;     /* 1-based */
	char *text;           /* scalar text; alias name */
	char *tag;            /* explicit tag (e.g. "!secret"), or NULL */
	bool plain;           /* unquoted scalar */
	size_t n;             /* seq: items; map: 2 * pairs (key, value, key, value...) */
	struct ha_node **items;
};

/* Parse @path's first document. NULL on error with *err = "path:line:column: what". Free with ha_node_free. */
struct ha_node *ha_yaml_load(const char *path, char **err);
void ha_node_free(struct ha_node *node);
/* Value of scalar key @key in map @map, NULL if absent or @map is not a map. */
struct ha_node *ha_node_get(const struct ha_node *map, const char *key);
/* The node as JSON (scalars become strings, plain numbers numbers). New reference. */
struct json_object *ha_node_to_json(const struct ha_node *node);

/* ---- ha_states.c: the state machine and its history ---- */

struct ha_row {
	char *state;
	struct json_object *attrs;
	fl_ms last_changed, last_updated;
	char context[27];
};

struct ha_state {
	char *entity_id;
	struct ha_row *rows; /* full history; the last row is the current state */
	size_t n_rows, cap_rows;
	uint64_t seq;        /* ha->seq at the last change */
};

struct ha_switch {
	char *entity;
	const struct fl_ha_switch_ops *ops;
	void *ctx;
};

struct ha_notif {
	struct fl_ha_notification pub;
	char *service, *data;
};

/* A persistent notification on HA's frontend (not in the state machine since HA 2023.6). */
struct ha_shown {
	char *id, *title, *message;
	fl_ms created;
};

struct ha_shell {
	char *name, *command;
};

struct ha_auto;
struct ha_trigger;
struct ha_event;
struct shell_call;

struct fl_ha {
	struct fl_loop *loop;
	struct fl_truth *truth;
	char *token;
	int (*run_shell)(void *ctx, const char *command, fl_child_done_fn done, void *done_arg);
	void *run_shell_ctx;
	char *automations_path;

	struct ha_state **states; /* in creation order (the API lists them so) */
	size_t n_states, cap_states;
	struct fl_strmap state_index; /* entity id -> struct ha_state */
	struct fl_strmap trigger_index; /* entity id -> struct ha_trigger_list, automations' own triggers */
	uint64_t seq;
	uint64_t context_counter;

	struct ha_switch *switches;
	size_t n_switches;
	struct ha_notif *notifs;
	size_t n_notifs;
	struct ha_shown *shown;
	size_t n_shown;
	uint64_t shown_counter; /* ids for notifications created without notification_id */
	struct ha_shell *shells;
	size_t n_shells;
	struct shell_call **shell_calls; /* shell commands in flight */
	size_t n_shell_calls;

	struct ha_node *auto_doc;
	struct ha_auto **autos;
	size_t n_autos;
	struct ha_trigger *waiters; /* triggers of wait_for_trigger steps in progress */
	size_t n_waits; /* their number in all runs: no rescan of the runs while 0 */

	struct ha_event *events, *events_tail; /* state changes waiting for trigger evaluation */
	int dispatching; /* nesting depth of trigger evaluation and runs */
};

struct ha_state *ha_state_find(const struct fl_ha *ha, const char *entity);
bool ha_entity_id_valid(const char *entity);
/*
 * Set a state; @attrs (a reference is taken over; NULL keeps the current ones).
 * Returns 1 if it changed anything, 0 if identical, -errno. *created (may be NULL)
 * says whether the entity is new. Queues trigger evaluation.
 */
int ha_state_set(struct fl_ha *ha, const char *entity, const char *state, struct json_object *attrs,
		 bool *created);
struct json_object *ha_state_json(const struct ha_state *st);
void ha_states_free(struct fl_ha *ha);
/* HA's datetime.isoformat() of a UTC time: fraction only when non-zero. */
void ha_format_time(fl_ms t, char *buf, size_t len);
/* ISO 8601 with optional fraction and Z/+HH:MM; 0 or -EINVAL. */
int ha_parse_time(const char *s, fl_ms *t);

#define HA_HIST_MINIMAL 1
#define HA_HIST_NO_ATTRS 2
#define HA_HIST_ALL_CHANGES 4
struct json_object *ha_history(const struct fl_ha *ha, char **entities, size_t n, fl_ms start, fl_ms end,
			       int flags);

/* ---- ha.c: persistent notifications ---- */

/* Index of notification @id, or -1. */
ssize_t ha_persistent_find(const struct fl_ha *ha, const char *id);
/* Show a notification; @id NULL gets a generated one; an existing @id is replaced. 0 or -ENOMEM. */
int ha_persistent_add(struct fl_ha *ha, const char *id, const char *title, const char *message);
void ha_persistent_remove(struct fl_ha *ha, size_t i);

/* ---- ha_template.c: states('id') and state_attr('id', 'attr') in service data ---- */

bool ha_template_supported(const char *text);
/* @text rendered from the current states (malloc'd; @text's copy if it cannot be). */
char *ha_template_render(const struct fl_ha *ha, const char *text);
/* Render every string of the JSON object @obj, recursively, in place. */
void ha_template_render_json(const struct fl_ha *ha, struct json_object *obj);

/* ---- ha_service.c ---- */

/*
 * Call @domain.@service with @data (JSON object, borrowed, may be NULL). Returns 0
 * or -errno (-ENOENT unknown service, -EINVAL bad data). A shell_command runs
 * asynchronously: @done(@arg, status) is called later (then 0 is returned); without
 * @done its end is only recorded. *async (may be NULL) is set when @done will be called.
 */
int ha_service_call(struct fl_ha *ha, const char *domain, const char *service, struct json_object *data,
		    fl_child_done_fn done, void *arg, bool *async);
/* Whether @domain.@service exists (for load-time checks). */
bool ha_service_known(const struct fl_ha *ha, const char *domain, const char *service);

/* Detach shell commands in flight from @ha (before freeing it). */
void ha_service_orphan_calls(struct fl_ha *ha);

/* ---- ha_automation.c ---- */

/* Compile the automations in ha->auto_doc; 0 or -EINVAL with *err "file:line:column: what". */
int ha_automations_load(struct fl_ha *ha, char **err);
void ha_automations_free(struct fl_ha *ha);
/* A state changed (old may be NULL: new entity); evaluate triggers now or after the current dispatch. */
void ha_automations_state_changed(struct fl_ha *ha, const char *entity, const char *old_state,
				  const char *new_state);

#endif
