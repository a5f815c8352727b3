/*
 * r4hil-routerd: the fake router's helper inside the sandbox (bwrap is PID 1, this
 * is PID 2). It runs the router's commands for the fake lab, which stays outside.
 *
 * Protocol on the unix socket /r4hil/run/routerd.sock, one request per connection,
 * one text line each:
 *   RUN <tag>\t<command line>\n   -> /bin/sh -c <line>; answers "EXIT <wait status>\n"
 *                                    when it has ended (the connection stays open)
 *   START <tag>\t<command line>\n -> a daemon, not waited for; answers "PID <pid>\n"
 *   PING\n                        -> "PONG\n"
 * Errors are answered "ERR <text>\n". Output of a command is appended to
 * /r4hil/run/log/<tag>.log. The socket exists only once routerd is ready.
 *
 * Plain libc only: the binary is bound into a busybox rootfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define RUN_DIR "/r4hil/run"
#define SOCK_PATH RUN_DIR "/routerd.sock"
#define LOG_DIR RUN_DIR "/log"
#define MAX_CONNS 64
#define MAX_JOBS 256
#define LINE_MAX_LEN 8192

struct conn {
	int fd;
	size_t len;
	char buf[LINE_MAX_LEN];
};

/* A RUN job: its connection gets the wait status. */
struct job {
	pid_t pid;
	int fd;
};

static struct conn conns[MAX_CONNS];
static struct job jobs[MAX_JOBS];
static int sigchld_pipe[2];

static void on_sigchld(int sig)
{
	int saved = errno;
	(void)sig;
	if (write(sigchld_pipe[1], "c", 1) < 0) {
		/* the pipe is full: a wake-up is pending anyway */
	}
	errno = saved;
}

static void reply(int fd, const char *fmt, long value)
{
	char line[64];
	int n = snprintf(line, sizeof(line), fmt, value);
	/* short answers on a fresh unix socket: one write suffices */
	if (write(fd, line, (size_t)n) < 0) {
		/* the fake lab went away (power loss); nothing to tell */
	}
}

static void reply_err(int fd, const char *text)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "ERR %s\n", text);
	if (write(fd, line, (size_t)n) < 0) {
		/* as above */
	}
}

static int tag_ok(const char *tag)
{
	if (!*tag || *tag == '.' || strlen(tag) > 100)
		return 0;
	for (const char *p = tag; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return 0;
	return 1;
}

/* TZ as OpenWrt's /etc/TZ gives it, read at each start (it may change). */
static void read_tz(char *tz, size_t size)
{
	tz[0] = '\0';
	FILE *f = fopen("/etc/TZ", "r");
	if (!f)
		return;
	if (fgets(tz, (int)size, f))
		tz[strcspn(tz, "\r\n")] = '\0';
	fclose(f);
}

static pid_t spawn(const char *tag, const char *line)
{
	char log[256], tz[128], tzvar[160];
	snprintf(log, sizeof(log), LOG_DIR "/%s.log", tag);
	read_tz(tz, sizeof(tz));
	snprintf(tzvar, sizeof(tzvar), "TZ=%s", tz);
	char *env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "SHELL=/bin/sh",
			"USER=root", "LOGNAME=root", tz[0] ? tzvar : NULL, NULL };

	pid_t pid = fork();
	if (pid != 0)
		return pid;

	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	setsid();
	int in = open("/dev/null", O_RDONLY);
	int out = open(log, O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (in < 0 || out < 0)
		_exit(126);
	dup2(in, 0);
	dup2(out, 1);
	dup2(out, 2);
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	if (chdir("/root") < 0 && chdir("/") < 0)
		_exit(126);
	char *argv[] = { "sh", "-c", (char *)line, NULL };
	execve("/bin/sh", argv, env);
	_exit(127);
}

static void close_conn(struct conn *c)
{
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

/* Handle one complete request line; the connection is closed or handed to a job. */
static void handle(struct conn *c, char *line)
{
	if (strcmp(line, "PING") == 0) {
		reply(c->fd, "PONG\n", 0);
		close_conn(c);
		return;
	}
	int run = strncmp(line, "RUN ", 4) == 0;
	if (!run && strncmp(line, "START ", 6) != 0) {
		reply_err(c->fd, "unknown request");
		close_conn(c);
		return;
	}
	char *tag = line + (run ? 4 : 6);
	char *cmd = strchr(tag, '\t');
	if (!cmd) {
		reply_err(c->fd, "expected <tag>\\t<command line>");
		close_conn(c);
		return;
	}
	*cmd++ = '\0';
	if (!tag_ok(tag)) {
		reply_err(c->fd, "bad tag");
		close_conn(c);
		return;
	}
	int slot = -1;
	if (run) {
		for (int i = 0; i < MAX_JOBS && slot < 0; i++)
			if (jobs[i].pid == 0)
				slot = i;
		if (slot < 0) {
			reply_err(c->fd, "too many jobs");
			close_conn(c);
			return;
		}
	}
	pid_t pid = spawn(tag, cmd);
	if (pid < 0) {
		reply_err(c->fd, strerror(errno));
		close_conn(c);
		return;
	}
	if (!run) {
		reply(c->fd, "PID %ld\n", (long)pid);
		close_conn(c);
		return;
	}
	jobs[slot].pid = pid;
	jobs[slot].fd = c->fd;
	c->fd = -1;
	c->len = 0;
}

static void read_conn(struct conn *c)
{
	ssize_t n = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	if (n <= 0) {
		close_conn(c);
		return;
	}
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	char *nl = strchr(c->buf, '\n');
	if (nl) {
		*nl = '\0';
		handle(c, c->buf);
	} else if (c->len == sizeof(c->buf) - 1) {
		reply_err(c->fd, "request too long");
		close_conn(c);
	}
}

static void reap(void)
{
	char drain[64];
	while (read(sigchld_pipe[0], drain, sizeof(drain)) > 0)
		;
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int i = 0; i < MAX_JOBS; i++) {
			if (jobs[i].pid != pid)
				continue;
			reply(jobs[i].fd, "EXIT %ld\n", status);
			close(jobs[i].fd);
			jobs[i].pid = 0;
			jobs[i].fd = -1;
		}
	}
}

