#include "r4hil/lab.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int hil_secret_read_file(const char *path, char **secret, char **err)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		int e = errno;
		if (asprintf(err, "%s: %s", path, strerror(e)) < 0)
			*err = NULL;
		return -e;
	}
	if (st.st_mode & 077) {
		if (asprintf(err, "%s: secret file must not be readable by group or others (chmod 600)", path) < 0)
			*err = NULL;
		return -EPERM;
	}
	FILE *f = fopen(path, "r");
	char buf[4096];
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') {
		if (asprintf(err, "%s: empty secret", path) < 0)
			*err = NULL;
		return -EINVAL;
	}
	*secret = strdup(buf);
	return *secret ? 0 : -ENOMEM;
}

static int get_string(json_object *obj, const char *key, int required, char **out,
		      const char *path, const char *section, char **err)
{
	json_object *v;
	if (!obj || !json_object_object_get_ex(obj, key, &v)) {
		if (!required)
			return 0;
		if (asprintf(err, "%s: %s.%s is missing", path, section, key) < 0)
			*err = NULL;
		return -EINVAL;
	}
	if (!json_object_is_type(v, json_type_string) && !json_object_is_type(v, json_type_int)) {
		if (asprintf(err, "%s: %s.%s must be a string", path, section, key) < 0)
			*err = NULL;
		return -EINVAL;
	}
	*out = strdup(json_object_get_string(v));
	return *out ? 0 : -ENOMEM;
}

/* A token from `token_file` (0600) or the variable named by `token_env`. */
static int get_token(json_object *obj, const char *path, const char *section, char **out, char **err)
{
	json_object *v;
	if (obj && json_object_object_get_ex(obj, "token_file", &v))
		return hil_secret_read_file(json_object_get_string(v), out, err);
	if (obj && json_object_object_get_ex(obj, "token_env", &v)) {
		const char *name = json_object_get_string(v);
		const char *value = getenv(name);
		if (!value || !*value) {
			if (asprintf(err, "%s: %s.token_env: environment variable %s is not set", path, section, name) < 0)
				*err = NULL;
			return -ENOENT;
		}
		*out = strdup(value);
		return *out ? 0 : -ENOMEM;
	}
	if (asprintf(err, "%s: %s needs token_file or token_env", path, section) < 0)
		*err = NULL;
	return -EINVAL;
}

int hil_lab_load(const char *path, struct hil_lab **out, char **err)
{
	*out = NULL;
	json_object *root = json_object_from_file(path);
	if (!root) {
		if (asprintf(err, "%s: %s", path, json_util_get_last_err()) < 0)
			*err = NULL;
		return -EINVAL;
	}
	struct hil_lab *lab = calloc(1, sizeof(*lab));
	json_object *router = NULL, *ha = NULL, *plug = NULL, *control = NULL, *permits = NULL, *v;
	json_object_object_get_ex(root, "router", &router);
	json_object_object_get_ex(root, "ha", &ha);
	json_object_object_get_ex(root, "plug", &plug);
	json_object_object_get_ex(root, "control", &control);
	int ret = get_string(root, "name", 1, &lab->name, path, "lab", err);
	if (!ret)
		ret = get_string(router, "host", 1, &lab->router.host, path, "router", err);
	if (!ret)
		ret = get_string(router, "user", 1, &lab->router.user, path, "router", err);
	if (!ret)
		ret = get_string(router, "key", 1, &lab->router.key, path, "router", err);
	if (!ret)
		ret = get_string(router, "known_hosts", 1, &lab->router.known_hosts, path, "router", err);
	lab->router.port = router && json_object_object_get_ex(router, "port", &v) ? json_object_get_int(v) : 22;
	if (!ret)
		ret = get_string(ha, "url", 1, &lab->ha.url, path, "ha", err);
	if (!ret)
		ret = get_token(ha, path, "ha", &lab->ha.token, err);
	if (!ret)
		ret = get_string(plug, "type", 1, &lab->plug.type, path, "plug", err);
	if (!ret)
		ret = get_string(plug, "url", 1, &lab->plug.url, path, "plug", err);
	if (!ret)
		ret = get_string(plug, "id", 0, &lab->plug.id, path, "plug", err);
	if (!ret)
		ret = get_string(plug, "ha_entity", 0, &lab->plug.ha_entity, path, "plug", err);
	if (!ret && control) {
		ret = get_string(control, "url", 1, &lab->control.url, path, "control", err);
		if (!ret)
			ret = get_token(control, path, "control", &lab->control.token, err);
	}
	if (!ret && json_object_object_get_ex(root, "permits", &permits)) {
		size_t n = json_object_array_length(permits);
		lab->permits = calloc(n + 1, sizeof(char *));
		for (size_t i = 0; i < n; i++)
			lab->permits[lab->n_permits++] = strdup(json_object_get_string(json_object_array_get_idx(permits, i)));
	}
	json_object_put(root);
	if (ret) {
		hil_lab_free(lab);
		return ret;
	}
	*out = lab;
	return 0;
}

void hil_lab_free(struct hil_lab *lab)
{
	if (!lab)
		return;
	free(lab->name);
	free(lab->router.host);
	free(lab->router.user);
	free(lab->router.key);
	free(lab->router.known_hosts);
	free(lab->ha.url);
	free(lab->ha.token);
	free(lab->plug.type);
	free(lab->plug.url);
	free(lab->plug.id);
	free(lab->plug.ha_entity);
	free(lab->control.url);
	free(lab->control.token);
	for (int i = 0; i < lab->n_permits; i++)
		free(lab->permits[i]);
	free(lab->permits);
	free(lab);
}

int hil_lab_permits(const struct hil_lab *lab, const char *what)
{
	for (int i = 0; i < lab->n_permits; i++)
		if (strcmp(lab->permits[i], what) == 0)
			return 1;
	return 0;
}
