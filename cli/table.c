// SPDX-License-Identifier: MIT
/* Output tables: Docker's tabwriter (min width 10, padding 3, the last cell unpadded). */
#include "table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define TABLE_MIN_WIDTH 10
#define TABLE_PADDING 3
#define TABLE_MAX_COLS 16

struct table {
	char **lines;
	size_t n;
};

struct table *table_new(void)
{
	return calloc(1, sizeof(struct table));
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->lines[i]);
	free(t->lines);
	free(t);
}

int table_row(struct table *t, const char *line)
{
	char **v = realloc(t->lines, (t->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	t->lines = v;
	v[t->n] = strdup(line);
	if (!v[t->n])
		return -ENOMEM;
	t->n++;
	return 0;
}

int table_header(struct table *t, const char *format)
{
	static const char *const titles[][2] = {
		{ "ID", "NETWORK ID" }, { "Name", "NAME" },
		{ "Driver", "DRIVER" }, { "Scope", "SCOPE" },
		{ "IPv6", "IPV6" },	{ "Internal", "INTERNAL" },
		{ "Labels", "LABELS" }, { "CreatedAt", "CREATED AT" },
	};
	_cleanup_(cJSON_Deletep) cJSON *o = cJSON_CreateObject();
	_cleanup_(freep) char *line = NULL;
	char err[256];

	for (size_t i = 0; i < ND_ARRAY_SIZE(titles); i++)
		cJSON_AddStringToObject(o, titles[i][0], titles[i][1]);
	if (cli_template_run(format, o, &line, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -EINVAL;
	}
	return table_row(t, line);
}

void table_flush(struct table *t, bool align, FILE *f)
{
	size_t width[TABLE_MAX_COLS] = { 0 };

	for (size_t i = 0; align && i < t->n; i++) {
		const char *p = t->lines[i];

		for (size_t c = 0; c < TABLE_MAX_COLS; c++) {
			const char *tab = strchr(p, '\t');

			if (!tab)
				break;
			if ((size_t)(tab - p) + TABLE_PADDING > width[c])
				width[c] = (size_t)(tab - p) + TABLE_PADDING;
			p = tab + 1;
		}
	}
	for (size_t i = 0; i < t->n; i++) {
		const char *p = t->lines[i];

		for (size_t c = 0; align && c < TABLE_MAX_COLS; c++) {
			const char *tab = strchr(p, '\t');
			size_t w = width[c] < TABLE_MIN_WIDTH ? TABLE_MIN_WIDTH : width[c];

			if (!tab)
				break;
			fprintf(f, "%-*.*s", (int)w, (int)(tab - p), p);
			p = tab + 1;
		}
		fprintf(f, "%s\n", p);
	}
}
