/* libFuzzer target for the FIP artifact check (core/fip.c): a scan of any file never crashes. */
#include <stdint.h>
#include <stdlib.h>

#include "r4hil/fip.h"
#include "fuzzfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hil_fip_report rep;
	char *err = NULL;

	if (hil_fip_scan(fuzzfile_write(data, size), &rep, &err) == 0 &&
	    (rep.size != size || rep.scanned > size || (!rep.toc_ok && !rep.toc_problem)))
		abort();
	free(err);
	return 0;
}
