/* The fake router's sandbox: rootfs assembly, jobs, confinement, shims, SSH, power loss. */
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/keys.h"
#include "sandbox/netns.h"
#include "sandbox/rootfs.h"
#include "sandbox/sandbox.h"
#include "core/httpd.h"
#include "testutil.h"
#include "core/loop.h"

#define INTERRUPTS "           CPU0       CPU1\n 120:      4242          0  GICv3 ethernet\n"

struct lab {
	char *dir;
	char rootfs[512], model[512], run[512], path[1024];
	struct fl_loop *loop;
	struct fl_sandbox *sb;
	struct fl_sandbox_config cfg;
};

static const char *at(struct lab *lab, const char *fmt, const char *rel)
{
	snprintf(lab->path, sizeof(lab->path), fmt, lab->dir, rel);
	return lab->path;
}

/* rm -rf @dir (links are removed, never followed); the sandbox must be down. */
static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void remove_tree(char *dir)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	ck_assert_int_eq(0, bind(fd, (struct sockaddr *)&addr, sizeof(addr)));
	ck_assert_int_eq(0, getsockname(fd, (struct sockaddr *)&addr, &len));
	close(fd);
	return ntohs(addr.sin_port);
}

static bool port_accepts(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	bool ok = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
	close(fd);
	return ok;
}

/* A rootfs from the build's template plus a tiny overlay, and a model dir. */
static void lab_setup(struct lab *lab, const char *tag)
{
	/* as in the fake lab: the test's own process (forked per test) and its sandbox */
	char *err = NULL;
	ck_assert_msg(fl_netns_enter(&err) == 0, "%s", err);
	memset(lab, 0, sizeof(*lab));
	lab->dir = hil_test_tmpdir(tag);
	snprintf(lab->rootfs, sizeof(lab->rootfs), "%s/rootfs", lab->dir);
	snprintf(lab->model, sizeof(lab->model), "%s/model", lab->dir);
	snprintf(lab->run, sizeof(lab->run), "%s/run", lab->dir);

	ck_assert_int_eq(0, mkdir(at(lab, "%s/%s", "overlay"), 0755));
	ck_assert_int_eq(0, mkdir(at(lab, "%s/%s", "overlay/etc"), 0755));
	ck_assert_int_eq(0, mkdir(at(lab, "%s/%s", "overlay/usr"), 0755));
	ck_assert_int_eq(0, mkdir(at(lab, "%s/%s", "overlay/usr/bin"), 0755));
	hil_test_write_file(at(lab, "%s/%s", "overlay/usr/bin/hello.sh"), "#!/bin/sh\necho hello \"$1\"\n");
	ck_assert_int_eq(0, chmod(lab->path, 0755));
	hil_test_write_file(at(lab, "%s/%s", "overlay/etc/bpi-r4-ha.env"),
			    "# HA endpoint\nHA_URL=http://ha.lan:8123\nexport HA_TOKEN=old\nKEEP=1\n");

	char tmpl[512];
	snprintf(tmpl, sizeof(tmpl), "%s/rootfs-template", hil_test_build_dir());
	ck_assert_msg(fl_rootfs_assemble(tmpl, at(lab, "%s/%s", "overlay"), lab->rootfs, &err) == 0,
		      "%s", err);

	ck_assert_int_eq(0, mkdir(lab->model, 0755));
	ck_assert_int_eq(0, mkdir(at(lab, "%s/%s", "model/proc"), 0755));
	hil_test_write_file(at(lab, "%s/%s", "model/proc/interrupts"), INTERRUPTS);
	hil_test_write_file(at(lab, "%s/%s", "model/proc/uptime"), "123.45 200.00\n");
	hil_test_write_file(at(lab, "%s/%s", "model/proc/boot_id"),
			    "11111111-2222-3333-4444-555555555555\n");
	ck_assert_int_eq(0, fl_sandbox_write_clock(lab->model, 1767225900000LL));

	lab->loop = fl_loop_new(1767225900000LL);
	lab->cfg = (struct fl_sandbox_config){
		.rootfs = lab->rootfs, .model_dir = lab->model, .run_dir = lab->run,
		.routerd = NULL, .ssh_port = free_port(), .hostname = "bpi-r4",
	};
}

