/* Running the r4hil CLI from tests, and reading what it wrote. */
#ifndef R4HIL_CLIRUN_H
#define R4HIL_CLIRUN_H

#include <json-c/json.h>

/*
 * Run build/r4hil with @args (NULL-terminated), stdout and stderr to @log_prefix.out
 * and @log_prefix.err. Returns its exit code (-1 if it died).
 */
int clirun(const char *log_prefix, const char *const *args);

/* results.json of @run_dir, parsed; aborts the test if missing. Caller puts. */
json_object *clirun_results(const char *run_dir);

/* The result object of @scenario in @results (borrowed), or NULL. */
json_object *clirun_scenario(json_object *results, const char *scenario);

/* 1 if @scenario has a failed check citing @requirement. */
int clirun_failed_requirement(json_object *results, const char *scenario, const char *requirement);

#endif
