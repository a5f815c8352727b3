#include "r4hil/observe.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "r4hil/clock.h"
#include "r4hil/ha.h"
#include "r4hil/healthring.h"
#include "r4hil/isotime.h"
#include "r4hil/lab.h"
#include "r4hil/plug.h"
#include "r4hil/ssh.h"
#include "r4hil/target.h"
#include "r4hil/timeline.h"

#define ROUTER_PROBE_TIMEOUT_MS 5000
#define ROUTER_NO_ANSWER "router SSH gave no answer"

struct known {
	char *entity;
	char *state;          /* last state seen (plain entities) */
	char *last_triggered; /* last trigger time seen (automations) */
	int seen;             /* any row seen yet */
};

struct hil_observer {
	struct hil_target *t;
	struct hil_timeline *tl;
	int64_t origin;
	struct known *known;
	size_t n_known;
	const char **entities;
	int64_t ha_since;   /* history is fetched from here on */
	int64_t ha_last_ok; /* t of the last good HA poll */
	int plug_on;        /* -1 unknown */
	int64_t plug_last_ok;
	int router_up;      /* -1 unknown */
	char *boot_id;
	int64_t boot_seen_t; /* t at which the current boot id was last confirmed */
	struct router_cmd *cmds;
	size_t n_cmds;
	struct ring_reader *ring; /* observe.health_ring, NULL if none */
	int64_t router_last_ok; /* t of the last good router command */
	char *ha_down;      /* what HA answered the last poll, NULL if it was read */
	char *plug_down;    /* the same for the plug */
};

/* observe.commands: run on every poll while the router is up. */
struct router_cmd {
	char *subject; /* "router.<name>" */
	char *command;
	char *value;   /* last recorded */
};

/* observe.health_ring: read with cat on every poll, judged here (r4hil/healthring.h). */
struct ring_reader {
	char *command; /* "cat -- 'PATH'" */
	char *subjects[HIL_HEALTHRING_N_FIELDS]; /* "ring.<field>" */
	char *values[HIL_HEALTHRING_N_FIELDS];   /* last recorded */
};

static void ring_reader_free(struct ring_reader *r)
{
	if (!r)
		return;
	free(r->command);
	for (size_t k = 0; k < HIL_HEALTHRING_N_FIELDS; k++) {
		free(r->subjects[k]);
		free(r->values[k]);
	}
	free(r);
}

static int is_automation(const char *entity)
{
	return strncmp(entity, "automation.", 11) == 0;
}

struct hil_observer *hil_observer_new(struct hil_target *target, struct hil_timeline *timeline,
				      int64_t origin, char *const *entities, size_t n_entities)
{
	struct hil_observer *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->t = target;
	o->tl = timeline;
	o->origin = origin;
	o->plug_on = -1;
	o->router_up = -1;
	o->ha_since = origin;
	o->known = calloc(n_entities + 1, sizeof(*o->known));
	o->entities = calloc(n_entities + 1, sizeof(char *));
	for (size_t i = 0; i < n_entities; i++) {
		o->known[i].entity = strdup(entities[i]);
		o->entities[i] = o->known[i].entity;
	}
	o->n_known = n_entities;
	return o;
}

void hil_observer_free(struct hil_observer *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n_known; i++) {
		free(o->known[i].entity);
		free(o->known[i].state);
		free(o->known[i].last_triggered);
	}
	free(o->known);
	free(o->entities);
	for (size_t i = 0; i < o->n_cmds; i++) {
		free(o->cmds[i].subject);
		free(o->cmds[i].command);
		free(o->cmds[i].value);
	}
	free(o->cmds);
	ring_reader_free(o->ring);
	free(o->boot_id);
	free(o->ha_down);
	free(o->plug_down);
	free(o);
}

static struct known *find_known(struct hil_observer *o, const char *entity)
{
	for (size_t i = 0; i < o->n_known; i++)
		if (strcmp(o->known[i].entity, entity) == 0)
			return &o->known[i];
	return NULL;
}

static void replace(char **slot, const char *value)
{
	free(*slot);
	*slot = value ? strdup(value) : NULL;
}

