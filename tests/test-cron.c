/* Crontab parsing as busybox crond does it, and the virtual-time cron driver. */
#include <errno.h>
#include <ftw.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/cron.h"
#include "sandbox/crontab.h"
#include "sandbox/netns.h"
#include "sandbox/rootfs.h"
#include "sandbox/sandbox.h"
#include "testutil.h"
#include "core/loop.h"
#include "core/truth.h"

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

static struct fl_crontab *parse_ok(const char *text)
{
	struct fl_crontab *tab = NULL;
	char *warnings = NULL;
	ck_assert_int_eq(0, fl_crontab_parse(text, &tab, &warnings));
	ck_assert_msg(warnings == NULL, "unexpected warnings: %s", warnings);
	return tab;
}

/* 2026-01-01 is a Thursday (wday 4). */
static struct tm at(int mon, int mday, int wday, int hour, int min)
{
	return (struct tm){ .tm_year = 126, .tm_mon = mon - 1, .tm_mday = mday, .tm_wday = wday,
			    .tm_hour = hour, .tm_min = min };
}

static bool due_at(const struct fl_crontab *tab, size_t i, struct tm t)
{
	return fl_crontab_due(tab, i, &t);
}

START_TEST(test_cron_fields_ranges_steps_lists)
{
	struct fl_crontab *tab = parse_ok(
		"# header comment\n"
		"\n"
		"SHELL=/bin/sh\n"
		"  PATH = /usr/bin\n"
		"*/15 * * * * /usr/bin/a.sh > /tmp/a.log 2>&1\n"
		"5,10-12 1-3 * * * b\n"
		"0-30/10 */6 * * * c\n"
		"\t7 22-2 * * *\tcmd with  spaces \\; and %\r\n"
		"3/20 * * * * d\n");
	ck_assert_uint_eq(5, tab->n);
	struct fl_crontab_entry *e = tab->entries;
	ck_assert_int_eq(5, e[0].line);
	ck_assert_str_eq("/usr/bin/a.sh > /tmp/a.log 2>&1", e[0].command);
	ck_assert_uint_eq((1ULL << 0) | (1ULL << 15) | (1ULL << 30) | (1ULL << 45), e[0].minutes);
	ck_assert_uint_eq(0xffffff, e[0].hours);
	ck_assert_uint_eq((1ULL << 5) | (1ULL << 10) | (1ULL << 11) | (1ULL << 12), e[1].minutes);
	ck_assert_uint_eq(0xe, e[1].hours);
	ck_assert_uint_eq((1ULL << 0) | (1ULL << 10) | (1ULL << 20) | (1ULL << 30), e[2].minutes);
	ck_assert_uint_eq((1 << 0) | (1 << 6) | (1 << 12) | (1 << 18), e[2].hours);
	/* ranges wrap as crond walks them; the command is verbatim */
	ck_assert_uint_eq((1 << 22) | (1 << 23) | (1 << 0) | (1 << 1) | (1 << 2), e[3].hours);
	ck_assert_str_eq("cmd with  spaces \\; and %", e[3].command);
	ck_assert_int_eq(8, e[3].line);
	ck_assert_uint_eq((1ULL << 3) | (1ULL << 23) | (1ULL << 43), e[4].minutes);

	struct tm t = at(1, 1, 4, 1, 10);
	ck_assert(!fl_crontab_due(tab, 0, &t));
	ck_assert(fl_crontab_due(tab, 1, &t));
	ck_assert(due_at(tab, 2, at(1, 1, 4, 12, 20)));
	ck_assert(!due_at(tab, 2, at(1, 1, 4, 13, 20)));
	ck_assert(due_at(tab, 3, at(1, 1, 4, 0, 7)));
	ck_assert(!due_at(tab, 3, at(1, 1, 4, 3, 7)));
	fl_crontab_free(tab);
}
END_TEST

