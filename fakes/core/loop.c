#include "core/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct timer {
	fl_ms at;
	uint64_t id; /* also the insertion order: ties fire first-added first */
	fl_timer_fn fn;
	void *arg;
};

struct child {
	pid_t pid;
	int pidfd;
	int64_t deadline_real_ms;
	fl_child_done_fn done;
	void *arg;
	struct child *next;
};

struct watch {
	int fd;
	fl_fd_fn fn;
	void *arg;
	int removed;
};

struct poller {
	const struct fl_poller_ops *ops;
	void *ctx;
};

struct fl_loop {
	fl_ms now;
	struct timer *timers; /* sorted by (at, id) */
	size_t n_timers, cap_timers;
	uint64_t next_id;
	struct child *children;
	int busy;
	struct watch *watches;
	size_t n_watches;
	struct poller *pollers;
	size_t n_pollers;
	fl_timer_fn on_time_change;
	void *on_time_change_arg;
	int advancing;
	fl_ms target;
	fl_timer_fn advance_done;
	void *advance_done_arg;
};

static int64_t real_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct fl_loop *fl_loop_new(fl_ms start)
{
	struct fl_loop *loop = calloc(1, sizeof(*loop));
	if (!loop)
		return NULL;
	loop->now = start;
	loop->next_id = 1;
	return loop;
}

void fl_loop_free(struct fl_loop *loop)
{
	if (!loop)
		return;
	while (loop->children) {
		struct child *c = loop->children;
		loop->children = c->next;
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		close(c->pidfd);
		free(c);
	}
	free(loop->timers);
	free(loop->watches);
	free(loop->pollers);
	free(loop);
}

fl_ms fl_loop_now(const struct fl_loop *loop)
{
	return loop->now;
}

uint64_t fl_timer_add(struct fl_loop *loop, fl_ms at, fl_timer_fn fn, void *arg)
{
	if (at < loop->now)
		at = loop->now;
	if (loop->n_timers == loop->cap_timers) {
		size_t cap = loop->cap_timers ? loop->cap_timers * 2 : 32;
		struct timer *t = realloc(loop->timers, cap * sizeof(*t));
		if (!t)
			abort(); /* the world cannot go on without its timers */
		loop->timers = t;
		loop->cap_timers = cap;
	}
	size_t i = loop->n_timers;
	while (i > 0 && loop->timers[i - 1].at > at) {
		loop->timers[i] = loop->timers[i - 1];
		i--;
	}
	loop->timers[i] = (struct timer){ .at = at, .id = loop->next_id++, .fn = fn, .arg = arg };
	loop->n_timers++;
	return loop->timers[i].id;
}

void fl_timer_cancel(struct fl_loop *loop, uint64_t id)
{
	for (size_t i = 0; i < loop->n_timers; i++) {
		if (loop->timers[i].id != id)
			continue;
		memmove(&loop->timers[i], &loop->timers[i + 1],
			(loop->n_timers - i - 1) * sizeof(loop->timers[0]));
		loop->n_timers--;
		return;
	}
}

void fl_loop_on_time_change(struct fl_loop *loop, fl_timer_fn fn, void *arg)
{
	loop->on_time_change = fn;
	loop->on_time_change_arg = arg;
}

static void set_now(struct fl_loop *loop, fl_ms t)
{
	if (t == loop->now)
		return;
	loop->now = t;
	if (loop->on_time_change)
		loop->on_time_change(loop->on_time_change_arg);
}

