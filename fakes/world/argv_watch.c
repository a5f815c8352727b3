/*
 * A fake-lab check, not a physical model: no program inside the router or the ONU
 * may carry one of the lab's secrets in its arguments (any user of a real router
 * reads them with ps). The preloaded library reports each leak to the model file
 * argv-leaks (sandbox/procredir/argvwatch.c); this logs it to the truth as
 * `secret.argv` with the program and the secret's name, never its value.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "world/model.h"
#include "world/modelfs.h"
#include "core/truth.h"
#include "world/world.h"

#define LEAKS "argv-leaks"

struct argv_watch {
	struct fl_world *w;
	const char *dirs[2]; /* the router's and the ONU's model files */
};

/* The lab made argv-leaks writable before any sandbox booted (fakes/main.c). */
static int argv_watch_init(struct fl_world *w, void **state, char **err)
{
	(void)err;
	struct argv_watch *a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->w = w;
	a->dirs[0] = fl_world_model_dir(w);
	a->dirs[1] = fl_world_cfg(w)->onu_model_dir;
	*state = a;
	return 0;
}

static void take_leaks(struct argv_watch *a, const char *dir)
{
	char path[4096];
	struct stat st;
	snprintf(path, sizeof(path), "%s/" LEAKS, dir);
	if (stat(path, &st) < 0 || st.st_size == 0)
		return;
	char *text = fl_modelfs_take(dir, LEAKS);
	for (char *save = NULL, *line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		fl_truth_log(fl_world_truth(a->w), "secret.argv", "%s: %s in a program's arguments",
			     dir == a->dirs[0] ? "router" : "onu", line);
	free(text);
}

static void argv_watch_time(void *state)
{
	struct argv_watch *a = state;
	for (size_t i = 0; i < 2; i++)
		if (a->dirs[i])
			take_leaks(a, a->dirs[i]);
}

static void argv_watch_free(void *state)
{
	argv_watch_time(state); /* what the last programs reported */
	free(state);
}

const struct fl_model_ops fl_argv_watch_model = {
	.name = "argv-watch",
	.init = argv_watch_init,
	.free = argv_watch_free,
	.time = argv_watch_time,
	.halt = argv_watch_time,
};