static void lab_boot(struct lab *lab)
{
	static char routerd[512];
	snprintf(routerd, sizeof(routerd), "%s/r4hil-routerd", hil_test_build_dir());
	lab->cfg.routerd = routerd;
	char *err = NULL;
	lab->sb = fl_sandbox_boot(lab->loop, &lab->cfg, &err);
	ck_assert_msg(lab->sb != NULL, "boot: %s", err);
	ck_assert(fl_sandbox_alive(lab->sb));
}

static void lab_teardown(struct lab *lab)
{
	fl_sandbox_free(lab->sb);
	fl_loop_free(lab->loop);
	remove_tree(lab->dir);
}

static void job_done(void *arg, int status)
{
	*(int *)arg = status;
}

/* Run @cmd inside and wait for it; returns the wait status. */
static int run(struct lab *lab, const char *tag, const char *cmd)
{
	int status = -1;
	ck_assert_int_eq(0, fl_sandbox_run(lab->sb, tag, cmd, job_done, &status));
	ck_assert(fl_loop_busy(lab->loop));
	ck_assert_int_eq(0, fl_loop_settle(lab->loop, 20000));
	ck_assert_int_ne(-1, status);
	return status;
}

static char *job_log(struct lab *lab, const char *tag)
{
	char *path = fl_sandbox_log_path(lab->sb, tag);
	char *text = hil_test_read_file(path);
	free(path);
	return text ? text : strdup("");
}

static void assert_exit(int expected, int status)
{
	ck_assert_msg(WIFEXITED(status), "status %#x is not an exit", status);
	ck_assert_int_eq(expected, WEXITSTATUS(status));
}

START_TEST(test_sandbox_rootfs_overlay_and_env_file)
{
	struct lab lab;
	lab_setup(&lab, "sbx-rootfs");
	struct stat st;
	/* overlay file with its mode; template links and shims in place */
	ck_assert_int_eq(0, stat(at(&lab, "%s/%s", "rootfs/usr/bin/hello.sh"), &st));
	ck_assert_int_eq(0755, st.st_mode & 07777);
	ck_assert_int_eq(0, lstat(at(&lab, "%s/%s", "rootfs/bin/sh"), &st));
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(0, lstat(at(&lab, "%s/%s", "rootfs/bin/date"), &st));
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(0, lstat(at(&lab, "%s/%s", "rootfs/var"), &st));
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_ne(0, access(at(&lab, "%s/%s", "rootfs/.stamp"), F_OK));

	/* an overlay file replaces an applet link instead of writing through it */
	hil_test_write_file(at(&lab, "%s/%s", "overlay/usr/bin/logger"), "#!/bin/sh\n:\n");
	char tmpl[512], *err = NULL;
	snprintf(tmpl, sizeof(tmpl), "%s/rootfs-template", hil_test_build_dir());
	ck_assert_int_eq(0, fl_rootfs_assemble(tmpl, at(&lab, "%s/%s", "overlay"), lab.rootfs, &err));
	ck_assert_int_eq(0, lstat(at(&lab, "%s/%s", "rootfs/usr/bin/logger"), &st));
	ck_assert(S_ISREG(st.st_mode));
	char bb[600];
	snprintf(bb, sizeof(bb), "%s/bin/busybox", tmpl);
	ck_assert_int_eq(0, stat(bb, &st));
	ck_assert_int_gt(st.st_size, 1000);

	/* a missing overlay dir is named in the error */
	ck_assert_int_eq(-ENOENT, fl_rootfs_assemble(tmpl, "/nonexistent/files", lab.rootfs, &err));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/files"));
	free(err);
	err = NULL;

	const char *assign[] = { "HA_URL=http://127.0.0.1:18123", "HA_TOKEN=abc", "NEW=\"x y\"", NULL };
	ck_assert_int_eq(0, fl_rootfs_set_env_file(lab.rootfs, "etc/bpi-r4-ha.env", assign, &err));
	char *env = hil_test_read_file(at(&lab, "%s/%s", "rootfs/etc/bpi-r4-ha.env"));
	ck_assert_str_eq("# HA endpoint\nHA_URL=http://127.0.0.1:18123\nHA_TOKEN=abc\nKEEP=1\n"
			 "NEW=\"x y\"\n", env);
	free(env);
	const char *bad[] = { "NOEQUALS", NULL };
	ck_assert_int_eq(-EINVAL, fl_rootfs_set_env_file(lab.rootfs, "etc/bpi-r4-ha.env", bad, &err));
	ck_assert_ptr_nonnull(strstr(err, "NOEQUALS"));
	free(err);
	lab_teardown(&lab);
}
END_TEST

