// SPDX-License-Identifier: MIT
/* The one CNI skeleton: env and stdin in, verb dispatch, result or error object out. */
#include "cni.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "json.h"
#include "cni-runtime.h"
#include "conf.h"
#include "log.h"
#include "nl.h"
#include "rundir.h"

/* A conflist with thousands of port mappings stays well below this. */
#define CNI_STDIN_MAX (4u << 20)

static const char *const supported_versions[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0" };

static const struct {
	const char *name;
	enum cni_verb verb;
} verbs[] = {
	{ "ADD", CNI_ADD },	    { "DEL", CNI_DEL },	      { "CHECK", CNI_CHECK },
	{ "VERSION", CNI_VERSION }, { "STATUS", CNI_STATUS }, { "GC", CNI_GC },
};

int cni_fail(struct cni_ctx *ctx, int code, int err, const char *fmt, ...)
{
	va_list ap;

	if (err >= 0)
		err = -EINVAL;
	if (ctx->err_code)
		return err;
	ctx->err_code = code;
	va_start(ap, fmt);
	vsnprintf(ctx->err_msg, sizeof(ctx->err_msg), fmt, ap);
	va_end(ap);
	return err;
}

/* What a DEL can do nothing about: its input, or an IPAM plugin that is not there to run. */
static bool forgivable(int code, int r)
{
	return code == CNI_ERR_INCOMPATIBLE_VERSION || code == CNI_ERR_UNSUPPORTED_FIELD ||
	       code == CNI_ERR_INVALID_ENV || code == CNI_ERR_DECODE ||
	       code == CNI_ERR_INVALID_CONFIG || (code == ND_ERR_DELEGATE && r == -ENOENT);
}

int cni_forgive(struct cni_ctx *ctx, int r)
{
	if (r >= 0 || ctx->verb != CNI_DEL || !forgivable(ctx->err_code, r))
		return r;
	/* The config may be forgiven before the environment is read into ctx. */
	nd_warn("%s DEL of %s/%s goes on despite: %s", ctx->plugin ? ctx->plugin->name : "",
		ctx->container_id		  ?:
			getenv("CNI_CONTAINERID") ?:
						    "",
		ctx->ifname		     ?:
			getenv("CNI_IFNAME") ?:
					       "",
		ctx->err_msg);
	ctx->err_code = 0;
	ctx->err_msg[0] = '\0';
	ctx->err_details[0] = '\0';
	return 0;
}

void cni_fail_details(struct cni_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->err_details, sizeof(ctx->err_details), fmt, ap);
	va_end(ap);
}

static bool version_supported(const char *v)
{
	for (size_t i = 0; i < ND_ARRAY_SIZE(supported_versions); i++)
		if (!strcmp(v, supported_versions[i]))
			return true;
	return false;
}

bool cni_version_at_least(const struct cni_ctx *ctx, int major, int minor, int patch)
{
	int a = 0, b = 0, c = 0;

	if (sscanf(ctx->cni_version, "%d.%d.%d", &a, &b, &c) != 3)
		return false;
	if (a != major)
		return a > major;
	if (b != minor)
		return b > minor;
	return c >= patch;
}

static int read_stdin(struct cni_ctx *ctx)
{
	size_t cap = 4096, len = 0;
	_cleanup_(freep) char *buf = malloc(cap + 1);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *bigger;

			if (cap >= CNI_STDIN_MAX)
				return cni_fail(ctx, CNI_ERR_DECODE, -EFBIG,
						"network configuration on stdin exceeds %u bytes",
						CNI_STDIN_MAX);
			cap *= 2;
			bigger = realloc(buf, cap + 1);
			if (!bigger)
				return -ENOMEM;
			buf = bigger;
		}
		n = read(STDIN_FILENO, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cni_fail(ctx, CNI_ERR_IO, -errno, "reading stdin: %m");
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	ctx->stdin_len = len;
	ctx->stdin_buf = steal_ptr(buf);
	return 0;
}

