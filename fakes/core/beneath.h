/*
 * Host-side access to files the sandboxes can write (a rootfs, a run directory).
 * The system under test is hostile input: a path it controls is resolved as it
 * sees it, under its root, never out of it (openat2 RESOLVE_IN_ROOT: its absolute
 * symlinks and ".." stay inside), and only regular files are read or written (a
 * FIFO would hang the lab, a device would reach the host's hardware).
 */
#ifndef FL_SANDBOX_BENEATH_H
#define FL_SANDBOX_BENEATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* What the lab reads of a router's file at most (crontabs, init scripts, sysctl.conf). */
#define FL_BENEATH_READ_MAX (1024 * 1024)

/*
 * Open @path (absolute or relative, as the sandbox names it) under the directory
 * @root_fd as if it were the root: symlinks are followed only inside it, magic
 * links and other mounts refused. @flags as open(2) (O_CLOEXEC is added; with
 * O_NOFOLLOW the last component must not be a symlink). Returns an fd or -errno.
 */
int fl_beneath_open(int root_fd, const char *path, int flags, mode_t mode);

/*
 * fl_beneath_open() that refuses anything but a regular file (-EINVAL), without
 * blocking on a FIFO. *@st (if non-NULL) is the file's. Returns an fd or -errno.
 */
int fl_beneath_open_file(int root_fd, const char *path, int flags, mode_t mode, struct stat *st);

/* The same under the directory @root (a host path the lab made). */
int fl_beneath_open_file_at(const char *root, const char *path, int flags, mode_t mode, struct stat *st);

/*
 * The content of @fd from its start, at most @cap bytes, NUL-terminated, length
 * in *@len if non-NULL. NULL with errno (EFBIG if longer than @cap). The caller frees.
 */
char *fl_beneath_read_fd(int fd, size_t cap, size_t *len);

/* fl_beneath_read_fd() of a just-opened @fd, which it closes; @fd < 0 is -errno of the open. */
char *fl_beneath_read_and_close(int fd, size_t cap, size_t *len);

/* The regular file @path under @root, at most @cap bytes. NULL with errno. The caller frees. */
char *fl_beneath_read_file(const char *root, const char *path, size_t cap, size_t *len);

/* Whether @path exists under @root as the sandbox sees it (any type). */
bool fl_beneath_exists(const char *root, const char *path);

/*
 * 0 if @path under @root_fd has no symbolic link on the way, whether or not it
 * exists (bwrap creates missing mount points); -ELOOP (or another -errno) if it
 * has one: bwrap resolves its mount points before the sandbox's root is its root.
 */
int fl_beneath_check_no_links(int root_fd, const char *path);

/* Tests only: pretend the kernel has no openat2, to run the fallback walk. */
extern bool fl_beneath_no_openat2;

#endif
