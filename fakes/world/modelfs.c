#include "world/modelfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"

static const char *const dirs[] = {
	"proc", "sys", "sys/class", "sys/class/net", "sys/class/net/sfp-wan",
};

static const char *const files[] = {
	"proc/interrupts", "proc/uptime", "proc/boot_id", "proc/sysrq-trigger",
	"sys/class/net/sfp-wan/carrier", "sys/class/net/sfp-wan/operstate",
	"clock", "dmesg", "hw_url", "hw_token",
};

/* Models add files in new directories as they go. */
static int make_parent(const char *path)
{
	char parent[4096];
	snprintf(parent, sizeof(parent), "%s", path);
	char *slash = strrchr(parent, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	return fl_util_mkdirs(parent, 0755);
}

/*
 * Replace the content of @fd with @text, in place (the sandbox's bind pins the
 * inode). Scripts read these files at any moment, as they read sysfs: a file
 * whose content does not change is not touched, and a changed one is
 * overwritten before it is cut to length, so a reader never sees it empty.
 */
static int replace_content(int fd, const char *text, size_t len)
{
	char *cur = malloc(len + 1);
	if (!cur)
		return -ENOMEM;
	ssize_t got = pread(fd, cur, len + 1, 0);
	int same = got == (ssize_t)len && memcmp(cur, text, len) == 0;
	free(cur);
	if (same)
		return 0;
	if (pwrite(fd, text, len, 0) != (ssize_t)len || ftruncate(fd, (off_t)len) < 0)
		return -EIO;
	return 0;
}

static int write_at(const char *dir, const char *rel, int append, const char *fmt, va_list ap)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	char *text = NULL;
	int len = vasprintf(&text, fmt, ap);
	if (len < 0)
		return -ENOMEM;
	/*
	 * A directory declared writable (pstore's view) lets the router plant links and
	 * FIFOs among the model's files: never follow one, never block on one. The
	 * directories above are the lab's own.
	 */
	int flags = O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | (append ? O_WRONLY | O_APPEND : O_RDWR);
	int fd = open(path, flags, 0644);
	if (fd < 0 && errno == ENOENT && make_parent(path) == 0)
		fd = open(path, flags, 0644);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
		errno = EINVAL;
	}
	if (fd < 0) {
		free(text);
		return -errno;
	}
	int ret;
	if (append)
		ret = write(fd, text, (size_t)len) == len ? 0 : -EIO;
	else
		ret = replace_content(fd, text, (size_t)len);
	close(fd);
	free(text);
	return ret;
}

int fl_modelfs_printf(const char *dir, const char *rel, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int ret = write_at(dir, rel, 0, fmt, ap);
	va_end(ap);
	return ret;
}

int fl_modelfs_append(const char *dir, const char *rel, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int ret = write_at(dir, rel, 1, fmt, ap);
	va_end(ap);
	return ret;
}

int fl_modelfs_init(const char *dir)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	char path[4096];
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, dirs[i]);
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
	}
	/* Existing files keep their content: the lab writes some before the world starts. */
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		int ret = fl_modelfs_append(dir, files[i], "%s", "");
		if (ret < 0)
			return ret;
	}
	return 0;
}

char *fl_modelfs_take(const char *dir, const char *rel)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	/*
	 * Read-only open and truncate(2): closing a file opened for writing would raise
	 * IN_CLOSE_WRITE on the very file the caller watches, and the watch would spin
	 * (and lose writes that land between its read and its truncation).
	 */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char *buf = calloc(1, 4096);
	ssize_t n = buf ? read(fd, buf, 4095) : -1;
	close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	if (n > 0 && truncate(path, 0) < 0) {
		/* nothing useful to do: the next read sees the old commands again */
	}
	return buf;
}

int fl_modelfs_interrupts(const char *dir, int64_t sfp1, int64_t uptime_ms)
{
	/* 250 Hz arch timer per CPU; the GPIO IRQ spread 40/30/20/10 over the CPUs,
	 * so a watcher that reads one column only sees part of a storm. */
	long long tick = (long long)(uptime_ms / 4);
	long long c0 = sfp1 * 4 / 10, c1 = sfp1 * 3 / 10, c2 = sfp1 * 2 / 10;
	long long c3 = sfp1 - c0 - c1 - c2;
	return fl_modelfs_printf(dir, "proc/interrupts",
		"           CPU0       CPU1       CPU2       CPU3       \n"
		" 11: %10lld %10lld %10lld %10lld     GICv3  30 Level     arch_timer\n"
		" 14: %10d %10d %10d %10d     GICv3 141 Level     mtk-wdt\n"
		" 63: %10lld %10d %10d %10d     GICv3 229 Level     15100000.ethernet\n"
		"108: %10lld %10lld %10lld %10lld  mt7988-pinctrl  69 Edge      sfp1-tx-fault\n"
		"109: %10d %10d %10d %10d  mt7988-pinctrl  70 Edge      sfp1-los\n"
		"110: %10d %10d %10d %10d  mt7988-pinctrl  14 Edge      sfp2-tx-fault\n"
		"IPI0: %9lld %10lld %10lld %10lld       Rescheduling interrupts\n",
		tick, tick, tick, tick, 0, 0, 0, 0, tick / 2, 0, 0, 0, c0, c1, c2, c3,
		0, 0, 0, 0, 0, 0, 0, 0, tick / 10, tick / 12, tick / 14, tick / 16);
}

int fl_modelfs_writable(const char *dir, const char *rel)
{
	char path[4096];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	int ret = stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : fl_modelfs_append(dir, rel, "%s", "");
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/" FL_MODELFS_WRITABLE, dir);
	size_t len = 0;
	char *list = fl_util_read_file(path, &len);
	int listed = 0;
	for (char *line = list, *next; line && *line && !listed; line = next) {
		next = strchr(line, '\n');
		size_t n = next ? (size_t)(next - line) : strlen(line);
		listed = n == strlen(rel) && strncmp(line, rel, n) == 0;
		next = next ? next + 1 : line + n;
	}
	free(list);
	return listed ? 0 : fl_modelfs_append(dir, FL_MODELFS_WRITABLE, "%s\n", rel);
}