START_TEST(test_cron_days_months_and_weekdays)
{
	struct fl_crontab *tab = parse_ok("0 4 * * 7 sunday\n"
					  "0 4 * * 0 sunday0\n"
					  "0 4 * * mon-fri weekdays\n"
					  "0 4 1,15 * * dom\n"
					  "0 4 1 * 1 dom_or_monday\n"
					  "0 4 * feb,Dec * months\n"
					  "0 4 * * 5-7 fri_to_sun\n"
					  "0 4 * * 0-7 every_day\n"
					  "0 4 * * */2 even_days\n");
	ck_assert_uint_eq(9, tab->n);
	ck_assert_uint_eq(1, tab->entries[0].weekdays);
	ck_assert_uint_eq(1, tab->entries[1].weekdays);
	ck_assert_uint_eq(0x3e, tab->entries[2].weekdays);
	ck_assert_uint_eq((1 << 5) | (1 << 6) | (1 << 0), tab->entries[6].weekdays);
	ck_assert_uint_eq((1 << 2) | (1 << 12), tab->entries[5].months);

	struct tm sun = at(1, 4, 0, 4, 0), thu1 = at(1, 1, 4, 4, 0), mon5 = at(1, 5, 1, 4, 0);
	struct tm thu15 = at(1, 15, 4, 4, 0), feb = at(2, 3, 2, 4, 0), sat = at(1, 3, 6, 4, 0);
	ck_assert(fl_crontab_due(tab, 0, &sun));
	ck_assert(!fl_crontab_due(tab, 0, &thu1));
	ck_assert(fl_crontab_due(tab, 1, &sun));
	ck_assert(fl_crontab_due(tab, 2, &mon5));
	ck_assert(!fl_crontab_due(tab, 2, &sun));
	/* only the day of month restricted: the weekday does not count */
	ck_assert(fl_crontab_due(tab, 3, &thu1));
	ck_assert(fl_crontab_due(tab, 3, &thu15));
	ck_assert(!fl_crontab_due(tab, 3, &mon5));
	/* both restricted: either one */
	ck_assert(fl_crontab_due(tab, 4, &thu1));
	ck_assert(fl_crontab_due(tab, 4, &mon5));
	ck_assert(!fl_crontab_due(tab, 4, &thu15));
	ck_assert(fl_crontab_due(tab, 5, &feb));
	ck_assert(!fl_crontab_due(tab, 5, &thu1));
	ck_assert(fl_crontab_due(tab, 6, &sun));
	ck_assert(fl_crontab_due(tab, 6, &sat));
	ck_assert(!fl_crontab_due(tab, 6, &thu1));
	ck_assert(fl_crontab_due(tab, 7, &thu1));
	ck_assert(fl_crontab_due(tab, 7, &sun));
	ck_assert(fl_crontab_due(tab, 8, &sun));
	ck_assert(fl_crontab_due(tab, 8, &thu1));
	ck_assert(!fl_crontab_due(tab, 8, &mon5));
	/* not at another minute or hour */
	ck_assert(!due_at(tab, 7, at(1, 1, 4, 4, 1)));
	ck_assert(!due_at(tab, 7, at(1, 1, 4, 5, 0)));
	fl_crontab_free(tab);
}
END_TEST

START_TEST(test_cron_malformed_lines_are_warnings)
{
	struct fl_crontab *tab = NULL;
	char *warnings = NULL;
	ck_assert_int_eq(0, fl_crontab_parse("* * * * * good\n"
					     "60 * * * * bad minute\n"
					     "* * * *\n"
					     "* * * * *\n"
					     "* 24 * * * bad hour\n"
					     "* * 0 * * bad day\n"
					     "* * * 13 * bad month\n"
					     "* * * * 8 bad dow\n"
					     "*/0 * * * * zero step\n"
					     "1-x * * * * bad range\n"
					     "@reboot special\n"
					     "1,,2 * * * * empty item\n"
					     "*/5 * * * * also good\n",
					     &tab, &warnings));
	ck_assert_uint_eq(2, tab->n);
	ck_assert_str_eq("good", tab->entries[0].command);
	ck_assert_str_eq("also good", tab->entries[1].command);
	ck_assert_int_eq(13, tab->entries[1].line);
	ck_assert_ptr_nonnull(warnings);
	ck_assert_str_eq("line 2: minute: value out of range: 60 * * * * bad minute\n"
			 "line 3: too few fields: * * * *\n"
			 "line 4: no command: * * * * *\n"
			 "line 5: hour: value out of range: * 24 * * * bad hour\n"
			 "line 6: day of month: value out of range: * * 0 * * bad day\n"
			 "line 7: month: value out of range: * * * 13 * bad month\n"
			 "line 8: day of week: value out of range: * * * * 8 bad dow\n"
			 "line 9: minute: step must be at least 1: */0 * * * * zero step\n"
			 "line 10: minute: expected the end of a range: 1-x * * * * bad range\n"
			 "line 11: minute: expected a number, name or '*': @reboot special\n"
			 "line 12: minute: expected a number, name or '*': 1,,2 * * * * empty item\n",
			 warnings);
	free(warnings);
	fl_crontab_free(tab);

	ck_assert_int_eq(0, fl_crontab_parse("", &tab, &warnings));
	ck_assert_uint_eq(0, tab->n);
	ck_assert_ptr_null(warnings);
	fl_crontab_free(tab);
}
END_TEST

static struct fl_loop *cron_test_loop;

/* The world model's job in the fake lab; here the test keeps the date shim in step. */
static void write_clock(void *arg)
{
	fl_sandbox_write_clock(arg, fl_loop_now(cron_test_loop));
}

static void job_done(void *arg, int status)
{
	*(int *)arg = status;
}

