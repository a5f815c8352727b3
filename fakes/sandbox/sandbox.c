#include "sandbox/sandbox.h"

#include "world/modelfs.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/beneath.h"
#include "core/util.h"
#include "world/modelfs.h"
#include "core/truth.h"

#define BOOT_LIMIT_MS 5000
#define KILL_LIMIT_MS 2000
#define KILLED_STATUS SIGKILL /* the wait status of a process killed by SIGKILL */

struct job {
	struct fl_sandbox *sb;
	int fd;
	char buf[64];
	size_t len;
	fl_child_done_fn done;
	void *arg;
	struct job *next;
};

struct fl_sandbox {
	struct fl_loop *loop;
	struct fl_truth *truth;
	char *rootfs, *model_dir, *run_dir, *routerd, *hostname, *sock_path;
	int run_dir_fd; /* keeps sock_path short: a unix socket path has 108 bytes at most */
	int ssh_port;
	pid_t bwrap_pid;  /* our child, 0 once reaped */
	pid_t inner_pid;  /* bwrap's PID 1 of the sandbox, as the host sees it */
	int inner_pidfd;
	struct job *jobs;
};

/* Capabilities kept: ownership and file access for root's scripts, setuid/setgid for
 * dropbear's session setup, low ports. Notably not NET_ADMIN, SYS_TIME, SYS_ADMIN. */
static const char *const kept_caps[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_NET_BIND_SERVICE",
};

static int64_t real_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

struct argv_buf {
	char **v;
	size_t n, cap;
	int failed;
};

static void arg_add(struct argv_buf *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void arg_add(struct argv_buf *a, const char *fmt, ...)
{
	if (a->failed)
		return;
	if (a->n + 2 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		char **v = realloc(a->v, cap * sizeof(*v));
		if (!v) {
			a->failed = 1;
			return;
		}
		a->v = v;
		a->cap = cap;
	}
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&a->v[a->n], fmt, ap) < 0)
		a->failed = 1;
	else
		a->v[++a->n] = NULL;
	va_end(ap);
}

static void arg_free(struct argv_buf *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
}

static bool file_exists(const char *dir, const char *rel)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return access(path, F_OK) == 0;
}

/* The model files the router may write (fl_modelfs_writable), bound read-write. */
static void add_writable_binds(const char *m, struct argv_buf *a)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/" FL_MODELFS_WRITABLE, m);
	size_t len;
	char *list = fl_util_read_file(path, &len);
	for (char *save = NULL, *rel = list ? strtok_r(list, "\n", &save) : NULL; rel;
	     rel = strtok_r(NULL, "\n", &save)) {
		if (!file_exists(m, rel) || strstr(rel, ".."))
			continue;
		arg_add(a, "--bind"), arg_add(a, "%s/%s", m, rel), arg_add(a, "/r4hil/model/%s", rel);
		if (strncmp(rel, "sys/", 4) == 0)
			arg_add(a, "--bind"), arg_add(a, "%s/%s", m, rel), arg_add(a, "/%s", rel);
	}
	free(list);
}

