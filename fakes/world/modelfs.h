/*
 * The files through which the fake router sees the world: written by the models,
 * bound read-only (mostly) into the sandbox over /proc and /sys paths.
 *
 * Every write is in place (truncate + write, never rename): a bind mount pins the
 * inode, so a renamed file would never be seen inside the sandbox. Missing parent
 * directories are created. Inside the router, /proc/<path> reads the model's
 * proc/<path> when it exists (sandbox/procredir), and /sys is the model's sys/.
 */
#ifndef FL_MODELFS_H
#define FL_MODELFS_H

#include <stdint.h>

/* Create @dir's tree and every missing model file (empty). 0 or -errno. */
int fl_modelfs_init(const char *dir);

/* Replace the content of @dir/@rel in place. 0 or -errno. */
int fl_modelfs_printf(const char *dir, const char *rel, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append to @dir/@rel. 0 or -errno. */
int fl_modelfs_append(const char *dir, const char *rel, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Make @dir/@rel (a file, created empty if missing, or an existing directory)
 * writable from inside the router: the
 * sandbox binds every file listed in @dir/.writable read-write (at /r4hil/model/@rel,
 * and at /@rel for sys/ files), everything else of the model read-only. Call before
 * the router boots. 0 or -errno.
 */
#define FL_MODELFS_WRITABLE ".writable"
int fl_modelfs_writable(const char *dir, const char *rel);

/* Read @dir/@rel and empty it; NULL if unreadable. Caller frees. */
char *fl_modelfs_take(const char *dir, const char *rel);

/*
 * /proc/interrupts of the MT7988A: 4 CPU columns, the SFP1 TX_FAULT GPIO line
 * (`sfp1-tx-fault`) carrying @sfp1_tx_fault interrupts in all, spread over the CPUs
 * as irqbalance would, and timer lines that follow @uptime_ms.
 */
int fl_modelfs_interrupts(const char *dir, int64_t sfp1_tx_fault, int64_t uptime_ms);

#endif
