/*
 * Services at boot (model "services"): procd running /etc/rc.d in order (S19dnsmasq
 * before S20network), its respawn policy `respawn threshold timeout retry` read from
 * each init script as procd gets it, daemons that cannot bind the WAN VIP until
 * pppoe-wan is up (DNS-1), haproxy crashing (HAP-1), and ujail's pidfiles whose PID
 * is procd itself: signalling it shuts the router down (JAIL-1).
 *
 * A running daemon is a real process inside the router (/usr/sbin/<name>, a stand-in
 * that only waits), so pidof, pgrep and kill see it; procd is /sbin/procd, a
 * stand-in that reports the signals it gets through the writable model file
 * procd-signal. Numbers are in fakes/README.md.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "core/beneath.h"
#include "sandbox/sandbox.h"
#include "core/util.h"
#include "core/httpd.h"
#include "world/model.h"
#include "world/modelfs.h"
#include "core/truth.h"
#include "world/wan.h"
#include "world/world.h"
#include "world/services.h"

#define SIGNAL_FILE "procd-signal"

/* procd's defaults for a bare `procd_set_param respawn` (threshold, timeout, retry). */
#define RESPAWN_THRESHOLD_S 3600
#define RESPAWN_TIMEOUT_S 5
#define RESPAWN_RETRY 5

struct svc_desc {
	const char *name;
	const char *command; /* the daemon as procd starts it */
	int needs_vip;       /* binds the WAN VIP: fails until pppoe-wan is up */
};

static const struct svc_desc svcs[] = {
	{ "dnsmasq", "/usr/sbin/dnsmasq -C /var/etc/dnsmasq.conf.cfg01411c -k -x /var/run/dnsmasq/dnsmasq.pid", 1 },
	{ "haproxy", "/usr/sbin/haproxy -Ws -f /etc/haproxy.cfg -p /var/run/haproxy/haproxy.pid", 1 },
};
#define N_SVC (sizeof(svcs) / sizeof(svcs[0]))

enum inst_state { INST_STOPPED, INST_RUNNING, INST_RESPAWN_WAIT, INST_FAILED };
static const char *const state_names[] = { "stopped", "running", "respawning", "failed" };

struct instance {
	const struct svc_desc *desc;
	enum inst_state state;
	int respawn;                 /* the init script asks for respawn */
	int threshold_s, timeout_s, retry;
	int crashes;                 /* procd's respawn_count */
	int mirror;                  /* its stand-in process runs inside the router */
	unsigned job;                /* the last daemon_job for it */
	fl_ms started;
	uint64_t timer;
	struct services *m;
};

struct services {
	struct fl_world *w;
	const char *dir;
	struct instance inst[N_SVC];
	int watch;
	unsigned jobs;               /* daemon_job numbers */
	uint64_t shutdown_timer;     /* procd's shutdown sequence before the reboot or power-off */
	const char *shutdown_to;     /* "reboot" or "poweroff" */
};

/* procd stops the services (rc.d K*) before it reboots or powers off. */
#define PROCD_SHUTDOWN_MS (2 * FL_SECOND)

/* ---- the daemons inside the router ---- */

static void job_done(void *arg, int status)
{
	(void)arg;
	(void)status;
}

/*
 * One job per change, so a stop and the next start never race: kill the running
 * stand-in, then start a new one whose jail pidfile holds procd's PID (ujail: the
 * service is PID 1 of its namespace, which the host sees as procd; the lowest PID
 * of `pidof procd`, which also lists the stand-in's child between its fork and its
 * exec). procd kills its instance by PID, kept outside the router's files in
 * /r4hil/run/svc-NAME.pid as "JOB PID": `pidof NAME` would also find
 * `/etc/init.d/NAME restart` itself (its comm is NAME). The job ends once the new
 * daemon runs under its name; /etc/rc.common waits for job JOB (the reply's "job"),
 * as procd's ubus call returns once it forked the instance.
 */
