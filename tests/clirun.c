#include "clirun.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

int clirun(const char *log_prefix, const char *const *args)
{
	char bin[4096], out[4096], err[4096];
	snprintf(bin, sizeof(bin), "%s/r4hil", hil_test_build_dir());
	snprintf(out, sizeof(out), "%s.out", log_prefix);
	snprintf(err, sizeof(err), "%s.err", log_prefix);
	const char *argv[64] = { bin };
	int n = 1;
	while (*args && n < 63)
		argv[n++] = *args++;
	argv[n] = NULL;
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int in = open("/dev/null", O_RDONLY);
		dup2(in, 0);
		dup2(o, 1);
		dup2(e, 2);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

json_object *clirun_results(const char *run_dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/results.json", run_dir);
	json_object *o = json_object_from_file(path);
	ck_assert_msg(o != NULL, "no results.json in %s", run_dir);
	return o;
}

json_object *clirun_scenario(json_object *results, const char *scenario)
{
	json_object *list, *name;
	if (!json_object_object_get_ex(results, "scenarios", &list))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *s = json_object_array_get_idx(list, i);
		if (json_object_object_get_ex(s, "name", &name) &&
		    strcmp(json_object_get_string(name), scenario) == 0)
			return s;
	}
	return NULL;
}

int clirun_failed_requirement(json_object *results, const char *scenario, const char *requirement)
{
	json_object *s = clirun_scenario(results, scenario), *checks, *req, *status;
	if (!s || !json_object_object_get_ex(s, "checks", &checks))
		return 0;
	for (size_t i = 0; i < json_object_array_length(checks); i++) {
		json_object *c = json_object_array_get_idx(checks, i);
		if (json_object_object_get_ex(c, "requirement", &req) &&
		    json_object_object_get_ex(c, "status", &status) &&
		    strcmp(json_object_get_string(req), requirement) == 0 &&
		    strcmp(json_object_get_string(status), "fail") == 0)
			return 1;
	}
	return 0;
}