static void accept_conn(int lfd)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	for (int i = 0; i < MAX_CONNS; i++) {
		if (conns[i].fd < 0) {
			conns[i].fd = fd;
			conns[i].len = 0;
			return;
		}
	}
	reply_err(fd, "too many connections");
	close(fd);
}

/* What OpenWrt's early boot creates in the volatile /var (= /tmp). */
static void prepare_dirs(void)
{
	static const char *const dirs[] = { "/tmp/run", "/tmp/lock", "/tmp/log", "/tmp/state",
					    LOG_DIR };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		mkdir(dirs[i], 0755);
}

/*
 * Refuse to serve if /proc/sysrq-trigger is the kernel's: the sandbox binds the
 * lab's file over it, and a root script writing "b" there must never reboot the host.
 */
static int sysrq_is_safe(void)
{
	struct statfs fs;
	if (statfs("/proc/sysrq-trigger", &fs) < 0)
		return errno == ENOENT;
	return fs.f_type != 0x9fa0; /* PROC_SUPER_MAGIC */
}

static int listen_socket(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", SOCK_PATH);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(SOCK_PATH);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 64) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int main(void)
{
	for (int i = 0; i < MAX_CONNS; i++)
		conns[i].fd = -1;
	for (int i = 0; i < MAX_JOBS; i++)
		jobs[i].fd = -1;
	signal(SIGPIPE, SIG_IGN);
	if (pipe2(sigchld_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		perror("r4hil-routerd: pipe");
		return 1;
	}
	struct sigaction sa = { .sa_handler = on_sigchld, .sa_flags = SA_RESTART | SA_NOCLDSTOP };
	sigaction(SIGCHLD, &sa, NULL);
	if (!sysrq_is_safe()) {
		fprintf(stderr, "r4hil-routerd: /proc/sysrq-trigger is the kernel's; refusing to run\n");
		return 1;
	}
	prepare_dirs();
	int lfd = listen_socket();
	if (lfd < 0) {
		perror("r4hil-routerd: " SOCK_PATH);
		return 1;
	}

	for (;;) {
		struct pollfd fds[MAX_CONNS + 2];
		int map[MAX_CONNS + 2];
		nfds_t n = 0;
		fds[n] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		map[n++] = -1;
		fds[n] = (struct pollfd){ .fd = sigchld_pipe[0], .events = POLLIN };
		map[n++] = -2;
		for (int i = 0; i < MAX_CONNS; i++) {
			if (conns[i].fd < 0)
				continue;
			fds[n] = (struct pollfd){ .fd = conns[i].fd, .events = POLLIN };
			map[n++] = i;
		}
		if (poll(fds, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("r4hil-routerd: poll");
			return 1;
		}
		for (nfds_t i = 0; i < n; i++) {
			if (!fds[i].revents)
				continue;
			if (map[i] == -1)
				accept_conn(lfd);
			else if (map[i] == -2)
				reap();
			else if (conns[map[i]].fd == fds[i].fd)
				read_conn(&conns[map[i]]);
		}
	}
}
