/*
 * r4hil-procredir: preloaded into every program of the fake router (through the
 * rootfs's /etc/ld.so.preload), it sends opens and stats of /proc/<path> to the
 * world model's file /r4hil/model/proc/<path> when the model has one.
 *
 * Why: a procfs cannot gain files, so bind mounts cannot add what the host kernel
 * lacks (this CI kernel has no /proc/sysrq-trigger), and /proc/sys is read-only in
 * the sandbox, while the router's scripts must write sysrq and sysctls and read
 * the model's counters. Paths the model does not have stay the sandbox's own /proc
 * (ps, pgrep and /proc/self keep working).
 *
 * Plain libc only, never built with sanitizers: it is loaded into busybox.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MODEL_PROC "/r4hil/model/proc/"

/* The model's file for @path, in @buf, or @path itself. */
static const char *redirect(const char *path, char *buf, size_t size)
{
	if (!path || strncmp(path, "/proc/", 6) != 0 || strstr(path, "/.."))
		return path;
	int n = snprintf(buf, size, MODEL_PROC "%s", path + 6);
	if (n < 0 || (size_t)n >= size)
		return path;
	static int (*real_faccessat)(int, const char *, int, int);
	if (!real_faccessat)
		real_faccessat = (int (*)(int, const char *, int, int))dlsym(RTLD_NEXT, "faccessat");
	if (!real_faccessat || real_faccessat(AT_FDCWD, buf, F_OK, 0) != 0)
		return path;
	return buf;
}

/* The next definition of @name (libc's), looked up once. */
#define REAL(ret, name, params)                        \
	static ret(*real_##name) params;               \
	if (!real_##name)                              \
		real_##name = (ret(*) params)dlsym(RTLD_NEXT, #name)

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & (O_CREAT | __O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

#define OPEN_LIKE(name)                                                    \
	int name(const char *path, int flags, ...)                         \
	{                                                                  \
		REAL(int, name, (const char *, int, ...));               \
		va_list ap;                                                \
		va_start(ap, flags);                                       \
		mode_t mode = mode_arg(flags, ap);                         \
		va_end(ap);                                                \
		char buf[4096];                                            \
		return real_##name(redirect(path, buf, sizeof(buf)), flags, mode); \
	}

#define OPENAT_LIKE(name)                                                  \
	int name(int dirfd, const char *path, int flags, ...)              \
	{                                                                  \
		REAL(int, name, (int, const char *, int, ...));          \
		va_list ap;                                                \
		va_start(ap, flags);                                       \
		mode_t mode = mode_arg(flags, ap);                         \
		va_end(ap);                                                \
		char buf[4096];                                            \
		return real_##name(dirfd, redirect(path, buf, sizeof(buf)), flags, mode); \
	}

#define PATH_CALL(ret, name, params, args)                                 \
	ret name params                                                    \
	{                                                                  \
		REAL(ret, name, params);                                 \
		char buf[4096];                                            \
		const char *p = redirect(path, buf, sizeof(buf));          \
		return real_##name args;                                   \
	}

/* Each wrapper is exported for the dynamic linker only; nothing calls it here. */
#pragma GCC diagnostic ignored "-Wmissing-declarations"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

OPEN_LIKE(open)
OPEN_LIKE(open64)
OPENAT_LIKE(openat)
OPENAT_LIKE(openat64)
PATH_CALL(int, __open_2, (const char *path, int flags), (p, flags))
PATH_CALL(int, __open64_2, (const char *path, int flags), (p, flags))
PATH_CALL(FILE *, fopen, (const char *path, const char *mode), (p, mode))
PATH_CALL(FILE *, fopen64, (const char *path, const char *mode), (p, mode))
PATH_CALL(FILE *, freopen, (const char *path, const char *mode, FILE *f), (p, mode, f))
PATH_CALL(int, access, (const char *path, int mode), (p, mode))
PATH_CALL(int, stat, (const char *path, struct stat *st), (p, st))
PATH_CALL(int, stat64, (const char *path, struct stat64 *st), (p, st))
PATH_CALL(int, lstat, (const char *path, struct stat *st), (p, st))
PATH_CALL(int, lstat64, (const char *path, struct stat64 *st), (p, st))
PATH_CALL(int, truncate, (const char *path, off_t len), (p, len))
PATH_CALL(int, faccessat, (int dirfd, const char *path, int mode, int flags), (dirfd, p, mode, flags))
PATH_CALL(int, fstatat, (int dirfd, const char *path, struct stat *st, int flags), (dirfd, p, st, flags))
PATH_CALL(int, fstatat64, (int dirfd, const char *path, struct stat64 *st, int flags), (dirfd, p, st, flags))
PATH_CALL(int, statx, (int dirfd, const char *path, int flags, unsigned mask, struct statx *st),
	  (dirfd, p, flags, mask, st))

/*
 * A write to /proc/sysrq-trigger acts before write() returns on a real kernel:
 * `echo t > /proc/sysrq-trigger; dmesg` finds the task dump. So does a write to a
 * driver's sysfs bind/unbind file (the probe or the removal runs in the writer's
 * context), and two writes in a row are two requests. The models empty these
 * files once they have acted, so a write to one returns only then (at most 2 s of
 * real time).
 */
static const char *const taken_files[] = {
	"/r4hil/model/proc/sysrq-trigger",
	"/r4hil/model/sys/bus/platform/drivers/sfp/bind",
	"/r4hil/model/sys/bus/platform/drivers/sfp/unbind",
};
#define N_TAKEN (sizeof(taken_files) / sizeof(taken_files[0]))
#define TAKEN_WAIT_MS 2000

/* Which of taken_files @fd writes to, or -1. */
static int taken_file(int fd)
{
	static dev_t dev[N_TAKEN];
	static ino_t ino[N_TAKEN];
	static int known = -1; /* bit i: taken_files[i] exists */
	struct stat st;
	if (known < 0) {
		REAL(int, stat, (const char *, struct stat *));
		known = 0;
		for (size_t i = 0; i < N_TAKEN; i++)
			if (real_stat && real_stat(taken_files[i], &st) == 0)
				known |= 1 << i, dev[i] = st.st_dev, ino[i] = st.st_ino;
	}
	if (!known || fstat(fd, &st) != 0)
		return -1;
	for (size_t i = 0; i < N_TAKEN; i++)
		if ((known >> i & 1) && st.st_dev == dev[i] && st.st_ino == ino[i])
			return (int)i;
	return -1;
}

static void wait_taken(const char *path)
{
	REAL(int, stat, (const char *, struct stat *));
	struct stat st;
	for (int waited = 0; waited < TAKEN_WAIT_MS; waited++) {
		if (!real_stat || real_stat(path, &st) != 0 || st.st_size == 0)
			return;
		usleep(1000);
	}
}

ssize_t write(int fd, const void *buf, size_t len)
{
	REAL(ssize_t, write, (int, const void *, size_t));
	ssize_t n = real_write(fd, buf, len);
	int i = n > 0 ? taken_file(fd) : -1;
	if (i >= 0)
		wait_taken(taken_files[i]);
	return n;
}
