/* SPDX-License-Identifier: MIT */
/* Scope-bound ownership: every owned local is released on every return path. */
#ifndef ND_CLEANUP_H
#define ND_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <dirent.h>

#include <cjson/cJSON.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

/* Defines fn##p(type *) that calls fn on a non-NULL pointer. */
#define ND_CLEANUP(type, fn)               \
	static inline void fn##p(type *pp) \
	{                                  \
		if (*pp)                   \
			fn(*pp);           \
	}

/* Hands ownership out of a _cleanup_ variable. */
#define steal_ptr(p)                    \
	({                              \
		__typeof__(p) _v = (p); \
		(p) = NULL;             \
		_v;                     \
	})

#define steal_fd(fd)            \
	({                      \
		int _fd = (fd); \
		(fd) = -1;      \
		_fd;            \
	})

#define ND_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

ND_CLEANUP(FILE *, fclose)
ND_CLEANUP(DIR *, closedir)
ND_CLEANUP(cJSON *, cJSON_Delete)

#endif
