/* SPDX-License-Identifier: MIT */
/* Rows aligned as Docker's tabwriter does (minimum width 10, padding 3). */
#ifndef NETDOCK_CLI_TABLE_H
#define NETDOCK_CLI_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cleanup.h"

struct table;
struct table *table_new(void);
void table_free(struct table *t);
ND_CLEANUP(struct table *, table_free)
/* Adds one output line (cells separated by tabs). */
int table_row(struct table *t, const char *line);
/* The header line: the row template run over the columns' titles. */
int table_header(struct table *t, const char *format);
/* Prints every line, aligning the cells when align, else as they are. */
void table_flush(struct table *t, bool align, FILE *f);

#endif
