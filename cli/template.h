/* SPDX-License-Identifier: MIT */
/* The template evaluator's state, shared by its parser (template.c), control (tpl-exec.c) and functions (tpl-funcs.c). */
#ifndef NETDOCK_CLI_TEMPLATE_H
#define NETDOCK_CLI_TEMPLATE_H

#include "cli.h"

#define TPL_MAX_VARS 16

struct tpl_var {
	char name[64];
	const cJSON *value; /* borrowed from the range being run */
};

struct tpl {
	const cJSON *dot;
	struct tpl_var vars[TPL_MAX_VARS];
	size_t n_vars;
	size_t pos; /* offset of the action being run, for error messages */
	char *err;
	size_t errlen;
	bool failed;
};

void tpl_print_value(struct cli_buf *o, const cJSON *v);
/* Evaluates a whole pipeline ("json .Containers") into a new value. */
int tpl_pipeline(struct tpl *t, char *s, cJSON **ret);
/* One argument at *s, advancing *s. */
int tpl_operand(struct tpl *t, char **s, cJSON **ret);
/* Runs function name[0..n) on the operands at *s. */
int tpl_call(struct tpl *t, const char *name, size_t n, char **s, cJSON **ret);
/* Records Go's "template: :1:N: …" error (the first wins); returns -EINVAL. */
int tpl_fail(struct tpl *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Go's truth: false, 0, nil and empty strings, lists and maps are false. */
bool tpl_truth(const cJSON *v);

#endif
