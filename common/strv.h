/* SPDX-License-Identifier: MIT */
/* Growable list of owned strings (aliases, links, option keys). */
#ifndef ND_STRV_H
#define ND_STRV_H

#include <stdbool.h>
#include <stddef.h>

struct nd_strv {
	char **v;
	size_t n;
};

/* Appends a copy of s. Returns 0 or -ENOMEM; the list is unchanged on error. */
int nd_strv_push(struct nd_strv *l, const char *s);
/* Appends a copy of s unless an equal string is present. Returns 0/-ENOMEM. */
int nd_strv_push_unique(struct nd_strv *l, const char *s);
bool nd_strv_contains(const struct nd_strv *l, const char *s);
/* Frees the strings and the array; leaves an empty list. NULL-safe. */
void nd_strv_clear(struct nd_strv *l);

#define nd_strv_foreach(s, l) \
	for (char **_i = (l)->v, *s; _i && _i < (l)->v + (l)->n && ((s) = *_i, 1); _i++)

#endif
