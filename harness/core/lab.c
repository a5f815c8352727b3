/*
 * The lab file loader. Every problem is reported as "file:line:col: where: what
 * was expected", all of them at once, so that a lab file is fixed in one go.
 */
#include "r4hil/lab.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "r4hil/file.h"
#include "r4hil/jsondoc.h"

#define MAX_DEPTH 6
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const plug_types[] = { "shelly-gen1", "shelly-gen2", "tasmota", "hue",
					  "ha-switch", "pdudaemon", "command" };
static const char *const permit_names[] = { "power", "panic", "mlo-lock", "gpio", "flash" };

int hil_secret_read_file(const char *path, char **secret, char **err)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		int e = errno;
		if (asprintf(err, "%s: %s", path, strerror(e)) < 0)
			*err = NULL;
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		/* a FIFO would block the run (even --dry-run) until someone writes to it */
		if (asprintf(err, "%s: %s, expected a 0600 file holding the secret", path,
			     S_ISDIR(st.st_mode) ? "is a directory" : "is not a regular file") < 0)
			*err = NULL;
		return -EINVAL;
	}
	if (st.st_mode & 077) {
		if (asprintf(err, "%s: secret file must not be readable by group or others (chmod 600)", path) < 0)
			*err = NULL;
		return -EPERM;
	}
	/* O_NOFOLLOW|O_NONBLOCK: the file checked above, not a FIFO swapped in since */
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	FILE *f = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? fdopen(fd, "r") : NULL;
	if (!f && fd >= 0)
		close(fd);
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
	explicit_bzero(buf, sizeof(buf));
	return *secret ? 0 : -ENOMEM;
}

/* ---- positions and messages ---- */

struct loader {
	const char *file;
	struct hil_jsondoc *doc; /* the parsed file and where each value is */
	struct hil_jsonpos_seg path[MAX_DEPTH];
	size_t depth;
	char *errors; /* "file:line:col: msg\n"... */
	int n_errors;
	int errno_first;
};

static void push(struct loader *ld, const char *key)
{
	ld->path[ld->depth++] = (struct hil_jsonpos_seg){ .key = key };
}

static void push_index(struct loader *ld, size_t i)
{
	ld->path[ld->depth++] = (struct hil_jsonpos_seg){ .index = i };
}

static void pop(struct loader *ld)
{
	ld->depth--;
}

/* Position of the current path, or of its nearest existing parent. */
static void locate(const struct loader *ld, enum hil_jsonpos_target target, int *line, int *col)
{
	*line = *col = 1;
	if (ld->depth && !hil_jsondoc_find(ld->doc, ld->path, ld->depth, target, line, col))
		return;
	for (size_t d = ld->depth; d-- > 0;)
		if (!hil_jsondoc_find(ld->doc, ld->path, d, HIL_JSONPOS_VALUE, line, col))
			return;
}

__attribute__((format(printf, 4, 5)))
static void report(struct loader *ld, enum hil_jsonpos_target target, int e, const char *fmt, ...)
{
	char where[128] = "", *what = NULL, *all = NULL;
	size_t used = 0;
	int line, col;
	va_list ap;

	for (size_t i = 0; i < ld->depth && used < sizeof(where); i++)
		used += ld->path[i].key
			? (size_t)snprintf(where + used, sizeof(where) - used, "%s%s", i ? "." : "", ld->path[i].key)
			: (size_t)snprintf(where + used, sizeof(where) - used, "[%zu]", ld->path[i].index);
	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	locate(ld, target, &line, &col);
	if (asprintf(&all, "%s%s:%d:%d: %s%s%s\n", ld->errors ? ld->errors : "", ld->file, line, col,
		     where, *where ? ": " : "", what ? what : "out of memory") < 0)
		all = NULL;
	free(what);
	free(ld->errors);
	ld->errors = all;
	if (!ld->n_errors++)
		ld->errno_first = e;
}

/* ---- typed getters: each reports about member @key of @obj (the current path) ---- */