static void on_history_row(void *arg, const char *entity, const char *state, int64_t last_changed_ms,
			   int64_t last_updated_ms, struct json_object *attributes)
{
	struct hil_observer *o = arg;
	struct known *k = find_known(o, entity);
	if (!k)
		return;
	if (is_automation(entity)) {
		int first = !k->seen;
		k->seen = 1;
		json_object *lt;
		if (!attributes || !json_object_object_get_ex(attributes, "last_triggered", &lt) ||
		    !json_object_is_type(lt, json_type_string))
			return;
		const char *when = json_object_get_string(lt);
		if (k->last_triggered && strcmp(k->last_triggered, when) == 0)
			return;
		replace(&k->last_triggered, when);
		int64_t at;
		/* a trigger from before we started watching is history, not an event */
		if (!first && hil_iso_parse(when, &at) == 0)
			hil_timeline_add(o->tl, at - o->origin, "ha", entity, "triggered", NULL);
		return;
	}
	if (k->state && strcmp(k->state, state) == 0)
		return;
	replace(&k->state, state);
	hil_timeline_add(o->tl, last_changed_ms - o->origin, "ha", entity, state, NULL);
}

char *hil_observer_answer(const char *part, int ret, const char *err)
{
	const char *http = err ? strstr(err, "HTTP ") : NULL;
	char *out = NULL;
	long status = http ? strtol(http + 5, NULL, 10) : 0;
	int n;

	if (status >= 100)
		n = asprintf(&out, "%s answered %ld", part, status);
	else if (ret == -ETIMEDOUT)
		n = asprintf(&out, "%s did not answer in time", part);
	else
		n = asprintf(&out, "%s could not be reached (%s)", part, strerror(ret < 0 ? -ret : EIO));
	return n < 0 ? NULL : out;
}

/* A failed poll of @source: the gap since its last good poll, and what it answered. */
static void source_down(struct hil_observer *o, const char *source, const char *part, int64_t last_ok,
			int64_t t, int ret, const char *err, char **down)
{
	free(*down);
	*down = hil_observer_answer(part, ret, err);
	hil_timeline_add_gap_why(o->tl, source, last_ok, t, *down);
}

static void poll_ha(struct hil_observer *o, int64_t now)
{
	if (o->n_known == 0)
		return;
	char *err = NULL;
	/* Fetch from the previous poll on: rows already seen are filtered by state. */
	int ret = hil_ha_history(o->t->ha, o->entities, o->n_known, o->ha_since, 0, on_history_row, o, &err);
	if (ret < 0) {
		source_down(o, "ha", "HA", o->ha_last_ok, now - o->origin, ret, err, &o->ha_down);
		free(err);
		return;
	}
	replace(&o->ha_down, NULL);
	o->ha_since = now;
	o->ha_last_ok = now - o->origin;
}

static void poll_plug(struct hil_observer *o, int64_t now)
{
	int on = 0;
	char *err = NULL;
	int ret = hil_plug_get(o->t->plug, &on, &err);
	if (ret < 0) {
		source_down(o, "plug", "plug", o->plug_last_ok, now - o->origin, ret, err, &o->plug_down);
		free(err);
		return;
	}
	replace(&o->plug_down, NULL);
	o->plug_last_ok = now - o->origin;
	if (on != o->plug_on)
		hil_timeline_add(o->tl, now - o->origin, "plug", "plug", on ? "on" : "off", NULL);
	o->plug_on = on;
}

/* Was the power cut between the last sight of the old boot and now? */
static int power_lost_since(struct hil_observer *o, int64_t from_t)
{
	const char *entity = o->t->lab->plug.ha_entity;
	for (size_t i = hil_timeline_count(o->tl); i-- > 0;) {
		const struct hil_event *e = hil_timeline_get(o->tl, i);
		if (e->t_ms < from_t)
			break;
		if (strcmp(e->value, "off") == 0 &&
		    (strcmp(e->subject, "plug") == 0 || (entity && strcmp(e->subject, entity) == 0)))
			return 1;
	}
	return 0;
}