static void daemon_job(struct instance *in, int kill_old, int start)
{
	struct services *m = in->m;
	const struct svc_desc *d = in->desc;
	struct fl_sandbox *sb = fl_world_sandbox(m->w);
	if (!sb)
		return;
	in->job = ++m->jobs;
	char line[2048];
	int n = snprintf(line, sizeof(line), "f=/r4hil/run/svc-%s.pid; p=; ", d->name);
	if (kill_old)
		n += snprintf(line + n, sizeof(line) - (size_t)n,
			      "p=$(cut -d' ' -f2 $f 2>/dev/null) && [ -n \"$p\" ] && kill $p 2>/dev/null; p=; ");
	if (start)
		n += snprintf(line + n, sizeof(line) - (size_t)n,
			      /* procd's own start is a job of its own: wait for it (1 s at most) */
			      "i=0; until pidof procd >/dev/null || [ $i -ge 100 ]; do sleep 0.01; i=$((i+1)); done; "
			      "set -- $(pidof procd); q=$1; for x; do [ \"$x\" -lt \"$q\" ] && q=$x; done; "
			      "mkdir -p /var/run/%s && echo $q > /var/run/%s/%s.pid; "
			      "%s </dev/null >/dev/null 2>&1 & p=$!; "
			      "i=0; until [ \"$(cat /proc/$p/comm 2>/dev/null)\" = %s ] || [ $i -ge 100 ]; do "
			      "sleep 0.01; i=$((i+1)); done; ",
			      d->name, d->name, d->name, d->command, d->name);
	snprintf(line + n, sizeof(line) - (size_t)n, "echo \"%u $p\" > $f", in->job);
	char tag[64];
	snprintf(tag, sizeof(tag), "svc-%s", d->name);
	fl_sandbox_run(sb, tag, line, job_done, NULL);
}

/* ---- procd's instance handling (service/instance.c) ---- */

static void instance_start(struct instance *in);

static void respawn_due(void *arg)
{
	struct instance *in = arg;
	in->timer = 0;
	instance_start(in);
}

/* The daemon exited after @runtime_ms: respawn, or give up after `retry` fast failures. */
static void instance_exit(struct instance *in, fl_ms runtime_ms, const char *why)
{
	struct services *m = in->m;
	struct fl_loop *loop = fl_world_loop(m->w);
	const char *name = in->desc->name;
	if (!in->respawn) {
		in->state = INST_STOPPED;
		fl_truth_log(fl_world_truth(m->w), "services", "%s exited (%s); no respawn", name, why);
		return;
	}
	if (runtime_ms < (fl_ms)in->threshold_s * FL_SECOND)
		in->crashes++;
	else
		in->crashes = 0;
	if (in->crashes > in->retry && in->retry > 0) {
		in->state = INST_FAILED;
		fl_truth_log(fl_world_truth(m->w), "services",
			     "%s exited (%s); in a crash loop, %d crashes: procd gives up", name, why, in->crashes);
		return;
	}
	in->state = INST_RESPAWN_WAIT;
	fl_truth_log(fl_world_truth(m->w), "services", "%s exited (%s); respawn %d/%d in %ds", name, why,
		     in->crashes, in->retry, in->timeout_s);
	in->timer = fl_timer_add(loop, fl_loop_now(loop) + (fl_ms)in->timeout_s * FL_SECOND, respawn_due, in);
}

static void instance_start(struct instance *in)
{
	struct services *m = in->m;
	in->started = fl_loop_now(fl_world_loop(m->w));
	if (in->desc->needs_vip && !fl_wan_pppoe_up(m->w)) {
		if (in->mirror)
			daemon_job(in, 1, 0);
		in->mirror = 0;
		/* dnsmasq: "failed to create listening socket for 31.3.128.59: Address in use" */
		instance_exit(in, 0, "cannot bind " FL_WAN_VIP ": pppoe-wan is not up");
		return;
	}
	in->state = INST_RUNNING;
	fl_truth_log(fl_world_truth(m->w), "services", "%s running", in->desc->name);
	daemon_job(in, in->mirror, 1);
	in->mirror = 1;
}

/* procd reads the instance's respawn parameters when the init script registers it. */
static void read_respawn(struct instance *in, const char *rootfs)
{
	char path[4096];
	snprintf(path, sizeof(path), "/etc/init.d/%s", in->desc->name);
	/* the router's script, as it sees it: a link out of its rootfs reads as none */
	char *text = fl_beneath_read_file(rootfs, path, FL_BENEATH_READ_MAX, NULL);
	in->respawn = 0;
	in->threshold_s = RESPAWN_THRESHOLD_S;
	in->timeout_s = RESPAWN_TIMEOUT_S;
	in->retry = RESPAWN_RETRY;
	for (char *save = NULL, *line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		const char *p = strstr(line, "procd_set_param respawn");
		if (*line == '#' || !p)
			continue;
		in->respawn = 1;
		int *vals[] = { &in->threshold_s, &in->timeout_s, &in->retry };
		p += strlen("procd_set_param respawn");
		for (int k = 0; k < 3; k++) {
			p += strspn(p, " \t");
			const char *dflt = strstr(p, ":-"); /* ${respawn_timeout:-5} */
			const char *end = p + strcspn(p, " \t");
			const char *num = dflt && dflt < end ? dflt + 2 : p;
			if (*num < '0' || *num > '9')
				break;
			*vals[k] = atoi(num);
			p = end;
		}
		break;
	}
	free(text);
}