static json_object *member(json_object *obj, const char *key)
{
	json_object *v;
	return obj && json_object_object_get_ex(obj, key, &v) ? v : NULL;
}

/* Unknown keys are typos until proven otherwise: refuse them. */
static void check_keys(struct loader *ld, json_object *obj, const char *const *allowed)
{
	json_object_object_foreach(obj, key, val) {
		(void)val;
		int ok = 0;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = strcmp(*a, key) == 0;
		if (ok)
			continue;
		char list[256] = "";
		size_t used = 0;
		for (const char *const *a = allowed; *a && used < sizeof(list); a++)
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
						 a == allowed ? "" : ", ", *a);
		push(ld, key);
		report(ld, HIL_JSONPOS_KEY, EINVAL, "unknown key; expected one of: %s", list);
		pop(ld);
	}
}

static json_object *get_object(struct loader *ld, json_object *obj, const char *key, int required)
{
	json_object *v = member(obj, key);
	push(ld, key);
	if (!v && required)
		report(ld, HIL_JSONPOS_VALUE, EINVAL, "missing; expected an object");
	else if (v && !json_object_is_type(v, json_type_object)) {
		report(ld, HIL_JSONPOS_VALUE, EINVAL, "expected an object");
		v = NULL;
	}
	pop(ld);
	return v;
}

static void get_string(struct loader *ld, json_object *obj, const char *key, int required, char **out)
{
	json_object *v = member(obj, key);
	push(ld, key);
	if (!v) {
		if (required)
			report(ld, HIL_JSONPOS_VALUE, EINVAL, "missing; expected a string");
	} else if (!json_object_is_type(v, json_type_string) || !*json_object_get_string(v)) {
		report(ld, HIL_JSONPOS_VALUE, EINVAL, "expected a non-empty string");
	} else {
		*out = strdup(json_object_get_string(v));
	}
	pop(ld);
}

/* A string, or a number written as one ("0" or 0 for a relay id). */
static void get_id(struct loader *ld, json_object *obj, const char *key, char **out)
{
	json_object *v = member(obj, key);
	if (v && json_object_is_type(v, json_type_int)) {
		*out = strdup(json_object_get_string(v));
		return;
	}
	get_string(ld, obj, key, 0, out);
}

static void get_int(struct loader *ld, json_object *obj, const char *key, int lo, int hi, int dflt,
		    int *out)
{
	json_object *v = member(obj, key);
	*out = dflt;
	if (!v)
		return;
	push(ld, key);
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < lo ||
	    json_object_get_int64(v) > hi)
		report(ld, HIL_JSONPOS_VALUE, EINVAL, "expected an integer from %d to %d", lo, hi);
	else
		*out = json_object_get_int(v);
	pop(ld);
}

static void get_bool(struct loader *ld, json_object *obj, const char *key, int *out)
{
	json_object *v = member(obj, key);
	*out = 0;
	if (!v)
		return;
	push(ld, key);
	if (!json_object_is_type(v, json_type_boolean))
		report(ld, HIL_JSONPOS_VALUE, EINVAL, "expected true or false");
	else
		*out = json_object_get_boolean(v);
	pop(ld);
}

static int one_of(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return 1;
	return 0;
}

/*
 * A secret by reference: @what_file (a 0600 file) or @what_env (a variable).
 * @source, if given, receives where it came from (never the value).
 */
