/*
 * Confinement: the system under test is hostile input. From inside the fake
 * router, a script plants symlinks and FIFOs where the lab reads or writes on the
 * host (the run directory's bwrap.log, the crontab, /etc/sysctl.d, /etc/init.d,
 * the sysupgrade archive) and reboots as scenarios do; no host file outside the
 * sandbox is created, appended to or read, and the lab keeps serving.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernellab.h"
#include "r4hil/ssh.h"
#include "core/beneath.h"
#include "testutil.h"

#define BOOT_MS 90000 /* procd's 2 s, the reboot's 5 s, a 70 s boot, and margin */

static struct klab k;

static void teardown(void)
{
	klab_stop(&k);
}

/* A host file in the test's scratch directory, outside the lab (malloc'd path). */
static char *host_file(const char *name, const char *text)
{
	char *path = hil_test_join(k.tmp, name);
	if (text)
		hil_test_write_file(path, text);
	return path;
}

/* Run @fmt on the router (it must succeed), with one %s for a host path. */
static void router_sh(const char *fmt, const char *path)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), fmt, path);
	free(klab_ok(&k, cmd));
}

/* As scenarios reboot the router: SIGTERM to procd, then a whole boot. */
static void reboot_router(int boot)
{
	char up[32];
	klab_fire(&k, "kill -TERM $(pidof procd)");
	klab_wait_truth(&k, "procd got SIGTERM");
	klab_advance(&k, BOOT_MS);
	snprintf(up, sizeof(up), "up: boot %d", boot);
	ck_assert_msg(klab_truth_has(&k, up), "the router did not come back (%s)", up);
}

/* @marker is nowhere in the truth nor in any file of the lab's directory. */
static void assert_marker_absent(const char *marker)
{
	char *truth = klab_truth(&k), cmd[4200];
	ck_assert_msg(!strstr(truth, marker), "the truth has the host file's %s:\n%s", marker, truth);
	free(truth);
	snprintf(cmd, sizeof(cmd), "grep -rqF '%s' '%s/lab'", marker, k.tmp);
	ck_assert_msg(system(cmd) != 0, "a file under %s/lab has the host file's %s", k.tmp, marker);
}

START_TEST(test_confine_bwrap_log_symlink_is_not_followed)
{
	klab_start_without_cron(&k, "confine-bwrap-log");
	char *created = host_file("created-by-lab", NULL);
	char *kept = host_file("host-file", "host content\n");
	router_sh("ln -sfn %s /r4hil/run/bwrap.log", created);
	reboot_router(2);
	ck_assert_msg(access(created, F_OK) != 0, "the lab created %s through the router's symlink", created);
	router_sh("ln -sfn %s /r4hil/run/bwrap.log", kept);
	reboot_router(3);
	char *text = hil_test_read_file(kept);
	ck_assert_str_eq("host content\n", text);
	free(text);
	free(created);
	free(kept);
}
END_TEST

START_TEST(test_confine_crontab_symlink_is_not_read)
{
	klab_start_without_cron(&k, "confine-crontab");
	char *secret = host_file("secret", "CRONLEAK-8d1f not a crontab line\n");
	router_sh("ln -sfn %s /etc/crontabs/root", secret);
	klab_align_minute(&k, 1000);
	klab_advance(&k, 120000);
	assert_marker_absent("CRONLEAK-8d1f");
	free(secret);
}
END_TEST

START_TEST(test_confine_sysctl_symlink_is_not_read)
{
	klab_start_without_cron(&k, "confine-sysctl");
	char *secret = host_file("secret.conf", "kernel.panic = 4711\n");
	router_sh("ln -sfn %s /etc/sysctl.d/99-host.conf", secret);
	reboot_router(2);
	ck_assert(klab_truth_has(&k, "settings applied"));
	assert_marker_absent("4711");
	char *panic = klab_ok(&k, "cat /proc/sys/kernel/panic");
	ck_assert_str_ne("4711", panic);
	free(panic);
	free(secret);
}
END_TEST

START_TEST(test_confine_init_script_symlink_is_not_read)
{
	klab_start_without_cron(&k, "confine-initd");
	char *secret = host_file("secret-init", "procd_set_param respawn 4711 4712 4713\n");
	router_sh("ln -sfn %s /etc/init.d/dnsmasq", secret);
	reboot_router(2);
	assert_marker_absent("4711 4712 4713");
	free(secret);
}
END_TEST

/* A FIFO where the lab reads: open(2) would block the lab's only thread for good. */
START_TEST(test_confine_fifo_does_not_hang_the_lab)
{
	klab_start_without_cron(&k, "confine-fifo");
	free(klab_ok(&k, "rm -f /etc/crontabs/root && mkfifo /etc/crontabs/root && "
			 "rm -f /etc/sysctl.d/90-fifo.conf && mkfifo /etc/sysctl.d/90-fifo.conf"));
	klab_align_minute(&k, 1000);
	klab_advance(&k, 120000);
	reboot_router(2);
	klab_assert_sh(&k, "echo alive", "alive");
}
END_TEST

