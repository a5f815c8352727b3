/* The mutation catalogue: tests/mutants/<name>/mutant.json (see r4hil/mutants.h). */
#include "r4hil/mutants.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "r4hil/file.h"
#include "r4hil/jsondoc.h"
#include "r4hil/jsonschema.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

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

static int edit_file_ok(const char *file)
{
	return file && !strstr(file, "..") &&
	       (strncmp(file, "overlay/", 8) == 0 || strcmp(file, "ha/automations.yaml") == 0);
}

static int parse_edits(const char *path, json_object *o, struct hil_mutant *m, char **err)
{
	json_object *edits;
	if (!json_object_object_get_ex(o, "edits", &edits))
		return 0;
	if (!json_object_is_type(edits, json_type_array) || json_object_array_length(edits) == 0)
		return fail(err, -EINVAL, path, "\"edits\" must be a non-empty array");
	m->edits = calloc(json_object_array_length(edits), sizeof(*m->edits));
	if (!m->edits)
		return -ENOMEM;
	for (size_t i = 0; i < json_object_array_length(edits); i++) {
		json_object *e = json_object_array_get_idx(edits, i);
		struct hil_mutant_edit *edit = &m->edits[m->n_edits++];
		edit->file = string_of(e, "file");
		edit->replace = string_of(e, "replace");
		edit->with = string_of(e, "with");
		if (!edit_file_ok(edit->file) || !edit->replace || !*edit->replace || !edit->with)
			return fail(err, -EINVAL, path,
				    "an edit needs \"file\" (overlay/... or ha/automations.yaml), a non-empty "
				    "\"replace\" and \"with\"");
	}
	return 0;
}

static int parse(const char *dir, const char *path, json_object *o, struct hil_mutant *m, char **err)
{
	json_object *kills;
	m->summary = string_of(o, "summary");
	m->overlay = path_in(dir, string_of(o, "overlay"));
	m->automations = path_in(dir, string_of(o, "automations"));
	int ret = parse_edits(path, o, m, err);
	if (ret < 0)
		return ret;
	if (!m->overlay && !m->automations && !m->n_edits)
		return fail(err, -EINVAL, path, "needs \"overlay\" or \"automations\" or \"edits\"");
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

/* Read and strictly parse @path: a duplicate "kills" must not hide the first. */
static int read_json(const char *path, struct hil_jsondoc **doc, char **err)
{
	struct hil_jsondoc_error jerr;
	char *text = NULL;
	size_t len = 0;
	int ret = hil_file_read(path, &text, &len);
	if (ret < 0)
		return fail(err, ret, path, strerror(-ret));
	*doc = hil_jsondoc_parse(text, len, &jerr);
	ret = *doc ? 0 : -errno;
	free(text);
	if (ret == -EINVAL && err && asprintf(err, "%s:%d:%d: %s", path, jerr.line, jerr.col, jerr.msg) < 0)
		*err = NULL;
	if (!ret && !json_object_is_type(hil_jsondoc_root(*doc), json_type_object))
		ret = fail(err, -EINVAL, path, "expected a JSON object at the top level");
	return ret;
}

/* The keys a mutant file may have; what they must say is checked by parse(). */
static const struct hil_jsonschema_rule mutant_rules[] = {
	{ "summary", HIL_JSONSCHEMA_STRING, 0 }, { "edits", HIL_JSONSCHEMA_ARRAY, 0 },
	{ "overlay", HIL_JSONSCHEMA_STRING, 0 }, { "automations", HIL_JSONSCHEMA_STRING, 0 },
	{ "kills", HIL_JSONSCHEMA_ARRAY, 0 },
};
static const struct hil_jsonschema_rule edit_rules[] = {
	{ "file", HIL_JSONSCHEMA_STRING, 0 },
	{ "replace", HIL_JSONSCHEMA_STRING, 0 },
	{ "with", HIL_JSONSCHEMA_STRING, 0 },
};
static const struct hil_jsonschema_rule kill_rules[] = {
	{ "scenario", HIL_JSONSCHEMA_STRING, 0 },
	{ "requirement", HIL_JSONSCHEMA_STRING, 0 },
};

struct first_problem {
	const char *path;
	char **err;
};

static void keep_first(void *arg, int line, int col, const char *where, const char *what)
{
	struct first_problem *fp = arg;
	if (fp->err && !*fp->err &&
	    asprintf(fp->err, "%s:%d:%d: %s%s%s", fp->path, line, col, where, *where ? ": " : "", what) < 0)
		*fp->err = NULL;
}

/* Each object of the array @key of @top against @rules. */
static void check_items(struct hil_jsonschema *sc, json_object *top, const char *key,
			const struct hil_jsonschema_rule *rules, size_t n)
{
	json_object *arr, *vals[ARRAY_SIZE(edit_rules)]; /* the longest table */
	assert(n <= ARRAY_SIZE(vals));
	if (!json_object_object_get_ex(top, key, &arr) || !json_object_is_type(arr, json_type_array))
		return;
	hil_jsonschema_push_key(sc, key);
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		hil_jsonschema_push_index(sc, i);
		hil_jsonschema_check(sc, json_object_array_get_idx(arr, i), rules, n, vals);
		hil_jsonschema_pop(sc);
	}
	hil_jsonschema_pop(sc);
}

