#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("r4hil: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

const char *cli_catalogue_dir(void)
{
	const char *env = getenv("R4HIL_SCENARIOS");
	return env ? env : R4HIL_SOURCE_DIR "/scenarios";
}

static int compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **catalogue(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char **paths = NULL;
	*n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		paths = realloc(paths, (*n + 2) * sizeof(char *));
		if (asprintf(&paths[*n], "%s/%s", dir, de->d_name) < 0)
			abort();
		(*n)++;
	}
	closedir(d);
	if (paths) {
		qsort(paths, *n, sizeof(char *), compare);
		paths[*n] = NULL;
	}
	return paths;
}

char **cli_scenario_paths(char **args, int n_args, const char *dir, size_t *n, int *bad)
{
	*bad = 0;
	if (n_args == 0) {
		char **all = catalogue(dir, n);
		if (!all)
			cli_error("no scenarios in %s", dir);
		return all;
	}
	char **paths = calloc((size_t)n_args + 1, sizeof(char *));
	*n = 0;
	for (int i = 0; i < n_args; i++) {
		struct stat st;
		char *p;
		if (stat(args[i], &st) == 0) {
			p = strdup(args[i]);
		} else {
			if (asprintf(&p, "%s/%s.json", dir, args[i]) < 0)
				abort();
			if (stat(p, &st) != 0) {
				cli_error("no scenario file or catalogue entry named \"%s\" (looked in %s)", args[i], dir);
				free(p);
				*bad = 1;
				continue;
			}
		}
		paths[(*n)++] = p;
	}
	return paths;
}