static void get_secret(struct loader *ld, json_object *obj, const char *what, int required,
		       char **out, char **source)
{
	char kfile[32], kenv[32];
	snprintf(kfile, sizeof(kfile), "%s_file", what);
	snprintf(kenv, sizeof(kenv), "%s_env", what);
	json_object *file = member(obj, kfile), *env = member(obj, kenv);
	if (file && env) {
		push(ld, kenv);
		report(ld, HIL_JSONPOS_KEY, EINVAL, "give either %s or %s, not both", kfile, kenv);
		pop(ld);
		return;
	}
	if (!file && !env) {
		if (required)
			report(ld, HIL_JSONPOS_VALUE, EINVAL, "missing %s or %s (a 0600 file or an environment variable)",
			       kfile, kenv);
		return;
	}
	char *name = NULL, *e = NULL;
	get_string(ld, obj, file ? kfile : kenv, 1, &name);
	if (!name)
		return;
	push(ld, file ? kfile : kenv);
	if (file) {
		int ret = hil_secret_read_file(name, out, &e);
		if (ret < 0)
			report(ld, HIL_JSONPOS_VALUE, -ret, "%s", e ? e : strerror(-ret));
	} else {
		const char *value = getenv(name);
		if (!value || !*value)
			report(ld, HIL_JSONPOS_VALUE, ENOENT, "environment variable %s is not set", name);
		else
			*out = strdup(value);
	}
	pop(ld);
	if (source && *out && asprintf(source, "%s %s", file ? "file" : "env", name) < 0)
		*source = NULL;
	free(name);
	free(e);
}

/*
 * A host is a numeric address, as the lab docs say: a name would be looked up
 * through the host's resolver at every connect, and the pinned host key belongs
 * to one address.
 */
static void check_address(struct loader *ld, const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];
	if (!host || inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1)
		return;
	push(ld, "host");
	report(ld, HIL_JSONPOS_VALUE, EINVAL, "expected a numeric IPv4 or IPv6 address, got \"%s\"", host);
	pop(ld);
}

/* ---- sections ---- */

static void load_ssh(struct loader *ld, json_object *root, const char *key, int required,
		     struct hil_lab_ssh *ssh)
{
	static const char *const keys[] = { "host", "port", "user", "key", "known_hosts", NULL };
	json_object *o = get_object(ld, root, key, required);
	if (!o)
		return;
	push(ld, key);
	check_keys(ld, o, keys);
	get_string(ld, o, "host", 1, &ssh->host);
	check_address(ld, ssh->host);
	get_int(ld, o, "port", 1, 65535, 22, &ssh->port);
	get_string(ld, o, "user", 0, &ssh->user);
	if (!ssh->user)
		ssh->user = strdup("root");
	get_string(ld, o, "key", 1, &ssh->key);
	get_string(ld, o, "known_hosts", 1, &ssh->known_hosts);
	pop(ld);
}

static void load_ha(struct loader *ld, json_object *root, struct hil_lab *lab)
{
	static const char *const keys[] = { "url", "token_file", "token_env", NULL };
	json_object *o = get_object(ld, root, "ha", 1);
	if (!o)
		return;
	push(ld, "ha");
	check_keys(ld, o, keys);
	get_string(ld, o, "url", 1, &lab->ha.url);
	get_secret(ld, o, "token", 1, &lab->ha.token, &lab->ha.token_source);
	pop(ld);
}

static void load_command(struct loader *ld, json_object *o, struct hil_lab *lab)
{
	json_object *v = member(o, "command");
	push(ld, "command");
	size_t n = v && json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
	if (!n) {
		report(ld, HIL_JSONPOS_VALUE, EINVAL,
		       "expected an array of strings: the program and its arguments (the action on|off|status is appended)");
		pop(ld);
		return;
	}
	lab->plug.command = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		json_object *a = json_object_array_get_idx(v, i);
		push_index(ld, i);
		if (!json_object_is_type(a, json_type_string))
			report(ld, HIL_JSONPOS_VALUE, EINVAL, "expected a string");
		else
			lab->plug.command[i] = strdup(json_object_get_string(a));
		pop(ld);
		if (!lab->plug.command[i])
			break;
	}
	pop(ld);
}

