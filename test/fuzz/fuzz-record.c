// SPDX-License-Identifier: MIT
/* libFuzzer target: run-dir records are read from files anyone with write access could craft. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_net_record *n = calloc(1, sizeof(*n));
	struct nd_endpoint_record *e = calloc(1, sizeof(*e));

	if (n && nd_net_record_parse((const char *)data, size, n) == 0) {
		free(nd_net_record_format(n));
		nd_net_record_clear(n);
	}
	if (e && nd_endpoint_record_parse((const char *)data, size, e) == 0) {
		free(nd_endpoint_record_format(e));
		nd_endpoint_record_clear(e);
	}
	free(n);
	free(e);
	return 0;
}
