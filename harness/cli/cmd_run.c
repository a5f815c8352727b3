/* r4hil run: scenarios against the fake lab, with a report in the run directory. */
#include <errno.h>
#include <curl/curl.h>
#include <ftw.h>
#include <getopt.h>
#include <pthread.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "r4hil/duration.h"
#include "r4hil/engine.h"
#include "r4hil/expect.h"
#include "r4hil/fakelab.h"
#include "r4hil/lab.h"
#include "r4hil/plan.h"
#include "r4hil/report.h"
#include "r4hil/scenario.h"
#include "r4hil/target.h"
#include "r4hil/timeline.h"

#define MAX_OVERLAYS 8

struct run_options {
	const char *overlays[MAX_OVERLAYS + 1];
	int n_overlays;
	const char *automations;
	const char *ha_config;
	const char *out;
	const char *catalogue;
	const char *lab;   /* a lab file: run there instead of on a fresh fake lab each */
	int dry_run;
	int jobs;          /* scenarios at once, each on its own fake lab */
	const char *image; /* --image: the sysupgrade image act flash writes */
};

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	interrupted = sig;
}

static void run_usage(FILE *f)
{
	fprintf(f,
		"usage: r4hil run [options] [SCENARIO...]\n"
		"\n"
		"Run scenarios (files, or names from the catalogue; default: the whole\n"
		"catalogue) against the built-in fake lab, in virtual time, and write\n"
		"timeline.jsonl, results.json and junit.xml into the run directory.\n"
		"\n"
		"  --overlay DIR       the router firmware's files/ tree to test (default: the\n"
		"                      reference overlay); repeat to layer overlays, later wins\n"
		"  --automations FILE  Home Assistant automations YAML to test (default: the\n"
		"                      reference fixtures/ha/automations.yaml)\n"
		"  --ha-config FILE    HA configuration.yaml with shell_command entries\n"
		"  --out DIR           run directory (default: r4hil-runs/<date-time>)\n"
		"  --scenarios DIR     catalogue directory for scenario names (default: %s)\n"
		"  --lab FILE          run in the lab FILE describes (lab/README.md) instead of\n"
		"                      a fresh built-in fake lab per scenario; real time unless\n"
		"                      it is a fake lab's lab.json\n"
		"  --dry-run           print the plan (every SSH command, HTTP call, injection\n"
		"                      with its time) and touch nothing\n"
		"  --jobs N            run N scenarios at once, each on its own fake lab\n"
		"                      (default 1; not with --lab: one lab runs one scenario)\n"
		"  --image FILE        the sysupgrade image that act \"flash\" writes (default:\n"
		"                      the scenario's stand-in, which only the fake lab takes;\n"
		"                      in a real lab, flash scenarios without it are skipped)\n"
		"\n"
		"Exit codes: 0 all passed, 1 a requirement failed, 2 bad usage or input\n"
		"(nothing ran), 3 the harness or the lab could not do its part.\n",
		cli_catalogue_dir());
}

static const char *special_path;

static int find_special(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type == FTW_F && !S_ISREG(st->st_mode)) {
		special_path = strdup(path);
		return 1;
	}
	return 0;
}

/*
 * A FIFO, socket or device in an overlay would be copied into the router's root
 * filesystem (or hang the copy): say so now. 1 (reported) or 0.
 */
static int overlay_special_file(const char *dir)
{
	special_path = NULL;
	if (nftw(dir, find_special, 16, FTW_PHYS) <= 0)
		return 0;
	cli_error("--overlay: \"%s\" is not a regular file, directory or symlink (a FIFO, socket or "
		  "device has no place in firmware files)", special_path ? special_path : dir);
	free((char *)special_path);
	special_path = NULL;
	return 1;
}

