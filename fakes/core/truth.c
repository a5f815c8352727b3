#include "core/truth.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct fl_truth {
	FILE *file;
	char *path;
	struct fl_loop *loop;
};

struct fl_truth *fl_truth_open(const char *path, struct fl_loop *loop)
{
	struct fl_truth *truth = calloc(1, sizeof(*truth));
	if (!truth)
		return NULL;
	truth->path = strdup(path);
	if (!truth->path)
		goto err_free;
	truth->file = fopen(path, "w");
	if (!truth->file)
		goto err_free_path;
	truth->loop = loop;
	return truth;

err_free_path:
	free(truth->path);
err_free:
	free(truth);
	return NULL;
}

void fl_truth_close(struct fl_truth *truth)
{
	if (!truth)
		return;
	fclose(truth->file);
	free(truth->path);
	free(truth);
}

void fl_truth_log(struct fl_truth *truth, const char *kind, const char *fmt, ...)
{
	if (!truth)
		return;
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "t_ms", json_object_new_int64(fl_loop_now(truth->loop)));
	json_object_object_add(o, "kind", json_object_new_string(kind));
	json_object_object_add(o, "msg", json_object_new_string(msg));
	fprintf(truth->file, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	fflush(truth->file);
	json_object_put(o);
	free(msg);
}

const char *fl_truth_path(const struct fl_truth *truth)
{
	return truth->path;
}
