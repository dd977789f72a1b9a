// SPDX-License-Identifier: MIT
/* libFuzzer target: `netdock network inspect -f` / `ls --format` templates come from anyone's command line. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The first line is the template; the rest, when it parses, is the value it runs over. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char inspect[] =
		"{\"Name\":\"n\",\"Containers\":{\"a\":{\"Name\":\"c\",\"IPv4Address\":\"10.0.0.2/24\"}},"
		"\"IPAM\":{\"Config\":[{\"Subnet\":\"10.0.0.0/24\"}]},\"Labels\":{},\"Internal\":false}";
	char *text = malloc(size + 1), *nl, *out = NULL, err[256];
	cJSON *dot;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	dot = nl ? cJSON_Parse(nl + 1) : NULL;
	if (!dot)
		dot = cJSON_Parse(inspect);
	if (cli_template_run(text, dot, &out, err, sizeof(err)) == 0)
		free(out);
	out = cli_json_print(dot, true);
	free(out);
	cJSON_Delete(dot);
	free(text);
	return 0;
}
