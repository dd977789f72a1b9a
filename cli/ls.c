// SPDX-License-Identifier: MIT
/* netdock network ls: Docker's table, filters, --format and -q over the conf dir. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "table.h"

struct ls_args {
	bool quiet, no_trunc;
	const char *format;
	struct nd_strv filters; /* "key=value" */
};

static const char *const filter_keys[] = { "name", "driver", "id", "label", "scope", "type", NULL };

static bool label_match(const cJSON *labels, const char *want)
{
	const char *eq = strchr(want, '=');
	char key[256];
	const cJSON *v;

	snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - want) : (int)strlen(want), want);
	v = cJSON_GetObjectItemCaseSensitive(labels, key);
	return v && (!eq || (cJSON_IsString(v) && !strcmp(v->valuestring, eq + 1)));
}

static bool one_match(const struct cli_net *n, const cJSON *o, const char *key, const char *val)
{
	if (!strcmp(key, "name"))
		return strstr(n->name, val) != NULL;
	if (!strcmp(key, "driver"))
		return !strcmp(n->driver, val);
	if (!strcmp(key, "id"))
		return !strncmp(n->id, val, strlen(val));
	if (!strcmp(key, "label"))
		return label_match(cJSON_GetObjectItem(o, "Labels"), val);
	if (!strcmp(key, "scope"))
		return !strcmp(cJSON_GetObjectItem(o, "Scope")->valuestring, val);
	return !strcmp(val, "custom"); /* type: every CNI network is user-defined */
}

/* Values of one key are alternatives; different keys must all match (Docker's filters). */
static bool matches(const struct ls_args *a, const struct cli_net *n, const cJSON *o)
{
	for (size_t k = 0; filter_keys[k]; k++) {
		size_t len = strlen(filter_keys[k]);
		bool seen = false, any = false;

		nd_strv_foreach(f, &a->filters)
			if (!strncmp(f, filter_keys[k], len) && f[len] == '=') {
				seen = true;
				any = any || one_match(n, o, filter_keys[k], f + len + 1);
			}
		if (seen && !any)
			return false;
	}
	return true;
}

static int check_filters(const struct ls_args *a)
{
	nd_strv_foreach(f, &a->filters) {
		const char *eq = strchr(f, '=');
		bool known = false;

		for (size_t k = 0; eq && filter_keys[k]; k++)
			known = known || (strlen(filter_keys[k]) == (size_t)(eq - f) &&
					  !strncmp(f, filter_keys[k], (size_t)(eq - f)));
		if (!eq)
			return cli_fail("bad format of filter (expected name=value)");
		if (!known)
			return cli_fail("Invalid filter '%.*s'", (int)(eq - f), f);
	}
	return 0;
}

/* The fields `docker network ls --format` offers. */
static cJSON *ls_object(const struct ls_args *a, const struct cli_net *n, const cJSON *o)
{
	cJSON *r = cJSON_CreateObject();
	const cJSON *it, *labels = cJSON_GetObjectItem(o, "Labels");
	char created[96], date[64] = "", *dot;
	struct cli_buf lb = { 0 };

	char id[CLI_ID_LEN + 1];

	snprintf(id, sizeof(id), "%.*s", a->no_trunc ? CLI_ID_LEN : 12, n->id);
	cJSON_AddStringToObject(r, "ID", id);
	cJSON_AddStringToObject(r, "Name", n->name);
	cJSON_AddStringToObject(r, "Driver", n->driver);
	cJSON_AddStringToObject(r, "Scope", cJSON_GetObjectItem(o, "Scope")->valuestring);
	cJSON_AddStringToObject(
		r, "IPv6", cJSON_IsTrue(cJSON_GetObjectItem(o, "EnableIPv6")) ? "true" : "false");
	cJSON_AddStringToObject(
		r, "Internal", cJSON_IsTrue(cJSON_GetObjectItem(o, "Internal")) ? "true" : "false");
	cJSON_ArrayForEach(it, labels)
	{
		cli_buf_printf(&lb, "%s%s=%s", lb.len ? "," : "", it->string, it->valuestring);
	}
	cJSON_AddStringToObject(r, "Labels", lb.p ? lb.p : "");
	free(lb.p);
	/* Go's time.Time: "2006-01-02 15:04:05.999999999 +0000 UTC" */
	snprintf(date, sizeof(date), "%s", n->created);
	dot = strchr(date, 'T');
	if (dot)
		*dot = ' ';
	dot = strchr(date, 'Z');
	if (dot)
		*dot = '\0';
	snprintf(created, sizeof(created), "%s +0000 UTC", date);
	cJSON_AddStringToObject(r, "CreatedAt", created);
	return r;
}

