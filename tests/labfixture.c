#include "labfixture.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "r4hil/fakelab.h"
#include "testutil.h"

char *labfix_tmp;

void labfix_setup(void)
{
	labfix_tmp = hil_test_tmpdir("lab");
}

void labfix_teardown(void)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", labfix_tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", labfix_tmp);
	free(labfix_tmp);
}

char *labfix_at(const char *rel)
{
	return hil_test_join(labfix_tmp, rel);
}

struct hil_fakelab *labfix_start(const char *dir, const char *plug)
{
	char *bin, *err = NULL;
	if (asprintf(&bin, "%s/r4hil-fakelab", hil_test_build_dir()) < 0)
		abort();
	struct hil_fakelab_options opt = { .dir = dir, .binary = bin, .plug = plug };
	struct hil_fakelab *lab = hil_fakelab_start(&opt, &err);
	ck_assert_msg(lab != NULL, "fake lab: %s", err);
	free(bin);
	return lab;
}

void labfix_derive(struct hil_fakelab *lab, const char *out_path, void (*edit)(json_object *root, void *arg),
		   void *arg)
{
	json_object *root = json_object_from_file(hil_fakelab_lab_file(lab));
	ck_assert_ptr_nonnull(root);
	if (edit)
		edit(root, arg);
	ck_assert_int_eq(0, json_object_to_file_ext(out_path, root, JSON_C_TO_STRING_PRETTY));
	json_object_put(root);
}

char *labfix_truth(struct hil_fakelab *lab)
{
	char *text = NULL, *err = NULL;
	ck_assert_msg(hil_fakelab_truth(lab, &text, &err) == 0, "%s", err);
	return text;
}

char *labfix_data(const char *name)
{
	char *p;
	if (asprintf(&p, "%s/tests/data/lab/%s", hil_test_source_dir(), name) < 0)
		abort();
	return p;
}
