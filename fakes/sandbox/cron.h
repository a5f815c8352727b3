/*
 * The fake router's crond on virtual time: at every virtual minute boundary, the
 * crontab's due lines run inside the sandbox, in file order, one after another (the
 * next starts when the previous has ended). The loop stays busy meanwhile, so the
 * clock waits for the router's scripts.
 *
 * Local time is UTC for now. Runs, exit statuses and malformed lines go to the
 * ground-truth log ("cron.run", "cron.exit", "cron.warning", "cron.error").
 */
#ifndef FL_CRON_H
#define FL_CRON_H

#include "sandbox/crontab.h"
#include "core/loop.h"

struct fl_sandbox;
struct fl_truth;
struct fl_cron;

/*
 * Start ticking at the next minute boundary after now. @crontab is the crontab's
 * path as the router names it (/etc/crontabs/root), under the host directory
 * @rootfs, resolved as the router sees it (fakes/core/beneath.h); it is
 * re-read whenever its mtime changes, and a missing file means no jobs. Jobs get
 * the tag "cron-YYYYMMDDHHMM-<n>" (n from 1 within the minute), so their output is
 * in the sandbox's log/<tag>.log. NULL with errno on failure.
 */
struct fl_cron *fl_cron_start(struct fl_loop *loop, struct fl_sandbox *sb,
			      const char *rootfs, const char *crontab, struct fl_truth *truth);

/*
 * The router goes down: no more ticks, no more lines of the current minute. A job
 * still running completes (or dies with the sandbox); the object is freed then.
 * NULL-safe.
 */
void fl_cron_stop(struct fl_cron *cron);

/* Jobs started so far (for tests and the control endpoint). */
unsigned fl_cron_runs(const struct fl_cron *cron);

#endif