static int open_output(const char *path, int fallback)
{
	if (!path)
		return fallback >= 0 ? dup(fallback) : open("/dev/null", O_WRONLY | O_CLOEXEC);
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

pid_t fl_child_spawn(struct fl_loop *loop, const struct fl_spawn *spec, fl_child_done_fn done, void *arg)
{
	struct child *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	int out = open_output(spec->stdout_path, -1);
	int err = spec->stderr_path ? open_output(spec->stderr_path, -1) : (out >= 0 ? dup(out) : -1);
	if (out < 0 || err < 0) {
		int e = errno;
		if (out >= 0)
			close(out);
		if (err >= 0)
			close(err);
		free(c);
		return -e;
	}
	static char *const empty_env[] = { NULL };
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(out);
		close(err);
		free(c);
		return -e;
	}
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		dup2(in, 0);
		dup2(out, 1);
		dup2(err, 2);
		setpgid(0, 0);
		if (spec->cwd && chdir(spec->cwd) < 0)
			_exit(126);
		execve(spec->argv[0], spec->argv, spec->env ? spec->env : empty_env);
		_exit(127);
	}
	close(out);
	close(err);
	c->pid = pid;
	c->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	c->deadline_real_ms = real_ms() + (spec->real_timeout_ms > 0 ? spec->real_timeout_ms : 30000);
	c->done = done;
	c->arg = arg;
	c->next = loop->children;
	loop->children = c;
	loop->busy++;
	return pid;
}

int fl_fd_watch(struct fl_loop *loop, int fd, fl_fd_fn fn, void *arg)
{
	struct watch *w = realloc(loop->watches, (loop->n_watches + 1) * sizeof(*w));
	if (!w)
		return -ENOMEM;
	loop->watches = w;
	loop->watches[loop->n_watches++] = (struct watch){ .fd = fd, .fn = fn, .arg = arg };
	return 0;
}

void fl_fd_unwatch(struct fl_loop *loop, int fd)
{
	/* Only marked here: the dispatch loop may be walking the array. */
	for (size_t i = 0; i < loop->n_watches; i++)
		if (loop->watches[i].fd == fd)
			loop->watches[i].removed = 1;
}

static void compact_watches(struct fl_loop *loop)
{
	size_t j = 0;
	for (size_t i = 0; i < loop->n_watches; i++)
		if (!loop->watches[i].removed)
			loop->watches[j++] = loop->watches[i];
	loop->n_watches = j;
}

void fl_loop_busy_inc(struct fl_loop *loop)
{
	loop->busy++;
}

void fl_loop_busy_dec(struct fl_loop *loop)
{
	if (loop->busy > 0)
		loop->busy--;
}

bool fl_loop_busy(const struct fl_loop *loop)
{
	return loop->busy > 0;
}

