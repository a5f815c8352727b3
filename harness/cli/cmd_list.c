/* r4hil list: the catalogue, or which scenarios cover which requirements. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "r4hil/mutants.h"
#include "r4hil/requirements.h"
#include "r4hil/scenario.h"

static const char *mutants_dir(void)
{
	const char *env = getenv("R4HIL_MUTANTS");
	return env ? env : R4HIL_SOURCE_DIR "/tests/mutants";
}

static void list_usage(FILE *f)
{
	fprintf(f, "usage: r4hil list [--requirements]\n\n"
		   "List the scenarios of the catalogue (%s) with the requirement IDs\n"
		   "they cover; with --requirements, print the coverage matrix: every\n"
		   "requirement ID, how many mutants (%s) a failed check of it\n"
		   "must kill, and the scenarios that check it (or, for a requirement on a\n"
		   "build artifact, the command that checks it and its broken fixtures).\n", cli_catalogue_dir(), mutants_dir());
}

static int covers(const struct hil_scenario *sc, const char *id)
{
	for (size_t i = 0; i < sc->n_requirements; i++)
		if (strcmp(sc->requirements[i], id) == 0)
			return 1;
	return 0;
}

/*
 * Requirements on build artifacts and on the flashing procedure, not on the
 * running system: a command or a test of the transfer path checks them, against
 * a good and a broken artifact (the broken one is the mutant it must catch).
 */
static const struct {
	const char *id, *check;
	size_t broken_fixtures;
} artifact_checks[] = {
	{ "FIP-1", "r4hil check-fip (fixtures/fip/good.fip, bad.fip)", 1 },
	/* act flash against the fake router; the other board's image must be refused (tests/test-flash.c) */
	{ "FLASH-1", "act flash refuses fixtures/images/bpi-r3-sysupgrade.itb (tests/test-flash.c)", 1 },
};

static const char *artifact_check(const char *id, size_t *broken)
{
	for (size_t i = 0; i < sizeof(artifact_checks) / sizeof(artifact_checks[0]); i++)
		if (strcmp(artifact_checks[i].id, id) == 0) {
			*broken = artifact_checks[i].broken_fixtures;
			return artifact_checks[i].check;
		}
	*broken = 0;
	return NULL;
}

static void print_matrix(struct hil_scenario **scs, size_t n, const struct hil_mutant *mutants, size_t n_mutants)
{
	printf("%-14s %-40s %-7s %s\n", "requirement", "title", "mutants", "scenarios");
	for (size_t r = 0; r < hil_requirement_count(); r++) {
		const struct hil_requirement *req = hil_requirement_get(r);
		size_t broken;
		const char *check = artifact_check(req->id, &broken);
		printf("%-14s %-40.40s %-7zu ", req->id, req->title,
		       hil_mutants_killing(mutants, n_mutants, req->id) + broken);
		int any = 0;
		if (check) {
			printf("%s", check);
			any = 1;
		}
		for (size_t i = 0; i < n; i++) {
			if (scs[i] && covers(scs[i], req->id)) {
				printf("%s%s", any ? ", " : "", scs[i]->name);
				any = 1;
			}
		}
		printf("%s\n", any ? "" : "(not covered)");
	}
}

/* The matrix with the mutation catalogue's kills; 0, or -errno after printing why. */
static int print_coverage(struct hil_scenario **scs, size_t n)
{
	struct hil_mutant *mutants;
	size_t n_mutants;
	char *err = NULL;
	int ret = hil_mutants_load(mutants_dir(), &mutants, &n_mutants, &err);
	if (ret < 0) {
		fprintf(stderr, "r4hil: failed to read the mutants: %s\n", err ? err : strerror(-ret));
		free(err);
		return ret;
	}
	print_matrix(scs, n, mutants, n_mutants);
	hil_mutants_free(mutants, n_mutants);
	return 0;
}

int list_main(int argc, char **argv)
{
	int matrix = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--requirements") == 0) {
			matrix = 1;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			list_usage(stdout);
			return EXIT_PASS;
		} else {
			list_usage(stderr);
			return EXIT_USAGE;
		}
	}
	size_t n = 0;
	int bad = 0;
	char **paths = cli_scenario_paths(NULL, 0, cli_catalogue_dir(), &n, &bad);
	if (!paths)
		return EXIT_USAGE;
	struct hil_scenario **scs = calloc(n + 1, sizeof(*scs));
	for (size_t i = 0; i < n; i++) {
		char *errors = NULL;
		if (hil_scenario_load(paths[i], &scs[i], &errors) < 0) {
			fputs(errors ? errors : "", stderr);
			bad = 1;
		}
		free(errors);
	}
	if (matrix) {
		if (print_coverage(scs, n) < 0)
			bad = 1;
	} else {
		for (size_t i = 0; i < n; i++) {
			if (!scs[i])
				continue;
			printf("%-28s ", scs[i]->name);
			for (size_t j = 0; j < scs[i]->n_requirements; j++)
				printf("%s%s", j ? "," : "", scs[i]->requirements[j]);
			printf("\n    %s\n", scs[i]->summary);
		}
	}
	for (size_t i = 0; i < n; i++) {
		hil_scenario_free(scs[i]);
		free(paths[i]);
	}
	free(scs);
	free(paths);
	return bad ? EXIT_USAGE : EXIT_PASS;
}
