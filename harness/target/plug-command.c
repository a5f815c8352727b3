/*
 * A plug behind a lab's own script: argv + "on" | "off" | "status", run with
 * execvp (no shell, so nothing in the lab file is ever interpreted). "status"
 * prints "on" or "off". Exit status 0 means done.
 */
#include "target/plug-internal.h"
#include "transport/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define COMMAND_TIMEOUT_MS 20000

static void child(char **argv, const char *action, int out)
{
	size_t n = 0;
	char **args;

	while (argv[n])
		n++;
	args = calloc(n + 2, sizeof(char *));
	if (!args)
		_exit(127);
	memcpy(args, argv, n * sizeof(char *));
	args[n] = (char *)action;
	dup2(out, 1);
	dup2(out, 2);
	int in = open("/dev/null", O_RDONLY);
	if (in >= 0)
		dup2(in, 0);
	execvp(args[0], args);
	_exit(127);
}

/* Run the command with @action; its output (stdout and stderr) into @buf. */
static int run(struct hil_plug *p, const char *action, char *buf, size_t len, char **err)
{
	int fds[2], status = 0;
	size_t used = 0;
	int64_t deadline = hil_transport_now_ms() + COMMAND_TIMEOUT_MS;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (pid == 0)
		child(p->argv, action, fds[1]);
	close(fds[1]);
	for (;;) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		int64_t left = deadline - hil_transport_now_ms();
		if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			close(fds[0]);
			hil_transport_seterr(err, "failed to %s plug: command %s %s: no answer within %d ms",
					     action, p->argv[0], action, COMMAND_TIMEOUT_MS);
			return -ETIMEDOUT;
		}
		ssize_t n = read(fds[0], buf + used, len - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
		if (used == len - 1) {
			char sink[256]; /* keep draining so the child never blocks */
			while (read(fds[0], sink, sizeof(sink)) > 0)
				;
			break;
		}
	}
	buf[used] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		hil_transport_seterr(err, "failed to %s plug: command %s %s: %s %d: %.200s", action,
				     p->argv[0], action, WIFEXITED(status) ? "exit status" : "signal",
				     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), buf);
		return WIFEXITED(status) && WEXITSTATUS(status) == 127 ? -ENOENT : -EIO;
	}
	return 0;
}

static int command_set(struct hil_plug *p, int on, char **err)
{
	char out[512];

	return run(p, on ? "on" : "off", out, sizeof(out), err);
}

static int command_get(struct hil_plug *p, int *on, char **err)
{
	char out[512];
	int ret = run(p, "status", out, sizeof(out), err);

	if (ret)
		return ret;
	out[strcspn(out, " \t\r\n")] = '\0';
	if (strcmp(out, "on") && strcmp(out, "off")) {
		hil_transport_seterr(err, "failed to read plug: command %s status: printed '%.60s', expected on or off",
				     p->argv[0], out);
		return -EPROTO;
	}
	*on = !strcmp(out, "on");
	return 0;
}

const struct hil_plug_ops hil_plug_command_ops = {
	.type = "command",
	.set = command_set,
	.get = command_get,
};
