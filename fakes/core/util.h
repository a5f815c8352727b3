/*
 * Small helpers shared by the sandbox modules: error text, files, and running a
 * host program to completion (key generation, not the router's jobs).
 */
#ifndef FL_SANDBOX_UTIL_H
#define FL_SANDBOX_UTIL_H

#include <stddef.h>
#include <sys/types.h>

/*
 * If @err is non-NULL and *@err is NULL, set *@err to a malloc'd formatted message
 * (the caller frees it). Returns @ret so that callers can `return fl_util_err(...)`.
 */
int fl_util_err(char **err, int ret, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The whole content of @path, NUL-terminated (length in *@len if non-NULL). NULL with errno. */
char *fl_util_read_file(const char *path, size_t *len);

/* Create or truncate @path with @mode and write @len bytes. 0 or -errno. */
int fl_util_write_file(const char *path, const char *data, size_t len, mode_t mode);

/* mkdir -p @path (last component with @mode). 0 or -errno. */
int fl_util_mkdirs(const char *path, mode_t mode);

/*
 * Run @argv (argv[0] a path) with stdin from /dev/null, collect stdout and stderr
 * into *@output (malloc'd, may be NULL), wait for it. Returns the wait status, or
 * -errno if it could not be started.
 */
int fl_util_run(char *const *argv, char **output);

/* fl_util_run() with stdin from @in_fd (-1: /dev/null); @in_fd stays open in the caller. */
int fl_util_run_input(char *const *argv, int in_fd, char **output);

/* Whether a wait status from fl_util_run() is a normal exit with status 0. */
int fl_util_exited_ok(int status);

#endif