static void poll_router(struct hil_observer *o, int64_t now)
{
	struct hil_ssh_result res = { 0 };
	char *err = NULL;
	int64_t t = now - o->origin;
	int ret = hil_ssh_exec(o->t->router, "cat /proc/sys/kernel/random/boot_id", NULL, 0,
			       ROUTER_PROBE_TIMEOUT_MS, &res, &err);
	int up = ret == 0 && res.exit_status == 0 && res.out_len > 0;
	if (up != o->router_up) {
		/* Not the message nor the errno: messages carry ports, and whether a board
		 * going down refuses or resets the connection is a race, while timelines of
		 * the same run must be byte-identical. */
		char detail[128] = "";
		if (!up)
			snprintf(detail, sizeof(detail), "{\"error\":\"%s\"}",
				 ret < 0 ? "no SSH session" : "command failed");
		hil_timeline_add(o->tl, t, "router", "router.ssh", up ? "up" : "down", up ? NULL : detail);
	}
	o->router_up = up;
	if (up) {
		res.out[strcspn(res.out, "\r\n")] = '\0';
		if (!o->boot_id || strcmp(o->boot_id, res.out) != 0) {
			hil_timeline_add(o->tl, t, "router", "router.boot", res.out, NULL);
			if (o->boot_id)
				hil_timeline_add(o->tl, t, "router", "router.reboot",
						 power_lost_since(o, o->boot_seen_t) ? "power" : "soft", NULL);
			replace(&o->boot_id, res.out);
		}
		o->boot_seen_t = t;
	}
	hil_ssh_result_free(&res);
	free(err);
}

/* "cat -- 'PATH'", the path single-quoted for the router's shell. */
static char *cat_command(const char *path)
{
	size_t n = 0;
	for (const char *p = path; *p; p++)
		n += *p == '\'' ? 4 : 1;
	char *cmd = malloc(n + sizeof("cat -- ''"));
	if (!cmd)
		return NULL;
	char *w = stpcpy(cmd, "cat -- '");
	for (const char *p = path; *p; p++)
		w = *p == '\'' ? stpcpy(w, "'\\''") : (*w = *p, w + 1);
	strcpy(w, "'");
	return cmd;
}

int hil_observer_read_health_ring(struct hil_observer *o, const char *path)
{
	struct ring_reader *r = calloc(1, sizeof(*r));
	if (!r || !(r->command = cat_command(path)))
		goto err;
	for (size_t k = 0; k < HIL_HEALTHRING_N_FIELDS; k++)
		if (asprintf(&r->subjects[k], "ring.%s", hil_healthring_field_name(k)) < 0) {
			r->subjects[k] = NULL;
			goto err;
		}
	ring_reader_free(o->ring);
	o->ring = r;
	return 0;
err:
	ring_reader_free(r);
	return -ENOMEM;
}

int hil_observer_add_command(struct hil_observer *o, const char *name, const char *command)
{
	struct router_cmd *cmds = realloc(o->cmds, (o->n_cmds + 1) * sizeof(*cmds));
	if (!cmds)
		return -ENOMEM;
	o->cmds = cmds;
	struct router_cmd *c = &cmds[o->n_cmds];
	memset(c, 0, sizeof(*c));
	if (asprintf(&c->subject, "router.%s", name) < 0 || !(c->command = strdup(command))) {
		free(c->subject);
		return -ENOMEM;
	}
	o->n_cmds++;
	return 0;
}

/* The value a command's run stands for: its stdout without trailing blanks, else its exit status. */
static char *command_value(const struct hil_ssh_result *res)
{
	size_t len = res->out_len;
	while (len > 0 && strchr(" \t\r\n", res->out[len - 1]))
		len--;
	char *value = NULL;
	if (len > 0 || res->exit_status == 0)
		value = strndup(res->out ? res->out : "", len);
	else if (asprintf(&value, "exit %d", res->exit_status) < 0)
		value = NULL;
	return value;
}

