/* SPDX-License-Identifier: MIT */
/* Logging to stderr and, when NETDOCK_LOG_FILE is set, to that file too. */
#ifndef ND_LOG_H
#define ND_LOG_H

enum nd_log_level { ND_LOG_ERR, ND_LOG_WARN, ND_LOG_INFO, ND_LOG_DEBUG };

/*
 * Writes one line "<prog>[pid] <level>: <msg>". Runtimes swallow a plugin's
 * stderr, so the optional file is what an operator reads afterwards. The file
 * is opened per line (O_APPEND) so no logger state outlives the call.
 * Returns nothing: logging never fails the caller.
 */
void nd_log(enum nd_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* As nd_log(ND_LOG_ERR, ...), then returns err: "return nd_log_errno(r, ...)". */
int nd_log_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define nd_err(...) nd_log(ND_LOG_ERR, __VA_ARGS__)
#define nd_warn(...) nd_log(ND_LOG_WARN, __VA_ARGS__)
#define nd_info(...) nd_log(ND_LOG_INFO, __VA_ARGS__)
#define nd_debug(...) nd_log(ND_LOG_DEBUG, __VA_ARGS__)

#endif
