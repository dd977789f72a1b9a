/* SPDX-License-Identifier: MIT */
/* Standard base64 (RFC 4648 with padding): etcd's JSON gateway carries keys and values so. */
#ifndef ND_BASE64_H
#define ND_BASE64_H

#include <stddef.h>

/* Encodes len bytes into a new NUL-terminated string (caller frees); NULL on ENOMEM. */
char *nd_base64_encode(const void *data, size_t len);
/*
 * Decodes s into a new buffer, NUL-terminated for convenience (caller frees),
 * *ret_len the decoded length. -EINVAL on a character outside the alphabet or
 * a bad length, -ENOMEM.
 */
int nd_base64_decode(const char *s, char **ret, size_t *ret_len);

#endif
