/*
 * Progress on the terminal while a scenario runs: scenario, phase, step, the time
 * since it began (virtual or real) and what it waits for. On a TTY one line is
 * redrawn in place; otherwise (CI logs) a line is printed when the step changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "r4hil/duration.h"
#include "r4hil/engine.h"

struct state {
	struct hil_progress base;
	int tty;
	int dirty;
	char last[256];
};

static void update(void *ctx, const struct hil_progress_info *info)
{
	struct state *st = ctx;
	char t[32], key[256], line[512];
	hil_duration_format(info->t_ms < 0 ? 0 : info->t_ms, t, sizeof(t));
	snprintf(key, sizeof(key), "%s %s %s", info->scenario ? info->scenario : "",
		 info->phase ? info->phase : "", info->step ? info->step : "");
	snprintf(line, sizeof(line), "[%s] %-12s t=+%-8s %s%s%s", info->scenario ? info->scenario : "",
		 info->phase ? info->phase : "", t, info->step ? info->step : "",
		 info->waiting_for ? "  waiting for: " : "", info->waiting_for ? info->waiting_for : "");
	if (st->tty) {
		fprintf(stderr, "\r\033[K%.*s", 160, line);
		st->dirty = 1;
	} else if (strcmp(key, st->last) != 0) {
		fprintf(stderr, "%s\n", line);
		snprintf(st->last, sizeof(st->last), "%s", key);
	}
	fflush(stderr);
}

struct hil_progress *cli_progress_new(void)
{
	struct state *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->tty = isatty(STDERR_FILENO);
	st->base.update = update;
	st->base.ctx = st;
	return &st->base;
}

void cli_progress_done(struct hil_progress *p)
{
	struct state *st = (struct state *)p;
	if (st && st->tty && st->dirty)
		fprintf(stderr, "\r\033[K");
	free(st);
}
