#include "servers/shellcmd.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where the pinned router host key appears inside the sandbox (/tmp there is empty). */
#define SANDBOX_KNOWN_HOSTS "/r4hil/known_hosts"

int fl_shellcmd_write_ssh_config(const char *path, const struct fl_ssh_host *hosts, size_t n)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "# Written by r4hil-fakelab: the real lab's hosts, mapped to the fake lab's.\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f,
			"Host %s\n"
			"    HostName 127.0.0.1\n"
			"    Port %d\n"
			"    User root\n"
			"    ProxyCommand none\n"
			"    UserKnownHostsFile %s\n"
			"    GlobalKnownHostsFile /dev/null\n"
			"    StrictHostKeyChecking yes\n"
			"    BatchMode yes\n"
			"\n",
			hosts[i].aliases, hosts[i].port, SANDBOX_KNOWN_HOSTS);
	fprintf(f, "# Every other destination is refused before any packet leaves.\n"
		   "Host *\n"
		   "    ProxyCommand /bin/false\n");
	return fclose(f) == 0 ? 0 : -errno;
}

/*
 * The host's top-level system directories, read-only, on an empty root: /config
 * can then be created for HA's configuration. Merged-/usr links are kept links.
 */
static int add_system_dirs(char **argv, int n)
{
	static const char *const dirs[] = { "/usr", "/etc", "/bin", "/sbin", "/lib", "/lib64" };
	static char targets[6][PATH_MAX];
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		struct stat st;
		if (lstat(dirs[i], &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			ssize_t len = readlink(dirs[i], targets[i], sizeof(targets[i]) - 1);
			if (len <= 0)
				continue;
			targets[i][len] = '\0';
			argv[n++] = "--symlink";
			argv[n++] = targets[i];
		} else {
			argv[n++] = "--ro-bind";
			argv[n++] = (char *)dirs[i];
		}
		argv[n++] = (char *)dirs[i];
	}
	return n;
}

int fl_shellcmd_run(void *ctx, const char *command, fl_child_done_fn done, void *done_arg)
{
	struct fl_shellcmd *sc = ctx;
	char *argv[64] = { R4HIL_BWRAP, "--cap-drop", "ALL", "--tmpfs", "/" };
	int n = add_system_dirs(argv, 5);
	char *const rest[] = {
		"--bind", (char *)sc->config_dir, "/config",
		"--ro-bind", (char *)sc->ssh_config, "/etc/ssh/ssh_config",
		"--ro-bind", (char *)sc->known_hosts, SANDBOX_KNOWN_HOSTS,
		/* root without capabilities may still write most sysctls: the host's, here */
		"--dev", "/dev", "--proc", "/proc", "--ro-bind", "/proc/sys", "/proc/sys", "--tmpfs", "/tmp",
		"--unshare-pid", "--unshare-ipc", "--die-with-parent",
		"--clearenv", "--setenv", "HOME", "/config", "--setenv", "PATH", "/usr/bin:/bin",
		"--chdir", "/config",
		"/bin/sh", "-c", (char *)command, NULL,
	};
	for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++)
		argv[n++] = rest[i];
	struct fl_spawn spec = {
		.argv = argv,
		.stdout_path = sc->log_path,
		.real_timeout_ms = 60000, /* HA's own shell_command timeout */
	};
	pid_t pid = fl_child_spawn(sc->loop, &spec, done, done_arg);
	return pid < 0 ? (int)pid : 0;
}
