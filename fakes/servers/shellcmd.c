#include "servers/shellcmd.h"

#include <errno.h>
#include <stdio.h>

int fl_shellcmd_write_ssh_config(const char *path, const char *aliases, int port, const char *known_hosts)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f,
		"# Written by r4hil-fakelab: the real lab's router addresses, mapped to the fake router.\n"
		"Host %s\n"
		"    HostName 127.0.0.1\n"
		"    Port %d\n"
		"    ProxyCommand none\n"
		"    UserKnownHostsFile %s\n"
		"    GlobalKnownHostsFile /dev/null\n"
		"    StrictHostKeyChecking yes\n"
		"    BatchMode yes\n"
		"\n"
		"# Every other destination is refused before any packet leaves.\n"
		"Host *\n"
		"    ProxyCommand /bin/false\n",
		aliases, port, known_hosts);
	return fclose(f) == 0 ? 0 : -errno;
}

int fl_shellcmd_run(void *ctx, const char *command, fl_child_done_fn done, void *done_arg)
{
	struct fl_shellcmd *sc = ctx;
	char *const argv[] = {
		R4HIL_BWRAP, "--cap-drop", "ALL",
		"--ro-bind", "/", "/",
		"--bind", (char *)sc->config_dir, "/config",
		"--ro-bind", (char *)sc->ssh_config, "/etc/ssh/ssh_config",
		"--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
		"--unshare-pid", "--unshare-ipc", "--die-with-parent",
		"--clearenv", "--setenv", "HOME", "/config", "--setenv", "PATH", "/usr/bin:/bin",
		"--chdir", "/config",
		"/bin/sh", "-c", (char *)command, NULL,
	};
	struct fl_spawn spec = {
		.argv = argv,
		.stdout_path = sc->log_path,
		.real_timeout_ms = 60000, /* HA's own shell_command timeout */
	};
	pid_t pid = fl_child_spawn(sc->loop, &spec, done, done_arg);
	return pid < 0 ? (int)pid : 0;
}
