/*
 * libFuzzer target for the health ring judge (core/healthring.c): the input as
 * a whole text, then as a stream through a pipe; both ways must judge the same
 * number of lines (the stream reads in chunks, the text does not).
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "r4hil/healthring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count(void *arg, const struct hil_healthring_minute *m)
{
	(*(size_t *)arg)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hil_healthring *text = hil_healthring_new(), *stream = hil_healthring_new();
	size_t n_text = 0, n_stream = 0;
	int fds[2];

	/* A pipe holds 64 KiB: larger inputs would need a writer thread. */
	if (size > 60000 || !text || !stream || pipe(fds) < 0)
		goto out;
	hil_healthring_add_text(text, (const char *)data, size, count, &n_text);
	if (write(fds[1], data, size) != (ssize_t)size)
		abort();
	close(fds[1]);
	if (hil_healthring_add_stream(stream, fds[0], count, &n_stream))
		abort();
	close(fds[0]);
	if (n_text != n_stream)
		abort();
out:
	hil_healthring_free(text);
	hil_healthring_free(stream);
	return 0;
}