static void load_plug(struct loader *ld, json_object *root, struct hil_lab *lab)
{
	static const char *const keys[] = { "type", "url", "id", "ha_entity", "user", "password_file",
					    "password_env", "pdu", "entity", "command", NULL };
	json_object *o = get_object(ld, root, "plug", 1);
	if (!o)
		return;
	push(ld, "plug");
	check_keys(ld, o, keys);
	get_string(ld, o, "type", 1, &lab->plug.type);
	const char *t = lab->plug.type;
	if (t && !one_of(t, plug_types, ARRAY_SIZE(plug_types))) {
		push(ld, "type");
		report(ld, HIL_JSONPOS_VALUE, EINVAL, "unknown plug type \"%s\"; expected shelly-gen1, "
		       "shelly-gen2, tasmota, hue, ha-switch, pdudaemon or command", t);
		pop(ld);
		t = NULL;
	}
	int http = t && strcmp(t, "ha-switch") && strcmp(t, "command");
	get_string(ld, o, "url", http, &lab->plug.url);
	get_id(ld, o, "id", &lab->plug.id);
	get_string(ld, o, "ha_entity", 0, &lab->plug.ha_entity);
	get_string(ld, o, "user", 0, &lab->plug.user);
	get_secret(ld, o, "password", t && !strcmp(t, "hue"), &lab->plug.secret, NULL);
	get_string(ld, o, "pdu", t && !strcmp(t, "pdudaemon"), &lab->plug.pdu);
	get_string(ld, o, "entity", t && !strcmp(t, "ha-switch"), &lab->plug.entity);
	if (t && !strcmp(t, "command"))
		load_command(ld, o, lab);
	pop(ld);
}

static void load_line(struct loader *ld, json_object *lines, const char *key, struct hil_lab_gpio_line *l)
{
	static const char *const keys[] = { "offset", "active_low", NULL };
	json_object *o = get_object(ld, lines, key, 0);
	if (!o)
		return;
	push(ld, key);
	check_keys(ld, o, keys);
	int offset = -1;
	if (!member(o, "offset"))
		report(ld, HIL_JSONPOS_VALUE, EINVAL, "missing offset; expected the line's offset on the chip");
	get_int(ld, o, "offset", 0, 1023, -1, &offset);
	get_bool(ld, o, "active_low", &l->active_low);
	l->present = offset >= 0;
	l->offset = offset >= 0 ? (unsigned)offset : 0;
	pop(ld);
}

static void load_gpio(struct loader *ld, json_object *root, struct hil_lab *lab)
{
	static const char *const keys[] = { "chip", "lines", NULL };
	static const char *const line_keys[] = { "perst", "tx_fault", "tx_disable", NULL };
	json_object *o = get_object(ld, root, "gpio", 0);
	if (!o)
		return;
	push(ld, "gpio");
	check_keys(ld, o, keys);
	get_string(ld, o, "chip", 1, &lab->gpio.chip);
	json_object *lines = get_object(ld, o, "lines", 1);
	if (lines) {
		push(ld, "lines");
		check_keys(ld, lines, line_keys);
		load_line(ld, lines, "perst", &lab->gpio.perst);
		load_line(ld, lines, "tx_fault", &lab->gpio.tx_fault);
		load_line(ld, lines, "tx_disable", &lab->gpio.tx_disable);
		pop(ld);
	}
	pop(ld);
}

static void load_control(struct loader *ld, json_object *root, struct hil_lab *lab)
{
	static const char *const keys[] = { "url", "token_file", "token_env", NULL };
	json_object *o = get_object(ld, root, "control", 0);
	if (!o)
		return;
	push(ld, "control");
	check_keys(ld, o, keys);
	get_string(ld, o, "url", 1, &lab->control.url);
	get_secret(ld, o, "token", 1, &lab->control.token, NULL);
	pop(ld);
}

