/* libFuzzer target for scenario files (core/scenario.c): load, free, no crash or leak. */
#include <stdint.h>
#include <stdlib.h>

#include "r4hil/scenario.h"
#include "fuzzfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hil_scenario *s = NULL;
	char *errors = NULL;

	if (hil_scenario_load(fuzzfile_write(data, size), &s, &errors) == 0) {
		if (!s || errors)
			abort();
		hil_scenario_free(s);
	} else if (s) {
		abort();
	}
	free(errors);
	return 0;
}