static int print_row(struct table *t, const struct ls_args *a, const cJSON *row)
{
	_cleanup_(freep) char *out = NULL;
	char err[512];

	if (a->quiet)
		return table_row(t, cJSON_GetObjectItem(row, "ID")->valuestring);
	if (cli_template_run(a->format, row, &out, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return table_row(t, out);
}

/* Docker turns the two characters \t and \n of a --format into a tab and a newline. */
static void unescape(const char *format)
{
	char *w = (char *)format;

	for (const char *p = format; *p; p++) {
		if (p[0] == '\\' && (p[1] == 't' || p[1] == 'n')) {
			*w++ = p[1] == 't' ? '\t' : '\n';
			p++;
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
}

static int ls(const struct cli *c, struct ls_args *a)
{
	_cleanup_(table_freep) struct table *t = table_new();
	struct cli_net *nets = NULL;
	size_t n = 0;
	bool table = !a->format || !strncmp(a->format, "table", 5);
	int r = check_filters(a);

	if (r)
		return r;
	r = cli_nets_load(c, &nets, &n);
	if (r < 0)
		return cli_fail("reading %s: %s", c->conf_dir, strerror(-r));
	if (!a->format)
		a->format = "{{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}";
	else
		unescape(a->format);
	if (a->format && table && !strncmp(a->format, "table", 5))
		a->format += 5 + strspn(a->format + 5, " ");
	if (table && !a->quiet)
		r = table_header(t, a->format);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		_cleanup_(cJSON_Deletep) cJSON *o = cli_inspect_object(c, &nets[i]);
		_cleanup_(cJSON_Deletep) cJSON *row = NULL;

		if (!matches(a, &nets[i], o))
			continue;
		row = ls_object(a, &nets[i], o);
		r = print_row(t, a, row);
	}
	cli_nets_free(nets, n);
	if (r < 0)
		return CLI_EXIT_FAIL;
	table_flush(t, table && !a->quiet, stdout);
	return 0;
}

static const struct option ls_opts[] = {
	{ "quiet", no_argument, NULL, 'q' },
	{ "no-trunc", no_argument, NULL, 'T' },
	{ "filter", required_argument, NULL, 'f' },
	{ "format", required_argument, NULL, 'F' },
	CLI_COMMON_OPTS,
	{ NULL, 0, NULL, 0 },
};

int cli_ls(struct cli *c, int argc, char **argv)
{
	struct ls_args a = { 0 };
	int o, r;

	while ((o = cli_getopt(c, argc, argv, "qf:", ls_opts)) >= 0) {
		if (o == 'q')
			a.quiet = true;
		else if (o == 'T')
			a.no_trunc = true;
		else if (o == 'F')
			a.format = *optarg ? optarg : NULL;
		else if (o == 'f' && cli_strv_add(&a.filters, optarg) < 0)
			o = CLI_GETOPT_ERROR;
		if (o < 0)
			break;
	}
	if (o != -1)
		r = cli_getopt_exit(o);
	else if (optind < argc)
		r = cli_args_fail(c, "accepts no arguments");
	else
		r = ls(c, &a);
	nd_strv_clear(&a.filters);
	return r;
}