static void load_permits(struct loader *ld, json_object *root, struct hil_lab *lab)
{
	json_object *v = member(root, "permits");
	if (!v)
		return;
	push(ld, "permits");
	if (!json_object_is_type(v, json_type_array)) {
		report(ld, HIL_JSONPOS_VALUE, EINVAL, "expected an array of: power, panic, mlo-lock, gpio, flash");
		pop(ld);
		return;
	}
	size_t n = json_object_array_length(v);
	lab->permits = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(v, i);
		push_index(ld, i);
		if (!json_object_is_type(p, json_type_string) ||
		    !one_of(json_object_get_string(p), permit_names, ARRAY_SIZE(permit_names)))
			report(ld, HIL_JSONPOS_VALUE, EINVAL, "expected one of power, panic, mlo-lock, gpio, flash");
		else
			lab->permits[lab->n_permits++] = strdup(json_object_get_string(p));
		pop(ld);
	}
	pop(ld);
}

/* Parse the file strictly into ld->doc; a refusal is the file's only error. */
static json_object *parse(struct loader *ld, const char *text, size_t len)
{
	struct hil_jsondoc_error jerr;
	ld->doc = hil_jsondoc_parse(text, len, &jerr);
	if (!ld->doc) {
		int e = errno;
		if (asprintf(&ld->errors, "%s:%d:%d: %s\n", ld->file, jerr.line, jerr.col,
			     e == ENOMEM ? strerror(e) : jerr.msg) < 0)
			ld->errors = NULL;
		ld->n_errors = 1;
		ld->errno_first = e;
		return NULL;
	}
	json_object *root = hil_jsondoc_root(ld->doc);
	if (!json_object_is_type(root, json_type_object)) {
		report(ld, HIL_JSONPOS_VALUE, EINVAL, "expected a JSON object at the top level");
		return NULL;
	}
	return root;
}

int hil_lab_load(const char *path, struct hil_lab **out, char **err)
{
	static const char *const keys[] = { "name", "router", "onu", "ha", "plug", "gpio", "control",
					    "permits", NULL };
	*out = NULL;
	struct loader ld = { .file = path };
	char *text = NULL;
	size_t len = 0;
	int ret = hil_file_read_max(path, &text, &len, HIL_FILE_MAX_INPUT);
	if (ret < 0) {
		if (asprintf(err, "%s: %s", path, strerror(-ret)) < 0)
			*err = NULL;
		return ret;
	}
	struct hil_lab *lab = calloc(1, sizeof(*lab));
	json_object *root = parse(&ld, text, len);
	if (root) {
		check_keys(&ld, root, keys);
		get_string(&ld, root, "name", 1, &lab->name);
		load_ssh(&ld, root, "router", 1, &lab->router);
		load_ssh(&ld, root, "onu", 0, &lab->onu);
		load_ha(&ld, root, lab);
		load_plug(&ld, root, lab);
		load_gpio(&ld, root, lab);
		load_control(&ld, root, lab);
		load_permits(&ld, root, lab);
	}
	hil_jsondoc_free(ld.doc);
	free(text);
	lab->path = strdup(path);
	if (ld.n_errors) {
		hil_lab_free(lab);
		*err = ld.errors;
		return -ld.errno_first;
	}
	*out = lab;
	return 0;
}

static void free_ssh(struct hil_lab_ssh *s)
{
	free(s->host);
	free(s->user);
	free(s->key);
	free(s->known_hosts);
}

static void free_secret(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
	free(s);
}

void hil_lab_free(struct hil_lab *lab)
{
	if (!lab)
		return;
	free(lab->path);
	free(lab->name);
	free_ssh(&lab->router);
	free_ssh(&lab->onu);
	free(lab->ha.url);
	free_secret(lab->ha.token);
	free(lab->ha.token_source);
	free(lab->plug.type);
	free(lab->plug.url);
	free(lab->plug.id);
	free(lab->plug.ha_entity);
	free(lab->plug.user);
	free_secret(lab->plug.secret);
	free(lab->plug.pdu);
	free(lab->plug.entity);
	for (char **a = lab->plug.command; a && *a; a++)
		free(*a);
	free(lab->plug.command);
	free(lab->gpio.chip);
	free(lab->control.url);
	free_secret(lab->control.token);
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

int hil_lab_is_fake(const struct hil_lab *lab)
{
	return lab->control.url != NULL;
}