static void build_argv(const struct fl_sandbox *sb, struct argv_buf *a)
{
	const char *m = sb->model_dir;
	arg_add(a, "%s", R4HIL_BWRAP);
	arg_add(a, "--die-with-parent");
	arg_add(a, "--unshare-pid");
	arg_add(a, "--unshare-ipc");
	arg_add(a, "--unshare-uts");
	arg_add(a, "--hostname"), arg_add(a, "%s", sb->hostname);
	arg_add(a, "--cap-drop"), arg_add(a, "ALL");
	for (size_t i = 0; i < sizeof(kept_caps) / sizeof(kept_caps[0]); i++)
		arg_add(a, "--cap-add"), arg_add(a, "%s", kept_caps[i]);
	arg_add(a, "--bind"), arg_add(a, "%s", sb->rootfs), arg_add(a, "/");
	arg_add(a, "--ro-bind"), arg_add(a, "/usr/lib"), arg_add(a, "/usr/lib");
	if (access("/usr/lib64", F_OK) == 0)
		arg_add(a, "--ro-bind"), arg_add(a, "/usr/lib64"), arg_add(a, "/usr/lib64");
	arg_add(a, "--ro-bind"), arg_add(a, "%s", R4HIL_CURL), arg_add(a, "/usr/bin/curl");
	arg_add(a, "--ro-bind"), arg_add(a, "%s", R4HIL_DROPBEAR), arg_add(a, "/usr/sbin/dropbear");
	arg_add(a, "--dev"), arg_add(a, "/dev");
	arg_add(a, "--proc"), arg_add(a, "/proc");
	/*
	 * bwrap leaves /proc/sys writable when it runs as root, and most of it is not
	 * per network namespace: a router script's `sysctl -w` would set the host's
	 * kernel. Read-only; the sysctls the router may set are model files (procredir).
	 */
	arg_add(a, "--ro-bind"), arg_add(a, "/proc/sys"), arg_add(a, "/proc/sys");
	/*
	 * Never the host's: a write there would act on the real kernel. Where the
	 * host kernel has none, procredir sends the router's writes to the model.
	 */
	if (access("/proc/sysrq-trigger", F_OK) == 0)
		arg_add(a, "--bind"), arg_add(a, "%s/proc/sysrq-trigger", m),
			arg_add(a, "/proc/sysrq-trigger");
	if (file_exists(m, "proc/interrupts"))
		arg_add(a, "--ro-bind"), arg_add(a, "%s/proc/interrupts", m), arg_add(a, "/proc/interrupts");
	if (file_exists(m, "proc/uptime"))
		arg_add(a, "--ro-bind"), arg_add(a, "%s/proc/uptime", m), arg_add(a, "/proc/uptime");
	if (file_exists(m, "proc/boot_id"))
		arg_add(a, "--ro-bind"), arg_add(a, "%s/proc/boot_id", m),
			arg_add(a, "/proc/sys/kernel/random/boot_id");
	arg_add(a, "--ro-bind"), arg_add(a, "%s/sys", m), arg_add(a, "/sys");
	arg_add(a, "--ro-bind"), arg_add(a, "%s", m), arg_add(a, "/r4hil/model");
	add_writable_binds(m, a);
	arg_add(a, "--bind"), arg_add(a, "%s", sb->run_dir), arg_add(a, "/r4hil/run");
	arg_add(a, "--ro-bind"), arg_add(a, "%s", sb->routerd), arg_add(a, "/r4hil/routerd");
	arg_add(a, "--ro-bind"), arg_add(a, "%s", R4HIL_PROCREDIR), arg_add(a, "/r4hil/lib/procredir.so");
	arg_add(a, "--tmpfs"), arg_add(a, "/tmp");
	arg_add(a, "--chdir"), arg_add(a, "/");
	arg_add(a, "--clearenv");
	arg_add(a, "--setenv"), arg_add(a, "PATH"), arg_add(a, "/usr/sbin:/usr/bin:/sbin:/bin");
	arg_add(a, "--setenv"), arg_add(a, "HOME"), arg_add(a, "/root");
	arg_add(a, "--setenv"), arg_add(a, "USER"), arg_add(a, "root");
	arg_add(a, "--setenv"), arg_add(a, "LOGNAME"), arg_add(a, "root");
	arg_add(a, "--setenv"), arg_add(a, "SHELL"), arg_add(a, "/bin/ash");
	/* a sanitized routerd must accept the preloaded procredir ahead of libasan */
	arg_add(a, "--setenv"), arg_add(a, "ASAN_OPTIONS"), arg_add(a, "verify_asan_link_order=0");
	arg_add(a, "--info-fd"), arg_add(a, "3");
	arg_add(a, "/r4hil/routerd");
}

/* The model files the binds need must exist before bwrap runs. */
static int prepare_model(const struct fl_sandbox *sb, char **err)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/sys", sb->model_dir);
	int ret = fl_util_mkdirs(path, 0755);
	snprintf(path, sizeof(path), "%s/proc", sb->model_dir);
	if (!ret)
		ret = fl_util_mkdirs(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/sysrq-trigger", sb->model_dir);
	if (!ret && access(path, F_OK) < 0)
		ret = fl_util_write_file(path, "", 0, 0600);
	if (!ret)
		ret = fl_util_mkdirs(sb->run_dir, 0755);
	if (ret)
		return fl_util_err(err, ret, "failed to prepare %s: %s", path, strerror(-ret));
	return 0;
}