/*
 * SPEC.md: alphanumerics plus '_', '.', '-', starting with an alphanumeric;
 * at most ND_NAME_MAX so that "<id>-<ifname>.json" stays one path component.
 */
static bool container_id_valid(const char *id)
{
	return isalnum((unsigned char)id[0]) && nd_name_valid(id);
}

/*
 * The kernel's dev_valid_name(): 1..15 bytes, not "." or "..", no '/', ':' or
 * white space (its isspace() counts 0xa0 too); control bytes never work either.
 */
bool cni_ifname_valid(const char *n)
{
	if (!*n || strlen(n) >= IFNAMSIZ || !strcmp(n, ".") || !strcmp(n, ".."))
		return false;
	for (const unsigned char *p = (const unsigned char *)n; *p; p++)
		if (*p == '/' || *p == ':' || *p <= ' ' || *p == 0x7f || *p == 0xa0)
			return false;
	return true;
}

/* CNI_IFNAME also names run-dir files, so it takes the run dir's characters as well. */
static int ifname_check(struct cni_ctx *ctx, const char *n)
{
	if (!cni_ifname_valid(n))
		return cni_fail(
			ctx, CNI_ERR_INVALID_ENV, -EINVAL,
			"CNI_IFNAME \"%.32s\" is not a valid interface name (1 to %d bytes, "
			"not \".\" or \"..\", no '/', ':' or white space)",
			n, IFNAMSIZ - 1);
	if (!nd_name_valid(n))
		return cni_fail(ctx, CNI_ERR_INVALID_ENV, -EINVAL,
				"CNI_IFNAME \"%.32s\" must be letters, digits, '_', '.' or '-', "
				"not starting with '.' or '-' (it names run-dir files)",
				n);
	return 0;
}

static int netns_open(struct cni_ctx *ctx)
{
	int fd = nd_netns_open(ctx->netns);

	if (fd == -EINVAL)
		return cni_fail(ctx, CNI_ERR_INVALID_ENV, fd,
				"CNI_NETNS %.200s is not a network namespace", ctx->netns);
	if (fd < 0)
		return cni_fail(ctx, ND_ERR_NETNS, fd, "CNI_NETNS %.200s: %s", ctx->netns,
				strerror(-fd));
	return fd;
}

int cni_netns_check(struct cni_ctx *ctx)
{
	_cleanup_(closep) int fd = netns_open(ctx);

	return fd < 0 ? fd : 0;
}

int cni_netns_enter(struct cni_ctx *ctx, int *ret_orig)
{
	_cleanup_(closep) int fd = netns_open(ctx);
	int r;

	if (fd < 0)
		return fd;
	r = nd_netns_enter(fd, ret_orig);
	if (r < 0)
		return cni_fail(ctx, ND_ERR_NETNS, r, "entering CNI_NETNS %.200s: %s", ctx->netns,
				strerror(-r));
	return 0;
}

static int load_env(struct cni_ctx *ctx)
{
	bool container = ctx->verb == CNI_ADD || ctx->verb == CNI_DEL || ctx->verb == CNI_CHECK;

	ctx->container_id = getenv("CNI_CONTAINERID");
	ctx->netns = getenv("CNI_NETNS");
	ctx->ifname = getenv("CNI_IFNAME");
	ctx->cni_path = getenv("CNI_PATH");
	ctx->cni_args = getenv("CNI_ARGS");
	if (ctx->netns && !*ctx->netns)
		ctx->netns = NULL;
	if (!container)
		return 0;
	if (!ctx->container_id || !*ctx->container_id)
		return cni_fail(ctx, CNI_ERR_INVALID_ENV, -EINVAL, "CNI_CONTAINERID is not set");
	if (!container_id_valid(ctx->container_id))
		return cni_fail(ctx, CNI_ERR_INVALID_ENV, -EINVAL,
				"CNI_CONTAINERID \"%.64s\" must be 1 to %d alphanumerics, '_', '.' "
				"or '-', starting with an alphanumeric",
				ctx->container_id, ND_NAME_MAX);
	if (!ctx->ifname || !*ctx->ifname)
		return cni_fail(ctx, CNI_ERR_INVALID_ENV, -EINVAL, "CNI_IFNAME is not set");
	if (ifname_check(ctx, ctx->ifname) < 0)
		return -EINVAL;
	if (ctx->verb != CNI_DEL && !ctx->netns)
		return cni_fail(ctx, CNI_ERR_INVALID_ENV, -EINVAL, "CNI_NETNS is not set");
	if (!ctx->cni_path || !*ctx->cni_path)
		return cni_fail(ctx, CNI_ERR_INVALID_ENV, -EINVAL, "CNI_PATH is not set");
	return 0;
}

