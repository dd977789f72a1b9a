/* SPDX-License-Identifier: MIT */
/* Growing an array by doubling, for the lists that only ever get appended to. */
#ifndef ND_GROW_H
#define ND_GROW_H

#include <stddef.h>

/*
 * Makes room for one more element in the array at *arr_ptr (a T **), which
 * holds n of *cap elements of size bytes each: doubles it, starting at
 * first. Returns 0, or -ENOMEM with the array unchanged.
 */
int nd_grow(void *arr_ptr, size_t *cap, size_t n, size_t size, size_t first);

#endif
