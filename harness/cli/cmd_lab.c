/* r4hil lab check FILE: is the lab in FILE usable? Read-only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "r4hil/lab.h"
#include "r4hil/labcheck.h"

static void lab_usage(FILE *f)
{
	fprintf(f,
		"usage: r4hil lab check FILE\n"
		"\n"
		"Check, read-only, everything the lab file FILE describes (lab/README.md):\n"
		"TCP and SSH to the router and the ONU with the pinned host keys, Home\n"
		"Assistant's token, the plug's state, the GPIO chip and its lines, and\n"
		"print a table.\n"
		"\n"
		"Exit codes: 0 all checks passed, 1 a check failed, 2 bad usage or a bad\n"
		"lab file (its errors as file:line:col).\n");
}

int lab_main(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		lab_usage(stdout);
		return EXIT_PASS;
	}
	if (argc != 3 || strcmp(argv[1], "check") != 0) {
		lab_usage(stderr);
		return EXIT_USAGE;
	}
	struct hil_lab *lab = NULL;
	char *err = NULL;
	if (hil_lab_load(argv[2], &lab, &err) < 0) {
		fprintf(stderr, "%s%s", err ? err : "", err && err[strlen(err) - 1] == '\n' ? "" : "\n");
		free(err);
		return EXIT_USAGE;
	}
	int failed = hil_lab_check(lab, stdout);
	printf("\n%s\n", failed ? "lab check: FAILED" : "lab check: ok");
	hil_lab_free(lab);
	return failed ? EXIT_FAIL : EXIT_PASS;
}