static int load_identity(struct cni_ctx *ctx)
{
	const cJSON *v;

	v = nd_json_get(ctx->conf, "cniVersion");
	if (v && !cJSON_IsString(v))
		return cni_fail(ctx, CNI_ERR_DECODE, -EINVAL, "cniVersion must be a string");
	snprintf(ctx->cni_version, sizeof(ctx->cni_version), "%s", v ? v->valuestring : "0.1.0");
	if (!version_supported(ctx->cni_version)) {
		char asked[sizeof(ctx->cni_version)];

		strcpy(asked, ctx->cni_version);
		strcpy(ctx->cni_version, "1.1.0");
		return cni_fail(ctx, CNI_ERR_INCOMPATIBLE_VERSION, -ENOTSUP,
				"cniVersion \"%s\" is not supported (0.3.0 to 1.1.0)", asked);
	}
	if (ctx->verb == CNI_VERSION)
		return 0;
	v = nd_json_get(ctx->conf, "name");
	if (!cJSON_IsString(v) || !v->valuestring[0] ||
	    strlen(v->valuestring) >= sizeof(ctx->net_name))
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				"name must be a non-empty string of at most %zu characters",
				sizeof(ctx->net_name) - 1);
	/* The name becomes run-dir and lib-dir paths: refused here, before any is made. */
	if (!nd_name_valid(v->valuestring) || !isalnum((unsigned char)v->valuestring[0]))
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				"name \"%.64s\" must be 1 to %d letters, digits, '_', '.' or '-', "
				"starting with a letter or digit",
				v->valuestring, ND_NAME_MAX);
	strcpy(ctx->net_name, v->valuestring);
	return nd_conf_string_buf(ctx, ctx->conf, "", "type", ctx->type, sizeof(ctx->type));
}

static int load_prev_result(struct cni_ctx *ctx)
{
	const cJSON *prev = nd_json_get(ctx->conf, "prevResult");
	_cleanup_(freep) struct cni_result *r = NULL;
	int ret;

	if (!prev || cJSON_IsNull(prev))
		return 0;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	ret = cni_result_parse(ctx, prev, "prevResult", r);
	if (ret < 0)
		return ret;
	ctx->prev_result = steal_ptr(r);
	return 0;
}

/*
 * cJSON decodes "\u0000" into a NUL that silently ends the string ("a\u0000b"
 * would read as "a"). Each such escape becomes "\uFFFF" (same length, so
 * error offsets hold), a noncharacter the string getters refuse as a NUL.
 */
static char *guard_nul_escapes(const char *buf, size_t len)
{
	char *copy = NULL;

	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] != '\\')
			continue;
		if (buf[i + 1] == 'u' && i + 6 <= len && !memcmp(buf + i + 2, "0000", 4)) {
			if (!copy) {
				copy = malloc(len + 1);
				if (!copy)
					return NULL;
				memcpy(copy, buf, len);
				copy[len] = '\0';
			}
			memcpy(copy + i + 2, "FFFF", 4);
		}
		i++; /* the escaped character never starts another escape */
	}
	return copy;
}

/* Only white space may follow the JSON object on stdin. */
static bool only_space(const char *p, const char *end)
{
	for (; p < end; p++)
		if (!strchr(" \t\r\n", *p))
			return false;
	return true;
}

