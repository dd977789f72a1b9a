// SPDX-License-Identifier: MIT
/* netdock's Go-template subset and Go-style JSON printing, without a conf dir or a kernel. */
#include "cli/cli.h"

#include <stdlib.h>

#include "tap.h"

static const char doc[] =
	"{\"Name\":\"isolated_nw\",\"Internal\":false,\"EnableIPv6\":true,"
	"\"IPAM\":{\"Driver\":\"default\",\"Options\":{},\"Config\":[{\"Subnet\":\"172.25.0.0/16\"},"
	"{\"Subnet\":\"fd00::/64\",\"Gateway\":\"fd00::1\"}]},"
	"\"Containers\":{\"b\":{\"Name\":\"c3\",\"IPv4Address\":\"172.25.3.3/16\"},"
	"\"a\":{\"Name\":\"c2\",\"IPv4Address\":\"172.25.0.2/16\"}},"
	"\"Options\":{},\"Labels\":{\"k\":\"v<&>\"},\"N\":3}";

/* Runs tmpl over doc: the output, or "ERR: <message>". Caller frees. */
static char *run(cJSON *dot, const char *tmpl)
{
	char err[512], *out = NULL;

	if (cli_template_run(tmpl, dot, &out, err, sizeof(err)) < 0) {
		char *e = malloc(strlen(err) + 6);

		sprintf(e, "ERR: %s", err);
		return e;
	}
	return out;
}

#define T(t, dot, tmpl, want)                                 \
	do {                                                  \
		char *_o = run(dot, tmpl);                    \
		TAP_STR_EQ(t, _o, want, "template %s", tmpl); \
		free(_o);                                     \
	} while (0)

int main(void)
{
	struct tap t = { 0 };
	cJSON *dot = cJSON_Parse(doc), *empty = cJSON_Parse("{\"a\":{},\"b\":[]}");
	char *s;

	cli_json_sort(cJSON_GetObjectItem(dot, "Containers"));
	T(&t, dot, "{{.Name}}", "isolated_nw");
	T(&t, dot, "{{ .Name }} x", "isolated_nw x");
	T(&t, dot, "{{range .IPAM.Config}}{{.Subnet}} {{end}}", "172.25.0.0/16 fd00::/64 ");
	T(&t, dot, "{{json .IPAM.Options}}", "{}");
	T(&t, dot, "{{json .Labels}}", "{\"k\":\"v\\u003c\\u0026\\u003e\"}");
	T(&t, dot, "{{range $k, $v := .Containers}}{{$k}}={{$v.Name}};{{end}}", "a=c2;b=c3;");
	T(&t, dot, "{{range $v := .Containers}}{{$v.IPv4Address}} {{end}}",
	  "172.25.0.2/16 172.25.3.3/16 ");
	T(&t, dot, "{{range .Options}}x{{else}}none{{end}}", "none");
	T(&t, dot, "{{if .Internal}}i{{else if .EnableIPv6}}6{{else}}4{{end}}", "6");
	T(&t, dot, "{{if .Internal}}i{{else if .Internal}}6{{else}}4{{end}}", "4");
	T(&t, dot, "{{if .EnableIPv6}}6{{else if .Bogus}}x{{end}}", "6");
	T(&t, dot, "{{if not .Internal}}ext{{else}}int{{end}}", "ext");
	T(&t, dot, "{{index .Labels \"k\"}} {{index .Containers \"a\" \"Name\"}}", "v<&> c2");
	T(&t, dot, "{{len .Containers}} {{len .Name}} {{.N}}", "2 11 3");
	T(&t, dot, "{{.Options}} {{.Labels}}", "map[] map[k:v<&>]");
	T(&t, dot, "{{upper .IPAM.Driver}} {{lower \"AB\"}}", "DEFAULT ab");
	T(&t, dot, "{{eq .Name \"isolated_nw\"}} {{ne .N 3}}", "true false");
	T(&t, dot, "a {{- \" b \" -}} c", "a b c");
	T(&t, dot, "{{range .Containers}}{{if eq .Name \"c3\"}}{{.IPv4Address}}{{end}}{{end}}",
	  "172.25.3.3/16");
	T(&t, dot, "{{.Bogus}}",
	  "ERR: template parsing error: template: :1:2: executing \"\" at <.Bogus>: map has no entry for key \"Bogus\"");
	T(&t, dot, "{{.Name.X}}",
	  "ERR: template parsing error: template: :1:2: executing \"\" at <.Name.X>: can't evaluate field X");
	T(&t, dot, "{{nope .Name}}",
	  "ERR: template parsing error: template: :1:2: function \"nope\" not defined");
	T(&t, dot, "{{.Name", "ERR: template parsing error: template: :1:2: unclosed action");
	T(&t, dot, "{{range .Containers}}x",
	  "ERR: template parsing error: template: :1:2: unexpected EOF");
	T(&t, dot, "{{end}}", "ERR: template parsing error: template: :1:2: unexpected {{end}}");
	T(&t, dot, "{{$x}}",
	  "ERR: template parsing error: template: :1:2: undefined variable \"$x\"");
	T(&t, dot, "{{json .Labels .Name}}",
	  "ERR: template parsing error: template: :1:2: wrong number or type of args for json");

	s = cli_json_print(empty, true);
	TAP_STR_EQ(&t, s, "{\n    \"a\": {},\n    \"b\": []\n}",
		   "MarshalIndent: empty object and array");
	free(s);
	s = cli_json_print(cJSON_GetObjectItem(dot, "IPAM"), false);
	TAP_STR_EQ(
		&t, s,
		"{\"Driver\":\"default\",\"Options\":{},\"Config\":[{\"Subnet\":\"172.25.0.0/16\"},"
		"{\"Subnet\":\"fd00::/64\",\"Gateway\":\"fd00::1\"}]}",
		"compact JSON keeps member order");
	free(s);
	cJSON_Delete(dot);
	cJSON_Delete(empty);
	return tap_done(&t);
}
