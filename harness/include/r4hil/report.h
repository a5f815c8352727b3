/*
 * Run results and the files written from them: results.json for tools and
 * junit.xml for CI. The model is plain structs owned by the struct
 * hil_run_result; build it with the helpers below, free it with
 * hil_run_result_free().
 */
#ifndef R4HIL_REPORT_H
#define R4HIL_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "r4hil/expect.h"
#include "r4hil/timeline.h"

struct hil_check_result {
	char *id;
	char *requirement;
	char *kind;		/* "value", "sustained", "steady-state", ... */
	enum hil_status status;
	char *message;
	char *evidence_json;	/* JSON array of events, never NULL ("[]") */
};

struct hil_scenario_result {
	char *name;
	char *summary;
	char *path;
	char **requirements;
	size_t n_requirements;
	enum hil_status status;	/* kept up to date by the helpers below */
	char *error;		/* why error/skipped, or NULL */
	struct hil_check_result *checks;
	size_t n_checks;
	int64_t virtual_ms;
	double wall_s;
};

struct hil_run_result {
	char *run_dir;
	char *lab;		/* "fakelab" or the lab's name */
	struct hil_scenario_result *scenarios;
	size_t n_scenarios;
};

/* An empty run; strings are copied (NULL allowed). Free with hil_run_result_free(). NULL + errno on ENOMEM. */
struct hil_run_result *hil_run_result_new(const char *run_dir, const char *lab);

/* Free @run and everything it owns. NULL-safe. */
void hil_run_result_free(struct hil_run_result *run);

/*
 * Append a scenario (status pass until checks or an error say otherwise);
 * strings and the @requirements array are copied. Returns the new entry, owned
 * by @run and valid until the next hil_run_add_scenario(), or NULL on ENOMEM.
 */
struct hil_scenario_result *hil_run_add_scenario(struct hil_run_result *run, const char *name,
						 const char *summary, const char *path,
						 char *const *requirements, size_t n_requirements);

/*
 * Append a check result; strings are copied, @evidence_json NULL means "[]".
 * Updates @sr->status (see hil_scenario_result_set_error()). Returns 0 or -ENOMEM.
 */
int hil_scenario_add_check(struct hil_scenario_result *sr, const char *id, const char *requirement,
			   const char *kind, enum hil_status status, const char *message,
			   const char *evidence_json);

/*
 * Mark the whole scenario HIL_ERROR (setup, steady state or a step could not be
 * done) or HIL_SKIPPED (the lab cannot run it), with @why copied. Such a
 * status sticks: later checks do not change it. In a scenario that is an
 * error no check is a fail: failed checks, earlier or later ones, become
 * HIL_ERROR with "not judged: the scenario is an error (@why); ..." before
 * their message. Returns 0, -EINVAL, -ENOMEM.
 *
 * Otherwise a scenario's status follows its checks: fail if any failed, else
 * error if any errored, else pass (also when every check was skipped).
 */
int hil_scenario_set_error(struct hil_scenario_result *sr, enum hil_status status, const char *why);

/*
 * The events of @tl at @idx (n of them) as a compact JSON array of
 * {"t","source","subject","value"[,"detail"]} objects. Malloc'd, caller frees; NULL on ENOMEM.
 */
char *hil_evidence_json(const struct hil_timeline *tl, const size_t *idx, size_t n);

/*
 * Exit code of `r4hil run` for @run: 0 if every scenario passed or was
 * skipped; 1 if any scenario failed; else 3 if any had an error. When a run
 * has both failures and errors the answer is 1: a real requirement failure
 * outranks lab trouble, so CI never files a firmware regression as flakiness.
 */
int hil_run_exit_code(const struct hil_run_result *run);

/* Write results.json for @run to @path (via a temporary file and rename). Returns 0 or -errno. */
int hil_report_write_json(const struct hil_run_result *run, const char *path);

/*
 * Write junit.xml to @path: <testsuites>, one <testsuite name=scenario> per
 * scenario, one <testcase classname="r4hil.<scenario>" name="[REQ] id"> per
 * check with <failure message=...>evidence</failure>, <error> or <skipped/>;
 * a scenario-level error or skip is one more testcase named "[scenario] <name>".
 * Returns 0 or -errno.
 */
int hil_report_write_junit(const struct hil_run_result *run, const char *path);

#endif