START_TEST(test_sandbox_runs_jobs_confined)
{
	struct lab lab;
	lab_setup(&lab, "sbx-jobs");
	lab_boot(&lab);

	assert_exit(0, run(&lab, "irq", "cat /proc/interrupts"));
	char *log = job_log(&lab, "irq");
	ck_assert_str_eq(INTERRUPTS, log);
	free(log);

	assert_exit(3, run(&lab, "redir", "echo hi > /tmp/x; cat /tmp/x >&2; hello.sh there; exit 3"));
	log = job_log(&lab, "redir");
	ck_assert_str_eq("hi\nhello there\n", log);
	free(log);

	assert_exit(0, run(&lab, "ids", "hostname; cat /proc/uptime /proc/sys/kernel/random/boot_id;"
			   " echo $$ $PATH $HOME"));
	log = job_log(&lab, "ids");
	ck_assert_ptr_nonnull(strstr(log, "bpi-r4\n123.45 200.00\n11111111-2222-3333-4444-555555555555\n"));
	ck_assert_ptr_nonnull(strstr(log, " /usr/sbin:/usr/bin:/sbin:/bin /root\n"));
	free(log);

	/* no CAP_NET_ADMIN / CAP_SYS_TIME inside: the host's network and clock are safe */
	int status = run(&lab, "ip", "busybox ip link set lo down"); /* the applet: ip is the lab's shim */
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) != 0);
	log = job_log(&lab, "ip");
	ck_assert_ptr_nonnull(strstr(log, "ermitted"));
	free(log);
	/* busybox date reports the failed settimeofday but exits 0 */
	run(&lab, "settime", "busybox date -s 2000-01-01");
	log = job_log(&lab, "settime");
	ck_assert_ptr_nonnull(strstr(log, "can't set date: Operation not permitted"));
	free(log);
	ck_assert_int_gt(time(NULL), 1700000000);

	/* sysrq goes to our file ('h' only prints help, should anything ever leak) */
	status = run(&lab, "sysrq", "echo h > /proc/sysrq-trigger");
	char *sysrq = hil_test_read_file(at(&lab, "%s/%s", "model/proc/sysrq-trigger"));
	if (access("/proc/sysrq-trigger", F_OK) == 0) {
		assert_exit(0, status);
		ck_assert_str_eq("h\n", sysrq);
	} else {
		/* this kernel has no sysrq: nothing to reach, and nothing can be faked in procfs */
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) != 0);
		ck_assert_str_eq("", sysrq);
	}
	free(sysrq);
	/* the model is read-only inside */
	status = run(&lab, "rofs", "echo 1 > /r4hil/model/clock");
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) != 0);

	/* date follows the lab's clock file, updated in place */
	assert_exit(0, run(&lab, "date1", "date +%s; date -u '+%Y-%m-%dT%H:%M:%SZ'; date -Iseconds;"
			   " date '+%Y-%m-%dT%H:%M:%S%z'"));
	log = job_log(&lab, "date1");
	ck_assert_str_eq("1767225900\n2026-01-01T00:05:00Z\n2026-01-01T00:05:00+00:00\n"
			 "2026-01-01T00:05:00+0000\n", log);
	free(log);
	ck_assert_int_eq(0, fl_sandbox_write_clock(lab.model, 1767229500123LL));
	assert_exit(0, run(&lab, "date2", "date +%s; date -d @0 -u +%Y"));
	log = job_log(&lab, "date2");
	ck_assert_str_eq("1767229500\n1970\n", log);
	free(log);
	status = run(&lab, "date3", "date -s '2026-01-01 00:00'");
	assert_exit(1, status);

	lab_teardown(&lab);
}
END_TEST

struct hw_calls {
	char log[512];
};

