#include "sshfixture.h"
#include "testutil.h"

#include "r4hil/ssh.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Everything that shells out: rootfs, keys, authorized_keys, known_hosts. */
static const char setup_script[] =
	"set -eu\n"
	"D=$1; R=$D/root; P=$2\n"
	"mkdir -p $R/bin $R/etc/dropbear $R/root/.ssh $R/tmp $R/var/run $R/usr/lib $R/usr/lib64\n"
	"cp " R4HIL_BUSYBOX " $R/bin/busybox\n"
	"for a in $($R/bin/busybox --list-full); do mkdir -p $R/$(dirname $a); "
	"[ -e $R/$a ] || ln -s /bin/busybox $R/$a; done\n"
	"ln -s usr/lib $R/lib; ln -s usr/lib64 $R/lib64\n"
	"echo 'root:x:0:0:root:/root:/bin/ash' > $R/etc/passwd\n"
	"echo 'root:x:0:' > $R/etc/group\n"
	"echo '/bin/ash' > $R/etc/shells\n"
	"printf 'passwd: files\\ngroup: files\\n' > $R/etc/nsswitch.conf\n"
	R4HIL_DROPBEARKEY " -t ed25519 -f $R/etc/dropbear/host_key >/dev/null 2>&1\n"
	R4HIL_DROPBEARKEY " -t ed25519 -f $D/other_host_key >/dev/null 2>&1\n"
	R4HIL_DROPBEARKEY " -t ed25519 -f $D/client.db 2>/dev/null | grep ^ssh- > $R/root/.ssh/authorized_keys\n"
	R4HIL_DROPBEARCONVERT " dropbear openssh $D/client.db $D/client >/dev/null 2>&1\n"
	"chmod 700 $R/root $R/root/.ssh; chmod 600 $R/root/.ssh/authorized_keys $D/client\n"
	"echo \"[127.0.0.1]:$P $(" R4HIL_DROPBEARKEY " -y -f $R/etc/dropbear/host_key | grep ^ssh- | cut -d' ' -f1,2)\" > $D/known_hosts\n"
	"echo \"[127.0.0.1]:$P $(" R4HIL_DROPBEARKEY " -y -f $D/other_host_key | grep ^ssh- | cut -d' ' -f1,2)\" > $D/other_known_hosts\n"
	": > $D/empty_known_hosts\n";

int hil_sshfix_free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(0, bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	ck_assert_int_eq(0, getsockname(fd, (struct sockaddr *)&sa, &len));
	close(fd);
	return ntohs(sa.sin_port);
}

static char *join(const char *a, const char *b)
{
	char *s;

	ck_assert_int_ge(asprintf(&s, "%s/%s", a, b), 0);
	return s;
}

void hil_sshfix_setup(struct hil_sshfix *f)
{
	char port[16];
	pid_t pid;
	int st;

	memset(f, 0, sizeof(*f));
	f->dir = hil_test_tmpdir("ssh");
	f->root = join(f->dir, "root");
	f->client_key = join(f->dir, "client");
	f->known_hosts = join(f->dir, "known_hosts");
	f->other_known_hosts = join(f->dir, "other_known_hosts");
	f->empty_known_hosts = join(f->dir, "empty_known_hosts");
	f->port = hil_sshfix_free_port();
	snprintf(port, sizeof(port), "%d", f->port);

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", setup_script, "sh", f->dir, port, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(pid, waitpid(pid, &st, 0));
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "ssh fixture setup failed");
	hil_sshfix_start(f);
}

void hil_sshfix_start(struct hil_sshfix *f)
{
	char listen[64], *log = join(f->dir, "dropbear.log");
	int64_t t0;
	pid_t pid;

	snprintf(listen, sizeof(listen), "127.0.0.1:%d", f->port);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);


		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		/* Never without --cap-drop ALL: full caps inside could touch the host network. */
		execl(R4HIL_BWRAP, "bwrap", "--cap-drop", "ALL",
		      "--cap-add", "CAP_CHOWN", "--cap-add", "CAP_DAC_OVERRIDE",
		      "--cap-add", "CAP_FOWNER", "--cap-add", "CAP_SETGID",
		      "--cap-add", "CAP_SETUID", "--cap-add", "CAP_KILL",
		      "--bind", f->root, "/", "--ro-bind", "/usr/lib", "/usr/lib",
		      "--ro-bind", "/usr/lib64", "/usr/lib64",
		      "--ro-bind", R4HIL_DROPBEAR, "/usr/sbin/dropbear",
		      "--dev", "/dev", "--proc", "/proc", "--unshare-pid", "--unshare-ipc",
		      "--die-with-parent", "/usr/sbin/dropbear", "-F", "-E", "-s",
		      "-P", "/var/run/dropbear.pid", "-p", listen,
		      "-r", "/etc/dropbear/host_key", (char *)NULL);
		_exit(127);
	}
	free(log);
	f->pid = pid;

	t0 = time(NULL);
	while (hil_tcp_probe("127.0.0.1", f->port, 200) != 0) {
		int st;

		ck_assert_msg(waitpid(pid, &st, WNOHANG) == 0, "dropbear exited early, see %s", f->dir);
		ck_assert_msg(time(NULL) - t0 < 10, "dropbear did not listen on %d", f->port);
		usleep(20000);
	}
}

static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *fp;
	int ppid = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fp = fopen(path, "r");
	if (!fp)
		return -1;
	if (fgets(buf, sizeof(buf), fp) && (p = strrchr(buf, ')')))
		sscanf(p + 1, " %*c %d", &ppid);
	fclose(fp);
	return ppid;
}

void hil_sshfix_signal_all(struct hil_sshfix *f, int sig)
{
	pid_t set[256];
	size_t n = 0, before;

	if (!f->pid)
		return;
	set[n++] = f->pid;
	/* Session processes setsid(), so walk the process tree instead of a group. */
	do {
		DIR *d = opendir("/proc");
		struct dirent *e;

		before = n;
		ck_assert_ptr_nonnull(d);
		while ((e = readdir(d)) && n < 256) {
			pid_t pid = atoi(e->d_name), pp;
			size_t i;

			if (pid <= 0)
				continue;
			for (i = 0; i < n && set[i] != pid; i++)
				;
			if (i < n)
				continue;
			pp = parent_of(pid);
			for (i = 0; i < n && set[i] != pp; i++)
				;
			if (i < n)
				set[n++] = pid;
		}
		closedir(d);
	} while (n != before);
	for (size_t i = 0; i < n; i++)
		kill(set[i], sig);
}

void hil_sshfix_stop(struct hil_sshfix *f)
{
	if (!f->pid)
		return;
	hil_sshfix_signal_all(f, SIGCONT);
	kill(f->pid, SIGKILL);
	waitpid(f->pid, NULL, 0);
	f->pid = 0;
	/* --die-with-parent kills the sandbox; wait until the port is closed (up to
	 * 10 s: a loaded CI machine took over 2 s, and test-ssh's probe saw it open) */
	for (int i = 0; i < 1000 && hil_tcp_probe("127.0.0.1", f->port, 100) == 0; i++)
		usleep(10000);
}

void hil_sshfix_teardown(struct hil_sshfix *f)
{
	char *cmd;

	hil_sshfix_stop(f);
	if (f->dir && asprintf(&cmd, "rm -rf '%s'", f->dir) >= 0) {
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", f->dir);
		free(cmd);
	}
	free(f->dir);
	free(f->root);
	free(f->client_key);
	free(f->known_hosts);
	free(f->other_known_hosts);
	free(f->empty_known_hosts);
	memset(f, 0, sizeof(*f));
}
