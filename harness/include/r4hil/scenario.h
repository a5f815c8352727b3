/*
 * The scenario model (scenarios/README.md, format v1) and its loader.
 *
 * A loaded scenario is a tree of plain structs owned by the struct hil_scenario:
 * every string, array and json_object in it is freed by hil_scenario_free().
 * Callers read it and must not modify or free parts of it.
 */
#ifndef R4HIL_SCENARIO_H
#define R4HIL_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

struct json_object;

#define HIL_SCENARIO_FORMAT "r4hil-scenario/1"

enum hil_step_kind { HIL_STEP_WAIT, HIL_STEP_ALIGN, HIL_STEP_INJECT, HIL_STEP_ACT };

struct hil_step {
	enum hil_step_kind kind;
	char *label;		    /* NULL if none */
	char *note;		    /* NULL if none */
	int64_t duration_ms;	    /* WAIT: how long; ALIGN: the period */
	int64_t offset_ms;	    /* ALIGN: offset after the aligned instant */
	char *name;		    /* INJECT/ACT: "sfp.storm", "plug", ...; else NULL */
	struct json_object *params; /* never NULL: an empty object if absent */
	int line;		    /* of the step object in the file */
};

enum hil_cond_op { HIL_COND_EQUALS, HIL_COND_ABOVE, HIL_COND_BELOW, HIL_COND_AT_LEAST, HIL_COND_AT_MOST };

struct hil_cond {
	char *subject;
	enum hil_cond_op op;
	char *text;    /* EQUALS; else NULL */
	double number; /* numeric ops */
};

struct hil_timeref {
	char *anchor;	   /* "start", "end" or a label of a step in `steps` */
	int64_t offset_ms; /* signed */
};

struct hil_window {
	struct hil_timeref from; /* default "start" */
	int has_to;
	struct hil_timeref to;
	int has_for;
	int64_t for_ms;
	/* neither to nor for: until "end" */
};

enum hil_expect_kind {
	HIL_EXPECT_VALUE,
	HIL_EXPECT_EVENT,
	HIL_EXPECT_NEVER,
	HIL_EXPECT_SUSTAINED,
	HIL_EXPECT_RECOVERY,
};

struct hil_expect {
	char *id;
	char *requirement;
	enum hil_expect_kind kind;
	struct hil_window window;
	struct hil_cond cond;	   /* all kinds but RECOVERY (zeroed there) */
	struct hil_cond from, to;  /* RECOVERY */
	int has_min, has_max;
	int64_t min_ms, max_ms;	   /* SUSTAINED, RECOVERY */
	char *why;		   /* NULL if none */
	int line;
};

enum hil_probe_kind { HIL_PROBE_ROUTER_UP, HIL_PROBE_PLUG_ON, HIL_PROBE_STATE };

struct hil_probe {
	enum hil_probe_kind kind;
	struct hil_cond cond; /* STATE only */
};

struct hil_steady {
	int present;
	int64_t settle_ms; /* default 5m */
	char *requirement;
	struct hil_probe *probes;
	size_t n_probes;
};

/* observe.commands: a router-side command whose output is the subject router.<name>. */
struct hil_observe_cmd {
	char *name;
	char *command;
};

struct hil_scenario {
	char *path;
	char *name;
	char *summary;
	char **requirements;
	size_t n_requirements;
	char **needs;
	size_t n_needs;
	int64_t observe_period_ms; /* default 10s */
	char **entities;
	size_t n_entities;
	struct hil_observe_cmd *commands;
	size_t n_commands;
	char *health_ring;         /* observe.health_ring: the ring's path, NULL if none */
	struct hil_step *setup;
	size_t n_setup;
	struct hil_steady steady;
	struct hil_step *steps;
	size_t n_steps;
	struct hil_expect *expects;
	size_t n_expects;
	struct hil_step *teardown;
	size_t n_teardown;
};

/*
 * Load and validate the scenario file at @path. On success returns 0 and sets
 * *out (free with hil_scenario_free()); *errors is set to NULL. On failure *out
 * stays NULL and *errors gets a malloc'd text the caller frees: one line per
 * problem found, "file:line:column: message\n", sorted by position. Returns
 * -EINVAL for an invalid scenario, -errno if the file cannot be read, -ENOMEM.
 * @errors may be NULL if the caller does not want the text.
 */
int hil_scenario_load(const char *path, struct hil_scenario **out, char **errors);

/* Free @s and everything it owns. NULL-safe. */
void hil_scenario_free(struct hil_scenario *s);

/*
 * A file a scenario names (act "flash"'s image): @path as is if absolute, else
 * relative to the directory of the scenario's file. malloc'd, NULL on OOM.
 */
char *hil_scenario_path_of(const struct hil_scenario *s, const char *path);

/*
 * Whether the state string @value meets @c: 1 or 0. Numeric operators only
 * match a @value that parses completely as a finite number, so "unavailable",
 * "" or "12abc" never match; NULL @value never matches.
 */
int hil_cond_match(const struct hil_cond *c, const char *value);

/* "sensor.x > 10000", "sensor.y == \"1\"": malloc'd, caller frees; NULL on ENOMEM. */
char *hil_cond_describe(const struct hil_cond *c);

/* The operator as written in scenario files: "equals", "above", ... Static storage. */
const char *hil_cond_op_name(enum hil_cond_op op);

/* "value", "event", "never", "sustained", "recovery". Static storage. */
const char *hil_expect_kind_name(enum hil_expect_kind kind);

/*
 * Whether @subject is recorded by the harness itself rather than fetched from HA:
 * "plug", "step", "mark", "gap", "router.*", "ring.*", "inject.*", "act.*", "gpio.*".
 */
int hil_subject_is_builtin(const char *subject);

/*
 * The HA entity ids the scenario needs recorded: observe.entities plus every
 * subject of probes and expectations that is not built in, deduplicated, in
 * first-seen order. Returns a malloc'd array of *n malloc'd strings (caller
 * frees both; NULL with *n == 0 if there are none), or NULL with errno ENOMEM.
 */
char **hil_scenario_ha_entities(const struct hil_scenario *s, size_t *n);

#endif
