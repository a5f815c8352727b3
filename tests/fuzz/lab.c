/* libFuzzer target for lab files (core/lab.c): load, free, no crash or leak. */
#include <stdint.h>
#include <stdlib.h>

#include "r4hil/lab.h"
#include "fuzzfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hil_lab *lab = NULL;
	char *err = NULL;

	if (hil_lab_load(fuzzfile_write(data, size), &lab, &err) == 0)
		hil_lab_free(lab);
	free(err);
	return 0;
}
