/* SPDX-License-Identifier: MIT */
/* Minimal TAP producer for the C unit tests: test/run counts the "ok"/"not ok" lines. */
#ifndef ND_TAP_H
#define ND_TAP_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct tap {
	int n;
	int failed;
};

/* cond is evaluated once: it may have side effects (a parse that allocates). */
#define TAP_OK(t, cond, ...)                                                           \
	do {                                                                           \
		bool _ok = (cond);                                                     \
		(t)->n++;                                                              \
		if (!_ok)                                                              \
			(t)->failed++;                                                 \
		printf("%s %d - ", _ok ? "ok" : "not ok", (t)->n);                     \
		printf(__VA_ARGS__);                                                   \
		printf("\n");                                                          \
		if (!_ok)                                                              \
			printf("#   failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
	} while (0)

#define TAP_STR_EQ(t, got, want, ...)                                                    \
	do {                                                                             \
		const char *_g = (got), *_w = (want);                                    \
		TAP_OK(t, _g && !strcmp(_g, _w), __VA_ARGS__);                           \
		if (!_g || strcmp(_g, _w))                                               \
			printf("#   got \"%s\", want \"%s\"\n", _g ? _g : "(null)", _w); \
	} while (0)

static inline int tap_done(const struct tap *t)
{
	printf("1..%d\n", t->n);
	return t->failed ? 1 : 0;
}

#endif
