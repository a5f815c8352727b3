#include "core/beneath.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

bool fl_beneath_no_openat2;

/*
 * Without openat2 (Linux < 5.6): one component at a time, none of them a symlink
 * and no "..". Stricter than the router's view (its own links are refused too),
 * never looser.
 */
static int walk(int root_fd, const char *path, int flags, mode_t mode)
{
	char *copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	int dir = dup(root_fd), ret = 0, opened = 0;
	char *save = NULL, *name = strtok_r(copy, "/", &save);
	if (dir < 0)
		ret = -errno;
	while (!ret && name) {
		char *next = strtok_r(NULL, "/", &save);
		int fd = -1;
		if (!strcmp(name, ".")) {
			name = next;
			continue;
		}
		if (!strcmp(name, ".."))
			ret = -EXDEV;
		else if (next)
			fd = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		else
			fd = openat(dir, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
		if (!ret && fd < 0)
			ret = -errno;
		if (!ret) {
			close(dir);
			dir = fd;
			opened++;
		}
		name = next;
	}
	free(copy);
	if (!ret && !opened)
		ret = -EISDIR; /* the root itself: not a file the lab wants */
	if (ret && dir >= 0)
		close(dir);
	return ret ? ret : dir;
}

int fl_beneath_open(int root_fd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.mode = flags & O_CREAT ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	for (int tries = 0; !fl_beneath_no_openat2 && tries < 8; tries++) {
		long fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		/* EAGAIN: a rename raced with ".." resolution; the kernel asks to retry */
		if (errno != EAGAIN && errno != ENOSYS)
			return -errno;
		if (errno == ENOSYS)
			break;
	}
	return walk(root_fd, path, flags, mode);
}

int fl_beneath_open_file(int root_fd, const char *path, int flags, mode_t mode, struct stat *st)
{
	struct stat buf;
	int fd = fl_beneath_open(root_fd, path, flags | O_NONBLOCK, mode);
	if (fd < 0)
		return fd;
	if (!st)
		st = &buf;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) ||
	    (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

int fl_beneath_open_file_at(const char *root, const char *path, int flags, mode_t mode, struct stat *st)
{
	int root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return -errno;
	int fd = fl_beneath_open_file(root_fd, path, flags, mode, st);
	close(root_fd);
	return fd;
}

char *fl_beneath_read_fd(int fd, size_t cap, size_t *len)
{
	size_t size = 4096, n = 0;
	char *buf = malloc(size);
	while (buf) {
		if (n > cap) {
			free(buf);
			errno = EFBIG;
			return NULL;
		}
		if (n == size - 1) {
			char *bigger = realloc(buf, size * 2);
			if (!bigger) {
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = bigger;
			size *= 2;
		}
		ssize_t got = read(fd, buf + n, size - 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int saved = errno;
			free(buf);
			errno = saved;
			return NULL;
		}
		if (got == 0) {
			buf[n] = '\0';
			if (len)
				*len = n;
			return buf;
		}
		n += (size_t)got;
	}
	return NULL;
}

char *fl_beneath_read_and_close(int fd, size_t cap, size_t *len)
{
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	char *text = fl_beneath_read_fd(fd, cap, len);
	int saved = errno;
	close(fd);
	errno = saved;
	return text;
}

char *fl_beneath_read_file(const char *root, const char *path, size_t cap, size_t *len)
{
	return fl_beneath_read_and_close(fl_beneath_open_file_at(root, path, O_RDONLY, 0, NULL), cap, len);
}

bool fl_beneath_exists(const char *root, const char *path)
{
	int root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return false;
	int fd = fl_beneath_open(root_fd, path, O_PATH, 0);
	close(root_fd);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int fl_beneath_check_no_links(int root_fd, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV,
	};
	long fd = fl_beneath_no_openat2 ? -1 : syscall(SYS_openat2, root_fd, path + strspn(path, "/"), &how, sizeof(how));
	if (fd < 0 && (fl_beneath_no_openat2 || errno == ENOSYS)) {
		struct stat st;
		fd = walk(root_fd, path, O_PATH, 0); /* refuses links on the way */
		if (fd >= 0 && (fstat((int)fd, &st) < 0 || S_ISLNK(st.st_mode))) {
			close((int)fd);
			fd = -ELOOP; /* O_PATH | O_NOFOLLOW opened the link itself */
		}
		errno = fd < 0 ? (int)-fd : 0;
	}
	if (fd >= 0) {
		close((int)fd);
		return 0;
	}
	return errno == ENOENT ? 0 : -errno;
}