/* `start` as procd does it: a fresh instance with the init script's current parameters. */
static void service_start(struct services *m, struct instance *in, const char *how)
{
	struct fl_loop *loop = fl_world_loop(m->w);
	fl_timer_cancel(loop, in->timer);
	in->timer = 0;
	in->crashes = 0;
	read_respawn(in, fl_world_rootfs(m->w));
	fl_truth_log(fl_world_truth(m->w), "services", "%s: %s (respawn %s%d %d %d)", in->desc->name, how,
		     in->respawn ? "" : "off, ", in->threshold_s, in->timeout_s, in->retry);
	instance_start(in);
}

/* Stop the instance; @kill_now: end its process now, else the next start does (restart). */
static void service_stop(struct services *m, struct instance *in, int kill_now)
{
	fl_timer_cancel(fl_world_loop(m->w), in->timer);
	in->timer = 0;
	if (kill_now && in->mirror) {
		daemon_job(in, 1, 0);
		in->mirror = 0;
	}
	in->state = INST_STOPPED;
}

static struct instance *find_instance(struct services *m, const char *name)
{
	for (size_t i = 0; name && i < N_SVC; i++)
		if (strcmp(svcs[i].name, name) == 0)
			return &m->inst[i];
	return NULL;
}

/* ---- boot: /etc/rc.d in order ---- */

static int rc_filter(const struct dirent *d)
{
	return d->d_name[0] == 'S';
}

static void run_rc_d(struct services *m)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/etc/rc.d", fl_world_rootfs(m->w));
	struct dirent **list;
	int n = scandir(path, &list, rc_filter, alphasort);
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name + 1;
		name += strspn(name, "0123456789");
		struct instance *in = find_instance(m, name);
		if (strcmp(name, "network") == 0)
			fl_wan_network_start(m->w);
		else if (in)
			service_start(m, in, list[i]->d_name);
		free(list[i]);
	}
	free(list);
}

/* ---- procd's signals (JAIL-1) ---- */

static void shutdown_done(void *arg)
{
	struct services *m = arg;
	m->shutdown_timer = 0;
	fl_world_router_request(m->w, m->shutdown_to);
}

static void procd_shutdown(struct services *m, const char *sig, const char *to)
{
	if (m->shutdown_timer)
		return;
	struct fl_loop *loop = fl_world_loop(m->w);
	fl_truth_log(fl_world_truth(m->w), "services.procd", "procd got SIG%s: shutting down to %s", sig, to);
	m->shutdown_to = to;
	m->shutdown_timer = fl_timer_add(loop, fl_loop_now(loop) + PROCD_SHUTDOWN_MS, shutdown_done, m);
}

static void on_procd_signal(void *arg, int fd)
{
	struct services *m = arg;
	char ev[4096];
	if (read(fd, ev, sizeof(ev)) <= 0)
		return;
	char *sigs = fl_modelfs_take(m->dir, SIGNAL_FILE);
	for (char *save = NULL, *s = sigs ? strtok_r(sigs, " \n", &save) : NULL; s; s = strtok_r(NULL, " \n", &save)) {
		struct fl_truth *t = fl_world_truth(m->w);
		/* procd's signal.c: TERM/INT reboot, USR1/USR2/PWR power off, HUP is ignored */
		if (!strcmp(s, "TERM") || !strcmp(s, "INT")) {
			procd_shutdown(m, s, "reboot");
			break;
		}
		if (!strcmp(s, "USR1") || !strcmp(s, "USR2") || !strcmp(s, "PWR")) {
			procd_shutdown(m, s, "poweroff");
			break;
		}
		fl_truth_log(t, "services.procd", "procd got SIG%s: ignored", s);
	}
	free(sigs);
}

/* ---- hooks ---- */