static int parse_run_options(int argc, char **argv, struct run_options *o)
{
	static const struct option longopts[] = {
		{ "overlay", required_argument, NULL, 'o' },
		{ "automations", required_argument, NULL, 'a' },
		{ "ha-config", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'd' },
		{ "scenarios", required_argument, NULL, 's' },
		{ "lab", required_argument, NULL, 'l' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "image", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	o->catalogue = cli_catalogue_dir();
	o->jobs = 1;
	int c;
	char *end;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (o->n_overlays == MAX_OVERLAYS) {
				cli_error("at most %d --overlay options", MAX_OVERLAYS);
				return EXIT_USAGE;
			}
			o->overlays[o->n_overlays++] = optarg;
			break;
		case 'a': o->automations = optarg; break;
		case 'c': o->ha_config = optarg; break;
		case 'd': o->out = optarg; break;
		case 's': o->catalogue = optarg; break;
		case 'l': o->lab = optarg; break;
		case 'n': o->dry_run = 1; break;
		case 'i':
			if (access(optarg, R_OK) < 0) {
				cli_error("--image: cannot read \"%s\": %s", optarg, strerror(errno));
				return EXIT_USAGE;
			}
			o->image = optarg;
			break;
		case 'j':
			o->jobs = (int)strtol(optarg, &end, 10);
			if (*end || o->jobs < 1 || o->jobs > 16) {
				cli_error("--jobs: expected a number from 1 to 16, got \"%s\"", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h': run_usage(stdout); exit(EXIT_PASS);
		default: run_usage(stderr); return EXIT_USAGE;
		}
	}
	if (o->lab && o->jobs > 1) {
		cli_error("--jobs runs scenarios on fake labs of their own; a --lab runs one at a time");
		return EXIT_USAGE;
	}
	if (o->lab && (o->n_overlays || o->automations || o->ha_config)) {
		cli_error("--overlay, --automations and --ha-config build a fake lab; with --lab the lab is given");
		return EXIT_USAGE;
	}
	struct stat st;
	for (int i = 0; i < o->n_overlays; i++) {
		if (stat(o->overlays[i], &st) < 0 || !S_ISDIR(st.st_mode)) {
			cli_error("--overlay: \"%s\" is not a directory", o->overlays[i]);
			return EXIT_USAGE;
		}
		if (overlay_special_file(o->overlays[i]))
			return EXIT_USAGE;
	}
	if (o->out && stat(o->out, &st) == 0 && !S_ISDIR(st.st_mode)) {
		cli_error("--out: \"%s\" exists and is not a directory", o->out);
		return EXIT_USAGE;
	}
	if (o->automations || o->ha_config) {
		/* HA's files are the fake lab's to load: ask it, before any lab starts */
		struct hil_fakelab_options fo = { .automations = o->automations, .ha_config = o->ha_config };
		char *err = NULL;
		if (hil_fakelab_check_inputs(&fo, &err) < 0) {
			cli_error("%s", err ? err : "bad --automations or --ha-config");
			free(err);
			return EXIT_USAGE;
		}
	}
	return 0;
}

/* Load every scenario first: one bad file and nothing runs. */
static int load_all(char **paths, size_t n, struct hil_scenario **out)
{
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		char *errors = NULL;
		if (hil_scenario_load(paths[i], &out[i], &errors) < 0) {
			fprintf(stderr, "%s", errors ? errors : "");
			if (errors && errors[0] && errors[strlen(errors) - 1] != '\n')
				fputc('\n', stderr);
			bad = 1;
		}
		free(errors);
	}
	return bad;
}

static char *default_out_dir(void)
{
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	char stamp[32];
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	mkdir("r4hil-runs", 0755);
	char *dir;
	if (asprintf(&dir, "r4hil-runs/%s", stamp) < 0)
		return NULL;
	return dir;
}

static char *path_join(const char *a, const char *b)
{
	char *p;
	if (asprintf(&p, "%s/%s", a, b) < 0)
		abort();
	return p;
}

static void write_timeline(const struct hil_timeline *tl, const char *path, const char *mode,
			   const char *scenario, int64_t origin)
{
	FILE *f = fopen(path, mode);
	if (!f) {
		cli_error("failed to write %s: %s", path, strerror(errno));
		return;
	}
	hil_timeline_write_jsonl(tl, f, scenario, origin);
	fclose(f);
}

/* Run @sc on @target and write its timeline (into its own and the run's file). */
static void run_on(const struct run_options *o, struct hil_target *target, const struct hil_scenario *sc,
		   const char *out, const char *dir, struct hil_progress *progress, struct hil_scenario_result *r)
{
	int64_t origin = 0;
	target->image = o->image;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct hil_timeline *tl = hil_engine_run(sc, target, progress, &interrupted, r, &origin);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->wall_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	char *tl_path = path_join(dir, "timeline.jsonl");
	write_timeline(tl, tl_path, "w", sc->name, origin);
	free(tl_path);
	hil_timeline_free(tl);
}

static void lab_error(struct hil_scenario_result *r, const char *what, const char *err)
{
	char *why = NULL;
	if (asprintf(&why, "%s: %s", what, err ? err : "failed to start") < 0)
		why = NULL;
	hil_scenario_set_error(r, HIL_ERROR, why);
	free(why);
}

/*
 * The target of a lab file: a fake lab's lab.json attaches to its control
 * endpoint (virtual time, injections); any other lab runs on the real clock.
 */
static struct hil_target *open_lab(const char *path, char **err)
{
	struct hil_lab *lab = NULL;
	if (hil_lab_load(path, &lab, err) < 0)
		return NULL;
	struct hil_fakelab *fake = hil_lab_is_fake(lab) ? hil_fakelab_attach(lab->control.url, lab->control.token) : NULL;
	struct hil_target *t = hil_target_open(lab, fake, err);
	if (!t)
		hil_fakelab_stop(fake); /* attached, not started: only frees */
	return t;
}

static void close_lab(struct hil_target *t)
{
	struct hil_fakelab *fake = t ? t->fakelab : NULL;
	hil_target_close(t);
	hil_fakelab_stop(fake);
}

/* One scenario in the lab of --lab, which outlives the run. */
static void run_in_lab(const struct run_options *o, const struct hil_scenario *sc, const char *out,
		       struct hil_progress *progress, struct hil_scenario_result *r)
{
	char *dir = path_join(out, sc->name), *err = NULL;
	mkdir(dir, 0755);
	struct hil_target *target = open_lab(o->lab, &err);
	if (!target)
		lab_error(r, o->lab, err);
	else
		run_on(o, target, sc, out, dir, progress, r);
	close_lab(target);
	free(err);
	free(dir);
}

/* One scenario on a fresh fake lab: start it, run, stop it. */
static void run_one(const struct run_options *o, const struct hil_scenario *sc, const char *out,
		    struct hil_progress *progress, struct hil_scenario_result *r)
{
	if (o->lab) {
		run_in_lab(o, sc, out, progress, r);
		return;
	}
	char *dir = path_join(out, sc->name);
	char *lab_dir = path_join(dir, "lab");
	mkdir(dir, 0755);
	struct hil_fakelab_options fo = {
		.dir = lab_dir,
		.overlays = o->n_overlays ? o->overlays : NULL,
		.automations = o->automations,
		.ha_config = o->ha_config,
	};
	char *err = NULL;
	struct hil_fakelab *fake = hil_fakelab_start(&fo, &err);
	struct hil_lab *lab = NULL;
	struct hil_target *target = NULL; /* owns lab once opened */
	if (fake && hil_lab_load(hil_fakelab_lab_file(fake), &lab, &err) == 0)
		target = hil_target_open(lab, fake, &err);
	if (!target)
		lab_error(r, "fake lab", err); /* a lab that loaded is owned (and freed) by the failed target */
	else
		run_on(o, target, sc, out, dir, progress, r);
	hil_target_close(target);
	hil_fakelab_stop(fake);
	free(err);
	free(lab_dir);
	free(dir);
}

/* The scenarios of a run, taken in order by --jobs workers. */
struct pool {
	const struct run_options *o;
	struct hil_scenario **scenarios;
	size_t n;
	const char *out;
	struct hil_run_result *run; /* its results were all added before the workers start */
	pthread_mutex_t lock;
	size_t next;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct hil_progress *progress = cli_progress_new();
	for (;;) {
		pthread_mutex_lock(&p->lock);
		size_t i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			break;
		struct hil_scenario_result *r = &p->run->scenarios[i];
		if (interrupted)
			hil_scenario_set_error(r, HIL_ERROR, "not run: interrupted");
		else
			run_one(p->o, p->scenarios[i], p->out, progress, r);
	}
	cli_progress_done(progress);
	return NULL;
}

/* Each scenario has its own lab and result: workers share only the queue. */
static void run_pool(struct pool *p)
{
	pthread_t threads[16];
	int n_threads = 0;
	pthread_mutex_init(&p->lock, NULL);
	/* libcurl's global set-up is not thread-safe: do it before any worker */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (int i = 1; i < p->o->jobs && (size_t)i < p->n; i++)
		if (pthread_create(&threads[n_threads], NULL, worker, p) == 0)
			n_threads++;
	worker(p);
	for (int i = 0; i < n_threads; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&p->lock);
}

/* A reused run directory: no timeline of an earlier run may end up in this one's. */
static void forget_timelines(const char *out, struct hil_scenario **scenarios, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *one = path_join(out, scenarios[i]->name), *tl = path_join(one, "timeline.jsonl");
		unlink(tl);
		free(tl);
		free(one);
	}
}