/*
 * bwrap's output goes to the run directory, which the router can write: a link or
 * FIFO it left there is removed, never followed (the lab runs as root).
 */
static int open_bwrap_log(const struct fl_sandbox *sb)
{
	int flags = O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW;
	int fd = fl_beneath_open_file(sb->run_dir_fd, "bwrap.log", flags, 0644, NULL);
	if (fd < 0 && unlinkat(sb->run_dir_fd, "bwrap.log", 0) == 0)
		fd = fl_beneath_open_file(sb->run_dir_fd, "bwrap.log", flags, 0644, NULL);
	return fd >= 0 ? fd : open("/dev/null", O_WRONLY | O_CLOEXEC);
}

/*
 * bwrap makes its mount points before it enters the new root, as root: a link the
 * router left at one (/r4hil/routerd -> ../../../oldroot/...) would make it create
 * a host file. Refuse to boot such a rootfs, as a real router would fail to.
 */
static int check_mount_points(const struct fl_sandbox *sb, char *const *argv, char **err)
{
	int root_fd = open(sb->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return fl_util_err(err, -errno, "failed to open %s: %s", sb->rootfs, strerror(errno));
	int ret = 0;
	for (size_t i = 1; !ret && argv[i]; i++) {
		const char *op = argv[i], *dest = NULL;
		if (!strcmp(op, "--bind") || !strcmp(op, "--ro-bind"))
			dest = argv[i + 1] ? argv[i + 2] : NULL;
		else if (!strcmp(op, "--tmpfs") || !strcmp(op, "--dev") || !strcmp(op, "--proc"))
			dest = argv[i + 1];
		if (!dest || !strcmp(dest, "/"))
			continue;
		ret = fl_beneath_check_no_links(root_fd, dest);
		if (ret)
			fl_util_err(err, ret, "a mount point in the rootfs goes through a link: %s", dest);
	}
	close(root_fd);
	return ret;
}

static pid_t spawn_bwrap(struct fl_sandbox *sb, char *const *argv, int info_fd)
{
	int out = open_bwrap_log(sb);
	pid_t pid = fork();
	if (pid != 0) {
		int saved = errno;
		if (out >= 0)
			close(out);
		errno = saved;
		return pid;
	}
	int in = open("/dev/null", O_RDONLY);
	if (in < 0 || out < 0)
		_exit(126);
	dup2(in, 0);
	dup2(out, 1);
	dup2(out, 2);
	dup2(info_fd, 3);
	/* the lab's own sockets and files must not live on inside the router */
	syscall(SYS_close_range, 4, ~0U, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	char *env[] = { NULL };
	execve(argv[0], argv, env);
	_exit(127);
}

/* bwrap's --info-fd JSON: {"child-pid": N, ...}. 0 if it never came. */
static pid_t read_inner_pid(int fd)
{
	char buf[512];
	size_t len = 0;
	int64_t deadline = real_ms() + BOOT_LIMIT_MS;
	while (len < sizeof(buf) - 1) {
		int left = (int)(deadline - real_ms());
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strchr(buf, '}'))
			break;
	}
	buf[len] = '\0';
	const char *p = strstr(buf, "\"child-pid\"");
	if (!p || !(p = strchr(p, ':')))
		return 0;
	return (pid_t)strtol(p + 1, NULL, 10);
}

static int connect_routerd(const struct fl_sandbox *sb)
{
	/* the router can put a link to a host socket where routerd's was */
	int path_fd = fl_beneath_open(sb->run_dir_fd, "routerd.sock", O_PATH | O_NOFOLLOW, 0);
	if (path_fd < 0)
		return path_fd;
	struct stat st;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d", path_fd);
	int fd = -ECONNREFUSED;
	if (fstat(path_fd, &st) == 0 && S_ISSOCK(st.st_mode))
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		fd = -errno;
	if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int ret = -errno;
		close(fd);
		fd = ret;
	}
	close(path_fd);
	return fd;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A blocking request with a one-line answer (PING, START), within @limit_ms real time. */
static int request(const struct fl_sandbox *sb, const char *req, char *answer, size_t size,
		   int limit_ms)
{
	int fd = connect_routerd(sb);
	if (fd < 0)
		return fd;
	int ret = write_all(fd, req, strlen(req));
	size_t len = 0;
	int64_t deadline = real_ms() + limit_ms;
	while (!ret && len < size - 1 && !memchr(answer, '\n', len)) {
		int left = (int)(deadline - real_ms());
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (left <= 0 || poll(&p, 1, left) <= 0) {
			ret = -ETIMEDOUT;
			break;
		}
		ssize_t n = read(fd, answer + len, size - 1 - len);
		if (n <= 0)
			ret = n < 0 ? -errno : -ECONNRESET;
		else
			len += (size_t)n;
	}
	answer[len] = '\0';
	close(fd);
	return ret;
}

bool fl_sandbox_alive(const struct fl_sandbox *sb)
{
	if (!sb || sb->bwrap_pid <= 0)
		return false;
	siginfo_t info = { 0 };
	/* WNOWAIT: look without reaping, so this stays a query */
	if (waitid(P_PID, (id_t)sb->bwrap_pid, &info, WEXITED | WNOHANG | WNOWAIT) < 0)
		return false;
	return info.si_pid != sb->bwrap_pid;
}

/* The end of bwrap.log, for an error message; read as any router-writable file. */
static char *bwrap_log_tail(const struct fl_sandbox *sb)
{
	struct stat st;
	int fd = fl_beneath_open_file(sb->run_dir_fd, "bwrap.log", O_RDONLY | O_NOFOLLOW, 0, &st);
	char *text = fd >= 0 ? malloc(1025) : NULL;
	ssize_t n = -1;
	if (text)
		n = pread(fd, text, 1024, st.st_size > 1024 ? st.st_size - 1024 : 0);
	if (fd >= 0)
		close(fd);
	if (n < 0) {
		free(text);
		return strdup("(no output)");
	}
	size_t len = (size_t)n;
	text[len] = '\0';
	while (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	if (len > 512)
		memmove(text, text + len - 512, 513);
	return text;
}

static void complete_job(struct job *job, int status)
{
	struct fl_sandbox *sb = job->sb;
	struct job **pp = &sb->jobs;
	while (*pp && *pp != job)
		pp = &(*pp)->next;
	if (*pp)
		*pp = job->next;
	fl_fd_unwatch(sb->loop, job->fd);
	close(job->fd);
	fl_child_done_fn done = job->done;
	void *arg = job->arg;
	free(job);
	fl_loop_busy_dec(sb->loop);
	if (done)
		done(arg, status);
}

struct fl_sandbox *fl_sandbox_boot(struct fl_loop *loop, const struct fl_sandbox_config *cfg,
				   char **err)
{
	struct fl_sandbox *sb = calloc(1, sizeof(*sb));
	if (!sb) {
		fl_util_err(err, -ENOMEM, "out of memory");
		return NULL;
	}
	sb->loop = loop;
	sb->truth = cfg->truth;
	sb->ssh_port = cfg->ssh_port;
	sb->inner_pidfd = -1;
	sb->run_dir_fd = -1;
	sb->rootfs = strdup(cfg->rootfs);
	sb->model_dir = strdup(cfg->model_dir);
	sb->run_dir = strdup(cfg->run_dir);
	sb->routerd = strdup(cfg->routerd);
	sb->hostname = strdup(cfg->hostname ? cfg->hostname : "bpi-r4");
	if (!sb->rootfs || !sb->model_dir || !sb->run_dir || !sb->routerd || !sb->hostname) {
		fl_util_err(err, -ENOMEM, "out of memory");
		goto err_free;
	}
	if (prepare_model(sb, err) < 0)
		goto err_free;
	sb->run_dir_fd = open(cfg->run_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (sb->run_dir_fd < 0) {
		fl_util_err(err, -errno, "failed to open %s: %s", cfg->run_dir, strerror(errno));
		goto err_free;
	}
	if (asprintf(&sb->sock_path, "/proc/self/fd/%d/routerd.sock", sb->run_dir_fd) < 0) {
		fl_util_err(err, -ENOMEM, "out of memory");
		goto err_free;
	}
	unlink(sb->sock_path);

	struct argv_buf args = { 0 };
	build_argv(sb, &args);
	if (args.failed) {
		arg_free(&args);
		fl_util_err(err, -ENOMEM, "out of memory");
		goto err_free;
	}
	if (check_mount_points(sb, args.v, err) < 0) {
		arg_free(&args);
		goto err_free;
	}
	int info[2];
	if (pipe2(info, O_CLOEXEC) < 0) {
		fl_util_err(err, -errno, "failed to create a pipe: %s", strerror(errno));
		arg_free(&args);
		goto err_free;
	}
	sb->bwrap_pid = spawn_bwrap(sb, args.v, info[1]);
	int spawn_errno = errno;
	close(info[1]);
	arg_free(&args);
	if (sb->bwrap_pid < 0) {
		close(info[0]);
		sb->bwrap_pid = 0;
		fl_util_err(err, -spawn_errno, "failed to start bwrap: %s", strerror(spawn_errno));
		goto err_free;
	}
	sb->inner_pid = read_inner_pid(info[0]);
	close(info[0]);
	if (sb->inner_pid > 0)
		sb->inner_pidfd = (int)syscall(SYS_pidfd_open, sb->inner_pid, 0);

	/* routerd creates its socket once it is ready; PING proves it serves */
	int64_t deadline = real_ms() + BOOT_LIMIT_MS;
	for (;;) {
		char answer[32];
		if (request(sb, "PING\n", answer, sizeof(answer), 1000) == 0 &&
		    !strcmp(answer, "PONG\n"))
			break;
		if (!fl_sandbox_alive(sb) || real_ms() > deadline) {
			char *tail = bwrap_log_tail(sb);
			fl_util_err(err, -EIO, "failed to boot the sandbox %s: %s: %s", sb->rootfs,
				    fl_sandbox_alive(sb) ? "routerd did not answer" : "bwrap exited",
				    tail ? tail : "");
			free(tail);
			goto err_kill;
		}
		sleep_ms(10);
	}
	fl_truth_log(sb->truth, "router.sandbox", "booted (bwrap pid %d)", (int)sb->bwrap_pid);
	return sb;

err_kill:
	fl_sandbox_kill(sb);
err_free:
	fl_sandbox_free(sb);
	return NULL;
}

int fl_sandbox_start_dropbear(struct fl_sandbox *sb, char **err)
{
	if (!fl_sandbox_alive(sb))
		return fl_util_err(err, -ESRCH, "failed to start dropbear: the sandbox is not running");
	char req[256], answer[64];
	snprintf(req, sizeof(req),
		 "START dropbear\t/usr/sbin/dropbear -F -E -s -p 127.0.0.1:%d "
		 "-r /etc/dropbear/dropbear_ed25519_host_key -P /var/run/dropbear.pid\n",
		 sb->ssh_port);
	int ret = request(sb, req, answer, sizeof(answer), BOOT_LIMIT_MS);
	if (ret < 0 || strncmp(answer, "PID ", 4) != 0)
		return fl_util_err(err, ret < 0 ? ret : -EIO, "failed to start dropbear: %s",
				   ret < 0 ? strerror(-ret) : answer);

	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)sb->ssh_port),
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int64_t deadline = real_ms() + BOOT_LIMIT_MS;
	for (;;) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return fl_util_err(err, -errno, "failed to create a socket: %s", strerror(errno));
		int ok = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
		close(fd);
		if (ok)
			break;
		if (real_ms() > deadline)
			return fl_util_err(err, -ETIMEDOUT,
					   "failed to start dropbear: port %d does not accept "
					   "(see %s/log/dropbear.log)",
					   sb->ssh_port, sb->run_dir);
		sleep_ms(10);
	}
	fl_truth_log(sb->truth, "router.ssh", "dropbear listening on 127.0.0.1:%d", sb->ssh_port);
	return 0;
}