/* Record each ring.<field> that changed, from the ring's text (or "exit N" if cat failed). */
static int record_ring(struct hil_observer *o, struct ring_reader *r, int64_t t, const struct hil_ssh_result *res)
{
	struct hil_healthring_summary sum = { 0 };
	char failed[32], buf[32];
	if (res->exit_status != 0) {
		snprintf(failed, sizeof(failed), "exit %d", res->exit_status);
	} else {
		struct hil_healthring *ring = hil_healthring_new();
		if (!ring)
			return -ENOMEM;
		hil_healthring_add_text(ring, res->out ? res->out : "", res->out_len, NULL, NULL);
		hil_healthring_summary(ring, &sum);
		hil_healthring_free(ring);
	}
	for (size_t k = 0; k < HIL_HEALTHRING_N_FIELDS; k++) {
		const char *value = res->exit_status ? failed : hil_healthring_field_value(&sum, k, buf);
		if (r->values[k] && strcmp(r->values[k], value) == 0)
			continue;
		char *copy = strdup(value);
		if (!copy)
			return -ENOMEM;
		hil_timeline_add(o->tl, t, "router", r->subjects[k], value, NULL);
		free(r->values[k]);
		r->values[k] = copy;
	}
	return 0;
}

static void poll_commands(struct hil_observer *o, int64_t now)
{
	int64_t t = now - o->origin;
	if (o->router_up != 1)
		return;
	for (size_t i = 0; i < o->n_cmds; i++) {
		struct router_cmd *c = &o->cmds[i];
		struct hil_ssh_result res = { 0 };
		char *err = NULL;
		int ret = hil_ssh_exec(o->t->router, c->command, NULL, 0, ROUTER_PROBE_TIMEOUT_MS, &res, &err);
		free(err);
		char *value = ret == 0 ? command_value(&res) : NULL;
		hil_ssh_result_free(&res);
		if (!value) {
			/* the router answered the boot-id probe but not this: we saw nothing */
			hil_timeline_add_gap_why(o->tl, "router", o->router_last_ok, t, ROUTER_NO_ANSWER);
			continue;
		}
		o->router_last_ok = t;
		if (!c->value || strcmp(c->value, value) != 0)
			hil_timeline_add(o->tl, t, "router", c->subject, value, NULL);
		free(c->value);
		c->value = value;
	}
}

static void poll_ring(struct hil_observer *o, int64_t now)
{
	int64_t t = now - o->origin;
	if (o->router_up != 1 || !o->ring)
		return;
	struct hil_ssh_result res = { 0 };
	char *err = NULL;
	int ret = hil_ssh_exec(o->t->router, o->ring->command, NULL, 0, ROUTER_PROBE_TIMEOUT_MS, &res, &err);
	free(err);
	if (ret == 0 && record_ring(o, o->ring, t, &res) == 0)
		o->router_last_ok = t;
	else
		hil_timeline_add_gap_why(o->tl, "router", o->router_last_ok, t, ROUTER_NO_ANSWER);
	hil_ssh_result_free(&res);
}

void hil_observer_poll(struct hil_observer *o)
{
	int64_t now = hil_clock_now(o->t->clock);
	poll_ha(o, now);
	poll_plug(o, now);
	poll_router(o, now);
	poll_commands(o, now);
	poll_ring(o, now);
}

const char *hil_observer_command_value(const struct hil_observer *o, const char *subject)
{
	for (size_t i = 0; i < o->n_cmds; i++)
		if (strcmp(o->cmds[i].subject, subject) == 0)
			return o->cmds[i].value;
	for (size_t k = 0; o->ring && k < HIL_HEALTHRING_N_FIELDS; k++)
		if (strcmp(o->ring->subjects[k], subject) == 0)
			return o->ring->values[k];
	return NULL;
}

int hil_observer_router_up(const struct hil_observer *o)
{
	return o->router_up;
}

int hil_observer_plug_on(const struct hil_observer *o)
{
	return o->plug_on;
}

const char *hil_observer_unreadable(const struct hil_observer *o, const char *source)
{
	if (!strcmp(source, "ha"))
		return o->ha_down;
	if (!strcmp(source, "plug"))
		return o->plug_down;
	return NULL;
}
