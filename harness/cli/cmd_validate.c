/* r4hil validate: check scenario files without running anything. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "r4hil/scenario.h"

int validate_main(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: r4hil validate [SCENARIO...]\n\n"
		       "Check scenario files (paths or catalogue names; default: the whole\n"
		       "catalogue in %s) against format v1 without running them. Errors are\n"
		       "printed as file:line:column: message. Exit 0 if all are valid, 2 if not.\n",
		       cli_catalogue_dir());
		return EXIT_PASS;
	}
	size_t n = 0;
	int bad = 0;
	char **paths = cli_scenario_paths(argv + 1, argc - 1, cli_catalogue_dir(), &n, &bad);
	if (!paths)
		return EXIT_USAGE;
	for (size_t i = 0; i < n; i++) {
		struct hil_scenario *sc = NULL;
		char *errors = NULL;
		if (hil_scenario_load(paths[i], &sc, &errors) < 0) {
			fputs(errors ? errors : "", stderr);
			if (errors && errors[0] && errors[strlen(errors) - 1] != '\n')
				fputc('\n', stderr);
			bad = 1;
		} else {
			printf("%s: ok (%s: %zu steps, %zu expectations)\n", paths[i], sc->name, sc->n_steps,
			       sc->n_expects);
		}
		hil_scenario_free(sc);
		free(errors);
		free(paths[i]);
	}
	free(paths);
	return bad ? EXIT_USAGE : EXIT_PASS;
}