static int count(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

START_TEST(test_cron_driver_runs_due_lines_in_order)
{
	char rootfs[512], model[512], run[512], tmpl[512], path[1024], routerd[512], *err = NULL;
	ck_assert_msg(fl_netns_enter(&err) == 0, "%s", err); /* as in the fake lab */
	char *dir = hil_test_tmpdir("cron");
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", dir);
	snprintf(model, sizeof(model), "%s/model", dir);
	snprintf(run, sizeof(run), "%s/run", dir);
	snprintf(tmpl, sizeof(tmpl), "%s/rootfs-template", hil_test_build_dir());
	snprintf(routerd, sizeof(routerd), "%s/r4hil-routerd", hil_test_build_dir());
	ck_assert_msg(fl_rootfs_assemble(tmpl, NULL, rootfs, &err) == 0, "%s", err);
	ck_assert_int_eq(0, mkdir(model, 0755));

	/* 2026-01-01 00:05:30 */
	struct fl_loop *loop = fl_loop_new(1767225930000LL);
	cron_test_loop = loop;
	fl_loop_on_time_change(loop, write_clock, model);
	ck_assert_int_eq(0, fl_sandbox_write_clock(model, fl_loop_now(loop)));
	snprintf(path, sizeof(path), "%s/truth.jsonl", dir);
	struct fl_truth *truth = fl_truth_open(path, loop);
	ck_assert_ptr_nonnull(truth);
	struct fl_sandbox_config cfg = { .rootfs = rootfs, .model_dir = model, .run_dir = run,
					 .routerd = routerd, .ssh_port = 0, .truth = truth };
	struct fl_sandbox *sb = fl_sandbox_boot(loop, &cfg, &err);
	ck_assert_msg(sb != NULL, "%s", err);

	snprintf(path, sizeof(path), "%s/etc/crontabs/root", rootfs);
	hil_test_write_file(path,
			    "# the router's crontab\n"
			    "* * * * * sleep 0.2; echo \"a $(date +%H:%M)\" >> /tmp/cron.out\n"
			    "bad line\n"
			    "*/2 * * * * echo \"b $(date +%H:%M)\" >> /tmp/cron.out; exit 2\n"
			    "30 * * * * echo never >> /tmp/cron.out\n");
	struct fl_cron *cron = fl_cron_start(loop, sb, rootfs, "/etc/crontabs/root", truth);
	ck_assert_ptr_nonnull(cron);

	/* three minute boundaries: 00:06, 00:07, 00:08 */
	ck_assert_int_eq(0, fl_loop_advance_to(loop, 1767226130000LL, 30000));
	ck_assert_uint_eq(5, fl_cron_runs(cron));
	int status = -1;
	ck_assert_int_eq(0, fl_sandbox_run(sb, "check", "cat /tmp/cron.out", job_done, &status));
	ck_assert_int_eq(0, fl_loop_settle(loop, 10000));
	ck_assert_int_eq(0, status);
	snprintf(path, sizeof(path), "%s/log/check.log", run);
	char *text = hil_test_read_file(path);
	ck_assert_str_eq("a 00:06\nb 00:06\na 00:07\na 00:08\nb 00:08\n", text);
	free(text);
	/* per-job logs by tag */
	snprintf(path, sizeof(path), "%s/log/cron-202601010006-2.log", run);
	ck_assert_int_eq(0, access(path, F_OK));

	/* a changed crontab is picked up at the next minute */
	snprintf(path, sizeof(path), "%s/etc/crontabs/root", rootfs);
	hil_test_write_file(path, "* * * * * echo c >> /tmp/cron.out\n");
	struct timespec later[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_sec = time(NULL) + 10 } };
	ck_assert_int_eq(0, utimensat(AT_FDCWD, path, later, 0));
	ck_assert_int_eq(0, fl_loop_advance_to(loop, 1767226190000LL, 30000));
	ck_assert_uint_eq(6, fl_cron_runs(cron));

	/* stopped: no more ticks */
	fl_cron_stop(cron);
	ck_assert_int_eq(0, fl_loop_advance_to(loop, 1767226400000LL, 30000));

	fl_sandbox_free(sb);
	fl_truth_close(truth);
	snprintf(path, sizeof(path), "%s/truth.jsonl", dir);
	text = hil_test_read_file(path);
	ck_assert_int_eq(6, count(text, "cron.run"));
	ck_assert_int_eq(6, count(text, "cron.exit"));
	ck_assert_int_eq(2, count(text, "line 4: exit 2"));
	ck_assert_int_eq(3, count(text, "line 2: exit 0"));
	ck_assert_int_eq(1, count(text, "cron.warning"));
	ck_assert_ptr_nonnull(strstr(text, "line 3: minute: expected a number, name or '*': bad line"));
	free(text);
	fl_loop_free(loop);
	remove_tree(dir);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("cron");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_cron_fields_ranges_steps_lists);
	tcase_add_test(tc, test_cron_days_months_and_weekdays);
	tcase_add_test(tc, test_cron_malformed_lines_are_warnings);
	tcase_add_test(tc, test_cron_driver_runs_due_lines_in_order);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hil_test_run_suite(suite());
}
