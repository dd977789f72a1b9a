// SPDX-License-Identifier: MIT
/* Line logger: stderr always, NETDOCK_LOG_FILE when set, level from NETDOCK_LOG_LEVEL. */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"

static const char *const level_names[] = { "error", "warning", "info", "debug" };

static enum nd_log_level max_level(void)
{
	const char *s = getenv("NETDOCK_LOG_LEVEL");

	if (!s)
		return ND_LOG_WARN;
	for (size_t i = 0; i < ND_ARRAY_SIZE(level_names); i++)
		if (!strcmp(s, level_names[i]))
			return (enum nd_log_level)i;
	return ND_LOG_WARN;
}

static void log_to_file(const char *line, size_t len)
{
	const char *path = getenv("NETDOCK_LOG_FILE");
	_cleanup_(closep) int fd = -1;

	if (!path || !*path)
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd >= 0 && write(fd, line, len) < 0)
		return;
}

__attribute__((format(printf, 2, 0))) static void log_va(enum nd_log_level level, const char *fmt,
							 va_list ap)
{
	char line[2048];
	int head, body;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	head = snprintf(line, sizeof(line), "%lld.%03ld %s[%d] %s: ", (long long)ts.tv_sec,
			ts.tv_nsec / 1000000, program_invocation_short_name, (int)getpid(),
			level_names[level]);
	body = vsnprintf(line + head, sizeof(line) - head - 1, fmt, ap);
	if (body < 0)
		return;
	if ((size_t)(head + body) > sizeof(line) - 2)
		body = (int)sizeof(line) - 2 - head;
	line[head + body] = '\n';
	line[head + body + 1] = '\0';
	enum nd_log_level max = max_level();

	if (level <= (max > ND_LOG_INFO ? max : ND_LOG_INFO))
		log_to_file(line, head + body + 1);
	if (level <= max)
		fputs(line, stderr);
}

void nd_log(enum nd_log_level level, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_va(level, fmt, ap);
	va_end(ap);
	errno = saved;
}

int nd_log_errno(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_va(ND_LOG_ERR, fmt, ap);
	va_end(ap);
	return err;
}
