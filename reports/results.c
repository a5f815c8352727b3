#include "r4hil/report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

struct hil_run_result *hil_run_result_new(const char *run_dir, const char *lab)
{
	struct hil_run_result *run = calloc(1, sizeof(*run));

	if (!run)
		return NULL;
	run->run_dir = run_dir ? strdup(run_dir) : NULL;
	run->lab = lab ? strdup(lab) : NULL;
	if ((run_dir && !run->run_dir) || (lab && !run->lab)) {
		hil_run_result_free(run);
		errno = ENOMEM;
		return NULL;
	}
	return run;
}

static void free_scenario(struct hil_scenario_result *sr)
{
	free(sr->name);
	free(sr->summary);
	free(sr->path);
	for (size_t i = 0; i < sr->n_requirements; i++)
		free(sr->requirements[i]);
	free(sr->requirements);
	free(sr->error);
	for (size_t i = 0; i < sr->n_checks; i++) {
		struct hil_check_result *c = &sr->checks[i];

		free(c->id);
		free(c->requirement);
		free(c->kind);
		free(c->message);
		free(c->evidence_json);
	}
	free(sr->checks);
}

void hil_run_result_free(struct hil_run_result *run)
{
	if (!run)
		return;
	for (size_t i = 0; i < run->n_scenarios; i++)
		free_scenario(&run->scenarios[i]);
	free(run->scenarios);
	free(run->run_dir);
	free(run->lab);
	free(run);
}

/* strdup that keeps NULL and counts failures */
static char *dup(const char *s, int *oom)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*oom = 1;
	return d;
}

struct hil_scenario_result *hil_run_add_scenario(struct hil_run_result *run, const char *name,
						 const char *summary, const char *path,
						 char *const *requirements, size_t n_requirements)
{
	struct hil_scenario_result *v, *sr;
	int oom = 0;

	v = realloc(run->scenarios, (run->n_scenarios + 1) * sizeof(*v));
	if (!v)
		return NULL;
	run->scenarios = v;
	sr = &v[run->n_scenarios];
	memset(sr, 0, sizeof(*sr));
	sr->status = HIL_PASS;
	sr->name = dup(name, &oom);
	sr->summary = dup(summary, &oom);
	sr->path = dup(path, &oom);
	if (n_requirements) {
		sr->requirements = calloc(n_requirements, sizeof(*sr->requirements));
		if (!sr->requirements)
			oom = 1;
		for (size_t i = 0; sr->requirements && i < n_requirements; i++)
			sr->requirements[sr->n_requirements++] = dup(requirements[i], &oom);
	}
	if (oom) {
		free_scenario(sr);
		errno = ENOMEM;
		return NULL;
	}
	run->n_scenarios++;
	return sr;
}

static void update_status(struct hil_scenario_result *sr)
{
	int fail = 0, error = 0;

	if (sr->error)
		return;
	for (size_t i = 0; i < sr->n_checks; i++) {
		fail |= sr->checks[i].status == HIL_FAIL;
		error |= sr->checks[i].status == HIL_ERROR;
	}
	sr->status = fail ? HIL_FAIL : error ? HIL_ERROR : HIL_PASS;
}

/*
 * A check that failed in a scenario the harness or the lab could not finish is
 * not a verdict on the firmware: what it missed may be what went wrong.
 */
static int not_judged(struct hil_check_result *c, const char *why)
{
	char *msg;

	if (c->status != HIL_FAIL)
		return 0;
	if (asprintf(&msg, "not judged: the scenario is an error (%s); the check alone said: %s", why,
		     c->message ? c->message : "") < 0)
		return -ENOMEM;
	free(c->message);
	c->message = msg;
	c->status = HIL_ERROR;
	return 0;
}

int hil_scenario_add_check(struct hil_scenario_result *sr, const char *id, const char *requirement,
			   const char *kind, enum hil_status status, const char *message,
			   const char *evidence_json)
{
	struct hil_check_result *v, *c;
	int oom = 0;

	v = realloc(sr->checks, (sr->n_checks + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	sr->checks = v;
	c = &v[sr->n_checks];
	memset(c, 0, sizeof(*c));
	c->status = status;
	c->id = dup(id, &oom);
	c->requirement = dup(requirement, &oom);
	c->kind = dup(kind, &oom);
	c->message = dup(message, &oom);
	c->evidence_json = dup(evidence_json ? evidence_json : "[]", &oom);
	if (oom) {
		free(c->id);
		free(c->requirement);
		free(c->kind);
		free(c->message);
		free(c->evidence_json);
		return -ENOMEM;
	}
	sr->n_checks++;
	update_status(sr);
	return sr->error && sr->status == HIL_ERROR ? not_judged(c, sr->error) : 0;
}

int hil_scenario_set_error(struct hil_scenario_result *sr, enum hil_status status, const char *why)
{
	char *w;

	if (status != HIL_ERROR && status != HIL_SKIPPED)
		return -EINVAL;
	w = strdup(why ? why : "");
	if (!w)
		return -ENOMEM;
	free(sr->error);
	sr->error = w;
	sr->status = status;
	for (size_t i = 0; status == HIL_ERROR && i < sr->n_checks; i++)
		if (not_judged(&sr->checks[i], w) < 0)
			return -ENOMEM;
	return 0;
}

char *hil_evidence_json(const struct hil_timeline *tl, const size_t *idx, size_t n)
{
	struct json_object *arr = json_object_new_array();
	char *out;

	if (!arr)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct hil_event *e = hil_timeline_get(tl, idx[i]);
		struct json_object *o;

		if (!e)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "t", json_object_new_int64(e->t_ms));
		json_object_object_add(o, "source", json_object_new_string(e->source));
		json_object_object_add(o, "subject", json_object_new_string(e->subject));
		json_object_object_add(o, "value", json_object_new_string(e->value));
		if (e->detail)
			json_object_object_add(o, "detail", json_tokener_parse(e->detail));
		json_object_array_add(arr, o);
	}
	out = strdup(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	return out;
}

int hil_run_exit_code(const struct hil_run_result *run)
{
	int fail = 0, error = 0;

	for (size_t i = 0; i < run->n_scenarios; i++) {
		fail |= run->scenarios[i].status == HIL_FAIL;
		error |= run->scenarios[i].status == HIL_ERROR;
	}
	return fail ? 1 : error ? 3 : 0;
}