/* bwrap makes its mount points before it enters the router's root: not through a router's link. */
START_TEST(test_confine_mount_point_symlink_is_refused)
{
	klab_start_without_cron(&k, "confine-mountpoint");
	char *created = host_file("created-by-bwrap", NULL);
	/* the shutdown waits for virtual time; /r4hil/routerd is busy while mounted,
	 * the directory above it is not (procd's signal goes through /r4hil: first) */
	klab_fire(&k, "kill -TERM $(pidof procd)");
	klab_wait_truth(&k, "procd got SIGTERM");
	router_sh("mv /r4hil /r4hil.moved && mkdir -p /r4hil/lib && "
		  "ln -s ../../../../oldroot%s /r4hil/routerd", created);
	klab_advance(&k, BOOT_MS);
	ck_assert_msg(access(created, F_OK) != 0, "bwrap created %s through the router's link", created);
	ck_assert(klab_truth_has(&k, "a mount point in the rootfs goes through a link: \\/r4hil\\/routerd"));
	free(created);
}
END_TEST

/* pstore's view is a directory the router writes; the mount must not write through its links. */
START_TEST(test_confine_pstore_view_symlink_is_not_written)
{
	klab_start_without_cron(&k, "confine-pstore");
	char *kept = host_file("host-file", "host content\n");
	/* planted at the next boot, before rc.local's crash capture mounts pstore */
	router_sh("sed -i '1a ln -sfn %s /sys/fs/pstore/console-ramoops-0' /etc/rc.local", kept);
	reboot_router(2);
	ck_assert(klab_truth_has(&k, "mounted: 1 records"));
	char *text = hil_test_read_file(kept);
	ck_assert_msg(!strcmp("host content\n", text), "pstore wrote %s: %.60s...", kept, text);
	free(text);
	free(kept);
}
END_TEST

/* Flash with the router's own /sysupgrade.tgz in place (the shim would replace it). */
static void flash_planted_archive(void)
{
	free(klab_ok(&k, "/usr/libexec/r4hil/hw flash/sysupgrade '{\"sha256\":\"00\",\"keep_settings\":true}'"));
	klab_advance(&k, BOOT_MS);
}

START_TEST(test_confine_sysupgrade_archive_symlink_is_not_unpacked)
{
	klab_start_without_cron(&k, "confine-tgz-link");
	/* a host archive the router must never see: etc/leaked with a marker */
	char *src = host_file("src", NULL), cmd[4400];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/etc' && echo TGZLEAK-51c3 > '%s/etc/leaked' && "
		 "tar -czf '%s/host.tgz' -C '%s' etc/leaked", src, src, k.tmp, src);
	ck_assert_int_eq(0, system(cmd));
	char *tgz = host_file("host.tgz", NULL);
	router_sh("ln -sfn %s /sysupgrade.tgz", tgz);
	flash_planted_archive();
	ck_assert(klab_truth_has(&k, "rootfs written from the image, no configuration kept"));
	klab_assert_sh(&k, "cat /etc/leaked 2>/dev/null || echo none", "none");
	assert_marker_absent("TGZLEAK-51c3");
	free(src);
	free(tgz);
}
END_TEST

START_TEST(test_confine_sysupgrade_archive_stays_in_the_rootfs)
{
	klab_start_without_cron(&k, "confine-tgz");
	/* a crafted archive: a link to a host directory, a file through it, a ../ path */
	char *target = host_file("target", NULL), *tgz = host_file("evil.tgz", NULL);
	char cmd[8192], *err = NULL;
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && mkdir -p target a/etc b/etc/evil && ln -s '%s' a/etc/evil && "
		 "echo pwned > b/etc/evil/pwned && echo pwned > b/up && "
		 "tar -czf evil.tgz -C a etc/evil -C ../b etc/evil/pwned "
		 "--transform 's,^up$,../../escaped,' up 2>/dev/null",
		 k.tmp, target);
	ck_assert_int_eq(0, system(cmd));
	char *data = hil_test_read_file(tgz);
	struct stat st;
	ck_assert_int_eq(0, stat(tgz, &st));
	ck_assert_msg(hil_ssh_push(k.ssh, "/sysupgrade.tgz", data, (size_t)st.st_size, 10000, &err) == 0, "%s", err);
	flash_planted_archive();
	/* the rootfs is DIR/lab/rootfs: ../../escaped would be the scratch directory's */
	char *pwned = hil_test_join(target, "pwned"), *escaped = hil_test_join(k.tmp, "escaped");
	ck_assert_msg(access(pwned, F_OK) != 0, "the archive wrote %s on the host", pwned);
	ck_assert_msg(access(escaped, F_OK) != 0, "the archive wrote %s on the host", escaped);
	klab_assert_sh(&k, "echo alive", "alive");
	free(pwned);
	free(escaped);
	free(data);
	free(tgz);
	free(target);
}
END_TEST