static int load_conf(struct cni_ctx *ctx, const char *buf, size_t len, const char **end)
{
	_cleanup_(freep) char *guarded = guard_nul_escapes(buf, len);
	const char *text = guarded ? guarded : buf;

	ctx->conf = cJSON_ParseWithLengthOpts(text, len, end, false);
	if (!ctx->conf || !cJSON_IsObject(ctx->conf)) {
		size_t at = *end && *end >= text ? (size_t)(*end - text) : 0;

		strcpy(ctx->cni_version, "1.1.0");
		return cni_fail(ctx, CNI_ERR_DECODE, -EINVAL,
				"network configuration is not a JSON object (error at byte %zu)",
				at);
	}
	if (*end && !only_space(*end, text + len)) {
		strcpy(ctx->cni_version, "1.1.0");
		return cni_fail(ctx, CNI_ERR_DECODE, -EINVAL,
				"network configuration has data after the JSON object (at byte "
				"%zu)",
				(size_t)(*end - text));
	}
	*end = NULL; /* it pointed into the guarded copy */
	return 0;
}

int cni_ctx_load(struct cni_ctx *ctx, const char *buf, size_t len)
{
	const char *end = NULL;
	int r;

	r = load_conf(ctx, buf, len, &end);
	if (r < 0 && ctx->verb == CNI_DEL) {
		/* DEL goes on from the environment alone, with an empty config. */
		cJSON_Delete(ctx->conf);
		ctx->conf = cJSON_CreateObject();
		r = ctx->conf ? cni_forgive(ctx, r) : -ENOMEM;
	}
	if (r < 0)
		return r;
	r = cni_forgive(ctx, load_identity(ctx));
	if (r < 0 || ctx->verb == CNI_VERSION)
		return r;
	/* runDir is read wherever the run dir is opened; refused here once. */
	r = cni_forgive(ctx, nd_dir_conf(ctx, ctx->conf, "", "runDir", &(const char *){ NULL }));
	if (r < 0)
		return r;
	r = load_env(ctx);
	if (r < 0)
		return r;
	r = cni_forgive(ctx, cni_runtime_load(ctx));
	if (r < 0)
		return r;
	return cni_forgive(ctx, load_prev_result(ctx));
}

void cni_ctx_done(struct cni_ctx *ctx)
{
	cJSON_Delete(ctx->conf);
	ctx->conf = NULL;
	free(ctx->stdin_buf);
	ctx->stdin_buf = NULL;
	free(ctx->prev_result);
	ctx->prev_result = NULL;
	cni_runtime_clear(&ctx->rt);
}

void cni_ctx_free(struct cni_ctx *ctx)
{
	cni_ctx_done(ctx);
	free(ctx);
}

bool cni_attachment_valid(const struct cni_ctx *ctx, const char *container_id, const char *ifname)
{
	for (size_t i = 0; i < ctx->rt.n_valid_attachments; i++) {
		const struct cni_attachment *a = &ctx->rt.valid_attachments[i];

		if (!strcmp(a->container_id, container_id) && !strcmp(a->ifname, ifname))
			return true;
	}
	return false;
}

static int print_version(struct cni_ctx *ctx)
{
	printf("{\"cniVersion\":\"%s\",\"supportedVersions\":[",
	       ctx->cni_version[0] ? ctx->cni_version : "1.1.0");
	for (size_t i = 0; i < ND_ARRAY_SIZE(supported_versions); i++)
		printf("%s\"%s\"", i ? "," : "", supported_versions[i]);
	printf("]}\n");
	return 0;
}

static int print_error(struct cni_ctx *ctx)
{
	_cleanup_(cJSON_Deletep) cJSON *o = cJSON_CreateObject();
	_cleanup_(freep) char *text = NULL;

	if (!o)
		return -ENOMEM;
	cJSON_AddStringToObject(o, "cniVersion", ctx->cni_version[0] ? ctx->cni_version : "1.1.0");
	cJSON_AddNumberToObject(o, "code", ctx->err_code);
	cJSON_AddStringToObject(o, "msg", ctx->err_msg);
	if (ctx->err_details[0])
		cJSON_AddStringToObject(o, "details", ctx->err_details);
	text = cJSON_PrintUnformatted(o);
	if (!text)
		return -ENOMEM;
	puts(text);
	return 0;
}

