// SPDX-License-Identifier: MIT
/* base64 both ways, refusing anything that is not canonical alphabet and padding. */
#include "base64.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *nd_base64_encode(const void *data, size_t len)
{
	const uint8_t *p = data;
	char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		size_t n = len - i < 3 ? len - i : 3;

		if (n > 1)
			v |= (uint32_t)p[i + 1] << 8;
		if (n > 2)
			v |= p[i + 2];
		*o++ = alphabet[v >> 18 & 63];
		*o++ = alphabet[v >> 12 & 63];
		*o++ = n > 1 ? alphabet[v >> 6 & 63] : '=';
		*o++ = n > 2 ? alphabet[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

static int sextet(char c)
{
	const char *p = c ? strchr(alphabet, c) : NULL;

	return p ? (int)(p - alphabet) : -1;
}

int nd_base64_decode(const char *s, char **ret, size_t *ret_len)
{
	size_t len = strlen(s), n = 0;
	char *out;

	if (len % 4)
		return -EINVAL;
	out = malloc(len / 4 * 3 + 1);
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < len; i += 4) {
		int a = sextet(s[i]), b = sextet(s[i + 1]), c = sextet(s[i + 2]),
		    d = sextet(s[i + 3]);
		bool last = i + 4 == len;
		bool pad2 = last && s[i + 2] == '=' && s[i + 3] == '=';
		bool pad1 = last && !pad2 && s[i + 3] == '=';

		if (a < 0 || b < 0 || (c < 0 && !pad2) || (d < 0 && !pad1 && !pad2)) {
			free(out);
			return -EINVAL;
		}
		out[n++] = (char)(a << 2 | b >> 4);
		if (!pad2)
			out[n++] = (char)((b & 15) << 4 | c >> 2);
		if (!pad1 && !pad2)
			out[n++] = (char)((c & 3) << 6 | d);
	}
	out[n] = '\0';
	*ret = out;
	*ret_len = n;
	return 0;
}