/* ---- the helper itself, with and without openat2 ---- */

static char *tmp;

static void helper_setup(void)
{
	tmp = hil_test_tmpdir("confine-beneath");
	char *path = hil_test_join(tmp, "root/etc/init.d");
	char cmd[4400];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' '%s/root/etc/rc.d' && echo script > '%s/dnsmasq' && "
		 "ln -s ../init.d/dnsmasq '%s/root/etc/rc.d/S19dnsmasq' && "
		 "ln -s /etc/init.d/dnsmasq '%s/root/etc/rc.d/S20abs' && "
		 "echo host > '%s/outside' && ln -s '%s/outside' '%s/root/etc/out' && "
		 "mkfifo '%s/root/etc/fifo'",
		 path, tmp, path, tmp, tmp, tmp, tmp, tmp, tmp);
	ck_assert_int_eq(0, system(cmd));
	free(path);
}

static void helper_teardown(void)
{
	fl_beneath_no_openat2 = false;
	hil_test_remove_tree(tmp);
}

static char *read_under_root(const char *path)
{
	char *root = hil_test_join(tmp, "root");
	char *text = fl_beneath_read_file(root, path, 64, NULL);
	free(root);
	return text;
}

static void check_helper(bool openat2)
{
	fl_beneath_no_openat2 = !openat2;
	char *text = read_under_root("/etc/init.d/dnsmasq");
	ck_assert_str_eq("script\n", text);
	free(text);
	/* an absolute link to the host's file: ENOENT with openat2 (it resolves in the
	 * root, where there is none), refused by the walk */
	ck_assert_ptr_null(read_under_root("/etc/out"));
	ck_assert_ptr_null(read_under_root("../outside"));
	errno = 0;
	ck_assert_ptr_null(read_under_root("/etc/fifo"));
	ck_assert_int_eq(EINVAL, errno);
	if (openat2) {
		/* the router's own links resolve as it sees them */
		text = read_under_root("/etc/rc.d/S19dnsmasq");
		ck_assert_str_eq("script\n", text);
		free(text);
		text = read_under_root("/etc/rc.d/S20abs");
		ck_assert_str_eq("script\n", text);
		free(text);
	}
}

START_TEST(test_confine_beneath_openat2)
{
	check_helper(true);
}
END_TEST

START_TEST(test_confine_beneath_walk)
{
	check_helper(false);
}
END_TEST

START_TEST(test_confine_beneath_mount_points)
{
	char *root = hil_test_join(tmp, "root");
	int fd = open(root, O_PATH | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	for (int walk = 0; walk < 2; walk++) {
		fl_beneath_no_openat2 = walk;
		ck_assert_int_eq(0, fl_beneath_check_no_links(fd, "/etc/init.d/dnsmasq"));
		ck_assert_int_eq(0, fl_beneath_check_no_links(fd, "/etc/missing/file"));
		ck_assert_int_ne(0, fl_beneath_check_no_links(fd, "/etc/out"));
		ck_assert_int_ne(0, fl_beneath_check_no_links(fd, "/etc/rc.d/S19dnsmasq"));
	}
	close(fd);
	free(root);
}
END_TEST

START_TEST(test_confine_beneath_read_cap)
{
	char *root = hil_test_join(tmp, "root");
	errno = 0;
	ck_assert_ptr_null(fl_beneath_read_file(root, "etc/init.d/dnsmasq", 3, NULL));
	ck_assert_int_eq(EFBIG, errno);
	free(root);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("confine");
	TCase *helper = tcase_create("beneath");
	tcase_add_checked_fixture(helper, helper_setup, helper_teardown);
	tcase_set_timeout(helper, 10);
	tcase_add_test(helper, test_confine_beneath_openat2);
	tcase_add_test(helper, test_confine_beneath_walk);
	tcase_add_test(helper, test_confine_beneath_read_cap);
	tcase_add_test(helper, test_confine_beneath_mount_points);
	suite_add_tcase(s, helper);
	TCase *tc = tcase_create("lab");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_confine_bwrap_log_symlink_is_not_followed);
	tcase_add_test(tc, test_confine_crontab_symlink_is_not_read);
	tcase_add_test(tc, test_confine_sysctl_symlink_is_not_read);
	tcase_add_test(tc, test_confine_init_script_symlink_is_not_read);
	tcase_add_test(tc, test_confine_fifo_does_not_hang_the_lab);
	tcase_add_test(tc, test_confine_pstore_view_symlink_is_not_written);
	tcase_add_test(tc, test_confine_mount_point_symlink_is_refused);
	tcase_add_test(tc, test_confine_sysupgrade_archive_symlink_is_not_unpacked);
	tcase_add_test(tc, test_confine_sysupgrade_archive_stays_in_the_rootfs);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
