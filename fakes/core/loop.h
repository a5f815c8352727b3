/*
 * The fake lab's event loop: one thread, a virtual clock, timers, child processes
 * and file descriptors.
 *
 * Virtual time moves only when the harness asks (fl_loop_advance_to) and only from
 * one timer to the next. Timers at the same instant fire in the order they were
 * added. While any piece of work is "busy" (a child process, a job inside the
 * sandbox), no further timer fires: the world waits for the router's scripts to
 * finish before the clock moves on, which keeps runs deterministic. I/O (HTTP
 * requests from those scripts, from the harness) is served all the time.
 */
#ifndef FL_LOOP_H
#define FL_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/select.h>
#include <sys/types.h>

/* Virtual time in milliseconds since the Unix epoch. */
typedef int64_t fl_ms;

#define FL_SECOND ((fl_ms)1000)
#define FL_MINUTE ((fl_ms)60000)

struct fl_loop;

typedef void (*fl_timer_fn)(void *arg);
typedef void (*fl_child_done_fn)(void *arg, int wait_status);
typedef void (*fl_fd_fn)(void *arg, int fd);

/* Something that serves file descriptors through select(2), e.g. a libmicrohttpd daemon. */
struct fl_poller_ops {
	/* Add fds to the sets, raise *max_fd, and lower *timeout_ms if the poller needs to run sooner. */
	void (*prepare)(void *ctx, fd_set *r, fd_set *w, fd_set *e, int *max_fd, int64_t *timeout_ms);
	/* Do the work the ready fds allow. May add timers, spawn children, etc. */
	void (*dispatch)(void *ctx, fd_set *r, fd_set *w, fd_set *e);
};

/* A loop whose virtual clock starts at @start. NULL on allocation failure. */
struct fl_loop *fl_loop_new(fl_ms start);
/* Frees the loop; children still running are killed (SIGKILL) and reaped. NULL-safe. */
void fl_loop_free(struct fl_loop *loop);

fl_ms fl_loop_now(const struct fl_loop *loop);

/* Call @fn(@arg) at virtual time @at (clamped to now). Returns a timer id > 0. */
uint64_t fl_timer_add(struct fl_loop *loop, fl_ms at, fl_timer_fn fn, void *arg);
/* Cancel a pending timer; unknown or already fired ids are ignored. */
void fl_timer_cancel(struct fl_loop *loop, uint64_t id);

/* Called after every change of the virtual clock, before the timers of the new instant. */
void fl_loop_on_time_change(struct fl_loop *loop, fl_timer_fn fn, void *arg);

/* How a child is started: argv[0] is a path; env NULL means an empty environment. */
struct fl_spawn {
	char *const *argv;
	char *const *env;
	const char *cwd;         /* NULL: inherit */
	const char *stdout_path; /* NULL: /dev/null; opened O_APPEND|O_CREAT */
	const char *stderr_path; /* NULL: same as stdout */
	int real_timeout_ms;     /* wall-clock limit, then SIGKILL; 0: 30 000 */
};

/*
 * Start a child; @done runs from the loop when it has been reaped. The loop is busy
 * until then. Returns the pid, or -errno.
 */
pid_t fl_child_spawn(struct fl_loop *loop, const struct fl_spawn *spec, fl_child_done_fn done, void *arg);

/* Watch @fd for readability; @fn runs each time it is readable until fl_fd_unwatch. */
int fl_fd_watch(struct fl_loop *loop, int fd, fl_fd_fn fn, void *arg);
void fl_fd_unwatch(struct fl_loop *loop, int fd);

/* Mark work in flight that is not a child of the loop (e.g. a job in the sandbox). */
void fl_loop_busy_inc(struct fl_loop *loop);
void fl_loop_busy_dec(struct fl_loop *loop);
bool fl_loop_busy(const struct fl_loop *loop);

int fl_loop_add_poller(struct fl_loop *loop, const struct fl_poller_ops *ops, void *ctx);
/* Remove the poller added with @ops and @ctx; not from a poller's own callbacks. */
void fl_loop_remove_poller(struct fl_loop *loop, const struct fl_poller_ops *ops, void *ctx);

/*
 * Serve I/O for up to @max_wait_ms of real time (one select round), reap children,
 * and, when nothing is busy, fire the timers due by the advance target. Returns 0,
 * or -errno on a fatal error. Must not be called from a loop callback.
 */
int fl_loop_iterate(struct fl_loop *loop, int max_wait_ms);

/*
 * Ask the loop to move virtual time to @target, firing every timer on the way and
 * waiting for the work each one starts. fl_loop_iterate does the work; @done(@arg)
 * runs once the clock stands at @target with nothing busy. Safe from callbacks
 * (e.g. an HTTP handler that suspended its request). One request at a time:
 * returns -EBUSY if another is pending, -EINVAL if @target is in the past.
 */
int fl_loop_request_advance(struct fl_loop *loop, fl_ms target, fl_timer_fn done, void *arg);

/*
 * Blocking form for tests and start-up: request and iterate until reached.
 * Returns 0, or -ETIMEDOUT if not reached within @real_limit_ms of wall-clock time.
 */
int fl_loop_advance_to(struct fl_loop *loop, fl_ms target, int real_limit_ms);

/* Serve I/O until nothing is busy (or @real_limit_ms passes: -ETIMEDOUT). */
int fl_loop_settle(struct fl_loop *loop, int real_limit_ms);

#endif
