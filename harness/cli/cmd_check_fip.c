/* r4hil check-fip: FIP-1 on a u-boot FIP build artifact, before it goes near a board. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "r4hil/fip.h"

static void help(void)
{
	printf("usage: r4hil check-fip FILE...\n\n"
	       "Check u-boot FIP images against FIP-1: at most %u bytes (the fip partition)\n"
	       "and no occurrence of the bytes 00 00 ff 42 (the old ramoops address\n"
	       "0x42ff0000, little-endian). A file without the FIP ToC header 0x%08X is\n"
	       "reported as not a FIP. Exit 0 if all pass, 1 if one breaks FIP-1, 2 if a\n"
	       "file is unreadable or not a FIP.\n",
	       HIL_FIP_MAX_SIZE, HIL_FIP_TOC_MAGIC);
}

/* One file's verdict on stdout; returns its exit code. */
static int check_one(const char *path)
{
	struct hil_fip_report rep;
	char *err = NULL;
	if (hil_fip_scan(path, &rep, &err) < 0) {
		cli_error("%s", err ? err : path);
		free(err);
		return EXIT_USAGE;
	}
	if (!rep.toc_ok) {
		cli_error("%s: not a FIP image (%s; a FIP starts with the ToC header 0x%08X)", path,
			  rep.toc_problem, HIL_FIP_TOC_MAGIC);
		return EXIT_USAGE;
	}
	int size_ok = rep.size <= HIL_FIP_MAX_SIZE;
	printf("%s: %s [FIP-1]\n", path, hil_fip_ok(&rep) ? "pass" : "FAIL");
	printf("  size %" PRIu64 " bytes, limit %u: %s\n", rep.size, HIL_FIP_MAX_SIZE,
	       size_ok ? "ok" : "too large for the fip partition");
	printf("  00 00 ff 42 (0x42ff0000): %zu occurrence%s", rep.hits, rep.hits == 1 ? "" : "s");
	for (size_t i = 0; i < rep.hits && i < HIL_FIP_MAX_OFFSETS; i++)
		printf("%s0x%" PRIx64, i ? ", " : " at ", rep.offsets[i]);
	if (rep.hits > HIL_FIP_MAX_OFFSETS)
		printf(", ...");
	printf("%s\n", rep.hits ? ": the ramoops region still points at the old address" : "");
	if (rep.scanned < rep.size)
		printf("  (searched the first %" PRIu64 " bytes: the rest cannot fit the partition)\n",
		       rep.scanned);
	return hil_fip_ok(&rep) ? EXIT_PASS : EXIT_FAIL;
}

int check_fip_main(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		help();
		return EXIT_PASS;
	}
	if (argc < 2) {
		cli_error("check-fip needs at least one FILE (see r4hil check-fip --help)");
		return EXIT_USAGE;
	}
	int worst = EXIT_PASS;
	for (int i = 1; i < argc; i++) {
		int code = check_one(argv[i]);
		/* unreadable input outranks a failed check: the verdict is incomplete */
		if (code == EXIT_USAGE || (code == EXIT_FAIL && worst == EXIT_PASS))
			worst = code;
	}
	return worst;
}