/* Unknown keys and wrong types, with their position: a typo like "kils" is not ignored. */
static int check_schema(const struct hil_jsondoc *doc, const char *path, char **err)
{
	struct first_problem fp = { path, err };
	struct hil_jsonschema sc = { .doc = doc, .report = keep_first, .arg = &fp };
	json_object *top = hil_jsondoc_root(doc), *vals[ARRAY_SIZE(mutant_rules)];
	hil_jsonschema_check(&sc, top, mutant_rules, ARRAY_SIZE(mutant_rules), vals);
	check_items(&sc, top, "edits", edit_rules, ARRAY_SIZE(edit_rules));
	check_items(&sc, top, "kills", kill_rules, ARRAY_SIZE(kill_rules));
	return sc.n_problems ? -EINVAL : 0;
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
	struct hil_jsondoc *doc = NULL;
	int ret = read_json(path, &doc, err);
	if (!ret)
		ret = check_schema(doc, path, err);
	if (!ret)
		ret = parse(mdir, path, hil_jsondoc_root(doc), m, err);
	hil_jsondoc_free(doc);
	free(path);
	free(mdir);
	return ret;
}

static int is_dir(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
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
		/* a mutant is a directory; README.md and the like are not */
		if (de->d_name[0] == '.' || !is_dir(dir, de->d_name))
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
		for (size_t k = 0; k < m->n_edits; k++) {
			free(m->edits[k].file);
			free(m->edits[k].replace);
			free(m->edits[k].with);
		}
		free(m->edits);
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

/* ---- materializing edits ---- */

static char *read_all(const char *path, struct stat *st)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *text = NULL;
	if (fstat(fileno(f), st) == 0 && (text = malloc((size_t)st->st_size + 1)) &&
	    fread(text, 1, (size_t)st->st_size, f) == (size_t)st->st_size) {
		text[st->st_size] = '\0';
	} else {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

static int write_all(const char *path, const char *text, mode_t mode)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		return -errno;
	int ok = fputs(text, f) >= 0;
	ok = fclose(f) == 0 && ok;
	return ok && chmod(path, mode & 07777) == 0 ? 0 : -EIO;
}

/* @text with its one occurrence of @from replaced by @to; NULL unless exactly one. */
static char *replace_once(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	if (!at || strstr(at + 1, from))
		return NULL;
	char *out = NULL;
	if (asprintf(&out, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from)) < 0)
		return NULL;
	return out;
}

/* Apply every edit of @file, in order, to the reference's text. */
static int edit_one_file(const struct hil_mutant *m, const char *file, const char *fixtures,
			 const char *dest, char **err)
{
	char src[4096], dst[4096];
	snprintf(src, sizeof(src), "%s/%s", fixtures, file);
	snprintf(dst, sizeof(dst), "%s/%s", dest, file);
	struct stat st;
	char *text = read_all(src, &st);
	if (!text)
		return fail(err, -errno ? -errno : -EIO, src, strerror(errno ? errno : EIO));
	for (size_t i = 0; i < m->n_edits; i++) {
		if (strcmp(m->edits[i].file, file) != 0)
			continue;
		char *next = replace_once(text, m->edits[i].replace, m->edits[i].with);
		free(text);
		if (!next) {
			if (err && asprintf(err, "mutant %s: edit %zu does not apply to fixtures/%s (its text "
						 "is not there exactly once: the reference changed, update the mutant)",
					    m->name, i + 1, file) < 0)
				*err = NULL;
			return -EINVAL;
		}
		text = next;
	}
	int ret = write_all(dst, text, st.st_mode);
	free(text);
	return ret < 0 ? fail(err, ret, dst, strerror(-ret)) : 0;
}

int hil_mutant_materialize(const struct hil_mutant *m, const char *fixtures, const char *dest,
			   char **overlay, char **automations, char **err)
{
	*overlay = *automations = NULL;
	int ret = 0;
	for (size_t i = 0; i < m->n_edits && ret == 0; i++) {
		int first = 1; /* each file once, with all its edits */
		for (size_t j = 0; j < i; j++)
			first = first && strcmp(m->edits[j].file, m->edits[i].file) != 0;
		if (first)
			ret = edit_one_file(m, m->edits[i].file, fixtures, dest, err);
		if (ret == 0 && strncmp(m->edits[i].file, "overlay/", 8) == 0 && !*overlay &&
		    asprintf(overlay, "%s/overlay", dest) < 0)
			ret = -ENOMEM;
		if (ret == 0 && strcmp(m->edits[i].file, "ha/automations.yaml") == 0 && !*automations &&
		    asprintf(automations, "%s/ha/automations.yaml", dest) < 0)
			ret = -ENOMEM;
	}
	if (ret < 0) {
		free(*overlay);
		free(*automations);
		*overlay = *automations = NULL;
	}
	return ret;
}
