// SPDX-License-Identifier: MIT
/*
 * The part of Go's text/template that scripts pass to --format: fields
 * (.A.B, $v.A, .), range (with $k, $v :=), if/else, and the functions
 * json, index, len, join, upper, lower, not, eq, ne, println. Values are
 * the inspect object's JSON; printing follows Go's fmt (%v) for maps.
 */
#include "template.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tpl_fail(struct tpl *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->failed)
		return -EINVAL;
	n = snprintf(t->err, t->errlen, "template parsing error: template: :1:%zu: ", t->pos + 2);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < t->errlen)
		vsnprintf(t->err + n, t->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	t->failed = true;
	return -EINVAL;
}

/* Go's %v of a JSON value: maps as map[k:v] in key order, lists as [a b]. */
void tpl_print_value(struct cli_buf *o, const cJSON *v)
{
	char num[64];
	const cJSON *it;

	if (!v || cJSON_IsNull(v)) {
		cli_buf_puts(o, "<no value>");
	} else if (cJSON_IsString(v)) {
		cli_buf_puts(o, v->valuestring);
	} else if (cJSON_IsBool(v)) {
		cli_buf_puts(o, cJSON_IsTrue(v) ? "true" : "false");
	} else if (cJSON_IsNumber(v)) {
		snprintf(num, sizeof(num), "%.15g", v->valuedouble);
		cli_buf_puts(o, num);
	} else {
		bool obj = cJSON_IsObject(v);

		cli_buf_puts(o, obj ? "map[" : "[");
		cJSON_ArrayForEach(it, v)
		{
			if (obj) {
				cli_buf_puts(o, it->string);
				cli_buf_puts(o, ":");
			}
			tpl_print_value(o, it);
			if (it->next)
				cli_buf_puts(o, " ");
		}
		cli_buf_puts(o, "]");
	}
}

/* .A.B from base; an absent key is Go's "map has no entry" error. */
static int field(struct tpl *t, const cJSON *base, const char *path, const char *shown,
		 const cJSON **ret)
{
	const cJSON *v = base;
	char key[128];

	while (*path == '.' && path[1]) {
		size_t n = strcspn(path + 1, ".");

		snprintf(key, sizeof(key), "%.*s", (int)n, path + 1);
		if (!cJSON_IsObject(v))
			return tpl_fail(t, "executing \"\" at <%s>: can't evaluate field %s", shown,
					key);
		v = cJSON_GetObjectItemCaseSensitive(v, key);
		if (!v)
			return tpl_fail(t,
					"executing \"\" at <%s>: map has no entry for key \"%s\"",
					shown, key);
		path += n + 1;
	}
	*ret = v;
	return 0;
}

static const cJSON *var(struct tpl *t, const char *name)
{
	for (size_t i = t->n_vars; i-- > 0;)
		if (!strcmp(t->vars[i].name, name))
			return t->vars[i].value;
	return NULL;
}

/* One operand: .Field, $var.Field, "string", a number, or (a parenthesised command). */
static int operand(struct tpl *t, char **s, cJSON **ret);
static int command(struct tpl *t, char **s, cJSON **ret);

static char *word(char **s)
{
	char *w;

	while (isspace((unsigned char)**s))
		(*s)++;
	w = *s;
	while (**s && !isspace((unsigned char)**s) && **s != ')' && **s != '(')
		(*s)++;
	return w;
}

static int operand(struct tpl *t, char **s, cJSON **ret)
{
	const cJSON *v = NULL;
	char *w, save;
	int r;

	while (isspace((unsigned char)**s))
		(*s)++;
	if (**s == '(') {
		(*s)++;
		r = command(t, s, ret);
		if (r == 0 && **s == ')')
			(*s)++;
		return r;
	}
	if (**s == '"') {
		char *end = strchr(*s + 1, '"');

		if (!end)
			return tpl_fail(t, "unterminated quoted string");
		*end = '\0';
		*ret = cJSON_CreateString(*s + 1);
		*s = end + 1;
		return 0;
	}
	w = word(s);
	save = **s;
	**s = '\0';
	if (w[0] == '.') {
		r = field(t, t->dot, w, w, &v);
	} else if (w[0] == '$') {
		size_t n = strcspn(w, ".");
		char name[64];

		snprintf(name, sizeof(name), "%.*s", (int)n, w);
		v = var(t, name);
		r = v ? field(t, v, w + n, w, &v) : tpl_fail(t, "undefined variable \"%s\"", name);
	} else if (isdigit((unsigned char)w[0]) || w[0] == '-') {
		*ret = cJSON_CreateNumber(strtod(w, NULL));
		**s = save;
		return 0;
	} else {
		r = tpl_fail(t, "function \"%s\" not defined", w);
	}
	**s = save;
	if (r == 0)
		*ret = cJSON_Duplicate(v, true);
	return r;
}

static int command(struct tpl *t, char **s, cJSON **ret)
{
	char *p = *s, *w;
	size_t n;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '.' || *p == '$' || *p == '"' || *p == '(' || isdigit((unsigned char)*p)) {
		*s = p;
		return operand(t, s, ret);
	}
	w = p;
	n = strcspn(w, " \t)");
	*s = w + n;
	return tpl_call(t, w, n, s, ret);
}

int tpl_pipeline(struct tpl *t, char *s, cJSON **ret)
{
	int r = command(t, &s, ret);

	while (r == 0 && *s && isspace((unsigned char)*s))
		s++;
	if (r == 0 && *s) {
		cJSON_Delete(*ret);
		*ret = NULL;
		return tpl_fail(t, "unexpected \"%s\" in command", s);
	}
	return r;
}

int tpl_operand(struct tpl *t, char **s, cJSON **ret)
{
	return operand(t, s, ret);
}
