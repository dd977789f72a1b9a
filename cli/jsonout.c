// SPDX-License-Identifier: MIT
/*
 * JSON as Go's encoding/json writes it (what `docker network inspect` and
 * `{{json …}}` print): MarshalIndent with four spaces and "key": value, or
 * compact with no spaces; empty objects and arrays stay "{}" and "[]".
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Go escapes <, > and & too (HTML-safe by default). */
static void put_string(struct cli_buf *b, const char *s)
{
	char esc[8];

	cli_buf_puts(b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			cli_buf_put(b, esc, 2);
		} else if (*p == '\n') {
			cli_buf_puts(b, "\\n");
		} else if (*p == '\t') {
			cli_buf_puts(b, "\\t");
		} else if (*p == '\r') {
			cli_buf_puts(b, "\\r");
		} else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&') {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			cli_buf_puts(b, esc);
		} else {
			cli_buf_put(b, (const char *)p, 1);
		}
	}
	cli_buf_puts(b, "\"");
}

static void indent(struct cli_buf *b, int depth)
{
	cli_buf_puts(b, "\n");
	for (int i = 0; i < depth; i++)
		cli_buf_puts(b, "    ");
}

static void put_value(struct cli_buf *b, const cJSON *v, bool pretty, int depth)
{
	char num[64];

	if (cJSON_IsString(v)) {
		put_string(b, v->valuestring);
	} else if (cJSON_IsBool(v)) {
		cli_buf_puts(b, cJSON_IsTrue(v) ? "true" : "false");
	} else if (cJSON_IsNumber(v)) {
		snprintf(num, sizeof(num), "%.17g", v->valuedouble);
		cli_buf_puts(b, num);
	} else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
		bool obj = cJSON_IsObject(v);
		const cJSON *it;

		cli_buf_puts(b, obj ? "{" : "[");
		cJSON_ArrayForEach(it, v)
		{
			if (pretty)
				indent(b, depth + 1);
			if (obj) {
				put_string(b, it->string);
				cli_buf_puts(b, pretty ? ": " : ":");
			}
			put_value(b, it, pretty, depth + 1);
			if (it->next)
				cli_buf_puts(b, ",");
		}
		if (pretty && v->child)
			indent(b, depth);
		cli_buf_puts(b, obj ? "}" : "]");
	} else {
		cli_buf_puts(b, "null");
	}
}

char *cli_json_print(const cJSON *v, bool pretty)
{
	struct cli_buf b = { 0 };

	put_value(&b, v, pretty, 0);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p ? b.p : strdup("");
}

static int key_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

	return strcmp(x->string, y->string);
}

int cli_json_sort(cJSON *obj)
{
	int n = cJSON_GetArraySize(obj);
	_cleanup_(freep) cJSON **v = n > 1 ? calloc((size_t)n, sizeof(*v)) : NULL;
	cJSON *it;
	int i = 0;

	if (n <= 1)
		return 0;
	if (!v)
		return -1;
	cJSON_ArrayForEach(it, obj) v[i++] = it;
	qsort(v, (size_t)n, sizeof(*v), key_cmp);
	/* cJSON's list: prev of the first points at the last, the last's next is NULL. */
	for (i = 0; i < n; i++) {
		v[i]->next = i + 1 < n ? v[i + 1] : NULL;
		v[i]->prev = i > 0 ? v[i - 1] : v[n - 1];
	}
	obj->child = v[0];
	return 0;
}