int fl_loop_add_poller(struct fl_loop *loop, const struct fl_poller_ops *ops, void *ctx)
{
	struct poller *p = realloc(loop->pollers, (loop->n_pollers + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	loop->pollers = p;
	loop->pollers[loop->n_pollers++] = (struct poller){ .ops = ops, .ctx = ctx };
	return 0;
}

void fl_loop_remove_poller(struct fl_loop *loop, const struct fl_poller_ops *ops, void *ctx)
{
	for (size_t i = 0; i < loop->n_pollers; i++) {
		if (loop->pollers[i].ops != ops || loop->pollers[i].ctx != ctx)
			continue;
		memmove(&loop->pollers[i], &loop->pollers[i + 1], (loop->n_pollers - i - 1) * sizeof(loop->pollers[0]));
		loop->n_pollers--;
		return;
	}
}

static void finish_child(struct fl_loop *loop, struct child *c, int status)
{
	struct child **pp = &loop->children;
	while (*pp != c)
		pp = &(*pp)->next;
	*pp = c->next;
	close(c->pidfd);
	fl_loop_busy_dec(loop);
	if (c->done)
		c->done(c->arg, status);
	free(c);
}

static void reap_children(struct fl_loop *loop)
{
	int64_t now = real_ms();
	struct child *c = loop->children;
	while (c) {
		struct child *next = c->next;
		int status;
		if (now > c->deadline_real_ms)
			kill(-c->pid, SIGKILL), kill(c->pid, SIGKILL);
		if (waitpid(c->pid, &status, WNOHANG) == c->pid)
			finish_child(loop, c, status);
		c = next;
	}
}

/* Fire due timers while nothing is busy; returns true if anything fired. */
static bool fire_timers(struct fl_loop *loop)
{
	bool fired = false;
	fl_ms limit = loop->advancing ? loop->target : loop->now;
	while (!fl_loop_busy(loop) && loop->n_timers > 0 && loop->timers[0].at <= limit) {
		struct timer t = loop->timers[0];
		memmove(&loop->timers[0], &loop->timers[1], (loop->n_timers - 1) * sizeof(t));
		loop->n_timers--;
		set_now(loop, t.at);
		t.fn(t.arg);
		fired = true;
	}
	if (loop->advancing && !fl_loop_busy(loop) &&
	    (loop->n_timers == 0 || loop->timers[0].at > loop->target)) {
		set_now(loop, loop->target);
		loop->advancing = 0;
		if (loop->advance_done)
			loop->advance_done(loop->advance_done_arg);
		fired = true;
	}
	return fired;
}

int fl_loop_iterate(struct fl_loop *loop, int max_wait_ms)
{
	if (fire_timers(loop))
		max_wait_ms = 0;
	fd_set r, w, e;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_ZERO(&e);
	int max_fd = -1;
	int64_t timeout = max_wait_ms;
	for (size_t i = 0; i < loop->n_pollers; i++)
		loop->pollers[i].ops->prepare(loop->pollers[i].ctx, &r, &w, &e, &max_fd, &timeout);
	for (size_t i = 0; i < loop->n_watches; i++) {
		FD_SET(loop->watches[i].fd, &r);
		if (loop->watches[i].fd > max_fd)
			max_fd = loop->watches[i].fd;
	}
	for (struct child *c = loop->children; c; c = c->next) {
		if (c->pidfd < 0) {
			if (timeout > 10)
				timeout = 10; /* no pidfd: poll for the exit */
			continue;
		}
		FD_SET(c->pidfd, &r);
		if (c->pidfd > max_fd)
			max_fd = c->pidfd;
	}
	if (timeout < 0)
		timeout = 0;
	struct timeval tv = { .tv_sec = timeout / 1000, .tv_usec = (timeout % 1000) * 1000 };
	int n = select(max_fd + 1, &r, &w, &e, &tv);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		return -errno;
	}
	for (size_t i = 0; i < loop->n_pollers; i++)
		loop->pollers[i].ops->dispatch(loop->pollers[i].ctx, &r, &w, &e);
	size_t n_watches = loop->n_watches;
	for (size_t i = 0; i < n_watches; i++) {
		struct watch wt = loop->watches[i];
		if (!wt.removed && FD_ISSET(wt.fd, &r))
			wt.fn(wt.arg, wt.fd);
	}
	compact_watches(loop);
	reap_children(loop);
	fire_timers(loop);
	return 0;
}

int fl_loop_request_advance(struct fl_loop *loop, fl_ms target, fl_timer_fn done, void *arg)
{
	if (loop->advancing)
		return -EBUSY;
	if (target < loop->now)
		return -EINVAL;
	loop->advancing = 1;
	loop->target = target;
	loop->advance_done = done;
	loop->advance_done_arg = arg;
	return 0;
}

static void mark_done(void *arg)
{
	*(int *)arg = 1;
}

int fl_loop_advance_to(struct fl_loop *loop, fl_ms target, int real_limit_ms)
{
	int done = 0;
	int ret = fl_loop_request_advance(loop, target, mark_done, &done);
	if (ret < 0)
		return ret;
	int64_t deadline = real_ms() + real_limit_ms;
	while (!done) {
		if (real_ms() > deadline) {
			loop->advancing = 0;
			return -ETIMEDOUT;
		}
		ret = fl_loop_iterate(loop, 20);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int fl_loop_settle(struct fl_loop *loop, int real_limit_ms)
{
	int64_t deadline = real_ms() + real_limit_ms;
	while (fl_loop_busy(loop)) {
		if (real_ms() > deadline)
			return -ETIMEDOUT;
		int ret = fl_loop_iterate(loop, 20);
		if (ret < 0)
			return ret;
	}
	return 0;
}