static int hw_handler(void *ctx, const struct fl_http_req *req, struct fl_http_resp *resp)
{
	struct hw_calls *calls = ctx;
	int ok = fl_http_bearer_ok(req, "hw-s3cret");
	char line[128];
	snprintf(line, sizeof(line), "%s %s %s\n", req->method, req->path, ok ? "auth" : "noauth");
	strncat(calls->log, line, sizeof(calls->log) - strlen(calls->log) - 1);
	fl_http_reply(resp, ok ? 200 : 401, "{}");
	return 0;
}

START_TEST(test_sandbox_reboot_shim_posts_to_hw_model)
{
	struct lab lab;
	struct hw_calls calls = { 0 };
	lab_setup(&lab, "sbx-reboot");
	struct fl_httpd *hw = fl_httpd_start(lab.loop, "hw", 0, hw_handler, &calls);
	ck_assert_ptr_nonnull(hw);
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u\n", fl_httpd_port(hw));
	hil_test_write_file(at(&lab, "%s/%s", "model/hw_url"), url);
	hil_test_write_file(at(&lab, "%s/%s", "model/hw_token"), "hw-s3cret\n");
	lab_boot(&lab);

	assert_exit(0, run(&lab, "reboot", "reboot"));
	assert_exit(0, run(&lab, "poweroff", "/sbin/poweroff"));
	ck_assert_str_eq("POST /hw/reboot auth\nPOST /hw/poweroff auth\n", calls.log);
	/* a refused request is an error, as a failed syscall would be */
	hil_test_write_file(at(&lab, "%s/%s", "model/hw_token"), "wrong\n");
	assert_exit(1, run(&lab, "reboot2", "reboot"));

	fl_sandbox_free(lab.sb);
	lab.sb = NULL;
	fl_httpd_stop(hw);
	lab_teardown(&lab);
}
END_TEST

static int ssh_status;
static void ssh_done(void *arg, int status)
{
	ssh_status = status;
}

START_TEST(test_sandbox_ssh_login_with_keys)
{
	struct lab lab;
	lab_setup(&lab, "sbx-ssh");
	char key[512], kh[512], out[512], *pub = NULL, *err = NULL;
	snprintf(key, sizeof(key), "%s/id_ed25519", lab.dir);
	snprintf(kh, sizeof(kh), "%s/known_hosts", lab.dir);
	snprintf(out, sizeof(out), "%s/ssh.out", lab.dir);
	ck_assert_msg(fl_keys_client(key, &pub, &err) == 0, "%s", err);
	ck_assert_int_eq(0, strncmp(pub, "ssh-ed25519 AAAA", 16));
	struct stat st;
	ck_assert_int_eq(0, stat(key, &st));
	ck_assert_int_eq(0600, st.st_mode & 07777);
	char *priv = hil_test_read_file(key);
	ck_assert_ptr_nonnull(strstr(priv, "-----BEGIN OPENSSH PRIVATE KEY-----"));
	free(priv);
	ck_assert_msg(fl_keys_host(lab.rootfs, lab.cfg.ssh_port, kh, &err) == 0, "%s", err);
	ck_assert_msg(fl_keys_authorize(lab.rootfs, pub, &err) == 0, "%s", err);
	ck_assert_int_eq(0, fl_keys_authorize(lab.rootfs, pub, &err)); /* once only */
	char *ak = hil_test_read_file(at(&lab, "%s/%s", "rootfs/etc/dropbear/authorized_keys"));
	char expect[1024];
	snprintf(expect, sizeof(expect), "%s\n", pub);
	ck_assert_str_eq(expect, ak);
	free(ak);
	ck_assert_int_eq(0, stat(at(&lab, "%s/%s", "rootfs/root/.ssh/authorized_keys"), &st));
	ck_assert_int_eq(0600, st.st_mode & 07777);
	char *khl = hil_test_read_file(kh);
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "[127.0.0.1]:%d ssh-ed25519 AAAA", lab.cfg.ssh_port);
	ck_assert_int_eq(0, strncmp(khl, prefix, strlen(prefix)));
	free(khl);

	lab_boot(&lab);
	ck_assert_msg(fl_sandbox_start_dropbear(lab.sb, &err) == 0, "%s", err);
	char port[16];
	snprintf(port, sizeof(port), "%d", lab.cfg.ssh_port);
	char khopt[600];
	snprintf(khopt, sizeof(khopt), "UserKnownHostsFile=%s", kh);
	char *argv[] = { R4HIL_SSH, "-p", port, "-i", key, "-o", khopt, "-o",
			 "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o",
			 "IdentitiesOnly=yes", "-F", "/dev/null", "root@127.0.0.1",
			 "cat /proc/interrupts; echo \"$(id -u) $(hostname)\"; exit 4", NULL };
	char *envp[] = { "HOME=/nonexistent", NULL };
	struct fl_spawn spec = { .argv = argv, .env = envp, .stdout_path = out };
	ssh_status = -1;
	ck_assert_int_gt(fl_child_spawn(lab.loop, &spec, ssh_done, NULL), 0);
	ck_assert_int_eq(0, fl_loop_settle(lab.loop, 20000));
	char *text = hil_test_read_file(out);
	ck_assert_msg(WIFEXITED(ssh_status) && WEXITSTATUS(ssh_status) == 4, "ssh: %s", text);
	ck_assert_str_eq(INTERRUPTS "0 bpi-r4\n", text);
	free(text);
	free(pub);
	lab_teardown(&lab);
}
END_TEST

