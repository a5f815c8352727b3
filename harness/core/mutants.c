/* The mutation catalogue: tests/mutants/<name>/mutant.json (see r4hil/mutants.h). */
#include "r4hil/mutants.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char **err, int ret, const char *path, const char *what)
{
	if (err && asprintf(err, "%s: %s", path, what) < 0)
		*err = NULL;
	return ret;
}

static char *string_of(json_object *obj, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return strdup(json_object_get_string(v));
}

/* A path in the mutant's directory, as given relative to it. */
static char *path_in(const char *dir, char *rel)
{
	char *p = NULL;
	if (rel && asprintf(&p, "%s/%s", dir, rel) < 0)
		p = NULL;
	free(rel);
	return p;
}

static int parse(const char *dir, const char *path, json_object *o, struct hil_mutant *m, char **err)
{
	json_object *kills;
	m->summary = string_of(o, "summary");
	m->overlay = path_in(dir, string_of(o, "overlay"));
	m->automations = path_in(dir, string_of(o, "automations"));
	if (!m->overlay && !m->automations)
		return fail(err, -EINVAL, path, "needs \"overlay\" or \"automations\"");
	if (!json_object_object_get_ex(o, "kills", &kills) || !json_object_is_type(kills, json_type_array) ||
	    json_object_array_length(kills) == 0)
		return fail(err, -EINVAL, path, "needs \"kills\": [{\"scenario\", \"requirement\"}, ...]");
	m->kills = calloc(json_object_array_length(kills), sizeof(*m->kills));
	if (!m->kills)
		return -ENOMEM;
	for (size_t i = 0; i < json_object_array_length(kills); i++) {
		json_object *k = json_object_array_get_idx(kills, i);
		struct hil_mutant_kill *kill = &m->kills[m->n_kills++];
		kill->scenario = string_of(k, "scenario");
		kill->requirement = string_of(k, "requirement");
		if (!kill->scenario || !kill->requirement)
			return fail(err, -EINVAL, path, "a kill needs \"scenario\" and \"requirement\" strings");
	}
	return 0;
}

static int load_one(const char *dir, const char *name, struct hil_mutant *m, char **err)
{
	char *mdir, *path;
	if (asprintf(&mdir, "%s/%s", dir, name) < 0)
		return -ENOMEM;
	if (asprintf(&path, "%s/mutant.json", mdir) < 0) {
		free(mdir);
		return -ENOMEM;
	}
	m->name = strdup(name);
	json_object *o = json_object_from_file(path);
	const char *why = json_util_get_last_err();
	int ret = o ? parse(mdir, path, o, m, err) : fail(err, -EINVAL, path, why ? why : "unreadable");
	json_object_put(o);
	free(path);
	free(mdir);
	return ret;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct hil_mutant *)a)->name, ((const struct hil_mutant *)b)->name);
}

int hil_mutants_load(const char *dir, struct hil_mutant **mutants, size_t *n, char **err)
{
	*mutants = NULL;
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return fail(err, -errno, dir, strerror(errno));
	int ret = 0;
	struct dirent *de;
	while ((de = readdir(d)) && ret == 0) {
		if (de->d_name[0] == '.')
			continue;
		struct hil_mutant *grown = realloc(*mutants, (*n + 1) * sizeof(*grown));
		if (!grown) {
			ret = -ENOMEM;
			break;
		}
		*mutants = grown;
		memset(&grown[*n], 0, sizeof(*grown));
		ret = load_one(dir, de->d_name, &grown[(*n)++], err);
	}
	closedir(d);
	if (ret < 0) {
		hil_mutants_free(*mutants, *n);
		*mutants = NULL;
		*n = 0;
		return ret;
	}
	if (*n)
		qsort(*mutants, *n, sizeof(**mutants), by_name);
	return 0;
}

void hil_mutants_free(struct hil_mutant *mutants, size_t n)
{
	for (size_t i = 0; mutants && i < n; i++) {
		struct hil_mutant *m = &mutants[i];
		for (size_t k = 0; k < m->n_kills; k++) {
			free(m->kills[k].scenario);
			free(m->kills[k].requirement);
		}
		free(m->kills);
		free(m->name);
		free(m->summary);
		free(m->overlay);
		free(m->automations);
	}
	free(mutants);
}

size_t hil_mutants_killing(const struct hil_mutant *mutants, size_t n, const char *id)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < mutants[i].n_kills; k++)
			count += strcmp(mutants[i].kills[k].requirement, id) == 0;
	return count;
}
