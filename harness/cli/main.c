/* r4hil: hardware-in-the-loop tests for the BPI-R4 router and its HA escalations. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "r4hil/version.h"

static const struct {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *description;
} commands[] = {
	{ "run", run_main, "Run scenarios on the fake lab (default) or a lab file; write a report" },
	{ "list", list_main, "List the scenario catalogue, or the requirement coverage matrix" },
	{ "validate", validate_main, "Check scenario files without running them" },
	{ "check-fip", check_fip_main, "Check a u-boot FIP image against FIP-1 (size, old ramoops address)" },
	{ "forensics", forensics_main, "Read a router's health ring: per-minute sfp1tx deltas, storms, reboots" },
	{ "lab", lab_main, "lab check FILE: check a lab file's router, HA, plug and GPIO, read-only" },
	{ "gen-mlo", gen_mlo_main, "Write the MLO scenarios generated from the model of 002's table" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: r4hil <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].description);
	fprintf(out, "\n'r4hil <command> --help' describes a command. Exit codes: 0 all passed,\n"
		     "1 a requirement failed, 2 bad usage or input, 3 the harness or lab failed.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_PASS;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("r4hil %s\n", hil_version());
		return EXIT_PASS;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].main(argc - 1, argv + 1);
	cli_error("unknown command \"%s\"", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
