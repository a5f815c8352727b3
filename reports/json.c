#include "r4hil/report.h"

#include <errno.h>
#include <string.h>

#include <json-c/json.h>

#include "r4hil/requirements.h"
#include "writefile.h"

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *check_json(const struct hil_check_result *c)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ev = json_tokener_parse(c->evidence_json ? c->evidence_json : "[]");
	const char *title = c->requirement ? hil_requirement_title(c->requirement) : NULL;

	json_object_object_add(o, "id", str_or_null(c->id));
	json_object_object_add(o, "requirement", str_or_null(c->requirement));
	json_object_object_add(o, "requirement_title", str_or_null(title));
	json_object_object_add(o, "kind", str_or_null(c->kind));
	json_object_object_add(o, "status", json_object_new_string(hil_status_name(c->status)));
	json_object_object_add(o, "message", str_or_null(c->message));
	json_object_object_add(o, "evidence", ev ? ev : json_object_new_array());
	return o;
}

static struct json_object *scenario_json(const struct hil_scenario_result *sr)
{
	struct json_object *o = json_object_new_object();
	struct json_object *reqs = json_object_new_array(), *checks = json_object_new_array();

	json_object_object_add(o, "name", str_or_null(sr->name));
	json_object_object_add(o, "summary", str_or_null(sr->summary));
	json_object_object_add(o, "path", str_or_null(sr->path));
	for (size_t i = 0; i < sr->n_requirements; i++)
		json_object_array_add(reqs, json_object_new_string(sr->requirements[i]));
	json_object_object_add(o, "requirements", reqs);
	json_object_object_add(o, "status", json_object_new_string(hil_status_name(sr->status)));
	json_object_object_add(o, "error", str_or_null(sr->error));
	json_object_object_add(o, "virtual_ms", json_object_new_int64(sr->virtual_ms));
	json_object_object_add(o, "wall_s", json_object_new_double(sr->wall_s));
	for (size_t i = 0; i < sr->n_checks; i++)
		json_object_array_add(checks, check_json(&sr->checks[i]));
	json_object_object_add(o, "checks", checks);
	return o;
}

int hil_report_write_json(const struct hil_run_result *run, const char *path)
{
	struct json_object *root = json_object_new_object();
	struct json_object *scenarios = json_object_new_array(), *counts = json_object_new_object();
	size_t n[HIL_SKIPPED + 1] = { 0 };
	const char *text;
	int ret;

	if (!root || !scenarios || !counts) {
		json_object_put(root);
		json_object_put(scenarios);
		json_object_put(counts);
		return -ENOMEM;
	}
	for (size_t i = 0; i < run->n_scenarios; i++) {
		n[run->scenarios[i].status]++;
		json_object_array_add(scenarios, scenario_json(&run->scenarios[i]));
	}
	for (int s = HIL_PASS; s <= HIL_SKIPPED; s++)
		json_object_object_add(counts, hil_status_name(s), json_object_new_int64((int64_t)n[s]));
	json_object_object_add(root, "format", json_object_new_string("r4hil-results/1"));
	json_object_object_add(root, "run_dir", str_or_null(run->run_dir));
	json_object_object_add(root, "lab", str_or_null(run->lab));
	json_object_object_add(root, "exit_code", json_object_new_int(hil_run_exit_code(run)));
	json_object_object_add(root, "counts", counts);
	json_object_object_add(root, "scenarios", scenarios);
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_SPACED |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	ret = text ? hil_report_write_file(path, text, strlen(text)) : -ENOMEM;
	json_object_put(root);
	return ret;
}