static void job_readable(void *arg, int fd)
{
	struct job *job = arg;
	ssize_t n = read(fd, job->buf + job->len, sizeof(job->buf) - 1 - job->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* routerd died with the job: the sandbox lost power */
		complete_job(job, KILLED_STATUS);
		return;
	}
	job->len += (size_t)n;
	job->buf[job->len] = '\0';
	if (!strchr(job->buf, '\n') && job->len < sizeof(job->buf) - 1)
		return;
	int status = KILLED_STATUS;
	if (strncmp(job->buf, "EXIT ", 5) == 0)
		status = (int)strtol(job->buf + 5, NULL, 10);
	else
		fl_truth_log(job->sb->truth, "router.job", "routerd refused a job: %s", job->buf);
	complete_job(job, status);
}

static bool tag_ok(const char *tag)
{
	if (!*tag || *tag == '.')
		return false;
	for (const char *p = tag; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return false;
	return true;
}

int fl_sandbox_run(struct fl_sandbox *sb, const char *tag, const char *command_line,
		   fl_child_done_fn done, void *arg)
{
	if (!tag_ok(tag) || strchr(command_line, '\n'))
		return -EINVAL;
	if (!fl_sandbox_alive(sb))
		return -ESRCH;
	struct job *job = calloc(1, sizeof(*job));
	if (!job)
		return -ENOMEM;
	char *req;
	if (asprintf(&req, "RUN %s\t%s\n", tag, command_line) < 0) {
		free(job);
		return -ENOMEM;
	}
	int fd = connect_routerd(sb);
	int ret = fd < 0 ? fd : write_all(fd, req, strlen(req));
	free(req);
	if (!ret && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		ret = -errno;
	if (!ret)
		ret = fl_fd_watch(sb->loop, fd, job_readable, job);
	if (ret) {
		if (fd >= 0)
			close(fd);
		free(job);
		return ret;
	}
	job->sb = sb;
	job->fd = fd;
	job->done = done;
	job->arg = arg;
	job->next = sb->jobs;
	sb->jobs = job;
	fl_loop_busy_inc(sb->loop);
	return 0;
}

void fl_sandbox_kill(struct fl_sandbox *sb)
{
	if (!sb || sb->bwrap_pid <= 0)
		return;
	if (sb->inner_pid > 0)
		kill(sb->inner_pid, SIGKILL);
	kill(sb->bwrap_pid, SIGKILL);
	while (waitpid(sb->bwrap_pid, NULL, 0) < 0 && errno == EINTR)
		;
	sb->bwrap_pid = 0;
	/* PID 1 of a namespace exits only after the kernel has killed everything in it */
	if (sb->inner_pidfd >= 0) {
		struct pollfd p = { .fd = sb->inner_pidfd, .events = POLLIN };
		poll(&p, 1, KILL_LIMIT_MS);
		close(sb->inner_pidfd);
		sb->inner_pidfd = -1;
	}
	sb->inner_pid = 0;
	fl_truth_log(sb->truth, "router.sandbox", "killed (power loss)");
	while (sb->jobs)
		complete_job(sb->jobs, KILLED_STATUS);
}

void fl_sandbox_free(struct fl_sandbox *sb)
{
	if (!sb)
		return;
	fl_sandbox_kill(sb);
	if (sb->inner_pidfd >= 0)
		close(sb->inner_pidfd);
	free(sb->rootfs);
	free(sb->model_dir);
	free(sb->run_dir);
	free(sb->routerd);
	free(sb->hostname);
	free(sb->sock_path);
	if (sb->run_dir_fd >= 0)
		close(sb->run_dir_fd);
	free(sb);
}

char *fl_sandbox_log_path(const struct fl_sandbox *sb, const char *tag)
{
	char *path;
	if (asprintf(&path, "%s/log/%s.log", sb->run_dir, tag) < 0)
		return NULL;
	return path;
}

char *fl_sandbox_read_log(const struct fl_sandbox *sb, const char *tag, size_t *len)
{
	char rel[256];
	snprintf(rel, sizeof(rel), "log/%s.log", tag);
	return fl_beneath_read_and_close(fl_beneath_open_file(sb->run_dir_fd, rel, O_RDONLY | O_NOFOLLOW, 0, NULL),
					 FL_BENEATH_READ_MAX, len);
}

int fl_sandbox_write_clock(const char *model_dir, fl_ms now)
{
	char path[4096], text[32];
	snprintf(path, sizeof(path), "%s/clock", model_dir);
	int len = snprintf(text, sizeof(text), "%lld\n", (long long)(now / 1000));
	/* O_TRUNC, not a rename: the bind inside pins the inode */
	return fl_util_write_file(path, text, (size_t)len, 0644);
}