/* The run's timeline.jsonl: the scenarios' own files, in catalogue order. */
static void join_timelines(const char *out, struct hil_scenario **scenarios, size_t n)
{
	char *all = path_join(out, "timeline.jsonl");
	FILE *f = fopen(all, "w");
	if (!f)
		cli_error("failed to write %s: %s", all, strerror(errno));
	for (size_t i = 0; f && i < n; i++) {
		char *one = path_join(out, scenarios[i]->name), *tl = path_join(one, "timeline.jsonl");
		FILE *in = fopen(tl, "r");
		char buf[65536];
		size_t len;
		while (in && (len = fread(buf, 1, sizeof(buf), in)) > 0)
			fwrite(buf, 1, len, f);
		if (in)
			fclose(in);
		free(tl);
		free(one);
	}
	if (f && fclose(f) != 0)
		cli_error("failed to write %s: %s", all, strerror(errno));
	free(all);
}

/*
 * --dry-run: the plan of every scenario. With --lab the lab file is read (and
 * its secrets loaded, to prove they are there) but nothing is contacted.
 */
static int print_plans(const struct run_options *o, struct hil_scenario **scenarios, size_t n)
{
	char *err = NULL;
	struct hil_target *target = NULL;
	if (o->lab) {
		target = open_lab(o->lab, &err);
		if (!target) {
			fprintf(stderr, "%s%s", err ? err : "", err && err[strlen(err) - 1] == '\n' ? "" : "\n");
			free(err);
			return EXIT_USAGE;
		}
		target->image = o->image;
	}
	for (size_t i = 0; i < n; i++) {
		if (target)
			hil_plan_print(stdout, scenarios[i], target);
		else
			printf("scenario %s: on a fresh built-in fake lab (virtual clock); give --lab FILE for the full plan\n",
			       scenarios[i]->name);
	}
	close_lab(target);
	return EXIT_PASS;
}