START_TEST(test_sandbox_kill_is_power_loss)
{
	struct lab lab;
	lab_setup(&lab, "sbx-kill");
	char kh[512], *err = NULL;
	snprintf(kh, sizeof(kh), "%s/known_hosts", lab.dir);
	ck_assert_int_eq(0, fl_keys_host(lab.rootfs, lab.cfg.ssh_port, kh, &err));
	lab_boot(&lab);
	ck_assert_msg(fl_sandbox_start_dropbear(lab.sb, &err) == 0, "%s", err);
	ck_assert(port_accepts(lab.cfg.ssh_port));

	assert_exit(0, run(&lab, "state", "echo kept > /etc/persist; echo gone > /tmp/volatile"));
	int status = -1;
	ck_assert_int_eq(0, fl_sandbox_run(lab.sb, "long", "echo started; sleep 30", job_done, &status));
	for (int i = 0; i < 100; i++) {
		fl_loop_iterate(lab.loop, 10);
		char *log = job_log(&lab, "long");
		bool started = strstr(log, "started") != NULL;
		free(log);
		if (started)
			break;
	}
	ck_assert_int_eq(-1, status);
	ck_assert(fl_loop_busy(lab.loop));
	fl_sandbox_kill(lab.sb);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(SIGKILL, WTERMSIG(status));
	ck_assert(!fl_loop_busy(lab.loop));
	ck_assert(!fl_sandbox_alive(lab.sb));
	ck_assert(!port_accepts(lab.cfg.ssh_port));
	ck_assert_int_eq(-ESRCH, fl_sandbox_run(lab.sb, "late", "true", job_done, &status));

	/* boot again: flash keeps /etc, /tmp starts empty */
	fl_sandbox_free(lab.sb);
	lab.sb = NULL;
	lab_boot(&lab);
	assert_exit(0, run(&lab, "after", "cat /etc/persist; test ! -e /tmp/volatile"));
	char *log = job_log(&lab, "after");
	ck_assert_str_eq("kept\n", log);
	free(log);
	ck_assert_msg(fl_sandbox_start_dropbear(lab.sb, &err) == 0, "%s", err);
	lab_teardown(&lab);
}
END_TEST

START_TEST(test_sandbox_boot_errors_are_reported)
{
	struct lab lab;
	lab_setup(&lab, "sbx-err");
	char *err = NULL;
	lab.cfg.routerd = "/nonexistent/r4hil-routerd";
	ck_assert_ptr_null(fl_sandbox_boot(lab.loop, &lab.cfg, &err));
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(err, "bwrap exited"));
	free(err);
	lab_teardown(&lab);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sandbox_rootfs_overlay_and_env_file);
	tcase_add_test(tc, test_sandbox_runs_jobs_confined);
	tcase_add_test(tc, test_sandbox_reboot_shim_posts_to_hw_model);
	tcase_add_test(tc, test_sandbox_ssh_login_with_keys);
	tcase_add_test(tc, test_sandbox_kill_is_power_loss);
	tcase_add_test(tc, test_sandbox_boot_errors_are_reported);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
