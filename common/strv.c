// SPDX-License-Identifier: MIT
/* Growable string list. */
#include "strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int nd_strv_push(struct nd_strv *l, const char *s)
{
	char *copy = strdup(s);
	char **v;

	if (!copy)
		return -ENOMEM;
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v) {
		free(copy);
		return -ENOMEM;
	}
	v[l->n++] = copy;
	l->v = v;
	return 0;
}

int nd_strv_push_unique(struct nd_strv *l, const char *s)
{
	return nd_strv_contains(l, s) ? 0 : nd_strv_push(l, s);
}

bool nd_strv_contains(const struct nd_strv *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return true;
	return false;
}

void nd_strv_clear(struct nd_strv *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
