/*
 * The fake router's sandbox: the assembled busybox rootfs run under bubblewrap,
 * with model-maintained files over /proc and /sys, and r4hil-routerd inside to run
 * the router's own scripts (cron jobs, SSH sessions go through dropbear).
 *
 * Safety: bwrap runs as root here, so the sandbox drops every capability but the
 * few dropbear and file ownership need (no CAP_NET_ADMIN, CAP_SYS_TIME,
 * CAP_SYS_ADMIN, ...): nothing inside can reconfigure the lab's network or the
 * host's clock. /proc/sysrq-trigger is always our own file. bwrap starts the
 * sandbox in the caller's network namespace: in the fake lab, the lab's own
 * (sandbox/netns.h), shared with the ONU and HA's shell commands, where dropbear
 * and the fake HA meet on 127.0.0.1 and nothing else is reachable.
 */
#ifndef FL_SANDBOX_H
#define FL_SANDBOX_H

#include <stdbool.h>

#include "core/loop.h"

struct fl_truth;
struct fl_sandbox;

struct fl_sandbox_config {
	const char *rootfs;    /* assembled rootfs (writable; persists across boots like flash) */
	/*
	 * Files the world model maintains, all updated in place (a rename is not seen
	 * inside): proc/interrupts, proc/uptime, proc/boot_id (each bound only if
	 * present), proc/sysrq-trigger (writable; created empty if missing), sys/ (the
	 * whole /sys; created empty if missing), clock (virtual epoch seconds, see
	 * fl_sandbox_write_clock), hw_url, hw_token (for the reboot shim).
	 */
	const char *model_dir;
	const char *run_dir;   /* per-boot scratch dir on the host, bound at /r4hil/run (socket, log/) */
	const char *routerd;   /* path of the r4hil-routerd binary */
	int ssh_port;          /* dropbear listens on 127.0.0.1:ssh_port */
	const char *hostname;  /* NULL: "bpi-r4" */
	struct fl_truth *truth; /* may be NULL */
};

/*
 * Start bwrap with routerd inside and wait (real time, at most 5 s) until routerd
 * answers. The sandbox is not a loop child: it does not keep the loop busy. NULL on
 * failure with *@err (if @err) a malloc'd message for the caller to free (it quotes
 * bwrap's own error output when bwrap failed). Free with fl_sandbox_free.
 */
struct fl_sandbox *fl_sandbox_boot(struct fl_loop *loop, const struct fl_sandbox_config *cfg,
				   char **err);

/*
 * Start dropbear inside (host key /etc/dropbear/dropbear_ed25519_host_key, see
 * fl_keys_host; root logs in by key only) on 127.0.0.1:ssh_port and wait (at most
 * 5 s real) until the port accepts. Its log is run_dir/log/dropbear.log.
 * 0 or -errno, *@err as above.
 */
int fl_sandbox_start_dropbear(struct fl_sandbox *sb, char **err);

/*
 * Run @command_line with /bin/sh -c inside, output appended to run_dir/log/@tag.log
 * (@tag: letters, digits, '-', '_', '.'). Asynchronous: the loop stays busy until
 * the job ends, then @done(@arg, wait status) runs from the loop. If the sandbox
 * dies first (power loss), @done gets a SIGKILL status. Returns 0, or -errno
 * (-ESRCH if the sandbox is not running) in which case @done is never called.
 */
int fl_sandbox_run(struct fl_sandbox *sb, const char *tag, const char *command_line,
		   fl_child_done_fn done, void *arg);

/*
 * Power loss: SIGKILL bwrap; everything inside is dead when this returns (waits at
 * most 2 s real). Pending jobs complete at once with a SIGKILL status. The rootfs
 * keeps what was written to it; /tmp is gone. No-op if not running.
 */
void fl_sandbox_kill(struct fl_sandbox *sb);

/* Kills the sandbox if it is still running, then frees it. NULL-safe. Free it before its loop. */
void fl_sandbox_free(struct fl_sandbox *sb);

/* True while bwrap runs. */
bool fl_sandbox_alive(const struct fl_sandbox *sb);

/* Path of a job's log on the host (run_dir/log/@tag.log), malloc'd; NULL on ENOMEM. */
char *fl_sandbox_log_path(const struct fl_sandbox *sb, const char *tag);

/*
 * The content of a job's log as the host may read it (the router writes the run
 * directory: no link out of it, regular files only), NUL-terminated, length in
 * *@len if non-NULL. NULL with errno. The caller frees.
 */
char *fl_sandbox_read_log(const struct fl_sandbox *sb, const char *tag, size_t *len);

/*
 * Write virtual time @now (seconds part) to @model_dir/clock in place, for the date
 * shim. 0 or -errno.
 */
int fl_sandbox_write_clock(const char *model_dir, fl_ms now);

#endif
