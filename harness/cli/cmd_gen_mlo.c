/* r4hil gen-mlo: write (or check) the MLO scenarios generated from 002's table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "r4hil/file.h"
#include "r4hil/mlo_cases.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: r4hil gen-mlo [--out DIR] [--check]\n\n"
		     "Generate the MLO scenarios from the harness's model of 002's compatibility\n"
		     "table (harness/core/mlo_cases.c, harness/core/mlo.c): every supported\n"
		     "combination (MLO-3, MLO-4), every forbidden one (MLO-2). Writes them into DIR\n"
		     "(default: the catalogue, %s).\n\n"
		     "  --check   write nothing; exit 1 if a file in DIR differs from what the\n"
		     "            model generates (the catalogue drifted: run r4hil gen-mlo)\n",
		     cli_catalogue_dir());
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}

/* 0 written or unchanged, 1 differs (--check), < 0 an I/O error. */
static int one_file(const char *dir, const struct hil_mlo_file *file, int check)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, file->name);
	if (check) {
		char *have = NULL;
		hil_file_read(path, &have, NULL);
		int same = have && !strcmp(have, file->text);
		free(have);
		if (!same)
			cli_error("%s differs from what the model generates: run r4hil gen-mlo", path);
		return !same;
	}
	int ret = write_file(path, file->text);
	if (ret < 0)
		cli_error("cannot write %s: %s", path, strerror(-ret));
	else
		printf("%s\n", path);
	return ret;
}

int gen_mlo_main(int argc, char **argv)
{
	const char *dir = cli_catalogue_dir();
	int check = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return EXIT_PASS;
		} else if (!strcmp(argv[i], "--check")) {
			check = 1;
		} else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
			dir = argv[++i];
		} else {
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	struct hil_mlo_file files[HIL_MLO_N_FILES];
	char *err = NULL;
	int ret = hil_mlo_generate(files, &err);
	if (ret < 0) {
		cli_error("the case table disagrees with the model: %s", err ? err : strerror(-ret));
		free(err);
		return EXIT_USAGE;
	}
	int io = 0, differs = 0;
	for (size_t i = 0; i < HIL_MLO_N_FILES; i++) {
		ret = one_file(dir, &files[i], check);
		io |= ret < 0;
		differs |= ret > 0;
	}
	hil_mlo_files_free(files);
	return io ? EXIT_LAB : differs ? EXIT_FAIL : EXIT_PASS;
}
