// SPDX-License-Identifier: MIT
/* Doubling arrays (grow.h). */
#include "grow.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int nd_grow(void *arr_ptr, size_t *cap, size_t n, size_t size, size_t first)
{
	void *arr, *bigger;
	size_t want;

	if (n < *cap)
		return 0;
	want = *cap ? *cap * 2 : first;
	if (want < *cap || want > SIZE_MAX / size)
		return -ENOMEM;
	memcpy(&arr, arr_ptr, sizeof(arr));
	bigger = realloc(arr, want * size);
	if (!bigger)
		return -ENOMEM;
	memcpy(arr_ptr, &bigger, sizeof(bigger));
	*cap = want;
	return 0;
}
