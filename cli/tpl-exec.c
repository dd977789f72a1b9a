// SPDX-License-Identifier: MIT
/* Template text and actions: {{- -}} trimming, range/if/else/end blocks, output. */
#include "template.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct tok {
	bool action;
	char *text; /* owned; an action's text without the braces and trim marks */
	size_t pos;
};

struct toks {
	struct tok *v;
	size_t n;
};

static void toks_free(struct toks *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].text);
	free(t->v);
}

static int push(struct toks *t, bool action, const char *s, size_t n, size_t pos)
{
	struct tok *v = realloc(t->v, (t->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	t->v = v;
	v[t->n] = (struct tok){ .action = action, .text = strndup(s, n), .pos = pos };
	if (!v[t->n].text)
		return -ENOMEM;
	t->n++;
	return 0;
}

static int tokenize(struct tpl *t, const char *s, struct toks *ret)
{
	const char *p = s;
	bool trim_next = false;

	while (*p) {
		const char *open = strstr(p, "{{"), *close, *a, *b;
		size_t n = open ? (size_t)(open - p) : strlen(p);

		if (trim_next)
			while (n && isspace((unsigned char)*p))
				p++, n--;
		if (open && open[2] == '-' && isspace((unsigned char)open[3]))
			while (n && isspace((unsigned char)p[n - 1]))
				n--;
		if (n && push(ret, false, p, n, (size_t)(p - s)) < 0)
			return -ENOMEM;
		if (!open)
			break;
		close = strstr(open + 2, "}}");
		if (!close) {
			t->pos = (size_t)(open - s);
			return tpl_fail(t, "unclosed action");
		}
		a = open + 2 + (open[2] == '-');
		b = close;
		trim_next = b - a >= 2 && b[-1] == '-' && isspace((unsigned char)b[-2]);
		b -= trim_next;
		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		if (push(ret, true, a, (size_t)(b - a), (size_t)(open - s)) < 0)
			return -ENOMEM;
		p = close + 2;
	}
	return 0;
}

static bool kw(const char *text, const char *word)
{
	size_t n = strlen(word);

	return !strncmp(text, word, n) && (!text[n] || isspace((unsigned char)text[n]));
}

enum stop { STOP_EOF, STOP_END, STOP_ELSE };

static int block(struct tpl *t, const struct toks *tk, size_t *i, struct cli_buf *o, bool emit,
		 enum stop *stop);

/* "$k, $v := pipeline" or "$v := pipeline" or "pipeline". */
static char *range_vars(char *s, char *k, char *v, size_t size)
{
	char *assign = strstr(s, ":=");
	char *comma;

	k[0] = v[0] = '\0';
	if (!assign)
		return s;
	*assign = '\0';
	comma = strchr(s, ',');
	if (comma) {
		*comma = '\0';
		sscanf(s, " %63s", k);
		sscanf(comma + 1, " %63s", v);
	} else {
		sscanf(s, " %63s", v);
	}
	(void)size;
	return assign + 2;
}

static void bind_var(struct tpl *t, const char *name, const cJSON *value)
{
	if (!name[0] || t->n_vars == TPL_MAX_VARS)
		return;
	snprintf(t->vars[t->n_vars].name, sizeof(t->vars[0].name), "%s", name);
	t->vars[t->n_vars++].value = value;
}

/* Runs the body once per element (or the else part once when there are none). */
static int run_range(struct tpl *t, const struct toks *tk, size_t *i, struct cli_buf *o, bool emit,
		     char *spec)
{
	_cleanup_(cJSON_Deletep) cJSON *list = NULL;
	char k[64], v[64];
	char *pipe = range_vars(spec, k, v, sizeof(k));
	const cJSON *saved_dot = t->dot, *it;
	size_t body = *i, saved_vars = t->n_vars, n = 0;
	enum stop stop = STOP_EOF;
	int r = emit ? tpl_pipeline(t, pipe, &list) : 0;

	if (r < 0)
		return r;
	const cJSON *over = emit ? list : NULL;

	cJSON_ArrayForEach(it, over)
	{
		_cleanup_(cJSON_Deletep) cJSON *key = NULL;

		if (cJSON_IsObject(list))
			key = cJSON_CreateString(it->string);
		else
			key = cJSON_CreateNumber((double)n);

		*i = body;
		t->dot = it;
		bind_var(t, k, key);
		bind_var(t, v, it);
		r = block(t, tk, i, o, true, &stop);
		t->dot = saved_dot;
		t->n_vars = saved_vars;
		if (r < 0)
			return r;
		n++;
	}
	*i = body;
	r = block(t, tk, i, o, false, &stop); /* skip the body */
	if (r == 0 && stop == STOP_ELSE)
		r = block(t, tk, i, o, emit && n == 0, &stop);
	return r < 0 ? r : stop == STOP_END ? 0 : tpl_fail(t, "unexpected EOF");
}

/* Go's truth of a pipeline, from a copy of its text (evaluation cuts the text up). */
static int test_pipe(struct tpl *t, const char *pipe, bool *ret)
{
	_cleanup_(cJSON_Deletep) cJSON *v = NULL;
	_cleanup_(freep) char *text = strdup(pipe);
	int r = text ? tpl_pipeline(t, text, &v) : -ENOMEM;

	*ret = r == 0 && tpl_truth(v);
	return r;
}

/* if / else if … / else / end: the first true branch runs, one {{end}} closes them all. */
static int run_if(struct tpl *t, const struct toks *tk, size_t *i, struct cli_buf *o, bool emit,
		  const char *pipe)
{
	enum stop stop = STOP_EOF;
	bool done = false;

	for (;;) {
		bool yes = false;
		int r = emit && !done ? test_pipe(t, pipe, &yes) : 0;

		if (r == 0)
			r = block(t, tk, i, o, yes, &stop);
		if (r < 0)
			return r;
		done = done || yes;
		if (stop != STOP_ELSE)
			return stop == STOP_END ? 0 : tpl_fail(t, "unexpected EOF");
		if (!kw(tk->v[*i - 1].text + 4 + strspn(tk->v[*i - 1].text + 4, " "), "if"))
			break;
		pipe = strstr(tk->v[*i - 1].text, "if") + 2;
	}
	if (block(t, tk, i, o, emit && !done, &stop) < 0)
		return -EINVAL;
	return stop == STOP_END ? 0 : tpl_fail(t, "unexpected EOF");
}

static int action(struct tpl *t, const struct toks *tk, size_t *i, struct cli_buf *o, bool emit,
		  char *text)
{
	_cleanup_(cJSON_Deletep) cJSON *v = NULL;
	int r;

	if (kw(text, "range"))
		return run_range(t, tk, i, o, emit, text + 5);
	if (kw(text, "if"))
		return run_if(t, tk, i, o, emit, text + 2);
	if (!emit || !text[0] || !strncmp(text, "/*", 2))
		return 0;
	r = tpl_pipeline(t, text, &v);
	if (r == 0)
		tpl_print_value(o, v);
	return r;
}

static int block(struct tpl *t, const struct toks *tk, size_t *i, struct cli_buf *o, bool emit,
		 enum stop *stop)
{
	while (*i < tk->n) {
		const struct tok *k = &tk->v[(*i)++];
		_cleanup_(freep) char *text = NULL;
		int r;

		if (!k->action) {
			if (emit)
				cli_buf_puts(o, k->text);
			continue;
		}
		t->pos = k->pos;
		if (kw(k->text, "end") || kw(k->text, "else")) {
			*stop = k->text[1] == 'n' ? STOP_END : STOP_ELSE;
			return 0;
		}
		text = strdup(k->text); /* evaluation cuts the text up; the body may run again */
		if (!text)
			return -ENOMEM;
		r = action(t, tk, i, o, emit, text);
		if (r < 0)
			return r;
	}
	*stop = STOP_EOF;
	return 0;
}

int cli_template_run(const char *tmpl, const cJSON *dot, char **ret, char *err, size_t errlen)
{
	struct tpl t = { .dot = dot, .err = err, .errlen = errlen };
	struct toks tk = { 0 };
	struct cli_buf o = { 0 };
	enum stop stop = STOP_EOF;
	size_t i = 0;
	int r = tokenize(&t, tmpl, &tk);

	if (r == 0)
		r = block(&t, &tk, &i, &o, true, &stop);
	if (r == 0 && stop != STOP_EOF)
		r = tpl_fail(&t, "unexpected {{%s}}", stop == STOP_END ? "end" : "else");
	toks_free(&tk);
	if (r == 0 && o.oom)
		r = -ENOMEM;
	if (r < 0) {
		if (!t.failed)
			snprintf(err, errlen, "template: out of memory");
		free(o.p);
		return r;
	}
	*ret = o.p ? o.p : strdup("");
	return 0;
}