static int print_result(struct cni_ctx *ctx)
{
	_cleanup_(freep) char *text = NULL;

	if (ctx->verb != CNI_ADD)
		return 0;
	if (!ctx->has_result)
		return cni_fail(ctx, ND_ERR_INTERNAL, -EINVAL, "%s ADD produced no result",
				ctx->type);
	text = cni_result_format(ctx, &ctx->result);
	if (!text)
		return -ENOMEM;
	puts(text);
	return 0;
}

int cni_dispatch(const struct cni_plugin *plugin, struct cni_ctx *ctx)
{
	switch (ctx->verb) {
	case CNI_ADD:
		return plugin->add(ctx);
	case CNI_DEL:
		return plugin->del(ctx);
	case CNI_CHECK:
		if (!cni_version_at_least(ctx, 0, 4, 0))
			return cni_fail(ctx, CNI_ERR_INCOMPATIBLE_VERSION, -ENOTSUP,
					"CHECK needs cniVersion 0.4.0 or later, config has %s",
					ctx->cni_version);
		return plugin->check(ctx);
	case CNI_STATUS:
		return plugin->status ? plugin->status(ctx) : 0;
	case CNI_GC:
		return plugin->gc ? plugin->gc(ctx) : 0;
	case CNI_VERSION:
		return 0;
	}
	return -EINVAL;
}

static int parse_verb(struct cni_ctx *ctx)
{
	const char *cmd = getenv("CNI_COMMAND");

	if (!cmd || !*cmd)
		return cni_fail(ctx, CNI_ERR_INVALID_ENV, -EINVAL, "CNI_COMMAND is not set");
	for (size_t i = 0; i < ND_ARRAY_SIZE(verbs); i++)
		if (!strcmp(cmd, verbs[i].name)) {
			ctx->verb = verbs[i].verb;
			return 0;
		}
	return cni_fail(ctx, CNI_ERR_INVALID_ENV, -EINVAL,
			"CNI_COMMAND \"%.16s\" is not ADD, DEL, CHECK, VERSION, STATUS or GC", cmd);
}

static int run(const struct cni_plugin *plugin, struct cni_ctx *ctx)
{
	int r = parse_verb(ctx);

	ctx->plugin = plugin;
	if (r < 0)
		return r;
	r = read_stdin(ctx);
	if (r < 0)
		return r;
	if (ctx->verb == CNI_VERSION && ctx->stdin_len == 0)
		return print_version(ctx);
	r = cni_ctx_load(ctx, ctx->stdin_buf, ctx->stdin_len);
	if (r < 0)
		return r;
	if (ctx->verb == CNI_VERSION)
		return print_version(ctx);
	r = cni_dispatch(plugin, ctx);
	if (r < 0)
		return r;
	return print_result(ctx);
}

int cni_main(const struct cni_plugin *plugin)
{
	struct cni_ctx *ctx = calloc(1, sizeof(*ctx));
	int r, code;

	if (!ctx) {
		puts("{\"cniVersion\":\"1.1.0\",\"code\":100,\"msg\":\"out of memory\"}");
		return 1;
	}
	r = run(plugin, ctx);
	if (r < 0) {
		if (!ctx->err_code)
			cni_fail(ctx, ND_ERR_INTERNAL, r, "%s: %s", plugin->name, strerror(-r));
		nd_err("%s %s: code %d: %s%s%s", ctx->type[0] ? ctx->type : plugin->name,
		       ctx->net_name, ctx->err_code, ctx->err_msg, ctx->err_details[0] ? ": " : "",
		       ctx->err_details);
		print_error(ctx);
	}
	fflush(stdout);
	code = r < 0 ? 1 : 0;
	cni_ctx_free(ctx);
	return code;
}
