#include "sandbox/cron.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/beneath.h"
#include "sandbox/sandbox.h"
#include "core/util.h"
#include "core/truth.h"

struct fl_cron {
	struct fl_loop *loop;
	struct fl_sandbox *sb;
	struct fl_truth *truth;
	char *rootfs, *path; /* path: as the router names it, under rootfs */
	struct fl_crontab *tab;
	struct timespec mtime;
	bool loaded;
	uint64_t timer;
	bool stopped;
	bool running;
	unsigned runs;
	/* the minute being worked through */
	struct tm tm;
	size_t next;
	int n;
};

static void tick(void *arg);

static void reload(struct fl_cron *cron)
{
	struct stat st;
	/* the router's file: a link out of its rootfs or a FIFO reads as no crontab */
	int fd = fl_beneath_open_file_at(cron->rootfs, cron->path, O_RDONLY, 0, &st);
	bool exists = fd >= 0;
	if (cron->loaded && exists && st.st_mtim.tv_sec == cron->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == cron->mtime.tv_nsec) {
		close(fd);
		return;
	}
	if (cron->loaded && !exists && cron->tab && cron->tab->n == 0)
		return;
	char *text = exists ? fl_beneath_read_fd(fd, FL_BENEATH_READ_MAX, NULL) : NULL;
	if (exists)
		close(fd);
	struct fl_crontab *tab = NULL;
	char *warnings = NULL;
	if (fl_crontab_parse(text, &tab, &warnings) < 0) {
		fl_truth_log(cron->truth, "cron.error", "out of memory reading %s", cron->path);
		free(text);
		return;
	}
	for (char *w = warnings, *end; w && *w; w = end + 1) {
		end = strchr(w, '\n');
		*end = '\0';
		/* crond logs a bad line and skips it */
		fl_truth_log(cron->truth, "cron.warning", "%s", w);
	}
	free(warnings);
	free(text);
	fl_crontab_free(cron->tab);
	cron->tab = tab;
	cron->mtime = exists ? st.st_mtim : (struct timespec){ 0 };
	cron->loaded = true;
}

static void job_done(void *arg, int status);

/* Start the next due line of this minute, if any. */
static void run_next(struct fl_cron *cron)
{
	for (; !cron->stopped && cron->next < cron->tab->n; cron->next++) {
		if (!fl_crontab_due(cron->tab, cron->next, &cron->tm))
			continue;
		const struct fl_crontab_entry *e = &cron->tab->entries[cron->next];
		char tag[64];
		snprintf(tag, sizeof(tag), "cron-%04d%02d%02d%02d%02d-%d", cron->tm.tm_year + 1900,
			 cron->tm.tm_mon + 1, cron->tm.tm_mday, cron->tm.tm_hour, cron->tm.tm_min,
			 ++cron->n);
		int ret = fl_sandbox_run(cron->sb, tag, e->command, job_done, cron);
		if (ret < 0) {
			fl_truth_log(cron->truth, "cron.error", "line %d: cannot run (%s): %s", e->line,
				     strerror(-ret), e->command);
			if (ret == -ESRCH)
				return; /* the router is down; the other lines would fail too */
			continue;
		}
		fl_truth_log(cron->truth, "cron.run", "%s line %d: %s", tag, e->line, e->command);
		cron->running = true;
		cron->runs++;
		return;
	}
}

static void job_done(void *arg, int status)
{
	struct fl_cron *cron = arg;
	cron->running = false;
	const struct fl_crontab_entry *e = &cron->tab->entries[cron->next];
	if (WIFEXITED(status))
		fl_truth_log(cron->truth, "cron.exit", "line %d: exit %d", e->line, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fl_truth_log(cron->truth, "cron.exit", "line %d: signal %d", e->line, WTERMSIG(status));
	if (cron->stopped) {
		fl_crontab_free(cron->tab);
		free(cron->rootfs);
		free(cron->path);
		free(cron);
		return;
	}
	cron->next++;
	run_next(cron);
}

static void tick(void *arg)
{
	struct fl_cron *cron = arg;
	fl_ms now = fl_loop_now(cron->loop);
	cron->timer = fl_timer_add(cron->loop, now - now % FL_MINUTE + FL_MINUTE, tick, cron);
	if (cron->running) {
		/* the previous minute's jobs still run: the clock cannot have moved, but be safe */
		return;
	}
	reload(cron);
	time_t t = (time_t)(now / 1000);
	gmtime_r(&t, &cron->tm);
	cron->next = 0;
	cron->n = 0;
	run_next(cron);
}

struct fl_cron *fl_cron_start(struct fl_loop *loop, struct fl_sandbox *sb,
			      const char *rootfs, const char *crontab, struct fl_truth *truth)
{
	struct fl_cron *cron = calloc(1, sizeof(*cron));
	if (!cron)
		return NULL;
	cron->rootfs = strdup(rootfs);
	cron->path = strdup(crontab);
	if (!cron->rootfs || !cron->path) {
		free(cron->rootfs);
		free(cron->path);
		free(cron);
		errno = ENOMEM;
		return NULL;
	}
	cron->loop = loop;
	cron->sb = sb;
	cron->truth = truth;
	reload(cron);
	fl_ms now = fl_loop_now(loop);
	cron->timer = fl_timer_add(loop, now - now % FL_MINUTE + FL_MINUTE, tick, cron);
	return cron;
}

void fl_cron_stop(struct fl_cron *cron)
{
	if (!cron)
		return;
	fl_timer_cancel(cron->loop, cron->timer);
	cron->stopped = true;
	if (cron->running)
		return; /* job_done frees it */
	fl_crontab_free(cron->tab);
	free(cron->rootfs);
	free(cron->path);
	free(cron);
}

unsigned fl_cron_runs(const struct fl_cron *cron)
{
	return cron->runs;
}
