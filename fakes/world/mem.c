/*
 * The router's memory: injected pressure beyond what is free makes the kernel's
 * OOM killer kill processes for real inside the sandbox (largest resident set
 * first: hostapd, dnsmasq, uhttpd), with the kernel's own lines in dmesg (OOM-1).
 * It also starts the fake daemons at boot (sandbox shims usr/libexec/r4hil/daemons).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/sandbox.h"
#include "world/model.h"
#include "core/truth.h"
#include "world/wifi_log.h"

#define MEM_FREE_MB 3700 /* a 4 GB BPI-R4 after boot */
#define MAX_KILLS 8

/* What the OOM killer sees of each daemon (kB), in the order it picks them. */
static const struct victim {
	const char *name;
	int total_vm, anon_rss, file_rss, pgtables;
} victims[] = {
	{ "hostapd", 14848, 6144, 2048, 48 },
	{ "dnsmasq", 2752, 768, 1024, 28 },
	{ "uhttpd", 2304, 512, 896, 24 },
};
#define N_VICTIMS (sizeof(victims) / sizeof(victims[0]))

struct mem {
	struct fl_world *w;
	const struct victim *queue[N_VICTIMS];
	int n_queue, next, kills_left;
	char invoker[32];
	int killing;
};

static const struct victim *find_victim(const char *name)
{
	for (size_t i = 0; i < N_VICTIMS; i++)
		if (!strcmp(victims[i].name, name))
			return &victims[i];
	return NULL;
}

static void kill_next(struct mem *s);

/* The pid the kill job printed (the last line of its log), or -1. */
static long killed_pid(struct mem *s)
{
	struct fl_sandbox *sb = fl_world_sandbox(s->w);
	char *text = sb ? fl_sandbox_read_log(sb, "oom-kill", NULL) : NULL;
	long pid = -1;
	for (char *save = NULL, *line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		pid = strtol(line, NULL, 10) > 0 ? strtol(line, NULL, 10) : -1;
	free(text);
	return pid;
}

static void kill_done(void *arg, int status)
{
	struct mem *s = arg;
	const struct victim *v = s->queue[s->next++];
	long pid = killed_pid(s);
	if (status != 0 || pid <= 0) {
		fl_truth_log(fl_world_truth(s->w), "mem.oom", "%s is not running: the OOM killer picks another", v->name);
	} else {
		s->kills_left--;
		fl_wifi_klog(s->w, "%s invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0, oom_score_adj=0",
			     s->invoker);
		fl_wifi_klog(s->w, "Out of memory: Killed process %ld (%s) total-vm:%dkB, anon-rss:%dkB, file-rss:%dkB, shmem-rss:0kB, UID:0 pgtables:%dkB oom_score_adj:0",
			     pid, v->name, v->total_vm, v->anon_rss, v->file_rss, v->pgtables);
		fl_wifi_klog(s->w, "oom_reaper: reaped process %ld (%s), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
			     pid, v->name);
		fl_truth_log(fl_world_truth(s->w), "mem.oom", "killed %s (pid %ld)", v->name, pid);
	}
	kill_next(s);
}

static void kill_next(struct mem *s)
{
	struct fl_sandbox *sb = fl_world_sandbox(s->w);
	if (s->kills_left <= 0 || s->next >= s->n_queue || !sb) {
		s->killing = 0;
		return;
	}
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "pid=$(pidof %s | cut -d' ' -f1); [ -n \"$pid\" ] && kill -9 \"$pid\" && echo \"$pid\"",
		 s->queue[s->next]->name);
	if (fl_sandbox_run(sb, "oom-kill", cmd, kill_done, s) < 0)
		s->killing = 0;
}

static int inject_pressure(struct mem *s, json_object *params, char **err)
{
	json_object *v;
	int mb = json_object_object_get_ex(params, "mb", &v) ? json_object_get_int(v) : 0;
	int kills = json_object_object_get_ex(params, "kills", &v) ? json_object_get_int(v) : 1;
	const char *victim = json_object_object_get_ex(params, "victim", &v) ? json_object_get_string(v) : NULL;
	const char *by = json_object_object_get_ex(params, "by", &v) ? json_object_get_string(v) : "memhog";
	if (mb <= 0 || kills < 1 || kills > MAX_KILLS || (victim && !find_victim(victim))) {
		*err = strdup("mem.pressure needs mb > 0; kills 1..8; victim one of hostapd, dnsmasq, uhttpd");
		return -EINVAL;
	}
	if (s->killing || fl_world_router(s->w) != FL_ROUTER_UP) {
		*err = strdup("mem.pressure: the router is not up or still killing");
		return -EBUSY;
	}
	if (mb <= MEM_FREE_MB) {
		fl_truth_log(fl_world_truth(s->w), "mem.pressure", "%d MB allocated: fits in %d MB free", mb, MEM_FREE_MB);
		return 0;
	}
	snprintf(s->invoker, sizeof(s->invoker), "%s", by);
	s->n_queue = 0;
	s->next = 0;
	s->kills_left = kills;
	/* the victim asked for first, then the rest by size: a victim already gone is skipped */
	if (victim)
		s->queue[s->n_queue++] = find_victim(victim);
	for (size_t i = 0; i < N_VICTIMS; i++)
		if (!victim || strcmp(victims[i].name, victim))
			s->queue[s->n_queue++] = &victims[i];
	fl_truth_log(fl_world_truth(s->w), "mem.pressure", "%d MB allocated by %s: OOM, %d kill(s)", mb, by, kills);
	s->killing = 1;
	kill_next(s);
	return 0;
}

static int mem_inject(void *state, const char *what, json_object *params, char **err)
{
	if (!strcmp(what, "pressure"))
		return inject_pressure(state, params, err);
	if (asprintf(err, "unknown injection \"mem.%s\" (pressure)", what) < 0)
		*err = NULL;
	return -EINVAL;
}

static void daemons_started(void *arg, int status)
{
	struct mem *s = arg;
	if (status != 0)
		fl_truth_log(fl_world_truth(s->w), "lab.error", "fake daemons failed to start: status %d", status);
}

static void mem_userland(void *state)
{
	struct mem *s = state;
	s->killing = 0;
	struct fl_sandbox *sb = fl_world_sandbox(s->w);
	if (sb)
		fl_sandbox_run(sb, "daemons", "/usr/libexec/r4hil/daemons", daemons_started, s);
}

static void mem_halt(void *state)
{
	struct mem *s = state;
	s->killing = 0;
	s->n_queue = 0;
}

static int mem_init(struct fl_world *w, void **state, char **err)
{
	(void)err;
	struct mem *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->w = w;
	*state = s;
	return 0;
}

const struct fl_model_ops fl_mem_model = {
	.name = "mem",
	.init = mem_init,
	.free = free,
	.userland = mem_userland,
	.halt = mem_halt,
	.inject = mem_inject,
};