static void print_summary(const struct hil_run_result *run, const char *out)
{
	printf("\n");
	for (size_t i = 0; i < run->n_scenarios; i++) {
		const struct hil_scenario_result *s = &run->scenarios[i];
		char virt[32];
		hil_duration_format(s->virtual_ms, virt, sizeof(virt));
		printf("%-8s %-28s %6.1fs wall for %s virtual\n", hil_status_name(s->status), s->name,
		       s->wall_s, virt);
		if (s->error)
			printf("         %s\n", s->error);
		for (size_t j = 0; j < s->n_checks; j++) {
			const struct hil_check_result *c = &s->checks[j];
			if (c->status == HIL_PASS)
				continue;
			printf("         %s [%s] %s: %s\n", hil_status_name(c->status), c->requirement, c->id,
			       c->message ? c->message : "");
		}
	}
	printf("\nreport: %s/results.json, %s/junit.xml, %s/timeline.jsonl\n", out, out, out);
}

int run_main(int argc, char **argv)
{
	struct run_options o = { 0 };
	int ret = parse_run_options(argc, argv, &o);
	if (ret)
		return ret;
	size_t n = 0;
	int bad = 0;
	char **paths = cli_scenario_paths(argv + optind, argc - optind, o.catalogue, &n, &bad);
	if (!paths || bad || n == 0) {
		for (size_t i = 0; paths && i < n; i++)
			free(paths[i]);
		free(paths);
		return EXIT_USAGE;
	}
	struct hil_scenario **scenarios = calloc(n, sizeof(*scenarios));
	if (load_all(paths, n, scenarios)) {
		ret = EXIT_USAGE;
		goto out;
	}
	if (o.dry_run) {
		ret = print_plans(&o, scenarios, n);
		goto out;
	}
	if (o.lab) {
		/* a bad lab file is bad input: say so before anything runs */
		char *err = NULL;
		struct hil_lab *lab = NULL;
		if (hil_lab_load(o.lab, &lab, &err) < 0) {
			fprintf(stderr, "%s%s", err ? err : "", err && err[strlen(err) - 1] == '\n' ? "" : "\n");
			free(err);
			ret = EXIT_USAGE;
			goto out;
		}
		hil_lab_free(lab);
	}
	char *out = o.out ? strdup(o.out) : default_out_dir();
	if (!out || (mkdir(out, 0755) < 0 && errno != EEXIST)) {
		cli_error("failed to create the run directory %s: %s", out ? out : "?", strerror(errno));
		free(out);
		ret = EXIT_USAGE;
		goto out;
	}
	struct sigaction sa = { .sa_handler = on_interrupt };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct hil_run_result *run = hil_run_result_new(out, o.lab ? o.lab : "fakelab");
	for (size_t i = 0; i < n; i++)
		hil_run_add_scenario(run, scenarios[i]->name, scenarios[i]->summary, scenarios[i]->path,
				     scenarios[i]->requirements, scenarios[i]->n_requirements);
	forget_timelines(out, scenarios, n);
	struct pool pool = { .o = &o, .scenarios = scenarios, .n = n, .out = out, .run = run };
	run_pool(&pool);
	join_timelines(out, scenarios, n);

	char *results = path_join(out, "results.json"), *junit = path_join(out, "junit.xml");
	if (hil_report_write_json(run, results) < 0 || hil_report_write_junit(run, junit) < 0)
		cli_error("failed to write the report in %s", out);
	free(results);
	free(junit);
	print_summary(run, out);
	ret = hil_run_exit_code(run);
	hil_run_result_free(run);
	free(out);
out:
	for (size_t i = 0; i < n; i++) {
		hil_scenario_free(scenarios[i]);
		free(paths[i]);
	}
	free(scenarios);
	free(paths);
	return ret;
}