static int services_init(struct fl_world *w, void **state, char **err)
{
	struct services *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->w = w;
	m->dir = fl_world_model_dir(w);
	for (size_t i = 0; i < N_SVC; i++) {
		m->inst[i].desc = &svcs[i];
		m->inst[i].m = m;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/" SIGNAL_FILE, m->dir);
	int ret = fl_modelfs_writable(m->dir, SIGNAL_FILE);
	m->watch = ret < 0 ? -1 : inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (m->watch < 0 || inotify_add_watch(m->watch, path, IN_CLOSE_WRITE) < 0) {
		ret = ret < 0 ? ret : -errno;
		if (m->watch >= 0)
			close(m->watch);
		free(m);
		return fl_util_err(err, ret, "failed to watch %s: %s", path, strerror(-ret));
	}
	fl_fd_watch(fl_world_loop(w), m->watch, on_procd_signal, m);
	*state = m;
	return 0;
}

static void services_free(void *state)
{
	struct services *m = state;
	fl_fd_unwatch(fl_world_loop(m->w), m->watch);
	close(m->watch);
	free(m);
}

/* Userland is gone: every instance with it, nothing left to respawn. */
static void services_halt(void *state)
{
	struct services *m = state;
	fl_timer_cancel(fl_world_loop(m->w), m->shutdown_timer);
	m->shutdown_timer = 0;
	for (size_t i = 0; i < N_SVC; i++) {
		fl_timer_cancel(fl_world_loop(m->w), m->inst[i].timer);
		m->inst[i].timer = 0;
		m->inst[i].state = INST_STOPPED;
		m->inst[i].mirror = 0;
	}
}

static void services_userland(void *state)
{
	struct services *m = state;
	struct fl_sandbox *sb = fl_world_sandbox(m->w);
	if (sb)
		fl_sandbox_run(sb, "procd", "/sbin/procd </dev/null >/dev/null 2>&1 &", job_done, NULL);
	run_rc_d(m);
}

/* "<svc>-kill": the daemon dies; procd respawns it only with {"respawn": true}. */
static int services_inject(void *state, const char *what, json_object *params, char **err)
{
	struct services *m = state;
	const char *dash = strrchr(what, '-');
	char name[32];
	snprintf(name, sizeof(name), "%.*s", dash ? (int)(dash - what) : 0, what);
	struct instance *in = find_instance(m, name);
	if (!in || strcmp(dash, "-kill") != 0)
		return fl_util_err(err, -EINVAL, "unknown injection \"services.%s\"", what);
	json_object *v;
	int respawn = params && json_object_object_get_ex(params, "respawn", &v) && json_object_get_boolean(v);
	if (in->state != INST_RUNNING)
		return fl_util_err(err, -EINVAL, "services.%s: %s is not running (%s)", what, name,
				   state_names[in->state]);
	daemon_job(in, 1, 0);
	in->mirror = 0;
	fl_ms runtime = fl_loop_now(fl_world_loop(m->w)) - in->started;
	if (respawn) {
		instance_exit(in, runtime, "killed");
	} else {
		/* a crash that repeats on every respawn: procd's budget is spent */
		in->state = INST_FAILED;
		fl_truth_log(fl_world_truth(m->w), "services", "%s killed; it crashes on every respawn: procd gives up",
			     name);
	}
	return 0;
}

/* POST /hw/services/rc {"service": S, "action": "start|stop|restart|reload|running"} from rc.common. */
static int services_hw(void *state, const char *action, json_object *body, struct fl_http_resp *resp)
{
	struct services *m = state;
	json_object *v;
	const char *svc = body && json_object_object_get_ex(body, "service", &v) ? json_object_get_string(v) : NULL;
	const char *verb = body && json_object_object_get_ex(body, "action", &v) ? json_object_get_string(v) : "";
	struct instance *in = find_instance(m, svc);
	if (strcmp(action, "rc") != 0 || !in) {
		fl_http_replyf(resp, 404, "{\"message\":\"no service %s\"}", svc ? svc : "");
		return 0;
	}
	if (!strcmp(verb, "start")) {
		if (in->state != INST_RUNNING)
			service_start(m, in, "start");
	} else if (!strcmp(verb, "stop")) {
		service_stop(m, in, 1);
		fl_truth_log(fl_world_truth(m->w), "services", "%s stopped", svc);
	} else if (!strcmp(verb, "restart")) {
		service_stop(m, in, 0);
		service_start(m, in, "restart");
	} else if (strcmp(verb, "reload") && strcmp(verb, "running")) {
		fl_http_replyf(resp, 400, "{\"message\":\"unknown action %s\"}", verb);
		return 0;
	}
	fl_http_replyf(resp, 200, "{\"service\":\"%s\",\"state\":\"%s\",\"job\":%u}", svc,
		       state_names[in->state], in->job);
	return 0;
}

const struct fl_model_ops fl_services_model = {
	.name = "services",
	.init = services_init,
	.free = services_free,
	.userland = services_userland,
	.halt = services_halt,
	.inject = services_inject,
	.hw = services_hw,
};
